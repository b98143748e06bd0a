//! The 打印中心 and the 插件 screen, driven with egui_kittest against a real
//! database and the real 河南 plugin. File dialogs and the printer are the
//! only fakes: a real dialog would block the test, and CI has no printer.
//!
//! - preview a one-child template inside the app, save it (file dialog),
//!   print it (printer), and find both prints audited with the file's hash;
//! - a cancelled dialog writes nothing;
//! - batch-print the list's children, one PDF each;
//! - install a plugin from the 插件 screen: a tampered file is refused with
//!   a message naming it, the signed one is installed and its templates
//!   appear in the print centre.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hutong::gui::{HutongApp, Screen};
use hutong::platform::{DialogKind, DialogRequest, FileDialogs, Platform, Printed, Printer};
use hutong_tests::{hutong as run_hutong, install_signed_plugin, pdftotext, plugin_wasm, stderr};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Answers file dialogs from a queue, and remembers what was asked.
#[derive(Default)]
struct FakeDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
    asked: Mutex<Vec<DialogKind>>,
}

impl FakeDialogs {
    fn answer(&self, a: Option<PathBuf>) {
        self.answers.lock().unwrap().push_back(a);
    }
}

impl FileDialogs for FakeDialogs {
    fn ask(&self, r: &DialogRequest) -> Option<PathBuf> {
        self.asked.lock().unwrap().push(r.kind);
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

/// Records what was sent to the printer: the file and its hash then.
#[derive(Default)]
struct FakePrinter {
    jobs: Mutex<Vec<(PathBuf, String)>>,
}

impl Printer for FakePrinter {
    fn print(&self, pdf: &Path, _title: &str) -> Result<Printed, String> {
        let bytes = std::fs::read(pdf).map_err(|e| e.to_string())?;
        let mut jobs = self.jobs.lock().unwrap();
        jobs.push((pdf.to_path_buf(), hex(&bytes)));
        Ok(Printed {
            message: format!("request id is fake-{}", jobs.len()),
            file_released: true,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Steps frames until no background work runs, then lets the frame settle.
fn settle(h: &mut Harness<'static, HutongApp>) {
    step_until(h, "background work", |a| !a.busy());
}

/// Steps frames until `done` holds; background work runs on other threads.
fn step_until(h: &mut Harness<'static, HutongApp>, what: &str, done: impl Fn(&HutongApp) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done(h.state()) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}; message: {:?}",
            h.state().print_message()
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    while h.state().busy() {
        assert!(
            std::time::Instant::now() < deadline,
            "background work did not end"
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // A finished progress bar may still ask for a few repaints.
    h.run_steps(8);
    let _ = h.run_ok();
}

fn harness(db: &Path, platform: Platform) -> Harness<'static, HutongApp> {
    let path = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| {
            let mut app = HutongApp::new(path);
            app.set_platform(platform);
            app
        });
    h.get_by_label("用户名").focus();
    h.step();
    // The administrator: these flows install plugins and restore backups.
    h.get_by_label("用户名").type_text("admin");
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    settle(&mut h);
    h.get_by_label("登录").click();
    settle(&mut h);
    h
}

fn search(h: &mut Harness<'static, HutongApp>, text: &str) {
    h.get_by_label("儿童档案").click();
    settle(h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(text);
    settle(h);
}

/// (sha256, file) of every audit entry with `action`.
fn audited(db: &Path, action: &str) -> Vec<(String, String)> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT detail FROM audit_log WHERE action = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([action], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| {
            let v: serde_json::Value = serde_json::from_str(&d.unwrap()).unwrap();
            (
                v["sha256"].as_str().unwrap().to_string(),
                v["file"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn demo_with_henan(dir: &Path) -> PathBuf {
    let db = dir.join("county.db");
    let out = run_hutong(&db, &["demo", "--children", "60"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    install_signed_plugin(&db, dir, "hutong_plugin_henan.wasm", "41");
    db
}

#[test]
fn preview_save_and_print_one_childs_service_list_and_both_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path());
    let dialogs = Arc::new(FakeDialogs::default());
    let printer = Arc::new(FakePrinter::default());
    let mut h = harness(
        &db,
        Platform {
            dialogs: dialogs.clone(),
            printer: printer.clone(),
        },
    );
    search(&mut h, "马文博");
    h.get_by_label("马文博").click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::ChildFile);

    h.get_by_label("打印中心").click();
    settle(&mut h);
    h.get_by_label("流动儿童关爱服务清单（单人）").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("当前档案（马文博）").is_some());
    h.get_by_label("生成预览").click();
    step_until(&mut h, "the preview", |a| a.print_preview_pages().is_some());
    let pages = h.state().print_preview_pages().unwrap();
    assert!(pages >= 1);
    assert!(
        h.query_by_label(&format!("第 1 页 共 {pages} 页"))
            .is_some(),
        "the page counter shows"
    );

    // A cancelled dialog writes nothing and audits nothing.
    dialogs.answer(None);
    h.get_by_label("保存 PDF…").click();
    step_until(&mut h, "the cancelled dialog", |_| {
        dialogs.asked.lock().unwrap().len() == 1
    });
    settle(&mut h);
    assert!(audited(&db, "report.print").is_empty());

    let out = dir.path().join("服务清单.pdf");
    dialogs.answer(Some(out.clone()));
    h.get_by_label("保存 PDF…").click();
    step_until(&mut h, "the saved file", |a| {
        a.print_message().is_some_and(|m| m.starts_with("已保存"))
    });
    let text = pdftotext(&out);
    assert!(text.contains("马文博"), "the PDF is the child's: {text}");
    assert!(text.contains("关爱服务清单"), "{text}");
    let saved = audited(&db, "report.print");
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].0, hex(&std::fs::read(&out).unwrap()));
    assert_eq!(saved[0].1, out.display().to_string());

    h.get_by_label("打印").click();
    step_until(&mut h, "the printer", |_| {
        !printer.jobs.lock().unwrap().is_empty()
    });
    step_until(&mut h, "the printer's answer", |a| {
        a.print_message()
            .is_some_and(|m| m.contains("已发送到打印机"))
    });
    let jobs = printer.jobs.lock().unwrap().clone();
    assert_eq!(jobs.len(), 1);
    let printed = audited(&db, "report.print.printer");
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].0, jobs[0].1, "the audit names what was printed");
    assert_eq!(printed[0].0, saved[0].0, "the same document was printed");
    // The printer has its copy, so the owner-only spool file is gone.
    assert!(
        !jobs[0].0.exists(),
        "spool file {} left behind",
        jobs[0].0.display()
    );
}

#[test]
fn batch_printing_writes_one_pdf_per_listed_child() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path());
    let dialogs = Arc::new(FakeDialogs::default());
    let printer = Arc::new(FakePrinter::default());
    let mut h = harness(
        &db,
        Platform {
            dialogs: dialogs.clone(),
            printer: printer.clone(),
        },
    );
    // A surname narrows the list to a few children.
    search(&mut h, "王");
    let names = h.state().listed_names();
    assert!(
        (2..=20).contains(&names.len()),
        "the demo has a handful of 王: {names:?}"
    );
    h.get_by_label("打印中心").click();
    settle(&mut h);
    h.get_by_label("流动儿童关爱服务清单（单人）").click();
    settle(&mut h);
    h.get_by_label_contains("儿童档案列表的筛选结果").click();
    settle(&mut h);
    let folder = dir.path().join("batch");
    std::fs::create_dir(&folder).unwrap();
    dialogs.answer(Some(folder.clone()));
    h.get_by_label("批量打印…").click();
    step_until(&mut h, "the batch", |a| {
        a.print_message().is_some_and(|m| m.starts_with("已生成"))
    });
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), names.len(), "one PDF per child: {files:?}");
    let mut found: Vec<String> = Vec::new();
    for f in &files {
        let text = pdftotext(f);
        let who = names
            .iter()
            .find(|n| text.contains(n.as_str()))
            .unwrap_or_else(|| panic!("{} names no listed child", f.display()));
        found.push(who.clone());
    }
    found.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(found, expected, "each child printed once");
    assert_eq!(printer.jobs.lock().unwrap().len(), names.len());
    assert_eq!(audited(&db, "report.print").len(), names.len());
}

#[test]
fn the_plugins_screen_refuses_a_tampered_file_and_installs_a_signed_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    // Without the plugin the program carries: this test installs one.
    let out = run_hutong(&db, &["demo", "--children", "20", "--no-plugin"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    // Sign and trust through the CLI, but install from the UI.
    let key = dir.path().join("41.pem");
    let plugin = dir.path().join("henan.wasm");
    std::fs::copy(plugin_wasm("hutong_plugin_henan.wasm"), &plugin).unwrap();
    let out = run_hutong(
        &db,
        &["plugin", "keygen", "--out", key.to_str().unwrap()],
        None,
    );
    let public = String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("公钥（提供给各县信任）：")
                .map(str::to_string)
        })
        .unwrap();
    for args in [
        vec![
            "plugin",
            "sign",
            "--key",
            key.to_str().unwrap(),
            plugin.to_str().unwrap(),
        ],
        vec!["plugin", "trust", &public, "--province", "41"],
    ] {
        let out = run_hutong(&db, &args, None);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // A copy with one byte changed keeps the valid signature file beside it.
    let tampered = dir.path().join("tampered.wasm");
    let mut bytes = std::fs::read(&plugin).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&tampered, &bytes).unwrap();
    std::fs::copy(
        dir.path().join("henan.wasm.sig"),
        dir.path().join("tampered.wasm.sig"),
    )
    .unwrap();

    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(
        &db,
        Platform {
            dialogs: dialogs.clone(),
            printer: Arc::new(FakePrinter::default()),
        },
    );
    h.get_by_label("插件").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("流动儿童").is_none());

    dialogs.answer(Some(tampered.clone()));
    h.get_by_label("从文件安装插件…").click();
    step_until(&mut h, "the refusal", |_| {
        dialogs.asked.lock().unwrap().len() == 1
    });
    for _ in 0..20 {
        h.step();
    }
    settle(&mut h);
    assert!(
        h.query_by_label_contains("tampered.wasm 失败").is_some(),
        "the refusal names the file"
    );
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let installed: i64 = conn
        .query_row("SELECT count(*) FROM installed_plugins", [], |r| r.get(0))
        .unwrap();
    assert_eq!(installed, 0, "nothing installed from a tampered file");

    dialogs.answer(Some(plugin.clone()));
    h.get_by_label("从文件安装插件…").click();
    step_until(&mut h, "the installation", |_| {
        dialogs.asked.lock().unwrap().len() == 2
    });
    for _ in 0..20 {
        h.step();
    }
    settle(&mut h);
    assert!(
        h.query_by_label_contains("已安装 cn.hutong.henan")
            .is_some()
    );
    h.get_by_label("打印中心").click();
    settle(&mut h);
    assert!(
        h.query_by_label("流动儿童台账（花名册）").is_some(),
        "the new plugin's templates are offered without a restart"
    );
}

//! Builds one of issue #18's hostile files, reads it the way an import
//! does, and prints the refusal. Run under `/usr/bin/time -v` to measure
//! the peak memory of a refusal (it must stay under 500 MB):
//!
//! ```text
//! cargo run -p hutong-core --example refuse_hostile -- xlsx|csv|json|json-deep|zip|ods|xls
//! ```

use hutong_core::{exchange, table};
use std::io::Write;

fn main() {
    let kind = std::env::args().nth(1).unwrap_or_else(|| "xlsx".into());
    let dir = std::env::temp_dir().join(format!("hutong-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (name, bytes): (&str, Vec<u8>) = match kind.as_str() {
        "xlsx" => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.write_string(0, 0, "姓名").expect("cell");
            ws.write_string(1_048_575, 16_383, "x").expect("cell");
            ("两格.xlsx", wb.save_to_buffer().expect("xlsx"))
        }
        "csv" => {
            let mut csv = String::from("姓名,身份证号\n");
            csv.push_str(&",".repeat(1_000_000));
            csv.push_str("远\n");
            for i in 0..200_000 {
                csv.push_str(&format!("{i},1\n"));
            }
            ("宽.csv", csv.into_bytes())
        }
        "json" | "json-deep" => {
            let depth = 5_000_000;
            let mut json = if kind == "json" {
                String::from(r#"{"format":"hutong-export","format_version":1,"children":"#)
            } else {
                String::from(
                    r#"{"format":"hutong-export","format_version":1,"exported_at":"x","county_code":"411525","children":[],"persons":[],"relations":[],"categories":[],"visits":[],"form_records":[{"id":"0190a8b0-0000-7000-8000-000000000000","child_id":"0190a8b0-0000-7000-8000-000000000001","plugin_id":"p","plugin_version":"1","form_id":"f","form_version":"1","values":"#,
                )
            };
            json.push_str(&"[".repeat(depth));
            json.push_str(&"]".repeat(depth));
            json.push_str(if kind == "json" { "}" } else { "}]}" });
            ("炸弹.json", json.into_bytes())
        }
        "zip" => {
            // xl/sharedStrings.xml inflating to 161 MiB from about 160 KB.
            let mut out = std::io::Cursor::new(Vec::new());
            {
                let mut zip = zip::ZipWriter::new(&mut out);
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                zip.start_file("xl/workbook.xml", opts).expect("zip");
                zip.write_all(b"<workbook/>").expect("zip");
                zip.start_file("xl/sharedStrings.xml", opts).expect("zip");
                let chunk = vec![b' '; 1 << 20];
                for _ in 0..161 {
                    zip.write_all(&chunk).expect("zip");
                }
                zip.finish().expect("zip");
            }
            ("炸弹.xlsx", out.into_inner())
        }
        other => {
            eprintln!("unknown kind {other}");
            std::process::exit(2);
        }
    };
    let path = dir.join(name);
    std::fs::write(&path, &bytes).expect("write");
    println!("{}: {} bytes", path.display(), bytes.len());
    drop(bytes);
    let result = if name.ends_with(".json") {
        exchange::read_file(&path).map(|_| ())
    } else {
        table::read_file(&path, &table::mapping::is_known_header).map(|_| ())
    };
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => {
            eprintln!("NOT refused");
            std::process::exit(1);
        }
        Err(e) => println!("refused: {e}"),
    }
}

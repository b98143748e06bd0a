//! Printing a province report template: gathering the template's input
//! from the store, and recording each print (with the file's SHA-256) in
//! the audit log. Shared by `hutong report` and the 打印中心 screen, so a
//! print from the UI and one from a script leave the same trail.

use crate::permissions::Action;
use crate::session::Session;
use anyhow::{Context, Result};
use hutong_core::audit::{AuditAction, AuditEntryInput};
use hutong_core::national::dates;
use hutong_core::province::ReportInput;
use hutong_core::{RowId, Store, divisions, snapshot};
use sha2::{Digest, Sha256};

/// The template's input for `children` (in that order). `division`, when
/// given, is the roster's division code; its full name goes into the
/// `division` parameter.
pub fn report_input(
    store: &mut Store,
    session: &Session,
    children: &[RowId],
    division: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<ReportInput> {
    // A report shows what it is given: the permission first, then every
    // child (and the division named on it) inside the session's scope.
    session.require(store, Action::Print)?;
    for id in children {
        crate::records::child_in_scope(store, session, *id)?;
    }
    if let Some(v) = division {
        session.narrowed(store, Some(v))?;
    }
    let conn = store.conn();
    let snapshots = children
        .iter()
        .map(|id| snapshot::child_snapshot(conn, *id))
        .collect::<hutong_core::Result<Vec<_>>>()
        .context("读取儿童档案")?;
    let county = store.county_code()?.unwrap_or_default();
    let county_path = divisions::name_path(conn, &county)?;
    let mut params = vec![("today_zh".to_string(), dates::format_zh(today))];
    if let Some(v) = division {
        params.push(("division".into(), divisions::full_name(conn, v)?));
    }
    Ok(ReportInput {
        today: today.to_string(),
        county_name: county_path.join(" "),
        office_name: format!("{}民政局", county_path.last().cloned().unwrap_or_default()),
        children: snapshots,
        params,
    })
}

/// How a report left the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// Saved as a PDF file.
    File,
    /// Sent to the system printer.
    Printer,
    /// Shown on screen in the print centre's preview: full ID numbers and
    /// everything else a report holds are seen, so it is audited like a print.
    Preview,
}

/// One printed (or saved) report, as the audit log records it.
pub struct PrintRecord<'a> {
    pub template_id: &'a str,
    pub template_name: &'a str,
    pub plugin: &'a str,
    pub children: &'a [RowId],
    /// The file written, or the spooled file for a printer.
    pub file: &'a str,
    pub pdf: &'a [u8],
    pub destination: Destination,
}

/// SHA-256 of a PDF, hex.
pub fn pdf_sha256(pdf: &[u8]) -> String {
    hex::encode(Sha256::digest(pdf))
}

/// Writes the audit entry for a print: what, for whom, where, and the
/// file's hash, so a paper copy can be matched to its record.
pub fn record_print(store: &mut Store, session: &Session, r: &PrintRecord<'_>) -> Result<()> {
    session.require(store, Action::Print)?;
    let sha = pdf_sha256(r.pdf);
    let action = match r.destination {
        Destination::File => AuditAction::ReportPrint,
        Destination::Printer => AuditAction::ReportPrintPrinter,
        Destination::Preview => AuditAction::ReportPreview,
    };
    store
        .write(&session.actor(), |tx| {
            tx.audit(
                AuditEntryInput::new(action, "report", Some(r.template_id.to_string())).detail(
                    serde_json::json!({
                        "template": r.template_name,
                        "plugin": r.plugin,
                        "children": r.children.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                        "file": r.file,
                        "sha256": sha,
                        "bytes": r.pdf.len(),
                    }),
                ),
            )
        })
        .context("记录打印审计")?;
    Ok(())
}

/// The longest stem [`file_stem`] makes, in characters: long enough for a
/// template name, a child's name and an ID tail, short enough for every
/// file system's name limit once the folder is added.
const MAX_STEM_CHARS: usize = 80;

/// A file name stem for a printed or spooled PDF, from parts such as the
/// template's name, the child's name and an ID tail, joined with `-`.
///
/// An allow-list, not a deny-list: the names come from imports and
/// plugins, and a character a shell, a file system or a print spooler reads
/// as syntax (quotes of every kind, `;`, `$`, path separators, control and
/// bidirectional-override characters) must never reach one. Letters and
/// digits of every script are kept (Chinese, Uyghur, Latin), with the
/// Tibetan block whole (its vowel signs are marks, not letters), the middle
/// dot of names such as 买买提·艾力, full-width brackets, `-` and `_`;
/// anything else becomes `_`.
pub fn file_stem(parts: &[&str]) -> String {
    let allowed = |c: char| {
        c.is_alphanumeric()
            || ('\u{0F00}'..='\u{0FFF}').contains(&c)
            || matches!(c, '·' | '（' | '）' | '-' | '_')
    };
    let stem = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.chars()
                .map(|c| if allowed(c) { c } else { '_' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-");
    let stem: String = stem.chars().take(MAX_STEM_CHARS).collect();
    if stem.is_empty() {
        "报表".to_string()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn a_stem_keeps_names_in_every_script_and_the_middle_dot() {
        assert_eq!(
            file_stem(&["一人一档", "买买提·艾力", "0251"]),
            "一人一档-买买提·艾力-0251"
        );
        assert_eq!(file_stem(&["བཀྲ་ཤིས"]), "བཀྲ་ཤིས");
        assert_eq!(file_stem(&["", "王子轩"]), "王子轩");
    }

    #[test]
    fn a_stem_turns_shell_and_path_syntax_into_underscores() {
        // The name that ran a command through PowerShell's quoting.
        assert_eq!(file_stem(&["a’;calc;’"]), "a__calc__");
        assert_eq!(file_stem(&["a'b\"c`d$e"]), "a_b_c_d_e");
        assert_eq!(file_stem(&["..\\..\\x/y:z"]), "______x_y_z");
        // A right-to-left override and a newline.
        assert_eq!(file_stem(&["ab\u{202E}fdp.exe\nc"]), "ab_fdp_exe_c");
        assert_eq!(file_stem(&["a b"]), "a_b");
    }

    #[test]
    fn a_stem_is_never_empty_and_never_longer_than_its_limit() {
        assert_eq!(file_stem(&[]), "报表");
        assert_eq!(file_stem(&["", ""]), "报表");
        assert_eq!(file_stem(&[&"王".repeat(500)]).chars().count(), 80);
    }
}

//! Spreadsheet exports (XLSX) for the offices that pass rosters on to the
//! finance section or the bank. Used by the CLI and the UI.

use anyhow::{Context, Result};
use hutong_core::allowances::{IdDisplay, Roster, format_yuan};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};

/// The monthly allowance roster as an XLSX workbook (ID numbers masked,
/// amounts as numbers in 元 so the sheet can total them).
pub fn allowance_roster(roster: &Roster, office_name: &str) -> Result<Vec<u8>> {
    allowance_roster_with(roster, office_name, IdDisplay::Masked)
}

/// The roster with ID numbers shown as `ids` says (the full-ID official
/// copy is audited with its reason by the caller).
pub fn allowance_roster_with(
    roster: &Roster,
    office_name: &str,
    ids: IdDisplay,
) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    fill_roster(wb.add_worksheet(), roster, office_name, ids).context("生成 XLSX 花名册")?;
    wb.save_to_buffer().context("生成 XLSX 花名册")
}

fn fill_roster(
    ws: &mut Worksheet,
    roster: &Roster,
    office_name: &str,
    ids: IdDisplay,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    {
        ws.set_name(roster.month.to_string())?;
        let title = Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center);
        let head = Format::new()
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center);
        let cell = Format::new().set_border(FormatBorder::Thin);
        let money = Format::new()
            .set_border(FormatBorder::Thin)
            .set_num_format("#,##0.00");
        let headers = [
            "序号",
            "姓名",
            "身份证号",
            "乡镇（街道）",
            "村（居）",
            "类别",
            "金额（元）",
            "状态",
        ];
        let widths = [6.0, 10.0, 22.0, 16.0, 22.0, 18.0, 12.0, 10.0];
        ws.merge_range(
            0,
            0,
            0,
            (headers.len() - 1) as u16,
            &format!(
                "{}孤儿和事实无人抚养儿童基本生活费发放花名册（{}）",
                office_name,
                roster.month.label_zh()
            ),
            &title,
        )?;
        for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
            ws.set_column_width(c as u16, w)?;
            ws.write_string_with_format(1, c as u16, *h, &head)?;
        }
        for (i, r) in roster.rows.iter().enumerate() {
            let row = (i + 2) as u32;
            ws.write_number_with_format(row, 0, (i + 1) as f64, &cell)?;
            ws.write_string_with_format(row, 1, &r.child_name, &cell)?;
            ws.write_string_with_format(row, 2, ids.show(&r.id_number), &cell)?;
            ws.write_string_with_format(row, 3, &r.township_name, &cell)?;
            ws.write_string_with_format(row, 4, &r.village_name, &cell)?;
            ws.write_string_with_format(row, 5, r.payment.category.label_zh(), &cell)?;
            ws.write_number_with_format(row, 6, r.payment.amount_cents as f64 / 100.0, &money)?;
            ws.write_string_with_format(row, 7, r.payment.status.label_zh(), &cell)?;
        }
        let total_row = (roster.rows.len() + 2) as u32;
        ws.merge_range(
            total_row,
            0,
            total_row,
            5,
            &format!(
                "合计 {} 人（{} 元）",
                roster.rows.len(),
                format_yuan(roster.total_cents)
            ),
            &head,
        )?;
        ws.write_number_with_format(total_row, 6, roster.total_cents as f64 / 100.0, &money)?;
        ws.write_string_with_format(total_row, 7, "", &cell)?;
    }
    Ok(())
}

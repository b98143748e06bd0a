//! A builder for report documents. The contract sends a document as a flat
//! arena (WIT has no recursive types); this builder keeps the indices right
//! so an author writes top-down code.

use crate::bindings::hutong::province::types::*;

/// A text style in a font role and size (points).
pub fn style(font: FontRole, size_pt: f32) -> TextStyle {
    TextStyle {
        font,
        size_pt,
        bold: false,
        underline: false,
    }
}

/// Bold variant of [`style`].
pub fn bold(font: FontRole, size_pt: f32) -> TextStyle {
    TextStyle {
        bold: true,
        ..style(font, size_pt)
    }
}

pub struct DocBuilder {
    doc: Document,
}

impl DocBuilder {
    /// An A4 portrait document with 25 mm margins and "第 n 页 共 m 页" numbers.
    pub fn new(title: &str) -> Self {
        DocBuilder {
            doc: Document {
                title: title.into(),
                page: PageSetup {
                    orientation: Orientation::Portrait,
                    margins: Margins {
                        top_mm: 25.0,
                        bottom_mm: 25.0,
                        left_mm: 25.0,
                        right_mm: 25.0,
                    },
                    header: None,
                    footer: None,
                    page_number: Some("第 {n} 页 共 {total} 页".into()),
                    preset: None,
                },
                nodes: Vec::new(),
                body: Vec::new(),
            },
        }
    }

    pub fn page(&mut self) -> &mut PageSetup {
        &mut self.doc.page
    }

    /// Adds a node and returns its index (not yet placed anywhere).
    pub fn node(&mut self, kind: NodeKind, children: Vec<u32>) -> u32 {
        self.doc.nodes.push(Node { kind, children });
        (self.doc.nodes.len() - 1) as u32
    }

    /// Places a node at the end of the body.
    pub fn push(&mut self, index: u32) {
        self.doc.body.push(index);
    }

    pub fn heading(&mut self, level: u8, text: &str, style: TextStyle, align: Align) {
        let n = self.node(
            NodeKind::Heading(Heading {
                level,
                runs: vec![Run {
                    text: text.into(),
                    style,
                }],
                align,
            }),
            vec![],
        );
        self.push(n);
    }

    pub fn paragraph_node(&mut self, text: &str, style: TextStyle, align: Align) -> u32 {
        self.node(
            NodeKind::Paragraph(Paragraph {
                runs: vec![Run {
                    text: text.into(),
                    style,
                }],
                align,
                first_line_indent_chars: 0.0,
                space_before_pt: 0.0,
                space_after_pt: 0.0,
            }),
            vec![],
        )
    }

    pub fn paragraph(&mut self, text: &str, style: TextStyle, align: Align) {
        let n = self.paragraph_node(text, style, align);
        self.push(n);
    }

    pub fn key_values(&mut self, pairs_per_row: u16, items: &[(&str, &str)], style: TextStyle) {
        let n = self.node(
            NodeKind::KeyValue(KeyValueGrid {
                pairs_per_row,
                label_fraction: 0.4,
                items: items
                    .iter()
                    .map(|(l, v)| KeyValueItem {
                        label: (*l).into(),
                        value: (*v).into(),
                        span: 1,
                    })
                    .collect(),
                style,
            }),
            vec![],
        );
        self.push(n);
    }

    /// A table of text cells. The first `header_rows` rows repeat on every page.
    pub fn table(
        &mut self,
        column_fractions: &[f32],
        header_rows: u16,
        rows: &[Vec<String>],
        style: TextStyle,
    ) {
        let mut row_nodes = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let mut cells = Vec::with_capacity(row.len());
            for text in row {
                let s = if (i as u16) < header_rows {
                    TextStyle {
                        bold: true,
                        ..style
                    }
                } else {
                    style
                };
                let p = self.paragraph_node(text, s, Align::Center);
                cells.push(self.node(
                    NodeKind::TableCell(CellInfo {
                        col_span: 1,
                        align: Align::Center,
                    }),
                    vec![p],
                ));
            }
            row_nodes.push(self.node(NodeKind::TableRow, cells));
        }
        let t = self.node(
            NodeKind::Table(TableInfo {
                column_fractions: column_fractions.to_vec(),
                header_rows,
            }),
            row_nodes,
        );
        self.push(t);
    }

    pub fn checkboxes(&mut self, label: Option<&str>, options: &[(&str, bool)], style: TextStyle) {
        let n = self.node(
            NodeKind::Checkboxes(CheckboxList {
                label: label.map(str::to_string),
                options: options
                    .iter()
                    .map(|(l, c)| CheckboxOption {
                        label: (*l).into(),
                        checked: *c,
                    })
                    .collect(),
                style,
            }),
            vec![],
        );
        self.push(n);
    }

    pub fn signatures(&mut self, items: &[(&str, SignatureKind)], style: TextStyle) {
        let n = self.node(
            NodeKind::SignatureLine(SignatureLine {
                items: items
                    .iter()
                    .map(|(l, k)| SignatureItem {
                        label: (*l).into(),
                        kind: *k,
                    })
                    .collect(),
                align: Align::Right,
                style,
            }),
            vec![],
        );
        self.push(n);
    }

    pub fn rule(&mut self, thickness_pt: f32) {
        let n = self.node(NodeKind::Rule(thickness_pt), vec![]);
        self.push(n);
    }

    pub fn page_break(&mut self) {
        let n = self.node(NodeKind::PageBreak, vec![]);
        self.push(n);
    }

    pub fn build(self) -> Document {
        self.doc
    }
}

//! Builders for form definitions, so a form reads like the paper it replaces.

use crate::bindings::hutong::province::types::*;

/// A choice option with a code and a label (no second-language label).
pub fn choice(code: &str, label: &str) -> Choice {
    Choice {
        code: code.into(),
        label: label.into(),
        label_alt: String::new(),
        parent_code: String::new(),
    }
}

/// The value of a top-level field in a list of values.
pub fn value_of<'a>(values: &'a [FieldValue], field_id: &str) -> Option<&'a Value> {
    values
        .iter()
        .find(|v| v.field_id == field_id && v.row.is_none())
        .map(|v| &v.value)
}

pub struct FieldBuilder {
    field: Field,
}

impl FieldBuilder {
    pub fn new(id: &str, label: &str, kind: FieldKind) -> Self {
        FieldBuilder {
            field: Field {
                id: id.into(),
                label: label.into(),
                label_alt: String::new(),
                kind,
                required: false,
                help: String::new(),
                section: String::new(),
                group: String::new(),
                core_binding: String::new(),
            },
        }
    }
    pub fn required(mut self) -> Self {
        self.field.required = true;
        self
    }
    pub fn help(mut self, help: &str) -> Self {
        self.field.help = help.into();
        self
    }
    pub fn alt(mut self, label_alt: &str) -> Self {
        self.field.label_alt = label_alt.into();
        self
    }
    pub fn group(mut self, group: &str) -> Self {
        self.field.group = group.into();
        self
    }
    pub fn bind(mut self, core_field: &str) -> Self {
        self.field.core_binding = core_field.into();
        self
    }
    pub fn build(self) -> Field {
        self.field
    }
}

/// Builds a [`FormDef`] section by section.
pub struct FormBuilder {
    form: FormDef,
    current_section: String,
}

impl FormBuilder {
    pub fn new(id: &str, version: &str, title: &str) -> Self {
        FormBuilder {
            form: FormDef {
                id: id.into(),
                version: version.into(),
                title: title.into(),
                title_alt: String::new(),
                description: String::new(),
                sections: Vec::new(),
                fields: Vec::new(),
            },
            current_section: String::new(),
        }
    }
    pub fn description(mut self, text: &str) -> Self {
        self.form.description = text.into();
        self
    }
    pub fn title_alt(mut self, text: &str) -> Self {
        self.form.title_alt = text.into();
        self
    }
    /// Starts a section; following fields belong to it.
    pub fn section(mut self, id: &str, title: &str) -> Self {
        self.form.sections.push(Section {
            id: id.into(),
            title: title.into(),
            title_alt: String::new(),
        });
        self.current_section = id.into();
        self
    }
    pub fn field(mut self, f: FieldBuilder) -> Self {
        let mut field = f.build();
        field.section = self.current_section.clone();
        self.form.fields.push(field);
        self
    }
    pub fn build(self) -> FormDef {
        self.form
    }
}

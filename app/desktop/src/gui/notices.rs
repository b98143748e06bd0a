//! Outcomes the user is told about: saved, refused, imported, failed. One
//! place holds them all. A screen shows its own notice near the action that
//! caused it (`show_here`); a notice no screen showed in a frame (a job
//! that ended after the user moved on) appears in the window's notice bar,
//! so no outcome is lost.

use eframe::egui;

/// How an outcome went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Success,
    Info,
    Warning,
    Error,
}

/// Where an outcome belongs: the screen, or the part of a screen, whose
/// action caused it. One current notice per place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Login,
    Home,
    List,
    File,
    FileForm,
    FileVisits,
    FileAssessment,
    FileRecords,
    VisitPlan,
    Campaigns,
    RecordsReports,
    RecordsServices,
    RecordsAllowances,
    RecordsWishes,
    RecordsCare,
    RecordsWorkforce,
    ExchangeImport,
    ExchangeExport,
    ExchangeCompare,
    ExchangeStats,
    ExchangeBackup,
    Print,
    Plugins,
    Users,
    Password,
    Settings,
    AuditCheck,
    Sweep,
    Upgrade,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub place: Place,
    pub level: Level,
    pub text: String,
    /// The frame in which a screen last showed it where it belongs.
    shown_in: Option<u64>,
}

#[derive(Default)]
pub struct Notices {
    items: Vec<Notice>,
    frame: u64,
}

impl Notices {
    /// Tells the user an outcome; it replaces the place's earlier one.
    pub fn push(&mut self, place: Place, level: Level, text: impl Into<String>) {
        self.items.retain(|n| n.place != place);
        self.items.push(Notice {
            place,
            level,
            text: text.into(),
            // A grace frame: the screen that caused it shows it in this
            // frame or the next, before the notice bar would.
            shown_in: Some(self.frame),
        });
    }

    pub fn success(&mut self, place: Place, text: impl Into<String>) {
        self.push(place, Level::Success, text);
    }

    pub fn error(&mut self, place: Place, text: impl Into<String>) {
        self.push(place, Level::Error, text);
    }

    pub fn clear(&mut self, place: Place) {
        self.items.retain(|n| n.place != place);
    }

    /// Forgets everything (log-out: the next user sees nothing of these).
    pub fn clear_all(&mut self) {
        self.items.clear();
    }

    /// The current notice of a place (tests read outcomes here).
    pub fn get(&self, place: Place) -> Option<&Notice> {
        self.items.iter().find(|n| n.place == place)
    }

    /// The newest notice among several places (a screen with tabs).
    pub fn latest_of(&self, places: &[Place]) -> Option<&str> {
        self.items
            .iter()
            .rev()
            .find(|n| places.contains(&n.place))
            .map(|n| n.text.as_str())
    }

    pub fn text(&self, place: Place) -> Option<&str> {
        self.get(place).map(|n| n.text.as_str())
    }

    /// Draws the place's notice here, with a × to dismiss it.
    pub fn show_here(&mut self, ui: &mut egui::Ui, place: Place) {
        let frame = self.frame;
        let mut dismiss = false;
        if let Some(n) = self.items.iter_mut().find(|n| n.place == place) {
            n.shown_in = Some(frame);
            dismiss = notice_row(ui, n);
        }
        if dismiss {
            self.clear(place);
        }
    }

    /// Not shown where it belongs in this frame or the one before.
    fn unshown(&self, n: &Notice) -> bool {
        n.shown_in.is_none_or(|f| f + 1 < self.frame)
    }

    /// The window's notice bar: what no screen has shown lately (the bar
    /// is laid out before the screens, so it looks at the last frame).
    pub(super) fn show_unshown(&mut self, ui: &mut egui::Ui) {
        let mut dismissed = Vec::new();
        for n in self.items.iter().filter(|n| self.unshown(n)) {
            if notice_row(ui, n) {
                dismissed.push(n.place);
            }
        }
        for place in dismissed {
            self.clear(place);
        }
    }

    /// Whether the notice bar has something to show this frame.
    pub(super) fn has_unshown(&self) -> bool {
        self.items.iter().any(|n| self.unshown(n))
    }

    pub(super) fn next_frame(&mut self) {
        self.frame += 1;
    }
}

/// One notice in its level's colour; returns true when × was pressed.
fn notice_row(ui: &mut egui::Ui, n: &Notice) -> bool {
    let colour = match n.level {
        Level::Success => super::theme::SUCCESS,
        Level::Info => ui.visuals().text_color(),
        Level::Warning => super::theme::WARNING,
        Level::Error => super::theme::ERROR,
    };
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(colour, &n.text);
        ui.small_button("×").clicked()
    })
    .inner
}

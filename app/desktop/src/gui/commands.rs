//! The workstation's command queue. Screens push what should follow from
//! what the user did during the UI pass; [`HutongApp::apply_commands`] runs
//! the queue once the pass is over, so no screen reaches into another's
//! state while drawing, and every editor gets the same follow-up.

use super::HutongApp;
use hutong_core::RowId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// A child's own data was written (基本信息, a province form, a visit,
    /// a relative): what shows the child is read again, and the province
    /// plugin classifies the child again, since its rules read all of it.
    /// This is the one place a write leads to `classify`.
    ChildChanged(RowId),
    /// Something about a child that the plugin's rules do not read was
    /// stored (its classification, an assessment): read it again, without
    /// classifying again.
    ChildReadAgain(RowId),
    /// Open a child's file, on a tab (`None`: 基本信息), from any screen.
    OpenChild(RowId, Option<FileTab>),
}

impl HutongApp {
    /// Queues a command for the end of this frame.
    pub(crate) fn push(&mut self, command: Command) {
        if !self.commands.contains(&command) {
            self.commands.push(command);
        }
    }

    /// Runs the queued commands, in the order they were pushed.
    pub(crate) fn apply_commands(&mut self) {
        for command in std::mem::take(&mut self.commands) {
            match command {
                Command::ChildChanged(child) => {
                    self.child_shown_again(child);
                    super::assessment_tab::classify(self, child);
                }
                Command::ChildReadAgain(child) => self.child_shown_again(child),
                Command::OpenChild(child, tab) => {
                    if self.screen != super::Screen::ChildFile {
                        self.file_origin = self.screen;
                    }
                    super::child_file::open(self, child);
                    if let (Some(file), Some(tab)) = (&mut self.file, tab) {
                        file.tab = tab;
                    }
                    if self.file.as_ref().is_some_and(|f| f.child.id == child) {
                        self.navigate(super::Screen::ChildFile);
                    }
                }
            }
        }
    }

    /// Marks everything that shows `child` to be read again: the open file
    /// (categories, relatives, history; unsaved edits are kept), the list,
    /// 工作台 and the visit plan.
    fn child_shown_again(&mut self, child: RowId) {
        if let (Some(file), Some(session)) = (&mut self.file, &self.session)
            && file.child.id == child
            && let Err(e) = file.read_again(&mut self.store, session)
        {
            self.notices.error(super::notices::Place::File, e);
        }
        if self.assessment_tab.child == Some(child) {
            super::assessment_tab::reload(self, child);
        }
        self.list.dirty = true;
        self.home.fresh = false;
        self.visit_plan.stale = true;
    }
}

/// The tabs of a child's file (`child_file`), named here so any screen
/// can open a file on one without importing that screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileTab {
    Basic,
    ProvinceForms,
    Family,
    Categories,
    Visits,
    /// 评估: run a scale, see the colour trend (drawn by `assessment_tab`).
    Assessments,
    /// 服务与记录: the child's 强制报告, services, allowances, wishes and
    /// counselling (drawn by `records::child_tab`).
    Records,
    History,
}

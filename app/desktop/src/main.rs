//! `hutong`: the county child-welfare workstation.
//!
//! With no subcommand it opens the egui workstation; with one it runs the
//! command line over the same core services.

// On Windows the program is a GUI-subsystem program, so starting it from
// the Start menu opens no console window; a command run from a terminal
// attaches to that terminal's console (below) to print there.
#![cfg_attr(windows, windows_subsystem = "windows")]

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// Prints to the console of the terminal that started us, if any. A
/// GUI-subsystem program has none of its own; when there is no parent
/// console (the Start menu) this does nothing.
#[cfg(windows)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id and changes only which
    // console the process's standard handles refer to; its failure is
    // harmless and ignored.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

fn main() -> ExitCode {
    #[cfg(windows)]
    attach_parent_console();
    // Every file this process creates (the database and its WAL, backups,
    // exports, PDFs, spool files, keys) is owner-only, whichever library
    // writes it (SECURITY §6). Files made earlier are tightened where they
    // are opened (`hutong_core::files`).
    #[cfg(unix)]
    // SAFETY: umask only changes the process's file-creation mask; it has
    // no memory effects and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HUTONG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: the file,
            // row or field, then the cause.
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}

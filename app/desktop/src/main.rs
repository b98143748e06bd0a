//! `hutong`: the county child-welfare workstation.
//!
//! With no subcommand it opens the egui workstation; with one it runs the
//! command line over the same core services.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
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

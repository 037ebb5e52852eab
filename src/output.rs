//! Writing results to stdout: a reader that closes the pipe early (`| head`) ends the
//! output quietly instead of a panic.

use std::io::{ErrorKind, Write};

use miette::{IntoDiagnostic, Report, WrapErr};
use stretchdr_model::escape;

use crate::cli::Outcome;

/// Writes `text` to stdout; a closed pipe is not an error.
pub fn emit(text: &str) -> Result<(), Report> {
    write_stdout(|stdout| stdout.write_all(text.as_bytes()))
}

/// Writes a plain-text report to stdout with every control character but the line breaks
/// shown escaped (`\u{1b}`): names from a design or an engine cannot set the terminal's
/// title, clear the screen or hide text. For reports without colour of their own.
pub fn emit_human(text: &str) -> Result<(), Report> {
    // Written line by line: a report of 20,000 VMs is not copied whole once more.
    write_stdout(|stdout| {
        text.split('\n').enumerate().try_for_each(|(n, line)| {
            if n > 0 {
                stdout.write_all(b"\n")?;
            }
            stdout.write_all(escape::control(line).as_bytes())
        })
    })
}

/// Runs `write` on buffered stdout and flushes it; a closed pipe is not an error.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Report> {
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(e).into_diagnostic().wrap_err("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

/// Colour on stdout: only on a terminal, and never with `NO_COLOR` set (https://no-color.org).
pub fn color_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints each objective's line under `== SLOs` (after a text report; on stderr when stdout
/// is one JSON document) and says whether all were met: `Findings` (exit 1) on a miss.
pub fn emit_slo_lines(json: bool, lines: &[(String, bool)]) -> Result<Outcome, Report> {
    if lines.is_empty() {
        return Ok(Outcome::Clean);
    }
    let mut text = String::from("\n== SLOs\n");
    for (line, _) in lines {
        text.push_str(line);
        text.push('\n');
    }
    if json {
        eprint!("{}", text.trim_start());
    } else {
        emit(&text)?;
    }
    Ok(if lines.iter().all(|(_, met)| *met) {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// Writes a report file (`--html`, `--out`), saying which file could not be written.
pub fn write_file(path: &std::path::Path, content: &str) -> Result<(), Report> {
    std::fs::write(path, content)
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))
}

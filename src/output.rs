//! Writing results to stdout: a reader that closes the pipe early (`| head`) ends the
//! output quietly instead of a panic.

use std::io::{ErrorKind, Write};

use miette::{IntoDiagnostic, Report, WrapErr};

/// Writes `text` to stdout; a closed pipe is not an error.
pub fn emit(text: &str) -> Result<(), Report> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
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

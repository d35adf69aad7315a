//! What a command prints: its output on stdout (a reader that went away ends the command quietly)
//! and errors as `error: …` then `hint: …` on stderr, stripped of control characters.

/// Writes command output (not `mcp serve`'s) to stdout. A reader that went away (`3minapi config
/// list | head`) ends the command quietly: the default SIGPIPE action cannot be used instead, since
/// it would also kill the process when a server closes a socket it is writing to.
pub fn stdout_write(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// `println!` for command output, through [`stdout_write`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::stdout_write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::stdout_write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for command output, through [`stdout_write`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::stdout_write(format_args!($($arg)*))
    };
}

/// `error: …` then `hint: …`, lowercase, control characters stripped.
pub fn print_error(e: &anyhow::Error) {
    let text = format!("{e:#}");
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        eprintln!("error: {}", crate::log::sanitize(first));
    }
    for line in lines {
        eprintln!("{}", crate::log::sanitize(line));
    }
}

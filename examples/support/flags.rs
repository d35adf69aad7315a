//! Command-line flags of the examples: `--name value` or `--name=value` (no clap in the
//! dev-dependencies for two small programs).

pub struct Flags {
    args: std::iter::Skip<std::env::Args>,
    inline: Option<String>,
}

impl Flags {
    pub fn from_env() -> Flags {
        Flags {
            args: std::env::args().skip(1),
            inline: None,
        }
    }

    /// The next flag's name.
    pub fn next_flag(&mut self) -> Option<String> {
        let arg = self.args.next()?;
        match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                self.inline = Some(value.to_owned());
                Some(name.to_owned())
            }
            _ => {
                self.inline = None;
                Some(arg)
            }
        }
    }

    /// The value of the flag just read: after its `=`, or the next argument.
    pub fn value(&mut self, name: &str) -> Result<String, String> {
        self.inline
            .take()
            .or_else(|| self.args.next())
            .ok_or_else(|| format!("{name} needs a value"))
    }
}

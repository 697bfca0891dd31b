//! Backslash meta-commands, as in psql: `\d`, `\d NAME`, `\timing`, `\format`, `\maxrows`,
//! `\?` and `\q`.

use super::error::CliError;
use super::format::{MaxRows, OutputFormat};

/// A parsed meta-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meta {
    /// `\q`: leave the shell (or stop the script).
    Quit,
    /// `\?`: list the meta-commands.
    Help,
    /// `\d`: list the tables and views.
    ListTables,
    /// `\d NAME`: the columns of a table and their types.
    Describe {
        /// The table's name as typed (`t`, `public.t`, `"MixedCase"`).
        name: String,
    },
    /// `\timing [on|off]`: show the time each statement took; without an argument, toggle.
    Timing {
        /// The new setting, or `None` to toggle.
        on: Option<bool>,
    },
    /// `\format [F]`: set the output format, or show it.
    Format {
        /// The new format, or `None` to show the current one.
        format: Option<OutputFormat>,
    },
    /// `\maxrows [N|inf]`: set the table format's row limit, or show it.
    MaxRows {
        /// The new limit, or `None` to show the current one.
        max_rows: Option<MaxRows>,
    },
}

/// The meta-commands, for completion.
pub const COMMANDS: [&str; 7] = [
    "\\d",
    "\\dt",
    "\\timing",
    "\\format",
    "\\maxrows",
    "\\?",
    "\\q",
];

/// What `\?` prints.
pub const HELP: &str = "\
Meta-commands:
  \\d              list tables and views
  \\d NAME         show the columns of a table or view and their types
  \\timing [on|off] show or hide the time each statement takes (toggles without argument)
  \\format [F]     set the output format: table, csv, tsv, json, ndjson (shows it without F)
  \\maxrows [N]    rows shown by the table format: a number or inf (shows it without N)
  \\?              this help
  \\q              quit
SQL statements end with ';' and may span several lines. Ctrl-C at the prompt clears the
line, Ctrl-C while a query runs cancels it, Ctrl-D quits.";

fn usage(message: String) -> CliError {
    CliError::Meta { message }
}

fn no_argument(command: &str, arg: Option<&str>, meta: Meta) -> Result<Meta, CliError> {
    match arg {
        None => Ok(meta),
        Some(a) => Err(usage(format!("{command} takes no argument (got '{a}')"))),
    }
}

/// Parses a meta-command line (starting with `\`). A trailing `;` is ignored.
pub fn parse(line: &str) -> Result<Meta, CliError> {
    let line = line.trim().trim_end_matches(';').trim_end();
    let (command, arg) = match line.split_once(char::is_whitespace) {
        Some((c, a)) => (c, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (line, None),
    };
    match command {
        "\\q" | "\\quit" => no_argument(command, arg, Meta::Quit),
        "\\?" | "\\h" | "\\help" => no_argument(command, arg, Meta::Help),
        "\\dt" => no_argument(command, arg, Meta::ListTables),
        "\\d" => Ok(match arg {
            None => Meta::ListTables,
            Some(name) => Meta::Describe {
                name: name.to_string(),
            },
        }),
        "\\timing" => {
            let on = match arg.map(str::to_ascii_lowercase).as_deref() {
                None => None,
                Some("on") => Some(true),
                Some("off") => Some(false),
                Some(other) => {
                    return Err(usage(format!("\\timing expects on or off, not '{other}'")));
                }
            };
            Ok(Meta::Timing { on })
        }
        "\\format" | "\\pset" => {
            let format = arg.map(str::parse::<OutputFormat>).transpose()?;
            Ok(Meta::Format { format })
        }
        "\\maxrows" => {
            let max_rows = arg.map(str::parse::<MaxRows>).transpose().map_err(usage)?;
            Ok(Meta::MaxRows { max_rows })
        }
        other => Err(usage(format!(
            "unknown command {other}: \\? lists the commands"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        assert_eq!(parse("\\q").ok(), Some(Meta::Quit));
        assert_eq!(parse("  \\d ;").ok(), Some(Meta::ListTables));
        assert_eq!(
            parse("\\d  public.t").ok(),
            Some(Meta::Describe {
                name: "public.t".into()
            })
        );
        assert_eq!(parse("\\timing").ok(), Some(Meta::Timing { on: None }));
        assert_eq!(
            parse("\\timing OFF").ok(),
            Some(Meta::Timing { on: Some(false) })
        );
        assert_eq!(
            parse("\\format json").ok(),
            Some(Meta::Format {
                format: Some(OutputFormat::Json)
            })
        );
        assert_eq!(
            parse("\\maxrows inf").ok(),
            Some(Meta::MaxRows {
                max_rows: Some(MaxRows::Unlimited)
            })
        );
    }

    #[test]
    fn rejects_bad_commands() {
        for bad in [
            "\\x",
            "\\q now",
            "\\format xml",
            "\\maxrows many",
            "\\timing maybe",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let message = parse("\\x").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("unknown command \\x: \\? lists the commands")
        );
    }
}

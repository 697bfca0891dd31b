//! `ember sql`: an interactive SQL shell (the REPL), or the statements of `-c` and `-f` run
//! in the order given, or statements read from standard input when it is not a terminal.
//! Modelled on datafusion-cli, with psql's meta-commands.

mod catalog;
mod complete;
mod error;
mod format;
mod meta;
mod repl;
mod shell;
mod split;

use clap::{ArgMatches, Args};
use ember::{Conf, Context};
use error::CliError;
use format::{MaxRows, OutputFormat};
use shell::{Flow, Settings, Shell};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Rows the table format shows in the REPL unless `--maxrows` says otherwise.
const REPL_MAX_ROWS: usize = 40;

/// The options of `ember sql`.
#[derive(Args, Debug)]
#[command(after_help = "\
Without -c or -f, statements are read from standard input when it is not a terminal, and an \
interactive shell starts when it is (\\? lists its meta-commands). In -c, -f and standard input \
mode the first error is printed as 'Error: <message>' and ends the run with exit code 1.")]
pub struct SqlArgs {
    /// Runs SQL statements (`;`-separated) or one meta-command such as `\d`. Repeatable; -c
    /// and -f run in the order given, in one session.
    #[arg(short = 'c', long = "command", value_name = "SQL")]
    pub command: Vec<String>,
    /// Runs the statements and meta-commands of a file. Repeatable.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// How results are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Prints results only: no row counts, no timing, nothing for DDL.
    #[arg(short, long)]
    pub quiet: bool,
    /// Rows the table format shows: a number or `inf` [default: 40 in the shell, inf with
    /// -c, -f or standard input].
    #[arg(long, value_name = "N|inf")]
    pub maxrows: Option<MaxRows>,
    /// The master URL: `local`, `local[N]`, `local[*]`, `local-cluster[N,C,M]` or
    /// `ember://host:port` [default: local[*], or $EMBER_MASTER].
    #[arg(long, value_name = "URL")]
    pub master: Option<String>,
    /// Memory for SQL execution, such as `2g` or `512m` (sets `ember.sql.memoryLimit`).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<String>,
    /// A file of statements run silently at startup [default: ~/.emberrc, if it exists].
    #[arg(long, value_name = "FILE")]
    pub rc: Option<PathBuf>,
    /// A configuration entry, such as `ember.s3.endpoint=http://127.0.0.1:9000` for the
    /// object stores of `s3://` paths. Repeatable.
    #[arg(long = "conf", value_name = "KEY=VALUE", value_parser = parse_conf)]
    pub conf: Vec<(String, String)>,
}

fn parse_conf(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("invalid --conf '{s}': expected KEY=VALUE")),
    }
}

fn parse_size(s: &str) -> Result<String, String> {
    match ember::conf::parse_bytes(s) {
        Some(_) => Ok(s.trim().to_string()),
        None => Err(format!(
            "invalid size '{s}': expected a size such as 512m or 2g"
        )),
    }
}

/// One `-c` or `-f`, in command-line order.
enum Source {
    Command(String),
    File(PathBuf),
}

/// The `-c` and `-f` arguments in the order they were given (`matches` are those of the `sql`
/// subcommand; without them, all `-c` come first).
fn sources(args: &SqlArgs, matches: Option<&ArgMatches>) -> Vec<Source> {
    let indices = |id: &str, first: usize, n: usize| -> Vec<usize> {
        matches
            .and_then(|m| m.indices_of(id))
            .map_or_else(|| (first..first + n).collect(), Iterator::collect)
    };
    let commands = args.command.iter().cloned().map(Source::Command);
    let files = args.file.iter().cloned().map(Source::File);
    let n = args.command.len();
    let mut ordered: Vec<(usize, Source)> = indices("command", 0, n)
        .into_iter()
        .zip(commands)
        .chain(indices("file", n, args.file.len()).into_iter().zip(files))
        .collect();
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, s)| s).collect()
}

fn read_file(path: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
        path: path.clone(),
        source,
    })
}

/// The rc file to run: the one given (which must exist), else `~/.emberrc` if it exists.
fn rc_file(args: &SqlArgs) -> Result<Option<String>, CliError> {
    match &args.rc {
        Some(path) => read_file(path).map(Some),
        None => {
            let Some(path) = std::env::home_dir().map(|h| h.join(".emberrc")) else {
                return Ok(None);
            };
            if path.is_file() {
                read_file(&path).map(Some)
            } else {
                Ok(None)
            }
        }
    }
}

fn context(args: &SqlArgs, interactive: bool) -> Result<Context, CliError> {
    let mut conf = Conf::new().app_name("ember-sql");
    for (k, v) in &args.conf {
        conf = conf.set(k.as_str(), v);
    }
    if let Some(master) = &args.master {
        conf = conf.master(master);
    }
    if let Some(limit) = &args.memory_limit {
        conf = conf.set("ember.sql.memoryLimit", limit);
    }
    if !interactive {
        // A progress bar would only mix into scripted output.
        conf = conf.set("ember.ui.showConsoleProgress", "false");
    }
    Context::new(conf).map_err(|source| CliError::Context { source })
}

/// An executor of `ember sql --master ...` (this program again, started by the driver) runs
/// the statements the driver runs, in the same order, so its jobs are the driver's: each
/// statement is planned, and run unless it is DDL, as `Shell::run_statement` does. Errors are
/// the driver's to report. Returns when the driver has gone.
fn replay(ctx: &Context) {
    while let Some(step) = ctx.next_program_step() {
        let text = String::from_utf8_lossy(&step);
        if let Ok(frame) = ctx.sql(&text)
            && !frame.is_ddl()
        {
            let _ = frame.collect();
        }
    }
}

fn run(args: &SqlArgs, matches: Option<&ArgMatches>) -> Result<(), CliError> {
    let sources = sources(args, matches);
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let interactive = sources.is_empty() && stdin_is_terminal;
    let rc = rc_file(args)?;
    let ctx = context(args, interactive)?;
    if !ctx.is_driver() {
        replay(&ctx);
        return Ok(());
    }
    let max_rows = args.maxrows.unwrap_or(if interactive {
        MaxRows::Limit(REPL_MAX_ROWS)
    } else {
        MaxRows::Unlimited
    });
    let settings = Settings {
        format: args.format,
        max_rows,
        timing: true,
        quiet: args.quiet,
    };
    let mut shell = Shell::new(ctx, settings);
    if let Some(text) = rc {
        // Silently: settings it changes (\format, \timing) stay, its output goes nowhere.
        shell.settings.quiet = true;
        shell.run_script(&mut std::io::sink(), &text)?;
        shell.settings.quiet = args.quiet;
    }
    if interactive {
        return repl::run(&mut shell);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if sources.is_empty() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|source| CliError::ReadStdin { source })?;
        shell.run_script(&mut out, &text)?;
    }
    for source in sources {
        let text = match source {
            Source::Command(sql) => sql,
            Source::File(path) => read_file(&path)?,
        };
        if shell.run_script(&mut out, &text)? == Flow::Quit {
            break;
        }
    }
    out.flush()?;
    Ok(())
}

/// Runs `ember sql`; `matches` are the `sql` subcommand's, used to keep `-c` and `-f` in
/// command-line order.
pub fn main(args: &SqlArgs, matches: Option<&ArgMatches>) -> ExitCode {
    match run(args, matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

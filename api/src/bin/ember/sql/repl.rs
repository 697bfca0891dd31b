//! The interactive shell: a rustyline prompt with history in `~/.ember_history`, multi-line
//! statements ended by `;`, Tab completion, and Ctrl-C that cancels the running query rather
//! than the shell.

use super::complete::SqlHelper;
use super::error::CliError;
use super::shell::{Flow, Shell};
use ember::Context;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Editor, Helper};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Ctrl-C presses during one query after which the shell gives up on cancelling and exits.
const CTRL_C_TO_EXIT: usize = 3;

/// The history file, `~/.ember_history`, when there is a home directory.
fn history_path() -> Option<PathBuf> {
    std::env::home_dir().map(|home| home.join(".ember_history"))
}

/// Whether a query is running, and how often Ctrl-C was pressed during it.
#[derive(Default)]
struct Running {
    query: AtomicBool,
    interrupts: AtomicUsize,
}

impl Running {
    fn interrupted(&self, ctx: &Context) {
        if !self.query.load(Ordering::SeqCst) {
            return;
        }
        let presses = self.interrupts.fetch_add(1, Ordering::SeqCst) + 1;
        if presses >= CTRL_C_TO_EXIT {
            eprintln!("\nThe query does not stop: exiting.");
            std::process::exit(130);
        }
        eprintln!("\nCancelling the query...");
        ctx.cancel_all_jobs();
    }
}

/// Catches SIGINT for the rest of the process: while a query runs, Ctrl-C cancels its jobs.
/// (At the prompt the terminal is in raw mode and Ctrl-C reaches the line editor instead.)
fn handle_ctrl_c(ctx: Context, running: Arc<Running>) -> Result<(), CliError> {
    let signal_failed = |source| CliError::Signal { source };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(signal_failed)?;
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered here, before the prompt shows, so no early Ctrl-C kills the shell.
        let mut interrupts = runtime
            .block_on(async { signal(SignalKind::interrupt()) })
            .map_err(signal_failed)?;
        std::thread::Builder::new()
            .name("ember-sql-ctrl-c".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while interrupts.recv().await.is_some() {
                        running.interrupted(&ctx);
                    }
                });
            })
            .map_err(signal_failed)?;
    }
    #[cfg(not(unix))]
    {
        std::thread::Builder::new()
            .name("ember-sql-ctrl-c".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while tokio::signal::ctrl_c().await.is_ok() {
                        running.interrupted(&ctx);
                    }
                });
            })
            .map_err(signal_failed)?;
    }
    Ok(())
}

fn editor(ctx: &Context) -> Result<Editor<SqlHelper, DefaultHistory>, CliError> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(SqlHelper::new(ctx.clone())));
    Ok(editor)
}

fn save_history<H: Helper>(editor: &mut Editor<H, DefaultHistory>, path: &Option<PathBuf>) {
    if let Some(path) = path
        && let Err(e) = editor.save_history(path)
    {
        eprintln!(
            "Warning: cannot save the history to {}: {e}",
            path.display()
        );
    }
}

/// Runs the interactive shell until `\q` or Ctrl-D. Errors of statements are printed and the
/// shell goes on; only a failing terminal ends it with an error.
pub fn run(shell: &mut Shell) -> Result<(), CliError> {
    let running = Arc::new(Running::default());
    handle_ctrl_c(shell.context().clone(), Arc::clone(&running))?;
    let mut editor = editor(shell.context())?;
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is the normal first run.
        let _ = editor.load_history(path);
    }
    let stdout = std::io::stdout();
    if !shell.settings.quiet {
        println!(
            "Ember SQL shell {}. Statements end with ';'. \\? for help, \\q to quit.",
            env!("CARGO_PKG_VERSION")
        );
    }
    loop {
        let input = match editor.readline("ember> ") {
            Ok(input) => input,
            // Ctrl-C at the prompt: drop the line and start again.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                save_history(&mut editor, &history);
                return Err(e.into());
            }
        };
        if input.trim().is_empty() {
            continue;
        }
        editor.add_history_entry(input.as_str())?;
        let mut out = stdout.lock();
        let result = if input.trim_start().starts_with('\\') {
            shell.run_meta(&mut out, &input)
        } else {
            running.interrupts.store(0, Ordering::SeqCst);
            running.query.store(true, Ordering::SeqCst);
            let result = shell.run_sql(&mut out, &input, 1);
            running.query.store(false, Ordering::SeqCst);
            result.map(|()| Flow::Continue)
        };
        match result {
            Ok(Flow::Continue) => {}
            Ok(Flow::Quit) => break,
            Err(e) if e.is_broken_pipe() => break,
            Err(e) => {
                let _ = out.flush();
                eprintln!("Error: {e}");
            }
        }
    }
    save_history(&mut editor, &history);
    Ok(())
}

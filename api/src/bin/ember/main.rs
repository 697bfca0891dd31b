//! `ember`: Ember's command line tool. `ember sql` runs SQL, interactively or from `-c` and
//! `-f`; see `ember sql --help`. `ember master` and `ember worker` run a standalone cluster;
//! `ember history` serves the web UI of finished applications.

mod cluster;
mod history;
mod sql;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Ember: a Spark-like in-memory dataflow engine on Arrow.
#[derive(Parser, Debug)]
#[command(name = "ember", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
enum Command {
    /// Runs SQL: an interactive shell, or the statements of -c, -f or standard input.
    Sql(sql::SqlArgs),
    /// Runs a standalone cluster master (drivers connect with --master ember://host:port).
    Master(cluster::MasterArgs),
    /// Runs a worker: offers this host's cores and memory to a master and starts executors.
    Worker(cluster::WorkerArgs),
    /// Serves the web UI of finished applications from their event logs (ember.eventLog.dir).
    History(history::HistoryArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match &cli.command {
        Command::Sql(args) => sql::main(args, matches.subcommand_matches("sql")),
        Command::Master(args) => cluster::master(args),
        Command::Worker(args) => cluster::worker(args),
        Command::History(args) => history::main(args),
    }
}

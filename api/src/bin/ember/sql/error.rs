//! The errors of `ember sql`. Each one's `Display` is the message the user sees after
//! `Error: `.

use datafusion::arrow::error::ArrowError;
use std::io;
use std::path::PathBuf;

/// Everything that can go wrong in `ember sql`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A `-f` file, the `--rc` file or another input file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Standard input could not be read.
    #[error("cannot read standard input: {source}")]
    ReadStdin {
        /// Why.
        source: io::Error,
    },
    /// The context could not start (bad master URL, bad configuration value).
    #[error("{source}")]
    Context {
        /// Ember's error.
        source: ember::Error,
    },
    /// A statement failed: it did not parse, plan or run. The message is Ember's, with the
    /// positions of parse errors made relative to the script the statement came from.
    #[error("{message}")]
    Statement {
        /// The message.
        message: String,
    },
    /// Writing the results failed.
    #[error("cannot write the output: {source}")]
    Output {
        /// Why.
        source: io::Error,
    },
    /// Arrow could not format a result.
    #[error("cannot format the result: {source}")]
    Format {
        /// Arrow's error.
        source: ArrowError,
    },
    /// A meta-command (`\d`, `\format`, ...) was misused.
    #[error("{message}")]
    Meta {
        /// What is wrong and what is expected.
        message: String,
    },
    /// `\d NAME` named a table that does not exist.
    #[error("table {name} not found")]
    UnknownTable {
        /// The name as given.
        name: String,
    },
    /// Looking a table up in the catalog failed.
    #[error("cannot look up table {name}: {message}")]
    Catalog {
        /// The name as given.
        name: String,
        /// DataFusion's message.
        message: String,
    },
    /// The line editor failed.
    #[error("line editor failed: {source}")]
    Readline {
        /// Rustyline's error.
        source: rustyline::error::ReadlineError,
    },
    /// The Ctrl-C handler could not be installed.
    #[error("cannot install the Ctrl-C handler: {source}")]
    Signal {
        /// Why.
        source: io::Error,
    },
}

impl CliError {
    /// True when the error is only that the reader of standard output went away (as with
    /// `ember sql ... | head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        let io = match self {
            CliError::Output { source } => Some(source),
            CliError::Format {
                source: ArrowError::IoError(_, source),
            } => Some(source),
            _ => None,
        };
        io.is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for CliError {
    fn from(source: io::Error) -> Self {
        CliError::Output { source }
    }
}

impl From<ArrowError> for CliError {
    fn from(source: ArrowError) -> Self {
        CliError::Format { source }
    }
}

impl From<rustyline::error::ReadlineError> for CliError {
    fn from(source: rustyline::error::ReadlineError) -> Self {
        CliError::Readline { source }
    }
}

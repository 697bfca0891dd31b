//! The state of one `ember sql` session and how it runs statements, scripts and
//! meta-commands. The REPL, `-c`, `-f`, standard input and the rc file all go through here.

use super::catalog;
use super::error::CliError;
use super::format::{MaxRows, OutputFormat, write_result};
use super::meta::{self, Meta};
use super::split::{self, Statement};
use datafusion::sql::sqlparser::dialect::{Dialect, GenericDialect, dialect_from_str};
use ember::Context;
use std::io::Write;
use std::time::Instant;

/// Whether to go on after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// `\q` was given: stop.
    Quit,
}

/// How results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The output format.
    pub format: OutputFormat,
    /// Rows shown by the table format.
    pub max_rows: MaxRows,
    /// Print `Elapsed N seconds.` after each statement.
    pub timing: bool,
    /// Print results only: no row counts, no timing, nothing for DDL.
    pub quiet: bool,
}

/// One session: a context and the display settings.
pub struct Shell {
    ctx: Context,
    /// How results are shown; meta-commands change it.
    pub settings: Settings,
}

impl Shell {
    /// A session on `ctx`.
    pub fn new(ctx: Context, settings: Settings) -> Self {
        Shell { ctx, settings }
    }

    /// The context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The SQL dialect the session parses with (`datafusion.sql_parser.dialect`).
    pub fn dialect(&self) -> Box<dyn Dialect> {
        session_dialect(&self.ctx)
    }

    /// Runs a script: SQL statements ended by `;` (possibly several per line, or one over
    /// several lines) and meta-command lines, in order, stopping at the first error. The
    /// last statement may lack its `;`. Positions in parse errors are lines and columns of
    /// `text`.
    pub fn run_script(&mut self, out: &mut dyn Write, text: &str) -> Result<Flow, CliError> {
        let mut buffer = String::new();
        let mut buffer_line = 1;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let line_number = index as u64 + 1;
            // A meta-command counts only between statements, not inside one.
            let meta = line.trim_start().starts_with('\\')
                && !split::has_content(&buffer, &*self.dialect());
            if meta {
                buffer.clear();
                if self.run_meta(out, line)? == Flow::Quit {
                    return Ok(Flow::Quit);
                }
                continue;
            }
            if buffer.trim().is_empty() {
                buffer.clear();
                buffer_line = line_number;
            }
            buffer.push_str(line);
            // Only a `;` (or the end of a comment hiding text after one) can complete it.
            if (line.contains(';') || line.contains("*/"))
                && split::is_complete(&buffer, &*self.dialect())
            {
                self.run_sql(out, &buffer, buffer_line)?;
                buffer.clear();
            }
        }
        self.run_sql(out, &buffer, buffer_line)?;
        Ok(Flow::Continue)
    }

    /// Runs every statement of `text`, whose first line is line `first_line` of its script,
    /// stopping at the first error.
    pub fn run_sql(
        &mut self,
        out: &mut dyn Write,
        text: &str,
        first_line: u64,
    ) -> Result<(), CliError> {
        for mut statement in split::split_statements(text, &*self.dialect()) {
            statement.line += first_line - 1;
            self.run_statement(out, &statement)?;
        }
        Ok(())
    }

    /// Runs one statement and prints its result (and, unless quiet, its row count and time).
    pub fn run_statement(
        &mut self,
        out: &mut dyn Write,
        statement: &Statement,
    ) -> Result<(), CliError> {
        let failed = |e: ember::Error| CliError::Statement {
            message: split::relocate(&e.to_string(), statement.line, statement.column),
        };
        let start = Instant::now();
        // In cluster mode the executors run the same statements (see `replay`).
        self.ctx
            .send_program_step(statement.text.clone().into_bytes());
        let frame = self.ctx.sql(&statement.text).map_err(failed)?;
        let Settings {
            format,
            max_rows,
            timing,
            quiet,
        } = self.settings;
        if frame.is_ddl() {
            if !quiet && timing {
                writeln!(
                    out,
                    "Elapsed {:.3} seconds.\n",
                    start.elapsed().as_secs_f64()
                )?;
            }
            out.flush()?;
            return Ok(());
        }
        let batches = frame.collect().map_err(failed)?;
        let elapsed = start.elapsed();
        let schema = batches
            .first()
            .map_or_else(|| frame.schema(), |b| b.schema());
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        let shown = write_result(out, format, schema, &batches, max_rows)?;
        if !quiet {
            if shown < rows {
                writeln!(out, "{rows} row(s) fetched ({shown} shown).")?;
            } else {
                writeln!(out, "{rows} row(s) fetched.")?;
            }
            if timing {
                writeln!(out, "Elapsed {:.3} seconds.", elapsed.as_secs_f64())?;
            }
            writeln!(out)?;
        }
        out.flush()?;
        Ok(())
    }

    /// Runs a meta-command line (`\d`, `\timing`, ...).
    pub fn run_meta(&mut self, out: &mut dyn Write, line: &str) -> Result<Flow, CliError> {
        let session = self.ctx.session();
        match meta::parse(line)? {
            Meta::Quit => return Ok(Flow::Quit),
            Meta::Help => writeln!(out, "{}", meta::HELP)?,
            Meta::ListTables => {
                let listing = catalog::list_tables(session)?;
                self.write_listing(out, listing)?;
            }
            Meta::Describe { name } => {
                let listing = catalog::describe(session, &name)?;
                self.write_listing(out, listing)?;
            }
            Meta::Timing { on } => {
                self.settings.timing = on.unwrap_or(!self.settings.timing);
                if !self.settings.quiet {
                    let state = if self.settings.timing { "on" } else { "off" };
                    writeln!(out, "Timing is {state}.")?;
                }
            }
            Meta::Format { format } => {
                if let Some(format) = format {
                    self.settings.format = format;
                }
                if format.is_none() || !self.settings.quiet {
                    writeln!(out, "Output format is {}.", self.settings.format)?;
                }
            }
            Meta::MaxRows { max_rows } => {
                if let Some(max_rows) = max_rows {
                    self.settings.max_rows = max_rows;
                }
                if max_rows.is_none() || !self.settings.quiet {
                    writeln!(
                        out,
                        "The table format shows at most {} rows.",
                        self.settings.max_rows
                    )?;
                }
            }
        }
        out.flush()?;
        Ok(Flow::Continue)
    }

    fn write_listing(
        &self,
        out: &mut dyn Write,
        listing: datafusion::arrow::record_batch::RecordBatch,
    ) -> Result<(), CliError> {
        let schema = listing.schema();
        write_result(
            out,
            self.settings.format,
            schema,
            &[listing],
            MaxRows::Unlimited,
        )?;
        Ok(())
    }
}

/// The SQL dialect `ctx` parses with (`datafusion.sql_parser.dialect`), generic if unknown.
pub fn session_dialect(ctx: &Context) -> Box<dyn Dialect> {
    let config = ctx.session().copied_config();
    dialect_from_str(config.options().sql_parser.dialect.as_ref())
        .unwrap_or_else(|| Box::new(GenericDialect {}))
}

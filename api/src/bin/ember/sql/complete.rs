//! The REPL's line-editor helper: Tab completion of SQL keywords, table names, column names,
//! meta-commands and formats, and the check that keeps Enter adding lines until a statement
//! ends with `;`.

use super::catalog;
use super::format::OutputFormat;
use super::meta;
use super::shell::session_dialect;
use super::split;
use datafusion::sql::sqlparser::keywords::ALL_KEYWORDS;
use ember::Context;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Helper, Result};
use std::collections::BTreeSet;

/// The helper: completion and validation against a live context.
pub struct SqlHelper {
    ctx: Context,
}

impl SqlHelper {
    /// A helper looking names up in `ctx`'s catalog.
    pub fn new(ctx: Context) -> Self {
        SqlHelper { ctx }
    }

    /// Table names, and column names of every table (or of `table` only).
    fn names(&self, table: Option<&str>) -> (Vec<String>, Vec<String>) {
        let entries = catalog::tables(self.ctx.session());
        let mut columns = BTreeSet::new();
        for entry in &entries {
            if table.is_none_or(|t| entry.name.eq_ignore_ascii_case(t)) {
                for field in entry.provider.schema().fields() {
                    columns.insert(catalog::quote_ident(field.name()));
                }
            }
        }
        let tables = entries.into_iter().map(|e| e.name).collect();
        (tables, columns.into_iter().collect())
    }
}

/// Where the word ending at `pos` starts.
fn word_start(line: &str, pos: usize) -> usize {
    line[..pos]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '\\' | '?')))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

fn pairs<'a>(candidates: impl IntoIterator<Item = &'a str>, prefix: &str) -> Vec<Pair> {
    let lower = prefix.to_lowercase();
    let mut seen = BTreeSet::new();
    candidates
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&lower) && seen.insert(c.to_string()))
        .map(|c| Pair {
            display: c.to_string(),
            replacement: c.to_string(),
        })
        .collect()
}

/// Completion candidates for `line` with the cursor at `pos`: where the replaced word starts,
/// and the candidates. `names(table)` gives table names and column names (of `table` only,
/// when given).
pub fn candidates(
    line: &str,
    pos: usize,
    names: impl Fn(Option<&str>) -> (Vec<String>, Vec<String>),
) -> (usize, Vec<Pair>) {
    let start = word_start(line, pos);
    let word = &line[start..pos];
    let before = line[..start].trim_start();
    if before.is_empty() && word.starts_with('\\') {
        return (start, pairs(meta::COMMANDS, word));
    }
    if before.starts_with('\\') {
        let command = before.split_whitespace().next().unwrap_or_default();
        return match command {
            "\\d" => (start, pairs(names(None).0.iter().map(String::as_str), word)),
            "\\format" => (start, pairs(OutputFormat::NAMES, word)),
            "\\timing" => (start, pairs(["on", "off"], word)),
            "\\maxrows" => (start, pairs(["inf"], word)),
            _ => (start, Vec::new()),
        };
    }
    if let Some((qualifier, column)) = word.rsplit_once('.') {
        let (_, columns) = names(Some(qualifier));
        let at = start + qualifier.len() + 1;
        return (at, pairs(columns.iter().map(String::as_str), column));
    }
    if word.is_empty() {
        return (start, Vec::new());
    }
    let (tables, columns) = names(None);
    let mut found = pairs(tables.iter().chain(&columns).map(String::as_str), word);
    let lowercase = word.chars().all(|c| !c.is_uppercase());
    let keywords: Vec<String> = ALL_KEYWORDS
        .iter()
        .map(|k| {
            if lowercase {
                k.to_lowercase()
            } else {
                k.to_string()
            }
        })
        .collect();
    found.extend(pairs(keywords.iter().map(String::as_str), word));
    (start, found)
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> Result<(usize, Vec<Pair>)> {
        Ok(candidates(line, pos, |table| self.names(table)))
    }
}

impl Validator for SqlHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> Result<ValidationResult> {
        let input = ctx.input();
        let trimmed = input.trim_start();
        let done = trimmed.is_empty()
            || trimmed.starts_with('\\')
            || split::is_complete(input, &*session_dialect(&self.ctx));
        Ok(if done {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Hinter for SqlHelper {
    type Hint = String;
}

impl Highlighter for SqlHelper {}

impl Helper for SqlHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(table: Option<&str>) -> (Vec<String>, Vec<String>) {
        let tables = vec!["sales".to_string(), "staff".to_string()];
        let columns = match table {
            Some("sales") => vec!["amount".to_string()],
            Some(_) => Vec::new(),
            None => vec!["amount".to_string(), "name".to_string()],
        };
        (tables, columns)
    }

    fn complete(line: &str) -> (usize, Vec<String>) {
        let (start, found) = candidates(line, line.len(), names);
        (start, found.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_tables_columns_and_keywords() {
        let (start, found) = complete("SELECT * FROM sa");
        assert_eq!(start, 14);
        assert_eq!(found[0], "sales");
        let (_, found) = complete("SELECT am");
        assert_eq!(found, vec!["amount".to_string()]);
        let (_, found) = complete("SEL");
        assert!(found.contains(&"SELECT".to_string()));
        let (_, found) = complete("sel");
        assert!(found.contains(&"select".to_string()));
        let (start, found) = complete("SELECT sales.a");
        assert_eq!((start, found), (13, vec!["amount".to_string()]));
    }

    #[test]
    fn completes_meta_commands_and_their_arguments() {
        let (_, found) = complete("\\fo");
        assert_eq!(found, vec!["\\format".to_string()]);
        let (_, found) = complete("\\format n");
        assert_eq!(found, vec!["ndjson".to_string()]);
        let (_, found) = complete("\\d st");
        assert_eq!(found, vec!["staff".to_string()]);
    }
}

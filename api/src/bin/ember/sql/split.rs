//! Cutting SQL text into statements at top-level semicolons (never inside string literals,
//! quoted identifiers or comments), telling whether a buffer is a complete statement, and
//! making the positions in parse errors relative to the text a statement came from.
//!
//! The text is cut with sqlparser's tokenizer in the session's dialect; each statement's own
//! text is then handed to `Context::sql`.

use datafusion::sql::sqlparser::dialect::Dialect;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

/// One statement of a script: its text (without the closing `;`) and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, from its first token to the last before its `;`.
    pub text: String,
    /// The line of the script where the statement starts, from 1.
    pub line: u64,
    /// The column (in characters) where the statement starts, from 1.
    pub column: u64,
}

/// Walks a text once, forward, turning the tokenizer's (line, column) locations into byte
/// offsets.
struct Cursor<'a> {
    text: &'a str,
    byte: usize,
    line: u64,
    column: u64,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            byte: 0,
            line: 1,
            column: 1,
        }
    }

    /// The byte offset of `at`, which must not come before the cursor's last answer.
    fn offset_of(&mut self, at: Location) -> usize {
        let mut chars = self.text[self.byte..].chars();
        while (self.line, self.column) < (at.line, at.column) {
            let Some(c) = chars.next() else { break };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

fn tokenize(text: &str, dialect: &dyn Dialect) -> Option<Vec<TokenWithSpan>> {
    Tokenizer::new(dialect, text).tokenize_with_location().ok()
}

fn is_significant(token: &Token) -> bool {
    !matches!(token, Token::Whitespace(_) | Token::EOF)
}

/// Splits `text` into statements. Empty statements (`;;`, comments alone) are dropped. Text
/// the tokenizer rejects (an unterminated string, say) is returned whole as one statement, so
/// that running it reports the error.
pub fn split_statements(text: &str, dialect: &dyn Dialect) -> Vec<Statement> {
    let Some(tokens) = tokenize(text, dialect) else {
        return whole(text);
    };
    let mut cursor = Cursor::new(text);
    let mut statements = Vec::new();
    let mut start: Option<(usize, Location)> = None;
    for token in &tokens {
        if token.token == Token::SemiColon {
            let end = cursor.offset_of(token.span.start);
            if let Some((begin, at)) = start.take() {
                statements.push(statement(&text[begin..end], at));
            }
        } else if is_significant(&token.token) && start.is_none() {
            start = Some((cursor.offset_of(token.span.start), token.span.start));
        }
    }
    if let Some((begin, at)) = start {
        statements.push(statement(&text[begin..], at));
    }
    statements
}

fn statement(text: &str, at: Location) -> Statement {
    Statement {
        text: text.trim_end().to_string(),
        line: at.line,
        column: at.column,
    }
}

fn whole(text: &str) -> Vec<Statement> {
    let mut line = 1;
    let mut column = 1;
    for c in text.chars().take_while(|c| c.is_whitespace()) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    vec![Statement {
        text: trimmed.trim_end_matches(';').trim_end().to_string(),
        line,
        column,
    }]
}

/// True when `text` ends a statement: its last token (comments aside) is a `;`. Text that
/// stops inside a string literal, quoted identifier or comment is not complete; text the
/// tokenizer rejects for another reason is, so that running it reports the error.
pub fn is_complete(text: &str, dialect: &dyn Dialect) -> bool {
    match Tokenizer::new(dialect, text).tokenize_with_location() {
        Ok(tokens) => tokens
            .iter()
            .rev()
            .find(|t| is_significant(&t.token))
            .is_some_and(|t| t.token == Token::SemiColon),
        Err(e) => {
            let m = e.message;
            !(m.contains("Unterminated") || m.contains("EOF"))
        }
    }
}

/// True when `text` holds anything but whitespace, comments and semicolons.
pub fn has_content(text: &str, dialect: &dyn Dialect) -> bool {
    if text.trim().is_empty() {
        return false;
    }
    match tokenize(text, dialect) {
        Some(tokens) => tokens
            .iter()
            .any(|t| is_significant(&t.token) && t.token != Token::SemiColon),
        None => true,
    }
}

/// Rewrites every `Line: X, Column: Y` of a parse error's `message` about a statement that
/// starts at (`line`, `column`) of a script, so that it names the position in the script.
pub fn relocate(message: &str, line: u64, column: u64) -> String {
    const LINE: &str = "Line: ";
    const COLUMN: &str = ", Column: ";
    if line <= 1 && column <= 1 {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(LINE) {
        let after = &rest[i + LINE.len()..];
        let Some((x, after_x)) = leading_number(after) else {
            out.push_str(&rest[..i + LINE.len()]);
            rest = after;
            continue;
        };
        let Some((y, tail)) = after_x.strip_prefix(COLUMN).and_then(leading_number) else {
            out.push_str(&rest[..i + LINE.len()]);
            rest = after;
            continue;
        };
        let (new_x, new_y) = if x == 1 {
            (line, y + column - 1)
        } else {
            (x + line - 1, y)
        };
        out.push_str(&rest[..i]);
        out.push_str(&format!("{LINE}{new_x}{COLUMN}{new_y}"));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The number at the start of `s` and what follows it.
fn leading_number(s: &str) -> Option<(u64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n = s[..digits].parse().ok()?;
    Some((n, &s[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::GenericDialect;

    fn texts(sql: &str) -> Vec<(String, u64, u64)> {
        split_statements(sql, &GenericDialect {})
            .into_iter()
            .map(|s| (s.text, s.line, s.column))
            .collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "SELECT 'a;b' AS x; -- c;\n  SELECT \"q;\" FROM t /* ; */;\n;\nSELECT 3";
        assert_eq!(
            texts(sql),
            vec![
                ("SELECT 'a;b' AS x".to_string(), 1, 1),
                ("SELECT \"q;\" FROM t /* ; */".to_string(), 2, 3),
                ("SELECT 3".to_string(), 4, 1),
            ]
        );
    }

    #[test]
    fn comments_and_empty_statements_are_dropped() {
        assert!(texts("-- nothing\n;;  /* x */ ;").is_empty());
        assert!(texts("   \n").is_empty());
    }

    #[test]
    fn unicode_before_a_statement_keeps_offsets_right() {
        assert_eq!(
            texts("SELECT 'é✓';SELECT 2;"),
            vec![
                ("SELECT 'é✓'".to_string(), 1, 1),
                ("SELECT 2".to_string(), 1, 13),
            ]
        );
    }

    #[test]
    fn untokenizable_text_is_one_statement() {
        assert_eq!(
            texts("\n  SELECT 'open;"),
            vec![("SELECT 'open".to_string(), 2, 3)]
        );
    }

    #[test]
    fn completeness() {
        let d = GenericDialect {};
        assert!(is_complete("SELECT 1;", &d));
        assert!(is_complete("SELECT 1; -- done", &d));
        assert!(!is_complete("SELECT 1", &d));
        assert!(!is_complete("SELECT ';", &d));
        assert!(!is_complete("SELECT 1; /* open", &d));
        assert!(!is_complete("", &d));
        assert!(has_content("-- c\nSELECT", &d));
        assert!(!has_content("-- c\n ; /* x */", &d));
    }

    #[test]
    fn relocates_positions() {
        let m = "Expected: x, found: y at Line: 1, Column: 8";
        assert_eq!(relocate(m, 1, 1), m);
        assert_eq!(
            relocate(m, 3, 5),
            "Expected: x, found: y at Line: 3, Column: 12"
        );
        assert_eq!(
            relocate("at Line: 2, Column: 4 and Line: x", 3, 5),
            "at Line: 4, Column: 4 and Line: x"
        );
    }
}

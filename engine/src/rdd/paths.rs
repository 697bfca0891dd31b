//! Resolving the path strings of file sources into files, as Hadoop's `FileInputFormat` does
//! (see [`resolve_paths`]).

use crate::error::{EngineError, Result};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// Whether a file or directory name is hidden from file sources (starts with `_` or `.`).
pub fn is_hidden_name(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_hidden_name)
}

/// The files a path string names.
///
/// A path string is one or more paths separated by commas (commas inside `{..}` belong to the
/// braces), each optionally prefixed with `file://`. Each path is a file, a directory (its
/// visible files, not recursively) or a glob: `*` (any characters within one path component),
/// `?` (one character), `[abc]`, `[a-z]`, `[^a]` / `[!a]` (character classes), `{a,b}`
/// (alternatives, which may nest) and `**` as a whole component (any number of directories,
/// zero included; a trailing `/**` means everything below). A directory a glob matches stands
/// for its visible files. Hidden files, whose names start with `_` or `.` (`_SUCCESS`,
/// `.part-00000.crc`), are skipped in directories and in what a glob's wildcards match.
///
/// Files come in the order of the paths, each path's files sorted and each once. A path or
/// pattern that matches nothing is an [`EngineError::PathNotFound`] naming it; an existing
/// empty directory gives no files.
pub fn resolve_paths(spec: &str) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let parts = split_paths(spec)?;
    for raw in parts {
        let path = raw.strip_prefix("file://").unwrap_or(raw);
        let mut found = BTreeSet::new();
        let mut matched = false;
        for alt in expand_braces(path).map_err(|m| bad_glob(raw, &m))? {
            matched |= resolve_one(raw, &alt, &mut found)?;
        }
        if !matched {
            return Err(EngineError::PathNotFound {
                path: raw.to_string(),
            });
        }
        out.extend(found);
    }
    Ok(out)
}

fn bad_glob(raw: &str, message: &str) -> EngineError {
    EngineError::invalid("file source", format!("bad glob {raw}: {message}"))
}

/// Adds the files `path` (free of braces) names to `found`; whether it matched anything.
fn resolve_one(raw: &str, path: &str, found: &mut BTreeSet<PathBuf>) -> Result<bool> {
    if !path.contains(['*', '?', '[']) {
        let p = PathBuf::from(path);
        if p.is_dir() {
            found.extend(list_dir(&p)?);
        } else if p.exists() {
            found.insert(p);
        } else {
            return Ok(false);
        }
        return Ok(true);
    }
    let mut pattern = path.replace("[^", "[!");
    if pattern == "**" || pattern.ends_with("/**") {
        // A trailing `**` means everything below: the `glob` crate would match directories only.
        pattern.push_str("/*");
    }
    // Components up to the first one with a wildcard are literal: hidden names there were
    // asked for by name and are kept.
    let literal = Path::new(&pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .count();
    let entries = glob::glob(&pattern).map_err(|e| bad_glob(raw, e.msg))?;
    let mut matched = false;
    for entry in entries {
        let p = entry.map_err(|e| EngineError::io(raw, e.error()))?;
        let hidden = p.components().skip(literal).any(|c| match c {
            Component::Normal(name) => name.to_str().is_some_and(is_hidden_name),
            _ => false,
        });
        if hidden {
            continue;
        }
        matched = true;
        if p.is_dir() {
            found.extend(list_dir(&p)?);
        } else {
            found.insert(p);
        }
    }
    Ok(matched)
}

/// The visible files directly in `dir`, sorted.
fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| EngineError::io(dir.display(), &e))?;
    let mut files = Vec::new();
    for entry in rd {
        let p = entry
            .map_err(|e| EngineError::io(dir.display(), &e))?
            .path();
        if p.is_file() && !is_hidden(&p) {
            files.push(p);
        }
    }
    files.sort();
    Ok(files)
}

/// Splits a path string at the commas outside braces, trimming each piece and dropping empty
/// ones. Unbalanced braces are an error naming the string, and so is a string with no path.
pub(crate) fn split_paths(spec: &str) -> Result<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in spec.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(bad_glob(spec, "unclosed '{'"));
    }
    parts.push(&spec[start..]);
    let parts: Vec<&str> = parts
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(EngineError::PathNotFound {
            path: spec.to_string(),
        });
    }
    Ok(parts)
}

/// Expands the first `{..}` group of `pattern` into its alternatives, recursively, so the
/// result is free of braces: `a{b,c{d,e}}f` gives `abf`, `acdf`, `acef`.
pub(crate) fn expand_braces(pattern: &str) -> std::result::Result<Vec<String>, String> {
    let Some(open) = pattern.find('{') else {
        return Ok(vec![pattern.to_string()]);
    };
    let mut depth = 0usize;
    let mut alternatives = Vec::new();
    let mut alt_start = open + 1;
    let mut close = None;
    for (i, c) in pattern[open..].char_indices().map(|(i, c)| (i + open, c)) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    alternatives.push(&pattern[alt_start..i]);
                    close = Some(i);
                    break;
                }
            }
            ',' if depth == 1 => {
                alternatives.push(&pattern[alt_start..i]);
                alt_start = i + 1;
            }
            _ => {}
        }
    }
    let close = close.ok_or_else(|| "unclosed '{'".to_string())?;
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let mut out = Vec::new();
    for alt in alternatives {
        out.extend(expand_braces(&format!("{head}{alt}{tail}"))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_in_order_and_nest() {
        assert_eq!(
            expand_braces("a{b,c{d,e}}f").unwrap(),
            ["abf", "acdf", "acef"]
        );
        assert_eq!(
            expand_braces("{x,y}/{1,2}").unwrap(),
            ["x/1", "x/2", "y/1", "y/2"]
        );
        assert_eq!(expand_braces("plain").unwrap(), ["plain"]);
        assert_eq!(expand_braces("{,s}").unwrap(), ["", "s"]);
        assert!(expand_braces("a{b,c").is_err());
    }

    #[test]
    fn commas_inside_braces_do_not_split_paths() {
        assert_eq!(split_paths("a, b{1,2} ,,c").unwrap(), ["a", "b{1,2}", "c"]);
        assert!(
            split_paths("a{1,2")
                .unwrap_err()
                .to_string()
                .contains("a{1,2")
        );
    }
}

//! Glob forms of the file sources' paths: `*`, `?`, `[..]`, `{a,b}`, `**`, matched
//! directories, comma-separated lists, hidden files, and patterns that match nothing.

use crate::common::{ctx, sorted, strings};
use std::path::Path;

/// A tree whose every visible file holds one line, its own name:
///
/// ```text
/// a1.txt a2.txt b1.txt c.log _SUCCESS .a1.txt.crc _tmp.txt
/// x/y1.txt x/z/deep.txt x/z/_hidden/h.txt _temporary/t.txt .git/g.txt
/// ```
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["x/z/_hidden", "_temporary", ".git"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    for (file, line) in [
        ("a1.txt", "a1"),
        ("a2.txt", "a2"),
        ("b1.txt", "b1"),
        ("c.log", "c"),
        ("_SUCCESS", "hidden"),
        (".a1.txt.crc", "hidden"),
        ("_tmp.txt", "hidden"),
        ("x/y1.txt", "y1"),
        ("x/z/deep.txt", "deep"),
        ("x/z/_hidden/h.txt", "hidden"),
        ("_temporary/t.txt", "hidden"),
        (".git/g.txt", "hidden"),
    ] {
        std::fs::write(d.join(file), format!("{line}\n")).unwrap();
    }
    dir
}

/// The lines `text_file` reads from `pattern` (relative to `d`), sorted.
fn lines(d: &Path, pattern: &str) -> Vec<String> {
    let spec: Vec<String> = pattern
        .split(';')
        .map(|p| format!("{}/{p}", d.display()))
        .collect();
    let rdd = ctx().text_file(&spec.join(","), 1).unwrap();
    sorted(rdd.collect().unwrap())
}

#[test]
fn star_question_mark_and_character_classes() {
    let dir = tree();
    let d = dir.path();
    assert_eq!(lines(d, "a*.txt"), strings(&["a1", "a2"]));
    assert_eq!(lines(d, "*.txt"), strings(&["a1", "a2", "b1"]));
    assert_eq!(lines(d, "?1.txt"), strings(&["a1", "b1"]));
    assert_eq!(lines(d, "[ab]1.txt"), strings(&["a1", "b1"]));
    assert_eq!(lines(d, "[a-b]2.txt"), strings(&["a2"]));
    assert_eq!(lines(d, "a[!1].txt"), strings(&["a2"]));
    assert_eq!(lines(d, "a[^1].txt"), strings(&["a2"]));
    // A wildcard in a directory component.
    assert_eq!(lines(d, "*/z/*.txt"), strings(&["deep"]));
}

#[test]
fn brace_alternatives() {
    let dir = tree();
    let d = dir.path();
    assert_eq!(lines(d, "{a1,c}.*"), strings(&["a1", "c"]));
    assert_eq!(lines(d, "{a?,b1}.txt"), strings(&["a1", "a2", "b1"]));
    // Nested, and an alternative that matches nothing is fine when another matches.
    assert_eq!(lines(d, "{b{1,9},x/{y1,nope}}.txt"), strings(&["b1", "y1"]));
    // Commas inside braces do not separate paths; commas outside them do.
    assert_eq!(lines(d, "{a1,b1}.txt;c.log"), strings(&["a1", "b1", "c"]));
    // Directory alternatives.
    assert_eq!(lines(d, "{x,x/z}"), strings(&["deep", "y1"]));
}

#[test]
fn double_star_matches_any_depth_and_skips_hidden_entries() {
    let dir = tree();
    let d = dir.path();
    // Zero directories deep included; `_temporary`, `.git`, `_hidden` and `_tmp.txt` skipped.
    assert_eq!(
        lines(d, "**/*.txt"),
        strings(&["a1", "a2", "b1", "deep", "y1"])
    );
    assert_eq!(lines(d, "x/**/*.txt"), strings(&["deep", "y1"]));
    // Every directory `**` reaches stands for its visible files, each read once.
    assert_eq!(
        lines(d, "x/**"),
        strings(&["deep", "y1"]),
        "x, x/y1.txt, x/z, x/z/deep.txt all matched; no line twice"
    );
}

#[test]
fn directories_lists_and_matched_directories() {
    let dir = tree();
    let d = dir.path();
    // A directory: its visible files, not its subdirectories' files.
    assert_eq!(lines(d, "."), strings(&["a1", "a2", "b1", "c"]));
    // `*` matches the directory `x` too, which stands for its files.
    assert_eq!(lines(d, "*"), strings(&["a1", "a2", "b1", "c", "y1"]));
    assert_eq!(lines(d, "x;b1.txt;x/z"), strings(&["b1", "deep", "y1"]));
    // The same file twice in a list is read twice, as in Spark.
    assert_eq!(lines(d, "c.log;c.log"), strings(&["c", "c"]));
}

#[test]
fn whole_text_and_binary_files_take_the_same_globs() {
    let dir = tree();
    let d = dir.path();
    let abs = std::path::absolute(d).unwrap();
    let ctx = ctx();
    let pattern = format!("{}/{{a?,x/**/d*}}.txt", d.display());
    let whole = ctx.whole_text_files(&pattern, 1).unwrap();
    assert_eq!(
        whole.collect().unwrap(),
        vec![
            (format!("file:{}/a1.txt", abs.display()), "a1\n".to_string()),
            (format!("file:{}/a2.txt", abs.display()), "a2\n".to_string()),
            (
                format!("file:{}/x/z/deep.txt", abs.display()),
                "deep\n".to_string()
            ),
        ]
    );
    let binary = ctx.binary_files(&pattern, 2).unwrap();
    assert_eq!(binary.num_partitions(), 2);
    assert_eq!(binary.count().unwrap(), 3);
}

#[test]
fn patterns_matching_nothing_are_errors_naming_them() {
    let dir = tree();
    let d = dir.path();
    let ctx = ctx();
    for pattern in ["*.csv", "{p,q}.txt", "**/*.csv", "[xyz]9.txt", "_*"] {
        let full = format!("{}/{pattern}", d.display());
        let err = ctx.text_file(&full, 1).err().unwrap();
        assert!(
            matches!(
                err,
                ember::Error::Engine(ember::EngineError::PathNotFound { .. })
            ),
            "{pattern}: {err}"
        );
        assert!(err.to_string().contains(&full), "{err}");
        let Err(err) = ctx.whole_text_files(&full, 1) else {
            panic!("{pattern} matches nothing")
        };
        assert!(err.to_string().contains(&full), "{err}");
    }
    // An unclosed brace is a bad pattern, named.
    let bad = format!("{}/{{a1,b1.txt", d.display());
    let err = ctx.text_file(&bad, 1).err().unwrap();
    assert!(err.to_string().contains(&bad), "{err}");
    // An existing empty directory is no error: no lines.
    std::fs::create_dir(d.join("empty")).unwrap();
    let empty = ctx.text_file(d.join("empty").to_str().unwrap(), 1).unwrap();
    assert_eq!(empty.count().unwrap(), 0);
}

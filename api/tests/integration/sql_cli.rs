//! End-to-end tests of the `ember sql` command: the built binary is run with `-c`, `-f`,
//! standard input and the output formats, and its exact output and exit code are checked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run printed, and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A scratch directory: the home directory of the runs (so no `~/.emberrc` or history of the
/// user's is read or written) and the place of the data files.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `contents` to the file `name` and returns its path.
    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("file written");
        path
    }

    /// A CSV file `people.csv` with a header and three rows, and the DDL that makes it table
    /// `people`.
    fn people(&self) -> String {
        let path = self.file("people.csv", "id,name\n1,ann\n2,bob\n3,cy\n");
        create_table("people", &path)
    }

    /// Runs `ember sql ARGS` with `stdin` as standard input.
    fn run(&self, args: &[&str], stdin: &str) -> Run {
        self.run_on("local[2]", args, stdin)
    }

    /// Runs `ember sql --master MASTER ARGS` with `stdin` as standard input.
    fn run_on(&self, master: &str, args: &[&str], stdin: &str) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ember"))
            .arg("sql")
            .args(["--master", master])
            .args(args)
            .env("HOME", self.dir.path())
            .env_remove("EMBER_MASTER")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ember starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin written");
        let output = child.wait_with_output().expect("ember ends");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }

    /// Runs `ember sql ARGS`, which must succeed, and returns its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args, "");
        assert_eq!(
            run.code,
            Some(0),
            "ember sql {args:?} failed: {}",
            run.stderr
        );
        run.stdout
    }
}

fn create_table(name: &str, path: &Path) -> String {
    format!(
        "CREATE EXTERNAL TABLE {name} STORED AS CSV LOCATION '{}' \
         OPTIONS ('format.has_header' 'true')",
        path.display()
    )
}

#[test]
fn csv_of_a_constant() {
    let s = Scratch::new();
    assert_eq!(
        s.ok(&["-q", "--format", "csv", "-c", "SELECT 1 AS a"]),
        "a\n1\n"
    );
}

#[test]
fn ddl_prints_nothing_in_quiet_mode() {
    let s = Scratch::new();
    let ddl = s.people();
    let out = s.ok(&[
        "-q",
        "--format",
        "csv",
        "-c",
        &ddl,
        "-c",
        "SELECT * FROM people ORDER BY id",
    ]);
    assert_eq!(out, "id,name\n1,ann\n2,bob\n3,cy\n");
}

#[test]
fn tsv_json_and_ndjson() {
    let s = Scratch::new();
    let ddl = s.people();
    let query = "SELECT id, name FROM people WHERE id < 3 ORDER BY id";
    let run = |format: &str| s.ok(&["-q", "--format", format, "-c", &ddl, "-c", query]);
    assert_eq!(run("tsv"), "id\tname\n1\tann\n2\tbob\n");
    assert_eq!(
        run("json"),
        "[{\"id\":1,\"name\":\"ann\"},{\"id\":2,\"name\":\"bob\"}]\n"
    );
    assert_eq!(
        run("ndjson"),
        "{\"id\":1,\"name\":\"ann\"}\n{\"id\":2,\"name\":\"bob\"}\n"
    );
}

#[test]
fn commands_and_files_run_in_command_line_order() {
    let s = Scratch::new();
    let ddl = s.people();
    // Two statements, one over two lines, and a semicolon inside a string literal.
    let script = s.file(
        "two.sql",
        &format!("{ddl};\nSELECT name || ';' AS n\n  FROM people WHERE id = 2;\n"),
    );
    let script = script.to_str().expect("utf-8 path");
    let out = s.ok(&[
        "-q",
        "--format",
        "csv",
        "-c",
        "SELECT 'first' AS x",
        "-f",
        script,
        "-c",
        "SELECT 'last' AS y; SELECT 2 + 2 AS z",
    ]);
    assert_eq!(out, "x\nfirst\nn\nbob;\ny\nlast\nz\n4\n");
}

#[test]
fn table_format_with_counts_timing_and_row_limit() {
    let s = Scratch::new();
    let ddl = s.people();
    let out = s.ok(&[
        "--maxrows",
        "2",
        "-c",
        &ddl,
        "-c",
        "SELECT id FROM people ORDER BY id",
    ]);
    let expected_table = "+----+\n| id |\n+----+\n| 1  |\n| 2  |\n+----+\n";
    assert!(out.contains(expected_table), "{out}");
    assert!(out.contains("3 row(s) fetched (2 shown).\n"), "{out}");
    assert!(out.contains("Elapsed "), "{out}");
    assert!(!out.contains("| 3  |"), "{out}");

    let quiet = s.ok(&["-q", "-c", "SELECT 7 AS n"]);
    assert_eq!(quiet, "+---+\n| n |\n+---+\n| 7 |\n+---+\n");
}

#[test]
fn a_parse_error_names_its_position_and_stops_the_run() {
    let s = Scratch::new();
    let run = s.run(
        &[
            "-q",
            "--format",
            "csv",
            "-c",
            "SELECT 1 AS a",
            "-c",
            "SELEC 2",
            "-c",
            "SELECT 3 AS c",
        ],
        "",
    );
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "a\n1\n");
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert!(run.stderr.contains("Line: 1, Column: 1"), "{}", run.stderr);

    // In a file, the position is the file's line and column.
    let script = s.file(
        "bad.sql",
        "SELECT 1 AS a;\n\n  SELECT (2 AS b;\nSELECT 3;\n",
    );
    let run = s.run(&["-q", "-f", script.to_str().expect("utf-8 path")], "");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("Line: 3, Column: 13"), "{}", run.stderr);
    assert_eq!(run.stdout, "+---+\n| a |\n+---+\n| 1 |\n+---+\n");
}

#[test]
fn a_missing_file_is_named() {
    let s = Scratch::new();
    let missing = s.path("nowhere.sql");
    let missing = missing.to_str().expect("utf-8 path");
    let run = s.run(&["-q", "-c", "SELECT 1", "-f", missing], "");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert!(run.stderr.contains(missing), "{}", run.stderr);

    let run = s.run(&["--rc", missing, "-c", "SELECT 1"], "");
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains(missing), "{}", run.stderr);
}

#[test]
fn meta_commands_from_standard_input() {
    let s = Scratch::new();
    let ddl = s.people();
    let stdin = format!("{ddl};\n\\d\n\\d people\nSELECT count(*) AS n\nFROM people;\n");
    let run = s.run(&["-q", "--format", "csv"], &stdin);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "schema,name,type\npublic,people,table\n\
         column,type,nullable\nid,Int64,YES\nname,Utf8,YES\n\
         n\n3\n"
    );

    let run = s.run(&["-q"], "\\d nobody\n");
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stderr, "Error: table nobody not found\n");
}

#[test]
fn rc_file_runs_silently_first_and_quit_stops() {
    let s = Scratch::new();
    s.file(
        ".emberrc",
        "CREATE VIEW answer AS SELECT 42 AS n;\nSELECT 'noise';\n",
    );
    let script = s.file(
        "quit.sql",
        "SELECT n FROM answer;\n\\q\nSELECT 'never' AS x;\n",
    );
    let out = s.ok(&[
        "-q",
        "--format",
        "csv",
        "-f",
        script.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out, "n\n42\n");
}

#[test]
fn statements_on_a_local_cluster_give_the_local_answers() {
    let s = Scratch::new();
    let rows: String = (0..3000).map(|i| format!("{},{i}\n", i % 7)).collect();
    let path = s.file("t.csv", &format!("k,v\n{rows}"));
    let script = [
        "-q",
        "--format",
        "csv",
        "-c",
        &format!("{};", create_table("t", &path)),
        "-c",
        "SELECT a.k, count(*) AS n, sum(b.v) AS s FROM t a \
         JOIN (SELECT k, v FROM t WHERE v < 50) b ON a.k = b.k GROUP BY a.k ORDER BY a.k;",
    ];
    let local = s.ok(&script);
    // Hand-computed: each key k has 429 (k < 4: 429, else 428) rows of t, joined with the
    // rows of v < 50 with that key.
    let expected: String = (0..7)
        .map(|k| {
            let n_all = (0..3000).filter(|i| i % 7 == k).count();
            let small: Vec<usize> = (0..50).filter(|i| i % 7 == k).collect();
            let sum: usize = small.iter().sum::<usize>() * n_all;
            format!("{k},{},{sum}\n", n_all * small.len())
        })
        .collect();
    assert_eq!(local, format!("k,n,s\n{expected}"));
    let run = s.run_on("local-cluster[2,1,512]", &script, "");
    assert_eq!(
        run.code,
        Some(0),
        "ember sql on a cluster failed: {}",
        run.stderr
    );
    assert_eq!(run.stdout, local);
}

//! Configuration: the master URL, the application name and `ember.*` keys, in Spark's spirit.
//!
//! | key | default | meaning |
//! | --- | --- | --- |
//! | `ember.default.parallelism` | cores of the master | partitions of `parallelize` and of shuffles when no parent says otherwise |
//! | `ember.task.maxFailures` | 4 | attempts of a task before its job fails |
//! | `ember.memory.storage` | 2g | memory for cached blocks |
//! | `ember.memory.shuffle` | 1g | memory for shuffle blocks before they spill |
//! | `ember.local.dir` | a fresh temporary directory | where spilled blocks and shuffle files go |
//! | `ember.files.maxPartitionBytes` | 128m | largest split of a text file |
//! | `ember.files.openCostInBytes` | 4m | smallest split of a DataFrame read |
//! | `ember.ui.showConsoleProgress` | true | the progress bar on a terminal |

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Where jobs run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Master {
    /// In this process with this many task threads (`local`, `local[N]`, `local[*]`).
    Local {
        /// Task threads.
        threads: usize,
    },
}

impl Master {
    /// Parses a master URL: `local` (1 thread), `local[N]`, `local[*]` (all cores).
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |message: &str| Error::Conf {
            key: "master".into(),
            value: url.into(),
            message: message.into(),
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        match url.trim() {
            "local" => Ok(Master::Local { threads: 1 }),
            "local[*]" => Ok(Master::Local { threads: cores }),
            u if u.starts_with("local[") && u.ends_with(']') => {
                let n: usize = u["local[".len()..u.len() - 1]
                    .parse()
                    .map_err(|_| bad("expected local[N] with N a positive number, or local[*]"))?;
                if n == 0 {
                    return Err(bad("local[N] needs N >= 1"));
                }
                Ok(Master::Local { threads: n })
            }
            u if u.starts_with("ember://") => Err(bad(
                "cluster mode (ember://host:port) is not available in this build yet; use local[N]",
            )),
            _ => Err(bad("expected local, local[N] or local[*]")),
        }
    }

    /// Task slots the master offers.
    pub fn slots(&self) -> usize {
        match self {
            Master::Local { threads } => *threads,
        }
    }
}

/// Configuration of a [`crate::Context`]. A builder: every setter returns the conf.
#[derive(Clone, Debug)]
pub struct Conf {
    master: String,
    app_name: String,
    settings: BTreeMap<String, String>,
}

impl Default for Conf {
    fn default() -> Self {
        Conf::new()
    }
}

/// Parses sizes like `512m`, `2g`, `1024k`, `100` (bytes).
pub fn parse_bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mult) = match t.char_indices().last()? {
        (i, 'k') => (&t[..i], 1u64 << 10),
        (i, 'm') => (&t[..i], 1 << 20),
        (i, 'g') => (&t[..i], 1 << 30),
        (i, 't') => (&t[..i], 1 << 40),
        _ => (t, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mult)
}

impl Conf {
    /// Defaults: master `local[*]`, app name `ember`. Keys set in the environment as
    /// `EMBER_MASTER` override the default master.
    pub fn new() -> Self {
        Conf {
            master: std::env::var("EMBER_MASTER").unwrap_or_else(|_| "local[*]".to_string()),
            app_name: "ember".to_string(),
            settings: BTreeMap::new(),
        }
    }
    /// Sets the master URL.
    pub fn master(mut self, url: impl Into<String>) -> Self {
        self.master = url.into();
        self
    }
    /// Sets the application name.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = name.into();
        self
    }
    /// Sets a key.
    pub fn set(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.settings.insert(key.into(), value.to_string());
        self
    }
    /// The master URL.
    pub fn get_master(&self) -> &str {
        &self.master
    }
    /// The application name.
    pub fn get_app_name(&self) -> &str {
        &self.app_name
    }
    /// A key's value, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }
    /// Every key set.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.settings.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn invalid(key: &str, value: &str, message: &str) -> Error {
        Error::Conf {
            key: key.into(),
            value: value.into(),
            message: message.into(),
        }
    }

    /// A positive integer key, or `default`.
    pub fn get_usize(&self, key: &str, default: usize) -> Result<usize> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| Self::invalid(key, v, "expected a positive integer")),
        }
    }
    /// A byte-size key (`512m`, `2g`), or `default`.
    pub fn get_bytes(&self, key: &str, default: u64) -> Result<u64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => parse_bytes(v)
                .ok_or_else(|| Self::invalid(key, v, "expected a size such as 512m or 2g")),
        }
    }
    /// A boolean key, or `default`.
    pub fn get_bool(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(Self::invalid(key, v, "expected true or false")),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masters_and_sizes() {
        assert_eq!(Master::parse("local").unwrap().slots(), 1);
        assert_eq!(Master::parse("local[3]").unwrap().slots(), 3);
        assert!(Master::parse("local[*]").unwrap().slots() >= 1);
        for bad in ["local[0]", "local[x]", "yarn", "local["] {
            let e = Master::parse(bad).unwrap_err().to_string();
            assert!(e.contains(bad), "{e}");
        }
        assert_eq!(parse_bytes("512m"), Some(512 << 20));
        assert_eq!(parse_bytes("2G"), Some(2 << 30));
        assert_eq!(parse_bytes("100"), Some(100));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("99999999999t"), None);
        let c = Conf::new().set("ember.task.maxFailures", "zero");
        assert!(c.get_usize("ember.task.maxFailures", 4).is_err());
    }
}

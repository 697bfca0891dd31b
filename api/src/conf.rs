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
    /// A cluster on this machine: `executors` executor processes of `cores` task slots and
    /// `memory_mb` MiB each, started by the driver (`local-cluster[N,C,M]`, as in Spark).
    LocalCluster {
        /// Executor processes.
        executors: usize,
        /// Task slots of each.
        cores: usize,
        /// Memory of each, in MiB.
        memory_mb: u64,
    },
    /// A standalone master (`ember://host:port`) that starts executors on its workers
    /// (`ember.executor.instances` of `ember.executor.cores` cores and `ember.executor.memory`).
    Standalone {
        /// `host:port` of the master.
        address: String,
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
            u if u.starts_with("local-cluster[") && u.ends_with(']') => {
                let nums: Vec<Option<u64>> = u["local-cluster[".len()..u.len() - 1]
                    .split(',')
                    .map(|n| n.trim().parse().ok())
                    .collect();
                match nums[..] {
                    [Some(n), Some(c), Some(m)] if n > 0 && c > 0 && m > 0 => {
                        Ok(Master::LocalCluster {
                            executors: n as usize,
                            cores: c as usize,
                            memory_mb: m,
                        })
                    }
                    _ => Err(bad(
                        "expected local-cluster[N,C,M]: N executors of C cores and M MiB, all \
                         positive numbers",
                    )),
                }
            }
            u if u.starts_with("ember://") => {
                let address = &u["ember://".len()..];
                match address.rsplit_once(':') {
                    Some((h, p)) if !h.is_empty() && p.parse::<u16>().is_ok() => {
                        Ok(Master::Standalone {
                            address: address.to_string(),
                        })
                    }
                    _ => Err(bad("expected ember://host:port")),
                }
            }
            _ => Err(bad(
                "expected local, local[N], local[*] or local-cluster[N,C,M]",
            )),
        }
    }

    /// Task slots the master offers.
    pub fn slots(&self) -> usize {
        match self {
            Master::Local { threads } => *threads,
            Master::LocalCluster {
                executors, cores, ..
            } => executors * cores,
            // The driver asks for `ember.executor.instances` x `ember.executor.cores`; see
            // `Context::new`.
            Master::Standalone { .. } => 2,
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
    /// A duration key (`500ms`, `30s`, `2m`, `1h`; a plain number is seconds), or `default`.
    pub fn get_duration(
        &self,
        key: &str,
        default: std::time::Duration,
    ) -> Result<std::time::Duration> {
        let Some(v) = self.get(key) else {
            return Ok(default);
        };
        let t = v.trim().to_ascii_lowercase();
        let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
            (n, 0.001)
        } else if let Some(n) = t.strip_suffix('s') {
            (n, 1.0)
        } else if let Some(n) = t.strip_suffix("min") {
            (n, 60.0)
        } else if let Some(n) = t.strip_suffix('m') {
            (n, 60.0)
        } else if let Some(n) = t.strip_suffix('h') {
            (n, 3600.0)
        } else {
            (t.as_str(), 1.0)
        };
        match num.trim().parse::<f64>() {
            Ok(x) if x >= 0.0 && x.is_finite() => Ok(std::time::Duration::from_secs_f64(x * scale)),
            _ => Err(Error::Conf {
                key: key.into(),
                value: v.into(),
                message: "expected a duration like 500ms, 30s, 2m or 1h (a plain number is \
                          seconds)"
                    .into(),
            }),
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

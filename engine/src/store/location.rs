//! Path strings: local paths (and `file://` URLs) or objects of a remote store.

use crate::error::{EngineError, Result};
use object_store::path::Path as ObjectPath;
use url::{Position, Url};

/// An object in a remote store: `s3://bucket/dir/file.csv` is base `s3://bucket/` and key
/// `dir/file.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RemotePath {
    /// `scheme://bucket/` (with the user and port of the URL, if any).
    pub base: Url,
    /// The object's key, without a leading `/` (empty for the bucket's root).
    pub key: String,
}

impl RemotePath {
    /// The full URL, `scheme://bucket/key`.
    pub fn url(&self) -> String {
        format!("{}{}", self.base, self.key)
    }

    /// The key as `object_store` addresses it.
    pub fn object(&self) -> ObjectPath {
        object_path(&self.key)
    }

    /// The same store's object at `key`.
    pub fn with_key(&self, key: impl Into<String>) -> RemotePath {
        RemotePath {
            base: self.base.clone(),
            key: key.into(),
        }
    }

    /// `name` below this path (as a directory).
    pub fn child(&self, name: &str) -> RemotePath {
        let key = self.key.trim_end_matches('/');
        if key.is_empty() {
            self.with_key(name)
        } else {
            self.with_key(format!("{key}/{name}"))
        }
    }
}

impl std::fmt::Display for RemotePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.base, self.key)
    }
}

/// `key` as `object_store` addresses it.
pub fn object_path(key: &str) -> ObjectPath {
    ObjectPath::parse(key).unwrap_or_else(|_| ObjectPath::from(key))
}

/// Whether `path` is a URL of a remote store (any scheme but `file`).
pub fn is_remote(path: &str) -> bool {
    match path.split_once("://") {
        Some((scheme, _)) => {
            !scheme.eq_ignore_ascii_case("file")
                && !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// The remote object a URL names, or `None` for a local path or `file://` URL.
pub fn parse_remote(path: &str) -> Result<Option<RemotePath>> {
    if !is_remote(path) {
        return Ok(None);
    }
    let (scheme, rest) = path.split_once("://").expect("is_remote saw '://'");
    let (authority, key) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.is_empty() {
        return Err(EngineError::invalid(
            "path",
            format!("{path} names no bucket (expected {scheme}://<bucket>/<key>)"),
        ));
    }
    let base = Url::parse(&format!("{}://{authority}/", scheme.to_ascii_lowercase()))
        .map_err(|e| EngineError::invalid("path", format!("{path} is not a valid URL: {e}")))?;
    Ok(Some(RemotePath {
        base,
        key: key.to_string(),
    }))
}

/// The key stores are registered under: `scheme://[user@]host[:port]`, as DataFusion keys
/// them.
pub fn store_key(url: &Url) -> String {
    format!(
        "{}://{}",
        url.scheme(),
        &url[Position::BeforeUsername..Position::AfterPort]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_store_and_key() {
        let p = parse_remote("s3://bucket/dir/part-0.csv").unwrap().unwrap();
        assert_eq!(p.base.as_str(), "s3://bucket/");
        assert_eq!(p.key, "dir/part-0.csv");
        assert_eq!(p.url(), "s3://bucket/dir/part-0.csv");
        assert_eq!(store_key(&p.base), "s3://bucket");
        assert_eq!(p.child("x").key, "dir/part-0.csv/x");
        let root = parse_remote("gs://b").unwrap().unwrap();
        assert_eq!(root.key, "");
        assert_eq!(root.child("k").url(), "gs://b/k");
        let az = parse_remote("abfss://c@acct.dfs.core.windows.net/a/b")
            .unwrap()
            .unwrap();
        assert_eq!(store_key(&az.base), "abfss://c@acct.dfs.core.windows.net");
        let http = parse_remote("http://127.0.0.1:9000/data/x.txt")
            .unwrap()
            .unwrap();
        assert_eq!(store_key(&http.base), "http://127.0.0.1:9000");
        assert_eq!(http.key, "data/x.txt");
    }

    #[test]
    fn local_paths_and_file_urls_are_not_remote() {
        for p in ["/tmp/x", "rel/x", "file:///tmp/x", "C:\\x", "a://"] {
            if p == "a://" {
                assert!(parse_remote(p).is_err(), "{p}");
            } else {
                assert_eq!(parse_remote(p).unwrap(), None, "{p}");
            }
        }
    }
}

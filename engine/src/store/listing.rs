//! Resolving path strings into files with their sizes, local or remote, as
//! [`resolve_paths`](crate::rdd::resolve_paths) does for local paths (see [`list_files`]).

use super::location::{RemotePath, parse_remote, store_key};
use super::stores::Stores;
use crate::error::{EngineError, Result};
use crate::rdd::is_hidden_name;
use crate::rdd::paths::{expand_braces, split_paths};
use crate::sql::runtime::block_on;
use futures::TryStreamExt;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use std::collections::BTreeMap;

/// A file a source reads: its path (a local path, or a remote store's URL) and size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// A local path or `scheme://bucket/key`.
    pub path: String,
    /// Bytes.
    pub size: u64,
}

/// The files a path string names, local or remote.
///
/// The string is one or more paths separated by commas (commas inside `{..}` belong to the
/// braces). Local paths resolve as [`resolve_paths`](crate::rdd::resolve_paths) describes;
/// a remote URL (`s3://bucket/key`, `gs://`, `az://`, `http(s)://`, ...) names an object, a
/// "directory" (the visible objects directly below the prefix `key/`) or a glob with the same
/// forms (`*`, `?`, `[..]`, `[^..]`, `{a,b}`, `**`), matched against the keys listed below the
/// glob's literal prefix. Hidden names (starting with `_` or `.`) are skipped below what was
/// named literally. A path that matches nothing is an [`EngineError::PathNotFound`] naming it.
pub fn list_files(stores: &Stores, spec: &str) -> Result<Vec<SourceFile>> {
    let mut out = Vec::new();
    let parts = split_paths(spec)?;
    for raw in parts {
        let Some(remote) = parse_remote(raw)? else {
            for p in crate::rdd::resolve_paths(raw)? {
                let size = std::fs::metadata(&p)
                    .map_err(|e| EngineError::io(p.display(), &e))?
                    .len();
                out.push(SourceFile {
                    path: p.to_string_lossy().into_owned(),
                    size,
                });
            }
            continue;
        };
        let store = stores.store(&remote)?;
        let mut found = BTreeMap::new();
        let mut matched = false;
        let alternatives = expand_braces(&remote.key)
            .map_err(|m| EngineError::invalid("path", format!("bad glob {raw}: {m}")))?;
        for key in alternatives {
            let alt = remote.with_key(key);
            matched |= block_on(resolve_remote(store.as_ref(), &alt, &mut found))?;
        }
        if !matched {
            return Err(EngineError::PathNotFound {
                path: raw.to_string(),
            });
        }
        out.extend(found.into_iter().map(|(key, size)| SourceFile {
            path: remote.with_key(key).url(),
            size,
        }));
    }
    Ok(out)
}

/// Every object below the "directory" `dir` (at all depths, hidden ones too; directory
/// markers left out), with its URL and size. Nothing below it gives an empty list.
pub fn list_tree(stores: &Stores, dir: &RemotePath) -> Result<Vec<SourceFile>> {
    let store = stores.store(dir)?;
    let listed = block_on(list_below(store.as_ref(), dir))?;
    Ok(listed
        .into_iter()
        .map(|m| SourceFile {
            path: dir.with_key(m.location.to_string()).url(),
            size: m.size,
        })
        .collect())
}

/// The object at `path` if there is one (`None` when missing, or when `path` is a
/// "directory" prefix).
pub fn head(stores: &Stores, path: &RemotePath) -> Result<Option<SourceFile>> {
    if path.key.is_empty() || path.key.ends_with('/') {
        return Ok(None);
    }
    let store = stores.store(path)?;
    block_on(async {
        match store.head(&path.object()).await {
            Ok(meta) => Ok(Some(SourceFile {
                path: path.url(),
                size: meta.size,
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(head_error(store.as_ref(), path, e).await),
        }
    })
}

/// The error of a failed HEAD of `at`. A refused HEAD response has no body to say why, so
/// the store is asked again with a listing, whose refusal carries the store's reason.
async fn head_error(
    store: &dyn ObjectStore,
    at: &RemotePath,
    e: object_store::Error,
) -> EngineError {
    let refused = matches!(
        e,
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. }
    );
    if refused && let Err(listed) = store.list_with_delimiter(Some(&at.object())).await {
        return store_error(at, listed);
    }
    store_error(at, e)
}

/// Maps an `object_store` error on `path` to the engine's: a missing object names the path,
/// a refusal names the store and the store's reason.
pub fn store_error(path: &RemotePath, e: object_store::Error) -> EngineError {
    match e {
        object_store::Error::NotFound { .. } => EngineError::PathNotFound { path: path.url() },
        object_store::Error::PermissionDenied { source, .. }
        | object_store::Error::Unauthenticated { source, .. } => EngineError::Credentials {
            store: store_key(&path.base),
            message: format!("credentials rejected: {}", reason(&source.to_string())),
        },
        other => EngineError::Store {
            path: path.url(),
            message: reason(&other.to_string()),
        },
    }
}

/// The `<Code>` and `<Message>` of an S3-style XML error body when the message holds one
/// (the rest of the body is noise), else the message as it is.
fn reason(message: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = message.find(&open)? + open.len();
        let end = message[start..].find(&format!("</{name}>"))? + start;
        Some(message[start..end].to_string())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(text)) => format!("{code}: {text}"),
        (Some(code), None) => code,
        _ => message.to_string(),
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Objects below `prefix` (all depths), directory markers (keys ending in `/`) left out.
async fn list_below(store: &dyn ObjectStore, at: &RemotePath) -> Result<Vec<ObjectMeta>> {
    let prefix = at.key.trim_end_matches('/');
    let prefix = (!prefix.is_empty()).then(|| super::location::object_path(prefix));
    let listed: Vec<ObjectMeta> = store
        .list(prefix.as_ref())
        .try_collect()
        .await
        .map_err(|e| store_error(at, e))?;
    Ok(listed
        .into_iter()
        .filter(|m| !m.location.as_ref().ends_with('/'))
        .collect())
}

/// Adds the objects `at` (free of braces) names to `found` (key -> size); whether it matched.
async fn resolve_remote(
    store: &dyn ObjectStore,
    at: &RemotePath,
    found: &mut BTreeMap<String, u64>,
) -> Result<bool> {
    if !has_wildcard(&at.key) {
        if !at.key.is_empty() && !at.key.ends_with('/') {
            match store.head(&at.object()).await {
                Ok(meta) => {
                    found.insert(meta.location.to_string(), meta.size);
                    return Ok(true);
                }
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(head_error(store, at, e).await),
            }
        }
        // A directory: the visible objects directly below it.
        let listed = list_below(store, at).await?;
        let dir = at.key.trim_end_matches('/');
        let depth = dir.split('/').filter(|s| !s.is_empty()).count();
        for m in &listed {
            let name = m.location.filename().unwrap_or_default();
            if m.location.parts().count() == depth + 1 && !is_hidden_name(name) {
                found.insert(m.location.to_string(), m.size);
            }
        }
        return Ok(!listed.is_empty());
    }
    let mut pattern = at.key.replace("[^", "[!");
    if pattern == "**" || pattern.ends_with("/**") {
        pattern.push_str("/*");
    }
    let glob = glob::Pattern::new(&pattern)
        .map_err(|e| EngineError::invalid("path", format!("bad glob {at}: {}", e.msg)))?;
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let literal: Vec<&str> = at
        .key
        .split('/')
        .take_while(|seg| !has_wildcard(seg))
        .collect();
    let listed = list_below(store, &at.with_key(literal.join("/"))).await?;
    let mut matched = false;
    for m in listed {
        let key = m.location.to_string();
        let rel: Vec<&str> = key.split('/').skip(literal.len()).collect();
        if rel.iter().any(|seg| is_hidden_name(seg)) {
            continue;
        }
        // The object matches itself, or it is directly in a matching "directory".
        let parent = key.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
        if glob.matches_with(&key, options) || glob.matches_with(parent, options) {
            matched = true;
            found.insert(key, m.size);
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_error_bodies_shrink_to_code_and_message() {
        let body = "Client error with status 403 Forbidden: <?xml version=\"1.0\"?><Error>\
                    <Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you \
                    provided does not exist in our records.</Message></Error>";
        assert_eq!(
            reason(body),
            "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."
        );
        assert_eq!(reason("connection refused"), "connection refused");
    }
}

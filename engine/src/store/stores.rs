//! [`Stores`]: the object stores behind remote paths, built on first use from the environment
//! and the conf, one per bucket (container, host), and shared with DataFusion's runtime.

use super::location::{RemotePath, store_key};
use crate::error::{EngineError, Result};
use datafusion::error::DataFusionError;
use datafusion::execution::object_store::ObjectStoreRegistry;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::local::LocalFileSystem;
use object_store::{ClientOptions, ObjectStore, RetryConfig};
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The object stores of one context, keyed by `scheme://bucket`.
///
/// A store is configured, in increasing precedence, from the standard environment variables
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, `AWS_REGION`, ...;
/// `GOOGLE_*`; `AZURE_*`), then the conf keys `ember.<kind>.<key>`, then the per-bucket keys
/// `ember.<kind>.bucket.<bucket>.<key>`, where `<kind>` is `s3`, `gs` or `az` and `<key>` is
/// one of `object_store`'s configuration keys without its prefix (`endpoint`,
/// `access_key_id`, `secret_access_key`, `region`, `session_token`, `allow_http`,
/// `skip_signature`, ... for S3). An `http://` endpoint allows plain HTTP. Hadoop's S3A keys
/// as Spark programs set them (`spark.hadoop.fs.s3a.endpoint`, `.access.key`, `.secret.key`,
/// `.session.token`, `.endpoint.region`, and their `bucket.<bucket>.` forms) count where the
/// `ember.s3.*` keys leave a value unset.
///
/// An S3 store needs credentials: keys, a web identity or container credentials from the
/// environment, `skip_signature=true` for a public bucket, or `instance_credentials=true` to
/// ask the instance metadata service. Without any, building it fails naming the bucket, rather
/// than every request waiting on a metadata service that is not there.
///
/// A GCS store likewise needs a service account, application credentials, `skip_signature`,
/// or `instance_credentials=true`.
///
/// Requests are retried twice within 20 seconds: an unreachable endpoint fails the job with
/// the store's message instead of hanging.
pub struct Stores {
    /// `ember.s3.*`, `ember.gs.*`, `ember.az.*` conf entries.
    conf: BTreeMap<String, String>,
    built: Mutex<HashMap<String, Arc<dyn ObjectStore>>>,
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self.built.lock().keys().cloned().collect();
        f.debug_struct("Stores").field("stores", &keys).finish()
    }
}

impl Stores {
    /// Stores configured by the `ember.s3.*`, `ember.gs.*`, `ember.az.*` and
    /// `spark.hadoop.fs.s3a.*` entries of `conf` (other entries are ignored).
    pub fn new<K: AsRef<str>, V: AsRef<str>>(conf: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut ours = BTreeMap::new();
        let mut s3a = Vec::new();
        for (k, v) in conf_entries(conf) {
            if ["ember.s3.", "ember.gs.", "ember.az."]
                .iter()
                .any(|p| k.starts_with(p))
            {
                ours.insert(k, v);
            } else if let Some(rest) = k.strip_prefix("spark.hadoop.fs.s3a.") {
                s3a.push((rest.to_string(), v));
            }
        }
        // Hadoop's S3A keys, as pyspark programs set them, for what Ember's keys leave unset.
        let plain = s3a
            .iter()
            .any(|(k, v)| k == "connection.ssl.enabled" && v.eq_ignore_ascii_case("false"));
        for (key, value) in s3a {
            let (scope, name) = match key.strip_prefix("bucket.") {
                Some(rest) => match rest.split_once('.') {
                    Some((bucket, name)) => {
                        (format!("ember.s3.bucket.{bucket}."), name.to_string())
                    }
                    None => continue,
                },
                None => ("ember.s3.".to_string(), key.clone()),
            };
            let (key, value) = match name.as_str() {
                "endpoint" if !value.contains("://") => {
                    let scheme = if plain { "http" } else { "https" };
                    ("endpoint", format!("{scheme}://{value}"))
                }
                "endpoint" => ("endpoint", value),
                "access.key" => ("access_key_id", value),
                "secret.key" => ("secret_access_key", value),
                "session.token" => ("session_token", value),
                "endpoint.region" => ("region", value),
                _ => continue,
            };
            ours.entry(format!("{scope}{key}")).or_insert(value);
        }
        Stores {
            conf: ours,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The store holding `path`, built on first use.
    pub fn store(&self, path: &RemotePath) -> Result<Arc<dyn ObjectStore>> {
        self.store_for(&path.base)
    }

    /// The store for `base` (`scheme://bucket/`).
    fn store_for(&self, base: &Url) -> Result<Arc<dyn ObjectStore>> {
        let key = store_key(base);
        if let Some(s) = self.built.lock().get(&key) {
            return Ok(Arc::clone(s));
        }
        let store = self.build(base)?;
        Ok(Arc::clone(self.built.lock().entry(key).or_insert(store)))
    }

    /// The conf entries for `kind` and `bucket`: the general ones, then the bucket's own.
    fn options(&self, kind: &str, bucket: &str) -> Vec<(String, String, String)> {
        let general = format!("ember.{kind}.");
        let own = format!("ember.{kind}.bucket.{bucket}.");
        let mut out = Vec::new();
        for (k, v) in &self.conf {
            if let Some(rest) = k.strip_prefix(&general)
                && !rest.starts_with("bucket.")
            {
                out.push((k.clone(), rest.to_string(), v.clone()));
            }
        }
        for (k, v) in &self.conf {
            if let Some(rest) = k.strip_prefix(&own) {
                out.push((k.clone(), rest.to_string(), v.clone()));
            }
        }
        out
    }

    fn build(&self, base: &Url) -> Result<Arc<dyn ObjectStore>> {
        let bucket = base.host_str().unwrap_or_default().to_string();
        let retry = RetryConfig {
            max_retries: 2,
            retry_timeout: Duration::from_secs(20),
            ..RetryConfig::default()
        };
        let client = ClientOptions::new().with_connect_timeout(Duration::from_secs(5));
        let bad_key = |conf_key: &str, kind: &str| {
            EngineError::invalid(
                "object store configuration",
                format!("unknown key {conf_key} (not a {kind} option of object_store)"),
            )
        };
        let failed = |e: object_store::Error| EngineError::Store {
            path: base.to_string(),
            message: e.to_string(),
        };
        let store: Arc<dyn ObjectStore> = match base.scheme() {
            "file" => Arc::new(LocalFileSystem::new()),
            "s3" | "s3a" => {
                // Client options first: setting them replaces `allow_http` set before.
                let mut b = AmazonS3Builder::from_env()
                    .with_bucket_name(&bucket)
                    .with_retry(retry)
                    .with_client_options(client);
                let mut instance = false;
                for (conf_key, key, value) in self.options("s3", &bucket) {
                    if key == "instance_credentials" {
                        instance = value.eq_ignore_ascii_case("true");
                        continue;
                    }
                    let parsed = AmazonS3ConfigKey::from_str(&key)
                        .or_else(|_| AmazonS3ConfigKey::from_str(&format!("aws_{key}")))
                        .map_err(|_| bad_key(&conf_key, "S3"))?;
                    b = b.with_config(parsed, value);
                }
                if b.get_config_value(&AmazonS3ConfigKey::Endpoint)
                    .is_some_and(|e| e.starts_with("http://"))
                {
                    b = b.with_allow_http(true);
                }
                let get = |k: AmazonS3ConfigKey| b.get_config_value(&k);
                let signed = get(AmazonS3ConfigKey::SkipSignature)
                    .is_none_or(|v| !v.eq_ignore_ascii_case("true"));
                let has_credentials = get(AmazonS3ConfigKey::AccessKeyId).is_some()
                    || get(AmazonS3ConfigKey::WebIdentityTokenFile).is_some()
                    || get(AmazonS3ConfigKey::ContainerCredentialsRelativeUri).is_some()
                    || get(AmazonS3ConfigKey::ContainerCredentialsFullUri).is_some();
                if signed && !has_credentials && !instance {
                    return Err(EngineError::Credentials {
                        store: format!("s3://{bucket}"),
                        message: "no credentials: set AWS_ACCESS_KEY_ID and \
                                  AWS_SECRET_ACCESS_KEY (or the conf keys \
                                  ember.s3.access_key_id and ember.s3.secret_access_key), \
                                  ember.s3.skip_signature=true for a public bucket, or \
                                  ember.s3.instance_credentials=true to use the instance's role"
                            .to_string(),
                    });
                }
                if get(AmazonS3ConfigKey::AccessKeyId).is_some()
                    && get(AmazonS3ConfigKey::SecretAccessKey).is_none()
                {
                    return Err(EngineError::Credentials {
                        store: format!("s3://{bucket}"),
                        message: "an access key id is set but no secret access key \
                                  (AWS_SECRET_ACCESS_KEY or ember.s3.secret_access_key)"
                            .to_string(),
                    });
                }
                Arc::new(b.build().map_err(failed)?)
            }
            "gs" | "gcs" => {
                let mut b = GoogleCloudStorageBuilder::from_env().with_bucket_name(&bucket);
                let mut instance = false;
                for (conf_key, key, value) in self.options("gs", &bucket) {
                    if key == "instance_credentials" {
                        instance = value.eq_ignore_ascii_case("true");
                        continue;
                    }
                    let parsed = GoogleConfigKey::from_str(&key)
                        .or_else(|_| GoogleConfigKey::from_str(&format!("google_{key}")))
                        .map_err(|_| bad_key(&conf_key, "GCS"))?;
                    b = b.with_config(parsed, value);
                }
                let get = |k: GoogleConfigKey| b.get_config_value(&k);
                let has_credentials = get(GoogleConfigKey::ServiceAccount).is_some()
                    || get(GoogleConfigKey::ServiceAccountKey).is_some()
                    || get(GoogleConfigKey::ApplicationCredentials).is_some()
                    || std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_some()
                    || get(GoogleConfigKey::SkipSignature).is_some_and(|v| v == "true");
                if !has_credentials && !instance {
                    return Err(EngineError::Credentials {
                        store: format!("gs://{bucket}"),
                        message: "no credentials: set GOOGLE_APPLICATION_CREDENTIALS or \
                                  GOOGLE_SERVICE_ACCOUNT (or ember.gs.service_account), \
                                  ember.gs.skip_signature=true for a public bucket, or \
                                  ember.gs.instance_credentials=true to use the instance's \
                                  service account"
                            .to_string(),
                    });
                }
                Arc::new(
                    b.with_retry(retry)
                        .with_client_options(client)
                        .build()
                        .map_err(failed)?,
                )
            }
            "az" | "azure" | "abfs" | "abfss" | "adl" => {
                let mut b = MicrosoftAzureBuilder::from_env().with_url(base.as_str());
                for (conf_key, key, value) in self.options("az", &bucket) {
                    let parsed = AzureConfigKey::from_str(&key)
                        .or_else(|_| AzureConfigKey::from_str(&format!("azure_{key}")))
                        .map_err(|_| bad_key(&conf_key, "Azure"))?;
                    b = b.with_config(parsed, value);
                }
                Arc::new(
                    b.with_retry(retry)
                        .with_client_options(client)
                        .build()
                        .map_err(failed)?,
                )
            }
            "http" | "https" => Arc::new(
                HttpBuilder::new()
                    .with_url(base.as_str())
                    .with_retry(retry)
                    .with_client_options(client.with_allow_http(base.scheme() == "http"))
                    .build()
                    .map_err(failed)?,
            ),
            other => {
                return Err(EngineError::invalid(
                    "path",
                    format!(
                        "unsupported URL scheme '{other}' in {base} (file, s3, gs, az, abfss, \
                         http or https)"
                    ),
                ));
            }
        };
        Ok(store)
    }
}

fn conf_entries<K: AsRef<str>, V: AsRef<str>>(
    conf: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    conf.into_iter()
        .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
        .collect()
}

/// DataFusion finds its object stores here too, so SQL over `s3://` paths uses the same
/// stores, configuration and credentials as the RDD sources.
impl ObjectStoreRegistry for Stores {
    fn register_store(
        &self,
        url: &Url,
        store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        self.built.lock().insert(store_key(url), store)
    }

    fn deregister_store(&self, url: &Url) -> datafusion::error::Result<Arc<dyn ObjectStore>> {
        self.built.lock().remove(&store_key(url)).ok_or_else(|| {
            DataFusionError::Internal(format!("no object store registered for {url}"))
        })
    }

    fn get_store(&self, url: &Url) -> datafusion::error::Result<Arc<dyn ObjectStore>> {
        self.store_for(url)
            .map_err(|e| DataFusionError::External(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3a_keys_fill_in_what_ember_keys_leave_unset() {
        let stores = Stores::new([
            ("spark.hadoop.fs.s3a.endpoint", "localhost:9000"),
            ("spark.hadoop.fs.s3a.connection.ssl.enabled", "false"),
            ("spark.hadoop.fs.s3a.access.key", "hadoop-key"),
            ("ember.s3.access_key_id", "ember-key"),
            ("spark.hadoop.fs.s3a.bucket.logs.secret.key", "logs-secret"),
            ("spark.master", "local"),
        ]);
        let get = |k: &str| stores.conf.get(k).map(String::as_str);
        assert_eq!(get("ember.s3.endpoint"), Some("http://localhost:9000"));
        assert_eq!(get("ember.s3.access_key_id"), Some("ember-key"));
        assert_eq!(
            get("ember.s3.bucket.logs.secret_access_key"),
            Some("logs-secret")
        );
        assert_eq!(stores.conf.len(), 3);
        let opts = stores.options("s3", "logs");
        assert_eq!(opts.last().unwrap().1, "secret_access_key");
    }

    #[test]
    fn unknown_keys_and_schemes_are_errors_naming_them() {
        let stores = Stores::new([
            ("ember.s3.endpointt", "http://x"),
            ("ember.s3.access_key_id", "k"),
            ("ember.s3.secret_access_key", "s"),
        ]);
        let s3 = super::super::parse_remote("s3://b/k").unwrap().unwrap();
        let err = stores.store(&s3).unwrap_err().to_string();
        assert!(err.contains("ember.s3.endpointt"), "{err}");
        let gs = super::super::parse_remote("gs://photos/k")
            .unwrap()
            .unwrap();
        if std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_none() {
            let err = stores.store(&gs).unwrap_err().to_string();
            assert!(
                err.contains("gs://photos") && err.contains("no credentials"),
                "{err}"
            );
        }
        let ftp = super::super::parse_remote("ftp://host/k").unwrap().unwrap();
        let err = stores.store(&ftp).unwrap_err().to_string();
        assert!(err.contains("ftp"), "{err}");
    }
}

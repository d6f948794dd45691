//! Where scanned logbooks are kept: outside the database, behind a small
//! interface (a local folder by default; object storage in production).
//! Keys are made by the server, never from the uploader's file name. It
//! knows no database, no transfer's state and no HTTP: only keys, bytes,
//! and what a scan's bytes must look like (refused in the catalogue's
//! words).

use std::path::PathBuf;

use adapters::BoxFuture;
use texts::TransferRefusal;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No file under that key.
    #[error("no file under that key")]
    NotFound,
    /// The store did not answer as it should (unreachable, refused, full).
    #[error("{0}")]
    Failed(String),
}

pub trait BlobStore: Send + Sync + std::fmt::Debug {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, Result<(), StoreError>>;
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<u8>, StoreError>>;
    /// Remove a file; one that is not there is not an error.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
    /// Every key under `prefix` (for accounting files against rows).
    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<String>, StoreError>>;
    /// Remove what writes cut off before they finished left behind, if the
    /// store can leave any, older than `age`. Returns how many.
    fn sweep_partial<'a>(&'a self, _age: std::time::Duration) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(async { Ok(0) })
    }
    /// A folder on one machine does not suit several nodes: production refuses it.
    fn is_development(&self) -> bool;
}

/// Keys are the server's own: letters, digits, `-` and `/`.
fn check_key(key: &str) -> Result<(), StoreError> {
    if key.is_empty()
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
        || key.contains("//")
        || key.starts_with('/')
    {
        return Err(StoreError::Failed(format!("bad key {key:?}")));
    }
    Ok(())
}

/// Files under a folder (`<data>/uploads`), written to a temporary name and
/// renamed, so a crash never leaves half a file under a real key.
#[derive(Debug)]
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    /// Every file under the folder, as paths relative to it.
    fn walk(&self) -> Result<Vec<(String, std::fs::Metadata)>, std::io::Error> {
        let mut out = vec![];
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let meta = entry.metadata()?;
                if meta.is_dir() {
                    dirs.push(entry.path());
                } else if let Ok(rel) = entry.path().strip_prefix(&self.root) {
                    out.push((rel.to_string_lossy().replace('\\', "/"), meta));
                }
            }
        }
        Ok(out)
    }
}

fn io_error(e: std::io::Error) -> StoreError {
    if e.kind() == std::io::ErrorKind::NotFound { StoreError::NotFound } else { StoreError::Failed(e.to_string()) }
}

impl BlobStore for LocalDir {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let err = |e: std::io::Error| StoreError::Failed(e.to_string());
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(err)?;
            }
            let tmp = path.with_extension("part");
            let written = async {
                let mut f = tokio::fs::File::create(&tmp).await?;
                tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await?;
                f.sync_all().await?;
                drop(f);
                tokio::fs::rename(&tmp, &path).await
            }
            .await;
            if written.is_err() {
                // Best effort; the sweep takes what this leaves.
                let _ = tokio::fs::remove_file(&tmp).await;
            }
            written.map_err(err)
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<u8>, StoreError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            tokio::fs::read(path).await.map_err(io_error)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::Failed(e.to_string())),
                _ => Ok(()),
            }
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            let files = self.walk().map_err(|e| StoreError::Failed(e.to_string()))?;
            Ok(files.into_iter().map(|(k, _)| k).filter(|k| k.starts_with(prefix)).collect())
        })
    }

    fn sweep_partial<'a>(&'a self, age: std::time::Duration) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(async move {
            let files = self.walk().map_err(|e| StoreError::Failed(e.to_string()))?;
            let mut removed = 0;
            for (rel, meta) in files {
                let old = meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|e| e >= age);
                if rel.ends_with(".part") && old && std::fs::remove_file(self.root.join(&rel)).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }

    fn is_development(&self) -> bool {
        true
    }
}

/// Where an S3-compatible object store is, and how to sign in to it.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// For a store other than Amazon's (MinIO, Ceph, a cloud's own):
    /// its address; unset means Amazon S3 in `region`.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Put keys under this prefix (no leading or trailing `/`).
    pub prefix: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("secret_access_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Files in an S3-compatible bucket, shared by every node.
#[derive(Debug)]
pub struct S3 {
    store: object_store::aws::AmazonS3,
    prefix: String,
    bucket: String,
}

impl S3 {
    pub fn new(s: &S3Settings) -> Result<Self, StoreError> {
        let mut b = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key);
        if let Some(endpoint) = &s.endpoint {
            b = b
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = b.build().map_err(|e| StoreError::Failed(format!("object storage settings: {e}")))?;
        Ok(Self { store, prefix: s.prefix.trim_matches('/').to_string(), bucket: s.bucket.clone() })
    }

    fn path(&self, key: &str) -> Result<object_store::path::Path, StoreError> {
        check_key(key)?;
        let full = if self.prefix.is_empty() { key.to_string() } else { format!("{}/{key}", self.prefix) };
        object_store::path::Path::parse(full).map_err(|e| StoreError::Failed(e.to_string()))
    }

    fn failed(&self, e: object_store::Error) -> StoreError {
        match e {
            object_store::Error::NotFound { .. } => StoreError::NotFound,
            other => StoreError::Failed(format!("bucket {}: {other}", self.bucket)),
        }
    }
}

impl BlobStore for S3 {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt as _;
            let path = self.path(key)?;
            self.store.put(&path, bytes.to_vec().into()).await.map(|_| ()).map_err(|e| self.failed(e))
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<u8>, StoreError>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt as _;
            let path = self.path(key)?;
            let got = self.store.get(&path).await.map_err(|e| self.failed(e))?;
            Ok(got.bytes().await.map_err(|e| self.failed(e))?.to_vec())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt as _;
            let path = self.path(key)?;
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(self.failed(e)),
            }
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            use futures_util::TryStreamExt as _;
            use object_store::ObjectStore as _;
            let strip = if self.prefix.is_empty() { String::new() } else { format!("{}/", self.prefix) };
            let all: Vec<_> = self.store.list(None).try_collect().await.map_err(|e| self.failed(e))?;
            Ok(all
                .into_iter()
                .filter_map(|m| m.location.as_ref().strip_prefix(strip.as_str()).map(str::to_string))
                .filter(|k| k.starts_with(prefix))
                .collect())
        })
    }

    fn is_development(&self) -> bool {
        false
    }
}

/// The largest scanned logbook accepted.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// Recognise a scanned logbook by its content: PDF, JPEG or PNG.
pub fn sniff_scan(bytes: &[u8]) -> Result<&'static str, TransferRefusal<'static>> {
    if bytes.is_empty() {
        return Err(TransferRefusal::ScanEmpty);
    }
    if bytes.len() > MAX_SCAN_BYTES {
        // Tenths of a MiB, rounded as `{:.1}` would (no size is a tie).
        let tenths_of_mb = (bytes.len() as f64 * 10.0 / (1024.0 * 1024.0)).round() as u64;
        return Err(TransferRefusal::ScanTooLarge { tenths_of_mb });
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else {
        Err(TransferRefusal::ScanNotAScan)
    }
}

#[cfg(test)]
mod tests {
    use texts::{Lang, Text as _};

    use super::*;

    #[test]
    fn scans_are_recognised_by_content_not_name() {
        assert_eq!(sniff_scan(b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(sniff_scan(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap(), "image/jpeg");
        assert_eq!(sniff_scan(b"\x89PNG\r\n\x1a\n....").unwrap(), "image/png");
        assert!(sniff_scan(b"GIF89a").unwrap_err().render(Lang::En).contains("not a PDF, JPEG or PNG"));
        assert!(sniff_scan(b"").unwrap_err().render(Lang::En).contains("empty"));
        let big = vec![b'%'; MAX_SCAN_BYTES + 1];
        assert!(sniff_scan(&big).unwrap_err().render(Lang::En).contains("at most 10 MB"));
    }

    #[tokio::test]
    async fn the_local_folder_keeps_what_it_is_given_and_refuses_odd_keys() {
        let dir = std::env::temp_dir().join(format!("tims-store-{}", std::process::id()));
        let s = LocalDir::new(dir.clone());
        s.put("logbooks/abc-1", b"%PDF-1").await.unwrap();
        assert_eq!(s.get("logbooks/abc-1").await.unwrap(), b"%PDF-1");
        assert!(s.put("../escape", b"x").await.is_err());
        assert!(s.get("a//b").await.is_err());
        assert!(matches!(s.get("logbooks/none").await, Err(StoreError::NotFound)));
        assert_eq!(s.list("logbooks/").await.unwrap(), ["logbooks/abc-1"]);
        s.delete("logbooks/abc-1").await.unwrap();
        s.delete("logbooks/abc-1").await.unwrap();
        assert!(s.list("").await.unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! Where scanned logbooks are kept: outside the database, behind a small
//! interface (a local folder by default; object storage in production).
//! Keys are made by the server, never from the uploader's file name.

use std::path::PathBuf;

use adapters::sms::BoxFuture;

#[derive(Debug, thiserror::Error)]
#[error("file store: {0}")]
pub struct StoreError(pub String);

pub trait BlobStore: Send + Sync + std::fmt::Debug {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, Result<(), StoreError>>;
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<u8>, StoreError>>;
    /// A folder on one machine does not suit several nodes: production refuses it.
    fn is_development(&self) -> bool;
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
        if key.is_empty()
            || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
            || key.contains("//")
        {
            return Err(StoreError(format!("bad key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

impl BlobStore for LocalDir {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let err = |e: std::io::Error| StoreError(e.to_string());
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await.map_err(err)?;
            }
            let tmp = path.with_extension("part");
            let mut f = tokio::fs::File::create(&tmp).await.map_err(err)?;
            tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(err)?;
            f.sync_all().await.map_err(err)?;
            drop(f);
            tokio::fs::rename(&tmp, &path).await.map_err(err)
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Vec<u8>, StoreError>> {
        Box::pin(async move {
            let path = self.path(key)?;
            tokio::fs::read(path).await.map_err(|e| StoreError(e.to_string()))
        })
    }

    fn is_development(&self) -> bool {
        true
    }
}

/// The largest scanned logbook accepted.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;

/// Recognise a scanned logbook by its content: PDF, JPEG or PNG.
pub fn sniff_scan(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("The file is empty: upload the scanned logbook as a PDF, JPEG or PNG".into());
    }
    if bytes.len() > MAX_SCAN_BYTES {
        return Err(format!(
            "The file is {:.1} MB: a scanned logbook may be at most 10 MB",
            bytes.len() as f64 / (1024.0 * 1024.0)
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else {
        Err("The file is not a PDF, JPEG or PNG (whatever its name says): upload the scanned logbook in one of those"
            .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_recognised_by_content_not_name() {
        assert_eq!(sniff_scan(b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(sniff_scan(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap(), "image/jpeg");
        assert_eq!(sniff_scan(b"\x89PNG\r\n\x1a\n....").unwrap(), "image/png");
        assert!(sniff_scan(b"GIF89a").unwrap_err().contains("not a PDF, JPEG or PNG"));
        assert!(sniff_scan(b"").unwrap_err().contains("empty"));
        let big = vec![b'%'; MAX_SCAN_BYTES + 1];
        assert!(sniff_scan(&big).unwrap_err().contains("at most 10 MB"));
    }

    #[tokio::test]
    async fn the_local_folder_keeps_what_it_is_given_and_refuses_odd_keys() {
        let dir = std::env::temp_dir().join(format!("tims-store-{}", std::process::id()));
        let s = LocalDir::new(dir.clone());
        s.put("logbooks/abc-1", b"%PDF-1").await.unwrap();
        assert_eq!(s.get("logbooks/abc-1").await.unwrap(), b"%PDF-1");
        assert!(s.put("../escape", b"x").await.is_err());
        assert!(s.get("a//b").await.is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}

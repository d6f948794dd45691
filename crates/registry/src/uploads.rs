//! Scanned logbooks in the upload store, and the only writer of
//! `reg_uploads`, which accounts for every file in it: a row is written
//! before its file, so that no file exists that no row knows of. A file
//! whose write or transaction did not finish, or that a newer scan
//! replaced, is deleted (at once where possible, else by the sweep). It
//! knows nothing of the transfer steps or of HTTP.

use std::time::Duration;

use db::WriteTx;
use domain::UploadState;
use texts::{Lang, Text as _, TransferRefusal};

use crate::scans::StoreError;
use crate::{Error, Registry};

/// A pending upload older than this did not finish: its file goes.
const ABANDONED_AFTER_MS: i64 = domain::policy::HOUR_MS;

/// Record that `key` is about to be written for `transfer_id` (its own
/// commit, before the file is stored).
pub async fn begin(reg: &Registry, transfer_id: &str, key: &str) -> Result<(), Error> {
    let now = reg.now_ms();
    reg.db()
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_uploads (key, transfer_id, state, created_at, updated_at) VALUES ($1, $2, $4, $3, $3)",
            )
            .bind(key)
            .bind(transfer_id)
            .bind(now)
            .bind(UploadState::Pending.as_str()),
        )
        .await?;
    Ok(())
}

/// In the transaction that points the transfer at `key`: the file is live,
/// and the one it replaces (if any) is to be deleted.
pub async fn make_live(tx: &mut WriteTx, key: &str, replaces: Option<&str>, now: i64) -> Result<(), Error> {
    set_state(tx, key, UploadState::Live, now).await?;
    if let Some(old) = replaces {
        set_state(tx, old, UploadState::Replaced, now).await?;
    }
    Ok(())
}

/// The file at `key` is now in `state`.
async fn set_state(tx: &mut WriteTx, key: &str, state: UploadState, now: i64) -> Result<(), Error> {
    sqlx::query("UPDATE reg_uploads SET state = $3, updated_at = $1 WHERE key = $2")
        .bind(now)
        .bind(key)
        .bind(state.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Delete a file that is no longer wanted, then its row. On failure both
/// stay, and the sweep tries again.
pub async fn discard(reg: &Registry, key: &str) {
    let done = async {
        reg.adapters().store.delete(key).await.map_err(|e| Error::Internal(e.to_string()))?;
        reg.db().execute_write(forget(key)).await?;
        Ok::<_, Error>(())
    }
    .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, key, "an unwanted upload could not be deleted yet; the sweep will try again");
    }
}

/// Delete what did not finish and what was replaced, and what interrupted
/// writes left in the store. Returns how many files went.
pub async fn sweep(reg: &Registry) -> Result<u64, Error> {
    let now = reg.now_ms();
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT key FROM reg_uploads WHERE state = $2 OR (state = $3 AND updated_at < $1) \
         ORDER BY updated_at LIMIT 500",
    )
    .bind(now - ABANDONED_AFTER_MS)
    .bind(UploadState::Replaced.as_str())
    .bind(UploadState::Pending.as_str())
    .fetch_all(reg.db().pool())
    .await?;
    let mut removed = 0;
    for key in &keys {
        if reg.adapters().store.delete(key).await.is_ok() {
            reg.db().execute_write(forget(key)).await?;
            removed += 1;
        }
    }
    let partial = reg
        .adapters()
        .store
        .sweep_partial(Duration::from_millis(ABANDONED_AFTER_MS as u64))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(removed + partial)
}

/// Read a stored scan; a store that cannot give it is a clear refusal that
/// says why, never a server error.
pub async fn read(reg: &Registry, key: &str, lang: Lang) -> Result<Vec<u8>, Error> {
    reg.adapters().store.get(key).await.map_err(|e| unreadable(e, lang))
}

/// Refuse, saying why, unless the scan of transfer `id` (if it has one)
/// can be read now.
pub async fn scan_opens(reg: &Registry, id: &str, lang: Lang) -> Result<(), Error> {
    let key: Option<String> = sqlx::query_scalar("SELECT logbook_key FROM reg_transfers WHERE id = $1")
        .bind(id)
        .fetch_optional(reg.db().pool())
        .await?
        .flatten();
    let Some(key) = key else { return Ok(()) };
    let uncheckable = |missing| Error::Conflict(TransferRefusal::ScanUncheckable { missing }.render(lang));
    read(reg, &key, lang).await.map(|_| ()).map_err(|e| match e {
        Error::Conflict(_) => uncheckable(true),
        Error::Unavailable(_) => uncheckable(false),
        other => other,
    })
}

/// Forget the row of a file just deleted, unless it is live again.
fn forget(key: &str) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query("DELETE FROM reg_uploads WHERE key = $1 AND state <> $2").bind(key).bind(UploadState::Live.as_str())
}

/// A file store's failure as a refusal in `lang`: a missing scan is a
/// conflict, a store that did not answer is unavailable.
pub fn unreadable(e: StoreError, lang: Lang) -> Error {
    match e {
        StoreError::NotFound => {
            tracing::error!("a scanned logbook that a transfer points at is missing from the file store");
            Error::Conflict(TransferRefusal::ScanMissing.render(lang))
        }
        StoreError::Failed(why) => {
            tracing::error!(error = %why, "the file store did not answer");
            Error::Unavailable(TransferRefusal::StoreDown.render(lang))
        }
    }
}

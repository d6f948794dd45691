//! The scanned logbook: the seller uploads it while the transfer is a
//! draft, or again once an officer has returned it for a new scan; the
//! seller and officers with no part in the transfer open it.

use domain::transfer::{Party as Role, StaffAction, State, Step};
use secure::new_id;
use texts::{StepTaker, Text as _, TransferRefusal};

use super::store::{self, Line, Val};
use super::view::{TransferView, view};
use super::{lang, need, need_transactor, officiate, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, uploads};

/// The seller uploads the scanned logbook (PDF, JPEG or PNG, at most 10 MB,
/// recognised by content) while the transfer is a draft or returned for a
/// new scan; the transfer stays where it is.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn upload_logbook(reg: &Registry, actor: &Actor, id: &str, bytes: &[u8]) -> Result<TransferView, Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Seller, StepTaker::Seller)?;
    need_transactor(actor)?;
    if !matches!(row.state, State::Draft | State::ReturnedForScan) {
        return Err(Error::Conflict(TransferRefusal::ScanOnlyBeforeSubmit.render(lang(actor))));
    }
    let content_type =
        crate::scans::sniff_scan(bytes).map_err(|r| FieldErrors::single("logbook", r.render(lang(actor))))?;
    let key = format!("logbooks/{}-{}", row.id, &new_id()[..8]);
    // The row first, then the file: no file is ever stored that no row
    // accounts for (see `uploads`).
    uploads::begin(reg, &row.id, &key).await?;
    if let Err(e) = reg.adapters().store.put(&key, bytes).await {
        uploads::discard(reg, &key).await;
        return Err(uploads::unreadable(e, lang(actor)));
    }
    let now = reg.now_ms();
    let sha = secure::sha256_hex(bytes);
    let committed = async {
        let mut tx = reg.db().begin_write().await?;
        let set = [
            ("logbook_key", Val::Text(Some(key.clone()))),
            ("logbook_type", Val::Text(Some(content_type.to_string()))),
            ("logbook_sha256", Val::Text(Some(sha))),
            ("logbook_size", Val::Int(bytes.len() as i64)),
        ];
        let line = Line::by(Step::LogbookUploaded, actor).detail(Some(content_type));
        let after = store::advance(&mut tx, &row, row.state, now, &set, line).await?;
        uploads::make_live(&mut tx, &key, row.logbook_key.as_deref(), now).await?;
        tx.commit().await?;
        Ok::<_, Error>(after)
    }
    .await;
    let after = match committed {
        Ok(after) => after,
        Err(e) => {
            uploads::discard(reg, &key).await;
            return Err(e);
        }
    };
    if let Some(old) = &row.logbook_key {
        uploads::discard(reg, old).await;
    }
    view(reg, actor, after, cons).await
}

/// The scanned logbook, for the seller and for officers with no part in the
/// transfer.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn logbook_scan(reg: &Registry, actor: &Actor, id: &str) -> Result<(String, Vec<u8>), Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    if actor.is_staff() && !roles.contains(&Role::Seller) {
        officiate(actor, &row, &cons, StaffAction::Scan)?;
    }
    need(actor, &roles, |r| matches!(r, Role::Seller | Role::Officer), StepTaker::SellerOrOfficer)?;
    let (Some(key), Some(ct)) = (row.logbook_key, row.logbook_type) else {
        return Err(Error::NotFound(TransferRefusal::NoScanUploaded.render(lang(actor))));
    };
    Ok((ct, uploads::read(reg, &key, lang(actor)).await?))
}

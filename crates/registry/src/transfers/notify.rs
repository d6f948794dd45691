//! The SMS a transfer's steps send, queued in the step's transaction. The
//! words are the catalogue's (`texts::Sms`); each SMS is written in the
//! language of the party it goes to. It knows no step's rules.

use db::WriteTx;
use texts::{Sms, Text as _};

use super::{Consenter, Row};
use crate::{Error, outbox, parties};

/// Queue `sms` for one party of the transfer `row`, in their language.
pub(super) async fn tell(tx: &mut WriteTx, party: &str, row: &Row, sms: &Sms<'_>, now: i64) -> Result<(), Error> {
    let text = sms.render(parties::lang_in(tx, party).await?);
    outbox::alert(tx, party, &text, &row.reference, now).await
}

/// Tell the buyer the vehicle is being transferred to them.
pub(super) async fn tell_buyer(tx: &mut WriteTx, row: &Row, now: i64) -> Result<(), Error> {
    let sms = Sms::TransferToYou { reg_no: &row.reg_no, reference: &row.reference };
    tell(tx, &row.buyer_id, row, &sms, now).await
}

/// Tell the buyer, each consenter and, with `seller_too`, the seller.
pub(super) async fn tell_all(
    tx: &mut WriteTx,
    row: &Row,
    cons: &[Consenter],
    sms: &Sms<'_>,
    now: i64,
    seller_too: bool,
) -> Result<(), Error> {
    let mut ids: Vec<&str> = vec![&row.buyer_id];
    if seller_too {
        ids.push(&row.seller_id);
    }
    ids.extend(cons.iter().map(|c| c.party_id.as_str()));
    for id in ids {
        tell(tx, id, row, sms, now).await?;
    }
    Ok(())
}

//! The SMS alerts that several steps send, queued in the step's transaction.

use db::WriteTx;

use super::{Consenter, Row};
use crate::{Error, outbox};

pub(super) async fn tell_buyer(tx: &mut WriteTx, row: &Row, reg_no: &str, now: i64) -> Result<(), Error> {
    let buyer = &row.buyer_id;
    let text = format!(
        "tims: {reg_no} is being transferred to you (reference {}). Sign in to view it, then accept or decline.",
        row.reference
    );
    outbox::alert(tx, buyer, &text, &row.reference, now).await
}

/// Tell the buyer, each consenter and, with `seller_too`, the seller.
pub(super) async fn tell_all(
    tx: &mut WriteTx,
    row: &Row,
    cons: &[Consenter],
    text: &str,
    now: i64,
    seller_too: bool,
) -> Result<(), Error> {
    let mut ids: Vec<&str> = vec![&row.buyer_id];
    if seller_too {
        ids.push(&row.seller_id);
    }
    ids.extend(cons.iter().map(|c| c.party_id.as_str()));
    for id in ids {
        outbox::alert(tx, id, text, &row.reference, now).await?;
    }
    Ok(())
}

//! Step 4: the buyer answers with a code: accepts, giving the details the
//! record needs, then pays (see `payment`) unless the seller paid on
//! submitting, when the transfer goes straight to the officers' queue; or
//! declines, and the vehicle stays with its owner.

use domain::transfer::{Command, Party as Role, State, Step};
use serde::Deserialize;
use texts::{Lang, Sms, StepTaker, Text as _, TransferRefusal};

use super::attempt::NewAttempt;
use super::code::{CodeStep, check_code};
use super::notify::tell;
use super::payment::{charge, claim, payer_phone};
use super::store::{self, Line, Val};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, step};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

/// What the buyer fills in on accepting.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "123456", "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Nairobi (Likoni Road)"}))]
pub struct Acceptance {
    /// The SMS code of the `answer` step.
    #[serde(default)]
    #[schema(required = true, pattern = "^[0-9]{6}$")]
    pub code: String,
    /// Where the new logbook's owner gets post, e.g. P.O. Box 12345-00100 Nairobi.
    #[serde(default)]
    #[schema(required = true, min_length = 5, max_length = 200, pattern = "^[!-~]+( [!-~]+)*$")]
    pub postal_address: String,
    /// The office where the buyer will collect the new logbook: one of the
    /// agency's offices (the enum lists this server's).
    #[serde(default)]
    #[schema(required = true)]
    pub collection_office: String,
}

/// A postal address as the record keeps it (white space folded), checked.
pub fn postal_address(raw: &str, lang: Lang) -> Result<String, Error> {
    let address = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if address.len() < 5 || address.len() > 200 {
        return Err(FieldErrors::single("postal_address", TransferRefusal::EnterPostalAddress.render(lang)));
    }
    Ok(address)
}

/// One of the agency's offices, as the configuration names it.
pub fn collection_office(reg: &Registry, raw: &str, lang: Lang) -> Result<String, Error> {
    let offices = &reg.config().offices;
    offices.iter().find(|o| o.eq_ignore_ascii_case(raw.trim())).cloned().ok_or_else(|| {
        let offices = offices.join(", ");
        FieldErrors::single("collection_office", TransferRefusal::ChooseOffice { offices: &offices }.render(lang))
    })
}

/// The address and office the buyer gave, and the code's form, checked.
fn check(reg: &Registry, input: &Acceptance, lang: Lang) -> Result<(String, Option<String>), Error> {
    let mut errors = FieldErrors::new();
    let mut keep = |r: Result<String, Error>| match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Invalid(f)) => {
            f.0.into_iter().for_each(|(k, m)| errors.add(k, m));
            Ok(None)
        }
        Err(other) => Err(other),
    };
    let address = keep(postal_address(&input.postal_address, lang))?;
    let office = keep(collection_office(reg, &input.collection_office, lang))?;
    if let Err(e) = domain::policy::code::parse_entry(&input.code) {
        errors.add("code", e.message);
    }
    errors.into_result()?;
    Ok((address.unwrap_or_default(), office))
}

/// The buyer accepts with a code and the details the record needs, then
/// (step 5) pays the fee from their own phone, as the API has always done.
/// With a gateway that settles at once the transfer goes straight to the
/// officers' queue.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn accept(reg: &Registry, actor: &Actor, id: &str, input: &Acceptance) -> Result<TransferView, Error> {
    let (after, cons, attempt) = record_acceptance(reg, actor, id, input, true).await?;
    match attempt {
        Some(attempt) => charge(reg, actor, (after, cons), &payer_phone(actor, None)?, attempt).await,
        None => view(reg, actor, after, cons).await,
    }
}

/// The buyer accepts with a code and the details the record needs; the fee
/// is paid next, on the payment page, from the number the payer chooses.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn accept_then_pay(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    input: &Acceptance,
) -> Result<TransferView, Error> {
    let (after, cons, _) = record_acceptance(reg, actor, id, input, false).await?;
    view(reg, actor, after, cons).await
}

/// The acceptance, in one transaction with the seller's SMS and (when the
/// fee is charged at once) the claimed payment.
async fn record_acceptance(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    input: &Acceptance,
    charge_now: bool,
) -> Result<(store::Row, Vec<store::Consenter>, Option<NewAttempt>), Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Buyer, StepTaker::Buyer)?;
    need_transactor(actor)?;
    let (address, office) = check(reg, input, lang(actor))?;
    let now = reg.now_ms();
    let t = decide(&row, &cons, Command::BuyerAccept, &Role::Buyer, lang(actor))?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Accept, &input.code).await?;
    let mut set = vec![("postal_address", Val::Text(Some(address))), ("collection_office", Val::Text(office))];
    if t.to == State::InReview {
        // The seller paid on submitting: the transfer joins the queue now.
        set.push(("queued_at", Val::Int(now)));
    }
    let after = store::advance(&mut tx, &row, t.to, now, &set, Line::by(Step::BuyerAccept, actor)).await?;
    let fee_paid = t.to == State::InReview;
    let sms = Sms::BuyerAccepted { reference: &row.reference, reg_no: &row.reg_no, fee_paid };
    tell(&mut tx, &row.seller_id, &row, &sms, now).await?;
    let mut attempt = None;
    if charge_now && t.to == State::AwaitingPayment {
        let payer = (actor.person.id.as_str(), &payer_phone(actor, None)?);
        attempt = claim(&mut tx, &after, payer, reg.adapters().payments.name(), now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    Ok((after, cons, attempt))
}

/// The buyer declines with a code: the vehicle stays with its owner.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn decline(reg: &Registry, actor: &Actor, id: &str, code: &str) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Buyer, StepTaker::Buyer)?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let t = decide(&row, &cons, Command::BuyerDecline, &Role::Buyer, lang(actor))?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Decline, code).await?;
    let after = store::advance(&mut tx, &row, t.to, now, &[], Line::by(Step::BuyerDecline, actor)).await?;
    super::refund::on_end(reg, &mut tx, &row, t.to, now).await?;
    let sms = Sms::BuyerDeclined { reference: &row.reference, reg_no: &row.reg_no };
    tell(&mut tx, &row.seller_id, &row, &sms, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

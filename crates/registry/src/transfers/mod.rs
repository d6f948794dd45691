//! The online logbook transfer, step by step as the seed describes it, one
//! use case to a file: `open` (the seller keys it in, the buyer found by
//! `lookup` within a budget), `scan` (the scanned
//! logbook), `code` (SMS codes for the steps that need one), `submit`,
//! `consent` (joint owners and the financier), `answer` (the buyer accepts
//! or declines), `payment` (with `attempt`, each request to the gateway,
//! `reconcile`, and `c2b`, the fee paid by paybill), `refund` (a paid fee
//! when the transfer ends unchanged), `cancel`, `inspect`
//! (what an officer checks the scan against), `review` (an officer decides),
//! `logbook` (the new logbook's way to collection), `expiry`, and `view`,
//! `list` and `ledger` (the payments staff see) to read them. Each step is
//! one database transaction with the journal entry and the SMS it causes;
//! the state machine in `domain::transfer` decides what may happen, and
//! `store` is the only writer of a transfer's rows. Ownership changes
//! through `vehicles::owners`, never here.
//!
//! It knows no HTTP: the API and the pages call these use cases.

pub mod answer;
pub mod attempt;
pub mod c2b;
pub mod cancel;
pub mod code;
pub mod consent;
pub mod expiry;
pub mod inspect;
pub mod ledger;
pub mod list;
pub mod logbook;
mod lookup;
mod notify;
pub mod open;
pub mod payment;
pub mod reconcile;
pub mod refund;
pub mod review;
pub mod scan;
pub mod statement;
pub mod store;
pub mod submit;
pub mod view;

use std::collections::BTreeSet;

use db::WriteTx;
use domain::transfer::{Command, OwnCase, Party as Role, StaffAction, Transfer as Machine, Transition};
use domain::{ConsentDecision, ConsentRole, Date};
use texts::{Lang, StepRefusal, StepTaker, Text as _, TransferRefusal};

use crate::signin::Actor;
use crate::vehicles::own;
use crate::{Error, Registry, parties};

pub use answer::{Acceptance, accept, accept_then_pay, collection_office, decline, postal_address};
pub use cancel::cancel;
pub use code::{CodeStep, send_code};
pub use consent::consent;
pub use expiry::expire_due;
pub use inspect::{ReviewView, inspect};
pub use ledger::{AttemptView, DayReport, attempts, day_report};
pub use list::{ActionItem, ListItem, NeedsAction, list_mine, needs_action, queue, review_backlog};
pub use logbook::{advance_logbook, next_logbook};
pub use open::{NewTransfer, ORGANISATION, Preview, create, preview, vehicle_to_sell};
pub use payment::{PAYMENT_RETRY_AFTER_MS, PaymentView, pay, payment, payment_failed, settle};
pub use refund::refund;
pub use review::{Decision, review};
pub use scan::{logbook_scan, upload_logbook};
pub use statement::{Reversed, StatementEntry, StatementReport};
pub use store::{Consenter, PartySummary, Row};
pub use submit::{Resubmission, resubmission, submit};
pub use view::{Consent, Event, FeeView, LogbookView, TransferView, get};

/// East Africa Time, in which dates are reckoned and shown.
pub const EAT_OFFSET_MS: i64 = 3 * 60 * 60 * 1000;
/// Working days an officer has to review a transfer once it is queued.
pub const REVIEW_WORKING_DAYS: u32 = 2;

pub fn today_eat(now_ms: i64) -> Date {
    Date::from_utc_ms(now_ms + EAT_OFFSET_MS)
}

/// Ask the state machine to carry out `cmd` by `role`; a refusal is in `lang`.
fn decide(row: &Row, consents: &[Consenter], cmd: Command, role: &Role, lang: Lang) -> Result<Transition, Error> {
    machine(row, consents)?.apply(cmd, role).map_err(|r| Error::refused(r, lang))
}

fn machine(row: &Row, consents: &[Consenter]) -> Result<Machine, Error> {
    let required: BTreeSet<String> = consents.iter().map(|c| c.party_id.clone()).collect();
    let approved: BTreeSet<String> =
        consents.iter().filter(|c| c.decision == Some(ConsentDecision::Approved)).map(|c| c.party_id.clone()).collect();
    let m = Machine::restore(row.state, required, approved).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(m.paid_by(row.payer).prepaid(row.fee_kept_from.is_some()))
}

/// Everyone the transfer names: the seller, the buyer, each consenter, and
/// the person who keyed it in.
fn named<'a>(row: &'a Row, consents: &'a [Consenter]) -> Vec<&'a str> {
    let mut n = vec![row.seller_id.as_str(), row.buyer_id.as_str(), row.created_by.as_str()];
    n.extend(consents.iter().map(|c| c.party_id.as_str()));
    n
}

/// Whether the actor is a party to the transfer: themselves, or through any
/// organisation they belong to, whomever they act for just now.
fn party_to(actor: &Actor, row: &Row, consents: &[Consenter]) -> bool {
    domain::transfer::party_to_case(&own(actor), &named(row, consents))
}

/// Staff may not act on a transfer they are a party to (see
/// [`domain::transfer::officiate`]).
fn officiate(actor: &Actor, row: &Row, consents: &[Consenter], action: StaffAction) -> Result<(), Error> {
    if party_to(actor, row, consents) { Err(Error::own_case(OwnCase(action), lang(actor))) } else { Ok(()) }
}

/// The roles the actor holds on this transfer (a person may be several).
/// Staff hold the officer's role only on transfers they are no party to; on
/// their own they hold a party's roles, like anyone else.
pub fn roles(actor: &Actor, row: &Row, consents: &[Consenter]) -> Vec<Role> {
    let p = actor.principal_id();
    let mut r = vec![];
    if row.seller_id == p {
        r.push(Role::Seller);
    }
    if row.buyer_id == p {
        r.push(Role::Buyer);
    }
    for c in consents.iter().filter(|c| c.party_id == p) {
        r.push(match c.role {
            ConsentRole::Financier => Role::Financier(p.to_string()),
            ConsentRole::CoOwner => Role::CoOwner(p.to_string()),
        });
    }
    if actor.is_staff() && !party_to(actor, row, consents) {
        r.push(Role::Officer);
    }
    r
}

/// The language the actor reads refusals in (see [`parties::lang_of`]).
fn lang(actor: &Actor) -> Lang {
    parties::lang_of(&actor.person)
}

fn not_found(lang: Lang) -> Error {
    Error::NotFound(TransferRefusal::NoSuchTransfer.render(lang))
}

/// Load a transfer the actor may see, with its consents and the actor's roles.
async fn visible(reg: &Registry, actor: &Actor, id: &str) -> Result<(Row, Vec<Consenter>, Vec<Role>), Error> {
    let (row, cons) = store::read(reg.db(), id).await?.ok_or_else(|| not_found(lang(actor)))?;
    tracing::Span::current().record("vehicle", row.reg_no.as_str());
    let r = roles(actor, &row, &cons);
    // Someone with no part in a transfer learns nothing, not even that it
    // exists. Staff see every transfer.
    if r.is_empty() && !actor.is_staff() {
        return Err(not_found(lang(actor)));
    }
    Ok((row, cons, r))
}

/// Begin a step: take the write transaction, then read the transfer and its
/// consents in it and check the actor has a part in it (the same rule as
/// `visible`). Everything the step decides is decided on this read.
async fn step(reg: &Registry, actor: &Actor, id: &str) -> Result<(WriteTx, Row, Vec<Consenter>, Vec<Role>), Error> {
    let mut tx = reg.db().begin_write().await?;
    let (row, cons) = store::load(&mut tx, id).await?.ok_or_else(|| not_found(lang(actor)))?;
    tracing::Span::current().record("vehicle", row.reg_no.as_str());
    let r = roles(actor, &row, &cons);
    if r.is_empty() && !actor.is_staff() {
        return Err(not_found(lang(actor)));
    }
    Ok((tx, row, cons, r))
}

/// The actor's role that `wanted` accepts, or a refusal naming who `only`
/// may take the step.
fn need(actor: &Actor, roles: &[Role], wanted: impl Fn(&Role) -> bool, only: StepTaker) -> Result<Role, Error> {
    let refuse = || Error::Forbidden(StepRefusal::NotYourStep { only }.render(lang(actor)));
    roles.iter().find(|r| wanted(r)).cloned().ok_or_else(refuse)
}

fn need_transactor(actor: &Actor) -> Result<(), Error> {
    if actor.may_transact() {
        Ok(())
    } else {
        Err(Error::Forbidden(TransferRefusal::ViewerCannotAct.render(lang(actor))))
    }
}

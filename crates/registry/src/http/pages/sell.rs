//! Selling a vehicle, one question a page: which vehicle, who is buying (a
//! person or an organisation), the buyer's ID or KRA PIN, then a page to
//! check the answers (the buyer's name and an organisation's kind as the
//! registers give them, and the fee) before the transfer is opened. The
//! answers wait in a cookie of their own until then; `transfers::preview`
//! checks them as `create` will. Each check looks the buyer up, which counts
//! against the seller's budget of lookups (a buyer looked up already costs
//! nothing more, so showing the check page again is free).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::{AccountType, BuyerType, DocType};
use pagekit::{Signed, SignedForm};
use serde::{Deserialize, Serialize};
use texts::{Journey as J, RegistryPage as R, SignOnAccount, Text as _};

use super::extract::SignedIn;
use super::form::{C, Confirm, Input, Kind, Q, Row, Start};
use super::frame::{PageResult, error_lines};
use super::kept::{self, Answers, see_other};
use crate::Registry;
use crate::transfers::{self, NewTransfer, ORGANISATION};

const SALE: Answers = Answers { name: "__Host-tims_reg_sale" };

const VEHICLE: &str = "/transfers/new";
const BUYER: &str = "/transfers/new/buyer";
const BUYER_ID: &str = "/transfers/new/buyer-id";
const CHECK: &str = "/transfers/new/check";

/// A sale's answers so far.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Sale {
    registration_number: String,
    /// `individual` or `organisation`.
    buyer: String,
    doc_type: String,
    doc_number: String,
}

impl Sale {
    fn input(&self) -> NewTransfer {
        NewTransfer {
            registration_number: self.registration_number.clone(),
            buyer_type: self.buyer.clone(),
            buyer_id_type: Some(self.doc_type.clone()).filter(|d| !d.is_empty() && self.buyer != ORGANISATION),
            buyer_id_number: self.doc_number.clone(),
        }
    }

    fn complete(&self) -> bool {
        !self.registration_number.is_empty() && !self.buyer.is_empty() && !self.doc_number.is_empty()
    }

    fn caption(&self, me: &SignedIn) -> String {
        if self.registration_number.is_empty() {
            J::SellAVehicle.render(me.lang)
        } else {
            J::SellVehicle { reg_no: &self.registration_number }.render(me.lang)
        }
    }

    /// Where an answer leads: the next question, or back to the check
    /// once every answer is in (after a "Change").
    fn next(&self, then: &str) -> &'static str {
        if self.complete() {
            CHECK
        } else {
            match then {
                BUYER => BUYER,
                _ => BUYER_ID,
            }
        }
    }
}

/// The refusal of one question's answer: back to its page with its
/// errors; errors that belong to another question's field show in the
/// summary only.
fn refused(path: &str, values: &[(&str, &str)], me: &SignedIn, e: &crate::Error) -> Response {
    kept::back(path, values, error_lines(me.lang, e))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VehicleQuery {
    registration_number: Option<String>,
}

/// Which vehicle are you selling? (A "Sell" link names it already.)
pub async fn vehicle_page(
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Query(q): Query<VehicleQuery>,
) -> PageResult {
    let sale: Sale = SALE.read(&headers);
    let value = q.registration_number.unwrap_or(sale.registration_number.clone());
    let start = Start::new(&me, &headers, VEHICLE);
    let input = Input::new(Kind::Text, "registration_number", "")
        .hint(R::RegistrationExample.render(me.lang))
        .filled(&start.kept, &value);
    Ok(start.question(Q {
        caption: J::SellAVehicle.render(me.lang),
        title: J::WhichVehicle.render(me.lang),
        action: VEHICLE.into(),
        inputs: vec![input],
        button: J::Continue.render(me.lang),
        back: if sale.complete() { CHECK.into() } else { "/".into() },
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VehicleForm {
    registration_number: String,
}

pub async fn vehicle_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    f: SignedForm<Registry, VehicleForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let mut sale: Sale = SALE.read(&headers);
    match transfers::vehicle_to_sell(&reg, &me.actor, &f.registration_number).await {
        Ok(reg_no) => {
            sale.registration_number = reg_no;
            see_other(sale.next(BUYER), [SALE.keep(&sale)])
        }
        Err(e) => refused(VEHICLE, &[("registration_number", &f.registration_number)], &me, &e),
    }
}

/// Who is buying it: a person or an organisation?
pub async fn buyer_page(headers: HeaderMap, Signed(me): Signed<Registry>) -> PageResult {
    let sale: Sale = SALE.read(&headers);
    if sale.registration_number.is_empty() {
        return Ok(see_other(VEHICLE, []));
    }
    let start = Start::new(&me, &headers, BUYER);
    let options = vec![
        (BuyerType::INDIVIDUAL.to_string(), J::BuyerIsAPerson.render(me.lang)),
        (ORGANISATION.to_string(), J::BuyerIsAnOrganisation.render(me.lang)),
    ];
    let input = Input::new(Kind::Radios, "buyer", "")
        .hint(J::BuyerKindHint.render(me.lang))
        .options(options)
        .filled(&start.kept, &sale.buyer);
    Ok(start.question(Q {
        caption: sale.caption(&me),
        title: J::WhoIsBuying.render(me.lang),
        action: BUYER.into(),
        inputs: vec![input],
        button: J::Continue.render(me.lang),
        back: if sale.complete() { CHECK.into() } else { VEHICLE.into() },
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuyerForm {
    buyer: String,
}

pub async fn buyer_answer(headers: HeaderMap, f: SignedForm<Registry, BuyerForm>) -> Response {
    let SignedForm { session: me, form: f } = f;
    let mut sale: Sale = SALE.read(&headers);
    if f.buyer != BuyerType::INDIVIDUAL && f.buyer != ORGANISATION {
        let e = crate::FieldErrors::single("buyer", J::ChooseBuyerKind.render(me.lang));
        return refused(BUYER, &[], &me, &e);
    }
    if sale.buyer != f.buyer {
        // Another kind of buyer has another kind of ID: ask for it again.
        sale.doc_type.clear();
        sale.doc_number.clear();
    }
    sale.buyer = f.buyer;
    see_other(sale.next(BUYER_ID), [SALE.keep(&sale)])
}

/// The buyer's ID (a person) or KRA PIN (an organisation).
pub async fn buyer_id_page(headers: HeaderMap, Signed(me): Signed<Registry>) -> PageResult {
    let sale: Sale = SALE.read(&headers);
    if sale.buyer.is_empty() {
        return Ok(see_other(BUYER, []));
    }
    let start = Start::new(&me, &headers, BUYER_ID);
    let lang = me.lang;
    let (title, inputs) = if sale.buyer == ORGANISATION {
        let pin = Input::new(Kind::Text, "buyer_id_number", "")
            .hint(J::KraPinHint.render(lang))
            .filled(&start.kept, &sale.doc_number);
        (J::WhatIsTheBuyersPin.render(lang), vec![pin])
    } else {
        let documents = AccountType::ALL
            .iter()
            .map(|&account_type| (account_type.as_str().to_string(), R::BuyerDocument { account_type }.render(lang)))
            .collect();
        let doc = if sale.doc_type.is_empty() { AccountType::Citizen.as_str() } else { &sale.doc_type };
        let kind = Input::new(Kind::Radios, "buyer_id_type", J::IdDocument.render(lang))
            .options(documents)
            .filled(&start.kept, doc);
        let number = Input::new(Kind::Text, "buyer_id_number", J::IdDocumentNumber.render(lang))
            .hint(J::IdNumberHint.render(lang))
            .filled(&start.kept, &sale.doc_number);
        (J::WhatIsTheBuyersId.render(lang), vec![kind, number])
    };
    Ok(start.question(Q {
        caption: sale.caption(&me),
        title,
        lead: vec![J::BuyerMustHaveSignedIn.render(lang)],
        action: BUYER_ID.into(),
        inputs,
        button: J::Continue.render(lang),
        back: if sale.complete() { CHECK.into() } else { BUYER.into() },
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuyerIdForm {
    buyer_id_type: String,
    buyer_id_number: String,
}

pub async fn buyer_id_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    f: SignedForm<Registry, BuyerIdForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let mut sale: Sale = SALE.read(&headers);
    sale.doc_type = if sale.buyer == ORGANISATION { String::new() } else { f.buyer_id_type.clone() };
    sale.doc_number = f.buyer_id_number.clone();
    match transfers::preview(&reg, &me.actor, &sale.input()).await {
        Ok(p) => {
            sale.doc_number = p.buyer_doc_number;
            see_other(CHECK, [SALE.keep(&sale)])
        }
        Err(e) => {
            let values = [("buyer_id_type", f.buyer_id_type.as_str()), ("buyer_id_number", f.buyer_id_number.as_str())];
            refused(BUYER_ID, &values, &me, &e)
        }
    }
}

/// Check your answers before the transfer is opened.
pub async fn check_page(State(reg): State<Registry>, headers: HeaderMap, Signed(me): Signed<Registry>) -> PageResult {
    let sale: Sale = SALE.read(&headers);
    if !sale.complete() {
        return Ok(see_other(VEHICLE, []));
    }
    let lang = me.lang;
    let p = match transfers::preview(&reg, &me.actor, &sale.input()).await {
        Ok(p) => p,
        // Something changed since (the vehicle, the buyer): back to the
        // question it concerns, saying what.
        Err(e) => {
            let lines = error_lines(lang, &e);
            let to = if lines.iter().any(|(f, _)| f == "registration_number") { VEHICLE } else { BUYER_ID };
            return Ok(kept::back(to, &[], lines));
        }
    };
    let kind = match p.buyer_type {
        BuyerType::Individual => J::BuyerIsAPerson.render(lang),
        BuyerType::Organisation(kind) => SignOnAccount::OrgKindName { kind }.render(lang),
    };
    let doc = match p.buyer_doc_type {
        DocType::Person(account_type) => R::BuyerDocument { account_type }.render(lang),
        DocType::KraPin => J::KraPin.render(lang),
    };
    let mut lead = vec![J::AfterStarting.render(lang)];
    if p.consents > 0 {
        lead.push(J::OthersMustConsent { n: p.consents }.render(lang));
    }
    let start = Start::new(&me, &headers, CHECK);
    Ok(start.check(C {
        caption: J::SellVehicle { reg_no: &p.registration_number }.render(lang),
        title: J::CheckBeforeStarting.render(lang),
        rows: vec![
            Row::new(R::ColVehicle.render(lang), format!("{}, {}", p.registration_number, p.vehicle), VEHICLE),
            Row::new(J::Buyer.render(lang), kind, BUYER),
            Row::new(doc, p.buyer_doc_number.clone(), BUYER_ID),
            Row::new(J::BuyersName.render(lang), p.buyer_name.clone(), ""),
            Row::new(R::TransferFee.render(lang), paid_by(p.buyer_pays, p.total_cents).render(lang), ""),
        ],
        lead,
        action: CHECK.into(),
        button: J::StartTheTransfer.render(lang),
        back: BUYER_ID.into(),
        ..C::default()
    }))
}

/// Open the transfer, forget the answers, and show it.
pub async fn check_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    let sale: Sale = SALE.read(&headers);
    match transfers::create(&reg, &me.actor, &sale.input()).await {
        Ok(t) => see_other(&format!("/transfers/{}?notice=created", t.id), [SALE.forget()]),
        Err(e) => kept::back(CHECK, &[], error_lines(me.lang, &e)),
    }
}

/// Who pays the fee, as the check pages say it.
pub(super) fn paid_by(buyer_pays: bool, amount_cents: i64) -> J<'static> {
    if buyer_pays { J::FeePaidByBuyer { amount_cents } } else { J::FeePaidBySeller { amount_cents } }
}

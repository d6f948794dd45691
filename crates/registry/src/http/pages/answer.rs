//! Answering a transfer, a question a page: the buyer accepts (giving a
//! postal address and the office to collect the logbook at) or declines;
//! a joint owner or the financier approves or refuses. Each answer is
//! checked on its own page, then confirmed with an SMS code issued for
//! that answer alone (a code to accept never declines). The answers wait
//! in a cookie of their own until the code is typed. Also the code page
//! every step shares.

use axum::extract::{MatchedPath, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use pagekit::{Signed, SignedForm};
use serde::{Deserialize, Serialize};
use texts::{Answering as A, Journey as J, Lang, Page, RegistryPage as R, Text as _};

use super::extract::SignedIn;
use super::form::{C, Confirm, Input, Kind, Q, Row, Start};
use super::frame::{OrShow, PageResult, error_lines};
use super::kept::{self, Answers, see_other};
use crate::transfers::{self, Acceptance, CodeStep, TransferView};
use crate::{FieldErrors, Registry};

const ANSWER: Answers = Answers { name: "__Host-tims_reg_answer" };
const YES: &str = "yes";
const NO: &str = "no";

/// Who answers: the buyer (`/transfers/{id}/answer/…`) or a joint owner
/// or the financier (`/transfers/{id}/consent/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Buyer,
    Consenter,
}

impl Who {
    /// From the route that matched.
    fn of(m: &MatchedPath) -> Self {
        if m.as_str().starts_with("/transfers/{id}/consent") { Who::Consenter } else { Who::Buyer }
    }

    fn segment(self) -> &'static str {
        match self {
            Who::Buyer => "answer",
            Who::Consenter => "consent",
        }
    }

    fn path(self, id: &str, step: &str) -> String {
        let who = self.segment();
        if step.is_empty() { format!("/transfers/{id}/{who}") } else { format!("/transfers/{id}/{who}/{step}") }
    }

    /// The code step for an answer.
    fn code_step(self, yes: bool) -> CodeStep {
        match (self, yes) {
            (Who::Buyer, true) => CodeStep::Accept,
            (Who::Buyer, false) => CodeStep::Decline,
            (Who::Consenter, true) => CodeStep::Approve,
            (Who::Consenter, false) => CodeStep::Refuse,
        }
    }
}

/// The answers so far, for one transfer.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Answer {
    transfer: String,
    answer: String,
    postal_address: String,
    collection_office: String,
}

impl Answer {
    fn read(headers: &HeaderMap, id: &str) -> Self {
        let a: Answer = ANSWER.read(headers);
        if a.transfer == id { a } else { Answer { transfer: id.to_string(), ..Answer::default() } }
    }

    fn yes(&self) -> bool {
        self.answer == YES
    }

    /// Everything the answer needs is in.
    fn complete(&self, who: Who) -> bool {
        match (who, self.answer.as_str()) {
            (Who::Buyer, YES) => !self.postal_address.is_empty() && !self.collection_office.is_empty(),
            (_, YES | NO) => true,
            _ => false,
        }
    }

    /// Where to go after an answer: the next question not yet answered,
    /// else the check.
    fn next(&self, who: Who) -> &'static str {
        match (who, self.yes()) {
            (Who::Buyer, true) if self.postal_address.is_empty() => "address",
            (Who::Buyer, true) if self.collection_office.is_empty() => "office",
            _ => "check",
        }
    }
}

fn caption(lang: Lang, t: &TransferView) -> String {
    R::TransferTitle { reference: &t.reference }.render(lang)
}

/// Do you accept the transfer? / Do you agree to the sale?
pub async fn question_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    m: MatchedPath,
    Path(id): Path<String>,
) -> PageResult {
    let who = Who::of(&m);
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let a = Answer::read(&headers, &id);
    let lang = me.lang;
    let start = Start::new(&me, &headers, &who.path(&id, ""));
    let vehicle = format!("{}, {}", t.registration_number, t.vehicle);
    let (title, lead, yes, no) = match who {
        Who::Buyer => (
            A::DoYouAccept { reg_no: &t.registration_number, seller: &t.seller.name },
            vec![
                A::TheVehicle { vehicle: &vehicle },
                match t.fee.buyer_pays {
                    true => A::IfYouAccept { amount_cents: t.fee.total_cents },
                    false => A::FeeAlreadyPaid,
                },
            ],
            A::YesAccept,
            A::NoDecline,
        ),
        Who::Consenter => (
            A::DoYouAgree { reg_no: &t.registration_number, buyer: &t.buyer.name },
            vec![A::TheVehicle { vehicle: &vehicle }, A::AsOwnerYouMustAgree],
            A::YesApprove,
            A::NoRefuse,
        ),
    };
    let options = vec![(YES.to_string(), yes.render(lang)), (NO.to_string(), no.render(lang))];
    let input = Input::new(Kind::Radios, "answer", "").options(options).filled(&start.kept, &a.answer);
    Ok(start.question(Q {
        caption: caption(lang, &t),
        title: title.render(lang),
        lead: lead.into_iter().map(|l| l.render(lang)).collect(),
        action: who.path(&id, ""),
        inputs: vec![input],
        button: J::Continue.render(lang),
        back: format!("/transfers/{id}"),
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
}

pub async fn question_answer(
    headers: HeaderMap,
    m: MatchedPath,
    Path(id): Path<String>,
    f: SignedForm<Registry, AnswerForm>,
) -> Response {
    let who = Who::of(&m);
    let SignedForm { session: me, form: f } = f;
    let mut a = Answer::read(&headers, &id);
    if f.answer != YES && f.answer != NO {
        let e = FieldErrors::single("answer", A::ChooseAnAnswer.render(me.lang));
        return kept::back(&who.path(&id, ""), &[], error_lines(me.lang, &e));
    }
    a.answer = f.answer;
    see_other(&who.path(&id, a.next(who)), [ANSWER.keep(&a)])
}

/// The buyer's postal address.
pub async fn address_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let a = Answer::read(&headers, &id);
    let lang = me.lang;
    let here = Who::Buyer.path(&id, "address");
    let start = Start::new(&me, &headers, &here);
    let input = Input::new(Kind::Text, "postal_address", "")
        .hint(R::AddressExample.render(lang))
        .autocomplete("street-address")
        .filled(&start.kept, &a.postal_address);
    Ok(start.question(Q {
        caption: caption(lang, &t),
        title: A::WhatIsYourPostalAddress.render(lang),
        lead: vec![A::AddressWhy.render(lang)],
        action: here,
        inputs: vec![input],
        button: J::Continue.render(lang),
        back: Who::Buyer.path(&id, ""),
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddressForm {
    postal_address: String,
}

pub async fn address_answer(
    headers: HeaderMap,
    Path(id): Path<String>,
    f: SignedForm<Registry, AddressForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let mut a = Answer::read(&headers, &id);
    match transfers::postal_address(&f.postal_address, me.lang) {
        Ok(address) => {
            a.postal_address = address;
            see_other(&Who::Buyer.path(&id, a.next(Who::Buyer)), [ANSWER.keep(&a)])
        }
        Err(e) => kept::back(
            &Who::Buyer.path(&id, "address"),
            &[("postal_address", &f.postal_address)],
            error_lines(me.lang, &e),
        ),
    }
}

/// Where the buyer will collect the new logbook.
pub async fn office_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let a = Answer::read(&headers, &id);
    let lang = me.lang;
    let here = Who::Buyer.path(&id, "office");
    let start = Start::new(&me, &headers, &here);
    let offices = reg.config().offices.iter().map(|o| (o.clone(), o.clone())).collect();
    let input = Input::new(Kind::Radios, "collection_office", "")
        .hint(A::OfficeHint.render(lang))
        .options(offices)
        .filled(&start.kept, &a.collection_office);
    Ok(start.question(Q {
        caption: caption(lang, &t),
        title: A::WhereWillYouCollect.render(lang),
        action: here,
        inputs: vec![input],
        button: J::Continue.render(lang),
        back: Who::Buyer.path(&id, "address"),
        ..Q::default()
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfficeForm {
    collection_office: String,
}

pub async fn office_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Path(id): Path<String>,
    f: SignedForm<Registry, OfficeForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let mut a = Answer::read(&headers, &id);
    match transfers::collection_office(&reg, &f.collection_office, me.lang) {
        Ok(office) => {
            a.collection_office = office;
            see_other(&Who::Buyer.path(&id, "check"), [ANSWER.keep(&a)])
        }
        Err(e) => kept::back(&Who::Buyer.path(&id, "office"), &[], error_lines(me.lang, &e)),
    }
}

/// Check the answer before the code for it is sent.
pub async fn check_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    m: MatchedPath,
    Path(id): Path<String>,
) -> PageResult {
    let who = Who::of(&m);
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let a = Answer::read(&headers, &id);
    if !a.complete(who) {
        return Ok(see_other(&who.path(&id, a.next(who)), []));
    }
    let lang = me.lang;
    let start = Start::new(&me, &headers, &who.path(&id, "check"));
    let said = match (who, a.yes()) {
        (Who::Buyer, true) => A::YesAccept,
        (Who::Buyer, false) => A::NoDecline,
        (Who::Consenter, true) => A::YesApprove,
        (Who::Consenter, false) => A::NoRefuse,
    };
    let mut rows = vec![Row::new(A::YourAnswer.render(lang), said.render(lang), who.path(&id, ""))];
    let mut c = C { caption: caption(lang, &t), title: A::CheckYourAnswer.render(lang), ..C::default() };
    match (who, a.yes()) {
        (Who::Buyer, true) => {
            rows.push(Row::new(Page::PostalAddress.render(lang), a.postal_address.clone(), who.path(&id, "address")));
            rows.push(Row::new(
                Page::CollectionOffice.render(lang),
                a.collection_office.clone(),
                who.path(&id, "office"),
            ));
            let fee = match t.fee.buyer_pays {
                true => A::FeePaidNext { amount_cents: t.fee.total_cents }.render(lang),
                false => A::FeeAlreadyPaid.render(lang),
            };
            rows.push(Row::new(R::TransferFee.render(lang), fee, ""));
            c.button = A::SendCodeToAccept.render(lang);
        }
        (Who::Buyer, false) => {
            c.warning = A::DeclineEnds.render(lang);
            c.button = A::SendCodeToDecline.render(lang);
            c.button_style = "warning";
        }
        (Who::Consenter, true) => c.button = A::SendCodeToApprove.render(lang),
        (Who::Consenter, false) => {
            c.warning = A::RefuseEnds.render(lang);
            c.button = A::SendCodeToRefuse.render(lang);
            c.button_style = "warning";
        }
    }
    c.rows = rows;
    c.action = who.path(&id, "check");
    c.back = who.path(&id, if who == Who::Buyer && a.yes() { "office" } else { "" });
    Ok(start.check(c))
}

/// Send the code for the answer, and ask for it.
pub async fn check_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    m: MatchedPath,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let who = Who::of(&m);
    let me = f.session;
    let a = Answer::read(&headers, &id);
    if !a.complete(who) {
        return see_other(&who.path(&id, a.next(who)), []);
    }
    match transfers::send_code(&reg, &me.actor, &id, who.code_step(a.yes())).await {
        Ok(_) => see_other(&who.path(&id, "code"), []),
        Err(e) => kept::back(&who.path(&id, "check"), &[], error_lines(me.lang, &e)),
    }
}

/// Whether a new code was just sent (`?sent=again`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentQuery {
    sent: Option<String>,
}

impl SentQuery {
    pub fn sent(&self) -> bool {
        self.sent.as_deref() == Some("again")
    }
}

/// The code page every step shares: type the code sent for `step`
/// (`submit`, `answer`, `consent`), or ask for a new one; `back` is the
/// page before it.
pub fn code_question(
    me: &SignedIn,
    start: Start,
    t: &TransferView,
    (caption, title): (String, String),
    step: &str,
    back: &str,
    sent_again: bool,
) -> Response {
    let lang = me.lang;
    let id = &t.id;
    let phone = me.actor.person.phone.as_deref().map(texts::format::phone_masked);
    let mut lead = vec![A::WeSentACode { phone: phone.as_deref().unwrap_or_default() }.render(lang)];
    if sent_again {
        lead.insert(0, A::NewCodeSent.render(lang));
    }
    let input = Input::new(Kind::Code, "code", "").hint(Page::CodeLabel.render(lang)).filled(&start.kept, "");
    start.question(Q {
        caption,
        title,
        lead,
        action: format!("/transfers/{id}/{step}/code"),
        inputs: vec![input],
        button: J::Confirm.render(lang),
        back: back.to_string(),
        also: Some((format!("/transfers/{id}/{step}/resend"), A::SendANewCode.render(lang))),
        ..Q::default()
    })
}

/// Type the code for the answer.
pub async fn code_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    m: MatchedPath,
    Path(id): Path<String>,
    Query(q): Query<SentQuery>,
) -> PageResult {
    let who = Who::of(&m);
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let a = Answer::read(&headers, &id);
    let title = match (who, a.yes()) {
        (Who::Buyer, true) => A::CodeToAccept,
        (Who::Buyer, false) => A::CodeToDecline,
        (Who::Consenter, true) => A::CodeToApprove,
        (Who::Consenter, false) => A::CodeToRefuse,
    }
    .render(me.lang);
    let start = Start::new(&me, &headers, &who.path(&id, "code"));
    let back = who.path(&id, "check");
    Ok(code_question(&me, start, &t, (caption(me.lang, &t), title), who.segment(), &back, q.sent()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
}

/// Take the answer with its code.
pub async fn code_answer(
    State(reg): State<Registry>,
    headers: HeaderMap,
    m: MatchedPath,
    Path(id): Path<String>,
    f: SignedForm<Registry, CodeForm>,
) -> Response {
    let who = Who::of(&m);
    let SignedForm { session: me, form: f } = f;
    let a = Answer::read(&headers, &id);
    if !a.complete(who) {
        return see_other(&who.path(&id, a.next(who)), []);
    }
    let (actor, code) = (&me.actor, f.code);
    let done = match (who, a.yes()) {
        (Who::Buyer, true) => {
            let acceptance = Acceptance {
                code,
                postal_address: a.postal_address.clone(),
                collection_office: a.collection_office.clone(),
            };
            transfers::accept_then_pay(&reg, actor, &id, &acceptance).await.map(|_| "accepted")
        }
        (Who::Buyer, false) => transfers::decline(&reg, actor, &id, &code).await.map(|_| "declined"),
        (Who::Consenter, yes) => {
            transfers::consent(&reg, actor, &id, yes, &code).await.map(|_| if yes { "approved" } else { "refused" })
        }
    };
    match done {
        Ok(notice) => see_other(&format!("/transfers/{id}?notice={notice}"), [ANSWER.forget()]),
        Err(e) => kept::back(&who.path(&id, "code"), &[], error_lines(me.lang, &e)),
    }
}

/// Send a new code for the answer.
pub async fn resend(
    State(reg): State<Registry>,
    headers: HeaderMap,
    m: MatchedPath,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let who = Who::of(&m);
    let me = f.session;
    let a = Answer::read(&headers, &id);
    match transfers::send_code(&reg, &me.actor, &id, who.code_step(a.yes())).await {
        Ok(_) => see_other(&format!("{}?sent=again", who.path(&id, "code")), []),
        Err(e) => kept::back(&who.path(&id, "code"), &[], error_lines(me.lang, &e)),
    }
}

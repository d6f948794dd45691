//! The logbook transfer as a state machine, and the logbook it produces.
//!
//! The registry keeps transfers in its database; this module decides, with
//! no I/O, whether a command from a party may move a transfer and where to.
//! [`apply`] either returns the [`Transition`] to store (with the history row
//! the caller writes beside it) or a [`Refusal`] that says why not, leaving
//! the transfer as it was.
//!
//! ```text
//! draft --seller submits (after the SMS code)--> awaiting_consents   (if there are co-owners or a financier)
//!                                            --> awaiting_buyer      (if not)
//! draft --submit, when the seller pays--> awaiting_seller_payment --paid--> awaiting_consents or awaiting_buyer;
//!       the buyer's acceptance then goes to in_review (so too when a kept payment paid for the transfer)
//! awaiting_consents --each consenter approves once; the last approval--> awaiting_buyer
//! awaiting_consents --any consenter refuses--> consent_refused
//! awaiting_buyer --buyer declines--> declined
//! awaiting_buyer --buyer accepts--> awaiting_payment --payment settled--> in_review
//! in_review --officer approves--> approved     in_review --officer rejects with a reason--> rejected
//! in_review --officer rejects the scan (the first four reasons)--> returned_for_scan
//! returned_for_scan --seller resubmits (a new scan, the SMS code)--> in_review
//! draft, awaiting_seller_payment, awaiting_consents, awaiting_buyer --seller cancels--> cancelled
//! every open state but in_review --the system expires it--> expired
//! ```
//!
//! Rules chosen where DESIGN.md is silent:
//! - The seller may cancel until the buyer accepts, so not once the transfer
//!   awaits payment.
//! - An accepted transfer that is never paid expires like an unanswered one,
//!   so that a vehicle is not held by a transfer no one completes. A transfer
//!   in review does not expire: it waits for an officer.
//! - A consent refusal ends the transfer (`consent_refused`); the seller may
//!   start a new one.
//! - Who pays is the fee schedule's policy ([`crate::fees::Payer`]), fixed
//!   on the transfer when it is opened: the buyer on accepting, or the
//!   seller on submitting, before any consenter or the buyer is asked.
//! - Only the system marks a payment settled (on the payment gateway's word)
//!   and expires transfers.
//! - Staff may not act on a transfer they are a party to, themselves or
//!   through any organisation they belong to ([`officiate`]).
//! - An officer rejects with a reason from a list ([`RejectReason`]). A
//!   reason about the scan returns the transfer to the seller, who may
//!   correct it and resubmit without paying again: the fee, the consents
//!   and the buyer's acceptance stand. A returned transfer expires like an
//!   unanswered one if the seller never resubmits. Any other reason ends it.

mod logbook;
mod reason;
mod staff;

pub use logbook::{LogbookRefusal, LogbookState};
pub use reason::{REASON_MAX_CHARS, RejectReason};
pub use staff::{OwnCase, StaffAction, officiate, party_to_case};

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::date::Date;
use crate::fees::{Ending, Payer};
use crate::workdays::Calendar;

/// Days after which a transfer no one completes expires, unless configured
/// otherwise.
pub const DEFAULT_EXPIRY_DAYS: u32 = 14;

/// Working days after approval by which the new logbook is ready.
pub const LOGBOOK_WORKING_DAYS: u32 = 7;

/// The day the new logbook is ready: approval + 7 working days.
pub fn logbook_ready_on(calendar: &Calendar, approved_on: Date) -> Date {
    calendar.add_working_days(approved_on, LOGBOOK_WORKING_DAYS)
}

string_enum!(
    /// Where a transfer stands. Stored as its snake_case name.
    State, "one of" {
        /// Created by the seller, not yet confirmed with the SMS code.
        Draft = "draft": "Draft",
        /// Waiting for each joint owner and any financier to approve.
        /// Submitted by a seller who pays the fee before anyone is asked.
        AwaitingSellerPayment = "awaiting_seller_payment": "Awaiting the seller's payment",
        AwaitingConsents = "awaiting_consents": "Awaiting co-owners' consent",
        AwaitingBuyer = "awaiting_buyer": "Awaiting the buyer",
        AwaitingPayment = "awaiting_payment": "Awaiting payment",
        InReview = "in_review": "In review",
        Approved = "approved": "Approved",
        Rejected = "rejected": "Rejected",
        Declined = "declined": "Declined by the buyer",
        /// A joint owner or the financier refused their consent.
        ConsentRefused = "consent_refused": "Refused by a co-owner or financier",
        Cancelled = "cancelled": "Cancelled by the seller",
        Expired = "expired": "Expired",
        /// An officer found the scan wanting: the seller uploads a new one
        /// and resubmits, without paying again.
        ReturnedForScan = "returned_for_scan": "Returned to the seller for a new scan",
    }
);

impl State {
    /// Not yet finished: a vehicle has at most one open transfer.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Draft
                | Self::AwaitingSellerPayment
                | Self::AwaitingConsents
                | Self::AwaitingBuyer
                | Self::AwaitingPayment
                | Self::InReview
                | Self::ReturnedForScan
        )
    }

    /// Whether the fee is awaited: from the buyer who accepted, or from the
    /// seller who submitted.
    pub fn awaits_payment(self) -> bool {
        matches!(self, Self::AwaitingPayment | Self::AwaitingSellerPayment)
    }

    /// Whether a transfer in this state expires when no one completes it.
    pub fn can_expire(self) -> bool {
        self.is_open() && self != Self::InReview
    }

    /// How a transfer in this state ended without a change of owner, for the rule on a paid
    /// fee; `None` while open or once approved. A consenter's refusal counts as a cancellation.
    pub fn ending(self) -> Option<Ending> {
        match self {
            Self::Declined => Some(Ending::Declined),
            Self::Cancelled | Self::ConsentRefused => Some(Ending::Cancelled),
            Self::Expired => Some(Ending::Expired),
            Self::Rejected => Some(Ending::Rejected),
            _ => None,
        }
    }

    /// What happens next, for the timeline every party sees.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::Draft => "Waiting for the seller to confirm with the SMS code and submit",
            Self::AwaitingSellerPayment => "Waiting for the seller to pay the transfer fee",
            Self::AwaitingConsents => "Waiting for every joint owner and the financier to approve with their SMS code",
            Self::AwaitingBuyer => "Waiting for the buyer to accept or decline",
            Self::AwaitingPayment => "Waiting for the buyer to pay the transfer fee",
            Self::InReview => "Waiting for an officer to review the transfer and the scanned logbook",
            Self::Approved => "Ownership has changed; the new logbook is being printed for collection",
            Self::Rejected => "An officer rejected the transfer; the vehicle stays with its owner",
            Self::Declined => "The buyer declined; the vehicle stays with its owner",
            Self::ConsentRefused => "A joint owner or the financier refused; the vehicle stays with its owner",
            Self::Cancelled => "The seller cancelled; the vehicle stays with its owner",
            Self::Expired => "No one completed the transfer in time; the vehicle stays with its owner",
            Self::ReturnedForScan => "Waiting for the seller to upload a new scan of the logbook and resubmit",
        }
    }
}

/// Every move the machine can make, as (from, to). `awaiting_consents` to
/// itself is an approval that leaves others pending.
pub const TRANSITIONS: &[(State, State)] = {
    use State::*;
    &[
        (Draft, AwaitingSellerPayment),
        (Draft, AwaitingConsents),
        (Draft, AwaitingBuyer),
        (Draft, Cancelled),
        (Draft, Expired),
        (AwaitingSellerPayment, AwaitingConsents),
        (AwaitingSellerPayment, AwaitingBuyer),
        (AwaitingSellerPayment, Cancelled),
        (AwaitingSellerPayment, Expired),
        (AwaitingConsents, AwaitingConsents),
        (AwaitingConsents, AwaitingBuyer),
        (AwaitingConsents, ConsentRefused),
        (AwaitingConsents, Cancelled),
        (AwaitingConsents, Expired),
        (AwaitingBuyer, AwaitingPayment),
        (AwaitingBuyer, InReview),
        (AwaitingBuyer, Declined),
        (AwaitingBuyer, Cancelled),
        (AwaitingBuyer, Expired),
        (AwaitingPayment, InReview),
        (AwaitingPayment, Expired),
        (InReview, Approved),
        (InReview, Rejected),
        (InReview, ReturnedForScan),
        (ReturnedForScan, InReview),
        (ReturnedForScan, Expired),
    ]
};

/// Who is acting on a transfer, in the role that matters to it. Consenters
/// carry the identifier (as the registry stores it) of the owner or
/// financier they are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "role", content = "id", rename_all = "snake_case")]
pub enum Party {
    Seller,
    /// A joint owner other than the seller.
    CoOwner(String),
    /// The financier sitting on the logbook while a loan is open.
    Financier(String),
    Buyer,
    Officer,
    /// The registry itself: payment callbacks and the expiry job.
    System,
}

impl Party {
    /// The roles a caller may hold on a transfer (all but the system's).
    pub const CALLER_ROLES: &'static [&'static str] = &["seller", "co_owner", "financier", "buyer", "officer"];

    /// The role as stored in the timeline.
    pub fn role(&self) -> &'static str {
        match self {
            Self::Seller => "seller",
            Self::CoOwner(_) => "co_owner",
            Self::Financier(_) => "financier",
            Self::Buyer => "buyer",
            Self::Officer => "officer",
            Self::System => "system",
        }
    }
}

/// What a party asks of a transfer. Codes are verified by the caller before
/// it issues the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    SellerSubmit,
    Consent {
        party_id: String,
        approve: bool,
    },
    BuyerAccept,
    BuyerDecline,
    PaymentSettled,
    OfficerApprove,
    /// `note` is the officer's own words: required with
    /// [`RejectReason::Other`], optional with the listed reasons.
    OfficerReject {
        reason: RejectReason,
        note: String,
    },
    SellerCancel,
    Expire,
    /// The seller sends a returned transfer back to review; `new_scan` says
    /// whether a scan was uploaded since it was returned.
    SellerResubmit {
        new_scan: bool,
    },
}

impl Command {
    /// The command's name as stored in the timeline.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SellerSubmit => "seller_submit",
            Self::Consent { approve: true, .. } => "consent_approve",
            Self::Consent { approve: false, .. } => "consent_refuse",
            Self::BuyerAccept => "buyer_accept",
            Self::BuyerDecline => "buyer_decline",
            Self::PaymentSettled => "payment_settled",
            Self::OfficerApprove => "officer_approve",
            Self::OfficerReject { reason, .. } if reason.about_the_scan() => "officer_return",
            Self::OfficerReject { .. } => "officer_reject",
            Self::SellerCancel => "seller_cancel",
            Self::Expire => "expire",
            Self::SellerResubmit { .. } => "seller_resubmit",
        }
    }

    /// What the command does, for the words of a refusal.
    pub fn deed(&self) -> Deed {
        match self {
            Self::SellerSubmit => Deed::Submit,
            Self::Consent { .. } => Deed::ConsentTo,
            Self::BuyerAccept => Deed::Accept,
            Self::BuyerDecline => Deed::Decline,
            Self::PaymentSettled => Deed::MarkPaid,
            Self::OfficerApprove => Deed::Approve,
            Self::OfficerReject { .. } => Deed::Reject,
            Self::SellerCancel => Deed::Cancel,
            Self::Expire => Deed::Expire,
            Self::SellerResubmit { .. } => Deed::Resubmit,
        }
    }
}

/// What a command does to a transfer, as a refusal names it; the catalogue
/// (`texts`) words it in each language, [`Refusal`]'s `Display` in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deed {
    Submit,
    ConsentTo,
    Accept,
    Decline,
    MarkPaid,
    Approve,
    Reject,
    Cancel,
    Expire,
    Resubmit,
}

impl Deed {
    /// "The transfer … cannot be {done}".
    pub fn done(self) -> &'static str {
        match self {
            Self::Submit => "submitted",
            Self::ConsentTo => "consented to",
            Self::Accept => "accepted",
            Self::Decline => "declined",
            Self::MarkPaid => "marked paid",
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Cancel => "cancelled",
            Self::Expire => "expired",
            Self::Resubmit => "resubmitted",
        }
    }

    /// Who may do it, for messages.
    pub fn by_whom(self) -> &'static str {
        match self {
            Self::Submit | Self::Cancel | Self::Resubmit => "the seller",
            Self::ConsentTo => "a joint owner or the financier",
            Self::Accept | Self::Decline => "the buyer",
            Self::MarkPaid | Self::Expire => "the system",
            Self::Approve | Self::Reject => "an officer",
        }
    }
}

string_enum!(
    /// A line of a transfer's timeline: what happened to it. Stored as its
    /// snake_case name; the commands' names (see [`Command::name`]) among
    /// them.
    Step, "one of" {
        Created = "created": "Opened",
        LogbookUploaded = "logbook_uploaded": "Scanned logbook uploaded",
        SellerSubmit = "seller_submit": "Submitted by the seller",
        ConsentApprove = "consent_approve": "Consent given",
        ConsentRefuse = "consent_refuse": "Consent refused",
        BuyerAccept = "buyer_accept": "Accepted by the buyer",
        BuyerDecline = "buyer_decline": "Declined by the buyer",
        PaymentSettled = "payment_settled": "Fee paid",
        SellerCancel = "seller_cancel": "Cancelled by the seller",
        Expire = "expire": "Expired",
        OfficerApprove = "officer_approve": "Approved by an officer",
        OfficerReject = "officer_reject": "Rejected by an officer",
        LogbookReadyForCollection = "logbook_ready_for_collection": "Logbook ready for collection",
        LogbookCollected = "logbook_collected": "Logbook collected",
        OfficerReturn = "officer_return": "Returned to the seller for a new scan",
        SellerResubmit = "seller_resubmit": "Resubmitted by the seller with a new scan",
    }
);

impl Step {
    /// The timeline line of a command the machine carried out.
    pub fn of(cmd: &Command) -> Self {
        match cmd {
            Command::SellerSubmit => Self::SellerSubmit,
            Command::Consent { approve: true, .. } => Self::ConsentApprove,
            Command::Consent { approve: false, .. } => Self::ConsentRefuse,
            Command::BuyerAccept => Self::BuyerAccept,
            Command::BuyerDecline => Self::BuyerDecline,
            Command::PaymentSettled => Self::PaymentSettled,
            Command::OfficerApprove => Self::OfficerApprove,
            Command::OfficerReject { reason, .. } if reason.about_the_scan() => Self::OfficerReturn,
            Command::OfficerReject { .. } => Self::OfficerReject,
            Command::SellerCancel => Self::SellerCancel,
            Command::Expire => Self::Expire,
            Command::SellerResubmit { .. } => Self::SellerResubmit,
        }
    }

    /// The timeline line of the new logbook reaching `state` (printing is
    /// where it starts, with the approval).
    pub fn logbook(state: LogbookState) -> Option<Self> {
        match state {
            LogbookState::Printing => None,
            LogbookState::ReadyForCollection => Some(Self::LogbookReadyForCollection),
            LogbookState::Collected => Some(Self::LogbookCollected),
        }
    }
}

/// Why a command was not carried out. The transfer is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Only {} can do this: the transfer cannot be {} by you", .deed.by_whom(), .deed.done())]
    WrongParty { deed: Deed },
    #[error("The transfer is {}, so it cannot be {}", .state.label().to_lowercase(), .deed.done())]
    NotNow { state: State, deed: Deed },
    #[error("Your consent is not needed for this transfer")]
    NotAConsenter,
    #[error("You have already approved this transfer")]
    AlreadyConsented,
    #[error("Give the reason for rejecting the transfer")]
    NoReason,
    #[error("The reason is too long: at most 500 characters")]
    ReasonTooLong,
    #[error("Upload a new scan of the logbook before resubmitting the transfer")]
    NewScanNeeded,
}

/// A transfer's state and the consents it needs, as the machine sees it.
/// Build one with [`Transfer::new`] or, from storage, [`Transfer::restore`],
/// which checks that the consents agree with the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    state: State,
    required: BTreeSet<String>,
    approved: BTreeSet<String>,
    payer: Payer,
    /// Paid before it was submitted: a payment kept from an earlier
    /// transfer of the vehicle between the same people pays for it.
    prepaid: bool,
}

/// A stored transfer whose consents contradict its state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A transfer that is {} cannot have {problem}", .state.as_str())]
pub struct InvalidTransfer {
    pub state: State,
    pub problem: &'static str,
}

/// A move the machine made: store `transfer` and a timeline row for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub transfer: Transfer,
}

impl Transition {
    /// False for an approval that leaves other consents pending.
    pub fn changes_state(&self) -> bool {
        self.from != self.to
    }
}

impl Transfer {
    /// A new draft needing the consent of these parties: every registered
    /// owner other than the seller, and the financier if a loan is open.
    pub fn new<I: Into<String>>(consenters: impl IntoIterator<Item = I>) -> Self {
        Self {
            state: State::Draft,
            required: consenters.into_iter().map(Into::into).collect(),
            approved: BTreeSet::new(),
            payer: Payer::default(),
            prepaid: false,
        }
    }

    /// The same transfer, paid for already (or not).
    pub fn prepaid(mut self, prepaid: bool) -> Self {
        self.prepaid = prepaid;
        self
    }

    /// The same transfer, paid for by `payer` (the buyer on accepting
    /// unless told otherwise).
    pub fn paid_by(mut self, payer: Payer) -> Self {
        self.payer = payer;
        self
    }

    pub fn payer(&self) -> Payer {
        self.payer
    }

    /// A transfer as stored, checked: approvals must be among the required
    /// consents; a draft has none; a transfer awaiting consents (or refused
    /// by a consenter) lacks at least one; from awaiting the buyer on (and a
    /// decline or rejection) every consent is given. Cancelled and expired
    /// transfers may have any.
    pub fn restore(
        state: State,
        required: BTreeSet<String>,
        approved: BTreeSet<String>,
    ) -> Result<Self, InvalidTransfer> {
        use State::*;
        let bad = |problem| Err(InvalidTransfer { state, problem });
        if !approved.is_subset(&required) {
            return bad("an approval from a party whose consent it does not need");
        }
        let all = approved.len() == required.len();
        match state {
            Draft | AwaitingSellerPayment if !approved.is_empty() => bad("approvals before it is submitted and paid"),
            AwaitingConsents | ConsentRefused if all => bad("every consent given"),
            AwaitingBuyer | AwaitingPayment | InReview | Approved | Rejected | Declined | ReturnedForScan if !all => {
                bad("a consent missing")
            }
            _ => Ok(Self { state, required, approved, payer: Payer::default(), prepaid: false }),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// The parties whose consent the transfer needs.
    pub fn required(&self) -> &BTreeSet<String> {
        &self.required
    }

    /// The parties who have approved.
    pub fn approved(&self) -> &BTreeSet<String> {
        &self.approved
    }

    /// The parties who have yet to approve.
    pub fn pending(&self) -> impl Iterator<Item = &String> {
        self.required.difference(&self.approved)
    }

    /// Carry out a command from a party, or say why not. See [`apply`].
    pub fn apply(&self, cmd: Command, actor: &Party) -> Result<Transition, Refusal> {
        use State::*;
        let allowed = match (&cmd, actor) {
            (Command::SellerSubmit | Command::SellerCancel | Command::SellerResubmit { .. }, Party::Seller)
            | (Command::BuyerAccept | Command::BuyerDecline, Party::Buyer)
            | (Command::PaymentSettled | Command::Expire, Party::System)
            | (Command::OfficerApprove | Command::OfficerReject { .. }, Party::Officer) => true,
            (Command::Consent { party_id, .. }, Party::CoOwner(id) | Party::Financier(id)) => {
                if id != party_id || !self.required.contains(id) {
                    return Err(Refusal::NotAConsenter);
                }
                true
            }
            _ => false,
        };
        if !allowed {
            return Err(Refusal::WrongParty { deed: cmd.deed() });
        }
        let from = self.state;
        let mut next = self.clone();
        let to = match (&cmd, from) {
            (Command::SellerSubmit, Draft) if self.payer == Payer::SellerAtSubmission && !self.prepaid => {
                AwaitingSellerPayment
            }
            (Command::SellerSubmit, Draft) | (Command::PaymentSettled, AwaitingSellerPayment)
                if self.required.is_empty() =>
            {
                AwaitingBuyer
            }
            (Command::SellerSubmit, Draft) | (Command::PaymentSettled, AwaitingSellerPayment) => AwaitingConsents,
            (Command::Consent { party_id, approve }, AwaitingConsents) => {
                if self.approved.contains(party_id) {
                    return Err(Refusal::AlreadyConsented);
                }
                if !approve {
                    ConsentRefused
                } else {
                    next.approved.insert(party_id.clone());
                    if next.approved.len() == next.required.len() { AwaitingBuyer } else { AwaitingConsents }
                }
            }
            // A seller who paid on submitting has paid for the buyer too.
            (Command::BuyerAccept, AwaitingBuyer) if self.payer == Payer::SellerAtSubmission || self.prepaid => {
                InReview
            }
            (Command::BuyerAccept, AwaitingBuyer) => AwaitingPayment,
            (Command::BuyerDecline, AwaitingBuyer) => Declined,
            (Command::PaymentSettled, AwaitingPayment) => InReview,
            (Command::OfficerApprove, InReview) => Approved,
            (Command::OfficerReject { reason, note }, InReview) => {
                if reason.needs_note() && note.trim().is_empty() {
                    return Err(Refusal::NoReason);
                }
                if note.trim().chars().count() > REASON_MAX_CHARS {
                    return Err(Refusal::ReasonTooLong);
                }
                if reason.about_the_scan() { ReturnedForScan } else { Rejected }
            }
            (Command::SellerResubmit { new_scan }, ReturnedForScan) => {
                if !new_scan {
                    return Err(Refusal::NewScanNeeded);
                }
                InReview
            }
            (Command::SellerCancel, Draft | AwaitingSellerPayment | AwaitingConsents | AwaitingBuyer) => Cancelled,
            (Command::Expire, s) if s.can_expire() => Expired,
            _ => return Err(Refusal::NotNow { state: from, deed: cmd.deed() }),
        };
        next.state = to;
        Ok(Transition { from, to, transfer: next })
    }
}

/// Carry out `cmd` from `actor` on `transfer`: the transition to store, or a
/// refusal saying why not (the transfer is then unchanged). Checks, in order:
/// that the actor may issue the command at all, that the transfer's state
/// allows it, and the command's own conditions (one approval per consenter,
/// a reason for a rejection).
pub fn apply(transfer: &Transfer, cmd: Command, actor: &Party) -> Result<Transition, Refusal> {
    transfer.apply(cmd, actor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;
    use proptest::prelude::*;

    fn ok(t: &Transfer, cmd: Command, actor: Party) -> Transfer {
        t.apply(cmd.clone(), &actor).unwrap_or_else(|e| panic!("{cmd:?} by {actor:?} in {:?}: {e}", t.state())).transfer
    }

    fn consent(id: &str, approve: bool) -> Command {
        Command::Consent { party_id: id.into(), approve }
    }

    fn joint() -> Transfer {
        Transfer::new(["wanjiru", "bank"])
    }

    #[test]
    fn the_seed_journey_with_a_co_owner_and_a_financier() {
        let t = ok(&joint(), Command::SellerSubmit, Party::Seller);
        assert_eq!(t.state(), AwaitingConsents);
        let t = ok(&t, consent("wanjiru", true), Party::CoOwner("wanjiru".into()));
        assert_eq!(t.state(), AwaitingConsents);
        assert_eq!(t.pending().collect::<Vec<_>>(), ["bank"]);
        let t = ok(&t, consent("bank", true), Party::Financier("bank".into()));
        assert_eq!(t.state(), AwaitingBuyer);
        let t = ok(&t, Command::BuyerAccept, Party::Buyer);
        assert_eq!(t.state(), AwaitingPayment);
        let t = ok(&t, Command::PaymentSettled, Party::System);
        assert_eq!(t.state(), InReview);
        let t = ok(&t, Command::OfficerApprove, Party::Officer);
        assert_eq!(t.state(), Approved);
        assert!(!t.state().is_open());
        assert_eq!(
            logbook_ready_on(&Calendar::kenya(), Date::new(2024, 6, 7).unwrap()),
            Date::new(2024, 6, 18).unwrap()
        );
    }

    #[test]
    fn a_seller_who_pays_pays_before_anyone_is_asked_and_the_buyers_acceptance_goes_to_review() {
        let seller_pays = |t: Transfer| t.paid_by(Payer::SellerAtSubmission);
        let t = ok(&seller_pays(joint()), Command::SellerSubmit, Party::Seller);
        assert_eq!(t.state(), AwaitingSellerPayment);
        assert_eq!(
            t.apply(consent("bank", true), &Party::Financier("bank".into())),
            Err(Refusal::NotNow { state: AwaitingSellerPayment, deed: Deed::ConsentTo }),
            "no one is asked before the fee is paid"
        );
        assert!(matches!(t.apply(Command::PaymentSettled, &Party::Seller), Err(Refusal::WrongParty { .. })));
        let t = ok(&t, Command::PaymentSettled, Party::System);
        assert_eq!(t.state(), AwaitingConsents);
        let t = ok(&t, consent("wanjiru", true), Party::CoOwner("wanjiru".into()));
        let t = ok(&t, consent("bank", true), Party::Financier("bank".into()));
        let t = ok(&t, Command::BuyerAccept, Party::Buyer);
        assert_eq!(t.state(), InReview, "the fee is paid already");
        let sole = ok(&seller_pays(Transfer::new(Vec::<String>::new())), Command::SellerSubmit, Party::Seller);
        assert_eq!(ok(&sole, Command::PaymentSettled, Party::System).state(), AwaitingBuyer);
        assert_eq!(ok(&sole, Command::SellerCancel, Party::Seller).state(), Cancelled);
        assert_eq!(ok(&sole, Command::Expire, Party::System).state(), Expired);
        let buyer_pays = Transfer::restore(AwaitingBuyer, BTreeSet::new(), BTreeSet::new()).unwrap();
        assert_eq!(ok(&buyer_pays, Command::BuyerAccept, Party::Buyer).state(), AwaitingPayment, "as before");
        assert_eq!(ok(&Transfer::new(["a"]), Command::SellerSubmit, Party::Seller).state(), AwaitingConsents);
        // A transfer a kept payment paid for asks no one to pay.
        let kept = seller_pays(Transfer::new(Vec::<String>::new())).prepaid(true);
        assert_eq!(ok(&kept, Command::SellerSubmit, Party::Seller).state(), AwaitingBuyer);
        assert_eq!(ok(&buyer_pays.clone().prepaid(true), Command::BuyerAccept, Party::Buyer).state(), InReview);
    }

    #[test]
    fn a_sole_owner_goes_straight_to_the_buyer() {
        let t = Transfer::new(Vec::<String>::new());
        let tr = t.apply(Command::SellerSubmit, &Party::Seller).unwrap();
        assert_eq!((tr.from, tr.to), (Draft, AwaitingBuyer));
        assert!(tr.changes_state());
    }

    #[test]
    fn one_refusal_stops_the_transfer() {
        let t = ok(&joint(), Command::SellerSubmit, Party::Seller);
        let t = ok(&t, consent("wanjiru", true), Party::CoOwner("wanjiru".into()));
        let t = ok(&t, consent("bank", false), Party::Financier("bank".into()));
        assert_eq!(t.state(), ConsentRefused);
        assert_eq!(
            t.apply(Command::BuyerAccept, &Party::Buyer).unwrap_err().to_string(),
            "The transfer is refused by a co-owner or financier, so it cannot be accepted"
        );
    }

    #[test]
    fn consents_are_checked_party_by_party() {
        let t = ok(&joint(), Command::SellerSubmit, Party::Seller);
        let w = Party::CoOwner("wanjiru".into());
        assert_eq!(t.apply(consent("bank", true), &w), Err(Refusal::NotAConsenter), "only one's own consent");
        assert_eq!(
            t.apply(consent("otieno", true), &Party::CoOwner("otieno".into())),
            Err(Refusal::NotAConsenter),
            "not an owner"
        );
        let once = ok(&t, consent("wanjiru", true), w.clone());
        let tr = once.apply(consent("bank", true), &Party::Financier("bank".into())).unwrap();
        assert_eq!(once.apply(consent("wanjiru", true), &w), Err(Refusal::AlreadyConsented));
        assert_eq!(once.apply(consent("wanjiru", false), &w), Err(Refusal::AlreadyConsented), "no change of mind");
        assert_eq!(t.apply(consent("wanjiru", true), &w).map(|tr| tr.changes_state()), Ok(false));
        assert_eq!(tr.to, AwaitingBuyer);
        assert_eq!(
            t.apply(Command::BuyerAccept, &Party::Buyer),
            Err(Refusal::NotNow { state: AwaitingConsents, deed: Deed::Accept }),
            "the buyer is not asked before every consent"
        );
        assert_eq!(
            t.apply(consent("wanjiru", true), &Party::Seller).unwrap_err().to_string(),
            "Only a joint owner or the financier can do this: the transfer cannot be consented to by you"
        );
    }

    #[test]
    fn the_buyer_declines_or_the_seller_cancels_only_in_time() {
        let waiting = Transfer::restore(AwaitingBuyer, BTreeSet::new(), BTreeSet::new()).unwrap();
        assert_eq!(ok(&waiting, Command::BuyerDecline, Party::Buyer).state(), Declined);
        assert_eq!(ok(&waiting, Command::SellerCancel, Party::Seller).state(), Cancelled);
        assert_eq!(ok(&joint(), Command::SellerCancel, Party::Seller).state(), Cancelled);
        let accepted = ok(&waiting, Command::BuyerAccept, Party::Buyer);
        assert_eq!(
            accepted.apply(Command::SellerCancel, &Party::Seller).unwrap_err().to_string(),
            "The transfer is awaiting payment, so it cannot be cancelled"
        );
        assert_eq!(
            waiting.apply(Command::BuyerAccept, &Party::Seller),
            Err(Refusal::WrongParty { deed: Deed::Accept })
        );
        assert_eq!(
            waiting.apply(Command::BuyerAccept, &Party::Seller).unwrap_err().to_string(),
            "Only the buyer can do this: the transfer cannot be accepted by you"
        );
    }

    #[test]
    fn expiry_reaches_every_unfinished_state_before_review() {
        let none = BTreeSet::new;
        for s in [Draft, AwaitingBuyer, AwaitingPayment] {
            let t = Transfer::restore(s, none(), none()).unwrap();
            assert_eq!(ok(&t, Command::Expire, Party::System).state(), Expired, "{s:?}");
            assert!(t.apply(Command::Expire, &Party::Seller).is_err());
        }
        let t = ok(&joint(), Command::SellerSubmit, Party::Seller);
        assert_eq!(ok(&t, Command::Expire, Party::System).state(), Expired);
        let review = Transfer::restore(InReview, none(), none()).unwrap();
        assert_eq!(
            review.apply(Command::Expire, &Party::System),
            Err(Refusal::NotNow { state: InReview, deed: Deed::Expire })
        );
        assert_eq!(
            review.apply(Command::Expire, &Party::System).unwrap_err().to_string(),
            "The transfer is in review, so it cannot be expired"
        );
    }

    fn reject(reason: RejectReason, note: &str) -> Command {
        Command::OfficerReject { reason, note: note.into() }
    }

    #[test]
    fn another_reason_needs_the_officers_words_and_a_listed_one_does_not() {
        let t = Transfer::restore(InReview, BTreeSet::new(), BTreeSet::new()).unwrap();
        let other = RejectReason::AnotherReason;
        assert_eq!(t.apply(reject(other, "  "), &Party::Officer), Err(Refusal::NoReason));
        assert_eq!(ok(&t, reject(other, "The buyer's ID number is not theirs"), Party::Officer).state(), Rejected);
        assert_eq!(ok(&t, reject(RejectReason::SellerNamedAsBuyer, ""), Party::Officer).state(), Rejected);
        assert_eq!(
            t.apply(reject(RejectReason::Photocopy, &"x".repeat(REASON_MAX_CHARS + 1)), &Party::Officer),
            Err(Refusal::ReasonTooLong)
        );
        let most = "\u{e9}".repeat(REASON_MAX_CHARS);
        assert!(t.apply(reject(other, &most), &Party::Officer).is_ok(), "characters, not bytes, are counted");
        assert!(matches!(t.apply(reject(other, "x"), &Party::Buyer), Err(Refusal::WrongParty { .. })));
        assert!(matches!(t.apply(Command::PaymentSettled, &Party::System), Err(Refusal::NotNow { .. })));
    }

    #[test]
    fn a_scan_rejection_returns_the_transfer_to_the_seller_who_resubmits_with_a_new_scan() {
        let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let t = Transfer::restore(InReview, set(&["bank"]), set(&["bank"])).unwrap();
        for reason in RejectReason::ALL.iter().filter(|r| r.about_the_scan()) {
            let tr = t.apply(reject(*reason, ""), &Party::Officer).unwrap();
            assert_eq!(tr.to, ReturnedForScan, "{reason:?}");
            assert_eq!(tr.transfer.approved(), t.approved(), "the consents stand");
            assert_eq!(Step::of(&reject(*reason, "")), Step::OfficerReturn);
        }
        let returned = ok(&t, reject(RejectReason::DefacedLogbook, "the serial is scratched out"), Party::Officer);
        assert!(returned.state().is_open() && returned.state().can_expire());
        assert_eq!(
            returned.apply(Command::SellerResubmit { new_scan: false }, &Party::Seller),
            Err(Refusal::NewScanNeeded)
        );
        assert_eq!(
            returned.apply(Command::SellerResubmit { new_scan: true }, &Party::Buyer),
            Err(Refusal::WrongParty { deed: Deed::Resubmit })
        );
        assert_eq!(
            returned.apply(Command::SellerCancel, &Party::Seller),
            Err(Refusal::NotNow { state: ReturnedForScan, deed: Deed::Cancel }),
            "the buyer has accepted and paid"
        );
        assert_eq!(
            returned.apply(Command::OfficerApprove, &Party::Officer).unwrap_err().to_string(),
            "The transfer is returned to the seller for a new scan, so it cannot be approved"
        );
        let again = ok(&returned, Command::SellerResubmit { new_scan: true }, Party::Seller);
        assert_eq!(again.state(), InReview);
        assert_eq!(ok(&again, Command::OfficerApprove, Party::Officer).state(), Approved);
        assert_eq!(ok(&returned, Command::Expire, Party::System).state(), Expired);
        assert_eq!(
            Transfer::new(Vec::<String>::new()).apply(Command::SellerResubmit { new_scan: true }, &Party::Seller),
            Err(Refusal::NotNow { state: Draft, deed: Deed::Resubmit }),
            "only a returned transfer is resubmitted"
        );
    }

    #[test]
    fn stored_transfers_must_agree_with_their_consents() {
        let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert!(Transfer::restore(Draft, set(&["a"]), set(&["a"])).is_err());
        assert!(Transfer::restore(AwaitingConsents, set(&["a"]), set(&["a"])).is_err());
        assert!(Transfer::restore(AwaitingConsents, set(&[]), set(&[])).is_err());
        assert!(Transfer::restore(AwaitingBuyer, set(&["a", "b"]), set(&["a"])).is_err());
        assert!(Transfer::restore(Approved, set(&["a"]), set(&["b"])).is_err());
        assert_eq!(
            Transfer::restore(InReview, set(&["a"]), set(&[])).unwrap_err().to_string(),
            "A transfer that is in_review cannot have a consent missing"
        );
        assert!(Transfer::restore(Cancelled, set(&["a", "b"]), set(&["a"])).is_ok());
        assert!(Transfer::restore(AwaitingConsents, set(&["a", "b"]), set(&["a"])).is_ok());
    }

    #[test]
    fn every_listed_transition_happens_and_states_parse_from_their_names() {
        let mut seen = BTreeSet::new();
        let none = BTreeSet::new;
        let one = || ["a".to_string()].into_iter().collect::<BTreeSet<_>>();
        let a = Party::CoOwner("a".into());
        let two = Transfer::restore(AwaitingConsents, ["a".into(), "b".into()].into(), none()).unwrap();
        let cases: Vec<(Transfer, Command, Party)> = vec![
            (Transfer::new(["a"]), Command::SellerSubmit, Party::Seller),
            (Transfer::new(["a"]).paid_by(Payer::SellerAtSubmission), Command::SellerSubmit, Party::Seller),
            (Transfer::restore(AwaitingSellerPayment, one(), none()).unwrap(), Command::PaymentSettled, Party::System),
            (Transfer::restore(AwaitingSellerPayment, none(), none()).unwrap(), Command::PaymentSettled, Party::System),
            (Transfer::restore(AwaitingSellerPayment, none(), none()).unwrap(), Command::SellerCancel, Party::Seller),
            (Transfer::restore(AwaitingSellerPayment, none(), none()).unwrap(), Command::Expire, Party::System),
            (
                Transfer::restore(AwaitingBuyer, none(), none()).unwrap().paid_by(Payer::SellerAtSubmission),
                Command::BuyerAccept,
                Party::Buyer,
            ),
            (Transfer::new(Vec::<String>::new()), Command::SellerSubmit, Party::Seller),
            (Transfer::new(["a"]), Command::SellerCancel, Party::Seller),
            (Transfer::new(["a"]), Command::Expire, Party::System),
            (two, consent("a", true), a.clone()),
            (Transfer::restore(AwaitingConsents, one(), none()).unwrap(), consent("a", true), a.clone()),
            (Transfer::restore(AwaitingConsents, one(), none()).unwrap(), consent("a", false), a.clone()),
            (Transfer::restore(AwaitingConsents, one(), none()).unwrap(), Command::SellerCancel, Party::Seller),
            (Transfer::restore(AwaitingConsents, one(), none()).unwrap(), Command::Expire, Party::System),
            (Transfer::restore(AwaitingBuyer, none(), none()).unwrap(), Command::BuyerAccept, Party::Buyer),
            (Transfer::restore(AwaitingBuyer, none(), none()).unwrap(), Command::BuyerDecline, Party::Buyer),
            (Transfer::restore(AwaitingBuyer, none(), none()).unwrap(), Command::SellerCancel, Party::Seller),
            (Transfer::restore(AwaitingBuyer, none(), none()).unwrap(), Command::Expire, Party::System),
            (Transfer::restore(AwaitingPayment, none(), none()).unwrap(), Command::PaymentSettled, Party::System),
            (Transfer::restore(AwaitingPayment, none(), none()).unwrap(), Command::Expire, Party::System),
            (Transfer::restore(InReview, none(), none()).unwrap(), Command::OfficerApprove, Party::Officer),
            (
                Transfer::restore(InReview, none(), none()).unwrap(),
                reject(RejectReason::AnotherReason, "x"),
                Party::Officer,
            ),
            (Transfer::restore(InReview, none(), none()).unwrap(), reject(RejectReason::Photocopy, ""), Party::Officer),
            (
                Transfer::restore(ReturnedForScan, none(), none()).unwrap(),
                Command::SellerResubmit { new_scan: true },
                Party::Seller,
            ),
            (Transfer::restore(ReturnedForScan, none(), none()).unwrap(), Command::Expire, Party::System),
        ];
        for (t, cmd, party) in cases {
            let tr = t.apply(cmd, &party).unwrap();
            seen.insert((tr.from.as_str(), tr.to.as_str()));
        }
        let all: BTreeSet<_> = TRANSITIONS.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(seen, all);
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()).unwrap(), *s);
            assert!(!s.next_step().is_empty());
            assert_eq!(s.ending().is_some(), !s.is_open() && *s != Approved, "{s:?}");
            assert_eq!(s.is_open(), TRANSITIONS.iter().any(|(from, _)| from == s), "{s:?}");
        }
    }

    #[test]
    fn every_command_has_its_timeline_line_under_its_own_name() {
        let cmds = [
            Command::SellerSubmit,
            Command::Consent { party_id: "a".into(), approve: true },
            Command::Consent { party_id: "a".into(), approve: false },
            Command::BuyerAccept,
            Command::BuyerDecline,
            Command::PaymentSettled,
            Command::OfficerApprove,
            reject(RejectReason::AnotherReason, "x"),
            reject(RejectReason::UnrelatedFile, ""),
            Command::SellerCancel,
            Command::Expire,
            Command::SellerResubmit { new_scan: true },
        ];
        for c in &cmds {
            assert_eq!(Step::of(c).as_str(), c.name());
        }
        assert_eq!(
            Step::logbook(LogbookState::ReadyForCollection).map(Step::as_str),
            Some("logbook_ready_for_collection")
        );
        assert_eq!(Step::logbook(LogbookState::Collected).map(Step::as_str), Some("logbook_collected"));
        for s in Step::ALL {
            assert_eq!(Step::parse(s.as_str()).unwrap(), *s);
        }
    }

    #[test]
    fn the_logbook_only_moves_forward_one_step_at_a_time() {
        use LogbookState::*;
        assert_eq!(Printing.advance(ReadyForCollection), Ok(ReadyForCollection));
        assert_eq!(ReadyForCollection.advance(Collected), Ok(Collected));
        for (from, to) in
            [(Printing, Collected), (Collected, Printing), (ReadyForCollection, Printing), (Printing, Printing)]
        {
            assert_eq!(from.advance(to), Err(LogbookRefusal { from, to }));
        }
        assert_eq!(
            Collected.advance(ReadyForCollection).unwrap_err().to_string(),
            "A logbook that is collected cannot become ready for collection: it goes from printing to ready for \
             collection to collected"
        );
        assert_eq!(Collected.next(), None);
        for s in LogbookState::ALL {
            assert_eq!(LogbookState::parse(s.as_str()).unwrap(), *s);
        }
    }

    const IDS: [&str; 4] = ["a", "b", "c", "d"];

    fn id() -> impl Strategy<Value = String> {
        proptest::sample::select(&IDS[..]).prop_map(String::from)
    }

    fn party() -> impl Strategy<Value = Party> {
        prop_oneof![
            Just(Party::Seller),
            Just(Party::Buyer),
            Just(Party::Officer),
            Just(Party::System),
            id().prop_map(Party::CoOwner),
            id().prop_map(Party::Financier),
        ]
    }

    fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::SellerSubmit),
            (id(), any::<bool>()).prop_map(|(party_id, approve)| Command::Consent { party_id, approve }),
            (id(), Just(true)).prop_map(|(party_id, approve)| Command::Consent { party_id, approve }),
            Just(Command::BuyerAccept),
            Just(Command::BuyerDecline),
            Just(Command::PaymentSettled),
            Just(Command::OfficerApprove),
            (
                proptest::sample::select(RejectReason::ALL),
                prop_oneof![Just(""), Just(" "), Just("Chassis does not match")]
            )
                .prop_map(|(reason, note)| reject(reason, note)),
            Just(Command::SellerCancel),
            Just(Command::Expire),
            any::<bool>().prop_map(|new_scan| Command::SellerResubmit { new_scan }),
        ]
    }

    /// The party entitled to issue a command, written out independently of
    /// the machine.
    fn rightful(cmd: &Command, financier: bool) -> Party {
        match cmd {
            Command::SellerSubmit | Command::SellerCancel | Command::SellerResubmit { .. } => Party::Seller,
            Command::Consent { party_id, .. } if financier => Party::Financier(party_id.clone()),
            Command::Consent { party_id, .. } => Party::CoOwner(party_id.clone()),
            Command::BuyerAccept | Command::BuyerDecline => Party::Buyer,
            Command::PaymentSettled | Command::Expire => Party::System,
            Command::OfficerApprove | Command::OfficerReject { .. } => Party::Officer,
        }
    }

    /// Any transfer `restore` accepts, from any state.
    fn start() -> impl Strategy<Value = Transfer> {
        (proptest::sample::select(State::ALL), 0u8..16, 0u8..16, proptest::sample::select(Payer::ALL)).prop_filter_map(
            "consents fit the state",
            |(s, r, a, payer)| {
                let pick = |mask: u8| {
                    IDS.iter().enumerate().filter(move |(i, _)| mask & (1 << i) != 0).map(|(_, id)| id.to_string())
                };
                let required: BTreeSet<String> = pick(r).collect();
                let mut approved: BTreeSet<String> = pick(a & r).collect();
                match s {
                    Draft | AwaitingSellerPayment => approved.clear(),
                    AwaitingConsents | ConsentRefused if approved == required => {
                        let first = approved.iter().next().cloned();
                        approved.remove(&first?);
                    }
                    AwaitingBuyer | AwaitingPayment | InReview | Approved | Rejected | Declined | ReturnedForScan => {
                        approved = required.clone()
                    }
                    _ => {}
                }
                Transfer::restore(s, required, approved).ok().map(|t| t.paid_by(payer))
            },
        )
    }

    #[test]
    fn staff_named_in_a_transfer_themselves_or_through_any_of_their_organisations_may_not_act_on_it() {
        let named = ["seller", "buyer-org", "bank"];
        for own in [&["seller"][..], &["me", "buyer-org"], &["me", "dealer", "bank"]] {
            assert!(party_to_case(own, &named), "{own:?}");
        }
        let refusal = officiate(&["me", "bank"], &named, StaffAction::Review).unwrap_err();
        assert_eq!(refusal.to_string(), "You are a party to this transfer, so another officer must review it");
        assert_eq!(
            OwnCase(StaffAction::Logbook).to_string(),
            "You are a party to this transfer, so another officer must update its logbook"
        );
    }

    #[test]
    fn staff_with_no_part_in_a_transfer_may_act_on_it() {
        let named = ["seller", "buyer-org", "bank"];
        assert!(!party_to_case(&["officer", "dealer"], &named));
        assert_eq!(officiate(&["officer"], &named, StaffAction::Logbook), Ok(()));
        assert!(!party_to_case(&[], &named), "someone who is no one is party to nothing");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn only_listed_transitions_ever_happen(
            mut t in start(),
            steps in proptest::collection::vec((command(), party(), 0u8..4), 0..40),
        ) {
            for (cmd, random_party, pick) in steps {
                // Half the time the rightful party acts, so that runs get somewhere.
                let actor = if pick < 2 { rightful(&cmd, pick == 1) } else { random_party };
                let before = t.clone();
                match t.apply(cmd.clone(), &actor) {
                    Ok(tr) => {
                        prop_assert!(before.state().is_open(), "a finished transfer moved: {:?}", before);
                        prop_assert_eq!(tr.from, before.state());
                        prop_assert_eq!(tr.to, tr.transfer.state());
                        prop_assert!(TRANSITIONS.contains(&(tr.from, tr.to)), "{:?} -> {:?}", tr.from, tr.to);
                        prop_assert!(actor == rightful(&cmd, true) || actor == rightful(&cmd, false), "{:?} by {:?}", cmd, actor);
                        prop_assert_eq!(tr.transfer.required(), before.required());
                        prop_assert!(before.approved().is_subset(tr.transfer.approved()));
                        if matches!(tr.to, AwaitingBuyer | AwaitingPayment | InReview | Approved | ReturnedForScan) {
                            prop_assert_eq!(tr.transfer.approved(), tr.transfer.required(), "a consent is missing");
                        }
                        let again = Transfer::restore(tr.to, tr.transfer.required().clone(), tr.transfer.approved().clone())
                            .map(|t| t.paid_by(before.payer()));
                        prop_assert_eq!(again.as_ref(), Ok(&tr.transfer));
                        // A rejection about the scan returns it; any other ends it.
                        if let Command::OfficerReject { reason, .. } = &cmd {
                            prop_assert_eq!(tr.to == ReturnedForScan, reason.about_the_scan());
                        }
                        t = tr.transfer;
                    }
                    Err(_) => prop_assert_eq!(&t, &before),
                }
            }
        }
    }
}

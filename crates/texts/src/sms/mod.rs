//! The SMS tims sends: codes, and notices to the parties of a transfer or
//! an organisation.
//!
//! Owns each message's parameters; `en.rs` and `sw.rs` own the words. Every
//! message must fit one SMS (160 GSM-7 characters, or 70 if it needs
//! UCS-2) at its longest realistic parameters: the crate's tests check it.
//! It must not know who a message goes to or how it is queued.

mod en;
mod sw;

use domain::Date;
use domain::org::OrgRole;
use domain::transfer::RejectReason;

use crate::catalogue;

/// What a one-time code is for, as its SMS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeFor {
    VerifyPhone,
    SignIn,
    Recover,
    SubmitTransfer,
    AnswerTransfer,
    AcceptTransfer,
    DeclineTransfer,
    ApproveTransfer,
    RefuseTransfer,
}

/// Why a joint owner or financier is asked for consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentRole {
    JointOwner,
    Financier,
}

catalogue! {
    /// An SMS, with what it says.
    pub enum Sms<'a> in (en::render, sw::render) {
        /// A one-time code (sign-on and registry alike).
        Code { purpose: CodeFor, code: &'a str },
        /// A one-time code for a step of one transfer, naming its reference.
        TransferCode { purpose: CodeFor, reference: &'a str, code: &'a str },
        /// To the account's phone after a recovery.
        AccountRecovered,
        /// To an organisation's administrators.
        OrgRequest { person: &'a str, org: &'a str },
        OrgRoleSet { org: &'a str, role: OrgRole },
        OrgRequestRefused { org: &'a str },
        OrgRemoved { org: &'a str },
        ConsentNeeded { reference: &'a str, reg_no: &'a str, role: ConsentRole },
        TransferToYou { reg_no: &'a str, reference: &'a str },
        ConsentRefused { reference: &'a str, reg_no: &'a str },
        /// `fee_paid`: the seller paid on submitting, so it goes to review now.
        BuyerAccepted { reference: &'a str, reg_no: &'a str, fee_paid: bool },
        PaymentReceived { amount_cents: i64, reference: &'a str },
        /// The seller paid on submitting: the others are asked next.
        SellerPaymentReceived { amount_cents: i64, reference: &'a str },
        /// The transfer ended after its fee was paid: staff refund it.
        RefundDue { amount_cents: i64, reference: &'a str },
        /// The transfer ended after its fee was paid: the payment is kept
        /// for a new transfer of the vehicle between the same seller and
        /// buyer within `days`.
        PaymentKept { amount_cents: i64, reference: &'a str, reg_no: &'a str, days: u32 },
        /// Staff refunded a paid fee.
        Refunded { amount_cents: i64, reference: &'a str, refund_ref: &'a str },
        BuyerDeclined { reference: &'a str, reg_no: &'a str },
        SellerCancelled { reference: &'a str, reg_no: &'a str },
        Expired { reference: &'a str, reg_no: &'a str },
        Approved { reference: &'a str, reg_no: &'a str, office: &'a str, ready: Date },
        /// The reason from the officer's list; their own words are on the
        /// transfer's page (they would not fit).
        Rejected { reference: &'a str, reg_no: &'a str, reason: RejectReason },
        LogbookReady { reference: &'a str, office: &'a str },
        /// To the seller: an officer returned the transfer for a new scan.
        ReturnedForScan { reference: &'a str, reg_no: &'a str, reason: RejectReason },
        /// To the buyer: the same return, and that their fee stays paid.
        ReturnedToSeller { reference: &'a str, reg_no: &'a str },
    }
}

/// How many characters of one SMS `text` takes, and the most one SMS holds
/// in the encoding it needs: (length, 160) in GSM-7 (characters of the
/// extension table count twice), else (UTF-16 units, 70) in UCS-2.
pub fn sms_length(text: &str) -> (usize, usize) {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const EXTENDED: &str = "^{}\\[~]|€\u{c}";
    let mut len = 0;
    for c in text.chars() {
        if BASIC.contains(c) {
            len += 1;
        } else if EXTENDED.contains(c) {
            len += 2;
        } else {
            return (text.encode_utf16().count(), 70);
        }
    }
    (len, 160)
}

//! The SMS in English: the texts tims has sent since the start.

use super::{CodeFor, ConsentRole, Sms};
use crate::format::{date, kes};
use crate::{Lang, ReviewText, Text as _};

pub(super) fn render(m: &Sms<'_>) -> String {
    match *m {
        Sms::Code { purpose, code } => {
            let what = code_for(purpose);
            format!("Your tims {what} is {code}. It expires in 5 minutes. Never share it with anyone.")
        }
        Sms::TransferCode { purpose, reference, code } => format!(
            "Your tims {} {reference} is {code}. It expires in 5 minutes. Never share it with anyone.",
            code_for(purpose)
        ),
        Sms::AccountRecovered => "Your tims account was recovered: the password was changed and every session was \
                                  signed out. If this was not you, recover it again at once."
            .into(),
        Sms::OrgRequest { person, org } => {
            format!("{person} asks to act for {org} on tims. Sign in to approve or refuse the request.")
        }
        Sms::OrgRoleSet { org, role } => {
            format!("You can now act for {org} on tims as {}.", role.label().to_lowercase())
        }
        Sms::OrgRequestRefused { org } => format!("Your request to act for {org} on tims was refused."),
        Sms::OrgRemoved { org } => format!("You can no longer act for {org} on tims."),
        Sms::ConsentNeeded { reference, reg_no, role } => {
            let role = match role {
                ConsentRole::Financier => "financier",
                ConsentRole::JointOwner => "joint owner",
            };
            format!(
                "tims: the transfer {reference} of {reg_no} needs your consent as {role}. Sign in to approve or refuse it."
            )
        }
        Sms::TransferToYou { reg_no, reference } => format!(
            "tims: {reg_no} is being transferred to you (reference {reference}). Sign in to view it, then accept or decline."
        ),
        Sms::ConsentRefused { reference, reg_no } => format!(
            "tims: a joint owner or the financier refused the transfer {reference} of {reg_no}. The vehicle stays with you."
        ),
        Sms::BuyerAccepted { reference, reg_no, fee_paid } => accepted(reference, reg_no, fee_paid),
        Sms::SellerPaymentReceived { .. } | Sms::RefundDue { .. } | Sms::PaymentKept { .. } | Sms::Refunded { .. } => {
            money(m)
        }
        Sms::PaymentReceived { amount_cents, reference } => format!(
            "tims: payment of {} for transfer {reference} received. The agency will now review it.",
            kes(amount_cents)
        ),
        Sms::BuyerDeclined { reference, reg_no } => {
            format!("tims: the buyer declined the transfer {reference} of {reg_no}. The vehicle stays with you.")
        }
        Sms::SellerCancelled { reference, reg_no } => {
            format!("tims: the seller cancelled the transfer {reference} of {reg_no}.")
        }
        Sms::Expired { reference, reg_no } => format!(
            "tims: the transfer {reference} of {reg_no} expired because it was not completed in time. The vehicle \
             stays with its owner."
        ),
        Sms::Approved { reference, reg_no, office, ready } => format!(
            "tims: the transfer {reference} of {reg_no} is approved. The new logbook will be ready for collection at \
             {office} by {}.",
            date(Lang::En, ready)
        ),
        Sms::Rejected { reference, reg_no, reason } => format!(
            "tims: the transfer {reference} of {reg_no} was rejected: {}. The vehicle stays with its owner.",
            ReviewText::ReasonWhy { reason }.render(Lang::En)
        ),
        Sms::ReturnedForScan { reference, reg_no, reason } => format!(
            "tims: transfer {reference} of {reg_no} needs a new logbook scan: {}. Upload it and resubmit; no new fee.",
            ReviewText::ReasonWhy { reason }.render(Lang::En)
        ),
        Sms::ReturnedToSeller { reference, reg_no } => format!(
            "tims: transfer {reference} of {reg_no} went back to the seller for a new logbook scan. Your fee stays \
             paid; nothing for you to do."
        ),
        Sms::LogbookReady { reference, office } => {
            format!("tims: the new logbook for transfer {reference} is ready for collection at {office}.")
        }
    }
}

/// What a code is for, as its SMS names it.
/// What became of a paid fee (called with those four SMS only).
fn money(m: &Sms<'_>) -> String {
    match *m {
        Sms::SellerPaymentReceived { amount_cents, reference } => format!(
            "tims: payment of {} for transfer {reference} received. The buyer and any co-owners are asked next.",
            kes(amount_cents)
        ),
        Sms::RefundDue { amount_cents, reference } => format!(
            "tims: transfer {reference} has ended. The {} you paid will be refunded to you; we will send an SMS when \
             it is done.",
            kes(amount_cents)
        ),
        Sms::PaymentKept { amount_cents, reference, reg_no, days } => format!(
            "tims: transfer {reference} ended. The {} paid is kept: a new transfer of {reg_no} to the same buyer \
             within {days} days is not charged again.",
            kes(amount_cents)
        ),
        Sms::Refunded { amount_cents, reference, refund_ref } => format!(
            "tims: the {} paid for transfer {reference} has been refunded. Refund reference {refund_ref}.",
            kes(amount_cents)
        ),
        _ => String::new(),
    }
}

fn code_for(purpose: CodeFor) -> &'static str {
    match purpose {
        CodeFor::VerifyPhone => "code to verify your phone",
        CodeFor::SignIn => "sign-in code",
        CodeFor::Recover => "account recovery code",
        CodeFor::SubmitTransfer => "code to submit the transfer",
        CodeFor::AnswerTransfer => "code to answer the transfer",
        CodeFor::AcceptTransfer => "code to ACCEPT the transfer",
        CodeFor::DeclineTransfer => "code to DECLINE the transfer",
        CodeFor::ApproveTransfer => "code to APPROVE the transfer",
        CodeFor::RefuseTransfer => "code to REFUSE the transfer",
    }
}

/// The seller's SMS when the buyer accepts: to the agency once the fee is
/// paid, or now when it was.
fn accepted(reference: &str, reg_no: &str, fee_paid: bool) -> String {
    let next =
        if fee_paid { "It now goes to the agency for review." } else { "It goes to the agency once the fee is paid." };
    format!("tims: the buyer accepted the transfer {reference} of {reg_no}. {next}")
}

//! The review and resubmission pages in English.

use domain::transfer::RejectReason as R;
use domain::{AccountType, OwnerRole};

use super::{ReviewReader, ReviewText as T};
use crate::{Lang, SignOnAccount, Text as _};

pub(super) fn render(m: &T<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        T::ReasonName { reason } => s(name(reason)),
        T::ReasonWhy { reason } => s(why(reason)),
        T::WhatToDo { reason, reader, reg_no } => what_to_do(reason, reader, reg_no),
        T::ReviewTitle { reference } => format!("Review transfer {reference}"),
        T::ReviewLead => s("Check the scanned logbook against every line of the record beside it. Approve only if \
                            each one matches."),
        T::TheScan => s("Scanned logbook"),
        T::OpenFullSize => s("Open the scan full size"),
        T::PdfNotShown => s("The scan cannot be shown here."),
        T::TheVehicle => s("The vehicle on the register"),
        T::OwnersOnRegister => s("Owners on the register"),
        T::TheSeller => s("The seller"),
        T::TheBuyer => s("The buyer, as the registers give them"),
        T::Make => s("Make"),
        T::Model => s("Model"),
        T::Body => s("Body"),
        T::Colour => s("Colour"),
        T::EngineCapacity { cc } => format!("{} cc", grouped(cc)),
        T::Name => s("Name"),
        T::Kind => s("Kind"),
        T::Document => s("Document"),
        T::Role => s("Role"),
        T::OwnerRoleName { role } => s(match role {
            OwnerRole::Owner => "Owner",
            OwnerRole::Financier => "Financier (loan open)",
        }),
        T::PersonDocument { account_type } => s(match account_type {
            AccountType::Citizen => "National ID",
            AccountType::Resident => "Alien ID",
            AccountType::Foreigner => "Passport",
        }),
        T::KraPin => s("KRA PIN"),
        T::PersonKind => s("A person"),
        T::OrgParty => s("An organisation"),
        T::OrgKindFromKra { kind } => {
            format!("{} (from the KRA register)", SignOnAccount::OrgKindName { kind }.render(Lang::En))
        }
        T::NotInKraRegister => s("An organisation whose kind the KRA register does not give"),
        T::FeePaid { amount, reference } => format!("{amount}, paid (payment reference {reference})"),
        T::QueuedOn { date } => format!("In the queue since {date}"),
        T::ApproveButton => s("Approve the transfer"),
        T::RejectButton => s("Reject the transfer"),
        T::NoScan => s("No scan has been uploaded."),
        T::ApproveTitle { .. }
        | T::ApproveWarning { .. }
        | T::YesApprove
        | T::NoGoBack
        | T::RejectTitle { .. }
        | T::WhyReject
        | T::ScanReasonsHint
        | T::Details
        | T::DetailsHint
        | T::ChooseReason
        | T::ApprovedNotice
        | T::RejectedNotice
        | T::ReturnedNotice
        | T::ResubmittedNotice
        | T::ResubmitTitle { .. }
        | T::ResubmitLead
        | T::OfficersReason
        | T::NewScan
        | T::NewScanUploaded { .. }
        | T::NoNewScanYet
        | T::Change
        | T::UploadNewScan
        | T::SendCode
        | T::ResubmitButton
        | T::NoFeeAgain
        | T::ResubmitLink
        | T::ReviewLink
        | T::LogbookPrintedQuestion { .. }
        | T::LogbookPrintedHint
        | T::LogbookCollectedQuestion { .. }
        | T::LogbookCollectedHint
        | T::YesRecordIt
        | T::LogbookRecordedNotice => decisions(m),
    }
}

/// The words of the decisions, their notices and the resubmission.
fn decisions(m: &T<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        T::ApproveTitle { reference } => format!("Approve transfer {reference}?"),
        T::ApproveWarning { reg_no, seller, buyer } => format!(
            "Are you sure? {reg_no} passes from {seller} to {buyer} at once and the new logbook is ordered. This \
             cannot be undone."
        ),
        T::YesApprove => s("Yes, approve it"),
        T::NoGoBack => s("No, go back to the review"),
        T::RejectTitle { reference } => format!("Reject transfer {reference}"),
        T::WhyReject => s("Why are you rejecting it?"),
        T::ScanReasonsHint => s("The first four are about the scan: the transfer goes back to the seller for a new \
                                 scan, and no one pays again. The others end the transfer."),
        T::Details => s("Details"),
        T::DetailsHint => s("The parties read this. Required for another reason; at most 500 characters."),
        T::ChooseReason => s("Choose why you are rejecting the transfer"),
        T::ApprovedNotice => s("The transfer is approved: ownership has changed and the new logbook is ordered."),
        T::RejectedNotice => s("The transfer is rejected. The parties have been told why by SMS."),
        T::ReturnedNotice => {
            s("The transfer went back to the seller for a new scan. The parties have been told why by SMS.")
        }
        T::ResubmittedNotice => s("The transfer is back with the officers for review. You do not pay again."),
        T::ResubmitTitle { reference } => format!("Resubmit transfer {reference}"),
        T::ResubmitLead => s("Check your answers, then confirm with the SMS code we send you."),
        T::OfficersReason => s("Officer's reason"),
        T::NewScan => s("New scan"),
        T::NewScanUploaded { kind } => format!("Uploaded ({kind})"),
        T::NoNewScanYet => s("No new scan yet: upload one first."),
        T::Change => s("Change"),
        T::UploadNewScan => s("Upload a new scan"),
        T::SendCode => s("Send me a code"),
        T::ResubmitButton => s("Resubmit the transfer"),
        T::NoFeeAgain => s("The fee is already paid: you do not pay again."),
        T::ResubmitLink => s("Send a new scan and resubmit"),
        T::ReviewLink => s("Review this transfer"),
        T::LogbookPrintedQuestion { serial, office } => {
            format!("Is the new logbook {serial} printed and at {office} for collection?")
        }
        T::LogbookPrintedHint => s("The buyer is told by SMS to collect it there."),
        T::LogbookCollectedQuestion { serial } => format!("Has the buyer collected the new logbook {serial}?"),
        T::LogbookCollectedHint => s("Hand it over only once you have checked the buyer's ID."),
        T::YesRecordIt => s("Yes, record it"),
        T::LogbookRecordedNotice => s("The new logbook's step is recorded."),
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}

/// The reason as the list on the reject page names it.
fn name(reason: R) -> &'static str {
    match reason {
        R::AnotherVehiclesLogbook => "The scan is another vehicle's logbook",
        R::Photocopy => "A photocopy or black-and-white copy, not a colour scan of the original logbook",
        R::DefacedLogbook => "The logbook is defaced or altered",
        R::UnrelatedFile => "The file is not a logbook",
        R::SellerNamedAsBuyer => "The seller is named as the buyer",
        R::AnotherReason => "Another reason (say what below)",
    }
}

/// The reason as a clause: "the scan is another vehicle's logbook".
pub(super) fn why(reason: R) -> &'static str {
    match reason {
        R::AnotherVehiclesLogbook => "it is another vehicle's logbook",
        R::Photocopy => "a copy, not a colour scan of the original",
        R::DefacedLogbook => "the logbook is defaced or altered",
        R::UnrelatedFile => "the file is not a logbook",
        R::SellerNamedAsBuyer => "the seller is named as the buyer",
        R::AnotherReason => "see the officer's reason on the transfer's page",
    }
}

fn what_to_do(reason: R, reader: ReviewReader, reg_no: &str) -> String {
    match (reason.about_the_scan(), reader) {
        (true, ReviewReader::Seller) => format!(
            "Scan the original logbook of {reg_no} in colour, upload it, then resubmit with an SMS code before the \
             transfer expires. You do not pay again."
        ),
        (true, ReviewReader::Buyer) => {
            "The seller must send a new scan of the logbook. Your fee stays paid; you need do nothing.".to_string()
        }
        (true, ReviewReader::Other) => {
            "The seller must send a new scan of the logbook; nothing is asked of you.".to_string()
        }
        (false, ReviewReader::Seller) => format!(
            "{reg_no} stays yours. If the transfer should still happen, start a new one with the right details."
        ),
        (false, _) => "The vehicle stays with its owner; nothing is asked of you.".to_string(),
    }
}

/// A whole number with its thousands grouped: 1,500 (as both languages write it).
pub(super) fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

//! The officer's review and the seller's resubmission: the review page
//! (the scan beside the record), the confirmation to approve, the reasons
//! to reject from a list, and what the parties read of a rejection or a
//! return for a new scan.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. Kept
//! apart from [`RegistryPage`](crate::RegistryPage) so that this journey's
//! copy grows in its own file. It must not know a page's markup or route.

mod en;
mod sw;

use domain::org::OrgKind;
use domain::transfer::RejectReason;
use domain::{AccountType, OwnerRole};

use crate::catalogue;

/// Whom a rejection's or a return's "what to do" is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReader {
    Seller,
    Buyer,
    /// A joint owner, the financier, or staff.
    Other,
}

catalogue! {
    /// A text of the review and resubmission pages, with what it says.
    pub enum ReviewText<'a> in (en::render, sw::render) {
        // The reasons, as the list on the reject page names them.
        ReasonName { reason: RejectReason },
        /// The reason as a clause after "because": in SMS and notices.
        ReasonWhy { reason: RejectReason },
        /// What the reader must do now (or need not) after a rejection or a
        /// return for a new scan, for the parties' pages.
        WhatToDo { reason: RejectReason, reader: ReviewReader, reg_no: &'a str },
        // The review page.
        ReviewTitle { reference: &'a str },
        ReviewLead,
        TheScan,
        OpenFullSize,
        PdfNotShown,
        TheVehicle,
        OwnersOnRegister,
        TheSeller,
        TheBuyer,
        Make,
        Model,
        Body,
        Colour,
        EngineCapacity { cc: i64 },
        Name,
        Kind,
        Document,
        Role,
        OwnerRoleName { role: OwnerRole },
        /// A person's document, by the account type it belongs to.
        PersonDocument { account_type: AccountType },
        KraPin,
        PersonKind,
        OrgParty,
        OrgKindFromKra { kind: OrgKind },
        NotInKraRegister,
        FeePaid { amount: &'a str, reference: &'a str },
        QueuedOn { date: &'a str },
        ApproveButton,
        RejectButton,
        NoScan,
        // Approving.
        ApproveTitle { reference: &'a str },
        ApproveWarning { reg_no: &'a str, seller: &'a str, buyer: &'a str },
        YesApprove,
        NoGoBack,
        // Rejecting.
        RejectTitle { reference: &'a str },
        WhyReject,
        ScanReasonsHint,
        Details,
        DetailsHint,
        ChooseReason,
        // After a decision, on the transfer's page.
        ApprovedNotice,
        RejectedNotice,
        ReturnedNotice,
        ResubmittedNotice,
        // The seller's resubmission.
        ResubmitTitle { reference: &'a str },
        ResubmitLead,
        OfficersReason,
        NewScan,
        NewScanUploaded { kind: &'a str },
        NoNewScanYet,
        Change,
        UploadNewScan,
        SendCode,
        ResubmitButton,
        NoFeeAgain,
        /// The seller's link from the transfer's page.
        ResubmitLink,
        /// An officer's link from the transfer's page and the queue.
        ReviewLink,
        // The new logbook's next step, confirmed on a page of its own.
        LogbookPrintedQuestion { serial: &'a str, office: &'a str },
        LogbookPrintedHint,
        LogbookCollectedQuestion { serial: &'a str },
        LogbookCollectedHint,
        YesRecordIt,
        LogbookRecordedNotice,
    }
}

//! Page copy: the words of the layout, the shared components and the
//! notices and labels the parts' pages show.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. It must
//! not know a page's markup or route: templates place these texts.

mod en;
mod sw;

use crate::catalogue;

/// Which part of tims a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Registry,
    SignOn,
}

catalogue! {
    /// A text on a page, with what it says.
    pub enum Page<'a> in (en::render, sw::render) {
        // The layout.
        ServiceName { part: Part },
        /// The `<title>`: the page's own title, then the service.
        Title { page: &'a str, part: Part },
        ErrorSummaryTitle,
        /// Before a page's title when its form was refused.
        ErrorTitlePrefix,
        NavMyVehicles,
        NavInquiry,
        NavTransfers,
        NavReviewQueue,
        ActingFor { person: &'a str, org: &'a str },
        LanguageSwitch,
        // The pager.
        NextPage,
        FirstPage,
        // Notices.
        SignedIn,
        SignedOut,
        PreferencesSaved,
        OrgAdded,
        ActingAsShown,
        CodeSent,
        TransferStarted,
        // Lists and pages of the registry.
        MyVehicles,
        MyVehiclesAndOrgs { org: &'a str },
        NoVehicles,
        LookUpVehicle,
        PublicPartOnly,
        TransferPending,
        NoTransfers,
        ReviewQueueTitle,
        NothingToReview,
        SecurityVerification,
        CodeLabel,
        ScanHint,
        CollectionOffice,
        PostalAddress,
        AcceptCharges { amount_cents: i64 },
        AcceptTransfer,
        DeclineTransfer,
        PayFee,
        ApproveThisTransfer,
        RefuseThisTransfer,
        ApproveTransfer,
        RejectTransfer,
        ReasonHint,
        LogbookPrinted,
        LogbookCollectedByBuyer,
        CancelTransfer,
        // Error pages.
        SomethingWentWrongTitle,
        ThatDidNotWork,
        NothingHere,
        GoToAccount,
        YouCannotDoThat,
        AccountDoesNotAllow,
        ServiceUnavailableTitle,
        RegisterNotAnswering,
        ServiceVeryBusy,
        NothingChanged,
        FormExpiredTitle,
        CookieMissing,
        RecoverNow,
        /// The pager's name, for screen readers.
        Pages,
    }
}

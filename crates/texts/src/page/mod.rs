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
        ErrorSummaryTitle,
        /// Before a page's title when its form was refused.
        ErrorTitlePrefix,
        NavMyVehicles,
        NavInquiry,
        NavTransfers,
        NavReviewQueue,
        ActingFor { person: &'a str, org: &'a str },
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
        CodeLabel,
        ScanHint,
        CollectionOffice,
        PostalAddress,
        AcceptTransfer,
        DeclineTransfer,
        PayFee,
        ApproveTransfer,
        LogbookPrinted,
        LogbookCollectedByBuyer,
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

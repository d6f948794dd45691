//! The registry's page copy that its handlers choose: column heads, the
//! labels of a record, the forms of a transfer's steps, notices, and what
//! the sign-in says when it cannot finish.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. Kept
//! apart from [`Page`](crate::Page) (the layout and texts both parts share)
//! so that each part's copy grows in its own file. It must not know a
//! page's markup or route: handlers and templates place these texts.

mod en;
mod sw;

use domain::org::OrgRole;
use domain::transfer::{LogbookState, State, Step};
use domain::{AccountType, BuyerType, ConsentDecision, OwnerRole, VehicleStatus};

use crate::catalogue;

catalogue! {
    /// A text on one of the registry's pages, with what it says.
    pub enum RegistryPage<'a> in (en::render, sw::render) {
        // What every page may say.
        NotFoundTitle,
        // Signing in.
        SignInNotStartedHere,
        SignInAnswerWithoutState,
        SignInExpired,
        /// `why` is the OpenID Connect library's reason.
        SignInIncomplete { why: &'a str },
        NotAMember { kra_pin: &'a str },
        TokenUncheckable,
        /// `why` is the provider's answer.
        ProviderAnsweredWrongly { why: &'a str },
        // Lists: column heads and cells.
        ColRegistration,
        ColVehicle,
        ColHeldBy,
        ColAs,
        ColStatus,
        ColReference,
        ColState,
        ColAge,
        ColReviewDue,
        HeldByYou,
        Days { n: i64 },
        ReviewBacklog { waiting: i64, oldest_days: i64 },
        // A vehicle's record.
        Year,
        Class,
        Engine,
        Chassis,
        EngineNumber,
        LogbookSerial,
        Owner,
        Financier,
        // A transfer's page: the forms of its steps.
        SmsCode,
        ScannedLogbook,
        Upload,
        AddressExample,
        Reason,
        /// Who did a step of the timeline when no person did.
        TimelineSystem,
        // A step's form that could not be taken.
        UploadUnreadable,
        FileTooLarge { mb: u64 },
        // The words of the templates (round 3). The home page.
        HomeTitle,
        VehicleRegistry,
        SignedInAs { name: &'a str },
        ActFor,
        Myself,
        Switch,
        SellAVehicle,
        TransfersYouArePartOf,
        /// Follows the link [`TransfersYouArePartOf`](Self::TransfersYouArePartOf).
        TransfersYouArePartOfWhat,
        LookUpByRegistration,
        SignOut,
        HomeLead,
        SignIn,
        NoAccountYet,
        RegisterWithSignOn,
        // A sale's questions; the inquiry's form.
        RegistrationNumber,
        RegistrationExample,
        /// A choice of the buyer's document.
        BuyerDocument { account_type: AccountType },
        InquiryExample,
        Inquire,
        // A transfer's page: its record and timeline.
        TransferTitle { reference: &'a str },
        Seller,
        Buyer,
        TransferFee,
        JointOwner,
        /// A consent not given yet.
        Waiting,
        DecisionName { decision: ConsentDecision },
        BuyerTypeName { buyer_type: BuyerType },
        CollectAt,
        ReviewDueBy,
        NewLogbook,
        Timeline,
        ColWhen,
        ColWhat,
        ColWho,
        StepName { step: Step },
        // Where a transfer and its new logbook stand. In English, as
        // `domain` words them (and the API answers them).
        StateLabel { state: State },
        StateNextStep { state: State },
        LogbookStateLabel { state: LogbookState },
        LogbookNextStep { state: LogbookState },
        // How a vehicle is held, and where it stands, on the lists of
        // vehicles, in plain words.
        OwnerRoleName { role: OwnerRole },
        VehicleStatusName { status: VehicleStatus },
        VehicleClassName { class: domain::fees::VehicleClass },
        /// An organisation one may act for, and one's role in it.
        OrgAndRole { org: &'a str, role: OrgRole },
    }
}

/// Each language's `render`: `routed!(m { …its arms for the first messages… })`
/// adds the arms of round 3's messages, which go to the language's own
/// `template_words` and `standing` (the page copy of the templates; where a
/// transfer, its logbook and a vehicle stand). Written once, so that the
/// languages route alike and each `render` stays short; the match is still
/// exhaustive in each language, so a message without words does not
/// compile (and one routed but not written renders empty, which the
/// catalogue's test refuses).
macro_rules! routed {
    ($m:ident { $($arms:tt)* }) => {
        match *$m {
            $($arms)*
            $crate::RegistryPage::HomeTitle
            | $crate::RegistryPage::VehicleRegistry
            | $crate::RegistryPage::SignedInAs { .. }
            | $crate::RegistryPage::ActFor
            | $crate::RegistryPage::Myself
            | $crate::RegistryPage::Switch
            | $crate::RegistryPage::SellAVehicle
            | $crate::RegistryPage::TransfersYouArePartOf
            | $crate::RegistryPage::TransfersYouArePartOfWhat
            | $crate::RegistryPage::LookUpByRegistration
            | $crate::RegistryPage::SignOut
            | $crate::RegistryPage::HomeLead
            | $crate::RegistryPage::SignIn
            | $crate::RegistryPage::NoAccountYet
            | $crate::RegistryPage::RegisterWithSignOn
            | $crate::RegistryPage::RegistrationNumber
            | $crate::RegistryPage::RegistrationExample
            | $crate::RegistryPage::BuyerDocument { .. }
            | $crate::RegistryPage::InquiryExample
            | $crate::RegistryPage::Inquire
            | $crate::RegistryPage::TransferTitle { .. }
            | $crate::RegistryPage::Seller
            | $crate::RegistryPage::Buyer
            | $crate::RegistryPage::TransferFee
            | $crate::RegistryPage::JointOwner
            | $crate::RegistryPage::Waiting
            | $crate::RegistryPage::CollectAt
            | $crate::RegistryPage::ReviewDueBy
            | $crate::RegistryPage::NewLogbook
            | $crate::RegistryPage::Timeline
            | $crate::RegistryPage::ColWhen
            | $crate::RegistryPage::ColWhat
            | $crate::RegistryPage::ColWho => template_words($m),
            $crate::RegistryPage::DecisionName { .. }
            | $crate::RegistryPage::BuyerTypeName { .. }
            | $crate::RegistryPage::StepName { .. }
            | $crate::RegistryPage::StateLabel { .. }
            | $crate::RegistryPage::StateNextStep { .. }
            | $crate::RegistryPage::LogbookStateLabel { .. }
            | $crate::RegistryPage::LogbookNextStep { .. }
            | $crate::RegistryPage::OwnerRoleName { .. }
            | $crate::RegistryPage::VehicleStatusName { .. }
            | $crate::RegistryPage::VehicleClassName { .. }
            | $crate::RegistryPage::OrgAndRole { .. } => standing($m),
        }
    };
}
use routed;

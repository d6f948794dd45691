//! Refusals: what a page or the API says when it cannot do what was asked,
//! and field errors that are not a parser's.
//!
//! Owns each refusal's parameters; `en.rs` and `sw.rs` own the words. It
//! must not know the HTTP status a refusal is sent with, nor which field it
//! is shown beside: the caller's error type says so.

mod en;
mod sw;

use domain::AccountType;
use domain::transfer::{Deed, LogbookState, StaffAction, State};

use crate::catalogue;

/// What to do after a code died of too many wrong tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// Signing in to the sign-on.
    SignIn,
    /// An account recovery.
    Recovery,
    /// Verifying a phone number: sign in again for a new code.
    VerifyPhone,
    /// A step of a transfer.
    TransferStep,
}

/// Who alone may take a step of a transfer, as a refusal names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTaker {
    Seller,
    Buyer,
    /// A joint owner or the financier.
    Consenter,
    SellerOrOfficer,
}

/// What the sign-on did not share that the registry needs to act for
/// someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    KnownAccountType,
    IdNumber,
    ValidIdNumber,
}

catalogue! {
    /// A refusal, with what it says.
    pub enum Refusal in (en::render, sw::render) {
        // One-time codes.
        CodeWrong { remaining: u32 },
        CodeExpired,
        CodeAlreadyUsed,
        /// A right code used by a parallel request a moment before.
        CodeUsedJustNow,
        CodeDead { restart: Restart },
        CodeNotSent,
        NoVerifiedPhone,
        /// The registry's limit on codes per phone.
        TooManyCodesToYourPhone { minutes: u64 },
        /// The sign-on's limit on codes per phone; `wait` from `format::wait`'s numbers.
        TooManyCodesToThisPhone { wait_secs: u64 },
        TooManyCodesFromNetwork { wait_secs: u64 },
        TooManyCodesEveryone { wait_secs: u64 },
        // Sign-in and accounts.
        WrongCredentials,
        Blocked,
        Busy,
        RecoveryEnded,
        KeepOneAdmin,
        OrgAlreadyOnAccount,
        /// The registry's sign-in, when the sign-on does not share a claim it needs.
        ClaimNotShared { claim: Claim },
        // Lists that run to many pages.
        LimitOutOfRange { max: usize },
        BadCursor,
        // Anywhere.
        Forbidden,
        SignInFirst,
        FormExpired,
        FormUnreadable,
        SomethingWentWrong,
        ServiceUnreachable,
    }
}

catalogue! {
    /// A refusal about a vehicle, a transfer, its scan, payment or logbook.
    pub enum TransferRefusal<'a> in (en::render_transfer, sw::render_transfer) {
        NoSuchTransfer,
        ViewerCannotAct,
        TransferChanged,
        NoSuchVehicle { reg_no: &'a str },
        NotAnOwner { reg_no: &'a str },
        OpenTransferExists { reg_no: &'a str },
        OwnersChanged { reg_no: &'a str },
        BuyerTypeMismatch,
        BuyerAlreadyOwner,
        UploadLogbookFirst,
        UploadLogbookBeforeCode,
        ScanOnlyBeforeSubmit,
        NoScanUploaded,
        ScanEmpty,
        ScanTooLarge { tenths_of_mb: u64 },
        ScanNotAScan,
        ChooseScan,
        NothingToPay { state: State },
        PaymentNotStarted,
        OfficersOnlyReview,
        OfficersOnlyQueue,
        StaffOnlyLogbook,
        ReasonTooLong,
        NoLogbookYet,
        LogbookChanged,
        LogbookCollected,
        BuyerNotSignedUp,
        /// `why` is the fee schedule's reason.
        CannotPrice { why: &'a str },
        PaymentWaiting,
        PaymentUnconfirmed,
        EnterPostalAddress,
        /// `offices` lists this server's offices, comma-separated.
        ChooseOffice { offices: &'a str },
        ScanMissing,
        StoreDown,
        /// An officer approves only a scan that opens; `missing` says why it did not.
        ScanUncheckable { missing: bool },
        IdLinkedElsewhere,
        /// Putting a vehicle on the register with no owner.
        NeedsAnOwner,
        /// The buyer organisation's kind is not one the register gave.
        BuyerKindUnknown,
        /// A person looked up as many buyers' ID numbers and KRA PINs as
        /// they may in an hour (or a day): a new one may be looked up from
        /// `again_at_ms` (milliseconds since the epoch).
        BuyerLookupsSpent { in_last_hour: bool, again_at_ms: i64 },
        /// Too many unpaid payment prompts to this number (`to_number`), or
        /// asked for by this person, in the last hour.
        PromptsSpent { to_number: bool, again_at_ms: i64 },
    }
}

catalogue! {
    /// A refusal of a transfer's step: who may take it, and when (the
    /// state machine's refusals among them).
    pub enum StepRefusal in (en::render_step, sw::render_step) {
        NoCodeNeeded { state: State },
        ChooseCodeStep,
        NotYourStep { only: StepTaker },
        // The state machine's (`domain::transfer::Refusal`).
        WrongParty { deed: Deed },
        NotNow { state: State, deed: Deed },
        NotAConsenter,
        AlreadyConsented,
        NoReason,
        /// Staff asked to act on a transfer they are a party to.
        OwnCase { action: StaffAction },
        /// A logbook moved out of its order.
        LogbookOutOfOrder { from: LogbookState, to: LogbookState },
        /// A returned transfer resubmitted with the scan the officer returned.
        NewScanNeeded,
        // Refunding a paid fee of a transfer that ended.
        StaffOnlyRefund,
        NoRefundDue,
        EnterRefundReference,
    }
}

catalogue! {
    /// A refusal only the sign-on gives: its forms' own checks, its pace
    /// limits and lockout.
    pub enum SignOnRefusal in (en::render_sign_on, sw::render_sign_on) {
        /// A code typed where none was sent (the sign-on's wording).
        NoCodeYet,
        TooManyPasswordAttempts { wait_secs: u64 },
        TooManySignInsAtOnce,
        /// The delay after failed sign-ins with one ID number.
        TooManyFailedSignIns { wait_secs: u64 },
        SignInUnderWay,
        EnterPassword,
        PasswordsDiffer,
        EmailInvalid,
        BornInFuture,
        /// One answer for an unknown number and a wrong date of birth.
        NotInPopulationRegister { account_type: AccountType },
        AccountExists { account_type: AccountType },
        // A relying party's request that cannot be used (shown to the person).
        NoClientId,
        UnknownClient,
        NoRedirectUri,
        RedirectNotRegistered,
        NotAnIdToken,
        ClientIdNotHint,
        ReturnNeedsClient,
        LogoutReturnNotRegistered,
        // Adding an organisation by its KRA PIN.
        PinIsAPersons,
        PinNotInKraRegister,
    }
}

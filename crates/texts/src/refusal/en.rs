//! Refusals in English: the texts tims shows today.

use domain::transfer::StaffAction;

use super::{Claim, Refusal, Restart, SignOnRefusal, StepRefusal, StepTaker, TransferRefusal};
use crate::Lang;
use crate::format::{date_time, logbook_state, minutes_text, time, transfer_state, wait};

const MINUTE: u64 = 60;

pub(super) fn render(m: &Refusal) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        Refusal::CodeWrong { remaining } => format!(
            "The code is wrong. You have {remaining} more tr{} before it stops working.",
            if remaining == 1 { "y" } else { "ies" }
        ),
        Refusal::CodeExpired => s("The code has expired: ask for a new code"),
        Refusal::CodeAlreadyUsed => s("This code has already been used: ask for a new code"),
        Refusal::CodeUsedJustNow => s("This code has already been used"),
        Refusal::CodeDead { restart } => {
            let restart = match restart {
                Restart::SignIn => "Start signing in again.",
                Restart::Recovery => "Start the recovery again.",
                Restart::VerifyPhone => "Sign in again to get a new code.",
                Restart::TransferStep => "Start this step again later or contact the agency.",
            };
            format!("This code was entered wrongly too many times and no longer works. {restart}")
        }
        Refusal::CodeNotSent => s("No code has been sent for this step yet: ask for a code"),
        Refusal::NoVerifiedPhone => {
            s("Your sign-on account has no verified phone number, so no code can be sent: verify your phone first")
        }
        Refusal::TooManyCodesToYourPhone { minutes } => {
            format!("Too many codes have been sent to your phone. Try again in {}.", minutes_text(Lang::En, minutes))
        }
        Refusal::TooManyCodesToThisPhone { wait_secs } => {
            format!("Too many codes have been sent to this phone. Try again in {}.", wait(Lang::En, wait_secs, 0))
        }
        Refusal::TooManyCodesFromNetwork { wait_secs } => format!(
            "Too many codes have been asked for from your network. Try again in {}.",
            wait(Lang::En, wait_secs, MINUTE)
        ),
        Refusal::TooManyCodesEveryone { wait_secs } => format!(
            "The service is sending too many codes just now. Try again in {}.",
            wait(Lang::En, wait_secs, MINUTE)
        ),
        Refusal::WrongCredentials => s("The ID number or password is wrong"),
        Refusal::Blocked => s("This account was blocked after too many failed sign-ins. Recover it now with your ID \
                               number, your date of birth and a code sent to your phone."),
        Refusal::Busy => s("The service is very busy just now. Try again in a few seconds."),
        Refusal::RecoveryEnded => s("This recovery has ended: start again"),
        Refusal::KeepOneAdmin => {
            s("An organisation must keep at least one administrator: make someone else an administrator first")
        }
        Refusal::OrgAlreadyOnAccount => {
            s("This organisation is already on your account (or your request is waiting for approval)")
        }
        Refusal::ClaimNotShared { claim } => {
            let what = match claim {
                Claim::KnownAccountType => "a known account type",
                Claim::IdNumber => "your ID number",
                Claim::ValidIdNumber => "a valid ID number",
            };
            format!(
                "Your sign-on account does not share {what} with the registry; the registry needs it to act for you"
            )
        }
        Refusal::LimitOutOfRange { max } => format!("Give a whole number from 1 to {max}"),
        Refusal::BadCursor => s("Not a cursor this list gave: start again from the first page"),
        Refusal::Forbidden => s("You may not do this"),
        Refusal::SignInFirst => s("Sign in first."),
        Refusal::FormExpired => {
            s("The form had expired or came from elsewhere. Go back, reload the page and try again.")
        }
        Refusal::FormUnreadable => s("The form could not be read: go back and try again"),
        Refusal::SomethingWentWrong => s("Something went wrong on our side. Try again in a moment."),
        Refusal::ServiceUnreachable => s("The sign-on service cannot be reached just now. Try again in a minute."),
    }
}

pub(super) fn render_transfer(m: &TransferRefusal<'_>) -> String {
    use TransferRefusal as T;
    let s = |t: &str| t.to_string();
    match *m {
        T::NoSuchTransfer => s("No such transfer, or it is not yours to see"),
        T::ViewerCannotAct => {
            s("You are a viewer for this organisation: only its admins and transactors can act on its transfers")
        }
        T::TransferChanged => s("The transfer changed while you were working on it: reload it to see where it stands"),
        T::NoSuchVehicle { reg_no } => format!("No vehicle with registration number {reg_no} is registered"),
        T::NotAnOwner { reg_no } => {
            format!("Only an owner of {reg_no} (or someone acting for an owning organisation) can transfer it")
        }
        T::OpenTransferExists { reg_no } => {
            format!("{reg_no} already has an open transfer: finish or cancel it before starting another")
        }
        T::OwnersChanged { reg_no } => {
            format!("The owners of {reg_no} changed just now: look the vehicle up again")
        }
        T::BuyerTypeMismatch => s("The buyer type does not match the ID number or KRA PIN given"),
        T::BuyerAlreadyOwner => s("The buyer is already an owner of this vehicle"),
        T::UploadLogbookFirst => s("Upload the scanned logbook before you submit"),
        T::UploadLogbookBeforeCode => s("Upload the scanned logbook before you ask for the code to submit"),
        T::ScanOnlyBeforeSubmit => s("The scanned logbook can only be changed before the seller submits"),
        T::NoScanUploaded => s("No scanned logbook has been uploaded for this transfer"),
        T::ScanEmpty => s("The file is empty: upload the scanned logbook as a PDF, JPEG or PNG"),
        T::ScanTooLarge { tenths_of_mb } => format!(
            "The file is {}.{} MB: a scanned logbook may be at most 10 MB",
            tenths_of_mb / 10,
            tenths_of_mb % 10
        ),
        T::ScanNotAScan => {
            s("The file is not a PDF, JPEG or PNG (whatever its name says): upload the scanned logbook in one of those")
        }
        T::ChooseScan => s("Choose the scanned logbook file to upload"),
        T::NothingToPay { state } => {
            format!("The transfer is {}, so there is nothing to pay", transfer_state(Lang::En, state))
        }
        T::PaymentNotStarted => {
            s("The payment could not be started just now, and nothing was charged. If a payment prompt is already \
               open on that phone, answer or cancel it first; then try paying again")
        }
        T::OfficersOnlyReview => s("Only the agency's officers can review transfers"),
        T::OfficersOnlyQueue => s("Only the agency's officers can see the review queue"),
        T::StaffOnlyLogbook => s("Only the agency's staff can update a logbook"),
        T::ReasonTooLong => s("Keep the reason to 500 characters"),
        T::NoLogbookYet => s("This transfer has no logbook yet: it is ordered when an officer approves"),
        T::LogbookChanged => s("The logbook changed while you were working on it: reload it"),
        T::LogbookCollected => s("The logbook has already been collected"),
        T::BuyerNotSignedUp => s("No one with this ID number or KRA PIN has signed in to tims yet: both \
                                                parties need an account. Ask the buyer to sign in once, then try again"),
        T::CannotPrice { why } => format!("This vehicle cannot be priced: {why}"),
        T::PaymentWaiting => s("A payment request for this transfer is already waiting for your answer \
                                              on your phone: approve it there, or try again in two minutes"),
        T::PaymentUnconfirmed => s("We could not confirm that M-Pesa sent the payment request to your phone. If it \
                                    did, enter your PIN there. If nothing comes, try again in two minutes: you \
                                    will not be charged twice"),
        T::EnterPostalAddress => {
            s("Enter your postal address, for example P.O. Box 12345-00100 Nairobi (5 to 200 characters)")
        }
        T::ChooseOffice { offices } => {
            format!("Choose the office where you will collect the logbook: {offices}")
        }
        T::ScanMissing => s("The scanned logbook of this transfer is missing from the file store, so it \
                                           cannot be opened; this has been logged for the agency's technical staff."),
        T::StoreDown => s("The scanned logbook cannot be opened just now: the file store did not \
                                         answer. Try again in a few minutes."),
        T::ScanUncheckable { missing } => format!(
            "This transfer cannot be approved until its scan can be checked. {}",
            render_transfer(if missing { &T::ScanMissing } else { &T::StoreDown })
        ),
        T::NeedsAnOwner => s("A vehicle needs at least one owner"),
        T::BuyerKindUnknown => s(
            "The KRA register does not say what kind of organisation the buyer is. Ask the buyer to check their organisation's details with KRA",
        ),
        T::IdLinkedElsewhere => s("This ID number is already linked to another sign-on account. Contact \
                                                 the agency to have it checked"),
        T::BuyerLookupsSpent { in_last_hour, again_at_ms } => lookups_spent(in_last_hour, again_at_ms),
        T::PromptsSpent { to_number, again_at_ms } => prompts_spent(to_number, again_at_ms),
    }
}

/// A spent budget of buyers' lookups: in the last hour, or the last day.
fn lookups_spent(in_last_hour: bool, again_at_ms: i64) -> String {
    let (when, again) = if in_last_hour {
        ("in the last hour", time(again_at_ms))
    } else {
        ("today", date_time(Lang::En, again_at_ms))
    };
    format!(
        "You have looked up many buyers' ID numbers and KRA PINs {when}: try again after {again}. \
         A buyer you looked up already can still be chosen"
    )
}

pub(super) fn render_step(m: &StepRefusal) -> String {
    use StepRefusal as T;
    let s = |t: &str| t.to_string();
    match *m {
        T::NoCodeNeeded { state } => {
            format!("No code is needed from you for this transfer now: it is {}", transfer_state(Lang::En, state))
        }
        T::ChooseCodeStep => s(
            "Choose submit (the seller), approve or refuse (a joint owner or financier), accept or decline (the buyer)",
        ),
        T::NotYourStep { only } => format!("Only {} can do this", step_taker(only)),
        T::WrongParty { deed } => {
            format!("Only {} can do this: the transfer cannot be {} by you", deed.by_whom(), deed.done())
        }
        T::NotNow { state, deed } => {
            format!("The transfer is {}, so it cannot be {}", transfer_state(Lang::En, state), deed.done())
        }
        T::NotAConsenter => s("Your consent is not needed for this transfer"),
        T::AlreadyConsented => s("You have already approved this transfer"),
        T::NoReason => s("Give the reason for rejecting the transfer"),
        T::OwnCase { action } => {
            let what = match action {
                StaffAction::Review => "review it",
                StaffAction::Logbook => "update its logbook",
                StaffAction::Scan => "check its scanned logbook",
                StaffAction::Refund => "refund its fee",
            };
            format!("You are a party to this transfer, so another officer must {what}")
        }
        T::LogbookOutOfOrder { from, to } => format!(
            "A logbook that is {} cannot become {}: it goes from printing to ready for collection to collected",
            logbook_state(Lang::En, from),
            logbook_state(Lang::En, to)
        ),
        T::NewScanNeeded => s("Upload a new scan of the logbook before resubmitting the transfer"),
        T::StaffOnlyRefund => s("Only the agency's staff can record a refund"),
        T::NoRefundDue => s("No refund is due on this transfer"),
        T::EnterRefundReference => s("Enter the refund's reference, up to 40 letters and digits"),
    }
}

/// Who alone may take a step, as a refusal names them.
fn step_taker(only: StepTaker) -> &'static str {
    match only {
        StepTaker::Seller => "the seller",
        StepTaker::Buyer => "the buyer",
        StepTaker::Consenter => "a joint owner or the financier",
        StepTaker::SellerOrOfficer => "the seller or an officer",
    }
}

pub(super) fn render_sign_on(m: &SignOnRefusal) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        SignOnRefusal::NoCodeYet => s("No code has been sent yet: ask for a code"),
        SignOnRefusal::TooManyPasswordAttempts { wait_secs } => {
            format!("Too many password attempts from your network. Try again in {}.", wait(Lang::En, wait_secs, MINUTE))
        }
        SignOnRefusal::TooManySignInsAtOnce => {
            s("Too many sign-ins from your network at once. Try again in a few seconds.")
        }
        SignOnRefusal::TooManyFailedSignIns { wait_secs } => format!(
            "Too many failed sign-ins with this ID number. Wait {} before you try again, or sign in from a phone \
             or computer you have signed in from before.",
            wait(Lang::En, wait_secs, 5 * MINUTE)
        ),
        SignOnRefusal::SignInUnderWay => s("Another sign-in with this ID number is under way. Try again in a moment."),
        SignOnRefusal::EnterPassword => s("Enter your password"),
        SignOnRefusal::PasswordsDiffer => s("The two passwords do not match"),
        SignOnRefusal::EmailInvalid => s("Enter an email address like name@example.com, or leave it empty"),
        SignOnRefusal::BornInFuture => s("The date of birth cannot be in the future"),
        SignOnRefusal::NotInPopulationRegister { account_type } => format!(
            "This {} and date of birth do not match the population register: check both",
            account_type.document()
        ),
        SignOnRefusal::AccountExists { account_type } => format!(
            "An account with this {} already exists: sign in, or recover the account if you cannot",
            account_type.document()
        ),
        SignOnRefusal::NoClientId => s("The request has no client_id."),
        SignOnRefusal::UnknownClient => s("The service that sent you here is not registered."),
        SignOnRefusal::NoRedirectUri => s("The request has no redirect_uri."),
        SignOnRefusal::RedirectNotRegistered => {
            s("The address the service asked to return to is not registered for it.")
        }
        SignOnRefusal::NotAnIdToken => {
            s("The sign-out request carries a token that is not an ID token of this service.")
        }
        SignOnRefusal::ClientIdNotHint => s("client_id does not match the token hint."),
        SignOnRefusal::ReturnNeedsClient => s("A return address needs id_token_hint or client_id."),
        SignOnRefusal::LogoutReturnNotRegistered => {
            s("The address to return to after sign-out is not registered for this service.")
        }
        SignOnRefusal::PinIsAPersons => {
            s("This KRA PIN belongs to a person, not an organisation: organisations' PINs start with P")
        }
        SignOnRefusal::PinNotInKraRegister => {
            s("No organisation with this KRA PIN is in the KRA register: check the PIN")
        }
    }
}

/// Too many unpaid payment prompts in the last hour: to this number, or
/// asked for by this person.
fn prompts_spent(to_number: bool, again_at_ms: i64) -> String {
    let at = crate::format::time(again_at_ms);
    if to_number {
        format!(
            "This number has had several payment requests in the last hour that were not paid. Use another \
             number, or try again after {}",
            at
        )
    } else {
        format!("You have asked for several payments in the last hour that were not paid. Try again after {}", at)
    }
}

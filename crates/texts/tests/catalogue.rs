//! Every message of the catalogue, at its longest realistic parameters, in
//! every language: none is empty or left in English, every key has a
//! sample, and every SMS fits one message.

use std::collections::BTreeSet;

use domain::org::{OrgKind, OrgRole};
use domain::transfer::{Deed, LogbookState, RejectReason, StaffAction, State};
use domain::{AccountType, Date, DatePartsRefusal};
use texts::{
    Answering, Claim, CodeFor, ConsentRole, Journey, Lang, Page, Part, Progress, Refusal, Restart, SignOnAccount,
    SignOnMessage, SignOnPage, SignOnRefusal, Sms, StepRefusal, StepTaker, Text, TransferRefusal, sms_length,
};

const REG_NO: &str = "KMAA 001A";
/// The longest a registration number is written (a diplomatic plate, `N CD
/// M[L]` with three-digit numbers): what an SMS must make room for.
const LONGEST_REG_NO: &str = "123 CD 123K";
const REFERENCE: &str = "TR-ABCDE-FGHJK";
const OFFICE: &str = "Nairobi (Likoni Road)";
const ORG: &str = "Consolidated Motor Vehicle Dealers (Kenya) Limited";
const PERSON: &str = "Wanjiku Nyambura Kamau-Odhiambo";
/// Officers write reasons of up to 500 characters; this is a usual one.
const REASON: &str = "the scan is a black-and-white copy, not a colour scan of the original logbook";

fn ready() -> Date {
    Date::new(2026, 9, 30).unwrap_or_else(|| panic!("a date"))
}

fn sms_samples() -> Vec<Sms<'static>> {
    let (reference, reg_no) = (REFERENCE, LONGEST_REG_NO);
    let mut all: Vec<Sms<'static>> =
        [CodeFor::VerifyPhone, CodeFor::SignIn, CodeFor::Recover, CodeFor::SubmitTransfer, CodeFor::AnswerTransfer]
            .into_iter()
            .map(|purpose| Sms::Code { purpose, code: "123456" })
            .collect();
    all.extend(
        [
            CodeFor::SubmitTransfer,
            CodeFor::AnswerTransfer,
            CodeFor::AcceptTransfer,
            CodeFor::DeclineTransfer,
            CodeFor::ApproveTransfer,
            CodeFor::RefuseTransfer,
        ]
        .into_iter()
        .map(|purpose| Sms::TransferCode { purpose, reference: REFERENCE, code: "123456" }),
    );
    all.extend(OrgRole::ALL.iter().map(|&role| Sms::OrgRoleSet { org: ORG, role }));
    all.extend([
        Sms::AccountRecovered,
        Sms::OrgRequest { person: PERSON, org: ORG },
        Sms::OrgRequestRefused { org: ORG },
        Sms::OrgRemoved { org: ORG },
        Sms::ConsentNeeded { reference, reg_no, role: ConsentRole::JointOwner },
        Sms::ConsentNeeded { reference, reg_no, role: ConsentRole::Financier },
        Sms::TransferToYou { reg_no, reference },
        Sms::ConsentRefused { reference, reg_no },
        Sms::BuyerAccepted { reference, reg_no, fee_paid: false },
        Sms::BuyerAccepted { reference, reg_no, fee_paid: true },
        Sms::PaymentReceived { amount_cents: 1_234_550, reference },
        Sms::SellerPaymentReceived { amount_cents: 1_234_550, reference },
        Sms::RefundDue { amount_cents: 1_234_550, reference },
        Sms::PaymentKept { amount_cents: 1_234_550, reference, reg_no, days: 30 },
        Sms::Refunded { amount_cents: 1_234_550, reference, refund_ref: "RFD12345678901" },
        Sms::BuyerDeclined { reference, reg_no },
        Sms::SellerCancelled { reference, reg_no },
        Sms::Expired { reference, reg_no },
        Sms::Approved { reference, reg_no, office: OFFICE, ready: ready() },
        Sms::LogbookReady { reference, office: OFFICE },
        Sms::ReturnedToSeller { reference, reg_no },
    ]);
    for &reason in RejectReason::ALL {
        all.push(Sms::Rejected { reference, reg_no, reason });
        all.push(Sms::ReturnedForScan { reference, reg_no, reason });
    }
    all
}

fn refusal_samples() -> Vec<Refusal> {
    let mut all: Vec<Refusal> = [Restart::SignIn, Restart::Recovery, Restart::VerifyPhone, Restart::TransferStep]
        .into_iter()
        .map(|restart| Refusal::CodeDead { restart })
        .collect();
    all.extend([
        Refusal::CodeWrong { remaining: 1 },
        Refusal::CodeWrong { remaining: 4 },
        Refusal::CodeExpired,
        Refusal::CodeAlreadyUsed,
        Refusal::CodeUsedJustNow,
        Refusal::CodeNotSent,
        Refusal::NoVerifiedPhone,
        Refusal::TooManyCodesToYourPhone { minutes: 1440 },
        Refusal::TooManyCodesToThisPhone { wait_secs: 86_400 },
        Refusal::TooManyCodesFromNetwork { wait_secs: 59 },
        Refusal::TooManyCodesEveryone { wait_secs: 900 },
        Refusal::WrongCredentials,
        Refusal::Blocked,
        Refusal::Busy,
        Refusal::RecoveryEnded,
        Refusal::KeepOneAdmin,
        Refusal::OrgAlreadyOnAccount,
        Refusal::ClaimNotShared { claim: Claim::KnownAccountType },
        Refusal::ClaimNotShared { claim: Claim::IdNumber },
        Refusal::ClaimNotShared { claim: Claim::ValidIdNumber },
        Refusal::LimitOutOfRange { max: 200 },
        Refusal::BadCursor,
        Refusal::Forbidden,
        Refusal::SignInFirst,
        Refusal::FormExpired,
        Refusal::FormUnreadable,
        Refusal::SomethingWentWrong,
        Refusal::ServiceUnreachable,
    ]);
    all
}

fn sign_on_refusal_samples() -> Vec<SignOnRefusal> {
    let mut all = vec![
        SignOnRefusal::NoCodeYet,
        SignOnRefusal::TooManyPasswordAttempts { wait_secs: 59 },
        SignOnRefusal::TooManyPasswordAttempts { wait_secs: 900 },
        SignOnRefusal::TooManySignInsAtOnce,
        SignOnRefusal::TooManyFailedSignIns { wait_secs: 128 },
        SignOnRefusal::TooManyFailedSignIns { wait_secs: 900 },
        SignOnRefusal::SignInUnderWay,
        SignOnRefusal::EnterPassword,
        SignOnRefusal::PasswordsDiffer,
        SignOnRefusal::EmailInvalid,
        SignOnRefusal::BornInFuture,
        SignOnRefusal::NoClientId,
        SignOnRefusal::UnknownClient,
        SignOnRefusal::NoRedirectUri,
        SignOnRefusal::RedirectNotRegistered,
        SignOnRefusal::NotAnIdToken,
        SignOnRefusal::ClientIdNotHint,
        SignOnRefusal::ReturnNeedsClient,
        SignOnRefusal::LogoutReturnNotRegistered,
        SignOnRefusal::PinIsAPersons,
        SignOnRefusal::PinNotInKraRegister,
    ];
    for account_type in [AccountType::Citizen, AccountType::Resident, AccountType::Foreigner] {
        all.extend([
            SignOnRefusal::NotInPopulationRegister { account_type },
            SignOnRefusal::AccountExists { account_type },
        ]);
    }
    all
}

const DEEDS: [Deed; 10] = [
    Deed::Submit,
    Deed::ConsentTo,
    Deed::Accept,
    Deed::Decline,
    Deed::MarkPaid,
    Deed::Approve,
    Deed::Reject,
    Deed::Cancel,
    Deed::Expire,
    Deed::Resubmit,
];

fn transfer_refusal_samples() -> Vec<TransferRefusal<'static>> {
    let reg_no = REG_NO;
    vec![
        TransferRefusal::NoSuchTransfer,
        TransferRefusal::ViewerCannotAct,
        TransferRefusal::TransferChanged,
        TransferRefusal::NoSuchVehicle { reg_no },
        TransferRefusal::NotAnOwner { reg_no },
        TransferRefusal::OpenTransferExists { reg_no },
        TransferRefusal::OwnersChanged { reg_no },
        TransferRefusal::BuyerTypeMismatch,
        TransferRefusal::BuyerAlreadyOwner,
        TransferRefusal::UploadLogbookFirst,
        TransferRefusal::UploadLogbookBeforeCode,
        TransferRefusal::ScanOnlyBeforeSubmit,
        TransferRefusal::NoScanUploaded,
        TransferRefusal::ScanEmpty,
        TransferRefusal::ScanTooLarge { tenths_of_mb: 1_234 },
        TransferRefusal::ScanNotAScan,
        TransferRefusal::ChooseScan,
        TransferRefusal::NothingToPay { state: State::ConsentRefused },
        TransferRefusal::PaymentNotStarted,
        TransferRefusal::OfficersOnlyReview,
        TransferRefusal::OfficersOnlyQueue,
        TransferRefusal::StaffOnlyLogbook,
        TransferRefusal::ReasonTooLong,
        TransferRefusal::NoLogbookYet,
        TransferRefusal::LogbookChanged,
        TransferRefusal::LogbookCollected,
        TransferRefusal::BuyerNotSignedUp,
        TransferRefusal::CannotPrice { why: "no fee schedule applies to this vehicle class" },
        TransferRefusal::PaymentWaiting,
        TransferRefusal::PaymentUnconfirmed,
        TransferRefusal::PromptsSpent { to_number: true, again_at_ms: 0 },
        TransferRefusal::PromptsSpent { to_number: false, again_at_ms: 0 },
        TransferRefusal::EnterPostalAddress,
        TransferRefusal::ChooseOffice { offices: "Nairobi, Mombasa, Kisumu, Nakuru, Eldoret, Nyeri" },
        TransferRefusal::ScanMissing,
        TransferRefusal::StoreDown,
        TransferRefusal::ScanUncheckable { missing: true },
        TransferRefusal::ScanUncheckable { missing: false },
        TransferRefusal::IdLinkedElsewhere,
        TransferRefusal::NeedsAnOwner,
        TransferRefusal::BuyerKindUnknown,
        TransferRefusal::BuyerLookupsSpent { in_last_hour: true, again_at_ms: 1_767_614_400_000 },
        TransferRefusal::BuyerLookupsSpent { in_last_hour: false, again_at_ms: 1_767_686_400_000 },
    ]
}

fn step_refusal_samples() -> Vec<StepRefusal> {
    let mut all = vec![
        StepRefusal::NoCodeNeeded { state: State::ConsentRefused },
        StepRefusal::ChooseCodeStep,
        StepRefusal::StaffOnlyRefund,
        StepRefusal::NoRefundDue,
        StepRefusal::EnterRefundReference,
        StepRefusal::NotAConsenter,
        StepRefusal::AlreadyConsented,
        StepRefusal::NoReason,
        StepRefusal::NewScanNeeded,
    ];
    all.extend(
        [StepTaker::Seller, StepTaker::Buyer, StepTaker::Consenter, StepTaker::SellerOrOfficer]
            .into_iter()
            .map(|only| StepRefusal::NotYourStep { only }),
    );
    all.extend(DEEDS.iter().map(|&deed| StepRefusal::WrongParty { deed }));
    all.extend(DEEDS.iter().map(|&deed| StepRefusal::NotNow { state: State::ConsentRefused, deed }));
    all.extend(
        [StaffAction::Review, StaffAction::Logbook, StaffAction::Scan]
            .into_iter()
            .map(|action| StepRefusal::OwnCase { action }),
    );
    all.push(StepRefusal::LogbookOutOfOrder { from: LogbookState::ReadyForCollection, to: LogbookState::Printing });
    all
}

fn page_samples() -> Vec<Page<'static>> {
    vec![
        Page::ServiceName { part: Part::Registry },
        Page::ServiceName { part: Part::SignOn },
        Page::ErrorSummaryTitle,
        Page::ErrorTitlePrefix,
        Page::NavMyVehicles,
        Page::NavInquiry,
        Page::NavTransfers,
        Page::NavReviewQueue,
        Page::ActingFor { person: PERSON, org: ORG },
        Page::NextPage,
        Page::FirstPage,
        Page::SignedIn,
        Page::SignedOut,
        Page::PreferencesSaved,
        Page::OrgAdded,
        Page::ActingAsShown,
        Page::CodeSent,
        Page::MyVehicles,
        Page::MyVehiclesAndOrgs { org: ORG },
        Page::NoVehicles,
        Page::LookUpVehicle,
        Page::PublicPartOnly,
        Page::TransferPending,
        Page::NoTransfers,
        Page::ReviewQueueTitle,
        Page::NothingToReview,
        Page::CodeLabel,
        Page::ScanHint,
        Page::CollectionOffice,
        Page::PostalAddress,
        Page::AcceptTransfer,
        Page::DeclineTransfer,
        Page::PayFee,
        Page::ApproveTransfer,
        Page::LogbookPrinted,
        Page::LogbookCollectedByBuyer,
        Page::SomethingWentWrongTitle,
        Page::ThatDidNotWork,
        Page::NothingHere,
        Page::GoToAccount,
        Page::YouCannotDoThat,
        Page::AccountDoesNotAllow,
        Page::ServiceUnavailableTitle,
        Page::RegisterNotAnswering,
        Page::ServiceVeryBusy,
        Page::NothingChanged,
        Page::FormExpiredTitle,
        Page::CookieMissing,
        Page::RecoverNow,
        Page::Pages,
    ]
}

fn sign_on_page_samples() -> Vec<SignOnPage<'static>> {
    let mut all: Vec<SignOnPage<'static>> = [AccountType::Citizen, AccountType::Resident, AccountType::Foreigner]
        .into_iter()
        .map(|account_type| SignOnPage::AccountTypeChoice { account_type })
        .collect();
    all.extend([
        SignOnPage::SignInTitle,
        SignOnPage::YouAreA,
        SignOnPage::IdOrPassport,
        SignOnPage::Password,
        SignOnPage::Continue,
        SignOnPage::CreateAnAccount,
        SignOnPage::ForgotPassword,
        SignOnPage::RecoverInstead,
        SignOnPage::CheckYourPhone,
        SignOnPage::CodeSentToVerify { phone: "07•• ••• 678" },
        SignOnPage::EnterSignInCode,
        SignOnPage::CodeSentTo { phone: "07•• ••• 678" },
        SignOnPage::CodeWorksFiveMinutes,
        SignOnPage::Code,
        SignOnPage::SendNewCode,
        SignOnPage::NewCodeOnItsWay,
        SignOnPage::SignOutQuestion,
        SignOnPage::ServiceAskedSignOut,
        SignOnPage::SignOut,
        SignOnPage::RegisterLead,
        SignOnPage::IdNumberHint,
        SignOnPage::DateOfBirth,
        SignOnPage::DateOfBirthHint,
        SignOnPage::MobileNumber,
        SignOnPage::MobileNumberHint,
        SignOnPage::EmailOptional,
        SignOnPage::PasswordAgain,
        SignOnPage::PasswordHint,
        SignOnPage::SmsAlertsOptIn,
        SignOnPage::CreateAccount,
        SignOnPage::HaveAccount,
        SignOnPage::RecoverTitle,
        SignOnPage::RecoverLead,
        SignOnPage::SendACode,
        SignOnPage::BackToSignIn,
        SignOnPage::NewPasswordTitle,
        SignOnPage::RecoverCodeLead,
        SignOnPage::RecoverNoCode,
        SignOnPage::NewPassword,
        SignOnPage::NewPasswordAgain,
        SignOnPage::ChangePassword,
        SignOnPage::StartAgain,
        SignOnPage::SmsAlertsTitle,
        SignOnPage::SmsAlertsLead,
        SignOnPage::Save,
        SignOnPage::BackToAccount,
        SignOnPage::AddOrgTitle,
        SignOnPage::AddOrgLead,
        SignOnPage::AddOrgDirector,
        SignOnPage::OrgPinLabel,
        SignOnPage::OrgPinHint,
        SignOnPage::AddOrg,
        SignOnPage::DateDay,
        SignOnPage::DateMonth,
        SignOnPage::DateYear,
        SignOnPage::GoToRegistry,
    ]);
    all
}

fn sign_on_message_samples() -> Vec<SignOnMessage> {
    let mut all = vec![
        SignOnMessage::OrgRequested,
        SignOnMessage::MemberSaved,
        SignOnMessage::PasswordChanged,
        SignOnMessage::SignedOut,
        SignOnMessage::PageNotFound,
        SignOnMessage::PleaseWait,
        SignOnMessage::ServiceProblem,
        SignOnMessage::FormNotAccepted,
        SignOnMessage::DevCookies,
        SignOnMessage::FormUnreadableTitle,
        SignOnMessage::SendFormFromPage,
        SignOnMessage::SignOutRequestUnusable,
        SignOnMessage::SignedOutTitle,
        SignOnMessage::CloseWindow,
        SignOnMessage::SignInAgain,
        SignOnMessage::BrokenSignInLink,
        SignOnMessage::UnreadableRequest,
        SignOnMessage::SignInRequestUnusable,
        SignOnMessage::GoBackToService,
        SignOnMessage::DevSmsTitle,
        SignOnMessage::DevSmsLead,
        SignOnMessage::DevSmsOnePhone,
        SignOnMessage::DevSmsTo,
        SignOnMessage::DevSmsFor,
        SignOnMessage::DevSmsAbout,
        SignOnMessage::DevSmsMessage,
        SignOnMessage::AccountCreated,
        SignOnMessage::CodeResent,
    ];
    // Every way a date of birth in three boxes is refused.
    let missing = [(true, false, false), (false, true, true), (true, true, false), (false, false, true)];
    all.extend(
        [DatePartsRefusal::Empty, DatePartsRefusal::Day, DatePartsRefusal::Month, DatePartsRefusal::Year]
            .into_iter()
            .chain(missing.map(|(day, month, year)| DatePartsRefusal::Missing { day, month, year }))
            .chain([DatePartsRefusal::NoSuchDay { days_in_month: 28 }])
            .map(|refusal| SignOnMessage::DateOfBirthRefused { refusal }),
    );
    all
}

fn sign_on_account_samples() -> Vec<SignOnAccount<'static>> {
    let mut all: Vec<SignOnAccount<'static>> = vec![
        SignOnAccount::YourAccount,
        SignOnAccount::AccountTypeRow,
        SignOnAccount::Mobile,
        SignOnAccount::Verified,
        SignOnAccount::Subscribed,
        SignOnAccount::NotSubscribed,
        SignOnAccount::Change,
        SignOnAccount::Organisations,
        SignOnAccount::NoOrgs,
        SignOnAccount::OrgColumn,
        SignOnAccount::KraPinColumn,
        SignOnAccount::YourRole,
        SignOnAccount::WaitingApproval,
        SignOnAccount::AddOrgByPin,
        SignOnAccount::Person,
        SignOnAccount::StatusAndRole,
        SignOnAccount::ChangeColumn,
        SignOnAccount::AsksToJoin,
        SignOnAccount::Role,
        SignOnAccount::RemoveFromOrg,
        SignOnAccount::RefuseRequest,
        SignOnAccount::Decide,
        SignOnAccount::OrgLead { kra_pin: "P051234567A" },
        SignOnAccount::IdOf { id_number: "100200300" },
    ];
    for account_type in AccountType::ALL {
        all.extend([SignOnAccount::AccountTypeName { account_type }, SignOnAccount::DocumentName { account_type }]);
    }
    all.extend(OrgRole::ALL.iter().map(|&role| SignOnAccount::RoleName { role }));
    all.extend(OrgKind::ALL.iter().map(|&kind| SignOnAccount::OrgKindName { kind }));
    all
}

fn journey_samples() -> Vec<Journey<'static>> {
    let reg_no = REG_NO;
    let all = vec![
        Journey::Back,
        Journey::Change,
        Journey::Continue,
        Journey::Confirm,
        Journey::Details,
        Journey::SellAVehicle,
        Journey::SellVehicle { reg_no },
        Journey::WhichVehicle,
        Journey::WhoIsBuying,
        Journey::BuyerKindHint,
        Journey::BuyerIsAPerson,
        Journey::BuyerIsAnOrganisation,
        Journey::ChooseBuyerKind,
        Journey::WhatIsTheBuyersId,
        Journey::WhatIsTheBuyersPin,
        Journey::BuyerMustHaveSignedIn,
        Journey::IdDocument,
        Journey::IdDocumentNumber,
        Journey::IdNumberHint,
        Journey::KraPin,
        Journey::KraPinHint,
        Journey::CheckBeforeStarting,
        Journey::Buyer,
        Journey::BuyersName,
        Journey::FeePaidByBuyer { amount_cents: 206_500 },
        Journey::FeePaidBySeller { amount_cents: 206_500 },
        Journey::AfterStarting,
        Journey::OthersMustConsent { n: 1 },
        Journey::OthersMustConsent { n: 2 },
        Journey::StartTheTransfer,
        Journey::UploadTheScan,
        Journey::ScanWhatToSend,
        Journey::UploadAnotherScan,
        Journey::CheckAndSubmit,
        Journey::CheckBeforeSubmitting,
        Journey::SubmitWhatHappens,
        Journey::ScanUploaded,
        Journey::ScanUploadedBySeller,
        Journey::SendMeTheCode,
        Journey::CodeToSubmit,
        Journey::CancelThisTransfer,
        Journey::SureToCancel { reg_no },
        Journey::CancelWhatHappens { buyer: PERSON },
        Journey::CannotBeUndone,
        Journey::YesCancel,
        Journey::NoKeepIt,
    ];
    all
}

fn answering_samples() -> Vec<Answering<'static>> {
    let reg_no = REG_NO;
    vec![
        Answering::DoYouAccept { reg_no, seller: PERSON },
        Answering::DoYouAgree { reg_no, buyer: ORG },
        Answering::TheVehicle { vehicle: "KDA 001A, Toyota Corolla" },
        Answering::IfYouAccept { amount_cents: 206_500 },
        Answering::FeeAlreadyPaid,
        Answering::AsOwnerYouMustAgree,
        Answering::YesAccept,
        Answering::NoDecline,
        Answering::YesApprove,
        Answering::NoRefuse,
        Answering::ChooseAnAnswer,
        Answering::WhatIsYourPostalAddress,
        Answering::AddressWhy,
        Answering::WhereWillYouCollect,
        Answering::OfficeHint,
        Answering::CheckYourAnswer,
        Answering::YourAnswer,
        Answering::FeePaidNext { amount_cents: 206_500 },
        Answering::DeclineEnds,
        Answering::RefuseEnds,
        Answering::SendCodeToAccept,
        Answering::SendCodeToDecline,
        Answering::SendCodeToApprove,
        Answering::SendCodeToRefuse,
        Answering::CodeToAccept,
        Answering::CodeToDecline,
        Answering::CodeToApprove,
        Answering::CodeToRefuse,
        Answering::WeSentACode { phone: "07•• ••• 678" },
        Answering::NewCodeSent,
        Answering::SendANewCode,
    ]
}

fn progress_samples() -> Vec<Progress<'static>> {
    use domain::guidance::Guidance as G;
    let by = "Tue 8 Dec 2026";
    let mut all = vec![
        Progress::WhatYouNeedToDo,
        Progress::WhatHappensNext,
        Progress::YourReference { reference: REFERENCE },
        Progress::OfficersReason { reason: REASON },
        Progress::AnswerTheRequest,
        Progress::AcceptOrDecline,
        Progress::PayFee { amount_cents: 206_500 },
        Progress::ReviewIt,
        Progress::SeeTheReceipt,
        Progress::NoticeStarted,
        Progress::NoticeUploaded,
        Progress::NoticeSubmitted,
        Progress::NoticeConsented,
        Progress::NoticeRefused,
        Progress::NoticeAccepted,
        Progress::NoticeDeclined,
        Progress::NoticeCancelled,
        Progress::NoticePaid,
        Progress::NoticeReviewed,
        Progress::NoticeRecorded,
    ];
    let mut guidance = vec![
        G::UploadScan,
        G::Submit,
        G::WaitForSeller,
        G::Consent,
        G::WaitForConsents,
        G::Answer,
        G::WaitForBuyer,
        G::Pay,
        G::WaitForPayment,
        G::Review,
        G::WaitForReview,
        G::Printing,
        G::ReadyToCollect,
        G::ReadyForBuyer,
        G::Collected,
        G::Rescan,
        G::WaitForRescan,
    ];
    guidance.extend([G::PrintingForBuyer, G::SellerPay, G::WaitForSellerPayment, G::AnswerFeePaid]);
    for &s in State::ALL {
        guidance.extend([G::Ended(s), G::EndedForSeller(s), G::EndedForBuyer(s)]);
    }
    for g in guidance {
        for review_by in [by, ""] {
            all.push(Progress::Guide { guidance: g, by, review_by, office: OFFICE, ready: by, fee: 206_500 });
        }
    }
    all
}

/// Each message renders non-empty in every language, and every key has a
/// sample (so a new message cannot slip past these checks).
fn check_all<T: Text>(samples: &[T], keys: &[&str]) {
    let covered: BTreeSet<&str> = samples.iter().map(Text::key).collect();
    let missing: Vec<&&str> = keys.iter().filter(|k| !covered.contains(**k)).collect();
    assert!(missing.is_empty(), "no sample for {missing:?}");
    for m in samples {
        let en = m.render(Lang::En);
        assert_ne!(m.render(Lang::Sw), en, "{} is left in English", m.key());
        for lang in Lang::ALL {
            let text = m.render(lang);
            assert!(!text.trim().is_empty(), "{} is empty in {lang:?}", m.key());
            assert!(!text.contains("{") && !text.contains("}"), "{} has a stray brace in {lang:?}: {text}", m.key());
        }
    }
}

#[test]
fn every_message_renders_in_every_language() {
    check_all(&sms_samples(), Sms::KEYS);
    check_all(&refusal_samples(), Refusal::KEYS);
    check_all(&sign_on_refusal_samples(), SignOnRefusal::KEYS);
    check_all(&transfer_refusal_samples(), TransferRefusal::KEYS);
    check_all(&step_refusal_samples(), StepRefusal::KEYS);
    check_all(&page_samples(), Page::KEYS);
    check_all(&sign_on_page_samples(), SignOnPage::KEYS);
    check_all(&sign_on_message_samples(), SignOnMessage::KEYS);
    check_all(&sign_on_account_samples(), SignOnAccount::KEYS);
    check_all(&journey_samples(), Journey::KEYS);
    check_all(&answering_samples(), Answering::KEYS);
    check_all(&progress_samples(), Progress::KEYS);
}

/// Messages whose English text, as tims sends it today, does not fit one
/// SMS at the longest realistic parameters; reported, to be reworded with
/// the pages of two languages. Nothing else may join this list.
/// (`Rejected` was one while it carried the officer's own words; it now
/// names the reason from the list, and the words are on the page.)
const TOO_LONG_TODAY: &[&str] = &[];

#[test]
fn every_sms_fits_one_message_but_those_reported() {
    let mut too_long = vec![];
    for m in sms_samples() {
        for lang in Lang::ALL {
            let text = m.render(lang);
            let (len, max) = sms_length(&text);
            if len > max {
                too_long.push(format!("{} {lang:?} {len}/{max}: {text}", m.key()));
            }
        }
    }
    for k in TOO_LONG_TODAY {
        assert!(too_long.iter().any(|t| t.starts_with(&format!("{k} En "))), "{k} fits now: take it off the list");
    }
    let unexpected: Vec<&String> =
        too_long.iter().filter(|t| !TOO_LONG_TODAY.iter().any(|k| t.starts_with(&format!("{k} ")))).collect();
    assert!(
        unexpected.is_empty(),
        "too long for one SMS:\n{}",
        unexpected.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn english_sms_are_the_texts_sent_today() {
    let code = Sms::Code { purpose: CodeFor::SignIn, code: "123456" }.render(Lang::En);
    assert_eq!(code, "Your tims sign-in code is 123456. It expires in 5 minutes. Never share it with anyone.");
    let code = Sms::Code { purpose: CodeFor::SubmitTransfer, code: "123456" }.render(Lang::En);
    assert_eq!(
        code,
        "Your tims code to submit the transfer is 123456. It expires in 5 minutes. Never share it with anyone."
    );
    let code = Sms::TransferCode { purpose: CodeFor::AnswerTransfer, reference: REFERENCE, code: "123456" };
    assert_eq!(
        code.render(Lang::En),
        "Your tims code to answer the transfer TR-ABCDE-FGHJK is 123456. It expires in 5 minutes. Never share it with anyone."
    );
    let recovered = Sms::AccountRecovered.render(Lang::En);
    assert_eq!(
        recovered,
        "Your tims account was recovered: the password was changed and every session was signed out. If this was not you, recover it again at once."
    );
    let paid = Sms::PaymentReceived { amount_cents: 206_500, reference: REFERENCE }.render(Lang::En);
    assert_eq!(paid, "tims: payment of KES 2,065 for transfer TR-ABCDE-FGHJK received. The agency will now review it.");
    let role = Sms::OrgRoleSet { org: "Acme", role: OrgRole::Admin }.render(Lang::En);
    assert_eq!(role, "You can now act for Acme on tims as administrator.");
    let approved = Sms::Approved { reference: REFERENCE, reg_no: "KDA 001A", office: "Nyeri", ready: ready() };
    assert_eq!(
        approved.render(Lang::Sw),
        "tims: uhamisho TR-ABCDE-FGHJK wa KDA 001A umeidhinishwa. Logbook mpya itakuwa tayari kuchukuliwa ofisi ya Nyeri kufikia 30 Septemba 2026."
    );
}

// The registry's HTTP side (round 2): its page copy and the API's refusals.

fn registry_page_samples() -> Vec<texts::RegistryPage<'static>> {
    use domain::transfer::Step;
    use domain::{BuyerType, ConsentDecision};
    use texts::RegistryPage as P;
    let mut all = vec![
        P::NotFoundTitle,
        P::SignInNotStartedHere,
        P::SignInAnswerWithoutState,
        P::SignInExpired,
        P::SignInIncomplete { why: "the ID token has expired" },
        P::NotAMember { kra_pin: "P051234569C" },
        P::TokenUncheckable,
        P::ProviderAnsweredWrongly { why: "invalid_client" },
        P::ColRegistration,
        P::ColVehicle,
        P::ColHeldBy,
        P::ColAs,
        P::ColStatus,
        P::ColReference,
        P::ColState,
        P::ColAge,
        P::ColReviewDue,
        P::HeldByYou,
        P::Days { n: 1 },
        P::Days { n: 14 },
        P::ReviewBacklog { waiting: 1, oldest_days: 0 },
        P::ReviewBacklog { waiting: 120, oldest_days: 9 },
        P::Year,
        P::Class,
        P::Engine,
        P::Chassis,
        P::EngineNumber,
        P::LogbookSerial,
        P::Owner,
        P::Financier,
        P::SmsCode,
        P::ScannedLogbook,
        P::Upload,
        P::AddressExample,
        P::Reason,
        P::TimelineSystem,
        P::UploadUnreadable,
        P::FileTooLarge { mb: 10 },
    ];
    all.extend([
        P::HomeTitle,
        P::VehicleRegistry,
        P::SignedInAs { name: PERSON },
        P::ActFor,
        P::Myself,
        P::Switch,
        P::SellAVehicle,
        P::TransfersYouArePartOf,
        P::TransfersYouArePartOfWhat,
        P::LookUpByRegistration,
        P::SignOut,
        P::HomeLead,
        P::SignIn,
        P::NoAccountYet,
        P::RegisterWithSignOn,
        P::RegistrationNumber,
        P::RegistrationExample,
        P::InquiryExample,
        P::Inquire,
        P::TransferTitle { reference: REFERENCE },
        P::Seller,
        P::Buyer,
        P::TransferFee,
        P::JointOwner,
        P::Waiting,
        P::CollectAt,
        P::ReviewDueBy,
        P::NewLogbook,
        P::Timeline,
        P::ColWhen,
        P::ColWhat,
        P::ColWho,
    ]);
    all.extend(AccountType::ALL.iter().map(|&account_type| P::BuyerDocument { account_type }));
    all.extend([ConsentDecision::Approved, ConsentDecision::Refused].map(|decision| P::DecisionName { decision }));
    all.push(P::BuyerTypeName { buyer_type: BuyerType::Individual });
    all.extend(OrgKind::ALL.iter().map(|&k| P::BuyerTypeName { buyer_type: BuyerType::Organisation(k) }));
    all.extend(Step::ALL.iter().map(|&step| P::StepName { step }));
    for &state in State::ALL {
        all.extend([P::StateLabel { state }, P::StateNextStep { state }]);
    }
    for &state in LogbookState::ALL {
        all.extend([P::LogbookStateLabel { state }, P::LogbookNextStep { state }]);
    }
    all.extend(domain::OwnerRole::ALL.iter().map(|&role| P::OwnerRoleName { role }));
    all.extend(domain::VehicleStatus::ALL.iter().map(|&status| P::VehicleStatusName { status }));
    all.extend(domain::fees::VehicleClass::ALL.iter().map(|&class| P::VehicleClassName { class }));
    all.extend(OrgRole::ALL.iter().map(|&role| P::OrgAndRole { org: ORG, role }));
    all
}

fn api_samples() -> Vec<texts::ApiText<'static>> {
    use texts::ApiText as A;
    vec![
        A::FieldsNeedAttention,
        A::NotPossibleNow,
        A::TooManyRequests,
        A::SignInFirst,
        A::TokenRefused,
        A::NotAllowed,
        A::NotFound,
        A::Unavailable,
        A::SomethingWentWrong,
        A::TryAgainInAMoment,
        A::SendAccessToken,
        A::TokenRefusedBecause { why: "expired" },
        A::NoSuchEndpoint,
        A::MethodNotAllowed,
        A::BodyTooLarge { mb: 10 },
        A::ScanMediaType,
        A::ExpectedObject,
        A::NotJson { why: "EOF while parsing an object" },
        A::NotJsonTrailing,
        A::UnknownFieldNone,
        A::UnknownField { accepted: "code or approve" },
        A::Required,
        A::Expected { expected: "a string", got: "integer `123`" },
        A::MultipartUnreadable { why: "incomplete field data" },
        A::UnknownPart,
        A::OneLogbookPart,
        A::LogbookPartMissing,
        A::IdempotencyKeyFormat,
        A::IdempotencyKeyReused,
        A::IdempotencyKeyRunning,
        A::ActForAscii,
        A::BuyerIdTypeOnlyForIndividuals,
        A::SayApproveOrRefuse,
        A::ChooseApproveOrReject,
        A::QuoteNeedsToken,
        A::NoVehicleRegistered { reg_no: REG_NO },
        A::GiveRegistrationOrClass,
        A::WholeNumberUpTo { max: 100_000 },
    ]
}

#[test]
fn the_registrys_page_copy_and_the_apis_refusals_render_in_every_language() {
    check_all(&registry_page_samples(), texts::RegistryPage::KEYS);
    check_all(&api_samples(), texts::ApiText::KEYS);
    check_all(&[texts::SwitchText::Label, texts::SwitchText::ShowIn], texts::SwitchText::KEYS);
}

#[test]
fn the_apis_english_refusals_are_the_texts_it_answers_today() {
    use texts::ApiText as A;
    assert_eq!(A::SendAccessToken.render(Lang::En), "Send the sign-on's access token as `Authorization: Bearer …`");
    assert_eq!(
        A::ScanMediaType.render(Lang::En),
        "Send the scan as application/pdf, image/jpeg, image/png or application/octet-stream, or as \
         multipart/form-data with one file part named logbook"
    );
    assert_eq!(A::BodyTooLarge { mb: 10 }.render(Lang::En), "The request body is too large: at most 10 MB");
    let backlog = texts::RegistryPage::ReviewBacklog { waiting: 1, oldest_days: 0 };
    assert_eq!(backlog.render(Lang::En), "1 transfer waiting; the oldest for 0 days.");
}

#[test]
fn sms_length_counts_as_the_network_does() {
    assert_eq!(sms_length("abc"), (3, 160));
    assert_eq!(sms_length("a€[b]"), (8, 160), "extension characters count twice");
    assert_eq!(sms_length("Jambo – karibu"), (14, 70), "an en dash needs UCS-2");
}

/// The state machine's refusals read in English as `domain` words them,
/// which is what the API answered before they came from the catalogue.
#[test]
fn english_step_refusals_are_the_machines_words() {
    use domain::transfer::{LogbookRefusal, OwnCase, Refusal};
    for deed in DEEDS {
        let machine = Refusal::WrongParty { deed }.to_string();
        assert_eq!(StepRefusal::WrongParty { deed }.render(Lang::En), machine);
        for state in State::ALL.iter().copied() {
            let machine = Refusal::NotNow { state, deed }.to_string();
            assert_eq!(StepRefusal::NotNow { state, deed }.render(Lang::En), machine);
        }
    }
    for action in [StaffAction::Review, StaffAction::Logbook, StaffAction::Scan] {
        assert_eq!(StepRefusal::OwnCase { action }.render(Lang::En), OwnCase(action).to_string());
    }
    for (from, to) in
        [(LogbookState::ReadyForCollection, LogbookState::Printing), (LogbookState::Printing, LogbookState::Collected)]
    {
        assert_eq!(
            StepRefusal::LogbookOutOfOrder { from, to }.render(Lang::En),
            LogbookRefusal { from, to }.to_string()
        );
    }
    let units = [
        (StepRefusal::NotAConsenter, Refusal::NotAConsenter),
        (StepRefusal::AlreadyConsented, Refusal::AlreadyConsented),
        (StepRefusal::NoReason, Refusal::NoReason),
        (StepRefusal::NewScanNeeded, Refusal::NewScanNeeded),
    ];
    for (ours, machine) in units {
        assert_eq!(ours.render(Lang::En), machine.to_string());
    }
}

/// Where a transfer and its logbook stand reads in English as `domain`
/// words it, which is what the API's `state_label` and `next_step` answer.
#[test]
fn english_states_are_the_machines_words() {
    use texts::RegistryPage as P;
    for &state in State::ALL {
        assert_eq!(P::StateLabel { state }.render(Lang::En), state.label());
        assert_eq!(P::StateNextStep { state }.render(Lang::En), state.next_step());
    }
    for &state in LogbookState::ALL {
        assert_eq!(P::LogbookStateLabel { state }.render(Lang::En), state.label());
        assert_eq!(P::LogbookNextStep { state }.render(Lang::En), state.next_step());
    }
}

// The officer's review and the seller's resubmission (issue 13).

fn review_samples() -> Vec<texts::ReviewText<'static>> {
    use texts::{ReviewReader, ReviewText as V};
    let mut all = vec![];
    for &reason in RejectReason::ALL {
        all.extend([V::ReasonName { reason }, V::ReasonWhy { reason }]);
        for reader in [ReviewReader::Seller, ReviewReader::Buyer, ReviewReader::Other] {
            all.push(V::WhatToDo { reason, reader, reg_no: REG_NO });
        }
    }
    all.extend(domain::OwnerRole::ALL.iter().map(|&role| V::OwnerRoleName { role }));
    all.extend(AccountType::ALL.iter().map(|&account_type| V::PersonDocument { account_type }));
    all.extend(OrgKind::ALL.iter().map(|&kind| V::OrgKindFromKra { kind }));
    all.extend([
        V::ReviewTitle { reference: REFERENCE },
        V::ReviewLead,
        V::TheScan,
        V::OpenFullSize,
        V::PdfNotShown,
        V::TheVehicle,
        V::OwnersOnRegister,
        V::TheSeller,
        V::TheBuyer,
        V::Make,
        V::Model,
        V::Body,
        V::Colour,
        V::EngineCapacity { cc: 1500 },
        V::Name,
        V::Kind,
        V::Document,
        V::Role,
        V::KraPin,
        V::PersonKind,
        V::OrgParty,
        V::NotInKraRegister,
        V::FeePaid { amount: "KES 2,065", reference: "DEV-ABC123" },
        V::QueuedOn { date: "8 December 2026" },
        V::ApproveButton,
        V::RejectButton,
        V::NoScan,
        V::ApproveTitle { reference: REFERENCE },
        V::ApproveWarning { reg_no: REG_NO, seller: PERSON, buyer: ORG },
        V::YesApprove,
        V::NoGoBack,
        V::RejectTitle { reference: REFERENCE },
        V::WhyReject,
        V::ScanReasonsHint,
        V::Details,
        V::DetailsHint,
        V::ChooseReason,
        V::ApprovedNotice,
        V::RejectedNotice,
        V::ReturnedNotice,
        V::ResubmittedNotice,
        V::ResubmitTitle { reference: REFERENCE },
        V::ResubmitLead,
        V::OfficersReason,
        V::NewScan,
        V::NewScanUploaded { kind: "PDF" },
        V::NoNewScanYet,
        V::Change,
        V::UploadNewScan,
        V::SendCode,
        V::ResubmitButton,
        V::NoFeeAgain,
        V::ResubmitLink,
        V::ReviewLink,
        V::LogbookPrintedQuestion { serial: "LB1234567890", office: OFFICE },
        V::LogbookPrintedHint,
        V::LogbookCollectedQuestion { serial: "LB1234567890" },
        V::LogbookCollectedHint,
        V::YesRecordIt,
        V::LogbookRecordedNotice,
    ]);
    all
}

#[test]
fn the_review_pages_render_in_every_language() {
    check_all(&review_samples(), texts::ReviewText::KEYS);
    let cc = texts::ReviewText::EngineCapacity { cc: 1500 };
    assert_eq!(cc.render(Lang::En), "1,500 cc");
}

#[test]
fn a_rejection_sms_names_the_reason_from_the_list_in_one_message() {
    let sms = Sms::Rejected { reference: REFERENCE, reg_no: "KDA 001A", reason: RejectReason::SellerNamedAsBuyer };
    assert_eq!(
        sms.render(Lang::En),
        "tims: the transfer TR-ABCDE-FGHJK of KDA 001A was rejected: the seller is named as the buyer. The vehicle \
         stays with its owner."
    );
    let back = Sms::ReturnedForScan { reference: REFERENCE, reg_no: "KDA 001A", reason: RejectReason::Photocopy };
    assert!(back.render(Lang::En).contains("a copy, not a colour scan of the original. Upload it and resubmit"));
}

fn pay_samples() -> Vec<texts::PayText<'static>> {
    use texts::PayText as P;
    vec![
        P::PayTitle { amount: "KES 2,065" },
        P::PayWhatFor { reg_no: "KDA 001A", reference: "TR-4K7QZ-M2P9X" },
        P::PhoneLabel,
        P::PhoneHint,
        P::PayButton { amount: "KES 2,065" },
        P::EnterMobileNumber,
        P::NothingToPayNow,
        P::CheckYourPhoneTitle,
        P::PromptSent { phone: "07•• ••• 678", amount: "KES 2,065" },
        P::EnterPin,
        P::PageRefreshes,
        P::CheckAgain,
        P::FailedTitle,
        P::Failed,
        P::NoAnswer,
        P::FailedCancelled,
        P::FailedWrongPin,
        P::FailedTooLittle,
        P::DevTitle,
        P::DevLead,
        P::DevHolding,
        P::DevNotHolding,
        P::DevHold,
        P::DevRelease,
        P::DevNoPrompts,
        P::DevPhone,
        P::DevAmount,
        P::DevReference,
        P::DevState,
        P::DevAnswer,
        P::DevPay,
        P::DevCancel,
        P::DevNoAnswer,
        P::DevWrongPin,
        P::DevTooLittle,
        P::DevWaiting,
        P::DevPaid,
        P::DevFailed { code: "1032" },
        P::TryAgain,
        P::PaidTitle,
        P::SeeReceipt,
        P::ReceiptTitle,
        P::ReceiptNumber,
        P::Amount,
        P::PaidFor,
        P::PaidForTransfer { reference: "TR-4K7QZ-M2P9X", reg_no: "KDA 001A", vehicle: "White Toyota Axio (2015)" },
        P::PayWhatForSeller { reg_no: "KDA 001A", reference: "TR-4K7QZ-M2P9X" },
        P::TransferFee,
        P::PlatformFee,
        P::PaidOn,
        P::PaidFrom,
        P::NotPaidYet,
        P::PrintIt,
        P::BackToTransfer,
    ]
}

fn home_samples() -> Vec<texts::HomeText<'static>> {
    use domain::fees::{Measure, VehicleClass};
    use texts::HomeText as H;
    const BOTH: &[VehicleClass] = &[VehicleClass::MotorVehicle, VehicleClass::Motorcycle];
    vec![
        H::NeedsYourAction,
        H::NothingNeedsAction,
        H::ActSubmit { reg_no: "KDA 001A" },
        H::ActResubmit { reg_no: "KDA 001A" },
        H::ActApprove { reg_no: "KDA 001A" },
        H::ActAnswer { reg_no: "KDA 001A" },
        H::ActPay { reg_no: "KDA 001A", amount: "KES 2,065" },
        H::By { date: "Tue 8 Dec 2026" },
        H::MoreWaiting,
        H::ForReview,
        H::OpenQueue,
        H::YourVehicles,
        H::Sell,
        H::SellThis { reg_no: "KDA 001A" },
        H::AllYourVehicles,
        H::OtherThings,
        H::ColAction,
        H::VehiclesOf { org: "Acme Motors Ltd" },
        H::ShowVehiclesOf,
        H::Show,
        H::SearchLabel,
        H::SearchVehiclesLabel,
        H::Search,
        H::ShowAll,
        H::NoMatch { term: "KZZ" },
        H::SearchTooLong { max: 40 },
        H::Help,
        H::HelpTitle,
        H::HelpLead,
        H::SellingTitle,
        H::Sell1,
        H::Sell2,
        H::Sell3,
        H::Sell4,
        H::Sell5,
        H::BuyingTitle,
        H::Buy1,
        H::Buy2,
        H::Buy3,
        H::Buy4,
        H::WhoPaysTitle,
        H::WhoPays,
        H::HowLongTitle,
        H::HowLong { answer_days: 14 },
        H::BringTitle,
        H::Bring1,
        H::Bring2,
        H::Bring3,
        H::FeesTitle,
        H::FeesLead { version: "KE-2018", from: "1 January 2018" },
        H::ColCase,
        H::ColFee,
        H::FeeCase { classes: BOTH, measure: Measure::EngineCc { min: 1, max: Some(1000) } },
    ]
}

#[test]
fn the_payment_and_home_pages_render_in_every_language() {
    check_all(&pay_samples(), texts::PayText::KEYS);
    check_all(&home_samples(), texts::HomeText::KEYS);
}

fn payments_samples() -> Vec<texts::PaymentsText<'static>> {
    use texts::PaymentsText as P;
    vec![
        P::PaybillOr { business: "600000", account: "TR2RTYKCNRWY" },
        P::PaybillDevelopment,
        P::DevPaybillTitle,
        P::DevPaybillAccount,
        P::DevPaybillAmount,
        P::DevPaybillPay,
        P::StaffOnly,
        P::StatementNoHeader,
        P::StatementNoColumn { column: "Paid In" },
        P::StatementBadReceipt { line: 12, value: "TLA-0R6".into() },
        P::StatementBadAmount { line: 12, value: "lots".into() },
        P::StatementTooLong { max: 100_000 },
    ]
}

#[test]
fn paybill_and_staff_payment_texts_render_in_every_language() {
    check_all(&payments_samples(), texts::PaymentsText::KEYS);
    let line = texts::PaymentsText::PaybillOr { business: "600000", account: "TR2RTYKCNRWY" };
    assert_eq!(line.render(Lang::En), "Or pay by paybill: business number 600000, account TR2RTYKCNRWY.");
    assert!(line.render(Lang::Sw).contains("nambari ya biashara 600000, nambari ya akaunti TR2RTYKCNRWY"));
    let long = texts::PaymentsText::StatementTooLong { max: 100_000 };
    assert_eq!(long.render(Lang::En), "A statement can have at most 100,000 lines: upload it a day at a time");
}

#[test]
fn a_fee_line_reads_from_its_classes_and_range() {
    use domain::fees::{Measure, VehicleClass};
    use texts::HomeText as H;
    let both = [VehicleClass::MotorVehicle, VehicleClass::Motorcycle];
    let band = |min, max| H::FeeCase { classes: &both, measure: Measure::EngineCc { min, max } };
    assert_eq!(band(1, Some(1000)).render(Lang::En), "Motor vehicles and motorcycles, up to 1000 cc");
    assert_eq!(band(1201, Some(1500)).render(Lang::Sw), "Magari na pikipiki, cc 1201 hadi 1500");
    assert_eq!(band(3001, None).render(Lang::En), "Motor vehicles and motorcycles, 3001 cc or more");
    let trailer =
        H::FeeCase { classes: &[VehicleClass::Trailer], measure: Measure::TrailerWheels { min: 5, max: None } };
    assert_eq!(trailer.render(Lang::Sw), "Trela, magurudumu 5 au zaidi");
    let tractor = H::FeeCase { classes: &[VehicleClass::Tractor], measure: Measure::Flat };
    assert_eq!(tractor.render(Lang::En), "Tractors");
}

#[test]
fn the_longest_registration_number_is_the_one_the_sms_are_checked_with() {
    let longest = domain::RegistrationNumber::parse("123CD123K").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(longest.as_str(), LONGEST_REG_NO);
}

//! The registry's page copy in Kiswahili: plain words, as a clerk at a
//! Huduma Centre would say them, in the terms `KISWAHILI.md` lists.

use domain::transfer::{LogbookState, State, Step};
use domain::{AccountType, BuyerType, ConsentDecision, OwnerRole, VehicleStatus};

use super::RegistryPage as P;
use super::routed;
use crate::{Lang, SignOnAccount, Text as _};

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    routed!(m {
        P::NotFoundTitle => s("Haipatikani"),
        P::SignInNotStartedHere => {
            s("Kuingia huku hakukuanzishwa kwenye kivinjari hiki: anza tena kutoka ukurasa wa kuingia")
        }
        P::SignInAnswerWithoutState => s("Jibu la kuingia halina hali (state)"),
        P::SignInExpired => s("Muda wa kuingia huku umekwisha au tayari umetumika: anza tena"),
        P::SignInIncomplete { why } => format!("Kuingia hakukukamilika: {why}"),
        P::NotAMember { kra_pin } => format!(
            "Huwakilishi shirika lenye PIN ya KRA {kra_pin}: liongeze kwenye akaunti yako ya kuingia kwanza"
        ),
        P::TokenUncheckable => {
            s("Huduma ya kuingia haipatikani kwa sasa ili kukagua tokeni. Jaribu tena baada ya dakika moja.")
        }
        P::ProviderAnsweredWrongly { why } => {
            format!("Huduma ya kuingia haikujibu inavyopaswa ({why}); jaribu tena baada ya dakika moja")
        }
        P::ColRegistration => s("Usajili"),
        P::ColVehicle => s("Gari"),
        P::ColHeldBy => s("Linamilikiwa na"),
        P::ColAs => s("Kama"),
        P::ColStatus => s("Hali"),
        P::ColReference => s("Kumbukumbu"),
        P::ColState => s("Hatua"),
        P::ColAge => s("Umri"),
        P::ColReviewDue => s("Ukaguzi kufikia"),
        P::HeldByYou => s("Wewe"),
        P::Days { n } => format!("siku {n}"),
        P::ReviewBacklog { waiting, oldest_days } => {
            format!("Uhamisho {waiting} unasubiri; wa zamani zaidi umesubiri siku {oldest_days}.")
        }
        P::Year => s("Mwaka"),
        P::Class => s("Aina"),
        P::Engine => s("Injini"),
        P::Chassis => s("Chasisi"),
        P::EngineNumber => s("Nambari ya injini"),
        P::LogbookSerial => s("Nambari ya logbook"),
        P::Owner => s("Mmiliki"),
        P::Financier => s("Mkopeshaji"),
        P::SmsCode => s("Msimbo wa SMS"),
        P::ScannedLogbook => s("Skani ya logbook"),
        P::Upload => s("Pakia"),
        P::AddressExample => s("Kwa mfano S.L.P. 12345-00100 Nairobi"),
        P::Reason => s("Sababu"),
        P::TimelineSystem => s("mfumo wa tims"),
        P::UploadUnreadable => s("Faili lililopakiwa halikuweza kusomwa: jaribu tena"),
        P::FileTooLarge { mb } => format!("Faili ni kubwa mno: lisizidi MB {mb}"),
    })
}

/// The words the registry's templates place.
fn template_words(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::HomeTitle => s("Mwanzo"),
        P::VehicleRegistry => s("Usajili wa magari"),
        P::SignedInAs { name } => format!("Umeingia kama {name}."),
        P::ActFor => s("Kwa niaba ya"),
        P::Myself => s("Mimi mwenyewe"),
        P::Switch => s("Badilisha"),
        P::SellAVehicle => s("Hamisha gari (uza)"),
        P::TransfersYouArePartOf => s("Uhamisho unaokuhusu"),
        P::TransfersYouArePartOfWhat => s(": kubali au kataa, ridhia au pinga, fuatilia logbook"),
        P::LookUpByRegistration => s("Tafuta gari kwa nambari ya usajili"),
        P::SignOut => s("Toka"),
        P::HomeLead => s("Uza au nunua gari mtandaoni, fuatilia uhamisho na uchukue logbook mpya. Ingia kwa akaunti \
                          yako ya huduma ya kitaifa ya kuingia (nambari ya kitambulisho, nenosiri na msimbo wa SMS)."),
        P::SignIn => s("Ingia"),
        P::NoAccountYet => s("Huna akaunti bado?"),
        P::RegisterWithSignOn => s("Jisajili kwenye huduma ya kuingia"),
        P::RegistrationNumber => s("Nambari ya usajili"),
        P::RegistrationExample => s("Kwa mfano KAA 001A"),
        P::BuyerDocument { account_type } => s(match account_type {
            AccountType::Citizen => "Kitambulisho cha taifa (raia)",
            AccountType::Resident => "Kitambulisho cha mgeni (mkazi)",
            AccountType::Foreigner => "Pasipoti (mgeni)",
        }),
        P::InquiryExample => s("Kwa mfano KAA 001A au KMAA 001A"),
        P::Inquire => s("Chunguza"),
        P::TransferTitle { reference } => format!("Uhamisho {reference}"),
        P::Seller => s("Muuzaji"),
        P::Buyer => s("Mnunuzi"),
        P::TransferFee => s("Ada ya uhamisho"),
        P::JointOwner => s("Mmiliki mwenza"),
        P::Waiting => s("inasubiriwa"),
        P::CollectAt => s("Mahali pa kuchukua"),
        P::ReviewDueBy => s("Ukaguzi ukamilike kufikia"),
        P::NewLogbook => s("Logbook mpya"),
        P::Timeline => s("Matukio"),
        P::ColWhen => s("Lini (EAT)"),
        P::ColWhat => s("Kilichofanyika"),
        P::ColWho => s("Aliyefanya"),
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}

/// Where a transfer, its logbook and a vehicle stand, and who is who.
fn standing(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::DecisionName { decision } => s(match decision {
            ConsentDecision::Approved => "ameridhia",
            ConsentDecision::Refused => "amepinga",
        }),
        P::BuyerTypeName { buyer_type } => match buyer_type {
            BuyerType::Individual => s("mtu binafsi"),
            BuyerType::Organisation(kind) => SignOnAccount::OrgKindName { kind }.render(Lang::Sw),
        },
        P::StepName { step } => s(step_name(step)),
        P::StateLabel { state } => s(state_label(state)),
        P::StateNextStep { state } => s(next_step(state)),
        P::LogbookStateLabel { state } => s(logbook_label(state)),
        P::LogbookNextStep { state } => s(logbook_next(state)),
        P::OwnerRoleName { role } => s(match role {
            OwnerRole::Owner => "mmiliki",
            OwnerRole::Financier => "mkopeshaji",
        }),
        P::VehicleStatusName { status } => s(match status {
            VehicleStatus::Active => "linatumika",
        }),
        P::VehicleClassName { class } => s(match class {
            domain::fees::VehicleClass::MotorVehicle => "Gari",
            domain::fees::VehicleClass::Motorcycle => "Pikipiki",
            domain::fees::VehicleClass::Trailer => "Trela",
            domain::fees::VehicleClass::Tractor => "Trekta",
        }),
        P::OrgAndRole { org, role } => format!("{org} ({})", SignOnAccount::RoleName { role }.render(Lang::Sw)),
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Created => "Uhamisho umeanzishwa",
        Step::LogbookUploaded => "Skani ya logbook imepakiwa",
        Step::SellerSubmit => "Muuzaji amewasilisha",
        Step::ConsentApprove => "Uuzaji umeridhiwa",
        Step::ConsentRefuse => "Uuzaji umepingwa",
        Step::BuyerAccept => "Mnunuzi amekubali",
        Step::BuyerDecline => "Mnunuzi amekataa",
        Step::PaymentSettled => "Ada imelipwa",
        Step::SellerCancel => "Muuzaji ameghairi",
        Step::Expire => "Muda umekwisha",
        Step::OfficerApprove => "Afisa ameidhinisha",
        Step::OfficerReject => "Afisa amekataa",
        Step::LogbookReadyForCollection => "Logbook iko tayari kuchukuliwa",
        Step::LogbookCollected => "Logbook imechukuliwa",
        Step::OfficerReturn => "Afisa ameirudisha kwa muuzaji ilete skani mpya",
        Step::SellerResubmit => "Muuzaji amewasilisha tena akiwa na skani mpya",
    }
}

fn state_label(state: State) -> &'static str {
    match state {
        State::Draft => "Rasimu",
        State::AwaitingSellerPayment => "Inasubiri malipo ya muuzaji",
        State::AwaitingConsents => "Inasubiri idhini ya wamiliki wenza",
        State::AwaitingBuyer => "Inasubiri mnunuzi",
        State::AwaitingPayment => "Inasubiri malipo",
        State::InReview => "Inakaguliwa",
        State::Approved => "Imeidhinishwa",
        State::Rejected => "Imekataliwa",
        State::Declined => "Imekataliwa na mnunuzi",
        State::ConsentRefused => "Imepingwa na mmiliki mwenza au mkopeshaji",
        State::Cancelled => "Imeghairiwa na muuzaji",
        State::Expired => "Muda wake umekwisha",
        State::ReturnedForScan => "Imerudishwa kwa muuzaji ilete skani mpya",
    }
}

fn next_step(state: State) -> &'static str {
    match state {
        State::Draft => "Inasubiri muuzaji athibitishe kwa msimbo wa SMS na kuwasilisha",
        State::AwaitingSellerPayment => "Inasubiri muuzaji alipe ada ya uhamisho",
        State::AwaitingConsents => "Inasubiri kila mmiliki mwenza na mkopeshaji aridhie kwa msimbo wake wa SMS",
        State::AwaitingBuyer => "Inasubiri mnunuzi akubali au akatae",
        State::AwaitingPayment => "Inasubiri mnunuzi alipe ada ya uhamisho",
        State::InReview => "Inasubiri afisa akague uhamisho na skani ya logbook",
        State::Approved => "Umiliki umebadilika; logbook mpya inachapishwa ili ichukuliwe",
        State::Rejected => "Afisa amekataa uhamisho; gari linabaki kwa mmiliki wake",
        State::Declined => "Mnunuzi amekataa; gari linabaki kwa mmiliki wake",
        State::ConsentRefused => "Mmiliki mwenza au mkopeshaji amepinga; gari linabaki kwa mmiliki wake",
        State::Cancelled => "Muuzaji ameghairi; gari linabaki kwa mmiliki wake",
        State::Expired => "Hakuna aliyekamilisha uhamisho kwa wakati; gari linabaki kwa mmiliki wake",
        State::ReturnedForScan => "Inasubiri muuzaji apakie skani mpya ya logbook na kuiwasilisha tena",
    }
}

fn logbook_label(state: LogbookState) -> &'static str {
    match state {
        LogbookState::Printing => "Inachapishwa",
        LogbookState::ReadyForCollection => "Iko tayari kuchukuliwa",
        LogbookState::Collected => "Imechukuliwa",
    }
}

fn logbook_next(state: LogbookState) -> &'static str {
    match state {
        LogbookState::Printing => "Logbook mpya inachapishwa",
        LogbookState::ReadyForCollection => "Logbook mpya iko tayari: ichukue kwenye ofisi uliyochagua",
        LogbookState::Collected => "Logbook mpya imechukuliwa",
    }
}

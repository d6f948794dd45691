//! Refusals in Kiswahili: say what is wrong and what to do, in short
//! sentences. "The agency" is "mamlaka"; "logbook" stays as people say it.

use domain::AccountType;

use super::{Refusal, Restart, SignOnRefusal, TransferRefusal};
use crate::Lang;
use crate::format::{minutes_text, wait};

const MINUTE: u64 = 60;

pub(super) fn render(m: &Refusal) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        Refusal::CodeWrong { remaining } => format!(
            "Nambari si sahihi. Umebakiza {} kabla haijaacha kufanya kazi.",
            if remaining == 1 { "jaribio 1".to_string() } else { format!("majaribio {remaining}") }
        ),
        Refusal::CodeExpired => s("Muda wa nambari umekwisha: omba nambari mpya"),
        Refusal::CodeAlreadyUsed => s("Nambari hii imeshatumika: omba nambari mpya"),
        Refusal::CodeDead { restart } => {
            let restart = match restart {
                Restart::SignIn => "Anza kuingia upya.",
                Restart::Recovery => "Anza kurejesha akaunti upya.",
                Restart::VerifyPhone => "Ingia tena upate nambari mpya.",
                Restart::TransferStep => "Anza hatua hii tena baadaye au wasiliana na mamlaka.",
            };
            format!("Nambari hii imekosewa mara nyingi mno na haifanyi kazi tena. {restart}")
        }
        Refusal::CodeNotSent => s("Bado hujatumiwa nambari ya hatua hii: omba nambari"),
        Refusal::NoVerifiedPhone => {
            s("Akaunti yako haina nambari ya simu iliyothibitishwa, kwa hivyo hatuwezi kukutumia nambari: \
             thibitisha simu yako kwanza")
        }
        Refusal::TooManyCodesToYourPhone { minutes } => format!(
            "Nambari nyingi mno zimetumwa kwa simu yako. Jaribu tena baada ya {}.",
            minutes_text(Lang::Sw, minutes)
        ),
        Refusal::TooManyCodesToThisPhone { wait_secs } => {
            format!("Nambari nyingi mno zimetumwa kwa simu hii. Jaribu tena baada ya {}.", wait(Lang::Sw, wait_secs, 0))
        }
        Refusal::TooManyCodesFromNetwork { wait_secs } => format!(
            "Nambari nyingi mno zimeombwa kutoka mtandao wako. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        Refusal::TooManyCodesEveryone { wait_secs } => format!(
            "Huduma inatuma nambari nyingi mno kwa sasa. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        Refusal::WrongCredentials => s("Nambari ya kitambulisho au nenosiri si sahihi"),
        Refusal::Blocked => s("Akaunti hii imefungwa baada ya majaribio mengi ya kuingia yaliyoshindwa. Irejeshe \
                               sasa kwa nambari ya kitambulisho, tarehe yako ya kuzaliwa na nambari tutakayotuma \
                               kwa simu yako."),
        Refusal::Busy => s("Huduma ina shughuli nyingi sasa hivi. Jaribu tena baada ya sekunde chache."),
        Refusal::RecoveryEnded => s("Urejeshaji huu umekwisha: anza upya"),
        Refusal::KeepOneAdmin => {
            s("Shirika lazima libaki na msimamizi mmoja angalau: mfanye mtu mwingine msimamizi kwanza")
        }
        Refusal::OrgAlreadyOnAccount => {
            s("Shirika hili tayari liko kwenye akaunti yako (au ombi lako linasubiri kuidhinishwa)")
        }
        Refusal::Forbidden => s("Huruhusiwi kufanya hivi"),
        Refusal::SignInFirst => s("Ingia kwanza."),
        Refusal::FormExpired => {
            s("Fomu ilikuwa imepitwa na wakati au ilitoka kwingine. Rudi nyuma, fungua ukurasa upya na ujaribu tena.")
        }
        Refusal::FormUnreadable => s("Fomu haikuweza kusomwa: rudi nyuma na ujaribu tena"),
        Refusal::SomethingWentWrong => s("Kuna hitilafu upande wetu. Jaribu tena baada ya muda mfupi."),
        Refusal::ServiceUnreachable => s("Huduma ya kuingia haipatikani kwa sasa. Jaribu tena baada ya dakika moja."),
    }
}

pub(super) fn render_transfer(m: &TransferRefusal<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        TransferRefusal::NoSuchTransfer => s("Uhamisho huo haupo, au huruhusiwi kuuona"),
        TransferRefusal::ViewerCannotAct => {
            s("Wewe ni mtazamaji katika shirika hili: wasimamizi na waendeshaji wake tu ndio wanaweza kushughulikia \
             uhamisho wake")
        }
        TransferRefusal::TransferChanged => {
            s("Uhamisho umebadilika ulipokuwa ukiushughulikia: fungua ukurasa upya uone hali yake")
        }
        TransferRefusal::NoSuchVehicle { reg_no } => format!("Hakuna gari lililosajiliwa kwa nambari {reg_no}"),
        TransferRefusal::NotAnOwner { reg_no } => {
            format!("Mmiliki wa {reg_no} tu (au anayewakilisha shirika linalolimiliki) ndiye anayeweza kulihamisha")
        }
        TransferRefusal::OpenTransferExists { reg_no } => {
            format!("{reg_no} tayari lina uhamisho unaoendelea: ukamilishe au uughairi kabla ya kuanza mwingine")
        }
        TransferRefusal::OwnersChanged { reg_no } => {
            format!("Wamiliki wa {reg_no} wamebadilika sasa hivi: litafute gari tena")
        }
        TransferRefusal::BuyerTypeMismatch => {
            s("Aina ya mnunuzi hailingani na nambari ya kitambulisho au KRA PIN uliyoandika")
        }
        TransferRefusal::BuyerAlreadyOwner => s("Mnunuzi tayari ni mmiliki wa gari hili"),
        TransferRefusal::UploadLogbookFirst => s("Pakia nakala ya logbook kabla ya kuwasilisha"),
        TransferRefusal::UploadLogbookBeforeCode => s("Pakia nakala ya logbook kabla ya kuomba nambari ya kuwasilisha"),
        TransferRefusal::ScanOnlyBeforeSubmit => {
            s("Nakala ya logbook inaweza kubadilishwa tu kabla muuzaji hajawasilisha")
        }
        TransferRefusal::NoScanUploaded => s("Hakuna nakala ya logbook iliyopakiwa kwa uhamisho huu"),
        TransferRefusal::ScanEmpty => s("Faili ni tupu: pakia nakala ya logbook kama PDF, JPEG au PNG"),
        TransferRefusal::ScanTooLarge { tenths_of_mb } => {
            format!("Faili lina MB {}.{}: nakala ya logbook isizidi MB 10", tenths_of_mb / 10, tenths_of_mb % 10)
        }
        TransferRefusal::ScanNotAScan => {
            s("Faili si PDF, JPEG wala PNG (hata kama jina lake linasema hivyo): pakia nakala ya logbook katika \
             mojawapo ya aina hizo")
        }
        TransferRefusal::ChooseScan => s("Chagua faili la nakala ya logbook la kupakia"),
        TransferRefusal::NothingToPay { state } => {
            format!("Uhamisho uko katika hali ya \"{state}\", kwa hivyo hakuna cha kulipa")
        }
        TransferRefusal::PaymentNotStarted => {
            s("Malipo hayakuweza kuanzishwa sasa hivi. Kukubali kwako kumehifadhiwa: jaribu kulipa tena baada ya \
             dakika chache")
        }
        TransferRefusal::OfficersOnlyReview => s("Maafisa wa mamlaka tu ndio wanaoweza kukagua uhamisho"),
        TransferRefusal::OfficersOnlyQueue => s("Maafisa wa mamlaka tu ndio wanaoweza kuona foleni ya ukaguzi"),
        TransferRefusal::StaffOnlyLogbook => s("Wafanyakazi wa mamlaka tu ndio wanaoweza kusasisha logbook"),
        TransferRefusal::ReasonTooLong => s("Sababu isizidi herufi 500"),
        TransferRefusal::NoLogbookYet => s("Uhamisho huu bado hauna logbook: huagizwa afisa anapoidhinisha"),
        TransferRefusal::LogbookChanged => s("Logbook imebadilika ulipokuwa ukiishughulikia: fungua ukurasa upya"),
        TransferRefusal::LogbookCollected => s("Logbook tayari imechukuliwa"),
    }
}

/// "this national ID number" and its kin, as the sign-on's refusals name
/// the document a person chose.
fn this_document(account_type: AccountType) -> &'static str {
    match account_type {
        AccountType::Citizen => "nambari hii ya kitambulisho cha taifa",
        AccountType::Resident => "nambari hii ya kitambulisho cha mgeni",
        AccountType::Foreigner => "nambari hii ya pasipoti",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(super) fn render_sign_on(m: &SignOnRefusal) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        SignOnRefusal::NoCodeYet => s("Bado hujatumiwa nambari: omba nambari"),
        SignOnRefusal::TooManyPasswordAttempts { wait_secs } => format!(
            "Majaribio mengi mno ya nenosiri yametoka mtandao wako. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        SignOnRefusal::TooManySignInsAtOnce => {
            s("Watu wengi mno wanaingia kutoka mtandao wako kwa wakati mmoja. Jaribu \
                                            tena baada ya sekunde chache.")
        }
        SignOnRefusal::TooManyFailedSignIns { wait_secs } => format!(
            "Majaribio mengi mno ya kuingia kwa nambari hii ya kitambulisho yameshindwa. Subiri {} kisha ujaribu \
             tena, ingia kutoka simu au kompyuta uliyowahi kuingia nayo, au rejesha akaunti yako sasa.",
            wait(Lang::Sw, wait_secs, 5 * MINUTE)
        ),
        SignOnRefusal::SignInUnderWay => {
            s("Kuna kuingia kwingine kwa nambari hii ya kitambulisho kunakoendelea. Jaribu tena baada ya muda mfupi.")
        }
        SignOnRefusal::EnterPassword => s("Andika nenosiri lako"),
        SignOnRefusal::PasswordsDiffer => s("Manenosiri mawili hayalingani"),
        SignOnRefusal::EmailInvalid => s("Andika anwani ya barua pepe kama jina@mfano.com, au uiache wazi"),
        SignOnRefusal::BornInFuture => s("Tarehe ya kuzaliwa haiwezi kuwa siku zijazo"),
        SignOnRefusal::NotInPopulationRegister { account_type } => format!(
            "{} na tarehe ya kuzaliwa hazilingani na sajili ya watu: angalia zote mbili",
            capitalised(this_document(account_type))
        ),
        SignOnRefusal::AccountExists { account_type } => format!(
            "Tayari kuna akaunti yenye {}: ingia, au irejeshe akaunti ikiwa huwezi kuingia",
            this_document(account_type)
        ),
        SignOnRefusal::NoClientId => s("Ombi halina client_id."),
        SignOnRefusal::UnknownClient => s("Huduma iliyokuleta hapa haijasajiliwa."),
        SignOnRefusal::NoRedirectUri => s("Ombi halina redirect_uri."),
        SignOnRefusal::RedirectNotRegistered => {
            s("Anwani ambayo huduma iliomba urudishwe haijasajiliwa kwa huduma hiyo.")
        }
        SignOnRefusal::NotAnIdToken => s("Ombi la kutoka lina tokeni ambayo si ID token ya huduma hii."),
        SignOnRefusal::ClientIdNotHint => s("client_id hailingani na tokeni iliyotolewa kama id_token_hint."),
        SignOnRefusal::ReturnNeedsClient => s("Anwani ya kurudi inahitaji id_token_hint au client_id."),
        SignOnRefusal::LogoutReturnNotRegistered => s("Anwani ya kurudi baada ya kutoka haijasajiliwa kwa huduma hii."),
    }
}

//! Refusals in Kiswahili: say what is wrong and what to do, in short
//! sentences, in the terms `KISWAHILI.md` lists ("msimbo" for a code,
//! "skani" for a scan, "mamlaka" for the agency, "logbook" as people say it).

use domain::AccountType;
use domain::transfer::{Deed, StaffAction};

use super::{Claim, Refusal, Restart, SignOnRefusal, StepRefusal, StepTaker, TransferRefusal};
use crate::Lang;
use crate::format::{date_time, logbook_state, minutes_text, time, transfer_state, wait};

const MINUTE: u64 = 60;

pub(super) fn render(m: &Refusal) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        Refusal::CodeWrong { remaining } => format!(
            "Msimbo si sahihi. Umebakiwa na {} kabla haujaacha kufanya kazi.",
            if remaining == 1 { "jaribio 1".to_string() } else { format!("majaribio {remaining}") }
        ),
        Refusal::CodeExpired => s("Muda wa msimbo umekwisha: omba msimbo mpya"),
        Refusal::CodeAlreadyUsed => s("Msimbo huu umeshatumika: omba msimbo mpya"),
        Refusal::CodeUsedJustNow => s("Msimbo huu umeshatumika"),
        Refusal::CodeDead { restart } => {
            let restart = match restart {
                Restart::SignIn => "Anza kuingia upya.",
                Restart::Recovery => "Anza kurejesha akaunti upya.",
                Restart::VerifyPhone => "Ingia tena upate msimbo mpya.",
                Restart::TransferStep => "Anza hatua hii tena baadaye au wasiliana na mamlaka.",
            };
            format!("Msimbo huu umekosewa mara nyingi mno na haufanyi kazi tena. {restart}")
        }
        Refusal::CodeNotSent => s("Bado hujatumiwa msimbo wa hatua hii: omba msimbo"),
        Refusal::NoVerifiedPhone => {
            s("Akaunti yako haina nambari ya simu iliyothibitishwa, kwa hivyo hatuwezi kukutumia msimbo: \
             thibitisha simu yako kwanza")
        }
        Refusal::TooManyCodesToYourPhone { minutes } => format!(
            "Misimbo mingi mno imetumwa kwa simu yako. Jaribu tena baada ya {}.",
            minutes_text(Lang::Sw, minutes)
        ),
        Refusal::TooManyCodesToThisPhone { wait_secs } => {
            format!("Misimbo mingi mno imetumwa kwa simu hii. Jaribu tena baada ya {}.", wait(Lang::Sw, wait_secs, 0))
        }
        Refusal::TooManyCodesFromNetwork { wait_secs } => format!(
            "Misimbo mingi mno imeombwa kutoka mtandao wako. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        Refusal::TooManyCodesEveryone { wait_secs } => format!(
            "Huduma inatuma misimbo mingi mno kwa sasa. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        Refusal::WrongCredentials => s("Nambari ya kitambulisho au nenosiri si sahihi"),
        Refusal::Blocked => s("Akaunti hii imefungwa baada ya majaribio mengi ya kuingia yaliyoshindwa. Irejeshe \
                               sasa kwa nambari ya kitambulisho, tarehe yako ya kuzaliwa na msimbo tutakaoutuma \
                               kwa simu yako."),
        Refusal::Busy => s("Huduma ina shughuli nyingi sasa hivi. Jaribu tena baada ya sekunde chache."),
        Refusal::RecoveryEnded => s("Urejeshaji huu umekwisha: anza upya"),
        Refusal::KeepOneAdmin => {
            s("Shirika lazima libaki na msimamizi mmoja angalau: mfanye mtu mwingine msimamizi kwanza")
        }
        Refusal::OrgAlreadyOnAccount => {
            s("Shirika hili tayari liko kwenye akaunti yako (au ombi lako linasubiri kuidhinishwa)")
        }
        Refusal::ClaimNotShared { claim } => {
            let what = match claim {
                Claim::KnownAccountType => "aina ya akaunti inayojulikana",
                Claim::IdNumber => "nambari yako ya kitambulisho",
                Claim::ValidIdNumber => "nambari halali ya kitambulisho",
            };
            format!(
                "Akaunti yako ya kuingia haitoi {what} kwa sajili ya magari; sajili inahitaji taarifa hiyo ili \
                     ikuhudumie"
            )
        }
        Refusal::LimitOutOfRange { max } => format!("Andika nambari kamili kuanzia 1 hadi {max}"),
        Refusal::BadCursor => s("Kiashiria hiki hakikutolewa na orodha hii: anza tena kwenye ukurasa wa kwanza"),
        Refusal::Forbidden => s("Huruhusiwi kufanya hivi"),
        Refusal::SignInFirst => s("Ingia kwanza."),
        Refusal::FormExpired => s(
            "Muda wa fomu ulikuwa umekwisha au fomu ilitoka kwingine. Rudi nyuma, fungua ukurasa upya na ujaribu tena.",
        ),
        Refusal::FormUnreadable => s("Fomu haikuweza kusomwa: rudi nyuma na ujaribu tena"),
        Refusal::SomethingWentWrong => s("Kuna hitilafu upande wetu. Jaribu tena baada ya muda mfupi."),
        Refusal::ServiceUnreachable => s("Huduma ya kuingia haipatikani kwa sasa. Jaribu tena baada ya dakika moja."),
    }
}

pub(super) fn render_transfer(m: &TransferRefusal<'_>) -> String {
    use TransferRefusal as T;
    let s = |t: &str| t.to_string();
    match *m {
        T::NoSuchTransfer => s("Uhamisho huo haupo, au huruhusiwi kuuona"),
        T::ViewerCannotAct => {
            s("Wewe ni mtazamaji katika shirika hili: wasimamizi na waendeshaji wake tu ndio wanaweza kushughulikia \
             uhamisho wake")
        }
        T::TransferChanged => s("Uhamisho umebadilika ulipokuwa ukiushughulikia: fungua ukurasa upya uone hali yake"),
        T::NoSuchVehicle { reg_no } => format!("Hakuna gari lililosajiliwa kwa nambari {reg_no}"),
        T::NotAnOwner { reg_no } => {
            format!("Mmiliki wa {reg_no} tu (au anayewakilisha shirika linalolimiliki) ndiye anayeweza kulihamisha")
        }
        T::OpenTransferExists { reg_no } => {
            format!("{reg_no} tayari lina uhamisho unaoendelea: ukamilishe au uughairi kabla ya kuanza mwingine")
        }
        T::OwnersChanged { reg_no } => format!("Wamiliki wa {reg_no} wamebadilika sasa hivi: litafute gari tena"),
        T::BuyerTypeMismatch => s("Aina ya mnunuzi hailingani na nambari ya kitambulisho au PIN ya KRA uliyoandika"),
        T::BuyerAlreadyOwner => s("Mnunuzi tayari ni mmiliki wa gari hili"),
        T::UploadLogbookFirst => s("Pakia skani ya logbook kabla ya kuwasilisha"),
        T::UploadLogbookBeforeCode => s("Pakia skani ya logbook kabla ya kuomba msimbo wa kuwasilisha"),
        T::ScanOnlyBeforeSubmit => s("Skani ya logbook inaweza kubadilishwa tu kabla muuzaji hajawasilisha"),
        T::NoScanUploaded => s("Hakuna skani ya logbook iliyopakiwa kwa uhamisho huu"),
        T::ScanEmpty => s("Faili ni tupu: pakia skani ya logbook kama PDF, JPEG au PNG"),
        T::ScanTooLarge { tenths_of_mb } => {
            format!("Faili lina MB {}.{}: skani ya logbook isizidi MB 10", tenths_of_mb / 10, tenths_of_mb % 10)
        }
        T::ScanNotAScan => {
            s("Faili si PDF, JPEG wala PNG (hata kama jina lake linasema hivyo): pakia skani ya logbook katika \
             mojawapo ya aina hizo")
        }
        T::ChooseScan => s("Chagua faili la skani ya logbook la kupakia"),
        T::NothingToPay { state } => {
            format!("Uhamisho uko katika hali ya {}, kwa hivyo hakuna cha kulipa", transfer_state(Lang::Sw, state))
        }
        T::PaymentNotStarted => {
            s("Malipo hayakuweza kuanzishwa sasa hivi, na hakuna pesa iliyotozwa. Kama ombi la malipo tayari liko \
               kwenye simu hiyo, lijibu au ulifute kwanza; kisha jaribu kulipa tena")
        }
        T::OfficersOnlyReview => s("Maafisa wa mamlaka tu ndio wanaoweza kukagua uhamisho"),
        T::OfficersOnlyQueue => s("Maafisa wa mamlaka tu ndio wanaoweza kuona foleni ya ukaguzi"),
        T::StaffOnlyLogbook => s("Wafanyakazi wa mamlaka tu ndio wanaoweza kusasisha logbook"),
        T::ReasonTooLong => s("Sababu isizidi herufi 500"),
        T::NoLogbookYet => s("Uhamisho huu bado hauna logbook: huagizwa afisa anapoidhinisha"),
        T::LogbookChanged => s("Logbook imebadilika ulipokuwa ukiishughulikia: fungua ukurasa upya"),
        T::LogbookCollected => s("Logbook tayari imechukuliwa"),
        T::BuyerNotSignedUp => s("Hakuna mtu mwenye nambari hii ya kitambulisho au PIN hii ya KRA aliyeingia \
                                                kwenye tims bado: pande zote mbili zinahitaji akaunti. Mwombe mnunuzi \
                                                aingie angalau mara moja, kisha ujaribu tena"),
        T::CannotPrice { why } => format!("Ada ya gari hili haiwezi kukokotolewa: {why}"),
        T::PaymentWaiting => s("Ombi la malipo ya uhamisho huu tayari linasubiri jibu lako kwenye simu \
                                              yako: liidhinishe huko, au ujaribu tena baada ya dakika mbili"),
        T::PaymentUnconfirmed => s("Hatukuweza kuthibitisha kwamba M-Pesa imetuma ombi la malipo kwenye simu yako. \
                                    Ikiwa imetuma, weka PIN yako hapo. Ikiwa hakuna kinachokuja, jaribu tena \
                                    baada ya dakika mbili: hutatozwa mara mbili"),
        T::EnterPostalAddress => {
            s("Andika anwani yako ya posta, kwa mfano S.L.P. 12345-00100 Nairobi (herufi 5 hadi 200)")
        }
        T::ChooseOffice { offices } => {
            format!("Chagua ofisi utakapochukulia logbook: {offices}")
        }
        T::ScanMissing => s("Skani ya logbook ya uhamisho huu haipo kwenye hifadhi ya faili, kwa hivyo \
                                           haiwezi kufunguliwa; hili limeripotiwa kwa wafanyakazi wa kiufundi wa \
                                           mamlaka."),
        T::StoreDown => s("Skani ya logbook haiwezi kufunguliwa sasa hivi: hifadhi ya faili \
                                         haikujibu. Jaribu tena baada ya dakika chache."),
        T::ScanUncheckable { missing } => format!(
            "Uhamisho huu hauwezi kuidhinishwa hadi skani yake ya logbook iweze kukaguliwa. {}",
            render_transfer(if missing { &T::ScanMissing } else { &T::StoreDown })
        ),
        T::NeedsAnOwner => s("Gari linahitaji angalau mmiliki mmoja"),
        T::BuyerKindUnknown => s(
            "Sajili ya KRA haisemi mnunuzi ni shirika la aina gani. Mwombe mnunuzi asahihishe taarifa za shirika lake kwa KRA",
        ),
        T::IdLinkedElsewhere => s("Nambari hii ya kitambulisho tayari imeunganishwa na akaunti nyingine \
                                                 ya kuingia. Wasiliana na mamlaka ili iangaliwe"),
        T::BuyerLookupsSpent { in_last_hour, again_at_ms } => lookups_spent(in_last_hour, again_at_ms),
        T::PromptsSpent { to_number, again_at_ms } => prompts_spent(to_number, again_at_ms),
    }
}

/// A spent budget of buyers' lookups: in the last hour, or the last day.
fn lookups_spent(in_last_hour: bool, again_at_ms: i64) -> String {
    let (when, again) = if in_last_hour {
        ("katika saa moja iliyopita", format!("saa {}", time(again_at_ms)))
    } else {
        ("leo", date_time(Lang::Sw, again_at_ms))
    };
    format!(
        "Umetafuta nambari za vitambulisho na PIN za KRA za wanunuzi wengi {when}: jaribu tena baada ya \
         {again}. Mnunuzi uliyemtafuta tayari bado anaweza kuchaguliwa"
    )
}

pub(super) fn render_step(m: &StepRefusal) -> String {
    use StepRefusal as T;
    let s = |t: &str| t.to_string();
    match *m {
        T::NoCodeNeeded { state } => {
            format!("Huhitaji msimbo kwa uhamisho huu sasa: uko katika hali ya {}", transfer_state(Lang::Sw, state))
        }
        T::ChooseCodeStep => {
            s("Chagua submit (muuzaji), approve au refuse (mmiliki mwenza au mkopeshaji), accept au decline (mnunuzi)")
        }
        T::NotYourStep { only } => format!("Ni {} tu anayeweza kufanya hivi", step_taker(only)),
        T::WrongParty { deed } => {
            format!("Hili linaweza kufanywa na {} tu: uhamisho hauwezi {} na wewe", by_whom(deed), done(deed))
        }
        T::NotNow { state, deed } => {
            format!("Uhamisho uko katika hali ya {}, kwa hivyo hauwezi {}", transfer_state(Lang::Sw, state), done(deed))
        }
        T::NotAConsenter => s("Idhini yako haihitajiki kwa uhamisho huu"),
        T::AlreadyConsented => s("Tayari umeridhia uhamisho huu"),
        T::NoReason => s("Andika sababu ya kukataa uhamisho"),
        T::OwnCase { action } => {
            let what = match action {
                StaffAction::Review => "aukague",
                StaffAction::Logbook => "asasishe logbook yake",
                StaffAction::Scan => "akague skani ya logbook yake",
                StaffAction::Refund => "arudishe ada yake",
            };
            format!("Wewe ni mhusika katika uhamisho huu, kwa hivyo afisa mwingine lazima {what}")
        }
        T::LogbookOutOfOrder { from, to } => format!(
            "Logbook iliyo katika hali ya {} haiwezi kuhamia hali ya {}: kwanza huchapishwa, kisha huwa tayari \
             kuchukuliwa, kisha huchukuliwa",
            logbook_state(Lang::Sw, from),
            logbook_state(Lang::Sw, to)
        ),
        T::NewScanNeeded => s("Pakia skani mpya ya logbook kabla ya kuwasilisha uhamisho tena"),
        T::StaffOnlyRefund => s("Wafanyakazi wa mamlaka tu ndio wanaoweza kurekodi marejesho ya pesa"),
        T::NoRefundDue => s("Hakuna pesa zinazopaswa kurudishwa kwa uhamisho huu"),
        T::EnterRefundReference => s("Andika nambari ya marejesho, hadi herufi na tarakimu 40"),
    }
}

/// Who alone may take a step, as a refusal names them.
fn step_taker(only: StepTaker) -> &'static str {
    match only {
        StepTaker::Seller => "muuzaji",
        StepTaker::Buyer => "mnunuzi",
        StepTaker::Consenter => "mmiliki mwenza au mkopeshaji",
        StepTaker::SellerOrOfficer => "muuzaji au afisa",
    }
}

/// "Uhamisho hauwezi {done}": what a command does, in the passive.
fn done(deed: Deed) -> &'static str {
    match deed {
        Deed::Submit => "kuwasilishwa",
        Deed::ConsentTo => "kupewa idhini",
        Deed::Accept => "kukubaliwa",
        Deed::Decline => "kukataliwa na mnunuzi",
        Deed::MarkPaid => "kuandikwa kuwa umelipiwa",
        Deed::Approve => "kuidhinishwa",
        Deed::Reject => "kukataliwa",
        Deed::Cancel => "kughairiwa",
        Deed::Expire => "kuisha muda",
        Deed::Resubmit => "kuwasilishwa tena",
    }
}

/// Who may do what a command does.
fn by_whom(deed: Deed) -> &'static str {
    match deed {
        Deed::Submit | Deed::Cancel | Deed::Resubmit => "muuzaji",
        Deed::ConsentTo => "mmiliki mwenza au mkopeshaji",
        Deed::Accept | Deed::Decline => "mnunuzi",
        Deed::MarkPaid | Deed::Expire => "mfumo",
        Deed::Approve | Deed::Reject => "afisa",
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
        SignOnRefusal::NoCodeYet => s("Bado hujatumiwa msimbo: omba msimbo"),
        SignOnRefusal::TooManyPasswordAttempts { wait_secs } => format!(
            "Majaribio mengi mno ya nenosiri yametoka kwenye mtandao wako. Jaribu tena baada ya {}.",
            wait(Lang::Sw, wait_secs, MINUTE)
        ),
        SignOnRefusal::TooManySignInsAtOnce => {
            s("Watu wengi mno wanaingia kutoka mtandao wako kwa wakati mmoja. Jaribu \
                                            tena baada ya sekunde chache.")
        }
        SignOnRefusal::TooManyFailedSignIns { wait_secs } => format!(
            "Majaribio mengi mno ya kuingia kwa nambari hii ya kitambulisho yameshindwa. Subiri {} kabla ya \
             kujaribu tena, au ingia kutoka simu au kompyuta uliyowahi kuingia nayo.",
            wait(Lang::Sw, wait_secs, 5 * MINUTE)
        ),
        SignOnRefusal::SignInUnderWay => {
            s("Kuna kuingia kwingine kwa nambari hii ya kitambulisho kunakoendelea. Jaribu tena baada ya muda mfupi.")
        }
        SignOnRefusal::EnterPassword => s("Andika nenosiri lako"),
        SignOnRefusal::PasswordsDiffer => s("Nenosiri mbili ulizoandika hazilingani"),
        SignOnRefusal::EmailInvalid => s("Andika anwani ya barua pepe kama jina@mfano.com, au uiache wazi"),
        SignOnRefusal::BornInFuture => s("Tarehe ya kuzaliwa haiwezi kuwa siku zijazo"),
        SignOnRefusal::NotInPopulationRegister { account_type } => format!(
            "{} na tarehe ya kuzaliwa hazilingani na sajili ya watu: angalia zote mbili",
            capitalised(this_document(account_type))
        ),
        SignOnRefusal::AccountExists { account_type } => format!(
            "Tayari kuna akaunti yenye {}: ingia, au rejesha akaunti yako ikiwa huwezi kuingia",
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
        SignOnRefusal::PinIsAPersons => {
            s("PIN hii ya KRA ni ya mtu, si ya shirika: PIN ya KRA ya shirika huanza na herufi P")
        }
        SignOnRefusal::PinNotInKraRegister => {
            s("Hakuna shirika lenye PIN hii ya KRA katika sajili ya KRA: iangalie PIN tena")
        }
    }
}

/// Too many unpaid payment prompts in the last hour: to this number, or
/// asked for by this person.
fn prompts_spent(to_number: bool, again_at_ms: i64) -> String {
    let at = crate::format::time(again_at_ms);
    if to_number {
        format!(
            "Nambari hii imepokea maombi kadhaa ya malipo katika saa iliyopita ambayo hayakulipwa. Tumia nambari \
             nyingine, au ujaribu tena baada ya saa {}",
            at
        )
    } else {
        format!("Umeomba malipo kadhaa katika saa iliyopita ambayo hayakulipwa. Jaribu tena baada ya saa {}", at)
    }
}

//! The sign-on's page copy in Kiswahili: plain words, as a clerk at a
//! Huduma Centre would say them, in the terms `KISWAHILI.md` lists.

use domain::org::{OrgKind, OrgRole};
use domain::{AccountType, DatePartsRefusal as D};

use super::{SignOnAccount as A, SignOnMessage as M, SignOnPage as P};

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::SignInTitle => s("Ingia"),
        P::YouAreA => s("Wewe ni"),
        P::AccountTypeChoice { account_type } => s(match account_type {
            AccountType::Citizen => "Raia wa Kenya (kitambulisho cha taifa)",
            AccountType::Resident => "Mgeni mkazi (kitambulisho cha mgeni)",
            AccountType::Foreigner => "Mgeni mtembeleaji (pasipoti)",
        }),
        P::IdOrPassport => s("Nambari ya kitambulisho au pasipoti"),
        P::Password => s("Nenosiri"),
        P::Continue => s("Endelea"),
        P::CreateAnAccount => s("Fungua akaunti"),
        P::ForgotPassword => s("Umesahau nenosiri lako?"),
        P::RecoverInstead => s("Umesahau nenosiri lako? Rejesha akaunti yako"),
        P::CheckYourPhone => s("Angalia simu yako"),
        P::CodeSentToVerify { phone } => {
            format!("Tumetuma msimbo wa tarakimu 6 kwa {phone} ili kuhakikisha kwamba nambari hiyo ni yako.")
        }
        P::EnterSignInCode => s("Andika msimbo wako wa kuingia"),
        P::CodeSentTo { phone } => format!("Tumetuma msimbo wa tarakimu 6 kwa {phone}."),
        P::CodeWorksFiveMinutes => s("Msimbo huo unafanya kazi kwa dakika 5."),
        P::Code => s("Msimbo"),
        P::SendNewCode => s("Nitumie msimbo mpya"),
        P::NewCodeOnItsWay => s("Msimbo mpya uko njiani."),
        P::SignOutQuestion => s("Ungependa kutoka?"),
        P::ServiceAskedSignOut => s("Huduma moja imeomba utolewe kwenye huduma ya kuingia."),
        P::SignOut => s("Toka"),
        P::RegisterLead => s("Akaunti moja inakuingiza kwenye huduma zote za mtandaoni za mamlaka."),
        P::IdNumberHint => s("Nambari iliyo kwenye kitambulisho au pasipoti uliyochagua hapo juu"),
        P::DateOfBirth => s("Tarehe ya kuzaliwa"),
        P::DateOfBirthHint => s("Kama ilivyo kwenye kitambulisho au pasipoti yako, kwa mfano 17 5 1990"),
        P::MobileNumber => s("Nambari ya simu ya mkononi"),
        P::MobileNumberHint => s("Tutatuma msimbo kwa simu hii ili kuithibitisha, kwa mfano 0712 345 678"),
        P::EmailOptional => s("Anwani ya barua pepe (si lazima)"),
        P::PasswordAgain => s("Nenosiri tena"),
        P::PasswordHint => s("Angalau herufi 10. Maneno matatu au manne yasiyohusiana ni rahisi kukumbuka na \
                              magumu kukisia; usitumie jina lako, nambari ya kitambulisho, nambari ya simu wala \
                              nenosiri la kawaida"),
        P::SmsAlertsOptIn => s("Nitumie arifa za SMS kuhusu shughuli zangu"),
        P::CreateAccount => s("Fungua akaunti"),
        P::HaveAccount => s("Tayari nina akaunti"),
        P::RecoverTitle => s("Rejesha akaunti yako"),
        P::RecoverLead => s("Ukisahau nenosiri lako, tutatuma msimbo kwa simu iliyo kwenye akaunti yako. Kisha \
                             utachagua nenosiri jipya."),
        P::SendACode => s("Nitumie msimbo"),
        P::BackToSignIn => s("Rudi kwenye kuingia"),
        P::NewPasswordTitle => s("Chagua nenosiri jipya"),
        P::RecoverCodeLead => s("Ikiwa maelezo uliyotoa yanalingana na akaunti, tumetuma msimbo wa tarakimu 6 kwa \
                                 simu iliyosajiliwa kwenye akaunti hiyo. Msimbo unafanya kazi kwa dakika 5."),
        P::RecoverNoCode => s("Msimbo usipofika baada ya dakika chache, angalia maelezo na uanze upya; ukiomba \
                               misimbo mingi kwa muda mfupi, subiri dakika 15 kwanza."),
        P::NewPassword => s("Nenosiri jipya"),
        P::NewPasswordAgain => s("Nenosiri jipya tena"),
        P::ChangePassword => s("Badilisha nenosiri"),
        P::StartAgain => s("Anza upya"),
        P::SmsAlertsTitle => s("Arifa za SMS"),
        P::SmsAlertsLead => s("Chagua kama tukutumie arifa za SMS kuhusu shughuli zako. Misimbo ya kuingia hutumwa \
                               kila mara."),
        P::Save => s("Hifadhi"),
        P::BackToAccount => s("Rudi kwenye akaunti yako"),
        P::AddOrgTitle => s("Ongeza shirika"),
        P::AddOrgLead => s("Ili kuwakilisha shirika (kampuni, muuzaji wa magari, benki, kampuni ya bima, ubalozi \
                            au idara ya serikali), liongeze kwa PIN yake ya KRA."),
        P::AddOrgDirector => s("Ikiwa sajili ya KRA inakuorodhesha kama mkurugenzi, unakuwa msimamizi wake mara \
                                moja. La sivyo, wasimamizi wake wataombwa wakuidhinishe."),
        P::OrgPinLabel => s("PIN ya KRA ya shirika"),
        P::OrgPinHint => s("Kwa mfano P051234567A"),
        P::AddOrg => s("Ongeza shirika"),
        P::DateDay => s("Siku"),
        P::DateMonth => s("Mwezi"),
        P::DateYear => s("Mwaka"),
        P::GoToRegistry => s("Nenda kwenye huduma ya usajili wa magari"),
    }
}

pub(super) fn render_message(m: &M) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        M::OrgRequested => s("Ombi lako limetumwa kwa wasimamizi wa shirika."),
        M::MemberSaved => s("Mabadiliko yamehifadhiwa na mhusika amejulishwa kwa SMS."),
        M::PasswordChanged => s("Nenosiri lako limebadilishwa. Ingia kwa nenosiri jipya."),
        M::SignedOut => s("Umetoka."),
        M::PageNotFound => s("Ukurasa haupatikani"),
        M::PleaseWait => s("Tafadhali subiri"),
        M::ServiceProblem => s("Samahani, huduma ina tatizo"),
        M::FormNotAccepted => {
            s("Kwa usalama wako fomu haikuweza kukubaliwa. Rudi nyuma, fungua ukurasa upya na ujaribu tena.")
        }
        M::DevCookies => {
            s("Hali ya majaribio: programu lazima ihifadhi vidakuzi inavyopewa na kuvirudisha. Ni vidakuzi \
                            vya Secure, ambavyo requests ya Python (http.cookiejar) hutuma kupitia https tu, hata \
                            seva iwe ipi; vivinjari na curl huvituma kwa http://localhost pia. Kwa API, tumia \
                            tokeni ya ufikiaji badala yake (tims dev token, au mtiririko wa authorization code): \
                            angalia \"Calling the API from your own program\" katika README.")
        }
        M::FormUnreadableTitle => s("Fomu haikuweza kusomwa"),
        M::SendFormFromPage => s("Tuma fomu kutoka ukurasa wake, ikiwa imejazwa kama ilivyoombwa."),
        M::SignOutRequestUnusable => s("Ombi hili la kutoka haliwezi kutumika"),
        M::SignedOutTitle => s("Umetoka"),
        M::CloseWindow => s("Unaweza kufunga dirisha hili."),
        M::SignInAgain => s("Ingia tena"),
        M::BrokenSignInLink => s("Kiungo hiki cha kuingia kimeharibika"),
        M::UnreadableRequest => s("Huduma iliyokuleta hapa imetuma ombi ambalo hatuwezi kusoma."),
        M::SignInRequestUnusable => s("Ombi hili la kuingia haliwezi kutumika"),
        M::GoBackToService => {
            s("Rudi kwenye huduma uliyotoka na ujaribu tena; likitokea tena, waambie wahusika wa huduma hiyo.")
        }
        M::DevSmsTitle => s("SMS za majaribio"),
        M::DevSmsLead => s("Ukurasa huu upo tu katika hali ya majaribio: unaonyesha kila SMS ambayo seva \
                            ingetuma, za karibuni kwanza, ili uweze kusoma misimbo yako. Kila moja inasema ni ya \
                            nini na, ikiwepo, inahusu nini (kumbukumbu ya uhamisho, PIN ya KRA ya shirika). Programu \
                            zinaweza kusoma hayo hayo kama JSON kwenye"),
        M::DevSmsOnePhone => s("nambari ya simu, kwa SMS za simu moja tu"),
        M::DevSmsTo => s("Kwa"),
        M::DevSmsFor => s("Madhumuni"),
        M::DevSmsAbout => s("Kuhusu"),
        M::DevSmsMessage => s("Ujumbe"),
        M::AccountCreated => s("Akaunti yako iko tayari na nambari yako ya simu imethibitishwa. Umeingia."),
        M::CodeResent => s("Msimbo mpya uko njiani. Misimbo iliyotumwa kabla yake haifanyi kazi tena."),
        M::DateOfBirthRefused { refusal } => date_of_birth_refused(refusal),
    }
}

pub(super) fn render_account(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        A::YourAccount => s("Akaunti yako"),
        A::AccountTypeRow => s("Aina ya akaunti"),
        A::AccountTypeName { account_type } => s(match account_type {
            AccountType::Citizen => "raia",
            AccountType::Resident => "mkazi",
            AccountType::Foreigner => "mgeni",
        }),
        A::DocumentName { account_type } => s(match account_type {
            AccountType::Citizen => "nambari ya kitambulisho cha taifa",
            AccountType::Resident => "nambari ya kitambulisho cha mgeni",
            AccountType::Foreigner => "nambari ya pasipoti",
        }),
        A::Mobile => s("Simu ya mkononi"),
        A::Verified => s("imethibitishwa"),
        A::Subscribed => s("Umejiandikisha"),
        A::NotSubscribed => s("Hujajiandikisha"),
        A::Change => s("badilisha"),
        A::Organisations => s("Mashirika"),
        A::NoOrgs => s("Huwakilishi shirika lolote."),
        A::OrgColumn => s("Shirika"),
        A::KraPinColumn => s("PIN ya KRA"),
        A::YourRole => s("Jukumu lako"),
        A::WaitingApproval => s("Linasubiri kuidhinishwa"),
        A::AddOrgByPin => s("Ongeza shirika kwa PIN yake ya KRA"),
        A::RoleName { role } => s(match role {
            OrgRole::Admin => "Msimamizi",
            OrgRole::Transactor => "Mwendeshaji wa miamala",
            OrgRole::Viewer => "Mtazamaji",
        }),
        A::OrgKindName { kind } => s(match kind {
            OrgKind::Company => "Kampuni",
            OrgKind::CarDealer => "Muuzaji wa magari",
            OrgKind::MotorcycleDealer => "Muuzaji wa pikipiki",
            OrgKind::FinancialInstitution => "Taasisi ya fedha",
            OrgKind::InsuranceCompany => "Kampuni ya bima",
            OrgKind::EmbassyOrMission => "Ubalozi au misheni",
            OrgKind::Government => "Idara au shirika la serikali",
        }),
        A::OrgLead { kra_pin } => format!(
            "PIN ya KRA {kra_pin}. Idhinisha watu walioomba kuliwakilisha shirika, weka majukumu yao na uwaondoe watu."
        ),
        A::Person => s("Mtu"),
        A::StatusAndRole => s("Hali na jukumu"),
        A::ChangeColumn => s("Badilisha"),
        A::AsksToJoin => s("Anaomba kujiunga"),
        A::IdOf { id_number } => format!("Kitambulisho {id_number}"),
        A::Role => s("Jukumu"),
        A::RemoveFromOrg => s("Mwondoe kwenye shirika"),
        A::RefuseRequest => s("Kataa ombi"),
        A::Decide => s("Amua"),
    }
}

/// A date of birth refused, naming the box that is wrong.
fn date_of_birth_refused(refusal: D) -> String {
    match refusal {
        D::Empty => "Andika tarehe yako ya kuzaliwa".into(),
        D::Missing { day, month, year } => {
            let parts: Vec<&str> = [(day, "siku"), (month, "mwezi"), (year, "mwaka")]
                .into_iter()
                .filter_map(|(missing, part)| missing.then_some(part))
                .collect();
            format!("Tarehe ya kuzaliwa haijakamilika: andika {}", parts.join(" na "))
        }
        D::Day => "Siku ya kuzaliwa iwe nambari kati ya 1 na 31".into(),
        D::Month => "Mwezi wa kuzaliwa uwe nambari kati ya 1 na 12".into(),
        D::Year => "Mwaka wa kuzaliwa uwe na tarakimu 4, kwa mfano 1990".into(),
        D::NoSuchDay { days_in_month } => {
            format!("Tarehe hiyo haipo: mwezi huo una siku {days_in_month} tu")
        }
    }
}

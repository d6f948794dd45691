//! Page copy in Kiswahili: plain words, as a clerk at a Huduma Centre would
//! say them, in the terms `KISWAHILI.md` lists.

use super::{Page, Part};

pub(super) fn render(m: &Page<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        Page::ServiceName { part } => s(service(part)),
        Page::ErrorSummaryTitle => s("Kuna tatizo"),
        Page::ErrorTitlePrefix => s("Hitilafu: "),
        Page::NavMyVehicles => s("Magari yangu"),
        Page::NavInquiry => s("Uchunguzi"),
        Page::NavTransfers => s("Uhamisho"),
        Page::NavReviewQueue => s("Foleni ya ukaguzi"),
        Page::ActingFor { person, org } => format!("{person} kwa niaba ya {org}"),
        Page::NextPage => s("Ukurasa unaofuata"),
        Page::FirstPage => s("Rudi ukurasa wa kwanza"),
        Page::SignedIn => s("Umeingia."),
        Page::SignedOut => s("Umetoka."),
        Page::PreferencesSaved => s("Mapendeleo yako yamehifadhiwa."),
        Page::OrgAdded => s("Shirika limeongezwa kwenye akaunti yako."),
        Page::ActingAsShown => s("Imekamilika: sasa unatumia huduma kama inavyoonyeshwa juu ya ukurasa."),
        Page::CodeSent => s("Tumekutumia msimbo kwa simu yako. Utafanya kazi kwa dakika 5."),
        Page::MyVehicles => s("Magari yangu"),
        Page::MyVehiclesAndOrgs { org } => format!("Magari yangu na ya {org}"),
        Page::NoVehicles => s("Hakuna gari lililosajiliwa kwa jina lako."),
        Page::LookUpVehicle => s("Tafuta gari"),
        Page::PublicPartOnly => s("Unaona sehemu ya umma ya rekodi: wamiliki wanaiona yote."),
        Page::TransferPending => s("Uhamisho unaendelea"),
        Page::NoTransfers => s("Huhusiki na uhamisho wowote."),
        Page::ReviewQueueTitle => s("Foleni ya ukaguzi (wa zamani kwanza)"),
        Page::NothingToReview => s("Hakuna kinachosubiri ukaguzi."),
        Page::CodeLabel => s("Msimbo wa tarakimu 6 uliotumiwa kwa simu"),
        Page::ScanHint => s("PDF, JPEG au PNG isiyozidi MB 10."),
        Page::CollectionOffice => s("Ofisi utakayochukulia logbook"),
        Page::PostalAddress => s("Anwani yako ya posta"),
        Page::AcceptTransfer => s("Kubali uhamisho"),
        Page::DeclineTransfer => s("Kataa uhamisho"),
        Page::PayFee => s("Lipa ada ya uhamisho"),
        Page::ApproveTransfer => s("Idhinisha uhamisho"),
        Page::LogbookPrinted => s("Logbook imechapishwa"),
        Page::LogbookCollectedByBuyer => s("Mnunuzi amechukua logbook"),
        Page::SomethingWentWrongTitle => s("Kuna hitilafu"),
        Page::ThatDidNotWork => s("Hilo halikufanikiwa"),
        Page::NothingHere => s("Hakuna kitu hapa, au huruhusiwi kukiona."),
        Page::GoToAccount => s("Nenda kwenye akaunti yako"),
        Page::YouCannotDoThat => s("Huwezi kufanya hivyo"),
        Page::AccountDoesNotAllow => s("Akaunti yako hairuhusu hili."),
        Page::ServiceUnavailableTitle => s("Huduma haipatikani"),
        Page::RegisterNotAnswering => {
            s("Sajili tunayotumia kuhakiki haijibu. Jaribu tena baada ya dakika chache; hakuna kilichobadilishwa.")
        }
        Page::ServiceVeryBusy => s("Huduma ina shughuli nyingi"),
        Page::NothingChanged => s("Hakuna kilichobadilishwa. Jaribu tena baadaye."),
        Page::FormExpiredTitle => s("Muda wa fomu umekwisha"),
        Page::CookieMissing => {
            s("Kivinjari chako hakikurudisha kidakuzi cha tovuti hii: ruhusu vidakuzi vya tovuti hii.")
        }
        Page::RecoverNow => s("Rejesha akaunti yako sasa"),
        Page::Pages => s("Kurasa"),
    }
}

fn service(part: Part) -> &'static str {
    match part {
        Part::Registry => "tims usajili wa magari",
        Part::SignOn => "tims huduma ya kuingia",
    }
}

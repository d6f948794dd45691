//! The registry's journeys in Kiswahili, in the terms `KISWAHILI.md` lists
//! ("logbook" as people say it, "skani" for a scan, "msimbo" for a code).

use domain::guidance::Guidance as G;
use domain::transfer::State;

use super::{Answering as A, Journey as J, Progress as P};
use crate::format::kes;

pub(super) fn render(m: &J<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        J::Back => s("Rudi"),
        J::Change => s("Badilisha"),
        J::Continue => s("Endelea"),
        J::Confirm => s("Thibitisha"),
        J::Details => s("Maelezo ya uhamisho"),
        J::SellAVehicle => s("Uza gari"),
        J::SellVehicle { reg_no } => format!("Uza {reg_no}"),
        J::WhichVehicle => s("Unauza gari lipi?"),
        J::WhoIsBuying => s("Nani ananunua gari hili?"),
        J::BuyerKindHint => {
            s("Shirika ni kampuni, muuzaji wa magari, benki, kampuni ya bima, ubalozi au idara ya serikali.")
        }
        J::BuyerIsAPerson => s("Mtu binafsi"),
        J::BuyerIsAnOrganisation => s("Shirika"),
        J::ChooseBuyerKind => s("Chagua kama mnunuzi ni mtu binafsi au shirika"),
        J::WhatIsTheBuyersId => s("Kitambulisho cha mnunuzi ni kipi?"),
        J::WhatIsTheBuyersPin => s("PIN ya KRA ya shirika linalonunua ni ipi?"),
        J::BuyerMustHaveSignedIn => {
            s("Mnunuzi lazima awe ameingia kwenye huduma hii angalau mara moja, ili tuweze kumfikia kwa SMS.")
        }
        J::IdDocument => s("Aina ya kitambulisho"),
        J::IdDocumentNumber => s("Nambari ya kitambulisho au pasipoti"),
        J::IdNumberHint => s("Kama ilivyoandikwa kwenye kitambulisho"),
        J::KraPin => s("PIN ya KRA"),
        J::KraPinHint => s("Herufi 11, kwa mfano P051234567X"),
        J::CheckBeforeStarting => s("Hakiki majibu yako kabla ya kuanza uhamisho"),
        J::Buyer => s("Mnunuzi"),
        J::BuyersName => s("Jina la mnunuzi, kama lilivyo kwenye sajili"),
        J::FeePaidByBuyer { amount_cents } => format!("{}, analipa mnunuzi", kes(*amount_cents)),
        J::FeePaidBySeller { amount_cents } => format!("{}, analipa muuzaji", kes(*amount_cents)),
        J::AfterStarting => s("Kisha utapakia skani ya rangi ya logbook na kuthibitisha uhamisho kwa msimbo \
             tutakaokutumia kwa simu. Hakuna kitakachobadilika hadi ufanye hivyo."),
        J::OthersMustConsent { n: 1 } => s("Mmiliki mwingine 1 aliye kwenye logbook lazima pia aridhie uuzaji."),
        J::OthersMustConsent { n } => {
            format!("Wamiliki wengine {n} walio kwenye logbook lazima pia waridhie uuzaji.")
        }
        J::StartTheTransfer => s("Anza uhamisho"),
        J::UploadTheScan => s("Pakia skani ya logbook"),
        J::ScanWhatToSend => {
            s("Skani logbook halisi kwa rangi, kila ukurasa wenye maandishi. Fotokopi au skani isiyo ya rangi \
             hukataliwa.")
        }
        J::UploadAnotherScan => s("Pakia skani nyingine"),
        J::CheckAndSubmit => s("Hakiki na uwasilishe"),
        J::CheckBeforeSubmitting => s("Hakiki uhamisho kabla ya kuuwasilisha"),
        J::SubmitWhatHappens => {
            s("Ukiwasilisha, tutawaomba wamiliki wengine walio kwenye logbook (kama wapo) na kisha mnunuzi \
             wajibu. Baada ya hapo huwezi kubadilisha mnunuzi: ili kumbadilisha, ghairi na uanze upya.")
        }
        J::ScanUploaded => s("Imepakiwa"),
        J::ScanUploadedBySeller => s("Imepakiwa na muuzaji"),
        J::SendMeTheCode => s("Nitumie msimbo wa kuwasilisha"),
        J::CodeToSubmit => s("Andika msimbo wa kuwasilisha uhamisho"),
        J::CancelThisTransfer => s("Ghairi uhamisho huu"),
        J::SureToCancel { reg_no } => format!("Una uhakika unataka kughairi uhamisho wa {reg_no}?"),
        J::CancelWhatHappens { buyer } => {
            format!("Uhamisho kwa {buyer} utakwisha na gari litabaki lako. Kila aliyeombwa kujibu atajulishwa kwa SMS.")
        }
        J::CannotBeUndone => s("Hili haliwezi kutenguliwa."),
        J::YesCancel => s("Ndiyo, ghairi uhamisho"),
        J::NoKeepIt => s("Hapana, usighairi"),
    }
}

pub(super) fn render_answering(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        A::DoYouAccept { reg_no, seller } => format!("Je, unakubali uhamisho wa {reg_no} kutoka kwa {seller}?"),
        A::DoYouAgree { reg_no, buyer } => format!("Je, unaridhia gari {reg_no} liuzwe kwa {buyer}?"),
        A::TheVehicle { vehicle } => format!("Gari: {vehicle}."),
        A::FeeAlreadyPaid => s("Ada ya uhamisho imekwisha kulipwa: wewe hulipi chochote."),
        A::IfYouAccept { amount_cents } => {
            format!("Ukikubali, hatua inayofuata ni kulipa ada ya uhamisho ya {} kwa M-Pesa.", kes(*amount_cents))
        }
        A::AsOwnerYouMustAgree => {
            s("Jina lako liko kwenye logbook ya gari hili, kwa hiyo uuzaji unahitaji idhini yako.")
        }
        A::YesAccept => s("Ndiyo, nakubali"),
        A::NoDecline => s("Hapana, nakataa"),
        A::YesApprove => s("Ndiyo, naridhia uuzaji"),
        A::NoRefuse => s("Hapana, napinga uuzaji"),
        A::ChooseAnAnswer => s("Chagua ndiyo au hapana"),
        A::WhatIsYourPostalAddress => s("Anwani yako ya posta ni ipi?"),
        A::AddressWhy => s("Itaandikwa kwenye logbook mpya."),
        A::WhereWillYouCollect => s("Utachukua logbook mpya wapi?"),
        A::OfficeHint => s("Chagua ofisi iliyo karibu nawe. Beba kitambulisho chako halisi utakapoenda kuichukua."),
        A::CheckYourAnswer => s("Hakiki jibu lako"),
        A::YourAnswer => s("Jibu lako"),
        A::FeePaidNext { amount_cents } => format!("{}, utalipa kwa M-Pesa hatua inayofuata", kes(*amount_cents)),
        A::DeclineEnds => s("Ukikataa, uhamisho utakwisha na gari litabaki kwa muuzaji. Hili haliwezi kutenguliwa."),
        A::RefuseEnds => {
            s("Ukipinga, uhamisho utakwisha na gari litabaki kwa wamiliki wake. Hili haliwezi kutenguliwa.")
        }
        A::SendCodeToAccept => s("Nitumie msimbo wa kukubali"),
        A::SendCodeToDecline => s("Nitumie msimbo wa kukataa"),
        A::SendCodeToApprove => s("Nitumie msimbo wa kuridhia"),
        A::SendCodeToRefuse => s("Nitumie msimbo wa kupinga"),
        A::CodeToAccept => s("Andika msimbo wa kukubali uhamisho"),
        A::CodeToDecline => s("Andika msimbo wa kukataa uhamisho"),
        A::CodeToApprove => s("Andika msimbo wa kuridhia uuzaji"),
        A::CodeToRefuse => s("Andika msimbo wa kupinga uuzaji"),
        A::WeSentACode { phone } => {
            format!("Tumetuma msimbo wa tarakimu 6 kwa SMS kwenda {phone}. Utaisha baada ya dakika 5.")
        }
        A::NewCodeSent => s("Tumekutumia msimbo mpya. Tumia ule wa mwisho."),
        A::SendANewCode => s("Nitumie msimbo mpya"),
    }
}

pub(super) fn render_progress(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match m {
        P::WhatYouNeedToDo => s("Unachohitaji kufanya"),
        P::WhatHappensNext => s("Kinachofuata"),
        P::YourReference { reference } => format!("Nambari yako ya kumbukumbu ni {reference}."),
        P::Guide { guidance, by, review_by, office, ready, fee } => {
            guide(*guidance, by, review_by, office, ready, *fee)
        }
        P::OfficersReason { reason } => format!("Sababu ya afisa: {reason}"),
        P::AnswerTheRequest => s("Ridhia au pinga"),
        P::AcceptOrDecline => s("Kubali au kataa"),
        P::PayFee { amount_cents } => format!("Lipa {}", kes(*amount_cents)),
        P::ReviewIt => s("Kagua uhamisho"),
        P::SeeTheReceipt => s("Angalia risiti ya malipo"),
        P::NoticeStarted => s("Uhamisho umeanzishwa"),
        P::NoticeUploaded => s("Skani imepakiwa"),
        P::NoticeSubmitted => s("Uhamisho umewasilishwa"),
        P::NoticeConsented => s("Umeridhia uuzaji"),
        P::NoticeRefused => s("Umepinga uuzaji"),
        P::NoticeAccepted => s("Umekubali uhamisho"),
        P::NoticeDeclined => s("Umekataa uhamisho"),
        P::NoticeCancelled => s("Uhamisho umeghairiwa"),
        P::NoticePaid => s("Ada imelipwa"),
        P::NoticeReviewed => s("Ukaguzi umerekodiwa"),
        P::NoticeRecorded => s("Hatua ya logbook imerekodiwa"),
    }
}

/// What a transfer's reader must do or waits for.
fn guide(g: G, by: &str, review_by: &str, office: &str, ready: &str, fee: i64) -> String {
    let fee = kes(fee);
    let review = if review_by.is_empty() { String::new() } else { format!(" kufikia {review_by}") };
    match g {
        G::UploadScan => format!(
            "Pakia skani ya rangi ya logbook, kisha hakiki uhamisho na uuthibitishe kwa msimbo \
             tutakaokutumia kwa simu. Fanya hivyo kufikia {by}, la sivyo uhamisho utakwisha."
        ),
        G::Submit => format!(
            "Hakiki uhamisho na uuthibitishe kwa msimbo tutakaokutumia kwa simu. Fanya hivyo kufikia {by}, la \
             sivyo uhamisho utakwisha."
        ),
        G::WaitForSeller => format!("Muuzaji bado hajawasilisha uhamisho. Ana hadi {by}."),
        G::SellerPay => format!(
            "Lipa ada ya uhamisho ya {fee} kwa M-Pesa kufikia {by}. Ada ikishalipwa, mnunuzi na wengine walio \
             kwenye logbook wataulizwa."
        ),
        G::WaitForSellerPayment => {
            format!("Muuzaji lazima alipe ada ya uhamisho kufikia {by}. Utaulizwa baada ya hapo.")
        }
        G::Consent => {
            format!(
                "Jina lako liko kwenye logbook: ridhia au pinga uuzaji huu kufikia {by}. Ukipinga, uhamisho utakwisha."
            )
        }
        G::WaitForConsents => {
            format!("Wamiliki wengine walio kwenye logbook lazima waridhie uuzaji. Wana hadi {by}.")
        }
        G::Answer => {
            format!("Kubali au kataa uhamisho kufikia {by}. Ukikubali, hatua inayofuata ni kulipa ada ya {fee}.")
        }
        G::AnswerFeePaid => {
            format!("Kubali au kataa uhamisho kufikia {by}. Ada imekwisha kulipwa: wewe hulipi chochote.")
        }
        G::WaitForBuyer => format!("Mnunuzi lazima akubali au akatae kufikia {by}. Tutakutumia SMS atakapojibu."),
        G::Pay => {
            format!("Lipa ada ya uhamisho ya {fee} kwa M-Pesa kufikia {by}. Ada ikishalipwa, afisa atakagua uhamisho.")
        }
        G::WaitForPayment => format!("Mnunuzi lazima alipe ada ya uhamisho kufikia {by}."),
        G::Review => format!("Kagua uhamisho na skani ya logbook{review}."),
        G::WaitForReview => {
            format!("Afisa anakagua uhamisho na skani ya logbook{review}. Tutakutumia SMS yenye matokeo.")
        }
        G::Printing => format!(
            "Umiliki umebadilika. Logbook mpya itakuwa tayari kufikia {ready} katika ofisi ya {office}. \
             Mnunuzi ataichukua huko akiwa na kitambulisho chake halisi."
        ),
        G::ReadyToCollect => format!(
            "Logbook yako mpya iko tayari katika ofisi ya {office}. Beba kitambulisho chako halisi (kwa \
             shirika, barua yake ya idhini pamoja na kitambulisho chako)."
        ),
        G::ReadyForBuyer => {
            format!("Umiliki umebadilika. Logbook mpya iko tayari kwa mnunuzi katika ofisi ya {office}.")
        }
        G::Collected => "Umiliki umebadilika na logbook mpya imechukuliwa.".to_string(),
        G::Ended(state) => ended(state).to_string(),
        G::EndedForSeller(state) => ended_for_seller(state).to_string(),
        G::EndedForBuyer(state) => ended_for_buyer(state).to_string(),
        G::PrintingForBuyer => format!(
            "Umiliki umebadilika: gari sasa ni lako. Logbook yako mpya itakuwa tayari kufikia {ready} katika ofisi \
             ya {office}. Ichukue huko ukiwa na kitambulisho chako halisi."
        ),
        G::Rescan => format!(
            "Afisa ameurudisha uhamisho: skani ya logbook haikubaliki. Pakia skani mpya ya rangi ya logbook \
             halisi, kisha uwasilishe uhamisho tena kwa msimbo tutakaokutumia kwa simu, kufikia {by}. Hulipi \
             tena."
        ),
        G::WaitForRescan => format!(
            "Afisa amemrudishia muuzaji uhamisho ili alete skani mpya ya logbook. Muuzaji ana hadi {by}; ada \
             inabaki imelipwa."
        ),
    }
}

fn ended(state: State) -> &'static str {
    match state {
        State::Declined => "Mnunuzi amekataa. Gari linabaki kwa mmiliki wake.",
        State::Cancelled => "Muuzaji ameghairi uhamisho. Gari linabaki kwa mmiliki wake.",
        State::Expired => {
            "Hakuna aliyekamilisha uhamisho kwa wakati, kwa hiyo umekwisha. Gari linabaki kwa mmiliki wake; \
             muuzaji anaweza kuanza uhamisho mpya."
        }
        State::Rejected => "Afisa amekataa uhamisho. Gari linabaki kwa mmiliki wake.",
        State::ConsentRefused => "Mmiliki aliye kwenye logbook amepinga uuzaji. Gari linabaki kwa mmiliki wake.",
        _ => "Uhamisho huu umekwisha.",
    }
}

fn ended_for_seller(state: State) -> &'static str {
    match state {
        State::Declined => "Mnunuzi amekataa. Gari linabaki lako.",
        State::Cancelled => "Umeghairi uhamisho. Gari linabaki lako.",
        State::Expired => {
            "Hakuna aliyekamilisha uhamisho kwa wakati, kwa hiyo umekwisha. Gari linabaki lako; unaweza kuanza \
             uhamisho mpya."
        }
        State::Rejected => "Afisa amekataa uhamisho. Gari linabaki lako.",
        State::ConsentRefused => "Mmiliki aliye kwenye logbook amepinga uuzaji. Gari linabaki lako.",
        _ => "Uhamisho huu umekwisha.",
    }
}

fn ended_for_buyer(state: State) -> &'static str {
    match state {
        State::Declined => "Umekataa uhamisho. Gari linabaki kwa muuzaji.",
        State::Cancelled => "Muuzaji ameghairi uhamisho. Hakuna zaidi unachotakiwa kufanya.",
        State::Expired => {
            "Hakuna aliyekamilisha uhamisho kwa wakati, kwa hiyo umekwisha. Hakuna zaidi unachotakiwa kufanya."
        }
        State::Rejected => "Afisa amekataa uhamisho. Gari linabaki kwa muuzaji.",
        State::ConsentRefused => {
            "Mmiliki aliye kwenye logbook amepinga uuzaji, kwa hiyo umekwisha. Hakuna zaidi unachotakiwa kufanya."
        }
        _ => "Uhamisho huu umekwisha.",
    }
}

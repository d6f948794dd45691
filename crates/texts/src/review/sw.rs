//! The review and resubmission pages in Kiswahili.

use domain::transfer::RejectReason as R;
use domain::{AccountType, OwnerRole};

use super::en::grouped;
use super::{ReviewReader, ReviewText as T};
use crate::{Lang, SignOnAccount, Text as _};

pub(super) fn render(m: &T<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        T::ReasonName { reason } => s(name(reason)),
        T::ReasonWhy { reason } => s(why(reason)),
        T::WhatToDo { reason, reader, reg_no } => what_to_do(reason, reader, reg_no),
        T::ReviewTitle { reference } => format!("Kagua uhamisho {reference}"),
        T::ReviewLead => s("Linganisha skani ya logbook na kila mstari wa rekodi ulio kando yake. Idhinisha tu kama \
                            kila kimoja kinalingana."),
        T::TheScan => s("Skani ya logbook"),
        T::OpenFullSize => s("Fungua skani kwa ukubwa kamili"),
        T::PdfNotShown => s("Skani haiwezi kuonyeshwa hapa."),
        T::TheVehicle => s("Gari kama lilivyo kwenye sajili"),
        T::OwnersOnRegister => s("Wamiliki kwenye sajili"),
        T::TheSeller => s("Muuzaji"),
        T::TheBuyer => s("Mnunuzi, kama sajili zinavyomtaja"),
        T::Make => s("Chapa"),
        T::Model => s("Modeli"),
        T::Body => s("Aina ya bodi"),
        T::Colour => s("Rangi"),
        T::EngineCapacity { cc } => format!("cc {}", grouped(cc)),
        T::Name => s("Jina"),
        T::Kind => s("Aina"),
        T::Document => s("Hati"),
        T::Role => s("Nafasi"),
        T::OwnerRoleName { role } => s(match role {
            OwnerRole::Owner => "Mmiliki",
            OwnerRole::Financier => "Mkopeshaji (mkopo bado upo)",
        }),
        T::PersonDocument { account_type } => s(match account_type {
            AccountType::Citizen => "Kitambulisho cha taifa",
            AccountType::Resident => "Kitambulisho cha mgeni",
            AccountType::Foreigner => "Pasipoti",
        }),
        T::KraPin => s("PIN ya KRA"),
        T::PersonKind => s("Mtu binafsi"),
        T::OrgParty => s("Shirika"),
        T::OrgKindFromKra { kind } => {
            format!("{} (kutoka sajili ya KRA)", SignOnAccount::OrgKindName { kind }.render(Lang::Sw))
        }
        T::NotInKraRegister => s("Shirika ambalo sajili ya KRA haitaji aina yake"),
        T::FeePaid { amount, reference } => format!("{amount}, imelipwa (kumbukumbu ya malipo {reference})"),
        T::QueuedOn { date } => format!("Kwenye foleni tangu {date}"),
        T::ApproveButton => s("Idhinisha uhamisho"),
        T::RejectButton => s("Kataa uhamisho"),
        T::NoScan => s("Hakuna skani iliyopakiwa."),
        T::ApproveTitle { .. }
        | T::ApproveWarning { .. }
        | T::YesApprove
        | T::NoGoBack
        | T::RejectTitle { .. }
        | T::WhyReject
        | T::ScanReasonsHint
        | T::Details
        | T::DetailsHint
        | T::ChooseReason
        | T::ApprovedNotice
        | T::RejectedNotice
        | T::ReturnedNotice
        | T::ResubmittedNotice
        | T::ResubmitTitle { .. }
        | T::ResubmitLead
        | T::OfficersReason
        | T::NewScan
        | T::NewScanUploaded { .. }
        | T::NoNewScanYet
        | T::Change
        | T::UploadNewScan
        | T::SendCode
        | T::ResubmitButton
        | T::NoFeeAgain
        | T::ResubmitLink
        | T::ReviewLink
        | T::LogbookPrintedQuestion { .. }
        | T::LogbookPrintedHint
        | T::LogbookCollectedQuestion { .. }
        | T::LogbookCollectedHint
        | T::YesRecordIt
        | T::LogbookRecordedNotice => decisions(m),
    }
}

/// The words of the decisions, their notices and the resubmission.
fn decisions(m: &T<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        T::ApproveTitle { reference } => format!("Uidhinishe uhamisho {reference}?"),
        T::ApproveWarning { reg_no, seller, buyer } => format!(
            "Una uhakika? {reg_no} linahama kutoka kwa {seller} kwenda kwa {buyer} mara moja na logbook mpya \
             inaagizwa. Hili haliwezi kutenguliwa."
        ),
        T::YesApprove => s("Ndiyo, idhinisha"),
        T::NoGoBack => s("Hapana, rudi kwenye ukaguzi"),
        T::RejectTitle { reference } => format!("Kataa uhamisho {reference}"),
        T::WhyReject => s("Kwa nini unaukataa?"),
        T::ScanReasonsHint => s("Sababu nne za kwanza zinahusu skani: uhamisho unarudishwa kwa muuzaji alete skani \
                                 mpya, na hakuna anayelipa tena. Nyingine zinamaliza uhamisho."),
        T::Details => s("Maelezo"),
        T::DetailsHint => s("Wahusika watasoma haya. Yanahitajika kwa sababu nyingine; herufi 500 zaidi."),
        T::ChooseReason => s("Chagua sababu ya kukataa uhamisho"),
        T::ApprovedNotice => s("Uhamisho umeidhinishwa: umiliki umebadilika na logbook mpya imeagizwa."),
        T::RejectedNotice => s("Uhamisho umekataliwa. Wahusika wameelezwa sababu kwa SMS."),
        T::ReturnedNotice => {
            s("Uhamisho umerudishwa kwa muuzaji alete skani mpya. Wahusika wameelezwa sababu kwa SMS.")
        }
        T::ResubmittedNotice => s("Uhamisho umerudi kwa maafisa ukaguliwe. Hulipi tena."),
        T::ResubmitTitle { reference } => format!("Wasilisha tena uhamisho {reference}"),
        T::ResubmitLead => s("Hakiki majibu yako, kisha thibitisha kwa msimbo wa SMS tutakaokutumia."),
        T::OfficersReason => s("Sababu ya afisa"),
        T::NewScan => s("Skani mpya"),
        T::NewScanUploaded { kind } => format!("Imepakiwa ({kind})"),
        T::NoNewScanYet => s("Bado hakuna skani mpya: pakia moja kwanza."),
        T::Change => s("Badilisha"),
        T::UploadNewScan => s("Pakia skani mpya"),
        T::SendCode => s("Nitumie msimbo"),
        T::ResubmitButton => s("Wasilisha uhamisho tena"),
        T::NoFeeAgain => s("Ada imeshalipwa: hulipi tena."),
        T::ResubmitLink => s("Tuma skani mpya na uwasilishe tena"),
        T::ReviewLink => s("Kagua uhamisho huu"),
        T::LogbookPrintedQuestion { serial, office } => {
            format!("Je, logbook mpya {serial} imechapishwa na iko ofisi ya {office} tayari kuchukuliwa?")
        }
        T::LogbookPrintedHint => s("Mnunuzi ataelezwa kwa SMS aichukue huko."),
        T::LogbookCollectedQuestion { serial } => format!("Je, mnunuzi amechukua logbook mpya {serial}?"),
        T::LogbookCollectedHint => s("Ikabidhi tu baada ya kukagua kitambulisho cha mnunuzi."),
        T::YesRecordIt => s("Ndiyo, iandikishe"),
        T::LogbookRecordedNotice => s("Hatua ya logbook mpya imeandikishwa."),
        // Routed here by `render`: any other message is not, and would
        // render empty, which the catalogue's test refuses.
        _ => String::new(),
    }
}

/// The reason as the list on the reject page names it.
fn name(reason: R) -> &'static str {
    match reason {
        R::AnotherVehiclesLogbook => "Skani ni logbook ya gari jingine",
        R::Photocopy => "Ni fotokopi au nakala nyeusi na nyeupe, si skani ya rangi ya logbook halisi",
        R::DefacedLogbook => "Logbook imeharibiwa au imebadilishwa",
        R::UnrelatedFile => "Faili si logbook",
        R::SellerNamedAsBuyer => "Muuzaji ametajwa kuwa mnunuzi",
        R::AnotherReason => "Sababu nyingine (ieleze hapa chini)",
    }
}

/// The reason as a clause, for an SMS.
pub(super) fn why(reason: R) -> &'static str {
    match reason {
        R::AnotherVehiclesLogbook => "ni logbook ya gari jingine",
        R::Photocopy => "ni nakala, si skani ya rangi ya logbook halisi",
        R::DefacedLogbook => "logbook imeharibiwa au imebadilishwa",
        R::UnrelatedFile => "faili si logbook",
        R::SellerNamedAsBuyer => "muuzaji ametajwa kuwa mnunuzi",
        R::AnotherReason => "sababu iko kwenye ukurasa wa uhamisho",
    }
}

fn what_to_do(reason: R, reader: ReviewReader, reg_no: &str) -> String {
    match (reason.about_the_scan(), reader) {
        (true, ReviewReader::Seller) => format!(
            "Skani logbook halisi ya {reg_no} kwa rangi, ipakie, kisha uwasilishe tena kwa msimbo wa SMS kabla muda \
             wa uhamisho haujaisha. Hulipi tena."
        ),
        (true, ReviewReader::Buyer) => {
            "Muuzaji anapaswa kutuma skani mpya ya logbook. Ada yako inabaki imelipwa; huhitaji kufanya lolote."
                .to_string()
        }
        (true, ReviewReader::Other) => {
            "Muuzaji anapaswa kutuma skani mpya ya logbook; hutakiwi kufanya lolote.".to_string()
        }
        (false, ReviewReader::Seller) => {
            format!("{reg_no} linabaki lako. Kama uhamisho bado unahitajika, anzisha mpya ukiwa na maelezo sahihi.")
        }
        (false, _) => "Gari linabaki kwa mmiliki wake; hutakiwi kufanya lolote.".to_string(),
    }
}

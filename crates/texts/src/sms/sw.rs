//! The SMS in Kiswahili: short sentences, as people in Kenya write them.
//! Terms as `KISWAHILI.md` lists them: "msimbo" for a code, "mamlaka" for the
//! agency, "logbook" as people say it.

use domain::org::OrgRole;

use super::{CodeFor, ConsentRole, Sms};
use crate::format::{date, kes};
use crate::{Lang, ReviewText, Text as _};

pub(super) fn render(m: &Sms<'_>) -> String {
    match *m {
        Sms::Code { purpose, code } => {
            let what = code_for(purpose);
            format!("Msimbo wako wa tims wa {what} ni {code}. Utaisha baada ya dakika 5. Usimpe mtu yeyote.")
        }
        Sms::TransferCode { purpose, reference, code } => format!(
            "Msimbo wako wa tims wa {} {reference} ni {code}. Utaisha baada ya dakika 5. Usimpe mtu yeyote.",
            code_for(purpose)
        ),
        Sms::AccountRecovered => "Akaunti yako ya tims imerejeshwa: nenosiri limebadilishwa na umetolewa kwenye \
                                  vifaa vyote. Kama si wewe, irejeshe tena sasa hivi."
            .into(),
        Sms::OrgRequest { person, org } => {
            format!("{person} anaomba kuiwakilisha {org} kwenye tims. Ingia ukubali au ukatae ombi hilo.")
        }
        Sms::OrgRoleSet { org, role } => format!("Sasa unaweza kuiwakilisha {org} kwenye tims kama {}.", role_sw(role)),
        Sms::OrgRequestRefused { org } => format!("Ombi lako la kuiwakilisha {org} kwenye tims limekataliwa."),
        Sms::OrgRemoved { org } => format!("Huwezi tena kuiwakilisha {org} kwenye tims."),
        Sms::ConsentNeeded { reference, reg_no, role } => {
            let role = match role {
                ConsentRole::Financier => "mkopeshaji",
                ConsentRole::JointOwner => "mmiliki mwenza",
            };
            format!(
                "tims: uhamisho {reference} wa {reg_no} unahitaji idhini yako kama {role}. Ingia uridhie au upinge."
            )
        }
        Sms::TransferToYou { reg_no, reference } => {
            format!(
                "tims: gari {reg_no} linahamishiwa kwako (kumbukumbu {reference}). Ingia uone, kisha ukubali au ukatae."
            )
        }
        Sms::ConsentRefused { reference, reg_no } => format!(
            "tims: mmiliki mwenza au mkopeshaji amepinga uhamisho {reference} wa {reg_no}. Gari linabaki kwako."
        ),
        Sms::BuyerAccepted { reference, reg_no, fee_paid } => accepted(reference, reg_no, fee_paid),
        Sms::SellerPaymentReceived { .. } | Sms::RefundDue { .. } | Sms::PaymentKept { .. } | Sms::Refunded { .. } => {
            money(m)
        }
        Sms::PaymentReceived { amount_cents, reference } => format!(
            "tims: malipo ya {} ya uhamisho {reference} yamepokelewa. Sasa mamlaka itakagua uhamisho huo.",
            kes(amount_cents)
        ),
        Sms::BuyerDeclined { reference, reg_no } => {
            format!("tims: mnunuzi amekataa uhamisho {reference} wa {reg_no}. Gari linabaki kwako.")
        }
        Sms::SellerCancelled { reference, reg_no } => {
            format!("tims: muuzaji ameghairi uhamisho {reference} wa {reg_no}.")
        }
        Sms::Expired { reference, reg_no } => format!(
            "tims: muda wa uhamisho {reference} wa {reg_no} umekwisha kwa sababu haukukamilika kwa wakati. Gari \
             linabaki kwa mmiliki wake."
        ),
        Sms::Approved { reference, reg_no, office, ready } => format!(
            "tims: uhamisho {reference} wa {reg_no} umeidhinishwa. Logbook mpya itakuwa tayari kuchukuliwa ofisi ya \
             {office} kufikia {}.",
            date(Lang::Sw, ready)
        ),
        Sms::Rejected { reference, reg_no, reason } => format!(
            "tims: mamlaka imekataa uhamisho {reference} wa {reg_no}: {}. Gari linabaki kwa mmiliki wake.",
            ReviewText::ReasonWhy { reason }.render(Lang::Sw)
        ),
        Sms::ReturnedForScan { reference, reg_no, reason } => format!(
            "tims: uhamisho {reference} wa {reg_no} unahitaji skani mpya ya logbook: {}. Ipakie uwasilishe tena \
             bila ada.",
            ReviewText::ReasonWhy { reason }.render(Lang::Sw)
        ),
        Sms::ReturnedToSeller { reference, reg_no } => format!(
            "tims: uhamisho {reference} wa {reg_no} umerudishwa kwa muuzaji alete skani mpya ya logbook. Ada yako \
             inabaki imelipwa; huhitaji kufanya lolote."
        ),
        Sms::LogbookReady { reference, office } => {
            format!("tims: logbook mpya ya uhamisho {reference} iko tayari kuchukuliwa ofisi ya {office}.")
        }
    }
}

/// A role in an organisation, as a Kiswahili SMS names it.
pub(crate) fn role_sw(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Admin => "msimamizi",
        OrgRole::Transactor => "mwendeshaji wa miamala",
        OrgRole::Viewer => "mtazamaji",
    }
}

/// What a code is for, as its SMS names it.
/// What became of a paid fee (called with those four SMS only).
fn money(m: &Sms<'_>) -> String {
    match *m {
        Sms::SellerPaymentReceived { amount_cents, reference } => format!(
            "tims: malipo ya {} ya uhamisho {reference} yamepokelewa. Sasa mnunuzi na wamiliki wenza wataulizwa.",
            kes(amount_cents)
        ),
        Sms::RefundDue { amount_cents, reference } => format!(
            "tims: uhamisho {reference} umekwisha. Utarudishiwa {} ulizolipa; tutakutumia SMS zikisharudishwa.",
            kes(amount_cents)
        ),
        Sms::PaymentKept { amount_cents, reference, reg_no, days } => format!(
            "tims: uhamisho {reference} umeisha. {} zimehifadhiwa: uhamisho mpya wa {reg_no} kwa mnunuzi huyo \
             ndani ya siku {days} hautalipiwa tena.",
            kes(amount_cents)
        ),
        Sms::Refunded { amount_cents, reference, refund_ref } => format!(
            "tims: {} zilizolipwa kwa uhamisho {reference} zimerudishwa. Nambari ya marejesho {refund_ref}.",
            kes(amount_cents)
        ),
        _ => String::new(),
    }
}

fn code_for(purpose: CodeFor) -> &'static str {
    match purpose {
        CodeFor::VerifyPhone => "kuthibitisha simu yako",
        CodeFor::SignIn => "kuingia",
        CodeFor::Recover => "kurejesha akaunti yako",
        CodeFor::SubmitTransfer => "kuwasilisha uhamisho",
        CodeFor::AnswerTransfer => "kujibu uhamisho",
        CodeFor::AcceptTransfer => "KUKUBALI uhamisho",
        CodeFor::DeclineTransfer => "KUKATAA uhamisho",
        CodeFor::ApproveTransfer => "KURIDHIA uhamisho",
        CodeFor::RefuseTransfer => "KUPINGA uhamisho",
    }
}

/// The seller's SMS when the buyer accepts (see the English).
fn accepted(reference: &str, reg_no: &str, fee_paid: bool) -> String {
    let next = if fee_paid {
        "Sasa unapelekwa kwa mamlaka ukaguliwe."
    } else {
        "Ada ikishalipwa, uhamisho utapelekwa kwa mamlaka."
    };
    format!("tims: mnunuzi amekubali uhamisho {reference} wa {reg_no}. {next}")
}

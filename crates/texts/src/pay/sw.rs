//! The payment pages in Kiswahili.

use super::PayText as P;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::PayTitle { amount } => format!("Lipa {amount} kwa M-Pesa"),
        P::PayWhatFor { reg_no, reference } => {
            format!("Hii ni ada ya kuhamisha {reg_no} (uhamisho {reference}). Ikishalipwa, afisa ataukagua uhamisho.")
        }
        P::PayWhatForSeller { reg_no, reference } => format!(
            "Hii ni ada ya kuhamisha {reg_no} (uhamisho {reference}). Ikishalipwa, mnunuzi na wengine walio \
             kwenye logbook wataulizwa."
        ),
        P::TransferFee => s("Ada ya uhamisho"),
        P::PlatformFee => s("Ada ya huduma ya mtandao"),
        P::PhoneLabel => s("Nambari ya M-Pesa ya kulipia"),
        P::PhoneHint => {
            s("Ombi la malipo litatumwa kwa nambari hii. Unaweza kuandika nambari nyingine yoyote ya simu \
                           ya Kenya, kwa mfano ya shirika lako.")
        }
        P::PayButton { amount } => format!("Lipa {amount}"),
        P::EnterMobileNumber => s("Andika nambari ya simu ya Kenya, kama 0712 345 678"),
        P::NothingToPayNow => s("Hakuna cha kulipa kwa uhamisho huu sasa."),
        P::CheckYourPhoneTitle => s("Angalia simu yako"),
        P::PromptSent { phone, amount } => format!("Tumetuma ombi la kulipa {amount} kwa {phone}."),
        P::EnterPin => s("Simu ikikuomba, andika PIN yako ya M-Pesa ili ulipe."),
        P::PageRefreshes => {
            s("Ukurasa huu utaangalia tena baada ya sekunde chache; huna haja ya kufanya chochote hapa.")
        }
        P::CheckAgain => s("Angalia tena"),
        P::FailedTitle => s("Malipo hayakufanikiwa"),
        P::Failed => s("M-Pesa haikupokea malipo: ombi lilighairiwa, muda uliisha, au salio halikutosha. \
                        Hakuna pesa iliyokatwa."),
        P::NoAnswer => s("Simu haikujibu ombi la malipo kwa wakati."),
        P::FailedCancelled => s("Ombi la malipo lilighairiwa kwenye simu. Hakuna pesa iliyokatwa."),
        P::FailedWrongPin => s("PIN ya M-Pesa iliyowekwa haikuwa sahihi. Hakuna pesa iliyokatwa."),
        P::FailedTooLittle => s("Salio la M-Pesa halikutosha. Hakuna pesa iliyokatwa."),
        P::TryAgain => s("Jaribu tena"),
        P::PaidTitle => s("Imelipwa"),
        P::SeeReceipt => s("Angalia risiti"),
        P::ReceiptTitle => s("Risiti ya malipo"),
        P::ReceiptNumber => s("Nambari ya muamala wa M-Pesa"),
        P::Amount => s("Kiasi"),
        P::PaidFor => s("Malipo ya"),
        P::PaidForTransfer { reference, reg_no, vehicle } => {
            format!("Uhamisho {reference} wa {reg_no}, {vehicle}")
        }
        P::PaidOn => s("Tarehe ya malipo"),
        P::PaidFrom => s("Imelipwa kutoka nambari"),
        P::NotPaidYet => s("Ada ya uhamisho huu bado haijalipwa, kwa hiyo hakuna risiti."),
        P::DevTitle => s("Maombi ya malipo (majaribio)"),
        P::DevLead => {
            s("Maombi ambayo simu ya mlipaji ingepokea kutoka M-Pesa. Jibu ombi linalosubiri kama mlipaji angefanya.")
        }
        P::DevHolding => s("Maombi yanasubiri hadi uyajibu hapa."),
        P::DevNotHolding => s("Maombi yanalipwa mara moja."),
        P::DevHold => s("Shikilia maombi nijibu mwenyewe"),
        P::DevRelease => s("Lipa maombi mara moja"),
        P::DevNoPrompts => s("Bado hakuna maombi."),
        P::DevPhone => s("Simu"),
        P::DevAmount => s("Kiasi"),
        P::DevReference => s("Akaunti"),
        P::DevState => s("Hali"),
        P::DevAnswer => s("Jibu"),
        P::DevPay => s("Lipa"),
        P::DevCancel => s("Ghairi"),
        P::DevNoAnswer => s("Acha muda uishe"),
        P::DevWrongPin => s("PIN si sahihi"),
        P::DevTooLittle => s("Salio halitoshi"),
        P::DevWaiting => s("Linasubiri"),
        P::DevPaid => s("Limelipwa"),
        P::DevFailed { code } => format!("Halikufanikiwa ({code})"),
        P::PrintIt => s("Ili kuweka nakala, chapisha ukurasa huu au uuhifadhi kama PDF."),
        P::BackToTransfer => s("Rudi kwenye uhamisho"),
    }
}

//! The payment pages in English.

use super::PayText as P;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::PayTitle { amount } => format!("Pay {amount} with M-Pesa"),
        P::PayWhatFor { reg_no, reference } => format!(
            "This is the transfer fee for {reg_no} (transfer {reference}). Once it is paid, an officer reviews the transfer."
        ),
        P::PayWhatForSeller { reg_no, reference } => format!(
            "This is the transfer fee for {reg_no} (transfer {reference}). Once it is paid, the buyer and anyone \
             else on the logbook are asked."
        ),
        P::TransferFee => s("Transfer fee"),
        P::PlatformFee => s("Platform fee"),
        P::PhoneLabel => s("M-Pesa number to pay from"),
        P::PhoneHint => {
            s("We send the payment request to this number. You can change it to any Kenyan mobile number, \
                           for example your organisation's.")
        }
        P::PayButton { amount } => format!("Pay {amount}"),
        P::EnterMobileNumber => s("Enter a Kenyan mobile number, like 0712 345 678"),
        P::NothingToPayNow => s("There is nothing to pay on this transfer now."),
        P::CheckYourPhoneTitle => s("Check your phone"),
        P::PromptSent { phone, amount } => format!("We have sent a request to pay {amount} to {phone}."),
        P::EnterPin => s("Enter your M-Pesa PIN on the phone when it asks, to pay."),
        P::PageRefreshes => s("This page checks again every few seconds; you do not need to do anything here."),
        P::CheckAgain => s("Check again"),
        P::FailedTitle => s("The payment did not go through"),
        P::Failed => s("M-Pesa did not take the payment: the request was cancelled, ran out of time, \
                        or there was not enough money. Nothing was taken from you."),
        P::NoAnswer => s("The phone did not answer the payment request in time."),
        P::FailedCancelled => s("The payment request was cancelled on the phone. Nothing was taken from you."),
        P::FailedWrongPin => s("The M-Pesa PIN entered was wrong. Nothing was taken from you."),
        P::FailedTooLittle => s("There was not enough money in the M-Pesa account. Nothing was taken from you."),
        P::TryAgain => s("Try again"),
        P::PaidTitle => s("Paid"),
        P::SeeReceipt => s("See the receipt"),
        P::ReceiptTitle => s("Payment receipt"),
        P::ReceiptNumber => s("M-Pesa reference"),
        P::Amount => s("Amount"),
        P::PaidFor => s("Paid for"),
        P::PaidForTransfer { reference, reg_no, vehicle } => {
            format!("Transfer {reference} of {reg_no}, {vehicle}")
        }
        P::PaidOn => s("Paid on"),
        P::PaidFrom => s("Paid from"),
        P::NotPaidYet => s("The fee for this transfer is not paid yet, so there is no receipt."),
        P::DevTitle => s("Payment prompts (development)"),
        P::DevLead => s("The prompts a payer's phone would get from M-Pesa. Answer a held prompt as its payer would."),
        P::DevHolding => s("Prompts are held until you answer them here."),
        P::DevNotHolding => s("Prompts are paid at once."),
        P::DevHold => s("Hold prompts for me to answer"),
        P::DevRelease => s("Pay prompts at once"),
        P::DevNoPrompts => s("No prompts yet."),
        P::DevPhone => s("Phone"),
        P::DevAmount => s("Amount"),
        P::DevReference => s("Account"),
        P::DevState => s("State"),
        P::DevAnswer => s("Answer"),
        P::DevPay => s("Pay"),
        P::DevCancel => s("Cancel"),
        P::DevNoAnswer => s("Let it time out"),
        P::DevWrongPin => s("Wrong PIN"),
        P::DevTooLittle => s("Not enough money"),
        P::DevWaiting => s("Waiting"),
        P::DevPaid => s("Paid"),
        P::DevFailed { code } => format!("Failed ({code})"),
        P::PrintIt => s("To keep a copy, print this page or save it as a PDF."),
        P::BackToTransfer => s("Back to the transfer"),
    }
}

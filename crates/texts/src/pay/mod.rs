//! The registry's payment pages: paying the transfer fee with M-Pesa, the
//! page that waits for the payer, and the receipt.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. It must
//! not know a page's markup or route: handlers and templates place these
//! texts. Amounts, dates and numbers come formatted by the caller.

mod en;
mod sw;

use crate::catalogue;

catalogue! {
    /// A text of the payment pages, with what it says.
    pub enum PayText<'a> in (en::render, sw::render) {
        // Paying.
        PayTitle { amount: &'a str },
        PayWhatFor { reg_no: &'a str, reference: &'a str },
        /// The seller pays on submitting: the others are asked once it is paid.
        PayWhatForSeller { reg_no: &'a str, reference: &'a str },
        /// The invoice's lines: the transfer fee, and the platform fee.
        TransferFee,
        PlatformFee,
        PhoneLabel,
        PhoneHint,
        PayButton { amount: &'a str },
        EnterMobileNumber,
        NothingToPayNow,
        // Waiting for the payer.
        CheckYourPhoneTitle,
        PromptSent { phone: &'a str, amount: &'a str },
        EnterPin,
        PageRefreshes,
        CheckAgain,
        FailedTitle,
        Failed,
        NoAnswer,
        FailedCancelled,
        FailedWrongPin,
        FailedTooLittle,
        TryAgain,
        PaidTitle,
        SeeReceipt,
        // The receipt.
        ReceiptTitle,
        ReceiptNumber,
        Amount,
        PaidFor,
        PaidForTransfer { reference: &'a str, reg_no: &'a str, vehicle: &'a str },
        PaidOn,
        PaidFrom,
        NotPaidYet,
        PrintIt,
        BackToTransfer,
        // The development payer's page.
        DevTitle,
        DevLead,
        DevHolding,
        DevNotHolding,
        DevHold,
        DevRelease,
        DevNoPrompts,
        DevPhone,
        DevAmount,
        DevReference,
        DevState,
        DevAnswer,
        DevPay,
        DevCancel,
        DevNoAnswer,
        DevWrongPin,
        DevTooLittle,
        DevWaiting,
        DevPaid,
        DevFailed { code: &'a str },
    }
}

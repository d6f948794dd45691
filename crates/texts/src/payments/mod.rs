//! Paying by paybill and the payments staff see: the pay page's paybill
//! line, the development payer's paybill form, and the refusal of the
//! staff's payment lists to anyone else.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. It must
//! not know a page's markup or route. Numbers and amounts come formatted by
//! the caller.

mod en;
mod sw;

use crate::catalogue;

catalogue! {
    /// A text about paying by paybill, or the payments staff see.
    pub enum PaymentsText<'a> in (en::render, sw::render) {
        /// Beside the STK form: the business number and account to type.
        PaybillOr { business: &'a str, account: &'a str },
        /// After [`PaymentsText::PaybillOr`] with the development payer.
        PaybillDevelopment,
        /// The development payer's paybill form.
        DevPaybillTitle,
        DevPaybillAccount,
        DevPaybillAmount,
        DevPaybillPay,
        /// The attempts of a transfer and the day's report are for staff.
        StaffOnly,
        // Why an uploaded M-Pesa statement cannot be read.
        StatementNoHeader,
        StatementNoColumn { column: &'a str },
        StatementBadReceipt { line: usize, value: String },
        StatementBadAmount { line: usize, value: String },
        StatementTooLong { max: usize },
    }
}

//! Paying by paybill, and the payments staff see, in English.

use super::PaymentsText as P;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::PaybillOr { business, account } => {
            format!("Or pay by paybill: business number {business}, account {account}.")
        }
        P::PaybillDevelopment => s("This is a development number: nothing is paid."),
        P::DevPaybillTitle => s("Pay by paybill, as from any phone"),
        P::DevPaybillAccount => s("Account number"),
        P::DevPaybillAmount => s("Amount in shillings"),
        P::DevPaybillPay => s("Pay by paybill"),
        P::StaffOnly => s("Only the agency's staff can see payment attempts and payment reports"),
        P::StatementNoHeader => {
            s("This is not an M-Pesa statement: no row has a \"Receipt No.\" column. Export the statement from the \
             M-Pesa portal as CSV and upload that file")
        }
        P::StatementNoColumn { column } => format!("The statement has no \"{column}\" column"),
        P::StatementBadReceipt { line, ref value } => {
            format!("Line {line} of the statement: \"{value}\" is not an M-Pesa receipt number")
        }
        P::StatementBadAmount { line, ref value } => {
            format!("Line {line} of the statement: \"{value}\" is not an amount in shillings")
        }
        P::StatementTooLong { max } => {
            format!("A statement can have at most {} lines: upload it a day at a time", crate::format::count(max))
        }
    }
}

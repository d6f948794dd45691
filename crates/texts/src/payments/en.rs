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
    }
}

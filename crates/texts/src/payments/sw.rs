//! Paying by paybill, and the payments staff see, in Kiswahili.

use super::PaymentsText as P;

pub(super) fn render(m: &P<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        P::PaybillOr { business, account } => {
            format!("Au lipa kwa Paybill: nambari ya biashara {business}, nambari ya akaunti {account}.")
        }
        P::PaybillDevelopment => s("Hii ni nambari ya majaribio: hakuna pesa inayolipwa."),
        P::DevPaybillTitle => s("Lipa kwa Paybill, kama kutoka simu yoyote"),
        P::DevPaybillAccount => s("Nambari ya akaunti"),
        P::DevPaybillAmount => s("Kiasi kwa shilingi"),
        P::DevPaybillPay => s("Lipa kwa Paybill"),
        P::StatementNoHeader => {
            s("Hii si taarifa ya M-Pesa: hakuna safu yenye \"Receipt No.\". Pakua taarifa kutoka tovuti ya M-Pesa \
             kama CSV na upakie faili hiyo")
        }
        P::StatementNoColumn { column } => format!("Taarifa haina safu ya \"{column}\""),
        P::StatementBadReceipt { line, ref value } => {
            format!("Mstari wa {line} wa taarifa: \"{value}\" si nambari ya risiti ya M-Pesa")
        }
        P::StatementBadAmount { line, ref value } => {
            format!("Mstari wa {line} wa taarifa: \"{value}\" si kiasi cha shilingi")
        }
        P::StatementTooLong { max } => {
            format!("Taarifa inaweza kuwa na mistari {} tu: ipakie siku moja moja", crate::format::count(max))
        }
        P::StaffOnly => s("Wafanyakazi wa mamlaka tu ndio wanaoweza kuona majaribio ya malipo na ripoti za malipo"),
    }
}

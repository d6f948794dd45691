//! An M-Pesa account statement as the organisation portal exports it (CSV):
//! the money that came into the agency's paybill, each line with its
//! receipt number, the amount paid in and the account number the payer
//! typed (or the STK prompt carried). Staff upload a day's statement so
//! that a payment tims never heard of (a callback lost while tims was down,
//! before it had stored the request's name) is still applied, once.
//!
//! The export starts with a few lines about the account; the header row is
//! the first with a "Receipt No." cell. Columns are found by name, in any
//! order and case, with or without their dots: "Receipt No.", "Paid In"
//! (required), "A/C No.", "Transaction Status", "Completion Time", "Other
//! Party Info", "Details", "Reason Type", "Linked Transaction ID". Lines
//! that paid nothing in (withdrawals, charges) or did not complete are
//! skipped; a completed reversal (its reason or details say so) takes the
//! payment it links to out of the lines paid in.

/// At most this many lines in one statement.
pub const MAX_LINES: usize = 100_000;

/// Money that came in, as the statement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// The line's number in the file, from 1, for messages.
    pub line: usize,
    /// The M-Pesa receipt number (`TLA0R69NXM`).
    pub receipt: String,
    pub paid_in_cents: i64,
    /// The account number, as typed (empty when the column is absent).
    pub account: String,
    pub completed: String,
    /// Who paid, as the statement shows them (often masked).
    pub other_party: String,
    pub details: String,
}

/// A statement read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    pub lines: Vec<StatementLine>,
    /// Lines that paid nothing in or did not complete.
    pub skipped: usize,
    /// Receipts of payments the statement shows reversed (a reversal line
    /// naming them as its linked transaction): taken out of `lines`.
    pub reversed: Vec<String>,
}

/// Why a statement cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementError {
    /// No row has a "Receipt No." cell.
    NoHeader,
    /// The header row lacks a required column.
    MissingColumn(&'static str),
    /// A line's receipt number is not one.
    BadReceipt { line: usize, value: String },
    /// A line's amount paid in is not an amount in shillings.
    BadAmount { line: usize, value: String },
    /// More than [`MAX_LINES`] lines.
    TooLong,
}

/// The columns, by their name with everything but letters and digits
/// dropped, in lower case.
#[derive(Debug, Default)]
struct Columns {
    receipt: usize,
    paid_in: usize,
    account: Option<usize>,
    status: Option<usize>,
    completed: Option<usize>,
    other_party: Option<usize>,
    details: Option<usize>,
    reason: Option<usize>,
    linked: Option<usize>,
}

fn squash(cell: &str) -> String {
    cell.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

impl Columns {
    fn find(header: &[String]) -> Result<Self, StatementError> {
        let names: Vec<String> = header.iter().map(|c| squash(c)).collect();
        let at = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        Ok(Self {
            receipt: at(&["receiptno", "receiptnumber", "receipt"]).ok_or(StatementError::NoHeader)?,
            paid_in: at(&["paidin"]).ok_or(StatementError::MissingColumn("Paid In"))?,
            account: at(&["acno", "accountno", "accountnumber", "billrefnumber"]),
            status: at(&["transactionstatus", "status"]),
            completed: at(&["completiontime"]),
            other_party: at(&["otherpartyinfo"]),
            details: at(&["details"]),
            reason: at(&["reasontype"]),
            linked: at(&["linkedtransactionid"]),
        })
    }
}

/// Read a statement.
pub fn parse(text: &str) -> Result<Statement, StatementError> {
    let rows = rows(text.strip_prefix('\u{feff}').unwrap_or(text));
    if rows.len() > MAX_LINES {
        return Err(StatementError::TooLong);
    }
    let Some(h) = rows.iter().position(|(_, r)| r.iter().any(|c| squash(c).starts_with("receiptno"))) else {
        return Err(StatementError::NoHeader);
    };
    let cols = Columns::find(&rows[h].1)?;
    let mut out = Statement::default();
    for (line, row) in &rows[h + 1..] {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).map_or("", |c| c.trim());
        let (receipt, paid_in) = (cell(Some(cols.receipt)), cell(Some(cols.paid_in)));
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let completed = cell(cols.status).is_empty() || cell(cols.status).eq_ignore_ascii_case("completed");
        let reversal =
            [cell(cols.reason), cell(cols.details)].iter().any(|t| t.to_ascii_lowercase().contains("revers"));
        if reversal && completed && is_receipt(cell(cols.linked)) {
            out.reversed.push(cell(cols.linked).to_ascii_uppercase());
            out.skipped += 1;
            continue;
        }
        let cents = cents(paid_in).ok_or_else(|| StatementError::BadAmount { line: *line, value: paid_in.into() })?;
        if cents == 0 || !completed {
            out.skipped += 1;
            continue;
        }
        if !is_receipt(receipt) {
            return Err(StatementError::BadReceipt { line: *line, value: receipt.chars().take(40).collect() });
        }
        out.lines.push(StatementLine {
            line: *line,
            receipt: receipt.to_ascii_uppercase(),
            paid_in_cents: cents,
            account: cell(cols.account).chars().take(40).collect(),
            completed: cell(cols.completed).chars().take(40).collect(),
            other_party: cell(cols.other_party).chars().take(120).collect(),
            details: cell(cols.details).chars().take(200).collect(),
        });
    }
    // A payment reversed is no payment, whichever line comes first.
    let reversed: std::collections::HashSet<&str> = out.reversed.iter().map(String::as_str).collect();
    let lines = std::mem::take(&mut out.lines);
    out.lines = lines.into_iter().filter(|l| !reversed.contains(l.receipt.as_str())).collect();
    Ok(out)
}

/// An M-Pesa receipt number: 8 to 20 letters and digits.
fn is_receipt(s: &str) -> bool {
    (8..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Shillings as the statement writes them (`1,050.00`, `1050`, empty for
/// nothing) in cents; `None` for what is not an amount.
fn cents(s: &str) -> Option<i64> {
    let s: String = s.chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    if s.is_empty() {
        return Some(0);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac)
}

/// Fields a row keeps at most (the export has 13); the rest are dropped.
const MAX_FIELDS: usize = 64;

/// The rows of a CSV text, each with the number of the line it starts on:
/// fields split by commas, quoted fields may hold commas, line breaks and
/// doubled quotes. It stops after [`MAX_LINES`] rows and a few more (the
/// caller refuses that many), and keeps at most [`MAX_FIELDS`] a row, so
/// that no text makes it hold more than a statement's worth.
fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut rows = vec![];
    let (mut row, mut field, mut quoted, mut line, mut start) = (vec![], String::new(), false, 1, 1);
    // Whether the field so far is only blanks (a quote may open it).
    let mut blank = true;
    let end_field = |row: &mut Vec<String>, field: &mut String| {
        let f = std::mem::take(field);
        if row.len() < MAX_FIELDS {
            row.push(f);
        }
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if blank => {
                field.clear();
                quoted = true;
                blank = false;
            }
            ',' if !quoted => {
                end_field(&mut row, &mut field);
                blank = true;
            }
            '\r' if !quoted => {}
            '\n' => {
                line += 1;
                if quoted {
                    field.push('\n');
                } else {
                    end_field(&mut row, &mut field);
                    blank = true;
                    rows.push((start, std::mem::take(&mut row)));
                    start = line;
                    if rows.len() > MAX_LINES + 16 {
                        return rows;
                    }
                }
            }
            c => {
                blank &= c.is_whitespace();
                field.push(c);
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        end_field(&mut row, &mut field);
        rows.push((start, row));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "\u{feff}Organization Name:,NATIONAL TRANSPORT AND SAFETY AUTHORITY\r\n\
        Time Period:,06-12-2026 - 06-12-2026\r\n\
        \r\n\
        Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,\
        Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.\r\n\
        TLA0R69NXM,06-12-2026 13:34:16,06-12-2026 13:34:10,\"Pay Bill from 2547****678 - JANE, WANJIRU\",Completed,\
        \"1,050.00\",,\"25,050.00\",true,Pay Utility,2547****678 - JANE WANJIRU,,TR2RTYKCNRWY\r\n\
        TLA0R69NXN,06-12-2026 13:40:00,06-12-2026 13:40:00,Business Charges,Completed,,12.00,\"25,038.00\",true,\
        Business Charges,,,\r\n\
        TLA0R69NXP,06-12-2026 13:45:00,06-12-2026 13:45:00,Pay Bill,Cancelled,500.00,,,true,,,,TR2RTYKCNRWZ\r\n\
        tla0r69nxq,06-12-2026 14:00:00,06-12-2026 14:00:00,Pay Bill,Completed,500,,,true,,254700000000,,tr 2rtyk cnrwy\r\n";

    #[test]
    fn the_portal_export_is_read_by_column_name_past_its_preamble() {
        let s = parse(EXPORT).unwrap();
        assert_eq!(s.skipped, 2, "the charge paid nothing in; the cancelled line did not complete");
        assert_eq!(s.lines.len(), 2);
        let first = &s.lines[0];
        assert_eq!(
            (first.line, first.receipt.as_str(), first.paid_in_cents, first.account.as_str()),
            (5, "TLA0R69NXM", 105_000, "TR2RTYKCNRWY")
        );
        assert_eq!(first.details, "Pay Bill from 2547****678 - JANE, WANJIRU", "a quoted comma stays in its field");
        assert_eq!(first.completed, "06-12-2026 13:34:16");
        assert_eq!((s.lines[1].receipt.as_str(), s.lines[1].paid_in_cents), ("TLA0R69NXQ", 50_000));
        assert_eq!(s.lines[1].account, "tr 2rtyk cnrwy", "the account as typed; the registry reads it");
    }

    #[test]
    fn a_reversed_payment_is_no_payment() {
        let text = "Receipt No.,Details,Transaction Status,Paid In,Withdrawn,Reason Type,Linked Transaction ID,A/C No.\n\
            TLA0R69NXM,Pay Bill,Completed,500.00,,Pay Utility,,TR2RTYKCNRWY\n\
            TLA0R69NXN,Pay Bill,Completed,700.00,,Pay Utility,,TR2RTYKCNRWZ\n\
            TLB1S70OYP,Reversal,Completed,,500.00,Reversal,TLA0R69NXM,\n";
        let s = parse(text).unwrap();
        assert_eq!(s.reversed, ["TLA0R69NXM"]);
        assert_eq!(s.lines.iter().map(|l| l.receipt.as_str()).collect::<Vec<_>>(), ["TLA0R69NXN"]);
        assert_eq!(s.skipped, 1);
    }

    #[test]
    fn columns_in_another_order_and_without_optional_ones_are_read() {
        let s = parse("paid in,RECEIPT NO\n\"2,000.5\",ABCD1234EF\n").unwrap();
        assert_eq!((s.lines[0].paid_in_cents, s.lines[0].account.as_str()), (200_050, ""));
    }

    #[test]
    fn what_cannot_be_read_is_named_with_its_line() {
        assert_eq!(parse("a,b\n1,2\n"), Err(StatementError::NoHeader));
        assert_eq!(parse("Receipt No.,Withdrawn\nABCD1234EF,1\n"), Err(StatementError::MissingColumn("Paid In")));
        assert_eq!(
            parse("Receipt No.,Paid In\nABCD1234EF,12.345\n"),
            Err(StatementError::BadAmount { line: 2, value: "12.345".into() })
        );
        assert_eq!(
            parse("Receipt No.,Paid In\nABCD1234EF,-5\n"),
            Err(StatementError::BadAmount { line: 2, value: "-5".into() })
        );
        assert_eq!(
            parse("Receipt No.,Paid In\n\"multi\nline\",1\nAB'1,5\n"),
            Err(StatementError::BadReceipt { line: 2, value: "multi\nline".into() })
        );
        let long = format!("Receipt No.,Paid In\n{}", "ABCD1234EF,1\n".repeat(MAX_LINES));
        assert_eq!(parse(&long), Err(StatementError::TooLong));
        assert_eq!(parse(&"\n".repeat(5_000_000)), Err(StatementError::TooLong), "it stops reading early");
        // Blanks then many quotes: read in one pass, not once per quote.
        let quotes = format!("Receipt No.,Paid In\nABCD1234EF,{}x{}\n", " ".repeat(200_000), "\"".repeat(200_000));
        assert!(matches!(parse(&quotes), Err(StatementError::BadAmount { line: 2, .. })));
        let wide = format!("Receipt No.,Paid In{}\nABCD1234EF,1{}\n", ",x".repeat(10_000), ",y".repeat(10_000));
        assert_eq!(parse(&wide).unwrap().lines.len(), 1, "extra columns are dropped");
    }

    #[test]
    fn amounts_are_read_to_the_cent() {
        for (text, c) in [("1,050.00", 105_000), ("1050", 105_000), ("0.5", 50), ("", 0), (" 12 ", 1_200)] {
            assert_eq!(cents(text), Some(c), "{text}");
        }
        for text in ["1.234", "abc", "1.2.3", "-1", ".5", "1e5"] {
            assert_eq!(cents(text), None, "{text}");
        }
    }
}

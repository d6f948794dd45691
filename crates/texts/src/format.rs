//! How values read inside a text: dates, times and phone numbers as people
//! write them, money, waits.
//!
//! Owns the words for months and weekdays, the shape of amounts in each
//! language, East Africa Time for instants and the Kenyan way of writing a
//! mobile number. It must not know which message a value goes into.

use domain::transfer::{LogbookState, State};
use domain::{Date, Weekday};

use crate::Lang;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_SW: [&str; 12] = [
    "Januari", "Februari", "Machi", "Aprili", "Mei", "Juni", "Julai", "Agosti", "Septemba", "Oktoba", "Novemba",
    "Desemba",
];

/// A date as people write it: "8 December 2026", "8 Desemba 2026".
pub fn date(lang: Lang, d: Date) -> String {
    let months = match lang {
        Lang::En => &MONTHS_EN,
        Lang::Sw => &MONTHS_SW,
    };
    let month = months[usize::from(d.month.clamp(1, 12)) - 1];
    format!("{} {month} {}", d.day, d.year)
}

/// A date with its weekday, for deadlines and ready dates: "Tue 8 Dec
/// 2026", "Jumanne, 8 Desemba 2026" (Kiswahili names are not shortened:
/// "Jum" would not say which day).
pub fn date_with_weekday(lang: Lang, d: Date) -> String {
    let day = weekday(lang, d.weekday());
    match lang {
        Lang::En => {
            let month = &MONTHS_EN[usize::from(d.month.clamp(1, 12)) - 1][..3];
            format!("{} {} {month} {}", &day[..3], d.day, d.year)
        }
        Lang::Sw => format!("{day}, {}", date(lang, d)),
    }
}

/// East Africa Time (UTC+3, no summer time), in milliseconds.
pub const EAT_OFFSET_MS: i64 = 3 * 3_600_000;

/// The time of an instant (milliseconds since the epoch) in East Africa
/// Time, on the 24-hour clock: "14:05".
pub fn time(ms: i64) -> String {
    let minutes = (ms + EAT_OFFSET_MS).rem_euclid(86_400_000) / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The day of an instant in East Africa Time.
pub fn eat_day(ms: i64) -> Date {
    Date::from_utc_ms(ms + EAT_OFFSET_MS)
}

/// An instant as a timeline shows it, in East Africa Time: "Tue 8 Dec
/// 2026, 14:05", "Jumanne, 8 Desemba 2026, 14:05".
pub fn date_time(lang: Lang, ms: i64) -> String {
    format!("{}, {}", date_with_weekday(lang, eat_day(ms)), time(ms))
}

/// A Kenyan mobile number as Kenyans write it, from E.164: "+254712345678"
/// reads "0712 345 678". Anything else is shown as it is.
pub fn phone(e164: &str) -> String {
    match national(e164) {
        Some(n) => format!("{} {} {}", &n[..4], &n[4..7], &n[7..]),
        None => e164.to_string(),
    }
}

/// The same with all but the first two and the last three digits hidden,
/// for pages that must not show it whole: "07•• ••• 678". Anything that is
/// not a Kenyan mobile number shows only its last three characters.
pub fn phone_masked(e164: &str) -> String {
    match national(e164) {
        Some(n) => format!("{}•• ••• {}", &n[..2], &n[7..]),
        None if e164.is_empty() => String::new(),
        None => {
            let tail: String = e164.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
            format!("••• {tail}")
        }
    }
}

/// "+254712345678" as "0712345678": ten ASCII digits, or none.
fn national(e164: &str) -> Option<String> {
    let rest = e164.trim().strip_prefix("+254")?;
    (rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit())).then(|| format!("0{rest}"))
}

/// A weekday's name.
pub fn weekday(lang: Lang, w: Weekday) -> &'static str {
    match lang {
        Lang::En => w.as_str(),
        Lang::Sw => match w {
            Weekday::Monday => "Jumatatu",
            Weekday::Tuesday => "Jumanne",
            Weekday::Wednesday => "Jumatano",
            Weekday::Thursday => "Alhamisi",
            Weekday::Friday => "Ijumaa",
            Weekday::Saturday => "Jumamosi",
            Weekday::Sunday => "Jumapili",
        },
    }
}

/// Where a transfer stands, as a sentence names it: "awaiting payment";
/// in Kiswahili as it follows "katika hali ya": "kusubiri malipo".
pub fn transfer_state(lang: Lang, s: State) -> String {
    match lang {
        Lang::En => s.label().to_lowercase(),
        Lang::Sw => match s {
            State::Draft => "rasimu",
            State::AwaitingSellerPayment => "kusubiri malipo ya muuzaji",
            State::AwaitingConsents => "kusubiri idhini ya wamiliki wenza",
            State::AwaitingBuyer => "kusubiri mnunuzi",
            State::AwaitingPayment => "kusubiri malipo",
            State::InReview => "ukaguzi",
            State::Approved => "kuidhinishwa",
            State::Rejected => "kukataliwa",
            State::Declined => "kukataliwa na mnunuzi",
            State::ConsentRefused => "kupingwa na mmiliki mwenza au mkopeshaji",
            State::Cancelled => "kughairiwa na muuzaji",
            State::Expired => "kuisha muda",
            State::ReturnedForScan => "kurudishwa kwa muuzaji alete skani mpya",
        }
        .to_string(),
    }
}

/// Where a new logbook stands, as a sentence names it: "ready for
/// collection"; in Kiswahili as it follows "hali ya": "kuwa tayari
/// kuchukuliwa".
pub fn logbook_state(lang: Lang, s: LogbookState) -> String {
    match lang {
        Lang::En => s.label().to_lowercase(),
        Lang::Sw => match s {
            LogbookState::Printing => "kuchapishwa",
            LogbookState::ReadyForCollection => "kuwa tayari kuchukuliwa",
            LogbookState::Collected => "kuchukuliwa",
        }
        .to_string(),
    }
}

/// An amount in Kenya shillings from cents: "KES 2,065", "KES 1,250.50"
/// (written the same way in Kiswahili).
pub fn kes(cents: i64) -> String {
    domain::fees::format_kes(cents)
}

/// A count with its thousands grouped as people write them: "100,000".
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A wait as people say it: seconds below `seconds_below_secs`, else whole
/// minutes rounded up ("45 seconds", "5 minutes"; "sekunde 45", "dakika 5").
pub fn wait(lang: Lang, secs: u64, seconds_below_secs: u64) -> String {
    let secs = secs.max(1);
    if secs < seconds_below_secs {
        match lang {
            Lang::En => format!("{secs} second{}", plural(secs)),
            Lang::Sw => format!("sekunde {secs}"),
        }
    } else {
        let minutes = secs.div_ceil(60);
        minutes_text(lang, minutes)
    }
}

/// "1 minute", "5 minutes"; "dakika 5".
pub fn minutes_text(lang: Lang, minutes: u64) -> String {
    match lang {
        Lang::En => format!("{minutes} minute{}", plural(minutes)),
        Lang::Sw => format!("dakika {minutes}"),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap_or_else(|| panic!("a date"))
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(date(Lang::En, d(2026, 12, 8)), "8 December 2026");
        assert_eq!(date(Lang::Sw, d(2026, 12, 8)), "8 Desemba 2026");
        assert_eq!(date_with_weekday(Lang::En, d(2026, 12, 8)), "Tue 8 Dec 2026");
        assert_eq!(date_with_weekday(Lang::Sw, d(2026, 12, 8)), "Jumanne, 8 Desemba 2026");
        assert_eq!(date(Lang::Sw, d(2027, 1, 31)), "31 Januari 2027");
        assert_eq!(date_with_weekday(Lang::En, d(2027, 9, 4)), "Sat 4 Sep 2027");
        assert_eq!(date_with_weekday(Lang::Sw, d(2027, 3, 4)), "Alhamisi, 4 Machi 2027");
    }

    #[test]
    fn every_weekday_and_month_has_its_kiswahili_name() {
        // 7 to 13 December 2026 is Monday to Sunday.
        let days: Vec<&str> = (7..=13).map(|day| weekday(Lang::Sw, d(2026, 12, day).weekday())).collect();
        assert_eq!(days, ["Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili"]);
        let short: Vec<String> = (7..=13).map(|day| date_with_weekday(Lang::En, d(2026, 12, day))).collect();
        assert_eq!(short[0], "Mon 7 Dec 2026");
        assert_eq!(short[6], "Sun 13 Dec 2026");
        let months: Vec<String> = (1..=12).map(|m| date(Lang::Sw, d(2026, m, 1))).collect();
        assert_eq!(months[2], "1 Machi 2026");
        assert_eq!(months[7], "1 Agosti 2026");
        assert_eq!(months[11], "1 Desemba 2026");
    }

    #[test]
    fn times_are_shown_in_east_africa_time() {
        // 2026-12-08 11:05 UTC is 14:05 in Nairobi.
        let ms = d(2026, 12, 8).days_since_epoch() * 86_400_000 + (11 * 60 + 5) * 60_000;
        assert_eq!(time(ms), "14:05");
        assert_eq!(date_time(Lang::En, ms), "Tue 8 Dec 2026, 14:05");
        assert_eq!(date_time(Lang::Sw, ms), "Jumanne, 8 Desemba 2026, 14:05");
        // 22:30 UTC is already the next day in Nairobi.
        let late = d(2026, 12, 8).days_since_epoch() * 86_400_000 + (22 * 60 + 30) * 60_000;
        assert_eq!(date_time(Lang::En, late), "Wed 9 Dec 2026, 01:30");
        assert_eq!(time(0), "03:00");
    }

    #[test]
    fn phone_numbers_read_as_kenyans_write_them() {
        assert_eq!(phone("+254712345678"), "0712 345 678");
        assert_eq!(phone("+254110345678"), "0110 345 678");
        assert_eq!(phone_masked("+254712345678"), "07•• ••• 678");
        assert_eq!(phone_masked("+254110345678"), "01•• ••• 678");
        assert_eq!(phone("+255712345678"), "+255712345678", "another country's number is left as it is");
        assert_eq!(phone("+25471234567"), "+25471234567");
        assert_eq!(phone_masked("+4420794600"), "••• 600");
        assert_eq!(phone_masked(""), "");
    }

    #[test]
    fn money_and_waits_read_as_people_say_them() {
        assert_eq!((count(7).as_str(), count(1_000).as_str(), count(100_000).as_str()), ("7", "1,000", "100,000"));
        assert_eq!(kes(206_500), "KES 2,065");
        assert_eq!(kes(125_050), "KES 1,250.50");
        assert_eq!(wait(Lang::En, 1, 60), "1 second");
        assert_eq!(wait(Lang::En, 45, 60), "45 seconds");
        assert_eq!(wait(Lang::En, 61, 60), "2 minutes");
        assert_eq!(wait(Lang::Sw, 61, 60), "dakika 2");
        assert_eq!(wait(Lang::Sw, 30, 60), "sekunde 30");
        assert_eq!(minutes_text(Lang::En, 1), "1 minute");
    }

    #[test]
    fn states_read_inside_a_sentence() {
        assert_eq!(transfer_state(Lang::En, State::AwaitingPayment), "awaiting payment");
        assert_eq!(transfer_state(Lang::Sw, State::AwaitingPayment), "kusubiri malipo");
        assert_eq!(logbook_state(Lang::En, LogbookState::ReadyForCollection), "ready for collection");
        assert_eq!(logbook_state(Lang::Sw, LogbookState::Printing), "kuchapishwa");
    }
}

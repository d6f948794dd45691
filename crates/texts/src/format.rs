//! How values read inside a text: dates as people write them, money, waits.
//!
//! Owns the words for months and weekdays and the shape of amounts in each
//! language. It must not know which message a value goes into.

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

/// A date with its weekday, for deadlines: "Tuesday 8 December 2026",
/// "Jumanne, 8 Desemba 2026".
pub fn date_with_weekday(lang: Lang, d: Date) -> String {
    let day = weekday(lang, d.weekday());
    match lang {
        Lang::En => format!("{day} {}", date(lang, d)),
        Lang::Sw => format!("{day}, {}", date(lang, d)),
    }
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
        assert_eq!(date_with_weekday(Lang::En, d(2026, 12, 8)), "Tuesday 8 December 2026");
        assert_eq!(date_with_weekday(Lang::Sw, d(2026, 12, 8)), "Jumanne, 8 Desemba 2026");
        assert_eq!(date(Lang::Sw, d(2027, 1, 31)), "31 Januari 2027");
    }

    #[test]
    fn money_and_waits_read_as_people_say_them() {
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

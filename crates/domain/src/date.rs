//! Calendar dates without time zones, as forms write them (`YYYY-MM-DD`).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::FieldError;

/// A calendar day: the unit of birth dates, fee schedules' effective dates,
/// holidays and logbook ready dates. In JSON and TOML it is the string
/// `YYYY-MM-DD`, checked when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// A day of the week, Monday first as Kenyan calendars print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Self::Monday, Self::Tuesday, Self::Wednesday, Self::Thursday, Self::Friday, Self::Saturday, Self::Sunday];

    /// Saturday or Sunday.
    pub fn is_weekend(self) -> bool {
        matches!(self, Self::Saturday | Self::Sunday)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monday => "Monday",
            Self::Tuesday => "Tuesday",
            Self::Wednesday => "Wednesday",
            Self::Thursday => "Thursday",
            Self::Friday => "Friday",
            Self::Saturday => "Saturday",
            Self::Sunday => "Sunday",
        }
    }
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Self {
            year,
            month,
            day,
        })
    }

    /// `YYYY-MM-DD`, a real calendar day between 1900 and 2999.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("Enter a date as year-month-day, for example 1990-05-17");
        let v = raw.trim();
        let mut parts = v.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return Err(bad());
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(bad());
        }
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
            return Err(bad());
        };
        if !(1900..=2999).contains(&y) {
            return Err(bad());
        }
        Self::new(y, m, d).ok_or_else(|| FieldError::new("That day does not exist: check the day and month"))
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days
    /// algorithm.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The day of the week. 1970-01-01 was a Thursday.
    pub fn weekday(self) -> Weekday {
        Weekday::ALL[(self.days_since_epoch() + 3).rem_euclid(7) as usize]
    }

    /// The date `days` days later (earlier when negative).
    pub fn add_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// The UTC calendar day of an instant in milliseconds since the epoch.
    pub fn from_utc_ms(ms: i64) -> Self {
        Self::from_days_since_epoch(ms.div_euclid(86_400_000))
    }
}

impl TryFrom<String> for Date {
    type Error = FieldError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> Self {
        d.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_parse_and_print_as_iso() {
        assert_eq!(Date::parse(" 1990-05-17 ").unwrap().to_string(), "1990-05-17");
        assert_eq!(Date::parse("2024-2-29").unwrap(), Date { year: 2024, month: 2, day: 29 });
        for bad in
            ["", "1990/05/17", "17-05-1990", "1990-13-01", "2023-02-29", "1899-01-01", "1990-05-17-1", "199O-05-17"]
        {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_counts_match_known_dates() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Date::from_utc_ms(1_767_600_000_000), Date::new(2026, 1, 5).unwrap());
    }

    #[test]
    fn weekdays_match_known_dates() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().weekday(), Weekday::Thursday);
        assert_eq!(Date::new(1969, 12, 31).unwrap().weekday(), Weekday::Wednesday);
        assert_eq!(Date::new(2024, 3, 29).unwrap().weekday(), Weekday::Friday);
        assert_eq!(Date::new(2021, 12, 12).unwrap().weekday(), Weekday::Sunday);
        assert_eq!(Date::new(2000, 2, 29).unwrap().weekday(), Weekday::Tuesday);
        assert!(Weekday::Saturday.is_weekend() && !Weekday::Friday.is_weekend());
    }

    #[test]
    fn adding_days_crosses_months_and_years() {
        let d = Date::new(2024, 2, 28).unwrap();
        assert_eq!(d.add_days(1), Date::new(2024, 2, 29).unwrap());
        assert_eq!(d.add_days(2), Date::new(2024, 3, 1).unwrap());
        assert_eq!(Date::new(2024, 12, 31).unwrap().add_days(1), Date::new(2025, 1, 1).unwrap());
        assert_eq!(Date::new(2025, 1, 1).unwrap().add_days(-1), Date::new(2024, 12, 31).unwrap());
    }

    proptest! {
        #[test]
        fn a_week_later_is_the_same_weekday(days in -25_000i64..400_000, k in -100i64..100) {
            let d = Date::from_days_since_epoch(days);
            prop_assert_eq!(d.add_days(7 * k).weekday(), d.weekday());
            prop_assert_ne!(d.add_days(1).weekday(), d.weekday());
        }

        #[test]
        fn day_counts_round_trip(days in -25_000i64..400_000) {
            let d = Date::from_days_since_epoch(days);
            prop_assert!(Date::new(d.year, d.month, d.day).is_some());
            prop_assert_eq!(d.days_since_epoch(), days);
        }
    }
}

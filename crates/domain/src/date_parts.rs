//! A date typed in three boxes (day, month, year), as people write a date
//! of birth: which box is wrong, and why, so a form can say so and mark
//! only that box. It owns the checks; the words are the catalogue's.

use crate::date::{Date, days_in_month};

/// One box of a date typed in three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    Day,
    Month,
    Year,
}

/// What is wrong with a date typed in three boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePartsRefusal {
    /// Every box is empty.
    Empty,
    /// Some boxes are empty (those set), the others are not.
    Missing { day: bool, month: bool, year: bool },
    /// The day is not a number from 1 to 31.
    Day,
    /// The month is not a number from 1 to 12.
    Month,
    /// The year is not four digits from 1900 to 2999.
    Year,
    /// Every box is a number in range, but the month has fewer days.
    NoSuchDay { days_in_month: u8 },
}

impl DatePartsRefusal {
    /// The boxes to mark; none means the whole date.
    pub fn parts(self) -> Vec<DatePart> {
        match self {
            Self::Empty => vec![],
            Self::Missing { day, month, year } => {
                [(day, DatePart::Day), (month, DatePart::Month), (year, DatePart::Year)]
                    .into_iter()
                    .filter_map(|(missing, part)| missing.then_some(part))
                    .collect()
            }
            Self::Day | Self::NoSuchDay { .. } => vec![DatePart::Day],
            Self::Month => vec![DatePart::Month],
            Self::Year => vec![DatePart::Year],
        }
    }
}

/// The number in a box of at most `max_len` digits (spaces around are
/// allowed, nothing else), or `None`.
fn number(raw: &str, max_len: usize) -> Option<u32> {
    let v = raw.trim();
    (!v.is_empty() && v.len() <= max_len && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

impl Date {
    /// A date from its three boxes: the day (1 to 31, a leading zero
    /// allowed), the month (1 to 12) and the year (four digits, 1900 to
    /// 2999). Empty boxes are named first, then the first box that is wrong.
    pub fn from_parts(day: &str, month: &str, year: &str) -> Result<Self, DatePartsRefusal> {
        let (d_empty, m_empty, y_empty) = (day.trim().is_empty(), month.trim().is_empty(), year.trim().is_empty());
        if d_empty && m_empty && y_empty {
            return Err(DatePartsRefusal::Empty);
        }
        if d_empty || m_empty || y_empty {
            return Err(DatePartsRefusal::Missing { day: d_empty, month: m_empty, year: y_empty });
        }
        let d = number(day, 2).filter(|d| (1..=31).contains(d)).ok_or(DatePartsRefusal::Day)?;
        let m = number(month, 2).filter(|m| (1..=12).contains(m)).ok_or(DatePartsRefusal::Month)?;
        let y = number(year, 4)
            .filter(|y| year.trim().len() == 4 && (1900..=2999).contains(y))
            .ok_or(DatePartsRefusal::Year)?;
        let (d, m, y) = (d as u8, m as u8, y as i32);
        Self::new(y, m, d).ok_or(DatePartsRefusal::NoSuchDay { days_in_month: days_in_month(y, m) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn three_boxes_make_a_date() {
        assert_eq!(Date::from_parts("17", "5", "1990"), Ok(Date { year: 1990, month: 5, day: 17 }));
        assert_eq!(Date::from_parts(" 07 ", "05", "1990 "), Ok(Date { year: 1990, month: 5, day: 7 }));
        assert_eq!(Date::from_parts("29", "2", "2024"), Ok(Date { year: 2024, month: 2, day: 29 }));
    }

    #[test]
    fn the_wrong_box_is_named() {
        use DatePartsRefusal as R;
        assert_eq!(Date::from_parts("", " ", ""), Err(R::Empty));
        assert_eq!(Date::from_parts("", "5", ""), Err(R::Missing { day: true, month: false, year: true }));
        assert_eq!(Date::from_parts("32", "5", "1990"), Err(R::Day));
        assert_eq!(Date::from_parts("0", "5", "1990"), Err(R::Day));
        assert_eq!(Date::from_parts("1a", "5", "1990"), Err(R::Day));
        assert_eq!(Date::from_parts("-1", "5", "1990"), Err(R::Day));
        assert_eq!(Date::from_parts("17", "13", "1990"), Err(R::Month));
        assert_eq!(Date::from_parts("17", "May", "1990"), Err(R::Month));
        assert_eq!(Date::from_parts("17", "5", "90"), Err(R::Year));
        assert_eq!(Date::from_parts("17", "5", "1899"), Err(R::Year));
        assert_eq!(Date::from_parts("17", "5", "19900"), Err(R::Year));
        assert_eq!(Date::from_parts("31", "4", "1990"), Err(R::NoSuchDay { days_in_month: 30 }));
        assert_eq!(Date::from_parts("29", "2", "2023"), Err(R::NoSuchDay { days_in_month: 28 }));
        assert_eq!(R::NoSuchDay { days_in_month: 28 }.parts(), vec![DatePart::Day]);
        assert_eq!(R::Missing { day: false, month: true, year: true }.parts(), vec![DatePart::Month, DatePart::Year]);
        assert!(R::Empty.parts().is_empty());
    }

    proptest! {
        #[test]
        fn every_real_day_round_trips(days in -25_000i64..365_000) {
            let d = Date::from_days_since_epoch(days);
            let back = Date::from_parts(&d.day.to_string(), &d.month.to_string(), &d.year.to_string());
            prop_assert_eq!(back, Ok(d));
        }

        #[test]
        fn no_input_is_a_panic(a in "\\PC{0,6}", b in "\\PC{0,6}", c in "\\PC{0,6}") {
            let _ = Date::from_parts(&a, &b, &c);
        }
    }
}

//! Working days: Monday to Friday, less public holidays. The logbook is ready
//! by approval + 7 working days, so the registry needs to count them the way
//! the agency's offices do.
//!
//! The holidays come from two places:
//!
//! - a [`HolidayProfile`], data for one country: holidays on a fixed date each
//!   year, and holidays a fixed number of days from Easter Sunday. The Kenya
//!   profile computes Good Friday and Easter Monday from Easter (the
//!   Anonymous Gregorian algorithm) by default, because they are gazetted
//!   every year without fail, even though DESIGN.md lists them among the
//!   gazetted dates;
//! - gazetted dates an operator adds to the [`Calendar`] (`tims holidays
//!   add`): Idd-ul-Fitr, whose date follows the moon sighting, and any extra
//!   holiday the government declares.
//!
//! A fixed-date holiday that falls on a Sunday is also observed on the next
//! day that is a weekday and not already a profile holiday (its actual date or
//! another holiday's observed date): usually the Monday, but when Christmas is
//! on a Sunday, Monday is Boxing Day and Christmas is observed on the Tuesday.
//! Gazetted extra dates do not push a moved holiday further: a government that
//! gazettes the Monday in lieu of a Sunday holiday means that same Monday. A
//! holiday on a Saturday is not moved. Holidays computed from Easter never
//! fall on a Sunday and are not moved.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::date::{Date, Weekday};

/// A holiday on the same day every year, e.g. Jamhuri Day on 12 December.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedHoliday {
    pub month: u8,
    pub day: u8,
    pub name: String,
}

/// A holiday a fixed number of days from Easter Sunday, e.g. Good Friday at
/// -2 and Easter Monday at +1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EasterHoliday {
    pub days_from_easter: i32,
    pub name: String,
}

/// One country's regular public holidays, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayProfile {
    pub name: String,
    pub fixed: Vec<FixedHoliday>,
    #[serde(default)]
    pub easter: Vec<EasterHoliday>,
    /// Whether a fixed holiday on a Sunday is also observed on the next free
    /// weekday.
    #[serde(default)]
    pub sunday_moves_to_monday: bool,
}

impl HolidayProfile {
    /// Kenya's public holidays under the Public Holidays Act as amended:
    /// the fixed-date ones, and Good Friday and Easter Monday. 10 October,
    /// once Moi Day and then Utamaduni Day, is Mazingira Day.
    pub fn kenya() -> Self {
        let fixed = |month, day, name: &str| FixedHoliday { month, day, name: name.into() };
        Self {
            name: "Kenya".into(),
            fixed: vec![
                fixed(1, 1, "New Year's Day"),
                fixed(5, 1, "Labour Day"),
                fixed(6, 1, "Madaraka Day"),
                fixed(10, 10, "Mazingira Day"),
                fixed(10, 20, "Mashujaa Day"),
                fixed(12, 12, "Jamhuri Day"),
                fixed(12, 25, "Christmas Day"),
                fixed(12, 26, "Boxing Day"),
            ],
            easter: vec![
                EasterHoliday { days_from_easter: -2, name: "Good Friday".into() },
                EasterHoliday { days_from_easter: 1, name: "Easter Monday".into() },
            ],
            sunday_moves_to_monday: true,
        }
    }

    /// The profile's holidays with actual dates in `years` (both ends
    /// included), with Sunday holidays' observed days added.
    fn holidays(&self, first: i32, last: i32) -> BTreeMap<Date, String> {
        let mut map: BTreeMap<Date, String> = BTreeMap::new();
        let add = |map: &mut BTreeMap<Date, String>, date: Date, name: String| {
            map.entry(date).and_modify(|n| *n = format!("{n} and {name}")).or_insert(name);
        };
        let mut sundays = Vec::new();
        for year in first..=last {
            for h in &self.fixed {
                if let Some(date) = Date::new(year, h.month, h.day) {
                    add(&mut map, date, h.name.clone());
                    if date.weekday() == Weekday::Sunday {
                        sundays.push((date, &h.name));
                    }
                }
            }
            let easter = easter_sunday(year);
            for h in &self.easter {
                add(&mut map, easter.add_days(i64::from(h.days_from_easter)), h.name.clone());
            }
        }
        if self.sunday_moves_to_monday {
            sundays.sort();
            for (sunday, name) in sundays {
                let mut observed = sunday.add_days(1);
                while observed.weekday().is_weekend() || map.contains_key(&observed) {
                    observed = observed.add_days(1);
                }
                map.insert(observed, format!("{name} (observed)"));
            }
        }
        map
    }
}

/// Easter Sunday of a Gregorian year, by the Anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Date {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let (b, c) = (y.div_euclid(100), y.rem_euclid(100));
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // n / 31 is 3 (March) or 4 (April), n % 31 + 1 a day of it.
    Date { year, month: (n / 31) as u8, day: (n % 31 + 1) as u8 }
}

/// A public holiday on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: Date,
    pub name: String,
}

/// The working-day calendar the registry counts with: a profile plus the
/// dates an operator has gazetted, each with its name (e.g. `Idd-ul-Fitr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub profile: HolidayProfile,
    pub extra: BTreeMap<Date, String>,
}

/// The holidays of the most recently asked year, so that a walk through
/// consecutive days computes each year's holidays once.
struct YearCache<'a> {
    calendar: &'a Calendar,
    year: Option<(i32, BTreeMap<Date, String>)>,
}

impl YearCache<'_> {
    fn name(&mut self, date: Date) -> Option<String> {
        if self.year.as_ref().is_none_or(|(y, _)| *y != date.year) {
            self.year = Some((date.year, self.calendar.profile_holidays(date.year)));
        }
        let profile = self.year.as_ref().and_then(|(_, m)| m.get(&date));
        profile.or_else(|| self.calendar.extra.get(&date)).cloned()
    }

    fn is_working_day(&mut self, date: Date) -> bool {
        !date.weekday().is_weekend() && self.name(date).is_none()
    }
}

impl Calendar {
    pub fn new(profile: HolidayProfile) -> Self {
        Self { profile, extra: BTreeMap::new() }
    }

    /// Kenya's profile with no gazetted dates yet.
    pub fn kenya() -> Self {
        Self::new(HolidayProfile::kenya())
    }

    /// Add a gazetted holiday (replacing the name of one already on that
    /// day).
    pub fn add_extra(&mut self, date: Date, name: impl Into<String>) {
        self.extra.insert(date, name.into());
    }

    /// The profile's holidays observed in one year (including those moved
    /// into it from the year before).
    fn profile_holidays(&self, year: i32) -> BTreeMap<Date, String> {
        let mut map = self.profile.holidays(year - 1, year);
        map.retain(|d, _| d.year == year);
        map
    }

    fn cache(&self) -> YearCache<'_> {
        YearCache { calendar: self, year: None }
    }

    /// Every public holiday in a year, in date order: the profile's, with a
    /// Sunday holiday listed on its day and again on its observed day, and
    /// the gazetted extra dates. A gazetted date that is also a profile
    /// holiday is listed once, by the profile's name.
    pub fn holidays_in_year(&self, year: i32) -> Vec<Holiday> {
        let mut map = self.profile_holidays(year);
        for (date, name) in self.extra.range(Date { year, month: 1, day: 1 }..=Date { year, month: 12, day: 31 }) {
            map.entry(*date).or_insert_with(|| name.clone());
        }
        map.into_iter().map(|(date, name)| Holiday { date, name }).collect()
    }

    /// The name of the public holiday on a day, if it is one (whatever the
    /// day of the week).
    pub fn holiday_name(&self, date: Date) -> Option<String> {
        self.cache().name(date)
    }

    /// Monday to Friday and not a public holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        self.cache().is_working_day(date)
    }

    /// The day that is `n` working days after `start`, not counting `start`
    /// itself: approval on a Friday + 1 is the next Monday if that is a
    /// working day. `n = 0` gives `start`.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut cache = self.cache();
        let (mut day, mut left) = (start, n);
        while left > 0 {
            day = day.add_days(1);
            if cache.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// How many working days fall after `start` up to and including `end`
    /// (0 when `end` is not after `start`): the inverse of
    /// [`add_working_days`](Self::add_working_days).
    pub fn working_days_between(&self, start: Date, end: Date) -> u32 {
        let mut cache = self.cache();
        let (mut day, mut count) = (start, 0);
        while day < end {
            day = day.add_days(1);
            if cache.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn easter_sunday_matches_published_dates() {
        for (y, m, day) in [
            (1961, 4, 2),
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), d(y, m, day), "{y}");
        }
    }

    #[test]
    fn easter_2024_closes_good_friday_and_easter_monday() {
        let cal = Calendar::kenya();
        assert_eq!(cal.holiday_name(d(2024, 3, 29)).as_deref(), Some("Good Friday"));
        assert_eq!(cal.holiday_name(d(2024, 4, 1)).as_deref(), Some("Easter Monday"));
        assert!(!cal.is_working_day(d(2024, 3, 29)) && !cal.is_working_day(d(2024, 4, 1)));
        assert!(cal.is_working_day(d(2024, 3, 28)) && cal.is_working_day(d(2024, 4, 2)));
        assert_eq!(cal.add_working_days(d(2024, 3, 28), 1), d(2024, 4, 2));
        // Approved Tuesday 26 March: Wed 27, Thu 28, Tue 2, Wed 3, Thu 4, Fri 5, Mon 8.
        assert_eq!(cal.add_working_days(d(2024, 3, 26), 7), d(2024, 4, 8));
    }

    #[test]
    fn easter_2025() {
        let cal = Calendar::kenya();
        assert_eq!(cal.holiday_name(d(2025, 4, 18)).as_deref(), Some("Good Friday"));
        assert_eq!(cal.holiday_name(d(2025, 4, 21)).as_deref(), Some("Easter Monday"));
        assert_eq!(cal.add_working_days(d(2025, 4, 17), 1), d(2025, 4, 22));
    }

    #[test]
    fn a_sunday_holiday_is_observed_on_the_monday() {
        let cal = Calendar::kenya();
        assert_eq!(d(2021, 12, 12).weekday(), Weekday::Sunday);
        assert_eq!(cal.holiday_name(d(2021, 12, 12)).as_deref(), Some("Jamhuri Day"));
        assert_eq!(cal.holiday_name(d(2021, 12, 13)).as_deref(), Some("Jamhuri Day (observed)"));
        assert!(!cal.is_working_day(d(2021, 12, 13)));
        assert!(cal.is_working_day(d(2021, 12, 14)));
        assert_eq!(d(2025, 6, 1).weekday(), Weekday::Sunday);
        assert_eq!(cal.holiday_name(d(2025, 6, 2)).as_deref(), Some("Madaraka Day (observed)"));
        assert_eq!(cal.add_working_days(d(2025, 5, 30), 1), d(2025, 6, 3));
        assert_eq!(cal.holiday_name(d(2023, 1, 2)).as_deref(), Some("New Year's Day (observed)"));
    }

    #[test]
    fn christmas_on_a_sunday_is_observed_after_boxing_day() {
        let cal = Calendar::kenya();
        assert_eq!(d(2022, 12, 25).weekday(), Weekday::Sunday);
        assert_eq!(cal.holiday_name(d(2022, 12, 26)).as_deref(), Some("Boxing Day"));
        assert_eq!(cal.holiday_name(d(2022, 12, 27)).as_deref(), Some("Christmas Day (observed)"));
        assert_eq!(cal.add_working_days(d(2022, 12, 23), 1), d(2022, 12, 28));
    }

    #[test]
    fn a_saturday_holiday_is_not_moved_but_boxing_day_on_sunday_is() {
        let cal = Calendar::kenya();
        // 2021: Christmas on Saturday, Boxing Day on Sunday.
        assert_eq!(cal.holiday_name(d(2021, 12, 27)).as_deref(), Some("Boxing Day (observed)"));
        assert!(cal.is_working_day(d(2021, 12, 28)));
        assert_eq!(cal.add_working_days(d(2021, 12, 24), 1), d(2021, 12, 28));
    }

    #[test]
    fn gazetted_dates_are_holidays_too() {
        let mut cal = Calendar::kenya();
        // Approved Friday 5 April 2024 + 7 working days.
        assert_eq!(cal.add_working_days(d(2024, 4, 5), 7), d(2024, 4, 16));
        cal.add_extra(d(2024, 4, 10), "Idd-ul-Fitr");
        assert_eq!(cal.holiday_name(d(2024, 4, 10)).as_deref(), Some("Idd-ul-Fitr"));
        assert_eq!(cal.add_working_days(d(2024, 4, 5), 7), d(2024, 4, 17));
        assert_eq!(cal.working_days_between(d(2024, 4, 5), d(2024, 4, 17)), 7);
        // A gazetted Monday in lieu of a Sunday holiday is the same day, not one more.
        cal.add_extra(d(2021, 12, 13), "Jamhuri Day holiday");
        assert!(cal.is_working_day(d(2021, 12, 14)));
    }

    #[test]
    fn an_ordinary_week() {
        let cal = Calendar::kenya();
        assert_eq!(cal.add_working_days(d(2024, 6, 7), 7), d(2024, 6, 18));
        assert_eq!(cal.add_working_days(d(2024, 6, 8), 1), d(2024, 6, 10), "from a Saturday");
        assert_eq!(cal.add_working_days(d(2024, 6, 8), 0), d(2024, 6, 8));
        assert_eq!(cal.working_days_between(d(2024, 6, 18), d(2024, 6, 7)), 0);
    }

    #[test]
    fn the_kenyan_year_2022() {
        let names: Vec<(String, String)> =
            Calendar::kenya().holidays_in_year(2022).into_iter().map(|h| (h.date.to_string(), h.name)).collect();
        let want = [
            ("2022-01-01", "New Year's Day"),
            ("2022-04-15", "Good Friday"),
            ("2022-04-18", "Easter Monday"),
            ("2022-05-01", "Labour Day"),
            ("2022-05-02", "Labour Day (observed)"),
            ("2022-06-01", "Madaraka Day"),
            ("2022-10-10", "Mazingira Day"),
            ("2022-10-20", "Mashujaa Day"),
            ("2022-12-12", "Jamhuri Day"),
            ("2022-12-25", "Christmas Day"),
            ("2022-12-26", "Boxing Day"),
            ("2022-12-27", "Christmas Day (observed)"),
        ];
        assert_eq!(names, want.map(|(a, b)| (a.to_string(), b.to_string())));
    }

    #[test]
    fn a_holiday_moved_across_the_new_year_is_listed_in_the_new_year() {
        let mut profile = HolidayProfile::kenya();
        profile.fixed.push(FixedHoliday { month: 12, day: 31, name: "Old Year's Day".into() });
        let cal = Calendar::new(profile);
        // 31 December 2023 was a Sunday; 1 January 2024 is New Year's Day.
        assert_eq!(cal.holiday_name(d(2024, 1, 2)).as_deref(), Some("Old Year's Day (observed)"));
        assert!(!cal.holidays_in_year(2023).iter().any(|h| h.name.contains("observed") && h.date.year != 2023));
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1583i32..4000) {
            let e = easter_sunday(year);
            prop_assert_eq!(e.weekday(), Weekday::Sunday);
            prop_assert!(e >= d(year, 3, 22) && e <= d(year, 4, 25));
        }

        #[test]
        fn adding_working_days_lands_on_a_working_day_n_days_on(
            start in 7_000i64..47_000, n in 1u32..300, gazetted in proptest::collection::vec(0i64..400, 0..5)
        ) {
            let start = Date::from_days_since_epoch(start);
            let mut cal = Calendar::kenya();
            for g in gazetted {
                cal.add_extra(start.add_days(g), "Gazetted");
            }
            let end = cal.add_working_days(start, n);
            prop_assert!(end > start);
            prop_assert!(cal.is_working_day(end));
            prop_assert_eq!(cal.working_days_between(start, end), n);
            prop_assert_eq!(cal.working_days_between(start, end.add_days(-1)), n - 1);
        }
    }
}

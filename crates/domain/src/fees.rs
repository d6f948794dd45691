//! The transfer fee schedule, held as data.
//!
//! A gazetted change of fees must need no release, so the schedule is a value
//! with a version and an effective date, loadable from JSON or TOML by other
//! crates, and checked by [`FeeSchedule::validate`] before it is used. Each
//! rule says which vehicle classes it prices, by which measure (engine
//! capacity, trailer wheels, or a flat fee) and for how much.
//!
//! A vehicle that no rule prices is refused with [`FeeError::NotCovered`];
//! a fee is never guessed. In particular the seed prices trailers with "less
//! than four wheels" and "more than four wheels", so a trailer with exactly
//! four wheels has no fee until the agency sets one.
//!
//! Who pays and when, the platform fee and the rule on endings are policy
//! held with the schedule ([`who_pays`]).
//!
//! Money is `i64` cents of Kenya shillings (KES 1,660 is `166_000`).

pub mod who_pays;

pub use who_pays::{EndRule, Ending, Invoice, OnEnd, Payer, PaymentPolicy, PlatformTier, PolicyError};

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::date::Date;

string_enum!(
    /// The classes of vehicle the fee schedule distinguishes, as DESIGN.md
    /// lists them.
    VehicleClass, "one of" {
        MotorVehicle = "motor_vehicle": "Motor vehicle",
        Motorcycle = "motorcycle": "Motorcycle",
        Trailer = "trailer": "Trailer",
        Tractor = "tractor": "Tractor",
    }
);

/// What a rule measures to decide whether it applies. Ranges are inclusive;
/// `max: None` means "and above". Serialised with a `by` tag, e.g.
/// `{"by": "engine_cc", "min": 1, "max": 1000}` or `{"by": "flat"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Measure {
    /// Engine capacity in cubic centimetres.
    EngineCc {
        min: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u32>,
    },
    /// Number of wheels on a trailer.
    TrailerWheels {
        min: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u8>,
    },
    /// One fee for every vehicle of the rule's classes.
    Flat,
}

impl Measure {
    /// The inclusive range as `u32`s, `None` for a flat fee.
    fn range(self) -> Option<(u32, u32)> {
        match self {
            Self::EngineCc { min, max } => Some((min, max.unwrap_or(u32::MAX))),
            Self::TrailerWheels { min, max } => Some((u32::from(min), max.map_or(u32::MAX, u32::from))),
            Self::Flat => None,
        }
    }

    /// How the range reads in a message, e.g. `1 to 3 wheels`.
    fn describe(self) -> String {
        let (unit, min, max) = match self {
            Self::EngineCc { min, max } => ("cc", min, max),
            Self::TrailerWheels { min, max } => (" wheels", u32::from(min), max.map(u32::from)),
            Self::Flat => return "any".into(),
        };
        match max {
            Some(max) if max == min => format!("{min}{unit}"),
            Some(max) => format!("{min} to {max}{unit}"),
            None => format!("{min}{unit} or more"),
        }
    }
}

/// One line of the schedule: a fee for the vehicles of some classes within a
/// range of one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    /// The classes this rule prices. Motorcycles share the engine-capacity
    /// lines with motor vehicles in the Kenya schedule, by being listed here.
    pub classes: Vec<VehicleClass>,
    pub measure: Measure,
    pub amount_cents: i64,
    /// How the line reads in the published table, e.g. `1001 – 1200cc`.
    pub description: String,
}

impl FeeRule {
    /// Whether this rule prices the vehicle described by the query. A
    /// measured rule never matches a query that lacks its measure.
    pub fn matches(&self, q: &FeeQuery) -> bool {
        if !self.classes.contains(&q.class) {
            return false;
        }
        let value = match self.measure {
            Measure::EngineCc { .. } => q.engine_cc,
            Measure::TrailerWheels { .. } => q.trailer_wheels.map(u32::from),
            Measure::Flat => return true,
        };
        match (value, self.measure.range()) {
            (Some(v), Some((min, max))) => (min..=max).contains(&v),
            _ => false,
        }
    }
}

/// A dated, versioned fee schedule. Load it from data, call
/// [`validate`](Self::validate), then [`quote`](Self::quote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// A name for this edition, shown with every quote, e.g. `KE-2018`.
    pub version: String,
    /// The first day on which this schedule applies.
    pub effective_from: Date,
    pub bands: Vec<FeeRule>,
    /// Who pays and when, the platform fee, the rule on endings; absent
    /// from a stored schedule, today's behaviour.
    #[serde(flatten)]
    pub policy: PaymentPolicy,
}

/// What the schedule needs to know about a vehicle to price its transfer.
/// Measures a class's rules do not use are ignored (a trailer's engine
/// capacity, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeQuery {
    pub class: VehicleClass,
    #[serde(default)]
    pub engine_cc: Option<u32>,
    #[serde(default)]
    pub trailer_wheels: Option<u8>,
}

/// The price of one transfer, with the line and edition of the schedule it
/// came from, so that a receipt can say why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub amount_cents: i64,
    pub description: String,
    pub schedule_version: String,
}

/// Why a transfer could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("Enter the engine capacity in cc: the transfer fee for a {} depends on it", .class.label().to_lowercase())]
    MissingEngineCapacity { class: VehicleClass },
    #[error("Enter an engine capacity of at least 1 cc")]
    ZeroEngineCapacity,
    #[error("Enter the number of wheels on the trailer: the transfer fee depends on it")]
    MissingTrailerWheels,
    #[error("Enter a number of trailer wheels of at least 1")]
    ZeroTrailerWheels,
    /// No rule prices this vehicle. The fee is refused, not guessed.
    #[error("{message}")]
    NotCovered { version: String, message: String },
    /// More than one rule prices this vehicle: the schedule was not validated.
    #[error("The fee schedule {version} has more than one fee for this vehicle; the schedule must be corrected")]
    Ambiguous { version: String },
    #[error("No fee schedule is in force on {date}")]
    NoScheduleOn { date: Date },
}

/// Why a schedule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("A fee schedule needs a version name")]
    NoVersion,
    #[error("The fee schedule {version} has no fees")]
    NoBands { version: String },
    #[error("Fee line {line} of schedule {version} needs a description")]
    NoDescription { version: String, line: usize },
    #[error("Fee line {line} ({description}) of schedule {version} names no vehicle class")]
    NoClass { version: String, line: usize, description: String },
    #[error("Fee line {line} ({description}) of schedule {version} must be a positive amount")]
    NotPositive { version: String, line: usize, description: String },
    #[error("Fee line {line} ({description}) of schedule {version} has a range whose maximum is below its minimum")]
    EmptyRange { version: String, line: usize, description: String },
    #[error("Fee lines {first} and {second} of schedule {version} both price a {}", .class.label().to_lowercase())]
    Overlap { version: String, class: VehicleClass, first: usize, second: usize },
    #[error(
        "Schedule {version} prices a {} by more than one measure; use one measure per class",
        .class.label().to_lowercase()
    )]
    MixedMeasures { version: String, class: VehicleClass },
    #[error("Two fee schedules are named {version}")]
    DuplicateVersion { version: String },
    #[error("Two fee schedules take effect on {date}")]
    DuplicateDate { date: Date },
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl FeeSchedule {
    /// The Kenya schedule from the seed, unchanged since 2018 (taken as
    /// effective from 2018-01-01, version `KE-2018`).
    ///
    /// The seed's engine-capacity table applies to "the engine capacity of
    /// the vehicle" and has no motorcycle line, so motorcycles are priced by
    /// their engine capacity on the same lines: each engine-capacity rule
    /// lists both `motor_vehicle` and `motorcycle`. "Not exceeding 1000cc"
    /// starts at 1 cc. Trailers are priced for 1 to 3 and for 5 or more
    /// wheels; four wheels is not covered.
    pub fn kenya_2018() -> Self {
        use VehicleClass::*;
        let cc = |min, max: Option<u32>, kes: i64, description: &str| FeeRule {
            classes: vec![MotorVehicle, Motorcycle],
            measure: Measure::EngineCc { min, max },
            amount_cents: kes * 100,
            description: description.into(),
        };
        let rule = |class, measure, kes: i64, description: &str| FeeRule {
            classes: vec![class],
            measure,
            amount_cents: kes * 100,
            description: description.into(),
        };
        Self {
            version: "KE-2018".into(),
            effective_from: Date { year: 2018, month: 1, day: 1 },
            bands: vec![
                cc(1, Some(1000), 1_660, "Not exceeding 1000cc"),
                cc(1001, Some(1200), 1_890, "1001 – 1200cc"),
                cc(1201, Some(1500), 2_065, "1201 – 1500cc"),
                cc(1501, Some(1700), 2_410, "1501 – 1700cc"),
                cc(1701, Some(2000), 2_695, "1701 – 2000cc"),
                cc(2001, Some(2500), 3_845, "2001 – 2500cc"),
                cc(2501, Some(3000), 5_055, "2501 – 3000cc"),
                cc(3001, None, 5_915, "3001cc and above"),
                rule(
                    Trailer,
                    Measure::TrailerWheels { min: 1, max: Some(3) },
                    1_030,
                    "A trailer with less than four wheels",
                ),
                rule(
                    Trailer,
                    Measure::TrailerWheels { min: 5, max: None },
                    1_890,
                    "A trailer with more than four wheels",
                ),
                rule(Tractor, Measure::Flat, 1_030, "Tractor"),
            ],
            policy: PaymentPolicy::default(),
        }
    }

    /// Check that the schedule can be used: a version, at least one line,
    /// every line with a class, a description, a positive amount and a
    /// non-empty range, each class priced by one measure only, and no two
    /// lines pricing the same vehicle. Gaps are allowed: a vehicle in a gap is
    /// refused when quoted. The payment policy's tiers are checked too.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        let version = || self.version.clone();
        if self.version.trim().is_empty() {
            return Err(ScheduleError::NoVersion);
        }
        self.policy.validate(&self.version)?;
        if self.bands.is_empty() {
            return Err(ScheduleError::NoBands { version: version() });
        }
        for (i, r) in self.bands.iter().enumerate() {
            let (line, description) = (i + 1, r.description.clone());
            if r.description.trim().is_empty() {
                return Err(ScheduleError::NoDescription { version: version(), line });
            }
            if r.classes.is_empty() {
                return Err(ScheduleError::NoClass { version: version(), line, description });
            }
            if r.amount_cents <= 0 {
                return Err(ScheduleError::NotPositive { version: version(), line, description });
            }
            if r.measure.range().is_some_and(|(min, max)| max < min) {
                return Err(ScheduleError::EmptyRange { version: version(), line, description });
            }
        }
        for &class in VehicleClass::ALL {
            let lines: Vec<(usize, &FeeRule)> =
                self.bands.iter().enumerate().filter(|(_, r)| r.classes.contains(&class)).collect();
            for (a, (i, ra)) in lines.iter().enumerate() {
                for (j, rb) in &lines[a + 1..] {
                    if std::mem::discriminant(&ra.measure) != std::mem::discriminant(&rb.measure) {
                        return Err(ScheduleError::MixedMeasures { version: version(), class });
                    }
                    let overlap = match (ra.measure.range(), rb.measure.range()) {
                        (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
                        _ => true,
                    };
                    if overlap {
                        return Err(ScheduleError::Overlap { version: version(), class, first: i + 1, second: j + 1 });
                    }
                }
            }
        }
        Ok(())
    }

    /// The lines that price a class, in schedule order.
    pub fn rules_for(&self, class: VehicleClass) -> impl Iterator<Item = &FeeRule> {
        self.bands.iter().filter(move |r| r.classes.contains(&class))
    }

    /// Price the transfer of one vehicle. Asks for the measure the class's
    /// lines use when it is missing or zero; refuses a vehicle no line prices.
    pub fn quote(&self, q: &FeeQuery) -> Result<Fee, FeeError> {
        let rules: Vec<&FeeRule> = self.rules_for(q.class).collect();
        let label = q.class.label().to_lowercase();
        if rules.is_empty() {
            return Err(FeeError::NotCovered {
                version: self.version.clone(),
                message: format!(
                    "The fee schedule {} has no transfer fee for a {label}; a fee is never guessed, so ask the agency",
                    self.version
                ),
            });
        }
        let uses = |pred: fn(&Measure) -> bool| rules.iter().any(|r| pred(&r.measure));
        if uses(|m| matches!(m, Measure::EngineCc { .. })) {
            match q.engine_cc {
                None => return Err(FeeError::MissingEngineCapacity { class: q.class }),
                Some(0) => return Err(FeeError::ZeroEngineCapacity),
                Some(_) => {}
            }
        }
        if uses(|m| matches!(m, Measure::TrailerWheels { .. })) {
            match q.trailer_wheels {
                None => return Err(FeeError::MissingTrailerWheels),
                Some(0) => return Err(FeeError::ZeroTrailerWheels),
                Some(_) => {}
            }
        }
        let mut hits = rules.iter().filter(|r| r.matches(q));
        match (hits.next(), hits.next()) {
            (Some(r), None) => Ok(Fee {
                amount_cents: r.amount_cents,
                description: r.description.clone(),
                schedule_version: self.version.clone(),
            }),
            (Some(_), Some(_)) => Err(FeeError::Ambiguous { version: self.version.clone() }),
            (None, _) => {
                let vehicle = match (rules[0].measure, q.engine_cc, q.trailer_wheels) {
                    (Measure::EngineCc { .. }, Some(cc), _) => format!("a {label} of {cc}cc"),
                    (Measure::TrailerWheels { .. }, _, Some(w)) => format!("a {label} with {w} wheels"),
                    _ => format!("this {label}"),
                };
                let covered: Vec<String> = rules.iter().map(|r| r.measure.describe()).collect();
                Err(FeeError::NotCovered {
                    version: self.version.clone(),
                    message: format!(
                        "The fee schedule {} has no transfer fee for {vehicle}; it prices {label}s of {}. \
                         A fee is never guessed, so ask the agency",
                        self.version,
                        covered.join(", ")
                    ),
                })
            }
        }
    }
}

/// Every fee schedule the agency has published, so that a transfer is priced
/// by the schedule in force on its date. Built only from valid schedules with
/// distinct versions and effective dates; serialised as a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<FeeSchedule>", into = "Vec<FeeSchedule>")]
pub struct FeeSchedules(Vec<FeeSchedule>);

impl FeeSchedules {
    pub fn new(schedules: Vec<FeeSchedule>) -> Result<Self, ScheduleError> {
        let mut all = Self(Vec::with_capacity(schedules.len()));
        for s in schedules {
            all.add(s)?;
        }
        Ok(all)
    }

    /// Add a newly gazetted schedule after validating it.
    pub fn add(&mut self, schedule: FeeSchedule) -> Result<(), ScheduleError> {
        schedule.validate()?;
        if self.0.iter().any(|s| s.version == schedule.version) {
            return Err(ScheduleError::DuplicateVersion { version: schedule.version });
        }
        if self.0.iter().any(|s| s.effective_from == schedule.effective_from) {
            return Err(ScheduleError::DuplicateDate { date: schedule.effective_from });
        }
        let at = self.0.partition_point(|s| s.effective_from < schedule.effective_from);
        self.0.insert(at, schedule);
        Ok(())
    }

    /// The schedules, oldest first.
    pub fn all(&self) -> &[FeeSchedule] {
        &self.0
    }

    /// The schedule in force on a day: the one that took effect last on or
    /// before it.
    pub fn schedule_on(&self, date: Date) -> Result<&FeeSchedule, FeeError> {
        self.0.iter().rev().find(|s| s.effective_from <= date).ok_or(FeeError::NoScheduleOn { date })
    }

    /// Price a transfer by the schedule in force on a day.
    pub fn quote_on(&self, date: Date, q: &FeeQuery) -> Result<Fee, FeeError> {
        self.schedule_on(date)?.quote(q)
    }
}

impl Default for FeeSchedules {
    /// The Kenya schedule alone.
    fn default() -> Self {
        Self(vec![FeeSchedule::kenya_2018()])
    }
}

impl TryFrom<Vec<FeeSchedule>> for FeeSchedules {
    type Error = ScheduleError;
    fn try_from(v: Vec<FeeSchedule>) -> Result<Self, ScheduleError> {
        Self::new(v)
    }
}

impl From<FeeSchedules> for Vec<FeeSchedule> {
    fn from(s: FeeSchedules) -> Self {
        s.0
    }
}

/// An amount of cents as people read it, e.g. `KES 1,660` or `KES 1,660.50`.
pub fn format_kes(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, part) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if part == 0 { format!("{sign}KES {grouped}") } else { format!("{sign}KES {grouped}.{part:02}") }
}

impl fmt::Display for Fee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, schedule {})", format_kes(self.amount_cents), self.description, self.schedule_version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(class: VehicleClass, engine_cc: Option<u32>, trailer_wheels: Option<u8>) -> FeeQuery {
        FeeQuery { class, engine_cc, trailer_wheels }
    }

    fn cents(class: VehicleClass, cc: u32) -> i64 {
        FeeSchedule::kenya_2018().quote(&q(class, Some(cc), None)).unwrap().amount_cents
    }

    #[test]
    fn the_kenya_schedule_is_valid() {
        FeeSchedule::kenya_2018().validate().unwrap();
    }

    #[test]
    fn every_engine_capacity_band_edge_for_cars_and_motorcycles() {
        let edges = [
            (1, 166_000),
            (1000, 166_000),
            (1001, 189_000),
            (1200, 189_000),
            (1201, 206_500),
            (1500, 206_500),
            (1501, 241_000),
            (1700, 241_000),
            (1701, 269_500),
            (2000, 269_500),
            (2001, 384_500),
            (2500, 384_500),
            (2501, 505_500),
            (3000, 505_500),
            (3001, 591_500),
            (u32::MAX, 591_500),
        ];
        for class in [VehicleClass::MotorVehicle, VehicleClass::Motorcycle] {
            for (cc, want) in edges {
                assert_eq!(cents(class, cc), want, "{class:?} {cc}cc");
            }
        }
    }

    #[test]
    fn a_quote_names_its_line_and_schedule() {
        let fee = FeeSchedule::kenya_2018().quote(&q(VehicleClass::MotorVehicle, Some(1800), None)).unwrap();
        assert_eq!(fee.description, "1701 – 2000cc");
        assert_eq!(fee.schedule_version, "KE-2018");
        assert_eq!(fee.to_string(), "KES 2,695 (1701 – 2000cc, schedule KE-2018)");
    }

    #[test]
    fn zero_or_missing_engine_capacity_is_refused() {
        let s = FeeSchedule::kenya_2018();
        assert_eq!(s.quote(&q(VehicleClass::MotorVehicle, Some(0), None)), Err(FeeError::ZeroEngineCapacity));
        let e = s.quote(&q(VehicleClass::Motorcycle, None, None)).unwrap_err();
        assert_eq!(e, FeeError::MissingEngineCapacity { class: VehicleClass::Motorcycle });
        assert_eq!(e.to_string(), "Enter the engine capacity in cc: the transfer fee for a motorcycle depends on it");
    }

    #[test]
    fn trailers_are_priced_by_wheels_and_four_wheels_is_refused() {
        let s = FeeSchedule::kenya_2018();
        let t = |w| s.quote(&q(VehicleClass::Trailer, Some(0), w));
        assert_eq!(t(Some(1)).unwrap().amount_cents, 103_000);
        assert_eq!(t(Some(3)).unwrap().amount_cents, 103_000);
        assert_eq!(t(Some(5)).unwrap().amount_cents, 189_000);
        assert_eq!(t(Some(18)).unwrap().amount_cents, 189_000);
        let four = t(Some(4)).unwrap_err();
        assert!(matches!(four, FeeError::NotCovered { .. }), "{four:?}");
        assert_eq!(
            four.to_string(),
            "The fee schedule KE-2018 has no transfer fee for a trailer with 4 wheels; it prices trailers of \
             1 to 3 wheels, 5 wheels or more. A fee is never guessed, so ask the agency"
        );
        assert_eq!(t(None), Err(FeeError::MissingTrailerWheels));
        assert_eq!(t(Some(0)), Err(FeeError::ZeroTrailerWheels));
    }

    #[test]
    fn tractors_pay_a_flat_fee_whatever_their_engine() {
        let s = FeeSchedule::kenya_2018();
        for cc in [None, Some(0), Some(4500)] {
            let fee = s.quote(&q(VehicleClass::Tractor, cc, None)).unwrap();
            assert_eq!((fee.amount_cents, fee.description.as_str()), (103_000, "Tractor"));
        }
    }

    #[test]
    fn a_class_without_lines_is_not_covered() {
        let mut s = FeeSchedule::kenya_2018();
        s.bands.retain(|r| !r.classes.contains(&VehicleClass::Tractor));
        let e = s.quote(&q(VehicleClass::Tractor, None, None)).unwrap_err();
        assert!(e.to_string().starts_with("The fee schedule KE-2018 has no transfer fee for a tractor"), "{e}");
    }

    #[test]
    fn validation_refuses_overlaps_gaps_in_sense_and_bad_amounts() {
        let base = FeeSchedule::kenya_2018();
        let with = |f: &dyn Fn(&mut FeeSchedule)| {
            let mut s = base.clone();
            f(&mut s);
            s.validate()
        };
        assert!(matches!(
            with(&|s| s.bands[1].measure = Measure::EngineCc { min: 1000, max: Some(1200) }),
            Err(ScheduleError::Overlap { class: VehicleClass::MotorVehicle, first: 1, second: 2, .. })
        ));
        assert!(matches!(with(&|s| s.bands[0].amount_cents = 0), Err(ScheduleError::NotPositive { line: 1, .. })));
        assert!(matches!(
            with(&|s| s.bands[0].measure = Measure::EngineCc { min: 5, max: Some(4) }),
            Err(ScheduleError::EmptyRange { .. })
        ));
        assert!(matches!(
            with(&|s| s.bands[10].measure = Measure::EngineCc { min: 1, max: None }),
            Ok(()) // a tractor by engine capacity alone is fine
        ));
        assert!(matches!(
            with(&|s| s.bands.push(FeeRule { classes: vec![VehicleClass::Tractor], ..s.bands[0].clone() })),
            Err(ScheduleError::MixedMeasures { class: VehicleClass::Tractor, .. })
        ));
        assert!(matches!(
            with(&|s| s.bands.push(s.bands[10].clone())),
            Err(ScheduleError::Overlap { class: VehicleClass::Tractor, .. })
        ));
        assert!(matches!(with(&|s| s.bands[0].classes.clear()), Err(ScheduleError::NoClass { .. })));
        assert!(matches!(with(&|s| s.bands[0].description = " ".into()), Err(ScheduleError::NoDescription { .. })));
        assert!(matches!(with(&|s| s.version.clear()), Err(ScheduleError::NoVersion)));
        assert!(matches!(with(&|s| s.bands.clear()), Err(ScheduleError::NoBands { .. })));
        // A gap (4-wheel trailers, 0cc) is allowed; the quote refuses it.
        assert_eq!(
            with(&|s| {
                s.bands.remove(3);
            }),
            Ok(())
        );
    }

    #[test]
    fn the_schedule_in_force_is_the_latest_that_has_taken_effect() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        let mut next = FeeSchedule::kenya_2018();
        next.version = "KE-2026".into();
        next.effective_from = d(2026, 7, 1);
        next.bands[0].amount_cents = 200_000;
        let all = FeeSchedules::new(vec![next.clone(), FeeSchedule::kenya_2018()]).unwrap();
        assert_eq!(all.all().iter().map(|s| s.version.as_str()).collect::<Vec<_>>(), ["KE-2018", "KE-2026"]);
        assert_eq!(all.schedule_on(d(2018, 1, 1)).unwrap().version, "KE-2018");
        assert_eq!(all.schedule_on(d(2026, 6, 30)).unwrap().version, "KE-2018");
        assert_eq!(all.schedule_on(d(2026, 7, 1)).unwrap().version, "KE-2026");
        let car = q(VehicleClass::MotorVehicle, Some(900), None);
        assert_eq!(all.quote_on(d(2030, 1, 1), &car).unwrap().amount_cents, 200_000);
        assert_eq!(all.schedule_on(d(2017, 12, 31)), Err(FeeError::NoScheduleOn { date: d(2017, 12, 31) }));
        assert_eq!(
            FeeSchedules::new(vec![FeeSchedule::kenya_2018(), FeeSchedule::kenya_2018()]),
            Err(ScheduleError::DuplicateVersion { version: "KE-2018".into() })
        );
        let mut same_day = next.clone();
        same_day.version = "KE-2026b".into();
        assert_eq!(FeeSchedules::new(vec![next, same_day]), Err(ScheduleError::DuplicateDate { date: d(2026, 7, 1) }));
        assert_eq!(FeeSchedules::default().all(), [FeeSchedule::kenya_2018()]);
    }

    #[test]
    fn a_stored_schedule_without_a_policy_loads_unchanged_and_a_bad_policy_is_refused() {
        let mut old = serde_json::to_value(FeeSchedule::kenya_2018()).unwrap();
        for key in ["payer", "platform_fee", "on_end"] {
            old.as_object_mut().unwrap().remove(key);
        }
        let loaded: FeeSchedule = serde_json::from_value(old).unwrap();
        assert_eq!(loaded, FeeSchedule::kenya_2018());
        let mut s = FeeSchedule::kenya_2018();
        s.policy = PaymentPolicy::agency_online();
        let back: FeeSchedule = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.validate(), Ok(()));
        s.policy.platform_fee.retain(|t| t.min_cents > 0);
        assert!(matches!(s.validate(), Err(ScheduleError::Policy(PolicyError::NoTierFromZero { .. }))));
    }

    #[test]
    fn classes_parse_from_their_names() {
        for c in VehicleClass::ALL {
            assert_eq!(VehicleClass::parse(c.as_str()).unwrap(), *c);
        }
        assert_eq!(
            VehicleClass::parse("bus").unwrap_err().message,
            "Choose one of: motor_vehicle motorcycle trailer tractor"
        );
    }

    #[test]
    fn shillings_print_with_thousands_separators() {
        assert_eq!(format_kes(166_000), "KES 1,660");
        assert_eq!(format_kes(591_550), "KES 5,915.50");
        assert_eq!(format_kes(100_000_000), "KES 1,000,000");
        assert_eq!(format_kes(5), "KES 0.05");
        assert_eq!(format_kes(-103_000), "-KES 1,030");
    }

    proptest! {
        #[test]
        fn every_engine_capacity_has_exactly_one_line_and_fees_never_fall_as_cc_rises(
            a in 1u32..=u32::MAX, b in 1u32..=u32::MAX, motorcycle in any::<bool>()
        ) {
            let class = if motorcycle { VehicleClass::Motorcycle } else { VehicleClass::MotorVehicle };
            let s = FeeSchedule::kenya_2018();
            for cc in [a, b] {
                prop_assert_eq!(s.bands.iter().filter(|r| r.matches(&q(class, Some(cc), None))).count(), 1);
            }
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(cents(class, lo) <= cents(class, hi));
        }

        #[test]
        fn small_engines_are_checked_densely(cc in 1u32..4000) {
            let s = FeeSchedule::kenya_2018();
            let here = s.quote(&q(VehicleClass::MotorVehicle, Some(cc), None)).unwrap().amount_cents;
            let next = s.quote(&q(VehicleClass::MotorVehicle, Some(cc + 1), None)).unwrap().amount_cents;
            prop_assert!(here <= next);
        }

        #[test]
        fn validation_finds_an_overlap_exactly_when_two_ranges_meet(
            a0 in 1u32..50, alen in 0u32..20, b0 in 1u32..50, blen in 0u32..20, open in any::<bool>()
        ) {
            let line = |min, max| FeeRule {
                classes: vec![VehicleClass::MotorVehicle],
                measure: Measure::EngineCc { min, max },
                amount_cents: 100,
                description: "x".into(),
            };
            let bmax = if open { None } else { Some(b0 + blen) };
            let s = FeeSchedule {
                version: "T".into(),
                effective_from: Date::new(2020, 1, 1).unwrap(),
                bands: vec![line(a0, Some(a0 + alen)), line(b0, bmax)],
                policy: PaymentPolicy::default(),
            };
            let meet = a0 <= bmax.unwrap_or(u32::MAX) && b0 <= a0 + alen;
            prop_assert_eq!(s.validate().is_err(), meet);
            if !meet {
                for cc in 1..80 {
                    prop_assert!(s.bands.iter().filter(|r| r.matches(&q(VehicleClass::MotorVehicle, Some(cc), None))).count() <= 1);
                }
            }
        }
    }
}

//! A vehicle's identifiers: its registration number, its chassis number (VIN)
//! and its engine number. Like the identifiers of people in `ids`, each is
//! normalised (trimmed, upper case, single spaces), validated, stored in one
//! canonical form, and on failure described by what is accepted.
//!
//! All three serialise as their canonical string and are validated again when
//! deserialised, so a value read from JSON is as trustworthy as one parsed
//! from a form.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ids::{FieldError, normalise};

/// The impls the three identifiers share: each shows as its canonical form
/// (kept in `$field`), is read back from a string through its `parse`, and
/// turns into that form.
macro_rules! canonical_string {
    ($t:ident, $field:tt) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.$field)
            }
        }

        impl TryFrom<String> for $t {
            type Error = FieldError;
            fn try_from(raw: String) -> Result<Self, FieldError> {
                Self::parse(&raw)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.$field
            }
        }
    };
}

/// The canonical form with the separators people type (spaces, hyphens)
/// removed, or `None` when something other than ASCII letters and digits
/// remains.
fn compact(raw: &str, keep_hyphens: bool) -> Option<String> {
    let c: String = normalise(raw).chars().filter(|ch| *ch != ' ' && (keep_hyphens || *ch != '-')).collect();
    c.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || (keep_hyphens && b == b'-')).then_some(c)
}

fn letters(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_uppercase)
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// `\d{3}[A-Z]`, the tail every Kenyan series but the diplomatic one shares.
fn serial_tail(b: &[u8]) -> bool {
    b.len() == 4 && digits(&b[..3]) && b[3].is_ascii_uppercase()
}

string_enum!(
    /// The series a registration number belongs to, which says who may hold
    /// the plate and how it is written.
    RegistrationSeries, "one of" {
        Private = "private": "Private",
        Motorcycle = "motorcycle": "Motorcycle",
        Government = "government": "Government (GK)",
        Diplomatic = "diplomatic": "Diplomatic (CD)",
    }
);

/// A Kenyan registration number (the number plate), the key by which people
/// look a vehicle up. Accepted series, with spaces and hyphens anywhere
/// ignored and the canonical form shown on the right:
///
/// | series | rule (after removing spaces) | canonical |
/// |---|---|---|
/// | private | `K[A-Z]{2}\d{3}[A-Z]` | `KAA 001A` |
/// | motorcycle | `KM[A-Z]{2}\d{3}[A-Z]` | `KMAA 001A` |
/// | government | `GK[A-Z]?\d{3}[A-Z]` | `GK A 001A`, or `GK 001A` for the older plates without a letter |
/// | diplomatic | `\d{1,3}CD\d{1,3}[A-Z]?` | `123 CD 45K` (mission number, `CD`, vehicle number) |
///
/// Diplomatic numbers are written without leading zeros (`007 CD 01` is
/// stored as `7 CD 1`) and must not be zero. Plates of the `KDA`, `KDB`, …
/// series are ordinary private plates, not diplomatic ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegistrationNumber {
    value: String,
    series: RegistrationSeries,
}

const REGISTRATION_ACCEPTED: &str = "Enter a registration number like KAA 001A (private), KMAA 001A (motorcycle), \
     GK A 001A or GK 001A (government) or 123 CD 45K (diplomatic)";

impl RegistrationNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new(REGISTRATION_ACCEPTED);
        let c = compact(raw, false).ok_or_else(bad)?;
        let b = c.as_bytes();
        let (value, series) = if let Some(rest) = c.strip_prefix("GK") {
            let r = rest.as_bytes();
            if serial_tail(r) {
                (format!("GK {rest}"), RegistrationSeries::Government)
            } else if r.len() == 5 && r[0].is_ascii_uppercase() && serial_tail(&r[1..]) {
                (format!("GK {} {}", &rest[..1], &rest[1..]), RegistrationSeries::Government)
            } else {
                return Err(bad());
            }
        } else if b.len() == 7 && b[0] == b'K' && letters(&b[1..3]) && serial_tail(&b[3..]) {
            (format!("{} {}", &c[..3], &c[3..]), RegistrationSeries::Private)
        } else if b.len() == 8 && b.starts_with(b"KM") && letters(&b[2..4]) && serial_tail(&b[4..]) {
            (format!("{} {}", &c[..4], &c[4..]), RegistrationSeries::Motorcycle)
        } else {
            (Self::diplomatic(&c).ok_or_else(bad)?, RegistrationSeries::Diplomatic)
        };
        Ok(Self { value, series })
    }

    /// `\d{1,3}CD\d{1,3}[A-Z]?` as `N CD M[L]`, numbers without leading zeros.
    fn diplomatic(c: &str) -> Option<String> {
        let (mission, rest) = c.split_once("CD")?;
        let (number, letter) = match rest.as_bytes().last() {
            Some(l) if l.is_ascii_uppercase() => (&rest[..rest.len() - 1], &rest[rest.len() - 1..]),
            _ => (rest, ""),
        };
        let num = |s: &str| -> Option<u16> {
            let n = ((1..=3).contains(&s.len()) && digits(s.as_bytes())).then(|| s.parse::<u16>().ok())??;
            (n > 0).then_some(n)
        };
        Some(format!("{} CD {}{letter}", num(mission)?, num(number)?))
    }

    pub fn series(&self) -> RegistrationSeries {
        self.series
    }

    /// The canonical form, e.g. `KAA 001A`.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

canonical_string!(RegistrationNumber, value);

/// A chassis number: the vehicle's identity stamped on its frame, checked by
/// officers against the logbook. Two forms are accepted, spaces ignored:
///
/// - a modern VIN (ISO 3779): exactly 17 letters and digits, without `I`,
///   `O` or `Q` (its digits are not required: letters-only VINs are rare but
///   legal);
/// - an older chassis number, as many Japanese and older imports carry
///   (e.g. `NZE121-1234567`): 6 to 17 letters, digits and hyphens, starting
///   and ending with a letter or digit, with no two hyphens together and at
///   least one digit.
///
/// A 17-character value containing `I`, `O` or `Q` is therefore accepted as
/// an older chassis number, and [`Vin::is_modern`] says which form a value is.
/// The ISO 3779 check digit is not enforced: only North American VINs must
/// carry one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vin(String);

impl Vin {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "Enter the chassis number as on the logbook: a 17-character VIN of letters and digits without \
                 I, O or Q (for example JTDBR32E720123456), or for older vehicles 6 to 17 letters, digits and \
                 hyphens (for example NZE121-1234567)",
            )
        };
        let c = compact(raw, true).ok_or_else(bad)?;
        let b = c.as_bytes();
        let older = (6..=17).contains(&b.len())
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && !c.contains("--")
            && b.iter().any(u8::is_ascii_digit);
        if Self::modern(&c) || older { Ok(Self(c)) } else { Err(bad()) }
    }

    fn modern(c: &str) -> bool {
        c.len() == 17 && c.bytes().all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'I' | b'O' | b'Q'))
    }

    /// True for a 17-character ISO 3779 VIN; false for an older chassis
    /// number.
    pub fn is_modern(&self) -> bool {
        Self::modern(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

canonical_string!(Vin, 0);

/// An engine number as stamped on the engine block and printed on the
/// logbook: 3 to 20 letters, digits and hyphens (spaces ignored), starting
/// and ending with a letter or digit. Makers' formats vary too much for a
/// stricter rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EngineNumber(String);

impl EngineNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "Enter the engine number as on the logbook: 3 to 20 letters, digits and hyphens, for example \
                 1NZ-1234567",
            )
        };
        let c = compact(raw, true).ok_or_else(bad)?;
        let b = c.as_bytes();
        let ok = (3..=20).contains(&b.len()) && b[0] != b'-' && b[b.len() - 1] != b'-';
        if ok { Ok(Self(c)) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

canonical_string!(EngineNumber, 0);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reg(raw: &str) -> (String, RegistrationSeries) {
        let r = RegistrationNumber::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        (r.as_str().to_string(), r.series())
    }

    #[test]
    fn private_plates_are_canonicalised_with_one_space() {
        use RegistrationSeries::Private;
        for raw in ["KAA 001A", "kaa001a", " kaa  001a ", "KAA-001A", "K AA 00 1A"] {
            assert_eq!(reg(raw), ("KAA 001A".into(), Private), "{raw}");
        }
        assert_eq!(reg("KDA 123B"), ("KDA 123B".into(), Private), "KD… is private, not diplomatic");
        assert_eq!(reg("kdg 999z"), ("KDG 999Z".into(), Private));
    }

    #[test]
    fn motorcycle_plates_have_four_letters() {
        assert_eq!(reg("kmaa001a"), ("KMAA 001A".into(), RegistrationSeries::Motorcycle));
        assert_eq!(reg("KMFB 123C"), ("KMFB 123C".into(), RegistrationSeries::Motorcycle));
        // Three letters starting KM is the private pattern.
        assert_eq!(reg("KMA 001A").1, RegistrationSeries::Private);
    }

    #[test]
    fn government_plates_with_and_without_a_letter() {
        use RegistrationSeries::Government;
        for raw in ["GK A 001A", "gka001a", "GKA 001A", "GK A001A"] {
            assert_eq!(reg(raw), ("GK A 001A".into(), Government), "{raw}");
        }
        assert_eq!(reg("gk 123b"), ("GK 123B".into(), Government));
        assert_eq!(reg("GK123B"), ("GK 123B".into(), Government));
    }

    #[test]
    fn diplomatic_plates_drop_leading_zeros() {
        use RegistrationSeries::Diplomatic;
        assert_eq!(reg("123 CD 45K"), ("123 CD 45K".into(), Diplomatic));
        assert_eq!(reg("123cd45k"), ("123 CD 45K".into(), Diplomatic));
        assert_eq!(reg("22 CD 7"), ("22 CD 7".into(), Diplomatic));
        assert_eq!(reg("007 CD 01"), ("7 CD 1".into(), Diplomatic));
    }

    #[test]
    fn other_numbers_are_refused_naming_every_series() {
        for raw in [
            "",
            "KAA 01A",
            "KAA 0001A",
            "KAA 001",
            "KA 001A",
            "XAA 001A",
            "KAA 001AA",
            "KMAAA 001A",
            "GK AB 001A",
            "GK 01A",
            "0 CD 1",
            "1 CD 0",
            "1234 CD 1",
            "CD 123K",
            "1 CD 1KK",
            "KAA 001Ä",
            "KAA_001A",
        ] {
            let e = RegistrationNumber::parse(raw).unwrap_err();
            assert_eq!(e.message, REGISTRATION_ACCEPTED, "{raw}");
        }
        assert!(REGISTRATION_ACCEPTED.contains("KAA 001A") && REGISTRATION_ACCEPTED.contains("123 CD 45K"));
    }

    #[test]
    fn registration_numbers_serialise_as_their_canonical_string_and_are_checked_when_read() {
        let r = RegistrationNumber::parse("kaa001a").unwrap();
        assert_eq!(String::from(r.clone()), "KAA 001A");
        assert_eq!(RegistrationNumber::try_from("KAA001A".to_string()).unwrap(), r);
        assert!(RegistrationNumber::try_from("nonsense".to_string()).is_err());
    }

    #[test]
    fn modern_vins_and_older_chassis_numbers() {
        let v = Vin::parse(" jtdbr32e720123456 ").unwrap();
        assert_eq!(v.as_str(), "JTDBR32E720123456");
        assert!(v.is_modern());
        let old = Vin::parse("nze121-1234567").unwrap();
        assert_eq!(old.as_str(), "NZE121-1234567");
        assert!(!old.is_modern());
        assert!(!Vin::parse("JTDBR32E72O123456").unwrap().is_modern(), "an O makes it an older chassis number");
        assert_eq!(Vin::parse("AB 12 34").unwrap().as_str(), "AB1234");
        for bad in ["", "AB123", "JTDBR32E7201234567", "-AB1234", "AB1234-", "AB--1234", "ABCDEFG", "AB12*34"] {
            assert!(Vin::parse(bad).is_err(), "{bad}");
        }
        assert!(Vin::parse("x").unwrap_err().message.contains("17-character VIN"));
    }

    #[test]
    fn engine_numbers_are_short_codes() {
        assert_eq!(EngineNumber::parse(" 1nz-1234567 ").unwrap().as_str(), "1NZ-1234567");
        assert_eq!(EngineNumber::parse("abc").unwrap().as_str(), "ABC");
        for bad in ["", "AB", "-AB1", "AB1-", &"A".repeat(21), "AB/12"] {
            assert!(EngineNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn canonical_registration_numbers_round_trip(
            raw in "K[A-Z]{2} [0-9]{3}[A-Z]|KM[A-Z]{2} [0-9]{3}[A-Z]|GK( [A-Z])? [0-9]{3}[A-Z]|[1-9][0-9]{0,2} CD [1-9][0-9]{0,2}[A-Z]?"
        ) {
            let r = RegistrationNumber::parse(&raw).unwrap();
            prop_assert_eq!(r.as_str(), raw.as_str());
            prop_assert_eq!(RegistrationNumber::parse(&r.to_string()).unwrap(), r.clone());
            let squashed: String = raw.to_lowercase().chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(RegistrationNumber::parse(&squashed).unwrap(), r);
        }

        #[test]
        fn modern_vins_round_trip(raw in "[A-HJ-NPR-Z0-9]{17}") {
            let v = Vin::parse(&raw.to_lowercase()).unwrap();
            prop_assert_eq!(v.as_str(), raw.as_str());
            prop_assert!(v.is_modern());
            prop_assert_eq!(Vin::parse(v.as_str()).unwrap(), v);
        }

        #[test]
        fn anything_accepted_round_trips_and_nothing_panics(s in "\\PC{0,40}|[A-Z0-9 -]{0,20}") {
            if let Ok(r) = RegistrationNumber::parse(&s) {
                prop_assert_eq!(RegistrationNumber::parse(r.as_str()).unwrap(), r);
            }
            if let Ok(v) = Vin::parse(&s) {
                prop_assert_eq!(Vin::parse(v.as_str()).unwrap(), v);
            }
            if let Ok(e) = EngineNumber::parse(&s) {
                prop_assert_eq!(EngineNumber::parse(e.as_str()).unwrap(), e);
            }
        }
    }
}

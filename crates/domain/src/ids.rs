//! Identifiers: normalised (trimmed, upper case, single spaces), validated,
//! and on failure described by what is accepted.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A refusal of one field's value, saying what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub message: String,
}

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// Trim, upper-case and fold runs of white space into one space.
pub fn normalise(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

/// The three kinds of person account, each identified by its own document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// A Kenyan citizen, identified by a national ID number.
    Citizen,
    /// A foreign resident, identified by an alien ID number.
    Resident,
    /// A visitor, identified by a passport number.
    Foreigner,
}

impl AccountType {
    pub const ALL: [AccountType; 3] = [Self::Citizen, Self::Resident, Self::Foreigner];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Resident => "resident",
            Self::Foreigner => "foreigner",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "citizen" => Ok(Self::Citizen),
            "resident" => Ok(Self::Resident),
            "foreigner" => Ok(Self::Foreigner),
            _ => Err(FieldError::new("Choose citizen (national ID), resident (alien ID) or foreigner (passport)")),
        }
    }

    /// What the identifying document is called on forms.
    pub fn document(self) -> &'static str {
        match self {
            Self::Citizen => "national ID number",
            Self::Resident => "alien ID number",
            Self::Foreigner => "passport number",
        }
    }
}

/// The number on a person's identifying document, checked against the rules
/// of its kind. Unique across kinds: the kind is part of the identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdNumber {
    kind: AccountType,
    value: String,
}

impl IdNumber {
    /// National and alien ID numbers are 6 to 9 digits (older cards carry
    /// fewer digits); passports are 6 to 9 letters or digits, starting with a
    /// letter, as most issuing states write them.
    pub fn parse(kind: AccountType, raw: &str) -> Result<Self, FieldError> {
        let value: String = normalise(raw).chars().filter(|c| *c != ' ').collect();
        let ok = match kind {
            AccountType::Citizen | AccountType::Resident => {
                (6..=9).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
            }
            AccountType::Foreigner => {
                (6..=9).contains(&value.len())
                    && value.bytes().all(|b| b.is_ascii_alphanumeric())
                    && value.as_bytes()[0].is_ascii_alphabetic()
            }
        };
        if ok {
            Ok(Self { kind, value })
        } else {
            Err(FieldError::new(match kind {
                AccountType::Citizen => "Enter a national ID number of 6 to 9 digits",
                AccountType::Resident => "Enter an alien ID number of 6 to 9 digits",
                AccountType::Foreigner => {
                    "Enter a passport number of 6 to 9 letters and digits, starting with a letter"
                }
            }))
        }
    }

    pub fn kind(&self) -> AccountType {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// A KRA personal identification number: `A` (individual) or `P`
/// (non-individual), nine digits, and a check letter, e.g. `P051234567A`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KraPin(String);

impl KraPin {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let v: String = normalise(raw).chars().filter(|c| *c != ' ').collect();
        let b = v.as_bytes();
        let ok = b.len() == 11
            && (b[0] == b'A' || b[0] == b'P')
            && b[1..10].iter().all(u8::is_ascii_digit)
            && b[10].is_ascii_uppercase();
        if ok {
            Ok(Self(v))
        } else {
            Err(FieldError::new("Enter a KRA PIN: A or P, nine digits, then a letter (for example P051234567A)"))
        }
    }

    /// True for a PIN issued to a company or other body rather than a person.
    pub fn is_non_individual(&self) -> bool {
        self.0.starts_with('P')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KraPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Kenyan mobile number, stored as E.164 (`+2547XXXXXXXX` or
/// `+2541XXXXXXXX`). Accepted as `07…`, `01…`, `7…`, `1…`, `254…`, `+254…`,
/// with spaces or dashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let compact: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let national = compact
            .strip_prefix("+254")
            .or_else(|| compact.strip_prefix("254"))
            .or_else(|| compact.strip_prefix('0'))
            .unwrap_or(&compact);
        let b = national.as_bytes();
        let ok = b.len() == 9 && (b[0] == b'7' || b[0] == b'1') && b.iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(format!("+254{national}")))
        } else {
            Err(FieldError::new("Enter a Kenyan mobile number, like 0712 345 678 or +254 712 345 678"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phone_numbers_in_every_accepted_form_become_e164() {
        for raw in ["0712345678", "0712 345 678", "+254712345678", "254712345678", "712345678", " +254-712-345-678 "] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "+254712345678", "{raw}");
        }
        assert_eq!(Phone::parse("0110123456").unwrap().as_str(), "+254110123456");
    }

    #[test]
    fn phone_numbers_that_are_not_kenyan_mobiles_are_refused() {
        for raw in ["", "0812345678", "07123456", "07123456789", "+255712345678", "07a2345678"] {
            assert!(Phone::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn kra_pins_are_normalised_and_checked() {
        assert_eq!(KraPin::parse(" p051234567a ").unwrap().as_str(), "P051234567A");
        assert!(!KraPin::parse("A123456789Z").unwrap().is_non_individual());
        for raw in ["", "P05123456A", "X051234567A", "P0512345678", "P05123456AA"] {
            assert!(KraPin::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn id_numbers_follow_their_document_rules() {
        assert_eq!(IdNumber::parse(AccountType::Citizen, " 1234 5678").unwrap().as_str(), "12345678");
        assert!(IdNumber::parse(AccountType::Citizen, "12345").is_err());
        assert!(IdNumber::parse(AccountType::Citizen, "1234567890").is_err());
        assert!(IdNumber::parse(AccountType::Resident, "A1234567").is_err());
        assert_eq!(IdNumber::parse(AccountType::Foreigner, "ak123456").unwrap().as_str(), "AK123456");
        assert!(IdNumber::parse(AccountType::Foreigner, "1234567").is_err());
    }

    #[test]
    fn account_types_parse_from_their_names() {
        for t in AccountType::ALL {
            assert_eq!(AccountType::parse(t.as_str()).unwrap(), t);
        }
        assert!(AccountType::parse("company").is_err());
    }

    proptest! {
        #[test]
        fn any_nine_digit_mobile_round_trips(n in "[71][0-9]{8}") {
            let p = Phone::parse(&format!("0{n}")).unwrap();
            prop_assert_eq!(Phone::parse(p.as_str()).unwrap(), p.clone());
            prop_assert_eq!(p.as_str(), format!("+254{n}"));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Phone::parse(&s);
            let _ = KraPin::parse(&s);
            for t in AccountType::ALL { let _ = IdNumber::parse(t, &s); }
        }

        #[test]
        fn valid_kra_pins_round_trip(p in "[AP][0-9]{9}[A-Z]") {
            let pin = KraPin::parse(&p.to_lowercase()).unwrap();
            prop_assert_eq!(pin.as_str(), p.as_str());
        }
    }
}

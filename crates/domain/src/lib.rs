//! Pure rules of tims.
//!
//! `domain` owns what a registry and a sign-on must agree on regardless of
//! storage or transport: how identifiers of people and vehicles are written
//! and checked, the policies for one-time codes, passwords and sign-in
//! lockout, the kinds of organisations and their roles, the transfer fee
//! schedule (as versioned data), Kenyan working days, the kinds, roles and
//! states the register stores (`register`), and the states of a logbook
//! transfer and of the logbook it produces. With the `openapi` feature each
//! of those names also gives its OpenAPI schema. It performs no I/O, has
//! no async code and knows no database or HTTP types; everything else in tims
//! may use it, and it uses nothing of ours.

/// A fieldless enum stored and sent as snake_case strings: `ALL`, `as_str`,
/// `label` (how it reads on a page) and `parse` (refusing an unknown name
/// with the accepted ones).
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $variant:ident = $s:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }

            /// How the value reads on a page.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, $crate::ids::FieldError> {
                match raw.trim().to_ascii_lowercase().as_str() {
                    $($s => Ok(Self::$variant),)+
                    _ => Err($crate::ids::FieldError::new(
                        concat!("Choose ", $what, ": ", $($s, " "),+).trim_end().to_string(),
                    )),
                }
            }
        }

        #[cfg(feature = "openapi")]
        impl $name {
            /// Its OpenAPI schema: a string, one of the names.
            pub fn schema() -> ::utoipa::openapi::schema::Object {
                $crate::openapi::one_of(Self::ALL.iter().map(|v| v.as_str()))
            }

            /// Its OpenAPI schema when it may be missing: one of the names, or null.
            pub fn schema_or_null() -> ::utoipa::openapi::schema::Object {
                $crate::openapi::one_of_or_null(Self::ALL.iter().map(|v| v.as_str()))
            }
        }
    };
}

pub mod date;
pub mod date_parts;
pub mod fees;
pub mod fields;
pub mod guidance;
pub mod ids;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod org;
pub mod policy;
pub mod register;
pub mod statement;
pub mod transfer;
pub mod vehicle_ids;
pub mod workdays;

pub use date::{Date, Weekday};
pub use date_parts::{DatePart, DatePartsRefusal};
pub use fees::{Fee, FeeError, FeeQuery, FeeRule, FeeSchedule, FeeSchedules, Measure, ScheduleError, VehicleClass};
pub use fields::{FieldErrors, FieldPart};
pub use ids::{AccountType, FieldError, IdNumber, KraPin, Phone};
pub use register::{
    AttemptState, BuyerType, ConsentDecision, ConsentRole, DocType, OwnerRole, PartyKind, PaymentState, UploadState,
    VehicleStatus,
};
pub use vehicle_ids::{EngineNumber, RegistrationNumber, RegistrationSeries, Vin};
pub use workdays::Calendar;

//! The kinds, roles and states the register stores, each as the one name it
//! is stored and sent under: a vehicle's status, how a party holds a
//! vehicle, what a party is and the document that identifies it, who buys,
//! the consents a transfer needs, its payment and its scan. Storage and pages compare these, never
//! the strings.

use crate::ids::{AccountType, FieldError};
use crate::org::OrgKind;

string_enum!(
    /// A staff role in the agency (who may review transfers and run the
    /// register's staff work).
    StaffRole, "one of" {
        Officer = "officer": "Officer",
        Supervisor = "supervisor": "Supervisor",
        Admin = "admin": "Admin",
    }
);

string_enum!(
    /// Where a vehicle stands on the register.
    VehicleStatus, "one of" {
        Active = "active": "Active",
    }
);

string_enum!(
    /// How a party is on a vehicle's logbook.
    OwnerRole, "one of" {
        Owner = "owner": "Owner",
        /// A lender holding the logbook while a loan is open.
        Financier = "financier": "Financier",
    }
);

string_enum!(
    /// What a party on the registry's books is.
    PartyKind, "one of" {
        Person = "person": "Person",
        Organisation = "organisation": "Organisation",
    }
);

string_enum!(
    /// Why a transfer needs a party's consent: a joint owner other than the
    /// seller, or the financier.
    ConsentRole, "one of" {
        CoOwner = "co_owner": "Joint owner",
        Financier = "financier": "Financier",
    }
);

impl ConsentRole {
    /// The consent an owner other than the seller gives.
    pub fn of(owner: OwnerRole) -> Self {
        match owner {
            OwnerRole::Owner => Self::CoOwner,
            OwnerRole::Financier => Self::Financier,
        }
    }
}

string_enum!(
    /// A consenter's answer.
    ConsentDecision, "one of" {
        Approved = "approved": "Approved",
        Refused = "refused": "Refused",
    }
);

string_enum!(
    /// Where the transfer fee's payment stands: requested of the gateway
    /// (claimed, so no second request starts), pending with the payer,
    /// failed (another may be started), or settled.
    PaymentState, "one of" {
        Requested = "requested": "Requested",
        Pending = "pending": "Waiting for the payer",
        Failed = "failed": "Failed",
        Settled = "settled": "Paid",
        /// Paid, then the transfer ended: due back to the payer, by staff.
        RefundDue = "refund_due": "Refund due",
        /// Refunded by staff, with the refund's reference.
        Refunded = "refunded": "Refunded",
        /// Paid, then the transfer ended: kept for a new transfer of the
        /// vehicle by the same seller.
        Kept = "kept": "Kept for a resubmission",
    }
);

string_enum!(
    /// Where one request to the payment gateway stands: recorded before the
    /// gateway was asked; pending with the payer; unknown (the gateway may
    /// have prompted the payer, its answer was lost); settled; failed;
    /// abandoned (no answer came however long we asked); or flagged for
    /// staff (paid with another amount than the invoice's, or after the fee
    /// was paid another way).
    AttemptState, "one of" {
        Requested = "requested": "Being asked",
        Pending = "pending": "Waiting for the payer",
        Unknown = "unknown": "Not confirmed",
        Settled = "settled": "Paid",
        Failed = "failed": "Failed",
        Abandoned = "abandoned": "No answer",
        Flagged = "flagged": "For staff to check",
    }
);

string_enum!(
    /// Where a scanned logbook's file stands: about to be written, pointed
    /// at by its transfer, or replaced by a newer scan (to be deleted).
    UploadState, "one of" {
        Pending = "pending": "Being stored",
        Live = "live": "In use",
        Replaced = "replaced": "Replaced",
    }
);

/// The document a party is known by: a person's (by account type), or an
/// organisation's KRA PIN. Stored as `citizen`, `resident`, `foreigner` or
/// `kra_pin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocType {
    Person(AccountType),
    KraPin,
}

impl DocType {
    pub const KRA_PIN: &'static str = "kra_pin";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person(t) => t.as_str(),
            Self::KraPin => Self::KRA_PIN,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim() {
            Self::KRA_PIN => Ok(Self::KraPin),
            other => AccountType::parse(other).map(Self::Person),
        }
    }

    /// Every name, persons' documents first.
    pub fn names() -> impl Iterator<Item = &'static str> {
        AccountType::ALL.iter().map(|t| t.as_str()).chain([Self::KRA_PIN])
    }

    #[cfg(feature = "openapi")]
    pub fn schema() -> utoipa::openapi::schema::Object {
        crate::openapi::one_of(Self::names())
    }
}

/// Who buys in a transfer: an individual, or an organisation of a kind.
/// Stored and sent as `individual` or the organisation's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuyerType {
    Individual,
    Organisation(OrgKind),
}

impl BuyerType {
    pub const INDIVIDUAL: &'static str = "individual";

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Individual => Self::INDIVIDUAL,
            Self::Organisation(k) => k.as_str(),
        }
    }

    /// Case and surrounding space do not matter. The refusal lists the
    /// organisation kinds.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim().to_ascii_lowercase();
        if raw == Self::INDIVIDUAL {
            return Ok(Self::Individual);
        }
        OrgKind::parse(&raw).map(Self::Organisation).map_err(|_| {
            FieldError::new(format!(
                "Choose individual or an organisation kind: {}",
                OrgKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    pub fn is_organisation(self) -> bool {
        matches!(self, Self::Organisation(_))
    }

    /// Every name, `individual` first.
    pub fn names() -> impl Iterator<Item = &'static str> {
        [Self::INDIVIDUAL].into_iter().chain(OrgKind::ALL.iter().map(|k| k.as_str()))
    }

    #[cfg(feature = "openapi")]
    pub fn schema() -> utoipa::openapi::schema::Object {
        crate::openapi::one_of(Self::names())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_itself() {
        for r in OwnerRole::ALL {
            assert_eq!(OwnerRole::parse(r.as_str()).unwrap(), *r);
        }
        for name in DocType::names() {
            assert_eq!(DocType::parse(name).unwrap().as_str(), name);
        }
        for name in BuyerType::names() {
            assert_eq!(BuyerType::parse(name).unwrap().as_str(), name);
        }
        assert_eq!(BuyerType::parse(" Car_Dealer ").unwrap(), BuyerType::Organisation(OrgKind::CarDealer));
    }

    #[test]
    fn the_stored_names_stay_as_they_are() {
        assert_eq!(ConsentRole::of(OwnerRole::Owner).as_str(), "co_owner");
        assert_eq!(ConsentRole::of(OwnerRole::Financier).as_str(), "financier");
        assert_eq!(ConsentDecision::Approved.as_str(), "approved");
        assert_eq!(PartyKind::Organisation.as_str(), "organisation");
        assert_eq!(VehicleStatus::Active.as_str(), "active");
        assert_eq!(DocType::KraPin.as_str(), "kra_pin");
    }

    #[test]
    fn an_unknown_buyer_type_lists_the_kinds() {
        let e = BuyerType::parse("alien").unwrap_err();
        assert!(
            e.message.starts_with("Choose individual or an organisation kind: company, car_dealer"),
            "{}",
            e.message
        );
    }
}

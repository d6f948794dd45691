//! Who pays a transfer's fee and when, the platform's access fee on each
//! payment, and what becomes of a paid fee when the transfer then ends
//! without a change of owner: policy held with the fee schedule, as data.
//!
//! Every field has a default, so a schedule stored before the policy
//! existed loads unchanged and behaves as before: the buyer pays on
//! accepting, there is no platform fee, and a paid fee on an ending is
//! refunded through a staff step (the rule is stated, never silent).
//!
//! The platform fee is charged per payment and is a tier of the amount
//! paid: the tier with the highest `min_cents` not above it. The agency's
//! online service charges KES 50 on KES 1,000 or more; the lower tiers of
//! [`PaymentPolicy::agency_online`] (KES 30 from KES 500, KES 10 below)
//! are an assumption, to be replaced by the agency's own.

use serde::{Deserialize, Serialize};

string_enum!(
    /// Who pays the transfer fee, and at which step.
    #[derive(Default)]
    Payer, "one of" {
        /// The buyer, on accepting (the registry's first behaviour).
        #[default]
        BuyerAtAcceptance = "buyer_at_acceptance": "The buyer, on accepting",
        /// The seller, on submitting, before anyone else is asked (as the
        /// agency's online service does now).
        SellerAtSubmission = "seller_at_submission": "The seller, on submitting",
    }
);

string_enum!(
    /// What becomes of a paid fee when the transfer ends without a change
    /// of owner.
    #[derive(Default)]
    EndRule, "one of" {
        /// The payment is kept, so that a new transfer of the vehicle between
        /// the same seller and buyer, paid by the same party, within
        /// `keep_days` is not charged again.
        KeepForResubmission = "keep_for_resubmission": "Kept for a resubmission",
        /// The payment is due back to the payer; staff refund it and record
        /// the refund's reference.
        #[default]
        RefundByStaff = "refund_by_staff": "Refunded by staff",
    }
);

/// The rule for each way a transfer ends without a change of owner after
/// its fee may have been paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnEnd {
    #[serde(default)]
    pub declined: EndRule,
    #[serde(default)]
    pub cancelled: EndRule,
    #[serde(default)]
    pub expired: EndRule,
    #[serde(default)]
    pub rejected: EndRule,
}

impl OnEnd {
    /// The rule for a transfer that ended so.
    pub fn rule(&self, ending: Ending) -> EndRule {
        match ending {
            Ending::Declined => self.declined,
            Ending::Cancelled => self.cancelled,
            Ending::Expired => self.expired,
            Ending::Rejected => self.rejected,
        }
    }
}

string_enum!(
    /// The ways a transfer ends without a change of owner once its fee may
    /// have been paid (`domain::transfer::State::ending` maps states here).
    Ending, "one of" {
        Declined = "declined": "Declined by the buyer",
        Cancelled = "cancelled": "Cancelled",
        Expired = "expired": "Expired",
        Rejected = "rejected": "Rejected by an officer",
    }
);

/// One tier of the platform fee: `fee_cents` on a payment of `min_cents`
/// or more (up to the next tier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformTier {
    pub min_cents: i64,
    pub fee_cents: i64,
}

/// Who pays, the platform fee and the rule on endings, as a schedule
/// carries them (flattened into its fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPolicy {
    #[serde(default)]
    pub payer: Payer,
    /// No tiers: no platform fee.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platform_fee: Vec<PlatformTier>,
    #[serde(default)]
    pub on_end: OnEnd,
    /// Days after its transfer ended within which a kept payment pays for a
    /// new transfer of the vehicle between the same seller and buyer.
    #[serde(default = "default_keep_days")]
    pub keep_days: u32,
}

fn default_keep_days() -> u32 {
    30
}

impl Default for PaymentPolicy {
    fn default() -> Self {
        Self { payer: Payer::default(), platform_fee: vec![], on_end: OnEnd::default(), keep_days: default_keep_days() }
    }
}

/// Why a payment policy cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("Platform fee tier {tier} of schedule {version} must have a minimum and a fee of at least 0")]
    NegativeTier { version: String, tier: usize },
    #[error("Two platform fee tiers of schedule {version} start at the same amount")]
    DuplicateTier { version: String },
    #[error("The platform fee of schedule {version} needs a tier starting at 0, so that every amount has one")]
    NoTierFromZero { version: String },
}

/// What a payer is asked for: the transfer fee and the platform fee, each
/// on its own line, and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub fee_cents: i64,
    pub platform_fee_cents: i64,
}

impl Invoice {
    pub fn total_cents(self) -> i64 {
        self.fee_cents + self.platform_fee_cents
    }
}

impl PaymentPolicy {
    /// The agency's online service as it is now: the seller pays on
    /// submitting, KES 50 platform fee from KES 1,000 (the lower tiers are
    /// an assumption), and a paid fee is refunded by staff on any ending.
    pub fn agency_online() -> Self {
        Self {
            payer: Payer::SellerAtSubmission,
            platform_fee: vec![
                PlatformTier { min_cents: 100_000, fee_cents: 5_000 },
                PlatformTier { min_cents: 50_000, fee_cents: 3_000 },
                PlatformTier { min_cents: 0, fee_cents: 1_000 },
            ],
            on_end: OnEnd::default(),
            keep_days: default_keep_days(),
        }
    }

    /// Check the tiers: none negative, no two from the same amount, and one
    /// from 0 when there are any.
    pub fn validate(&self, version: &str) -> Result<(), PolicyError> {
        let version = || version.to_string();
        for (i, t) in self.platform_fee.iter().enumerate() {
            if t.min_cents < 0 || t.fee_cents < 0 {
                return Err(PolicyError::NegativeTier { version: version(), tier: i + 1 });
            }
            if self.platform_fee[..i].iter().any(|o| o.min_cents == t.min_cents) {
                return Err(PolicyError::DuplicateTier { version: version() });
            }
        }
        if !self.platform_fee.is_empty() && !self.platform_fee.iter().any(|t| t.min_cents == 0) {
            return Err(PolicyError::NoTierFromZero { version: version() });
        }
        Ok(())
    }

    /// The platform fee on a payment of `amount_cents`.
    pub fn platform_fee_on(&self, amount_cents: i64) -> i64 {
        let tier = self.platform_fee.iter().filter(|t| t.min_cents <= amount_cents).max_by_key(|t| t.min_cents);
        tier.map_or(0, |t| t.fee_cents)
    }

    /// The invoice for a transfer fee.
    pub fn invoice(&self, fee_cents: i64) -> Invoice {
        Invoice { fee_cents, platform_fee_cents: self.platform_fee_on(fee_cents) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_without_a_policy_keeps_todays_behaviour() {
        let p: PaymentPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, PaymentPolicy::default());
        assert_eq!(p.payer, Payer::BuyerAtAcceptance);
        assert_eq!(p.invoice(166_000), Invoice { fee_cents: 166_000, platform_fee_cents: 0 });
        for &e in Ending::ALL {
            assert_eq!(p.on_end.rule(e), EndRule::RefundByStaff, "{e:?}");
        }
    }

    #[test]
    fn the_platform_fee_is_the_tier_of_the_amount() {
        let p = PaymentPolicy::agency_online();
        p.validate("T").unwrap();
        for (amount, fee) in [(166_000, 5_000), (100_000, 5_000), (99_999, 3_000), (50_000, 3_000), (49_999, 1_000)] {
            assert_eq!(p.platform_fee_on(amount), fee, "{amount}");
        }
        assert_eq!(p.platform_fee_on(0), 1_000);
        let invoice = p.invoice(166_000);
        assert_eq!(invoice.total_cents(), 171_000);
    }

    #[test]
    fn bad_tiers_are_refused() {
        let with = |tiers: &[(i64, i64)]| PaymentPolicy {
            platform_fee: tiers.iter().map(|&(min_cents, fee_cents)| PlatformTier { min_cents, fee_cents }).collect(),
            ..PaymentPolicy::default()
        };
        assert_eq!(with(&[(100_000, 5_000)]).validate("T"), Err(PolicyError::NoTierFromZero { version: "T".into() }));
        assert_eq!(with(&[(0, 5), (0, 6)]).validate("T"), Err(PolicyError::DuplicateTier { version: "T".into() }));
        assert_eq!(with(&[(0, -1)]).validate("T"), Err(PolicyError::NegativeTier { version: "T".into(), tier: 1 }));
        assert_eq!(with(&[(0, 0)]).validate("T"), Ok(()));
    }

    #[test]
    fn the_policy_reads_from_toml_and_json_by_its_names() {
        let toml = r#"
            payer = "seller_at_submission"
            platform_fee = [{ min_cents = 100000, fee_cents = 5000 }, { min_cents = 0, fee_cents = 1000 }]
            [on_end]
            declined = "keep_for_resubmission"
            rejected = "refund_by_staff"
        "#;
        let p: PaymentPolicy = toml::from_str(toml).unwrap();
        assert_eq!(p.payer, Payer::SellerAtSubmission);
        assert_eq!(p.on_end.declined, EndRule::KeepForResubmission);
        assert_eq!(p.on_end.expired, EndRule::RefundByStaff, "an ending not named takes the default");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<PaymentPolicy>(&json).unwrap(), p);
        assert!(serde_json::from_str::<PaymentPolicy>(r#"{"payer": "anyone"}"#).is_err());
    }
}

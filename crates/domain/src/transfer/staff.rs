//! Who among the agency's staff may act on a transfer.

/// What the agency's staff do to a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    /// Approve or reject it.
    Review,
    /// Move its new logbook on.
    Logbook,
    /// Open the seller's scanned logbook beside the record.
    Scan,
    /// Record the refund of its paid fee.
    Refund,
}

impl StaffAction {
    /// "Another officer must {what}".
    fn what(self) -> &'static str {
        match self {
            Self::Review => "review it",
            Self::Logbook => "update its logbook",
            Self::Scan => "check its scanned logbook",
            Self::Refund => "refund its fee",
        }
    }
}

/// Staff asked to act on a transfer they are a party to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("You are a party to this transfer, so another officer must {}", .0.what())]
pub struct OwnCase(pub StaffAction);

/// Staff may not act on a case they are a party to. `own` is everyone the
/// staff member is: themselves and every organisation they belong to, not
/// only the one they act for just then. `named` is everyone the transfer
/// names: the seller, the buyer, each joint owner and financier whose
/// consent it needs, and the person who keyed it in. Any one in both, and
/// the transfer is another officer's.
pub fn party_to_case(own: &[&str], named: &[&str]) -> bool {
    own.iter().any(|o| named.contains(o))
}

/// [`party_to_case`] as a refusal of `action`.
pub fn officiate(own: &[&str], named: &[&str], action: StaffAction) -> Result<(), OwnCase> {
    if party_to_case(own, named) { Err(OwnCase(action)) } else { Ok(()) }
}

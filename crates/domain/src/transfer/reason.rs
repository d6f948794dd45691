//! Why an officer rejects a transfer: a reason from a list, the ones the
//! agency sees most first, and whether it is about the scanned logbook
//! (then the seller may correct it and resubmit without paying again).

/// The most characters an officer's own words on a rejection may have.
pub const REASON_MAX_CHARS: usize = 500;

string_enum!(
    /// Why an officer rejects a transfer. Stored and sent by its name; the
    /// catalogue (`texts`) words it for people, in each language.
    RejectReason, "one of" {
        /// The scan is the logbook of another vehicle.
        AnotherVehiclesLogbook = "another_vehicles_logbook": "Another vehicle's logbook",
        /// A photocopy, or a black-and-white copy, not a colour scan of the
        /// original logbook.
        Photocopy = "photocopy": "A photocopy, not a colour scan of the original logbook",
        /// A logbook defaced or altered.
        DefacedLogbook = "defaced_logbook": "A defaced or altered logbook",
        /// A file that is not a logbook at all.
        UnrelatedFile = "unrelated_file": "An unrelated file, not a logbook",
        /// The seller keyed themselves in as the buyer.
        SellerNamedAsBuyer = "seller_named_as_buyer": "The seller is named as the buyer",
        /// None of the above: the officer's words say what.
        AnotherReason = "another_reason": "Another reason",
    }
);

impl RejectReason {
    /// The scan is at fault: the transfer goes back to the seller for a new
    /// one, rather than ending.
    pub fn about_the_scan(self) -> bool {
        matches!(self, Self::AnotherVehiclesLogbook | Self::Photocopy | Self::DefacedLogbook | Self::UnrelatedFile)
    }

    /// The officer must say in their own words what is wrong.
    pub fn needs_note(self) -> bool {
        self == Self::AnotherReason
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_four_reasons_are_about_the_scan_and_only_another_reason_needs_words() {
        let scan: Vec<RejectReason> = RejectReason::ALL.iter().copied().filter(|r| r.about_the_scan()).collect();
        assert_eq!(scan, &RejectReason::ALL[..4]);
        let noted: Vec<RejectReason> = RejectReason::ALL.iter().copied().filter(|r| r.needs_note()).collect();
        assert_eq!(noted, [RejectReason::AnotherReason]);
        assert_eq!(RejectReason::ALL.last(), Some(&RejectReason::AnotherReason), "another reason comes last");
    }

    #[test]
    fn reasons_are_stored_by_stable_names() {
        let names: Vec<&str> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            [
                "another_vehicles_logbook",
                "photocopy",
                "defaced_logbook",
                "unrelated_file",
                "seller_named_as_buyer",
                "another_reason"
            ]
        );
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::parse(r.as_str()), Ok(*r));
        }
        assert!(RejectReason::parse("blurry").is_err());
    }
}

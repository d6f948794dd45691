//! Organisations as the sign-on knows them: their kinds and the roles people
//! hold in them.

string_enum!(
    /// The kinds of organisation that transact with the agency.
    OrgKind, "one of" {
        Company = "company": "Company",
        CarDealer = "car_dealer": "Car dealer",
        MotorcycleDealer = "motorcycle_dealer": "Motorcycle dealer",
        FinancialInstitution = "financial_institution": "Financial institution",
        InsuranceCompany = "insurance_company": "Insurance company",
        EmbassyOrMission = "embassy_or_mission": "Embassy or mission",
        Government = "government": "Government department or agency",
    }
);

string_enum!(
    /// What a member may do for an organisation.
    OrgRole, "one of" {
        Admin = "admin": "Administrator",
        Transactor = "transactor": "Transactor",
        Viewer = "viewer": "Viewer",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_roles_round_trip_through_their_names() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()).unwrap(), *k);
        }
        for r in OrgRole::ALL {
            assert_eq!(OrgRole::parse(r.as_str()).unwrap(), *r);
        }
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_accepted_names() {
        let e = OrgRole::parse("owner").unwrap_err();
        assert_eq!(e.message, "Choose one of: admin transactor viewer");
    }
}

//! The outside registers the sign-on checks people and organisations against:
//! the population register (IPRS's role) and the KRA PIN register. Each has a
//! development adapter with seeded data and an HTTP adapter for a real one.
//! They are asked, never written to, and know nothing of accounts.

use domain::org::OrgKind;
use domain::{AccountType, KraPin};
use serde::{Deserialize, Serialize};

use adapters::BoxFuture;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the register did not answer: {0}")]
    Unavailable(String),
    #[error("the register gave an answer tims does not understand: {0}")]
    BadAnswer(String),
}

/// A person as the population register records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub account_type: AccountType,
    pub id_number: String,
    pub full_name: String,
    /// `YYYY-MM-DD`; a registering person must know it, so that an ID
    /// number alone does not let anyone claim someone else's identity.
    pub date_of_birth: String,
}

/// An organisation as the KRA register records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taxpayer {
    pub kra_pin: String,
    pub name: String,
    pub kind: OrgKind,
    /// National ID numbers of the listed directors.
    pub directors: Vec<String>,
}

pub trait PopulationRegister: Send + Sync + std::fmt::Debug {
    fn find<'a>(
        &'a self,
        account_type: AccountType,
        id_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<Person>, RegisterError>>;
    fn is_development(&self) -> bool;
}

pub trait KraRegister: Send + Sync + std::fmt::Debug {
    fn find<'a>(&'a self, pin: &'a KraPin) -> BoxFuture<'a, Result<Option<Taxpayer>, RegisterError>>;
    fn is_development(&self) -> bool;
}

/// Sample people of the development population register. The first few are
/// the demo accounts; the rest are there to register as.
pub fn sample_people() -> Vec<Person> {
    let p = |t, id: &str, name: &str, born: &str| Person {
        account_type: t,
        id_number: id.to_string(),
        full_name: name.to_string(),
        date_of_birth: born.to_string(),
    };
    use AccountType::*;
    vec![
        p(Citizen, "12345678", "Wanjiku Kamau", "1985-03-14"),
        p(Citizen, "23456789", "Otieno Ochieng", "1979-11-02"),
        p(Citizen, "34567890", "Grace Njeri", "1990-07-21"),
        p(Citizen, "45678901", "Kipchoge Ruto", "1988-01-30"),
        p(Citizen, "56789012", "Fatuma Ali", "1975-06-09"),
        p(Citizen, "67890123", "Mutua Musyoka", "1992-12-12"),
        p(Citizen, "78901234", "Achieng Atieno", "1983-04-25"),
        p(Citizen, "89012345", "Baraka Mwangi", "1995-09-05"),
        p(Resident, "100200300", "Amina Hassan", "1980-02-17"),
        p(Resident, "100200301", "Raj Patel", "1977-08-08"),
        p(Foreigner, "A1234567", "John Smith", "1970-10-10"),
        p(Foreigner, "B7654321", "Marie Dubois", "1986-05-28"),
    ]
}

/// Sample organisations of the development KRA register.
pub fn sample_taxpayers() -> Vec<Taxpayer> {
    let t = |pin: &str, name: &str, kind, directors: &[&str]| Taxpayer {
        kra_pin: pin.to_string(),
        name: name.to_string(),
        kind,
        directors: directors.iter().map(|d| d.to_string()).collect(),
    };
    use OrgKind::*;
    vec![
        t("P051234567A", "Kamau Motors Limited", CarDealer, &["12345678"]),
        t("P051234568B", "Boda Bora Motorcycles Limited", MotorcycleDealer, &["45678901"]),
        t("P051234569C", "Harambee Bank Limited", FinancialInstitution, &["56789012"]),
        t("P051234570D", "Usalama Insurance Company", InsuranceCompany, &["67890123"]),
        t("P051234571E", "Savannah Logistics Limited", Company, &["23456789", "78901234"]),
        t("P051234572F", "Embassy of Examplestan", EmbassyOrMission, &[]),
        t("P051234573G", "Ministry of Roads and Transport", Government, &[]),
    ]
}

/// Development population register: the sample people.
#[derive(Debug)]
pub struct DevPopulationRegister {
    people: Vec<Person>,
}

impl Default for DevPopulationRegister {
    fn default() -> Self {
        Self { people: sample_people() }
    }
}

impl PopulationRegister for DevPopulationRegister {
    fn find<'a>(
        &'a self,
        account_type: AccountType,
        id_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<Person>, RegisterError>> {
        let found = self.people.iter().find(|p| p.account_type == account_type && p.id_number == id_number).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn is_development(&self) -> bool {
        true
    }
}

/// Development KRA register: the sample organisations.
#[derive(Debug)]
pub struct DevKraRegister {
    taxpayers: Vec<Taxpayer>,
}

impl Default for DevKraRegister {
    fn default() -> Self {
        Self { taxpayers: sample_taxpayers() }
    }
}

impl KraRegister for DevKraRegister {
    fn find<'a>(&'a self, pin: &'a KraPin) -> BoxFuture<'a, Result<Option<Taxpayer>, RegisterError>> {
        let found = self.taxpayers.iter().find(|t| t.kra_pin == pin.as_str()).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn is_development(&self) -> bool {
        true
    }
}

/// A register reached over HTTP: `GET {base}/people/{type}/{id}` and
/// `GET {base}/taxpayers/{pin}` answer 200 with the record as JSON, or 404.
/// A bearer token, when configured, is sent on every call.
#[derive(Debug, Clone)]
pub struct HttpRegister {
    base: url::Url,
    token: Option<String>,
    client: reqwest::Client,
}

impl HttpRegister {
    pub fn new(base: url::Url, token: Option<String>) -> Self {
        let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap_or_default();
        Self { base, token, client }
    }

    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<Option<T>, RegisterError> {
        let url = format!("{}/{}", self.base.as_str().trim_end_matches('/'), path);
        let mut req = self.client.get(&url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| RegisterError::Unavailable(e.without_url().to_string()))?;
        match resp.status().as_u16() {
            404 => Ok(None),
            200 => resp.json::<T>().await.map(Some).map_err(|e| RegisterError::BadAnswer(e.without_url().to_string())),
            s => Err(RegisterError::Unavailable(format!("status {s}"))),
        }
    }
}

impl PopulationRegister for HttpRegister {
    fn find<'a>(
        &'a self,
        account_type: AccountType,
        id_number: &'a str,
    ) -> BoxFuture<'a, Result<Option<Person>, RegisterError>> {
        Box::pin(async move { self.get(&format!("people/{}/{}", account_type.as_str(), id_number)).await })
    }

    fn is_development(&self) -> bool {
        false
    }
}

impl KraRegister for HttpRegister {
    fn find<'a>(&'a self, pin: &'a KraPin) -> BoxFuture<'a, Result<Option<Taxpayer>, RegisterError>> {
        Box::pin(async move { self.get(&format!("taxpayers/{}", pin.as_str())).await })
    }

    fn is_development(&self) -> bool {
        false
    }
}

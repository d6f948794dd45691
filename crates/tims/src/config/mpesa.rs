//! The M-Pesa (Daraja) settings: unset, fees go to the development payer
//! (refused in production); set, every one of them is needed.

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Secret};
use adapters::mpesa::{MpesaSettings, TransactionType};

/// Where Daraja is and whose money it takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MpesaSection {
    /// `https://sandbox.safaricom.co.ke` or `https://api.safaricom.co.ke`.
    pub base_url: Option<String>,
    /// The business shortcode (paybill, or for a till the store number).
    pub shortcode: Option<String>,
    pub passkey: Option<Secret>,
    pub consumer_key: Option<Secret>,
    pub consumer_secret: Option<Secret>,
    /// `CustomerPayBillOnline` (the default) or `CustomerBuyGoodsOnline`.
    pub transaction_type: String,
    /// The till that receives, with `CustomerBuyGoodsOnline`.
    pub till_number: Option<String>,
    #[serde(rename = "connect_timeout_secs", deserialize_with = "super::seconds")]
    pub connect_timeout: Duration,
    #[serde(rename = "timeout_secs", deserialize_with = "super::seconds")]
    pub timeout: Duration,
    /// The secret in the paybill (C2B) validation and confirmation
    /// addresses registered with Daraja; unset, paybill payments are not
    /// taken.
    pub c2b_secret: Option<Secret>,
}

impl Default for MpesaSection {
    fn default() -> Self {
        Self {
            base_url: None,
            shortcode: None,
            passkey: None,
            consumer_key: None,
            consumer_secret: None,
            transaction_type: TransactionType::PayBill.as_str().into(),
            till_number: None,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            c2b_secret: None,
        }
    }
}

impl MpesaSection {
    /// The settings a gateway needs, each with its environment variable.
    fn required(&self) -> [(&'static str, bool); 5] {
        let set = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
        let secret = |s: &Option<Secret>| s.as_ref().is_some_and(|v| !v.expose().trim().is_empty());
        [
            ("mpesa.base_url (TIMS_MPESA_BASE_URL)", set(&self.base_url)),
            ("mpesa.shortcode (TIMS_MPESA_SHORTCODE)", set(&self.shortcode)),
            ("mpesa.passkey (TIMS_MPESA_PASSKEY)", secret(&self.passkey)),
            ("mpesa.consumer_key (TIMS_MPESA_CONSUMER_KEY)", secret(&self.consumer_key)),
            ("mpesa.consumer_secret (TIMS_MPESA_CONSUMER_SECRET)", secret(&self.consumer_secret)),
        ]
    }

    /// The settings still missing for a gateway, named as an operator sets
    /// them.
    pub fn missing(&self) -> Vec<&'static str> {
        self.required().into_iter().filter(|(_, set)| !*set).map(|(name, _)| name).collect()
    }

    /// The gateway's settings; `None` when none is set (the development
    /// payer), an error naming what is missing when only some are.
    pub fn settings(&self) -> Result<Option<MpesaSettings>, ConfigError> {
        let missing = self.missing();
        if missing.len() == self.required().len() {
            return Ok(None);
        }
        if !missing.is_empty() {
            return Err(ConfigError::Invalid(format!("M-Pesa is partly configured: set {}", missing.join(", "))));
        }
        let transaction_type = match self.transaction_type.trim() {
            "CustomerPayBillOnline" => TransactionType::PayBill,
            "CustomerBuyGoodsOnline" => TransactionType::BuyGoods {
                till: self.till_number.clone().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
                    ConfigError::Invalid(
                        "mpesa.transaction_type CustomerBuyGoodsOnline needs mpesa.till_number (TIMS_MPESA_TILL_NUMBER)"
                            .into(),
                    )
                })?,
            },
            other => {
                return Err(ConfigError::Invalid(format!(
                    "mpesa.transaction_type {other:?} is neither CustomerPayBillOnline nor CustomerBuyGoodsOnline"
                )));
            }
        };
        let text = |s: &Option<String>| s.clone().unwrap_or_default().trim().to_string();
        let secret = |s: &Option<Secret>| s.clone().unwrap_or_default();
        let settings = MpesaSettings {
            base_url: text(&self.base_url),
            shortcode: text(&self.shortcode),
            passkey: secret(&self.passkey),
            consumer_key: secret(&self.consumer_key),
            consumer_secret: secret(&self.consumer_secret),
            transaction_type,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
        };
        settings.check().map_err(|e| ConfigError::Invalid(format!("M-Pesa settings: {e}")))?;
        Ok(Some(settings))
    }

    /// What production refuses here: a gateway reached over plain HTTP, or
    /// a paybill secret short enough to guess.
    pub fn production_problems(&self) -> Vec<String> {
        let mut problems = match &self.base_url {
            Some(u) if !u.trim().is_empty() && !u.starts_with("https://") => {
                vec!["mpesa.base_url must be https://".to_string()]
            }
            _ => vec![],
        };
        if self.c2b_secret.as_ref().is_some_and(|s| !s.expose().is_empty() && s.expose().len() < 32) {
            problems.push("mpesa.c2b_secret must be at least 32 characters".to_string());
        }
        problems
    }

    /// `TIMS_MPESA_…` variables over the file's values.
    pub fn apply_env(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: &str| ConfigError::Env { name: name.into(), message: message.into() };
        for (name, slot) in [
            ("TIMS_MPESA_BASE_URL", &mut self.base_url),
            ("TIMS_MPESA_SHORTCODE", &mut self.shortcode),
            ("TIMS_MPESA_TILL_NUMBER", &mut self.till_number),
        ] {
            if let Some(v) = get(name).filter(|v| !v.is_empty()) {
                *slot = Some(v);
            }
        }
        for (name, slot) in [
            ("TIMS_MPESA_PASSKEY", &mut self.passkey),
            ("TIMS_MPESA_CONSUMER_KEY", &mut self.consumer_key),
            ("TIMS_MPESA_CONSUMER_SECRET", &mut self.consumer_secret),
            ("TIMS_MPESA_C2B_SECRET", &mut self.c2b_secret),
        ] {
            if let Some(v) = get(name).filter(|v| !v.is_empty()) {
                *slot = Some(Secret::new(v));
            }
        }
        if let Some(v) = get("TIMS_MPESA_TRANSACTION_TYPE").filter(|v| !v.is_empty()) {
            self.transaction_type = v;
        }
        for (name, slot) in [
            ("TIMS_MPESA_CONNECT_TIMEOUT_SECS", &mut self.connect_timeout),
            ("TIMS_MPESA_TIMEOUT_SECS", &mut self.timeout),
        ] {
            if let Some(v) = get(name) {
                *slot = v
                    .parse()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .map(Duration::from_secs)
                    .ok_or_else(|| bad(name, "use a whole number of seconds from 1 to 3600"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    const ALL: [(&str, &str); 5] = [
        ("TIMS_MPESA_BASE_URL", "https://sandbox.safaricom.co.ke"),
        ("TIMS_MPESA_SHORTCODE", "174379"),
        ("TIMS_MPESA_PASSKEY", "passkey-value"),
        ("TIMS_MPESA_CONSUMER_KEY", "key-value"),
        ("TIMS_MPESA_CONSUMER_SECRET", "secret-value"),
    ];

    #[test]
    fn unset_is_the_development_payer_and_partly_set_names_what_is_missing() {
        let m = MpesaSection::default();
        assert!(m.settings().unwrap().is_none());
        assert_eq!(m.missing().len(), 5);
        let mut m = MpesaSection::default();
        m.apply_env(&env(&ALL[..2])).unwrap();
        let err = m.settings().unwrap_err().to_string();
        assert!(err.contains("TIMS_MPESA_PASSKEY") && err.contains("TIMS_MPESA_CONSUMER_SECRET"), "{err}");
        assert!(!err.contains("TIMS_MPESA_SHORTCODE"), "{err}");
    }

    #[test]
    fn the_environment_sets_a_gateway_whose_secrets_are_not_printed() {
        let mut m = MpesaSection::default();
        m.apply_env(&env(&ALL)).unwrap();
        m.apply_env(&env(&[("TIMS_MPESA_TIMEOUT_SECS", "20")])).unwrap();
        let s = m.settings().unwrap().unwrap();
        assert_eq!((s.shortcode.as_str(), s.timeout.as_secs()), ("174379", 20));
        assert_eq!(s.transaction_type, TransactionType::PayBill);
        let shown = format!("{m:?} {s:?}");
        assert!(!shown.contains("passkey-value") && !shown.contains("secret-value"), "{shown}");
        let err = m.apply_env(&env(&[("TIMS_MPESA_TIMEOUT_SECS", "0")])).unwrap_err();
        assert!(err.to_string().starts_with("TIMS_MPESA_TIMEOUT_SECS"), "{err}");
    }

    #[test]
    fn a_till_needs_its_number_and_a_kind_must_be_known() {
        let mut m = MpesaSection::default();
        m.apply_env(&env(&ALL)).unwrap();
        m.transaction_type = "CustomerBuyGoodsOnline".into();
        assert!(m.settings().unwrap_err().to_string().contains("TIMS_MPESA_TILL_NUMBER"));
        m.till_number = Some("5123456".into());
        let s = m.settings().unwrap().unwrap();
        assert_eq!(s.transaction_type, TransactionType::BuyGoods { till: "5123456".into() });
        m.transaction_type = "PayLater".into();
        assert!(m.settings().is_err());
        m.transaction_type = "CustomerPayBillOnline".into();
        m.shortcode = Some("12".into());
        assert!(m.settings().unwrap_err().to_string().contains("shortcode"));
    }

    #[test]
    fn the_file_sets_the_gateway_under_mpesa() {
        let c: super::super::Config = toml::from_str(
            "[mpesa]\nbase_url = \"https://sandbox.safaricom.co.ke\"\nshortcode = \"174379\"\npasskey = \"p\"\n\
             consumer_key = \"k\"\nconsumer_secret = \"s\"\ntimeout_secs = 10\n",
        )
        .unwrap();
        assert_eq!(c.mpesa.settings().unwrap().unwrap().timeout.as_secs(), 10);
        assert!(toml::from_str::<super::super::Config>("[mpesa]\npasskeys = \"p\"\n").is_err());
        assert!(toml::from_str::<super::super::Config>("[mpesa]\ntimeout_secs = 0\n").is_err());
    }

    #[test]
    fn production_wants_https_to_the_gateway() {
        let mut m = MpesaSection { base_url: Some("http://daraja.example".into()), ..MpesaSection::default() };
        assert_eq!(m.production_problems(), ["mpesa.base_url must be https://"]);
        m.base_url = Some("https://api.safaricom.co.ke".into());
        assert!(m.production_problems().is_empty());
    }

    #[test]
    fn the_paybill_secret_comes_from_the_environment_and_production_wants_it_long() {
        let mut m = MpesaSection::default();
        m.apply_env(&env(&[("TIMS_MPESA_C2B_SECRET", "short")])).unwrap();
        assert_eq!(m.c2b_secret.as_ref().map(|s| s.expose()), Some("short"));
        assert_eq!(m.production_problems(), ["mpesa.c2b_secret must be at least 32 characters"]);
        m.c2b_secret = Some(Secret::new("c".repeat(32)));
        assert!(m.production_problems().is_empty());
        assert_eq!(m.settings().unwrap().map(|s| s.shortcode), None, "alone, it configures no gateway");
    }
}

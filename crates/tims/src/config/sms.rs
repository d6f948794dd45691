//! The SMS gateway's settings (`[sms]`, `TIMS_AFRICASTALKING_…`,
//! `TIMS_SMS_…`): without them `tims serve` keeps the development sink,
//! which production mode refuses, naming what is missing.

use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, Secret};

/// Africa's Talking, the delivery reports' address, and the send-rate
/// limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSection {
    /// The gateway's address (`https://api.africastalking.com`, or the
    /// sandbox's); with the username and key it replaces the development
    /// sink.
    pub africastalking_url: Option<String>,
    pub africastalking_username: Option<String>,
    pub africastalking_api_key: Option<Secret>,
    /// The registered sender id or short code the messages come from.
    pub sender_id: Option<String>,
    /// The secret part of the delivery reports' address
    /// (`{public_url}/sms/reports/{secret}`, set in the gateway's account);
    /// without it reports are not taken.
    pub report_secret: Option<Secret>,
    /// Longest wait for the gateway's answer: at most 14 seconds, less
    /// than the outbox keeps in hand of a lease before it stops sending.
    pub timeout_secs: u64,
    /// Messages a second this node sends, to everyone.
    pub sends_per_second: u32,
    /// Messages a minute this node sends to one number.
    pub sends_per_number_per_minute: u32,
    /// Messages each outbox of this node has out to the gateway at once:
    /// enough for the send rate times the gateway's round trip.
    pub sends_in_flight: u32,
}

impl Default for SmsSection {
    fn default() -> Self {
        let limits = adapters::throttle::Limits::default();
        Self {
            africastalking_url: None,
            africastalking_username: None,
            africastalking_api_key: None,
            sender_id: None,
            report_secret: None,
            timeout_secs: 10,
            sends_per_second: limits.per_second,
            sends_per_number_per_minute: limits.per_number_per_minute,
            sends_in_flight: limits.in_flight,
        }
    }
}

/// The most SMS an outbox may have out to the gateway at once.
const MAX_IN_FLIGHT: u32 = 1024;

/// The gateway's settings by name, with the variable that sets each.
const GATEWAY: [(&str, &str); 3] = [
    ("sms.africastalking_url", "TIMS_AFRICASTALKING_URL"),
    ("sms.africastalking_username", "TIMS_AFRICASTALKING_USERNAME"),
    ("sms.africastalking_api_key", "TIMS_AFRICASTALKING_API_KEY"),
];

impl SmsSection {
    /// Read the environment's SMS settings.
    pub fn apply_env(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: &str| ConfigError::Env { name: name.into(), message: message.into() };
        for (name, slot) in [
            ("TIMS_AFRICASTALKING_URL", &mut self.africastalking_url),
            ("TIMS_AFRICASTALKING_USERNAME", &mut self.africastalking_username),
            ("TIMS_SMS_SENDER_ID", &mut self.sender_id),
        ] {
            if let Some(v) = get(name).filter(|v| !v.is_empty()) {
                *slot = Some(v);
            }
        }
        for (name, slot) in [
            ("TIMS_AFRICASTALKING_API_KEY", &mut self.africastalking_api_key),
            ("TIMS_SMS_REPORT_SECRET", &mut self.report_secret),
        ] {
            if let Some(v) = get(name).filter(|v| !v.is_empty()) {
                *slot = Some(Secret::new(v));
            }
        }
        if let Some(v) = get("TIMS_SMS_TIMEOUT_SECS") {
            self.timeout_secs = v
                .parse()
                .ok()
                .filter(|s| (1..=14).contains(s))
                .ok_or_else(|| bad("TIMS_SMS_TIMEOUT_SECS", "use a whole number of seconds from 1 to 14"))?;
        }
        for (name, slot) in [
            ("TIMS_SMS_SENDS_PER_SECOND", &mut self.sends_per_second),
            ("TIMS_SMS_SENDS_PER_NUMBER_PER_MINUTE", &mut self.sends_per_number_per_minute),
            ("TIMS_SMS_SENDS_IN_FLIGHT", &mut self.sends_in_flight),
        ] {
            if let Some(v) = get(name) {
                *slot = v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad(name, "use a whole number from 1"))?;
            }
        }
        if !(1..=MAX_IN_FLIGHT).contains(&self.sends_in_flight) {
            return Err(bad("TIMS_SMS_SENDS_IN_FLIGHT", "use a whole number from 1 to 1024"));
        }
        Ok(())
    }

    /// The gateway's settings when any is set; an error naming what is
    /// missing when only some are. `None`: the development sink.
    pub fn gateway(&self) -> Result<Option<adapters::africastalking::Settings>, ConfigError> {
        let (url, username, key) = (
            self.africastalking_url.as_ref(),
            self.africastalking_username.as_ref(),
            self.africastalking_api_key.as_ref(),
        );
        if url.is_none() && username.is_none() && key.is_none() {
            return Ok(None);
        }
        let missing = self.missing();
        let (Some(url), Some(username), Some(key)) = (url, username, key) else {
            return Err(ConfigError::Invalid(format!("the SMS gateway needs {} too", missing.join(" and "))));
        };
        if !(1..=14).contains(&self.timeout_secs) {
            return Err(ConfigError::Invalid("sms.timeout_secs must be from 1 to 14".into()));
        }
        Ok(Some(adapters::africastalking::Settings {
            base_url: url.clone(),
            username: username.clone(),
            api_key: key.clone(),
            sender_id: self.sender_id.clone().filter(|s| !s.is_empty()),
            timeout: Duration::from_secs(self.timeout_secs),
        }))
    }

    /// The gateway's settings not set, each with its variable.
    pub fn missing(&self) -> Vec<String> {
        let set = [
            self.africastalking_url.is_some(),
            self.africastalking_username.is_some(),
            self.africastalking_api_key.is_some(),
        ];
        GATEWAY.iter().zip(set).filter(|(_, s)| !s).map(|((key, env), _)| format!("{key} ({env})")).collect()
    }

    /// The send-rate limits.
    pub fn limits(&self) -> adapters::throttle::Limits {
        adapters::throttle::Limits {
            per_second: self.sends_per_second,
            per_number_per_minute: self.sends_per_number_per_minute,
            in_flight: self.sends_in_flight,
        }
    }

    /// What production mode refuses of these settings. (Without a gateway
    /// the development sink is refused where adapters are checked.)
    pub fn production_problems(&self) -> Vec<String> {
        let mut problems = vec![];
        if self.missing().len() == GATEWAY.len() {
            return problems;
        }
        if let Some(url) = &self.africastalking_url
            && !url.starts_with("https://")
        {
            problems.push("sms.africastalking_url must be https:// (the API key goes with every message)".into());
        }
        match &self.report_secret {
            None => problems.push(
                "sms.report_secret must be set (TIMS_SMS_REPORT_SECRET, at least 32 random characters): delivery \
                 reports come to {public_url}/sms/reports/{secret}"
                    .into(),
            ),
            Some(s) if s.expose().len() < 32 => {
                problems.push("sms.report_secret must be at least 32 characters".into())
            }
            Some(_) => {}
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gateway_is_used_when_configured_and_what_is_missing_is_named() {
        let mut s = SmsSection::default();
        assert!(s.gateway().unwrap().is_none(), "the development sink by default");
        s.apply_env(&|k: &str| (k == "TIMS_AFRICASTALKING_USERNAME").then(|| "tims".to_string())).unwrap();
        let err = s.gateway().unwrap_err().to_string();
        assert!(err.contains("TIMS_AFRICASTALKING_URL") && err.contains("TIMS_AFRICASTALKING_API_KEY"), "{err}");
        assert!(!err.contains("TIMS_AFRICASTALKING_USERNAME"), "{err}");
        let env = |k: &str| match k {
            "TIMS_AFRICASTALKING_URL" => Some("https://api.example".to_string()),
            "TIMS_AFRICASTALKING_API_KEY" => Some("atsk_secret_key".to_string()),
            "TIMS_SMS_SENDER_ID" => Some("NTSA".to_string()),
            "TIMS_SMS_SENDS_PER_NUMBER_PER_MINUTE" => Some("3".to_string()),
            "TIMS_SMS_SENDS_IN_FLIGHT" => Some("200".to_string()),
            _ => None,
        };
        s.apply_env(&env).unwrap();
        let g = s.gateway().unwrap().unwrap();
        assert_eq!((g.base_url.as_str(), g.sender_id.as_deref()), ("https://api.example", Some("NTSA")));
        assert_eq!((s.limits().per_number_per_minute, s.limits().in_flight), (3, 200));
        assert!(!format!("{s:?}{g:?}").contains("atsk_secret_key"), "the key is never printed");
        let err = s.apply_env(&|k: &str| (k == "TIMS_SMS_SENDS_IN_FLIGHT").then(|| "5000".to_string())).unwrap_err();
        assert!(err.to_string().contains("1 to 1024"), "{err}");
        s.sends_in_flight = 200;
        let err = s.apply_env(&|k: &str| (k == "TIMS_SMS_SENDS_PER_SECOND").then(|| "0".to_string())).unwrap_err();
        assert!(err.to_string().starts_with("TIMS_SMS_SENDS_PER_SECOND"), "{err}");
        let c: crate::Config = toml::from_str("[sms]\nsender_id = \"NTSA\"\nsends_per_second = 5\n").unwrap();
        assert_eq!((c.sms.sender_id.as_deref(), c.sms.sends_per_second), (Some("NTSA"), 5));
        assert!(toml::from_str::<crate::Config>("[sms]\nper_sec = 5\n").is_err(), "unknown keys are refused");
    }

    #[test]
    fn production_asks_for_https_and_a_long_report_secret() {
        assert!(SmsSection::default().production_problems().is_empty(), "no gateway: the sink is refused elsewhere");
        let mut s = SmsSection { africastalking_url: Some("http://api.example".into()), ..SmsSection::default() };
        let problems = s.production_problems().join("\n");
        assert!(problems.contains("https://") && problems.contains("TIMS_SMS_REPORT_SECRET"), "{problems}");
        s.africastalking_url = Some("https://api.example".into());
        s.report_secret = Some(Secret::new("r".repeat(32)));
        assert!(s.production_problems().is_empty());
    }
}

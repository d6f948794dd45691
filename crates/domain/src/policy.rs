//! Policies for one-time codes, passwords and sign-in lockout. Every decision
//! here takes the current time as an argument (milliseconds since the epoch)
//! so that callers can drive it with an injected clock.

use crate::ids::FieldError;

pub const SECOND_MS: i64 = 1_000;
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// Rules for SMS one-time codes.
pub mod code {
    use super::*;

    /// Digits in a code.
    pub const DIGITS: usize = 6;
    /// How long a code may be used after it is sent.
    pub const TTL_MS: i64 = 5 * MINUTE_MS;
    /// Wrong tries after which the challenge is dead, even for the right code.
    pub const MAX_FAILURES: i64 = 5;
    /// At most this many sends per phone number in `SHORT_WINDOW_MS`...
    pub const MAX_SENDS_SHORT: i64 = 3;
    pub const SHORT_WINDOW_MS: i64 = 15 * MINUTE_MS;
    /// ...and this many in a day.
    pub const MAX_SENDS_DAY: i64 = 10;

    /// What the caller knows of the sends to one number: how many in the last
    /// 15 minutes and in the last day, and when the oldest send in the short
    /// window happened.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct SendHistory {
        pub in_short_window: i64,
        pub in_day: i64,
        pub oldest_in_short_window_ms: Option<i64>,
        pub oldest_in_day_ms: Option<i64>,
    }

    /// Whether another code may be sent now; if not, how long to wait.
    pub fn may_send(history: SendHistory, now_ms: i64) -> Result<(), i64> {
        if history.in_day >= MAX_SENDS_DAY {
            let oldest = history.oldest_in_day_ms.unwrap_or(now_ms);
            return Err((oldest + DAY_MS - now_ms).max(SECOND_MS));
        }
        if history.in_short_window >= MAX_SENDS_SHORT {
            let oldest = history.oldest_in_short_window_ms.unwrap_or(now_ms);
            return Err((oldest + SHORT_WINDOW_MS - now_ms).max(SECOND_MS));
        }
        Ok(())
    }

    /// The state of a challenge as stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Challenge {
        pub expires_at_ms: i64,
        pub failures: i64,
        pub used: bool,
    }

    /// Why a code was not accepted.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Refusal {
        /// Wrong code; this many tries remain.
        Wrong {
            remaining: i64,
        },
        /// Too many wrong tries: no code will be accepted for this challenge.
        Dead,
        Expired,
        AlreadyUsed,
    }

    /// Judge a submitted code. `matches` is the constant-time comparison's
    /// result, computed by the caller, who also owns the hashing.
    pub fn judge(ch: Challenge, matches: bool, now_ms: i64) -> Result<(), Refusal> {
        if ch.used {
            return Err(Refusal::AlreadyUsed);
        }
        if ch.failures >= MAX_FAILURES {
            return Err(Refusal::Dead);
        }
        if now_ms >= ch.expires_at_ms {
            return Err(Refusal::Expired);
        }
        if !matches {
            let remaining = MAX_FAILURES - ch.failures - 1;
            return Err(if remaining <= 0 { Refusal::Dead } else { Refusal::Wrong { remaining } });
        }
        Ok(())
    }

    /// A code as typed: digits only once spaces are removed, exactly six.
    pub fn parse_entry(raw: &str) -> Result<String, FieldError> {
        let v: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if v.len() == DIGITS && v.bytes().all(|b| b.is_ascii_digit()) {
            Ok(v)
        } else {
            Err(FieldError::new("Enter the 6-digit code from the SMS"))
        }
    }
}

/// Rules for passwords.
pub mod password {
    use super::*;

    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 128;

    /// Passwords seen most often in breaches and guessing lists; a password
    /// that is one of these (ignoring case) is refused.
    const COMMON: &[&str] = &[
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "1234567890",
        "12345678910",
        "0123456789",
        "0987654321",
        "1111111111",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "welcome1234",
        "admin12345",
        "administrator",
        "passw0rd12",
        "p@ssw0rd12",
        "abc1234567",
        "abcdefghij",
        "football123",
        "baseball12",
        "sunshine12",
        "princess12",
        "monkey1234",
        "dragon1234",
        "master1234",
        "trustno1234",
        "superman12",
        "kenya12345",
        "nairobi123",
        "nairobi1234",
        "mombasa123",
        "kenya2024",
        "kenya@2024",
        "changeme123",
        "computer12",
        "internet12",
        "zaq12wsxcde",
        "asdfghjkl1",
    ];

    pub fn check(raw: &str) -> Result<(), FieldError> {
        let len = raw.chars().count();
        if len < MIN_LEN {
            return Err(FieldError::new(format!("Enter a password of at least {MIN_LEN} characters")));
        }
        if len > MAX_LEN {
            return Err(FieldError::new(format!("Enter a password of at most {MAX_LEN} characters")));
        }
        let lower = raw.to_lowercase();
        if COMMON.contains(&lower.as_str()) {
            return Err(FieldError::new("That password is too common and easy to guess; choose another"));
        }
        Ok(())
    }
}

/// Rules for failed sign-ins: growing delays, then a block.
pub mod lockout {
    use super::*;

    /// Consecutive failures at which the account is blocked until recovered.
    pub const BLOCK_AFTER: i64 = 10;
    /// Failures allowed before any delay.
    pub const FREE_TRIES: i64 = 3;

    /// How long, after the last failure, the next attempt must wait, given the
    /// count of consecutive failures: none for the first three, then 2 s, 4 s,
    /// 8 s … up to 5 minutes.
    pub fn delay_ms(failures: i64) -> i64 {
        if failures < FREE_TRIES {
            return 0;
        }
        let exp = (failures - FREE_TRIES).min(16) as u32;
        (SECOND_MS << (exp + 1)).min(5 * MINUTE_MS)
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Gate {
        Open,
        /// Wait this many milliseconds before trying again.
        Wait(i64),
        Blocked,
    }

    pub fn gate(failures: i64, last_failure_ms: Option<i64>, now_ms: i64) -> Gate {
        if failures >= BLOCK_AFTER {
            return Gate::Blocked;
        }
        let wait = match last_failure_ms {
            Some(at) => at + delay_ms(failures) - now_ms,
            None => 0,
        };
        if wait > 0 { Gate::Wait(wait) } else { Gate::Open }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(failures: i64) -> code::Challenge {
        code::Challenge { expires_at_ms: 1_000, failures, used: false }
    }

    #[test]
    fn a_right_code_in_time_is_accepted() {
        assert_eq!(code::judge(ch(0), true, 999), Ok(()));
    }

    #[test]
    fn a_code_is_dead_after_five_wrong_tries_even_if_the_right_one_follows() {
        assert_eq!(code::judge(ch(3), false, 0), Err(code::Refusal::Wrong { remaining: 1 }));
        assert_eq!(code::judge(ch(4), false, 0), Err(code::Refusal::Dead));
        assert_eq!(code::judge(ch(5), true, 0), Err(code::Refusal::Dead));
    }

    #[test]
    fn an_expired_or_used_code_is_refused() {
        assert_eq!(code::judge(ch(0), true, 1_000), Err(code::Refusal::Expired));
        let used = code::Challenge { used: true, ..ch(0) };
        assert_eq!(code::judge(used, true, 0), Err(code::Refusal::AlreadyUsed));
    }

    #[test]
    fn sends_are_limited_to_three_in_fifteen_minutes_and_ten_a_day() {
        let h = |short, day| code::SendHistory {
            in_short_window: short,
            in_day: day,
            oldest_in_short_window_ms: Some(0),
            oldest_in_day_ms: Some(0),
        };
        assert_eq!(code::may_send(h(2, 2), 60_000), Ok(()));
        assert_eq!(code::may_send(h(3, 3), 60_000), Err(14 * MINUTE_MS));
        assert_eq!(code::may_send(h(0, 10), HOUR_MS), Err(23 * HOUR_MS));
    }

    #[test]
    fn code_entries_must_be_six_digits() {
        assert_eq!(code::parse_entry(" 123 456 ").unwrap(), "123456");
        for bad in ["", "12345", "1234567", "12345a"] {
            assert!(code::parse_entry(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_must_be_long_enough_and_not_common() {
        assert!(password::check("short").is_err());
        assert!(password::check("Password123").is_err());
        assert!(password::check(&"x".repeat(129)).is_err());
        assert!(password::check("kenya-demo-1").is_ok());
    }

    #[test]
    fn sign_in_delays_grow_and_the_tenth_failure_blocks() {
        assert_eq!(lockout::delay_ms(2), 0);
        assert_eq!(lockout::delay_ms(3), 2 * SECOND_MS);
        assert_eq!(lockout::delay_ms(4), 4 * SECOND_MS);
        assert_eq!(lockout::delay_ms(9), 128 * SECOND_MS);
        assert_eq!(lockout::delay_ms(30), 5 * MINUTE_MS);
        assert_eq!(lockout::gate(3, Some(0), 1_000), lockout::Gate::Wait(1_000));
        assert_eq!(lockout::gate(3, Some(0), 2_000), lockout::Gate::Open);
        assert_eq!(lockout::gate(10, Some(0), i64::MAX / 2), lockout::Gate::Blocked);
    }
}

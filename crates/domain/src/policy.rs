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

/// Rules for passwords (NIST SP 800-63B-4): long enough, and not one an
/// attacker guesses early. Guessability is estimated by zxcvbn (Dropbox's
/// estimator with its frequency lists of breached passwords, names, words
/// and keyboard patterns), given the person's own identifiers and this
/// service's words, so that a password built from them counts as weak.
pub mod password {
    use super::*;

    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 128;
    /// zxcvbn's score, 0 to 4, that a password must reach: 3 is "safely
    /// unguessable", about 10^8 guesses or more.
    pub const MIN_SCORE: u8 = 3;

    /// Words any attacker of this service tries first.
    const SERVICE_WORDS: &[&str] =
        &["tims", "ntsa", "ecitizen", "kenya", "nairobi", "mombasa", "logbook", "password", "demo", "kenya-demo-1"];

    /// Check a new password. `own` holds the person's identifiers (names, ID
    /// number, phone, email) that the password must not be built from.
    pub fn check(raw: &str, own: &[&str]) -> Result<(), FieldError> {
        let len = raw.chars().count();
        if len < MIN_LEN {
            return Err(FieldError::new(format!("Enter a password of at least {MIN_LEN} characters")));
        }
        if len > MAX_LEN {
            return Err(FieldError::new(format!("Enter a password of at most {MAX_LEN} characters")));
        }
        if raw.trim().is_empty() {
            return Err(FieldError::new("Enter a password that is not only spaces"));
        }
        let mut inputs: Vec<String> = SERVICE_WORDS.iter().map(|w| w.to_string()).collect();
        for o in own {
            // Each part of a name or number, and the whole, with and
            // without spaces and a leading country code.
            let o = o.trim().to_lowercase();
            if o.is_empty() {
                continue;
            }
            inputs.extend(o.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3).map(str::to_string));
            inputs.push(o.replace(' ', ""));
            if let Some(local) = o.strip_prefix("+254") {
                inputs.push(format!("0{local}"));
                inputs.push(local.to_string());
            }
        }
        let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let lower = raw.to_lowercase();
        if refs.iter().any(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_digit()) && lower.contains(w)) {
            return Err(FieldError::new(
                "Do not use your ID number or phone number in your password: choose a password that has nothing to do with you",
            ));
        }
        let estimate = zxcvbn::zxcvbn(raw, &refs);
        if (estimate.score() as u8) < MIN_SCORE {
            return Err(FieldError::new(weakness(&estimate, &refs)));
        }
        Ok(())
    }

    /// Why a password is weak, and what to do instead.
    fn weakness(e: &zxcvbn::Entropy, own: &[&str]) -> String {
        use zxcvbn::feedback::Warning as W;
        use zxcvbn::matching::patterns::MatchPattern;
        let personal = e
            .sequence()
            .iter()
            .any(|m| matches!(&m.pattern, MatchPattern::Dictionary(d) if own.contains(&d.matched_word.as_str())));
        let why = if personal {
            "it is built from your own name, numbers or this service's name"
        } else {
            match e.feedback().and_then(|f| f.warning()) {
                Some(W::ThisIsATop10Password | W::ThisIsATop100Password | W::ThisIsACommonPassword) => {
                    "it is one of the passwords people use most"
                }
                Some(W::ThisIsSimilarToACommonlyUsedPassword) => "it is too like a password people use often",
                Some(W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess) => {
                    "it repeats the same characters"
                }
                Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => {
                    "it follows the keys of a keyboard"
                }
                Some(W::SequencesLikeAbcAreEasyToGuess) => "it is a sequence like abc or 6543",
                Some(W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess) => "it is built on a date or year",
                Some(
                    W::AWordByItselfIsEasyToGuess
                    | W::NamesAndSurnamesByThemselvesAreEasyToGuess
                    | W::CommonNamesAndSurnamesAreEasyToGuess,
                ) => "it is a common word or name",
                None => "it would be guessed too soon",
            }
        };
        format!(
            "This password is easy to guess: {why}. Use three or four words that have nothing to do with you or each other, for example \"mango lorry rain seven\""
        )
    }
}

/// Rules for failed sign-ins. Failures slow the attempts down, never block
/// the owner: failures are counted for the ID number typed, and a browser
/// the account has signed in from before counts its own failures instead,
/// so someone else's wrong guesses do not keep the owner out.
pub mod lockout {
    use super::*;

    /// Failures allowed before any delay.
    pub const FREE_TRIES: i64 = 3;
    /// From this many failures on, the next attempt waits `LOCK_MS`.
    pub const LONG_WAIT_AFTER: i64 = 10;
    pub const LOCK_MS: i64 = 15 * MINUTE_MS;
    /// Failures on a known browser after which it is no longer trusted
    /// (its sign-ins count with the ID number's again).
    pub const DEVICE_MAX_FAILURES: i64 = 5;
    /// A count of failures is forgotten this long after the last one.
    pub const FORGET_MS: i64 = DAY_MS;

    /// How long, after the last failure, the next attempt must wait, given
    /// the count of consecutive failures: none for the first three, then
    /// 2 s, 4 s … 128 s, and 15 minutes from the tenth on.
    pub fn delay_ms(failures: i64) -> i64 {
        if failures < FREE_TRIES {
            return 0;
        }
        if failures >= LONG_WAIT_AFTER {
            return LOCK_MS;
        }
        let exp = (failures - FREE_TRIES) as u32;
        (SECOND_MS << (exp + 1)).min(LOCK_MS)
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Gate {
        Open,
        /// Wait this many milliseconds before trying again.
        Wait(i64),
    }

    pub fn gate(failures: i64, last_failure_ms: Option<i64>, now_ms: i64) -> Gate {
        let Some(at) = last_failure_ms else { return Gate::Open };
        if now_ms - at >= FORGET_MS {
            return Gate::Open;
        }
        let wait = at + delay_ms(failures) - now_ms;
        if wait > 0 { Gate::Wait(wait) } else { Gate::Open }
    }

    /// The failures that still count at `now_ms` (a day after the last
    /// one, none do).
    pub fn current(failures: i64, last_failure_ms: i64, now_ms: i64) -> i64 {
        if now_ms - last_failure_ms >= FORGET_MS { 0 } else { failures }
    }
}

/// Rules for looking up a buyer by ID number or KRA PIN, which shows the
/// name the registers give: each person has a budget of identifiers, so
/// that names cannot be harvested by typing numbers. A dealer selling many
/// vehicles a day stays well inside it.
pub mod lookup {
    use super::*;

    /// At most this many identifiers looked up by one person in an hour...
    pub const MAX_PER_HOUR: usize = 60;
    /// ...and this many in a day (24 hours).
    pub const MAX_PER_DAY: usize = 300;

    /// Which budget a refused lookup ran out of.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Spent {
        Hour,
        Day,
    }

    /// Whether one more identifier may be looked up now, given `last_seen`:
    /// for each identifier the person looked up in the last day, when they
    /// last did (any order). An identifier already among them costs nothing
    /// more (its name was shown already), so the caller asks only for a new
    /// one. If refused: which budget is spent, and the moment a new lookup
    /// is allowed again.
    pub fn may_look_up(last_seen: &[i64], now_ms: i64) -> Result<(), (Spent, i64)> {
        let mut day: Vec<i64> = last_seen.iter().copied().filter(|&t| t > now_ms - DAY_MS).collect();
        day.sort_unstable();
        if let Some(free_at) = free_at(&day, MAX_PER_DAY, DAY_MS) {
            return Err((Spent::Day, free_at));
        }
        let hour: Vec<i64> = day.into_iter().filter(|&t| t > now_ms - HOUR_MS).collect();
        free_at(&hour, MAX_PER_HOUR, HOUR_MS).map_or(Ok(()), |free_at| Err((Spent::Hour, free_at)))
    }

    /// When enough of `sorted` (ascending) leave a window of `window_ms` for
    /// fewer than `max` to remain; `None` if fewer remain now.
    fn free_at(sorted: &[i64], max: usize, window_ms: i64) -> Option<i64> {
        (sorted.len() >= max).then(|| sorted[sorted.len() - max] + window_ms)
    }
}

/// Payment prompts that were not paid: each is an M-Pesa request on
/// someone's phone, so a person cannot keep prompting a number (another
/// person's, to pester them) nor prompt without end. Paid prompts never
/// count: a bank paying for hundreds of vehicles from its number is not
/// limited.
pub mod prompts {
    use super::*;

    /// At most this many unpaid prompts to one number in an hour (from
    /// anyone but the number's own holder)...
    pub const MAX_UNPAID_PER_NUMBER: usize = 5;
    /// ...and this many asked for by one person, to any numbers.
    pub const MAX_UNPAID_PER_PERSON: usize = 10;

    /// Whether another prompt may be sent, given when the unpaid prompts
    /// that count were sent (any order); if not, when it may.
    pub fn may_prompt(unpaid_at: &[i64], max: usize, now_ms: i64) -> Result<(), i64> {
        let mut hour: Vec<i64> = unpaid_at.iter().copied().filter(|&t| t > now_ms - HOUR_MS).collect();
        hour.sort_unstable();
        if hour.len() >= max { Err(hour[hour.len() - max] + HOUR_MS) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaid_prompts_are_limited_per_hour_and_free_again_as_they_age() {
        let now = 10 * HOUR_MS;
        let five: Vec<i64> = (1..=5).map(|m| now - m * 10 * MINUTE_MS).collect();
        assert_eq!(prompts::may_prompt(&five[..4], 5, now), Ok(()));
        // The oldest of the five (50 minutes ago) leaves the hour in 10 minutes.
        assert_eq!(prompts::may_prompt(&five, 5, now), Err(now + 10 * MINUTE_MS));
        let old = [now - 2 * HOUR_MS; 9];
        assert_eq!(prompts::may_prompt(&old, 5, now), Ok(()), "older than an hour: not counted");
    }

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
    fn lookups_are_limited_per_hour_and_per_day_until_the_oldest_leave_the_window() {
        let now = 2 * DAY_MS;
        // One a minute, the last just now.
        let minutes = |n: i64| (0..n).map(|i| now - i * MINUTE_MS).collect::<Vec<_>>();
        assert_eq!(lookup::may_look_up(&minutes(59), now), Ok(()));
        // Sixty in the last hour: one more when the oldest is an hour old.
        assert_eq!(lookup::may_look_up(&minutes(60), now), Err((lookup::Spent::Hour, now + MINUTE_MS)));
        // Those older than a day do not count; 300 within it do.
        let old: Vec<i64> = (0..300).map(|i| now - DAY_MS - i).collect();
        assert_eq!(lookup::may_look_up(&old, now), Ok(()));
        let day: Vec<i64> = (0..300).map(|i| now - 23 * HOUR_MS + i * 2 * MINUTE_MS).collect();
        assert_eq!(lookup::may_look_up(&day, now), Err((lookup::Spent::Day, now + HOUR_MS)));
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
        assert!(password::check("short", &[]).is_err());
        assert!(password::check("Password123", &[]).is_err());
        assert!(password::check(&"x".repeat(129), &[]).is_err());
        assert!(password::check("mango lorry rain seven", &[]).is_ok());
    }

    #[test]
    fn guessable_passwords_are_refused_with_a_reason_and_what_to_do() {
        for weak in
            ["          ", "aaaaaaaaaa", "0000000000", "kenya-demo-1", "qwertyuiop", "iloveyou2024", "1234567890"]
        {
            let e = password::check(weak, &[]).expect_err(weak);
            assert!(!e.message.is_empty(), "{weak}");
        }
        let e = password::check("aaaaaaaaaaaa", &[]).unwrap_err();
        assert!(e.message.contains("repeats"), "{}", e.message);
        assert!(e.message.contains("three or four words"), "{}", e.message);
    }

    #[test]
    fn a_password_built_from_the_persons_own_identifiers_is_refused() {
        let own = ["Wanjiku Kamau Njoroge", "12345678", "+254712345678"];
        for weak in ["12345678abc", "wanjikukamau", "Wanjiku1990!", "0712345678x", "xx712345678"] {
            assert!(password::check(weak, &own).is_err(), "{weak}");
        }
        assert!(password::check("mango lorry rain seven", &own).is_ok());
    }

    #[test]
    fn sign_in_delays_grow_and_never_become_a_block() {
        assert_eq!(lockout::delay_ms(2), 0);
        assert_eq!(lockout::delay_ms(3), 2 * SECOND_MS);
        assert_eq!(lockout::delay_ms(4), 4 * SECOND_MS);
        assert_eq!(lockout::delay_ms(9), 128 * SECOND_MS);
        assert_eq!(lockout::delay_ms(10), 15 * MINUTE_MS);
        assert_eq!(lockout::delay_ms(1_000), 15 * MINUTE_MS);
        assert_eq!(lockout::gate(3, Some(0), 1_000), lockout::Gate::Wait(1_000));
        assert_eq!(lockout::gate(3, Some(0), 2_000), lockout::Gate::Open);
        assert_eq!(lockout::gate(50, Some(0), 15 * MINUTE_MS), lockout::Gate::Open);
        assert_eq!(lockout::current(50, 0, DAY_MS), 0);
        assert_eq!(lockout::current(50, 0, DAY_MS - 1), 50);
    }
}

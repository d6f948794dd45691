//! When a message that was not sent is tried again: after a pause that
//! doubles with each attempt, up to a ceiling, with a random part (so that
//! the messages a gateway outage held back do not all come back at the
//! same moment), until [`MAX_ATTEMPTS`].

/// Attempts before a message is given up on (`dead`). With the pauses
/// below, two to four hours of trying: a gateway outage of an afternoon
/// loses nothing.
pub const MAX_ATTEMPTS: i64 = 18;
/// The pause after a first failed attempt, at most.
const FIRST_MS: i64 = 2_000;
/// The longest pause.
const CEILING_MS: i64 = 30 * 60 * 1000;

/// The pause after failed attempt number `attempt` (1 for the first):
/// half of `FIRST_MS · 2^(attempt-1)` (at most the ceiling) for sure, and
/// up to as much again by `jitter` (from 0 to 1).
pub fn backoff_ms(attempt: i64, jitter: f64) -> i64 {
    let doublings = (attempt.max(1) - 1).min(30) as u32;
    let full = FIRST_MS.saturating_mul(1_i64 << doublings).min(CEILING_MS);
    let half = full / 2;
    half + (half as f64 * jitter.clamp(0.0, 1.0)) as i64
}

/// A random number from 0 to 1, for [`backoff_ms`].
pub(crate) fn jitter() -> f64 {
    let mut b = [0_u8; 4];
    // Without the OS's randomness the pause is the longest: never shorter.
    if getrandom::fill(&mut b).is_err() {
        return 1.0;
    }
    f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_with_each_attempt_and_varies_within_its_range() {
        let mut last_ceiling = 0;
        for attempt in 1..=MAX_ATTEMPTS {
            let (low, high) = (backoff_ms(attempt, 0.0), backoff_ms(attempt, 1.0));
            assert!(low * 2 == high || high - low * 2 == 1, "attempt {attempt}: {low}..{high}");
            assert!(high >= last_ceiling, "it never shrinks");
            last_ceiling = high;
            let mid = backoff_ms(attempt, 0.5);
            assert!(low < mid && mid < high, "the random part moves it");
        }
        assert_eq!((backoff_ms(1, 0.0), backoff_ms(1, 1.0)), (1_000, 2_000));
        assert_eq!(backoff_ms(2, 1.0), 4_000);
        assert_eq!(backoff_ms(MAX_ATTEMPTS, 1.0), CEILING_MS);
        let total: i64 = (1..MAX_ATTEMPTS).map(|a| backoff_ms(a, 0.0)).sum();
        assert!(total > 2 * 60 * 60 * 1000, "at least two hours of trying: {total} ms");
        let draws: Vec<i64> = (0..20).map(|_| backoff_ms(5, jitter())).collect();
        assert!(draws.iter().any(|d| *d != draws[0]), "jitter varies: {draws:?}");
        assert!(draws.iter().all(|d| (16_000..=32_000).contains(d)));
    }
}

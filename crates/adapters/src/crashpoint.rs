//! Named points where the process may be made to die, for the crash tests
//! and nothing else: when `TIMS_CRASH_AT` names a point, reaching it aborts
//! the process at once (no unwinding, no shutdown, no flush), as a power cut
//! or `kill -9` would. Without the variable every point is a comparison
//! with nothing; production mode refuses to start with it set.

use std::sync::OnceLock;

/// The variable that names the point to die at.
pub const VAR: &str = "TIMS_CRASH_AT";

/// The point named by `TIMS_CRASH_AT`, if any (read once).
pub fn armed() -> Option<&'static str> {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    AT.get_or_init(|| std::env::var(VAR).ok().filter(|v| !v.trim().is_empty())).as_deref()
}

/// Abort the process here if `TIMS_CRASH_AT` names `point`.
pub fn crashpoint(point: &str) {
    if armed() == Some(point) {
        eprintln!("{VAR}={point}: aborting here");
        std::process::abort();
    }
}

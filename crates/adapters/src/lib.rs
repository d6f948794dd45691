//! Interfaces to outside systems that more than one part of tims uses.
//!
//! `adapters` owns the small traits behind which an outside system sits (the
//! SMS gateway today) and their development adapters, so the sign-on and the
//! registry send through the same sender without knowing each other. Each
//! adapter says whether it is a development one, which production mode
//! refuses. It knows nothing of accounts, vehicles, HTTP routes or tables.

pub mod sms;

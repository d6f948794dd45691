//! Interfaces to outside systems that more than one part of tims uses.
//!
//! `adapters` owns the small traits behind which an outside system sits (the
//! SMS gateway today) and their development adapters, so the sign-on and the
//! registry send through the same sender without knowing each other. Each
//! adapter says whether it is a development one, which production mode
//! refuses. It also holds what both parts run the same way on their own
//! tables, named by each part: the durable outbox they send SMS through
//! (`outbox`) and the scheduler of their periodic jobs (`jobs`). It knows
//! nothing of accounts, vehicles or HTTP routes.

pub mod jobs;
pub mod outbox;
pub mod sms;

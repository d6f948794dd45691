//! Interfaces to outside systems that more than one part of tims uses.
//!
//! `adapters` owns the small traits behind which an outside system sits (the
//! SMS gateway, the payment gateway) and their development adapters, and
//! the SMS gateway's real one (`africastalking`, kept to the send-rate
//! limits of `throttle`), so the sign-on and the registry reach them
//! through one interface without knowing each other. Each adapter says whether it is a development one,
//! which production mode refuses. It also holds what both parts run the same
//! way on their own tables, named by each part: the durable outbox they send
//! SMS through and follow with the gateway's delivery reports (`outbox`)
//! and the scheduler of their periodic jobs (`jobs`), and the named points
//! the crash tests stop the process at (`crashpoint`).
//! It knows nothing of accounts, vehicles or HTTP routes.

use std::future::Future;
use std::pin::Pin;

pub mod africastalking;
pub mod crashpoint;
pub mod jobs;
pub mod mpesa;
pub mod outbox;
pub mod payments;
pub mod sms;
pub mod throttle;

pub use crashpoint::crashpoint;

/// What an adapter's method returns: a boxed future, so that the traits
/// stay object-safe (`Arc<dyn SmsSender>`) without an extra dependency.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

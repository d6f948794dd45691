//! Taking the transfer fee: the payment gateway's interface lives in
//! `adapters::payments`, beside the SMS gateway's; this path stays so that
//! `registry::payments::…` keeps working.

pub use adapters::payments::*;

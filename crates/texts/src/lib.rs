//! The text catalogue: every SMS, refusal and page text of tims, keyed by
//! message and language, with typed parameters.
//!
//! `texts` owns the words and how values read inside them (dates, money,
//! waits, states: [`format`]). A message is a variant of one of the
//! catalogue's enums — [`Sms`], [`Refusal`] (with [`TransferRefusal`],
//! [`StepRefusal`] and [`SignOnRefusal`]), [`Page`] (with the sign-on's own
//! [`SignOnPage`]) — whose fields are its parameters, and
//! each language renders every variant in an exhaustive `match`
//! (`sms/en.rs`, `sms/sw.rs`, …), so a message without a translation does
//! not compile. It must not know where a text goes (an outbox, a field
//! error, a template), nor any storage, HTTP or use-case type: callers pass
//! plain values.
//!
//! Adopting it (round 2), at a call site that today writes `format!`:
//!
//! ```
//! use texts::{Lang, Sms, Text as _};
//! let body = Sms::TransferToYou { reg_no: "KDA 001A", reference: "TR-ABCDE-FGHJK" }.render(Lang::En);
//! assert!(body.starts_with("tims: KDA 001A is being transferred to you"));
//! ```
//!
//! A refusal is rendered where the error is made (`FieldErrors::single("code",
//! Refusal::CodeExpired.render(lang))`) or, better, carried as the
//! `Refusal` and rendered where the page or problem body is written, in the
//! reader's language. Page copy is rendered in templates through
//! `{{ t(Page::ErrorSummaryTitle) }}`-style helpers of the page kit.
//!
//! The registry's HTTP side has two enums of its own: [`RegistryPage`] (the
//! copy its page handlers choose) and [`ApiText`] (its API's refusals).

pub mod format;
mod lang;
mod page;
mod refusal;
mod signon;
mod sms;
// The registry's HTTP side (pages and API), added in round 2.
mod api;
mod journey;
mod registry_page;
// The officer's review and the seller's resubmission (issue 13).
mod review;
// The language switch of every page (issue 13).
mod switch;

pub use lang::Lang;
pub use page::{Page, Part};
pub use refusal::{Claim, Refusal, Restart, SignOnRefusal, StepRefusal, StepTaker, TransferRefusal};
pub use signon::{SignOnAccount, SignOnMessage, SignOnPage};
pub use sms::{CodeFor, ConsentRole, Sms, sms_length};

// The registry's HTTP side (pages and API), added in round 2.
pub use api::ApiText;
pub use journey::{Answering, Journey, Progress};
pub use registry_page::RegistryPage;
pub use review::{ReviewReader, ReviewText};
pub use switch::SwitchText;

// The registry's payment, home, list and help pages (issue 13).
mod home;
mod pay;
pub use home::HomeText;
pub use pay::PayText;

// Paying by paybill and the payments staff see (issue 14).
mod payments;
pub use payments::PaymentsText;

/// A message that reads the same in every language it is rendered in.
pub trait Text {
    /// The message in `lang`, with its parameters in place.
    fn render(&self, lang: Lang) -> String;
    /// The message's key: its variant's name, the same in every language.
    fn key(&self) -> &'static str;
}

/// Declares one catalogue enum with its keys: `KEYS` lists every variant's
/// name, so a test can check that samples cover all of them.
/// `en` and `sw` name the functions that render it in each language.
macro_rules! catalogue {
    ($(#[$m:meta])* pub enum $name:ident<'a> in ($en:path, $sw:path) { $($body:tt)* }) => {
        $crate::catalogue!(@enum [$(#[$m])*] $name [<'a>] [<'_>] ($en, $sw) { $($body)* });
    };
    ($(#[$m:meta])* pub enum $name:ident in ($en:path, $sw:path) { $($body:tt)* }) => {
        $crate::catalogue!(@enum [$(#[$m])*] $name [] [] ($en, $sw) { $($body)* });
    };
    (@enum [$(#[$m:meta])*] $name:ident [$($lt:tt)*] [$($anon:tt)*] ($en:path, $sw:path) {
        $($(#[$vm:meta])* $v:ident $({ $($f:ident : $t:ty),* $(,)? })?),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name $($lt)* {
            $($(#[$vm])* $v $({ $($f: $t),* })?),*
        }

        impl $name $($anon)* {
            /// Every message's key, in declaration order.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($v)),*];

        }

        impl $crate::Text for $name $($anon)* {
            fn render(&self, lang: $crate::Lang) -> String {
                match lang {
                    $crate::Lang::En => $en(self),
                    $crate::Lang::Sw => $sw(self),
                }
            }

            fn key(&self) -> &'static str {
                match self {
                    $(Self::$v { .. } => stringify!($v)),*
                }
            }
        }
    };
}
pub(crate) use catalogue;

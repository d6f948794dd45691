//! What the registry's JSON API says when it refuses: the titles and
//! details of its problem bodies, and the field errors of a body, a
//! multipart form or a header it cannot read.
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. The
//! English texts are those integrators' clients see today: change them
//! only with the API's changelog. It must not know status codes or the
//! problem format: the API places these texts.

mod en;
mod sw;

use crate::catalogue;

catalogue! {
    /// A text of the API's refusals, with what it says.
    pub enum ApiText<'a> in (en::render, sw::render) {
        // Problem titles, by kind of refusal.
        FieldsNeedAttention,
        NotPossibleNow,
        TooManyRequests,
        SignInFirst,
        TokenRefused,
        NotAllowed,
        NotFound,
        Unavailable,
        SomethingWentWrong,
        // Problem details.
        TryAgainInAMoment,
        SendAccessToken,
        /// `why` names the check the token failed.
        TokenRefusedBecause { why: &'a str },
        NoSuchEndpoint,
        MethodNotAllowed,
        BodyTooLarge { mb: u64 },
        ScanMediaType,
        // A JSON body.
        ExpectedObject,
        NotJson { why: &'a str },
        NotJsonTrailing,
        UnknownFieldNone,
        /// `accepted` lists the fields the request takes, as serde names them.
        UnknownField { accepted: &'a str },
        Required,
        /// `expected` and `got` as serde says them.
        Expected { expected: &'a str, got: &'a str },
        // A multipart form.
        MultipartUnreadable { why: &'a str },
        UnknownPart,
        OneLogbookPart,
        LogbookPartMissing,
        // Headers.
        IdempotencyKeyFormat,
        IdempotencyKeyReused,
        IdempotencyKeyRunning,
        ActForAscii,
        // The operations' own fields.
        BuyerIdTypeOnlyForIndividuals,
        SayApproveOrRefuse,
        ChooseApproveOrReject,
        QuoteNeedsToken,
        NoVehicleRegistered { reg_no: &'a str },
        GiveRegistrationOrClass,
        WholeNumberUpTo { max: u32 },
    }
}

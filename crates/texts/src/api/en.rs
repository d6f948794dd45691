//! The API's refusals in English: the texts it answers today.

use super::ApiText as A;

pub(super) fn render(m: &A<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        A::FieldsNeedAttention => s("Some fields need attention"),
        A::NotPossibleNow => s("Not possible now"),
        A::TooManyRequests => s("Too many requests"),
        A::SignInFirst => s("Sign in first"),
        A::TokenRefused => s("Access token refused"),
        A::NotAllowed => s("Not allowed"),
        A::NotFound => s("Not found"),
        A::Unavailable => s("Unavailable"),
        A::SomethingWentWrong => s("Something went wrong"),
        A::TryAgainInAMoment => s("Try again in a moment"),
        A::SendAccessToken => s("Send the sign-on's access token as `Authorization: Bearer …`"),
        A::TokenRefusedBecause { why } => format!("The access token was refused: {why}"),
        A::NoSuchEndpoint => s("No such API endpoint"),
        A::MethodNotAllowed => s("This address does not take that method: the Allow header lists those it takes"),
        A::BodyTooLarge { mb } => format!("The request body is too large: at most {mb} MB"),
        A::ScanMediaType => s("Send the scan as application/pdf, image/jpeg, image/png or application/octet-stream, \
                               or as multipart/form-data with one file part named logbook"),
        A::ExpectedObject => s("Expected a JSON object, got an array"),
        A::NotJson { why } => format!("The request body is not JSON: {why}"),
        A::NotJsonTrailing => s("The request body is not JSON: it goes on after the value"),
        A::UnknownFieldNone => s("Unknown field: this request takes no fields"),
        A::UnknownField { accepted } => format!("Unknown field: this request takes {accepted}"),
        A::Required => s("Required"),
        A::Expected { expected, got } => format!("Expected {expected}, got {got}"),
        A::MultipartUnreadable { why } => format!("The multipart form could not be read: {why}"),
        A::UnknownPart => s("Unknown part: send one file part named logbook and nothing else"),
        A::OneLogbookPart => s("Send one file part named logbook, not several"),
        A::LogbookPartMissing => s("Send the scanned logbook as a file part named logbook"),
        A::IdempotencyKeyFormat => s("Send 1 to 255 visible ASCII characters"),
        A::IdempotencyKeyReused => {
            s("This key was already used for a different request: use a new key for a new request")
        }
        A::IdempotencyKeyRunning => s("A request with this Idempotency-Key is still being processed"),
        A::ActForAscii => s("Send a KRA PIN in ASCII"),
        A::BuyerIdTypeOnlyForIndividuals => s("Only for an individual buyer: leave it out for an organisation"),
        A::SayApproveOrRefuse => s("Say true to approve or false to refuse"),
        A::ChooseApproveOrReject => s("Choose approve or reject"),
        A::QuoteNeedsToken => s("A quote by registration_number reads the register, so send the sign-on's access \
                                 token as `Authorization: Bearer …`; a quote by class and engine_cc (or \
                                 trailer_wheels) needs none"),
        A::NoVehicleRegistered { reg_no } => format!("No vehicle {reg_no} is registered"),
        A::GiveRegistrationOrClass => {
            s("Give registration_number, or class (motor_vehicle, motorcycle, trailer, tractor)")
        }
        A::WholeNumberUpTo { max } => format!("Enter a whole number from 0 to {max}"),
    }
}

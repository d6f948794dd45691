//! What the API reads from a request body, strictly: JSON whose unknown
//! fields are refused and whose every refusal names the JSON path of the
//! field at fault; and the scanned logbook, as a raw body or as a multipart
//! form with one file part named `logbook`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use texts::{ApiText, Text as _};

use super::problem::{body_too_large, problem_for_status};
use crate::http::API_LANG;
use crate::{Error, FieldErrors};

/// An API text in the API's language.
fn t(m: ApiText<'_>) -> String {
    m.render(API_LANG)
}

/// A JSON request body. An empty body reads as `{}`, so that each field it
/// lacks is refused by name like any other.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        parse_json(&bytes).map(JsonBody).map_err(IntoResponse::into_response)
    }
}

/// Parse a JSON body, turning every malformed input into a field error
/// that names where in the body it is.
pub fn parse_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, Error> {
    let Some(first) = bytes.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Ok(T::default());
    };
    // serde would take a struct from an array too; the API takes objects.
    if *first == b'[' {
        return Err(FieldErrors::single("body", t(ApiText::ExpectedObject)));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(de).map_err(refusal)?;
    // Trailing characters after the value are a syntax error too.
    let mut rest = serde_json::Deserializer::from_slice(bytes).into_iter::<serde::de::IgnoredAny>();
    let _ = rest.next();
    if rest.next().is_some() {
        return Err(FieldErrors::single("body", t(ApiText::NotJsonTrailing)));
    }
    Ok(value)
}

/// The field error for a body serde refused.
fn refusal(e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if !matches!(inner.classify(), Category::Data) {
        let what = without_position(&inner.to_string());
        return FieldErrors::single("body", t(ApiText::NotJson { why: &what }));
    }
    let what = without_position(&inner.to_string());
    let at = |name: &str| if path == "." { name.to_string() } else { format!("{path}.{name}") };
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or_default().to_string();
    if let Some(rest) = what.strip_prefix("unknown field ") {
        let accepted = rest.split_once(", expected ").map_or(String::new(), |(_, a)| a.replace('`', ""));
        let accepted = accepted.strip_prefix("one of ").unwrap_or(&accepted).to_string();
        let message = if rest.contains("there are no fields") || accepted.is_empty() {
            t(ApiText::UnknownFieldNone)
        } else {
            t(ApiText::UnknownField { accepted: &accepted })
        };
        // The path ends with the unknown field itself.
        let name = quoted(rest);
        let field = if path.ends_with(&name) { path } else { at(&name) };
        return FieldErrors::single(field, message);
    }
    if let Some(rest) = what.strip_prefix("missing field ") {
        return FieldErrors::single(at(&quoted(rest)), t(ApiText::Required));
    }
    let field = if path == "." { "body".to_string() } else { path };
    let message = match what.split_once(", expected ") {
        Some((got, expected)) if got.starts_with("invalid type: ") || got.starts_with("invalid value: ") => {
            let got = got.trim_start_matches("invalid type: ").trim_start_matches("invalid value: ");
            t(ApiText::Expected { expected, got })
        }
        _ => what,
    };
    FieldErrors::single(field, message)
}

/// serde_json's message without its " at line 1 column 5".
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The content types a scan may be sent as, raw.
pub const SCAN_TYPES: [&str; 4] = ["application/pdf", "image/jpeg", "image/png", "application/octet-stream"];

/// The scanned logbook: the body itself (PDF, JPEG, PNG or octet-stream;
/// no content type is taken as octet-stream), or a multipart form with one
/// file part named `logbook` and nothing else.
pub struct ScanUpload(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for ScanUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
        match content_type.as_deref() {
            Some("multipart/form-data") => {
                let mp = Multipart::from_request(req, state).await.map_err(IntoResponse::into_response)?;
                logbook_part(mp).await.map(ScanUpload)
            }
            None => Ok(ScanUpload(Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?)),
            Some(t) if SCAN_TYPES.contains(&t) => {
                Ok(ScanUpload(Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?))
            }
            Some(_) => Err(problem_for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE, &t(ApiText::ScanMediaType))),
        }
    }
}

/// The one part named `logbook` of a multipart form.
async fn logbook_part(mut mp: Multipart) -> Result<Bytes, Response> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large()
        } else {
            FieldErrors::single("body", t(ApiText::MultipartUnreadable { why: &e.body_text() })).into_response()
        }
    };
    let mut file = None;
    while let Some(part) = mp.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or_default().to_string();
        if name != "logbook" {
            let field = if name.is_empty() { "body".into() } else { name };
            return Err(FieldErrors::single(field, t(ApiText::UnknownPart)).into_response());
        }
        if file.is_some() {
            return Err(FieldErrors::single("logbook", t(ApiText::OneLogbookPart)).into_response());
        }
        file = Some(part.bytes().await.map_err(unreadable)?);
    }
    file.ok_or_else(|| FieldErrors::single("logbook", t(ApiText::LogbookPartMissing)).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        #[serde(default)]
        code: String,
        #[serde(default)]
        inner: Option<Inner>,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        #[serde(default)]
        approve: Option<bool>,
    }

    fn refused(body: &str) -> (String, String) {
        match parse_json::<Sample>(body.as_bytes()) {
            Err(Error::Invalid(f)) => f.0[0].clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_field_is_refused_by_its_path_with_the_fields_taken() {
        assert_eq!(
            refused(r#"{"cod": "123456"}"#),
            ("cod".into(), "Unknown field: this request takes code or inner".into())
        );
        assert_eq!(refused(r#"{"inner": {"aprove": true}}"#).0, "inner.aprove");
    }

    #[test]
    fn a_wrong_type_names_the_field_not_the_value() {
        assert_eq!(refused(r#"{"code": 123}"#), ("code".into(), "Expected a string, got integer `123`".into()));
        assert_eq!(refused(r#"{"inner": {"approve": "yes"}}"#).0, "inner.approve");
        assert_eq!(refused(r#"{"code": null}"#).0, "code");
        assert_eq!(refused("[]").0, "body");
    }

    #[test]
    fn text_that_is_not_json_is_a_refusal_of_the_body() {
        let (field, message) = refused("{not json");
        assert_eq!(field, "body");
        assert!(message.starts_with("The request body is not JSON"), "{message}");
        assert_eq!(refused(r#"{"code": "1"} {}"#).0, "body");
    }

    #[test]
    fn an_empty_body_reads_as_an_empty_object() {
        assert_eq!(parse_json::<Sample>(b" \n").unwrap().code, "");
    }
}

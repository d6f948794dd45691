//! Typed forms, checked before a handler runs: the CSRF token first, then
//! (for [`SignedForm`]) the signed-in person.
//!
//! Owns reading an `application/x-www-form-urlencoded` body once into the
//! form's own struct, the double-submit CSRF check on its `csrf` field and
//! the order of the checks. It must not know a part's cookies, sessions or
//! error pages: the part says them through [`FormPart`], implemented once
//! on its router state (`Registry`, `Sso`):
//!
//! ```text
//! impl pagekit::FormPart for Registry {
//!     type Session = (Actor, String);
//!     fn csrf(&self) -> cookies::Csrf { CSRF }
//!     async fn session(&self, parts: &Parts) -> Result<Self::Session, Response> {
//!         signed_in(self, &parts.headers, addr(parts), parts.uri.path()).await.map_err(IntoResponse::into_response)
//!     }
//!     fn refused(&self, why: Refused) -> Response { csrf_refused() /* or an unreadable-form page */ }
//! }
//! async fn new_transfer_submit(SignedForm { session: (actor, _), form, .. }: SignedForm<Registry, NewTransferForm>) -> … {}
//! ```
//!
//! The form struct takes `#[derive(Deserialize)]` and ignores the `csrf`
//! field (serde's default; do not deny unknown fields).

use std::future::Future;

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

/// The name of every form's hidden CSRF field.
pub const CSRF_FIELD: &str = "csrf";

/// The most a form body may hold: text fields only (uploads are multipart
/// and read by their own handlers).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Why a form was refused before its handler ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The CSRF token was missing or not the visitor's: the form expired or
    /// came from another site.
    Csrf,
    /// The body could not be read as the form; says what did not fit.
    Unreadable(String),
}

/// What a part of tims tells the page kit so that its forms can be checked.
pub trait FormPart: Send + Sync + 'static {
    /// The signed-in person a form is sent by, as the part's handlers use it.
    type Session: Send;

    /// The part's double-submit CSRF check (its cookie).
    fn csrf(&self) -> cookies::Csrf;

    /// The signed-in person sending the request, or what to answer instead
    /// (the sign-in, coming back to `parts.uri`; an error page).
    fn session(&self, parts: &Parts) -> impl Future<Output = Result<Self::Session, Response>> + Send;

    /// The page answering a form refused before its handler ran.
    fn refused(&self, why: Refused) -> Response;

    /// The same, for a part whose answer depends on the request's head (a
    /// refused CSRF token explained by a missing cookie): by default
    /// [`refused`](Self::refused).
    fn refused_to(&self, why: Refused, parts: &Parts) -> Response {
        let _ = parts;
        self.refused(why)
    }
}

/// A form sent by a signed-in person, its CSRF token checked.
pub struct SignedForm<P: FormPart, T> {
    pub session: P::Session,
    pub form: T,
}

/// A form sent by anyone (sign-in, registration), its CSRF token checked.
pub struct CsrfForm<P, T> {
    pub form: T,
    part: std::marker::PhantomData<fn() -> P>,
}

// Written out: a derive would ask the part (the router state) to be Debug.
impl<P: FormPart, T: std::fmt::Debug> std::fmt::Debug for SignedForm<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedForm").field("form", &self.form).finish_non_exhaustive()
    }
}

impl<P, T: std::fmt::Debug> std::fmt::Debug for CsrfForm<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfForm").field("form", &self.form).finish()
    }
}

impl<S, P, T> FromRequest<S> for SignedForm<P, T>
where
    S: Send + Sync,
    P: FormPart + FromRef<S>,
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (part, parts, form) = read::<S, P, T>(req, state).await?;
        let session = part.session(&parts).await?;
        Ok(Self { session, form })
    }
}

impl<S, P, T> FromRequest<S> for CsrfForm<P, T>
where
    S: Send + Sync,
    P: FormPart + FromRef<S>,
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let (_, _, form) = read::<S, P, T>(req, state).await?;
        Ok(Self { form, part: std::marker::PhantomData })
    }
}

/// The part, the request's head and its body as `T`, once the body's CSRF
/// token matched the visitor's cookie.
async fn read<S, P, T>(req: Request, state: &S) -> Result<(P, Parts, T), Response>
where
    P: FormPart + FromRef<S>,
    T: DeserializeOwned,
{
    let part = P::from_ref(state);
    let (parts, body) = req.into_parts();
    let unreadable = |why: String| part.refused_to(Refused::Unreadable(why), &parts);
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES).await.map_err(|e| unreadable(e.to_string()))?;
    let sent = form_urlencoded::parse(&bytes).find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.into_owned());
    if !part.csrf().check(&parts.headers, sent.as_deref()) {
        return Err(part.refused_to(Refused::Csrf, &parts));
    }
    let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| unreadable(e.to_string()))?;
    Ok((part, parts, form))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;

    use super::*;

    /// A part for tests: the person is the `x-person` header.
    #[derive(Clone)]
    pub(crate) struct Part;

    impl FormPart for Part {
        type Session = String;

        fn csrf(&self) -> cookies::Csrf {
            cookies::Csrf { cookie: "__Host-t_csrf" }
        }

        async fn session(&self, parts: &Parts) -> Result<String, Response> {
            match parts.headers.get("x-person").and_then(|v| v.to_str().ok()) {
                Some(p) => Ok(p.to_string()),
                None => Err((StatusCode::SEE_OTHER, format!("/signin?return_to={}", parts.uri.path())).into_response()),
            }
        }

        fn refused(&self, why: Refused) -> Response {
            match why {
                Refused::Csrf => (StatusCode::FORBIDDEN, "expired").into_response(),
                Refused::Unreadable(w) => (StatusCode::BAD_REQUEST, w).into_response(),
            }
        }
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Sale {
        registration_number: String,
        copies: u32,
    }

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    fn post(cookie: Option<&str>, person: Option<&str>, body: &str) -> Request {
        let mut r = Request::builder().method("POST").uri("/transfers/new");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, format!("__Host-t_csrf={c}"));
        }
        if let Some(p) = person {
            r = r.header("x-person", p);
        }
        r.body(axum::body::Body::from(body.to_string())).unwrap()
    }

    #[tokio::test]
    async fn a_signed_in_persons_form_with_its_token_reaches_the_handler_typed() {
        let body = format!("csrf={TOKEN}&registration_number=KDA+001A&copies=2");
        let f = SignedForm::<Part, Sale>::from_request(post(Some(TOKEN), Some("p-1"), &body), &Part).await.unwrap();
        assert_eq!(f.session, "p-1");
        assert_eq!(f.form, Sale { registration_number: "KDA 001A".into(), copies: 2 });
        let anon = CsrfForm::<Part, Sale>::from_request(post(Some(TOKEN), None, &body), &Part).await.unwrap();
        assert_eq!(anon.form.copies, 2);
    }

    #[tokio::test]
    async fn a_form_without_the_visitors_token_is_refused_before_anything_else() {
        let body = "csrf=another&registration_number=KDA+001A&copies=2";
        let r = SignedForm::<Part, Sale>::from_request(post(Some(TOKEN), None, body), &Part).await.unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "the token is checked before the session");
        let body = format!("registration_number=KDA+001A&copies=2&x={TOKEN}");
        let r = CsrfForm::<Part, Sale>::from_request(post(Some(TOKEN), None, &body), &Part).await.unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = CsrfForm::<Part, Sale>::from_request(post(None, None, &format!("csrf={TOKEN}")), &Part).await;
        assert_eq!(r.unwrap_err().status(), StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn no_session_answers_the_parts_sign_in_and_a_bad_form_says_why() {
        let body = format!("csrf={TOKEN}&registration_number=KDA+001A&copies=2");
        let r = SignedForm::<Part, Sale>::from_request(post(Some(TOKEN), None, &body), &Part).await.unwrap_err();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let body = format!("csrf={TOKEN}&registration_number=KDA+001A&copies=two");
        let r = SignedForm::<Part, Sale>::from_request(post(Some(TOKEN), Some("p"), &body), &Part).await.unwrap_err();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}

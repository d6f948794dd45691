//! The signed-in person on a page that takes no form (a list, a record),
//! checked before its handler runs, as [`SignedForm`](crate::SignedForm)
//! checks it for a form.
//!
//! Owns only the extractor: the part says who is signed in and what to
//! answer instead through [`FormPart::session`]. It must not know a part's
//! cookies or sessions.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Response;

use crate::FormPart;

/// The signed-in person sending a request; without one, the part's answer
/// instead (its sign-in, coming back to the page; an error page).
///
/// ```text
/// async fn my_vehicles(Signed(me): Signed<Registry>, …) -> … {}
/// ```
pub struct Signed<P: FormPart>(pub P::Session);

impl<S, P> FromRequestParts<S> for Signed<P>
where
    S: Send + Sync,
    P: FormPart + FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        P::from_ref(state).session(parts).await.map(Signed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::{Request, StatusCode};

    use super::*;
    use crate::form::tests::Part;

    #[tokio::test]
    async fn a_page_gets_the_signed_in_person_or_the_parts_answer() {
        let req = |person: Option<&str>| {
            let mut r = Request::builder().uri("/vehicles");
            if let Some(p) = person {
                r = r.header("x-person", p);
            }
            r.body(()).unwrap().into_parts().0
        };
        let Signed(me) = Signed::<Part>::from_request_parts(&mut req(Some("p-1")), &Part).await.unwrap();
        assert_eq!(me, "p-1");
        let Err(r) = Signed::<Part>::from_request_parts(&mut req(None), &Part).await else { panic!("signed in") };
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
}

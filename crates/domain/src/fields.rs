//! Field-by-field refusals of a request: one type for every part of tims.
//!
//! Owns [`FieldErrors`], the list of (field, message) pairs a form or an API
//! body is refused with, in the request's order, and the few ways to build
//! one. It must not know how a part shows them (an error summary, a
//! problem+json body) nor the parts' error types: a part names those through
//! [`FieldPart`], once, beside its own error:
//!
//! ```
//! #[derive(Debug)]
//! pub enum Error { Invalid(FieldErrors) }
//! pub struct Fields;
//! impl domain::FieldPart for Fields {
//!     type Name = String;        // how the part names a field
//!     type Error = Error;        // what refused fields become
//! }
//! pub type FieldErrors = domain::FieldErrors<Fields>;
//! impl From<FieldErrors> for Error { fn from(f: FieldErrors) -> Self { Error::Invalid(f) } }
//!
//! let refused: Result<(), Error> = Err(FieldErrors::single("code".to_string(), "Enter the code").into());
//! assert!(matches!(refused, Err(Error::Invalid(_))));
//! ```
//!
//! Then `FieldErrors::single("code", "…")` is the part's error and
//! `errors.into_result()?` returns early with it, as before.

use std::fmt;

use crate::FieldError;

/// What a part of tims calls its fields and which of its errors refused
/// fields become.
pub trait FieldPart: Sized {
    /// A field's name: `String` where names come from the request (the
    /// registry's API names JSON paths), `&'static str` where every name is
    /// fixed in code (the sign-on's forms).
    type Name: Clone + fmt::Debug + PartialEq + Eq + fmt::Display + AsRef<str>;
    /// The part's error, which carries the refusals.
    type Error: From<FieldErrors<Self>>;
}

/// Field-by-field refusals of a request, in the request's order.
pub struct FieldErrors<P: FieldPart>(pub Vec<(P::Name, String)>);

impl<P: FieldPart> FieldErrors<P> {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn add(&mut self, field: impl Into<P::Name>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of a parse, or its error recorded under `field`.
    pub fn check<T>(&mut self, field: impl Into<P::Name>, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.message);
                None
            }
        }
    }

    /// `Ok` when nothing was refused, else the part's error.
    pub fn into_result(self) -> Result<(), P::Error> {
        if self.is_empty() { Ok(()) } else { Err(self.into()) }
    }

    /// The part's error refusing one field.
    pub fn single(field: impl Into<P::Name>, message: impl Into<String>) -> P::Error {
        let mut e = Self::new();
        e.add(field, message);
        e.into()
    }

    /// The message refusing `field`, if it was refused.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f.as_ref() == field).map(|(_, m)| m.as_str())
    }
}

// Written out rather than derived: a derive would ask the part's marker type,
// not its field name, to be `Clone`, `Debug` and so on.
impl<P: FieldPart> Default for FieldErrors<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: FieldPart> Clone for FieldErrors<P> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<P: FieldPart> fmt::Debug for FieldErrors<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FieldErrors").field(&self.0).finish()
    }
}

impl<P: FieldPart> PartialEq for FieldErrors<P> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<P: FieldPart> Eq for FieldErrors<P> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Refused {
        Invalid(FieldErrors<Part>),
    }
    struct Part;
    impl FieldPart for Part {
        type Name = &'static str;
        type Error = Refused;
    }
    impl From<FieldErrors<Part>> for Refused {
        fn from(f: FieldErrors<Part>) -> Self {
            Refused::Invalid(f)
        }
    }

    fn register(phone: &str, name: &str) -> Result<(), Refused> {
        let mut errors = FieldErrors::<Part>::new();
        errors.check("phone", crate::Phone::parse(phone));
        if name.is_empty() {
            errors.add("name", "Enter your name");
        }
        errors.into_result()?;
        Ok(())
    }

    #[test]
    fn refusals_keep_the_order_of_the_request_and_become_the_parts_error() {
        assert_eq!(register("0712345678", "Wanjiku"), Ok(()));
        let Err(Refused::Invalid(e)) = register("12", "") else { panic!("refused") };
        assert_eq!(e.0.iter().map(|(f, _)| *f).collect::<Vec<_>>(), ["phone", "name"]);
        assert_eq!(e.message_for("name"), Some("Enter your name"));
        assert_eq!(e.message_for("email"), None);
        let Refused::Invalid(one) = FieldErrors::<Part>::single("code", "Wrong code");
        assert_eq!(one.0, vec![("code", "Wrong code".to_string())]);
        assert_eq!(one.clone(), one);
    }
}

//! OpenAPI schemas of the names `domain` defines (with the `openapi`
//! feature): a string that is one of a list, read from the enums' own lists
//! so the API document follows them. Nothing here knows HTTP.

use serde_json::Value;
use utoipa::openapi::schema::{Array, Object, ObjectBuilder, SchemaType, Type};

/// A string that is one of `values`.
pub fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.into_iter().map(Value::from))).build()
}

/// A string that is one of `values`, or null.
pub fn one_of_or_null<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    let values = values.into_iter().map(Value::from).chain([Value::Null]);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .build()
}

/// The roles a caller may hold on a transfer, as a list.
pub fn transfer_roles() -> Array {
    Array::new(one_of(crate::transfer::Party::CALLER_ROLES.iter().copied()))
}

//! The OpenAPI 3.1 document of the API, made from the handlers' own
//! attributes and types, with what every operation shares declared once
//! here: the Bearer token it needs, `X-Act-For`, and the problem+json
//! refusals ([`Refusals`], or [`PublicRefusals`] for the public fee
//! schedule), added to each operation by [`EveryOperation`]; and what only
//! this server knows (its address, its offices, its sign-on).

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{RefOr, Server};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi};

use super::problem::{self, PublicRefusals, Refusals};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tims registry API",
        version = "1",
        description = "Vehicles, owners and the online logbook transfer. Send the sign-on's access token as a \
                       Bearer token (only the gazetted fee schedule and a fee quote by class are public); to act \
                       for an organisation send its KRA PIN in X-Act-For. Every POST honours Idempotency-Key: \
                       the same key and body give the first answer again. Request bodies are read strictly: an \
                       unknown field is refused. Errors are RFC 9457 problem+json; a refused field is named in \
                       `errors` (a JSON path, a query parameter or a header). Every answer carries \
                       Cache-Control: no-store."
    ),
    modifiers(&BearerAuth),
    components(schemas(problem::Problem, problem::FieldProblem)),
    tags(
        (name = "vehicles", description = "Inquiry and the caller's vehicles"),
        (name = "transfers", description = "The logbook transfer, step by step"),
        (name = "review", description = "The agency's officers"),
        (name = "fees", description = "The fee schedule")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Beside the bearer scheme, where its tokens come from: the provider's
/// discovery document (`openIdConnect`), known only once the issuer is.
fn declare_provider(openapi: &mut utoipa::openapi::OpenApi, issuer: &str) {
    use utoipa::openapi::security::{OpenIdConnect, SecurityScheme};
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "openIdConnect",
        SecurityScheme::OpenIdConnect(OpenIdConnect::with_description(
            format!("{issuer}/.well-known/openid-configuration"),
            "The sign-on that issues the access tokens of the bearer scheme: authorization code flow with PKCE \
             (S256) for a client the operator registered with API access; scopes openid profile phone \
             organisations (offline_access for a refresh token)."
                .to_string(),
        )),
    );
}

/// What every operation shares, declared once: an operation that does not
/// say otherwise needs the Bearer token, takes `X-Act-For` and refuses as
/// [`Refusals`]; one that says it is public (its security allows no token)
/// refuses as [`PublicRefusals`]. An operation's own responses come first.
pub struct EveryOperation;

impl Modify for EveryOperation {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                declare_shared(op);
            }
            if let Some(op) = &mut item.post {
                declare_shared(op);
                declare_replays(op);
            }
        }
    }
}

/// A POST's answers may be replays of the first answer to its
/// `Idempotency-Key`, marked so.
fn declare_replays(op: &mut Operation) {
    let replayed = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["true"]))))
        .description(Some("`true` on the first answer to this request's Idempotency-Key, given again"))
        .build();
    for (status, response) in &mut op.responses.responses {
        if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
            r.headers.entry("Idempotent-Replayed".to_string()).or_insert_with(|| replayed.clone().into());
        }
    }
}

fn declare_shared(op: &mut Operation) {
    let anyone = SecurityRequirement::default();
    let public = op.security.as_ref().is_some_and(|s| s.contains(&anyone));
    let refusals = if public {
        PublicRefusals::responses()
    } else {
        op.security.get_or_insert_with(|| vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
        let params = op.parameters.get_or_insert_with(Vec::new);
        for (i, p) in ActFor::into_params(|| Some(ParameterIn::Header)).into_iter().enumerate() {
            params.insert(i, p.into());
        }
        Refusals::responses()
    };
    for (status, response) in refusals {
        op.responses.responses.entry(status).or_insert(response);
    }
}

/// Whom the caller acts for.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct ActFor {
    /// The KRA PIN of an organisation the caller belongs to, to act for it;
    /// none (or empty) to act for oneself.
    #[param(rename = "X-Act-For", nullable = false, pattern = "^([AP][0-9]{9}[A-Z])?$", example = "P051234567A")]
    x_act_for: Option<String>,
}

/// What the document says that only this server knows: its public address,
/// the offices a logbook may be collected from, and the sign-on that issues
/// its tokens.
pub struct Site<'a> {
    pub public_url: &'a str,
    pub offices: &'a [String],
    pub issuer: &'a str,
}

/// The OpenAPI 3.1 document, as served at `/api/openapi.json`.
pub fn openapi_json(site: &Site) -> String {
    let mut doc = super::routes().1;
    doc.servers = Some(vec![Server::new(site.public_url.trim_end_matches('/'))]);
    declare_provider(&mut doc, site.issuer);
    if let Some(RefOr::T(Schema::Object(acceptance))) =
        doc.components.as_mut().and_then(|c| c.schemas.get_mut("Acceptance"))
        && let Some(office) = acceptance.properties.get_mut("collection_office")
    {
        let description = "The office where the buyer will collect the new logbook";
        *office = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(description))
            .enum_values(Some(site.offices.iter().map(String::as_str)))
            .into();
    }
    doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::http::api::schema;

    /// Attributes take patterns as literals only: each registration number
    /// the document names, in a path, a query or a body, has the one pattern.
    #[test]
    fn every_registration_number_in_the_document_has_the_same_pattern() {
        let offices = ["Mombasa".to_string()];
        let site = Site { public_url: "https://tims.example/", offices: &offices, issuer: "https://tims.example/sso" };
        let doc = openapi_json(&site);
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(doc["servers"][0]["url"], "https://tims.example");
        let mut seen = 0;
        let mut look = vec![&doc];
        while let Some(v) = look.pop() {
            if let Some(o) = v.as_object() {
                let named = o.get("name").and_then(|n| n.as_str()) == Some("registration_number");
                let pattern = if named { o.get("schema").and_then(|s| s.get("pattern")) } else { None };
                let property = o.get("registration_number").and_then(|p| p.get("pattern"));
                for p in pattern.into_iter().chain(property) {
                    assert_eq!(p.as_str(), Some(schema::REGISTRATION_NUMBER));
                    seen += 1;
                }
                look.extend(o.values());
            } else if let Some(a) = v.as_array() {
                look.extend(a);
            }
        }
        assert!(seen >= 5, "the path, the quote and each kind of new transfer: {seen}");
    }

    /// What every operation shares is declared once and reaches each one:
    /// those that need a token take X-Act-For and name every refusal; the
    /// public ones name theirs.
    #[test]
    fn every_operation_carries_the_shared_parameters_and_refusals() {
        let offices = ["Mombasa".to_string()];
        let site = Site { public_url: "https://tims.example", offices: &offices, issuer: "https://tims.example/sso" };
        let doc: serde_json::Value = serde_json::from_str(&openapi_json(&site)).unwrap();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                seen += 1;
                let public = op["security"].as_array().unwrap().iter().any(|s| s == &serde_json::json!({}));
                let names: Vec<&str> =
                    op["parameters"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
                let statuses: Vec<&str> = op["responses"].as_object().unwrap().keys().map(String::as_str).collect();
                let refusals: &[&str] =
                    if public { &["401", "422", "default"] } else { &["401", "403", "404", "409", "422", "default"] };
                for status in refusals {
                    assert!(statuses.contains(status), "{method} {path}: {statuses:?}");
                    assert_eq!(
                        op["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"],
                        "#/components/schemas/Problem"
                    );
                }
                assert_eq!(names.first() == Some(&"X-Act-For"), !public, "{method} {path}: {names:?}");
            }
        }
        assert_eq!(
            seen, 27,
            "two for the payment and what needs action, one for the review, three for staff's payments, one for a refund"
        );
    }
}

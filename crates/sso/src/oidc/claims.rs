//! What the provider tells a client about a person: the claims each scope
//! releases (in ID tokens and at userinfo), and the userinfo answer for an
//! access token. It knows accounts and organisations, not grants or HTTP.

use serde_json::{Map, Value, json};

use crate::{Error, Sso, accounts, orgs};

/// The claims about a person that a scope releases.
pub async fn user_claims(sso: &Sso, account: &accounts::Account, scope: &str) -> Result<Map<String, Value>, Error> {
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut c = Map::new();
    c.insert("sub".into(), json!(account.id));
    if scopes.contains(&"profile") {
        c.insert("name".into(), json!(account.full_name));
        c.insert("account_type".into(), json!(account.account_type.as_str()));
        c.insert("id_number".into(), json!(account.id_number));
        // The language the person chose (BCP 47, OpenID Connect's
        // `locale`), so relying parties write to them in it; left out for
        // one who never chose.
        if let Some(lang) = account.lang {
            c.insert("locale".into(), json!(lang.tag()));
        }
    }
    if scopes.contains(&"phone") {
        c.insert("phone_number".into(), json!(account.phone));
        c.insert("phone_number_verified".into(), json!(account.phone_verified));
        // Whether the person takes transaction alerts by SMS (codes are
        // always sent), so relying parties respect the same choice.
        c.insert("sms_alerts".into(), json!(account.sms_alerts));
    }
    if scopes.contains(&"organisations") {
        let orgs: Vec<Value> = orgs::of_account(sso, &account.id)
            .await?
            .into_iter()
            .filter(|m| m.status == orgs::Status::Active)
            .map(|m| json!({"kra_pin": m.kra_pin, "name": m.name, "kind": m.kind, "role": m.role}))
            .collect();
        c.insert("organisations".into(), Value::Array(orgs));
    }
    Ok(c)
}

/// The userinfo answer for a bearer access token, or `None` if the token is
/// not one this provider issued and still honours.
#[tracing::instrument(skip_all, fields(account_id = tracing::field::Empty))]
pub async fn userinfo(sso: &Sso, bearer: &str) -> Result<Option<Value>, Error> {
    let now = sso.now_ms();
    sso.keys().refresh_if_stale(sso.db(), now).await?;
    let Some((typ, claims)) = sso.keys().verify(bearer) else {
        return Ok(None);
    };
    let fresh = claims.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp * 1000 > now);
    let ours = claims.get("iss").and_then(Value::as_str) == Some(sso.config().issuer.as_str());
    if typ != "at+jwt" || !fresh || !ours {
        return Ok(None);
    }
    let (Some(sub), Some(scope)) =
        (claims.get("sub").and_then(Value::as_str), claims.get("scope").and_then(Value::as_str))
    else {
        return Ok(None);
    };
    tracing::Span::current().record("account_id", sub);
    let account = match accounts::get(sso, sub).await {
        Ok(a) if !a.blocked => a,
        Ok(_) | Err(Error::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Value::Object(user_claims(sso, &account, scope).await?)))
}

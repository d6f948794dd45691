#![allow(clippy::unwrap_used)]
//! The HTTP adapters for the population and KRA registers, against a small
//! stand-in register served on port 0.

mod common;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use common::{Backend, TestApp};
use domain::{AccountType, KraPin};
use serde_json::json;
use sso::registers::{HttpRegister, KraRegister, PopulationRegister, RegisterError};

async fn stand_in() -> String {
    fn authorised(h: &HeaderMap) -> bool {
        h.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer reg-token")
    }
    let app = Router::new()
        .route(
            "/people/{kind}/{id}",
            get(|h: HeaderMap, Path((kind, id)): Path<(String, String)>| async move {
                if !authorised(&h) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                match id.as_str() {
                    "11112222" => {
                        axum::Json(json!({"account_type": kind, "id_number": id, "full_name": "Jane Wambui", "date_of_birth": "1991-04-01"}))
                            .into_response()
                    }
                    "55555555" => (StatusCode::OK, "not json").into_response(),
                    "66666666" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                    _ => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
        .route(
            "/taxpayers/{pin}",
            get(|h: HeaderMap, Path(pin): Path<String>| async move {
                if !authorised(&h) {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                if pin == "P000000001A" {
                    axum::Json(
                        json!({"kra_pin": pin, "name": "Mfano Limited", "kind": "company", "directors": ["11112222"]}),
                    )
                    .into_response()
                } else {
                    StatusCode::NOT_FOUND.into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn the_http_adapters_read_found_missing_and_broken_answers() {
    let base = stand_in().await;
    let reg = HttpRegister::new(url::Url::parse(&base).unwrap(), Some("reg-token".into()));
    let p = PopulationRegister::find(&reg, AccountType::Citizen, "11112222").await.unwrap().unwrap();
    assert_eq!(p.full_name, "Jane Wambui");
    assert!(PopulationRegister::find(&reg, AccountType::Citizen, "99999999").await.unwrap().is_none());
    assert!(matches!(
        PopulationRegister::find(&reg, AccountType::Citizen, "55555555").await,
        Err(RegisterError::BadAnswer(_))
    ));
    assert!(matches!(
        PopulationRegister::find(&reg, AccountType::Citizen, "66666666").await,
        Err(RegisterError::Unavailable(_))
    ));
    let t = KraRegister::find(&reg, &KraPin::parse("P000000001A").unwrap()).await.unwrap().unwrap();
    assert_eq!(t.directors, ["11112222"]);
    let no_token = HttpRegister::new(url::Url::parse(&base).unwrap(), None);
    assert!(PopulationRegister::find(&no_token, AccountType::Citizen, "11112222").await.is_err());
    let down = HttpRegister::new(url::Url::parse("http://127.0.0.1:9").unwrap(), None);
    assert!(matches!(
        PopulationRegister::find(&down, AccountType::Citizen, "11112222").await,
        Err(RegisterError::Unavailable(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_uses_the_configured_register_and_a_silent_register_changes_nothing() {
    let base = stand_in().await;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.sso.population_register_url = Some(base.clone());
        c.sso.population_register_token = Some(tims::Secret::new("reg-token"));
    })
    .await
    .unwrap();
    let mut b = app.browser();
    let r = b.post("/sso/register", &common::stand_in_registration("66666666")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("nothing was changed"));
    let r = b.post("/sso/register", &common::stand_in_registration("11112222")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let name: String = sqlx::query_scalar("SELECT full_name FROM sso_accounts WHERE id_number = '11112222'")
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    assert_eq!(name, "Jane Wambui");
}

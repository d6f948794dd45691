//! The development SMS page (`/sso/dev/sms`): the messages the development
//! sink caught, as a page and as JSON. Never routed in production. It
//! decides nothing.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use texts::SignOnMessage as M;

use super::{PageLang, Says, render};
use crate::Sso;
use crate::http::respond::no_store;

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/dev/sms", get(dev_sms)).route("/sso/dev/sms.json", get(dev_sms_json))
}

#[derive(Template)]
#[template(path = "dev_sms.html")]
struct DevSmsTemplate {
    lang: texts::Lang,
    messages: Vec<crate::sms::SentSms>,
}

impl Says for DevSmsTemplate {
    fn lang(&self) -> texts::Lang {
        self.lang
    }
}

async fn dev_sms(State(sso): State<Sso>, PageLang(lang): PageLang) -> Response {
    let messages = sso.adapters().dev_sms.as_ref().map(|s| s.messages(None)).unwrap_or_default();
    no_store(render(StatusCode::OK, &DevSmsTemplate { lang, messages }))
}

async fn dev_sms_json(State(sso): State<Sso>, Query(q): Query<HashMap<String, String>>) -> Response {
    let to = q.get("to").and_then(|t| domain::Phone::parse(t).ok());
    let messages =
        sso.adapters().dev_sms.as_ref().map(|s| s.messages(to.as_ref().map(|p| p.as_str()))).unwrap_or_default();
    no_store(Json(messages).into_response())
}

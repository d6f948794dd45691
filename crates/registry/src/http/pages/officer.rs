//! The officer's review answers and the buyer's payment, one button each
//! on the transfer's page, until they get their own pages.

use axum::extract::{Path, State};
use axum::response::Response;
use pagekit::SignedForm;
use serde::Deserialize;

use super::frame::{message_page, user};
use super::transfer::to_transfer;
use crate::{Registry, transfers};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    reason: String,
}

async fn review(reg: Registry, id: String, f: SignedForm<Registry, ReviewForm>, approve: bool) -> Response {
    let SignedForm { session: me, form: f } = f;
    let reason = Some(f.reason.as_str()).filter(|_| !approve);
    match transfers::review(&reg, &me.actor, &id, approve, reason).await {
        Ok(_) => to_transfer(&id, "reviewed"),
        Err(e) => message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), &e),
    }
}

pub async fn approve(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, ReviewForm>,
) -> Response {
    review(reg, id, f, true).await
}

pub async fn reject(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, ReviewForm>,
) -> Response {
    review(reg, id, f, false).await
}

pub async fn pay(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, super::form::Confirm>,
) -> Response {
    let me = f.session;
    match transfers::pay(&reg, &me.actor, &id).await {
        Ok(_) => to_transfer(&id, "paid"),
        Err(e) => message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), &e),
    }
}

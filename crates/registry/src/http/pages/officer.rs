//! The buyer's payment, one button on the transfer's page, until it gets
//! its own pages. (The officer's review has its own: `review`,
//! `review_decide`.)

use axum::extract::{Path, State};
use axum::response::Response;
use pagekit::SignedForm;

use super::frame::{message_page, user};
use super::transfer::to_transfer;
use crate::{Registry, transfers};

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

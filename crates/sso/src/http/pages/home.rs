//! The account's home page: who is signed in, their organisations, a
//! notice of what was just done, and always the way to the vehicle
//! registry. It decides nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;

use texts::{Lang, SignOnAccount as A, SignOnPage as P};

use super::{Notice, PageLang, Says, error_page, notice_text, registry_link, render};
use crate::accounts::Account;
use crate::http::browser::{CSRF, signed_in};
use crate::http::respond::{no_store, see_other, with_cookies};
use crate::{Sso, orgs};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso", get(home)).route("/sso/", get(home))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTemplate {
    lang: Lang,
    account: Account,
    orgs: Vec<orgs::Membership>,
    csrf: String,
    notice: String,
    /// The registry's address and the words of the link to it.
    registry: Option<(String, String)>,
}

impl Says for AccountTemplate {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl AccountTemplate {
    fn account_type(&self) -> String {
        self.t(A::AccountTypeName { account_type: self.account.account_type })
    }

    fn document(&self) -> String {
        self.t(A::DocumentName { account_type: self.account.account_type })
    }

    fn kind(&self, kind: &domain::org::OrgKind) -> String {
        self.t(A::OrgKindName { kind: *kind })
    }
}

async fn home(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Query(q): Query<Notice>,
) -> Response {
    match signed_in(&sso, &headers).await {
        Ok(Some((_, account))) => {
            let orgs = match orgs::of_account(&sso, &account.id).await {
                Ok(o) => o,
                Err(e) => return error_page(lang, &e),
            };
            let (csrf, set) = CSRF.token_for(&headers);
            let notice = notice_text(lang, q.done.as_deref());
            let registry = registry_link(&sso, lang);
            let page = AccountTemplate { lang, account, orgs, csrf, notice, registry };
            no_store(with_cookies(render(StatusCode::OK, &page), set))
        }
        Ok(None) => see_other("/sso/signin"),
        Err(e) => error_page(lang, &e),
    }
}

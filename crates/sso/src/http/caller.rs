//! Who is asking: the extractor that gives every use case the request's
//! source address and known-browser cookie. It knows no use case.

use super::browser::DEVICE_COOKIE;
use crate::Sso;
use crate::accounts::Client;

/// Who is asking: the source address and the known-browser cookie. The
/// address is the connection's peer, or, behind a proxy the operator
/// names (`client_ip_header`), the last address that proxy appended.
pub struct Caller(pub Client);

impl axum::extract::FromRequestParts<Sso> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, sso: &Sso) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let forwarded = sso
            .config()
            .client_ip_header
            .as_deref()
            .and_then(|h| parts.headers.get(h))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        let device = cookies::get(&parts.headers, DEVICE_COOKIE).filter(|v| !v.is_empty());
        let (chosen_lang, page_lang) = (pagekit::chosen_lang(&parts.headers), pagekit::page_lang(&parts.headers));
        Ok(Self(Client { source: forwarded.unwrap_or(peer), device, chosen_lang, page_lang }))
    }
}

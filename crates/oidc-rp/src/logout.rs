//! Signing out at the provider (RP-Initiated Logout 1.0): the URL to send
//! the browser to, if the provider has one. It knows no session: ending the
//! caller's own is the caller's.

use crate::Provider;

impl Provider {
    /// The provider's sign-out URL (RP-Initiated Logout 1.0), if it has one.
    pub fn end_session_url(
        &self,
        id_token_hint: &str,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Option<String> {
        let mut url = self.inner.end_session_endpoint.clone()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("id_token_hint", id_token_hint).append_pair("client_id", &self.inner.cfg.client_id);
            if let Some(uri) = post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", uri);
            }
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        Some(url.into())
    }
}

//! Addresses the provider sends a browser back to: a client's registered
//! address with parameters added. It decides nothing.

/// `base` with `pairs` added to its query (or `base` as it is, if it is not
/// a URL).
pub(super) fn with_params(base: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => base.to_string(),
    }
}

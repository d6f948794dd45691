//! The HTTP server's frame: health, readiness, metrics, request ids,
//! request logs and security headers around every part's router.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use db::Db;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;

use crate::config::Secret;
use crate::serve::BodyDeadline;

fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // A second application in the same process (tests) shares the first
        // recorder; that failure is expected and harmless.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Request latencies as a Prometheus histogram with fixed buckets, kept in
/// atomics: one increment per request. (The exporter's own histograms keep
/// every sample until drained, and draining them at tens of thousands of
/// requests a second stalled the server for tens of milliseconds.)
struct LatencyHistogram {
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

const BUCKETS: [f64; 13] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

static LATENCY: LatencyHistogram =
    LatencyHistogram { counts: [const { AtomicU64::new(0) }; BUCKETS.len() + 1], sum_micros: AtomicU64::new(0) };

impl LatencyHistogram {
    fn observe(&self, secs: f64) {
        let i = BUCKETS.iter().position(|b| secs <= *b).unwrap_or(BUCKETS.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((secs * 1e6) as u64, Ordering::Relaxed);
    }

    fn render(&self) -> String {
        let name = "tims_http_request_duration_seconds";
        let mut out = format!("# HELP {name} Time to answer an HTTP request.\n# TYPE {name} histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.counts[i].load(Ordering::Relaxed);
            out.push_str(&format!("{name}_bucket{{le=\"{bound}\"}} {cumulative}\n"));
        }
        cumulative += self.counts[BUCKETS.len()].load(Ordering::Relaxed);
        out.push_str(&format!("{name}_bucket{{le=\"+Inf\"}} {cumulative}\n"));
        out.push_str(&format!("{name}_sum {}\n", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6));
        out.push_str(&format!("{name}_count {cumulative}\n"));
        out
    }
}

/// What the frame adds to every response beyond the usual.
#[derive(Debug, Clone, Copy)]
pub struct FrameOptions {
    /// Strict-Transport-Security: only in production, where the public
    /// address is https (a development server on plain http must not ask
    /// browsers to insist on https for its host).
    pub hsts: bool,
}

/// The main port's routes; `metrics` are merged in when they are served
/// here (see [`metrics_routes`]), and so are the SMS routes that read both
/// parts' outboxes (`sms_reports`, `sms_staff`).
pub fn router(
    db: Db,
    sso: sso::Sso,
    registry: registry::Registry,
    metrics: Option<Router>,
    sms: Router,
    frame_options: FrameOptions,
) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz).with_state(db))
        .merge(metrics.unwrap_or_default())
        .merge(sms)
        // The pages' stylesheet and favicon, at URLs with their content
        // hash, and the language switch of every page.
        .merge(pagekit::static_router())
        .merge(sso::http::router(sso))
        .merge(registry::http::api::router(registry.clone()))
        .merge(registry::http::gateway::router(registry.clone()))
        .merge(registry::http::pages::router(registry))
        .fallback(not_found)
        // The page being answered, for its language switch to come back to.
        .layer(middleware::from_fn(pagekit::remember_page))
        .layer(middleware::from_fn_with_state(frame_options, frame))
}

/// The metrics address's routes: `/metrics` alone.
pub fn metrics_router(metrics: Router, frame_options: FrameOptions) -> Router {
    metrics.fallback(not_found).layer(middleware::from_fn_with_state(frame_options, frame))
}

/// `/metrics`, asking for `Authorization: Bearer <token>` when a token is set.
pub fn metrics_routes(registry: registry::Registry, token: Option<Secret>) -> Router {
    let handle = metrics_handle().clone();
    let token = token.map(Arc::new);
    let scrape = move |State(reg): State<registry::Registry>, headers: HeaderMap| {
        let (handle, token) = (handle.clone(), token.clone());
        async move {
            if let Some(token) = token
                && !bearer_is(&headers, token.expose())
            {
                return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")])
                    .into_response();
            }
            metrics(handle, reg).await.into_response()
        }
    };
    Router::new().route("/metrics", get(scrape)).with_state(registry)
}

fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .is_some_and(|given| sso::crypto::ct_eq(given.trim(), token))
}

/// The Prometheus exposition: the recorder's counters, the latency
/// histogram, and gauges read at each scrape: what waits in each SMS outbox
/// (and since when), what was given up on, and the officers' queue.
async fn metrics(handle: PrometheusHandle, reg: registry::Registry) -> String {
    use adapters::outbox::backlog;
    let mut out = format!("{}{}", handle.render(), LATENCY.render());
    let now = reg.now_ms();
    let age = |at: Option<i64>| at.map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0);
    let mut gauges = vec![];
    for (label, outbox) in [("sso", sso::outbox::OUTBOX), ("registry", registry::outbox::OUTBOX)] {
        match backlog(reg.db(), outbox, now).await {
            Ok(b) => gauges.extend([
                ("tims_sms_outbox_pending", "SMS queued and still to be tried.", Some(label), b.pending as f64),
                (
                    "tims_sms_outbox_oldest_pending_age_seconds",
                    "Age of the oldest SMS still to be tried (0 when none).",
                    Some(label),
                    age(b.oldest_at),
                ),
                (
                    "tims_sms_outbox_given_up",
                    "SMS given up on after every attempt failed, in the last 7 days.",
                    Some(label),
                    b.given_up as f64,
                ),
            ]),
            Err(e) => tracing::warn!(error = %e, outbox = label, "outbox backlog not read for /metrics"),
        }
    }
    match registry::signin::revocation::backlog(&reg).await {
        Ok((n, oldest)) => gauges.extend([
            (
                "tims_refresh_revocations_pending",
                "Refresh tokens the registry let go of and still has to have revoked at the provider.",
                None,
                n as f64,
            ),
            (
                "tims_refresh_revocations_oldest_age_seconds",
                "How long the oldest of them has waited (0 when none).",
                None,
                age(oldest),
            ),
        ]),
        Err(e) => tracing::warn!(error = %e, "revocation backlog not read for /metrics"),
    }
    match registry::transfers::review_backlog(&reg).await {
        Ok((n, oldest)) => gauges.extend([
            ("tims_review_queue_transfers", "Transfers waiting in the officers' queue.", None, n as f64),
            (
                "tims_review_queue_oldest_age_seconds",
                "How long the oldest transfer in the officers' queue has waited (0 when none).",
                None,
                age(oldest),
            ),
        ]),
        Err(e) => tracing::warn!(error = %e, "review queue not read for /metrics"),
    }
    // A metric's samples go together (the exposition format asks it).
    gauges.sort_by_key(|g| g.0);
    let mut last = "";
    for (name, help, label, value) in gauges {
        if name != last {
            last = name;
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        }
        match label {
            Some(l) => out.push_str(&format!("{name}{{outbox=\"{l}\"}} {value}\n")),
            None => out.push_str(&format!("{name} {value}\n")),
        }
    }
    out
}

async fn readyz(State(db): State<Db>) -> Response {
    match db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Unknown addresses: RFC 9457 problem+json for API clients, a page for people.
async fn not_found(headers: HeaderMap) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json") && !a.contains("html"));
    if wants_json {
        let body = serde_json::json!({"type": "about:blank", "title": "Not Found", "status": 404,
            "detail": "There is no resource at this address."});
        (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
    } else {
        let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
                    content=\"width=device-width, initial-scale=1\"><title>Page not found – tims</title></head>\
                    <body><main><h1>Page not found</h1><p>There is nothing at this address.</p>\
                    <p><a href=\"/sso/\">Go to your account</a></p></main></body></html>";
        (StatusCode::NOT_FOUND, axum::response::Html(page)).into_response()
    }
}

/// The most header bytes (names and values) a request may bring. hyper
/// answers a bare 431 itself past about 400 KB or 100 headers; below that,
/// the frame refuses here, as problem+json under /api/.
const MAX_HEADER_BYTES: usize = 32 * 1024;

fn header_bytes(headers: &HeaderMap) -> usize {
    headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum()
}

fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(new_request_id)
}

/// A request id made here: this process's random prefix and a counter, so
/// ids are unique across restarts and nodes without a system call per
/// request (they are labels for logs, not secrets).
fn new_request_id() -> String {
    static PREFIX: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| sso::crypto::hex(&sso::crypto::random_bytes::<4>()));
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}{n:08x}", *PREFIX)
}

/// Every request gets an id (kept from the caller when sound), a span that
/// puts the id on every log line inside it, one summary log line, metrics
/// and the security headers. A request whose body stopped arriving is
/// answered 408 and its connection closed, whatever the handler made of it.
async fn frame(State(options): State<FrameOptions>, req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let body_deadline = req.extensions().get::<BodyDeadline>().cloned();
    let method = req.method().clone();
    // The path only: query strings may carry codes and tokens. The
    // delivery reports' and payment addresses' paths carry their secrets.
    let path = registry::http::gateway::loggable_path(req.uri().path())
        .unwrap_or_else(|| crate::sms_reports::loggable_path(req.uri().path()));
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let api = path.starts_with("/api/");
    let refuse = |status: StatusCode, why: &str| {
        if api {
            registry::http::api::problem_for_status(status, why)
        } else {
            (status, why.to_string()).into_response()
        }
    };
    let mut resp = if header_bytes(req.headers()) > MAX_HEADER_BYTES {
        refuse(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "The request's headers are too large: at most 32 KB in all")
    } else {
        next.run(req).instrument(span.clone()).await
    };
    if body_deadline.is_some_and(|d| d.passed()) {
        resp = refuse(StatusCode::REQUEST_TIMEOUT, "The request body stopped arriving before it was complete.");
        resp.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if api {
        // Every error under /api/ is problem+json, whoever answered it.
        resp = registry::http::api::problems_only(resp).await;
    }
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    span.in_scope(|| tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request"));
    let method_label: &'static str = match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        _ => "OTHER",
    };
    metrics::counter!("tims_http_requests_total", "method" => method_label, "status" => status.to_string())
        .increment(1);
    LATENCY.observe(elapsed.as_secs_f64());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert("x-request-id", v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if options.hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self' http: https:",
    ));
    resp
}

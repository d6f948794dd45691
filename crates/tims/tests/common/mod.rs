//! The test harness: the real application on port 0, on a fresh SQLite file
//! or a fresh PostgreSQL database, with an injected clock and the
//! development adapters; and a small browser that keeps cookies by hand.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use db::{Clock, ManualClock};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use sqlx::Connection;
use tims::{Application, Config};

pub mod fake_gateways;

/// 2026-01-05 08:00 UTC, a Monday.
pub const START_MS: i64 = 1_767_600_000_000;
pub const PASSWORD: &str = "kenya-demo-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        $crate::on_both!($name, |_| {});
    };
    ($name:ident, $tweak:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                if let Some(app) = $crate::common::TestApp::spawn_with($crate::common::Backend::Sqlite, $tweak).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some(app) = $crate::common::TestApp::spawn_with($crate::common::Backend::Postgres, $tweak).await
                {
                    super::$name(app).await;
                }
            }
        }
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("TIMS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh PostgreSQL database, or `None` (with a plain message) when no
/// PostgreSQL answers. Under CI a missing PostgreSQL fails the test.
pub async fn fresh_postgres_database() -> Option<String> {
    let admin = postgres_admin_url();
    let conn = sqlx::PgConnection::connect(&admin).await;
    let mut conn = match conn {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL is required under CI but {admin} did not answer: {e}");
            }
            eprintln!("SKIPPED on PostgreSQL: no PostgreSQL answers at {admin} ({e}); set TIMS_TEST_POSTGRES_URL");
            return None;
        }
    };
    let name = format!("tims_t_{}", sso::crypto::new_id());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
    Some(format!("{base}/{name}"))
}

pub struct TestApp {
    pub base: String,
    /// The metrics address, when the configuration gives metrics one.
    pub metrics_base: Option<String>,
    pub clock: ManualClock,
    pub app_sso: tims::Sso,
    pub registry: registry::Registry,
    pub backend: Backend,
    pub config: Config,
    _dir: TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    pg_database: Option<String>,
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("tims-test-{}", sso::crypto::new_id()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(name) = self.pg_database.take() {
            drop_postgres_database(name);
        }
    }
}

/// Drop a test database, forcing out the connections of a server that is
/// stopping. From a thread of its own, so that a `Drop` (not async) can.
pub fn drop_postgres_database(name: String) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async {
            if let Ok(mut c) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
            }
        });
    })
    .join();
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        let dir = TempDir::new();
        let mut config = Config { data: dir.0.clone(), ..Config::default() };
        let mut pg_database = None;
        if backend == Backend::Postgres {
            let url = fresh_postgres_database().await?;
            pg_database = url.rsplit('/').next().map(str::to_string);
            config.database_url = Some(tims::Secret::new(url));
            config.database_max_connections = 5;
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let port = listener.local_addr().expect("local addr").port();
        config.public_url = format!("http://127.0.0.1:{port}");
        tweak(&mut config);
        Some(Self::start(listener, config, backend, dir, pg_database).await)
    }

    /// A second node on this one's database, with a data folder of its own
    /// (nothing is shared through the disk), behind the same public address
    /// (as behind a load balancer).
    pub async fn another_node(&self, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = TempDir::new();
        let mut config = Config { data: dir.0.clone(), ..self.config.clone() };
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        Self::start(listener, config, self.backend, dir, None).await
    }

    async fn start(
        listener: tokio::net::TcpListener,
        config: Config,
        backend: Backend,
        dir: TempDir,
        pg_database: Option<String>,
    ) -> Self {
        let port = listener.local_addr().expect("local addr").port();
        let clock = ManualClock::new(START_MS);
        let clock_dyn: Arc<dyn Clock> = Arc::new(clock.clone());
        let adapters = tims::sso_adapters(&config, clock_dyn.clone()).expect("adapters");
        let reg_adapters = tims::registry_adapters(&config, &adapters).expect("registry adapters");
        let app = Application::build_on(listener, &config, clock_dyn, adapters, reg_adapters).await.expect("build app");
        let app_sso = app.sso().clone();
        let registry = app.registry().clone();
        let metrics_base = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Self {
            base: format!("http://127.0.0.1:{port}"),
            metrics_base,
            clock,
            app_sso,
            registry,
            backend,
            config,
            _dir: dir,
            stop: Some(tx),
            pg_database,
        }
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser whose requests come from `source` (any address of the
    /// loopback range), to tell one network from another.
    pub fn browser_from(&self, source: &str) -> Browser {
        let mut b = Browser::new(&self.base);
        b.client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .local_address(source.parse::<std::net::IpAddr>().expect("an address"))
            .build()
            .expect("client");
        b
    }

    pub fn clock_now(&self) -> i64 {
        db::Clock::now_ms(&self.clock)
    }

    pub fn advance(&self, ms: i64) {
        self.clock.advance_ms(ms);
    }

    /// Messages the development sink holds for `phone`, newest first.
    pub fn sms_to(&self, phone: &str) -> Vec<String> {
        self.app_sso
            .adapters()
            .dev_sms
            .as_ref()
            .expect("dev sink")
            .messages(Some(phone))
            .into_iter()
            .map(|m| m.body)
            .collect()
    }

    /// Wait until `phone` has more than `seen` messages; return the newest.
    pub async fn next_sms(&self, phone: &str, seen: usize) -> String {
        for _ in 0..200 {
            let all = self.sms_to(phone);
            if all.len() > seen {
                return all[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no new SMS to {phone} after {seen} messages");
    }

    /// Wait until some message to `phone` contains `text`; return it.
    pub async fn wait_sms_containing(&self, phone: &str, text: &str) -> String {
        for _ in 0..200 {
            if let Some(m) = self.sms_to(phone).into_iter().find(|m| m.contains(text)) {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no SMS to {phone} containing {text:?}");
    }

    /// The 6-digit code in the newest new message to `phone`.
    /// Other messages (alerts) arriving meanwhile are passed over.
    pub async fn next_code(&self, phone: &str, seen: usize) -> String {
        for _ in 0..200 {
            let all = self.sms_to(phone);
            let fresh = all.len().saturating_sub(seen);
            if let Some(code) = all.iter().take(fresh).find(|m| m.contains(" code ")).and_then(|m| extract_code(m)) {
                return code;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no new code to {phone} after {seen} messages");
    }

    /// Sign a demo citizen in fully; returns their browser.
    pub async fn signed_in(&self, id_number: &str, phone: &str) -> Browser {
        self.signed_in_as("citizen", id_number, phone).await
    }

    /// Sign a demo person of any account type in fully.
    pub async fn signed_in_as(&self, account_type: &str, id_number: &str, phone: &str) -> Browser {
        let mut b = self.browser();
        let seen = self.sms_to(phone).len();
        let r = b.sign_in_password(account_type, id_number, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let code = self.next_code(phone, seen).await;
        let r = b.post("/sso/signin/code", &[("code", &code)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        b
    }
}

pub fn extract_code(body: &str) -> Option<String> {
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).map(str::to_string)
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok().map(str::to_string)).collect()
    }
}

/// A date of birth (`YYYY-MM-DD`) as the sign-on's forms take it: in three
/// boxes, day, month and year.
pub fn dob(iso: &str) -> [(&'static str, &str); 3] {
    let mut parts = iso.splitn(3, '-');
    let (year, month, day) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    [("date_of_birth_day", day), ("date_of_birth_month", month), ("date_of_birth_year", year)]
}

/// The form that starts a citizen's recovery.
pub fn recovery_form<'a>(id_number: &'a str, born: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut f = vec![("account_type", "citizen"), ("id_number", id_number)];
    f.extend(dob(born));
    f
}

/// The registration form of a citizen the stand-in population registers of
/// the tests know (born 1 April 1991), by ID number.
pub fn stand_in_registration(id_number: &str) -> [(&'static str, &str); 8] {
    [
        ("account_type", "citizen"),
        ("id_number", id_number),
        ("date_of_birth_day", "1"),
        ("date_of_birth_month", "4"),
        ("date_of_birth_year", "1991"),
        ("phone", "0700111222"),
        ("password", "a long pass phrase"),
        ("password_confirm", "a long pass phrase"),
    ]
}

/// A browser with its own cookie jar. It does not follow redirects, so tests
/// see every 303.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { base: base.to_string(), client, cookies: HashMap::new() }
    }

    /// The same browser after its sign-on session ended: it keeps its
    /// other cookies (the known-browser mark among them).
    pub fn clone_cookies_without_session(&self) -> Self {
        let mut b = Self::new(&self.base);
        b.cookies = self.cookies.clone();
        b.cookies.remove("__Host-tims_session");
        b
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn absorb(&mut self, headers: &HeaderMap) {
        for v in headers.get_all("set-cookie") {
            let Ok(v) = v.to_str() else { continue };
            let first = v.split(';').next().unwrap_or_default();
            if let Some((k, val)) = first.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
    }

    async fn finish(&mut self, r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        self.absorb(&headers);
        let body = r.text().await.unwrap_or_default();
        Resp { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let r = self
            .client
            .get(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.finish(r).await
    }

    /// POST a form, adding the CSRF field from the cookie (fetching a page
    /// first if there is no cookie yet).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if !self.cookies.contains_key("__Host-tims_csrf") {
            self.get("/sso/signin").await;
        }
        let csrf = self.cookies.get("__Host-tims_csrf").cloned().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POST exactly these fields.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let r = self
            .client
            .post(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .expect("POST");
        self.finish(r).await
    }

    /// Send the sign-in's password form. Taken, it answers the redirect to
    /// the code; refused, it answers a redirect back to the sign-in page,
    /// which is followed: the page with the refusal is returned.
    pub async fn sign_in_password(&mut self, account_type: &str, id_number: &str, password: &str) -> Resp {
        let r = self
            .post("/sso/signin", &[("account_type", account_type), ("id_number", id_number), ("password", password)])
            .await;
        if r.status == StatusCode::SEE_OTHER && r.location() == "/sso/signin" {
            return self.shown_after_refusal(r).await;
        }
        r
    }

    /// POST a form that is refused: it answers one redirect (303) back to
    /// its own page `path` (with the way back it carries, if any), whose
    /// GET shows the refusal. Returns that page.
    pub async fn post_refused(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.post_refused_to(path, fields, path).await
    }

    /// The same, for a form whose refusal goes back to the page `page`.
    pub async fn post_refused_to(&mut self, path: &str, fields: &[(&str, &str)], page: &str) -> Resp {
        let r = self.post(path, fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "POST {path} is answered by a redirect: {}", r.body);
        let to = r.location();
        assert_eq!(to.split('?').next(), Some(page), "POST {path} goes back to {page}, not {to}");
        self.shown_after_refusal(r).await
    }

    /// The page a refused form's redirect leads to, with its title saying
    /// there is an error; the values it kept are forgotten once shown.
    async fn shown_after_refusal(&mut self, redirect: Resp) -> Resp {
        let to = redirect.location();
        let page = self.get(&to).await;
        assert_eq!(page.status, StatusCode::OK, "GET {to}: {}", page.body);
        assert!(page.body.contains("<title>Error: ") || page.body.contains("<title>Hitilafu: "), "{}", page.body);
        page
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.get("__Host-tims_session").cloned()
    }

    /// GET a path (or an absolute URL on this server) and follow redirects
    /// that stay on it, as a browser would through an OpenID Connect sign-in.
    pub async fn follow(&mut self, start: &str) -> Resp {
        let mut at = start.to_string();
        for _ in 0..10 {
            let path = at.strip_prefix(&self.base).unwrap_or(&at).to_string();
            let r = self.get(&path).await;
            if !r.status.is_redirection() {
                return r;
            }
            let loc = r.location();
            if !(loc.starts_with('/') || loc.starts_with(&self.base)) {
                return r;
            }
            at = loc;
        }
        panic!("too many redirects from {start}");
    }

    /// POST a form to a registry page, with the registry's CSRF token.
    pub async fn post_reg(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        if !self.cookies.contains_key("__Host-tims_reg_csrf") {
            self.get("/").await;
        }
        let csrf = self.cookies.get("__Host-tims_reg_csrf").cloned().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POST a file as a multipart form to a registry page.
    pub async fn post_reg_file(&mut self, path: &str, field: &str, bytes: &[u8]) -> Resp {
        if !self.cookies.contains_key("__Host-tims_reg_csrf") {
            self.get("/").await;
        }
        let csrf = self.cookies.get("__Host-tims_reg_csrf").cloned().unwrap_or_default();
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .part(field.to_string(), reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("scan.pdf"));
        let r = self
            .client
            .post(format!("{}{}", self.base, path))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        self.finish(r).await
    }
}

/// The API client the registry tests call with: registered with the
/// sign-on by configuration, and among the audiences the API accepts.
pub const API_SECRET: &str = "an-api-client-secret-that-is-long-enough";

pub fn with_api_client(cfg: &mut Config) {
    cfg.sso.clients.push(
        toml::from_str::<sso::ClientConfig>(&format!(
            "id = \"tims-api\"\nsecret = \"{API_SECRET}\"\nredirect_uris = [\"http://127.0.0.1:9/cb\"]"
        ))
        .unwrap(),
    );
}

/// Sign a demo person in at the sign-on and get an access token for the API
/// client through the authorization code flow with PKCE.
pub async fn api_access_token(app: &TestApp, account_type: &str, id_number: &str, phone: &str) -> String {
    let b = app.signed_in_as(account_type, id_number, phone).await;
    access_token_for(app, b, "tims-api", API_SECRET).await
}

/// The redirect URI the tests' clients are registered with.
pub const CLIENT_REDIRECT_URI: &str = "http://127.0.0.1:9/cb";

/// The access token the sign-on gives `client_id` for the person signed in
/// in `browser`, through the authorization code flow with PKCE, as an
/// integrator's program gets one.
pub async fn access_token_for(app: &TestApp, mut browser: Browser, client_id: &str, secret: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let verifier = sso::crypto::token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let r = browser
        .get(&format!(
            "/sso/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
             &scope=openid%20profile%20phone%20organisations&state=s&nonce=n&code_challenge={challenge}\
             &code_challenge_method=S256"
        ))
        .await;
    let code = url::Url::parse(&r.location())
        .ok()
        .and_then(|u| u.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()))
        .unwrap_or_else(|| panic!("no code for {client_id}: {} {}", r.status, r.body));
    let t: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/sso/token", app.base))
        .basic_auth(client_id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CLIENT_REDIRECT_URI),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["access_token"].as_str().unwrap_or_else(|| panic!("no access token: {t}")).to_string()
}

/// An S3-compatible object store for the tests: `moto` in server mode
/// (from PyPI; `scripts/test` installs it and sets `TIMS_TEST_MOTO`), on a
/// port of its own, with one bucket. Stopped on drop.
pub struct S3Server {
    pub endpoint: String,
    pub bucket: String,
    child: std::process::Child,
}

impl S3Server {
    /// Start one, or `None` (saying so) where moto is not installed; with
    /// `CI=true` a missing moto is a failure.
    pub async fn start() -> Option<Self> {
        let program = std::env::var("TIMS_TEST_MOTO").unwrap_or_else(|_| "moto_server".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let child = std::process::Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let child = match child {
            Ok(c) => c,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("moto_server ({program}) cannot be started ({e}) and CI requires it: run scripts/test")
            }
            Err(e) => {
                eprintln!("SKIPPED: no S3-compatible test server ({program}: {e}); scripts/test installs one");
                return None;
            }
        };
        let server = Self { endpoint: format!("http://127.0.0.1:{port}"), bucket: "tims-test".into(), child };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if http.get(&server.endpoint).send().await.is_ok() {
                let made =
                    http.put(format!("{}/{}", server.endpoint, server.bucket)).send().await.expect("create bucket");
                assert!(made.status().is_success(), "the test bucket: {}", made.status());
                return Some(server);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("moto_server did not answer at {} within 20 s", server.endpoint);
    }

    /// Point a node's uploads at this store.
    pub fn configure(&self, cfg: &mut Config) {
        cfg.uploads.s3_bucket = Some(self.bucket.clone());
        cfg.uploads.s3_endpoint = Some(self.endpoint.clone());
        cfg.uploads.s3_access_key_id = Some("test".into());
        cfg.uploads.s3_secret_access_key = Some(tims::Secret::new("test"));
        cfg.uploads.s3_prefix = Some("uploads".into());
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A person's API session: an access token of the sign-on, and optionally
/// the organisation they act for.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: String,
    pub act_for: Option<String>,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn sign_in(app: &TestApp, account_type: &str, id_number: &str, phone: &str) -> Self {
        let token = api_access_token(app, account_type, id_number, phone).await;
        Self { base: app.base.clone(), token, act_for: None, http: reqwest::Client::new() }
    }

    pub fn acting_for(&self, kra_pin: &str) -> Self {
        Self { act_for: Some(kra_pin.to_string()), ..self.clone() }
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(pin) = &self.act_for {
            r = r.header("x-act-for", pin);
        }
        r
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let r = self.req(reqwest::Method::GET, path).send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (reqwest::StatusCode, serde_json::Value) {
        let r = self.req(reqwest::Method::POST, path).json(&body).send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn put_bytes(&self, path: &str, bytes: &[u8]) -> (reqwest::StatusCode, serde_json::Value) {
        let r = self.req(reqwest::Method::PUT, path).body(bytes.to_vec()).send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Ask for a code for `step` and read it from the development SMS sink.
    pub async fn code(&self, app: &TestApp, phone: &str, transfer: &str, step: &str) -> String {
        let seen = app.sms_to(phone).len();
        let (s, b) =
            self.post(&format!("/api/v1/transfers/{transfer}/codes"), serde_json::json!({ "step": step })).await;
        assert_eq!(s, reqwest::StatusCode::ACCEPTED, "{b}");
        app.next_code(phone, seen).await
    }

    /// The state of transfer `id`, as the API shows it to this caller.
    pub async fn transfer_state(&self, id: &str) -> String {
        let (_, t) = self.get(&format!("/api/v1/transfers/{id}")).await;
        t["state"].as_str().unwrap().to_string()
    }

    /// Open a transfer of `reg_no` to `buyer` (an ID number, or an
    /// organisation's KRA PIN); its id and reference.
    pub async fn open_transfer(&self, reg_no: &str, buyer: &str) -> (String, String) {
        let kind = if buyer.starts_with('P') { "company" } else { "individual" };
        let body = serde_json::json!({"registration_number": reg_no, "buyer_type": kind, "buyer_id_number": buyer});
        let (s, t) = self.post("/api/v1/transfers", body).await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{t}");
        (t["id"].as_str().unwrap().to_string(), t["reference"].as_str().unwrap().to_string())
    }

    /// Upload a scan and submit the transfer with the seller's code, sent to
    /// `phone`.
    pub async fn submit_transfer(&self, app: &TestApp, phone: &str, id: &str) {
        let scan = b"%PDF-1.4\n% a scanned logbook\n";
        let (s, b) = self.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), scan).await;
        assert_eq!(s, reqwest::StatusCode::OK, "{b}");
        let code = self.code(app, phone, id, "submit").await;
        let (s, b) = self.post(&format!("/api/v1/transfers/{id}/submit"), serde_json::json!({ "code": code })).await;
        assert_eq!(s, reqwest::StatusCode::OK, "{b}");
    }
}

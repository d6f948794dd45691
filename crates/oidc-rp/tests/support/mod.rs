//! A tiny fake OpenID provider on 127.0.0.1, whose every answer a test can
//! change, and test signing keys (RSA made by `rsa`, signing with ring).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oidc_rp::{Begin, ClientConfig, Provider, Secret};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use rsa::pkcs8::EncodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// The tests' clock: 2023-11-14T22:13:20Z.
pub const NOW: i64 = 1_700_000_000_000;
pub const NOW_S: i64 = NOW / 1000;
pub const CLIENT_ID: &str = "tims-registry";
/// Characters that RFC 6749 §2.3.1 wants form-encoded in Basic credentials.
pub const CLIENT_SECRET: &str = "s3cret/with:colon+plus";
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/auth/callback";
/// The fake serves under a path, as Keycloak does, so that discovery's
/// "append to the issuer" rule is exercised.
pub const REALM: &str = "/realms/tims";

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn b64_json(v: &Value) -> String {
    b64(v.to_string().as_bytes())
}

pub enum TestKey {
    Rsa { kid: String, pair: RsaKeyPair, jwk: Value },
    Ec { kid: String, pair: EcdsaKeyPair, jwk: Value },
}

impl TestKey {
    fn rsa(kid: &str) -> Self {
        let private = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let der = private.to_pkcs8_der().unwrap();
        let pair = RsaKeyPair::from_pkcs8(der.as_bytes()).unwrap();
        let public = rsa::RsaPublicKey::from(&private);
        let jwk = json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be()),
        });
        Self::Rsa { kid: kid.into(), pair, jwk }
    }

    fn ec(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "kid": kid,
            "x": b64(&point[1..33]), "y": b64(&point[33..65]),
        });
        Self::Ec { kid: kid.into(), pair, jwk }
    }

    pub fn kid(&self) -> &str {
        match self {
            Self::Rsa { kid, .. } | Self::Ec { kid, .. } => kid,
        }
    }

    pub fn jwk(&self) -> Value {
        match self {
            Self::Rsa { jwk, .. } | Self::Ec { jwk, .. } => jwk.clone(),
        }
    }

    pub fn alg(&self) -> &'static str {
        match self {
            Self::Rsa { .. } => "RS256",
            Self::Ec { .. } => "ES256",
        }
    }

    /// The header an honest provider would use with this key.
    pub fn header(&self, typ: &str) -> Value {
        json!({"alg": self.alg(), "typ": typ, "kid": self.kid()})
    }

    /// Sign with this key whatever the header says.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64_json(header), b64_json(claims));
        let rng = SystemRandom::new();
        let sig = match self {
            Self::Rsa { pair, .. } => {
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig).unwrap();
                sig
            }
            Self::Ec { pair, .. } => pair.sign(&rng, input.as_bytes()).unwrap().as_ref().to_vec(),
        };
        format!("{input}.{}", b64(&sig))
    }
}

/// Keys are made once per test run: RSA generation is the slow part.
pub fn key_a() -> &'static TestKey {
    static K: OnceLock<TestKey> = OnceLock::new();
    K.get_or_init(|| TestKey::rsa("key-a"))
}

pub fn key_b() -> &'static TestKey {
    static K: OnceLock<TestKey> = OnceLock::new();
    K.get_or_init(|| TestKey::rsa("key-b"))
}

pub fn key_ec() -> &'static TestKey {
    static K: OnceLock<TestKey> = OnceLock::new();
    K.get_or_init(|| TestKey::ec("key-ec"))
}

/// Everything the fake answers, and what it was asked.
pub struct FakeState {
    pub discovery: Value,
    pub discovery_status: u16,
    pub jwks: Value,
    pub jwks_hits: usize,
    pub token_status: u16,
    pub token_body: Value,
    pub token_redirects: bool,
    /// (Authorization header, form) of every token request.
    pub token_requests: Vec<(Option<String>, HashMap<String, String>)>,
    pub userinfo_status: u16,
    pub userinfo_body: Value,
    pub userinfo_auth: Vec<Option<String>>,
}

#[derive(Clone)]
pub struct Fake {
    pub issuer: String,
    pub state: Arc<Mutex<FakeState>>,
}

impl Fake {
    pub async fn start() -> Self {
        Self::start_on(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    pub async fn start_on(listener: tokio::net::TcpListener) -> Self {
        let issuer = format!("http://{}{REALM}", listener.local_addr().unwrap());
        let discovery = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize?realm_hint=tims"),
            "token_endpoint": format!("{issuer}/token"),
            "userinfo_endpoint": format!("{issuer}/userinfo"),
            "jwks_uri": format!("{issuer}/jwks"),
            "end_session_endpoint": format!("{issuer}/logout"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "authorization_response_iss_parameter_supported": true,
        });
        let state = Arc::new(Mutex::new(FakeState {
            discovery,
            discovery_status: 200,
            jwks: json!({"keys": [key_a().jwk()]}),
            jwks_hits: 0,
            token_status: 200,
            token_body: json!({"error": "invalid_grant"}),
            token_redirects: false,
            token_requests: Vec::new(),
            userinfo_status: 200,
            userinfo_body: json!({"sub": "person-1", "name": "Wanjiku Kamau"}),
            userinfo_auth: Vec::new(),
        }));
        let routes = Router::new()
            .route("/.well-known/openid-configuration", get(discovery_doc))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/token-elsewhere", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(state.clone());
        let app = Router::new().nest(REALM, routes);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { issuer, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn jwks_hits(&self) -> usize {
        self.with(|s| s.jwks_hits)
    }

    /// Answer the next token request with these tokens.
    pub fn respond_with(&self, id_token: &str, access_token: &str) {
        self.with(|s| {
            s.token_status = 200;
            s.token_body = json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "refresh_token": "refresh-1",
                "id_token": id_token,
                "scope": "openid profile",
            });
        });
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Secret::new(CLIENT_SECRET),
            redirect_uri: REDIRECT_URI.into(),
            scopes: vec!["profile".into()],
        }
    }

    pub async fn discover(&self) -> Provider {
        Provider::discover(http(), self.config()).await.unwrap()
    }

    /// The ID token claims an honest provider would send for this sign-in.
    pub fn id_claims(&self, nonce: &str) -> Value {
        json!({
            "iss": self.issuer, "aud": CLIENT_ID, "sub": "person-1",
            "iat": NOW_S, "exp": NOW_S + 300, "auth_time": NOW_S, "nonce": nonce,
            "name": "Wanjiku Kamau",
        })
    }

    /// Access token claims (RFC 9068) for the given audience.
    pub fn access_claims(&self, aud: Value) -> Value {
        json!({
            "iss": self.issuer, "aud": aud, "sub": "person-1", "client_id": CLIENT_ID,
            "scope": "openid profile", "iat": NOW_S, "exp": NOW_S + 300, "jti": "at-1",
        })
    }

    /// The callback an honest provider would send for this sign-in.
    pub fn callback(&self, begin: &Begin) -> HashMap<String, String> {
        HashMap::from([
            ("code".to_string(), "code-1".to_string()),
            ("state".to_string(), begin.pending.state.clone()),
            ("iss".to_string(), self.issuer.clone()),
        ])
    }
}

/// A client as the registry should build one: no redirects, a timeout.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}

type Shared = State<Arc<Mutex<FakeState>>>;

fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn discovery_doc(State(s): Shared) -> Response {
    let s = s.lock().unwrap();
    json_response(s.discovery_status, &s.discovery)
}

async fn jwks(State(s): Shared) -> Response {
    let mut s = s.lock().unwrap();
    s.jwks_hits += 1;
    json_response(200, &s.jwks)
}

async fn token(State(s): Shared, headers: HeaderMap, form: axum::Form<HashMap<String, String>>) -> Response {
    let mut s = s.lock().unwrap();
    if s.token_redirects {
        s.token_redirects = false;
        let to = format!("{}/token-elsewhere", s.discovery["issuer"].as_str().unwrap());
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    let auth = headers.get(header::AUTHORIZATION).map(|h| h.to_str().unwrap().to_string());
    s.token_requests.push((auth, form.0));
    json_response(s.token_status, &s.token_body)
}

async fn userinfo(State(s): Shared, headers: HeaderMap) -> Response {
    let mut s = s.lock().unwrap();
    let auth = headers.get(header::AUTHORIZATION).map(|h| h.to_str().unwrap().to_string());
    s.userinfo_auth.push(auth);
    if s.userinfo_status == 401 {
        let challenge = r#"Bearer error="invalid_token", error_description="the access token expired""#;
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)]).into_response();
    }
    json_response(s.userinfo_status, &s.userinfo_body)
}

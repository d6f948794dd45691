//! The registry's pages through a browser (sign-in through the provider,
//! the transfer's forms, errors, CSRF), its OpenAPI document, the
//! Idempotency-Key rules, and who may see and do what on a transfer.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Browser, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n% a scanned logbook\n";
const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");
const OTHER: (&str, &str) = ("45678901", "+254745678901");
const RESIDENT: (&str, &str) = ("100200300", "+254110200300");
const DEALER_PIN: &str = "P051234567A";

/// Sign in at the sign-on, then at the registry through its sign-in page.
async fn registry_browser(app: &TestApp, who: (&str, &str)) -> Browser {
    let mut b = app.signed_in(who.0, who.1).await;
    let home = b.follow("/signin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Signed in as"), "{}", home.body);
    b
}

fn transfer_id(location: &str) -> String {
    location.trim_start_matches("/transfers/").split('?').next().unwrap().to_string()
}

/// POST a form and follow its answer (a redirect, post/redirect/get) to
/// the page it leads to; the redirect's target comes back too.
async fn answer(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> (String, common::Resp) {
    let r = b.post_reg(path, fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.body);
    let to = r.location();
    let page = b.get(&to).await;
    (to, page)
}

async fn a_transfer_can_be_done_in_the_browser_from_start_to_approval(app: TestApp) {
    let mut seller = registry_browser(&app, SELLER).await;
    let page = seller.get("/transfers/new").await;
    assert!(page.body.contains("Which vehicle are you selling?"), "{}", page.body);
    // A bad registration number comes back to its page, the error beside
    // the field and in the summary, what was typed kept, the title saying
    // "Error:"; a refresh shows the page again without the error.
    let (to, page) = answer(&mut seller, "/transfers/new", &[("registration_number", "KAA 1")]).await;
    assert_eq!(to, "/transfers/new");
    assert!(page.body.contains("<title>Error: Which vehicle"), "{}", page.body);
    assert!(page.body.contains(r##"<a href="#registration_number">"##), "{}", page.body);
    assert!(page.body.contains(r#"id="registration_number-error""#) && page.body.contains("KAA 001A"), "{}", page.body);
    assert!(page.body.contains(r#"value="KAA 1""#), "{}", page.body);
    let again = seller.get("/transfers/new").await;
    assert!(!again.body.contains("Error:") && !again.body.contains("KAA 1\""), "{}", again.body);
    // A form without the CSRF token changes nothing.
    let r = seller.post_raw("/transfers/new", &[("registration_number", "KDA 001A")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let (to, page) = answer(&mut seller, "/transfers/new", &[("registration_number", "kda 001a")]).await;
    assert_eq!(to, "/transfers/new/buyer");
    assert!(page.body.contains("Who is buying it?") && page.body.contains("Sell KDA 001A"), "{}", page.body);
    let (to, _) = answer(&mut seller, "/transfers/new/buyer", &[("buyer", "individual")]).await;
    assert_eq!(to, "/transfers/new/buyer-id");
    let form = [("buyer_id_type", "citizen"), ("buyer_id_number", BUYER.0)];
    let (to, check) = answer(&mut seller, "/transfers/new/buyer-id", &form).await;
    assert_eq!(to, "/transfers/new/check");
    assert!(check.body.contains("Check your answers before you start the transfer"), "{}", check.body);
    assert!(check.body.contains(r#"<a href="/transfers/new/buyer-id">Change"#), "{}", check.body);
    let (to, page) = answer(&mut seller, "/transfers/new/check", &[]).await;
    assert!(to.ends_with("?notice=created"), "{to}");
    let id = transfer_id(&to);
    assert!(page.body.contains("Transfer started") && page.body.contains("Your reference is TR-"), "{}", page.body);
    assert!(page.body.contains(&format!(r#"href="/transfers/{id}/upload""#)), "{}", page.body);
    // A file that is not a scan is refused beside the field.
    let r = seller.post_reg_file(&format!("/transfers/{id}/upload"), "logbook", b"GIF89a....").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = seller.get(&r.location()).await;
    assert!(page.body.contains("not a PDF, JPEG or PNG") && page.body.contains("logbook-error"), "{}", page.body);
    let r = seller.post_reg_file(&format!("/transfers/{id}/upload"), "logbook", PDF).await;
    assert_eq!(r.location(), format!("/transfers/{id}/submit"), "{}", r.body);
    let seen = app.sms_to(SELLER.1).len();
    let (to, _) = answer(&mut seller, &format!("/transfers/{id}/submit"), &[]).await;
    assert_eq!(to, format!("/transfers/{id}/submit/code"));
    let code = app.next_code(SELLER.1, seen).await;
    let (_, page) = answer(&mut seller, &format!("/transfers/{id}/submit/code"), &[("code", "000000")]).await;
    assert!(page.body.contains("The code is wrong"), "{}", page.body);
    let (to, _) = answer(&mut seller, &format!("/transfers/{id}/submit/code"), &[("code", &code)]).await;
    assert!(to.ends_with("?notice=submitted"), "{to}");

    let mut buyer = registry_browser(&app, BUYER).await;
    let page = buyer.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains("Accept or decline the transfer by"), "{}", page.body);
    let q = buyer.get(&format!("/transfers/{id}/answer")).await;
    assert!(q.body.contains("Do you accept the transfer of KDA 001A from"), "{}", q.body);
    let (to, _) = answer(&mut buyer, &format!("/transfers/{id}/answer"), &[("answer", "yes")]).await;
    assert_eq!(to, format!("/transfers/{id}/answer/address"));
    let address = [("postal_address", "P.O. Box 1-00100 Nairobi")];
    let (to, _) = answer(&mut buyer, &format!("/transfers/{id}/answer/address"), &address).await;
    assert_eq!(to, format!("/transfers/{id}/answer/office"));
    let (to, check) =
        answer(&mut buyer, &format!("/transfers/{id}/answer/office"), &[("collection_office", "Kisumu")]).await;
    assert_eq!(to, format!("/transfers/{id}/answer/check"));
    assert!(check.body.contains("Kisumu") && check.body.contains("Send me the code to accept"), "{}", check.body);
    let seen = app.sms_to(BUYER.1).len();
    let (to, _) = answer(&mut buyer, &format!("/transfers/{id}/answer/check"), &[]).await;
    assert_eq!(to, format!("/transfers/{id}/answer/code"));
    let sms = app.next_sms(BUYER.1, seen).await;
    assert!(sms.contains("code to ACCEPT the transfer"), "{sms}");
    // The code to accept does not decline.
    assert_eq!(transfer_state(&app, &id).await, "awaiting_buyer");
    let code = common::extract_code(&sms).unwrap();
    let (to, page) = answer(&mut buyer, &format!("/transfers/{id}/answer/code"), &[("code", &code)]).await;
    assert!(to.ends_with("?notice=accepted"), "{to}");
    assert!(page.body.contains("Pay the transfer fee of KES"), "{}", page.body);
    // The pay page: the buyer's own number, then the waiting page (the
    // development payer settles at once).
    let (to, _) = answer(&mut buyer, &format!("/transfers/{id}/pay"), &[]).await;
    assert_eq!(to, format!("/transfers/{id}/payment"));
    let page = buyer.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains("In review"), "{}", page.body);

    let mut officer = registry_browser(&app, OFFICER).await;
    let queue = officer.get("/review").await;
    assert!(queue.body.contains(&format!("/transfers/{id}")), "{}", queue.body);
    assert!(queue.body.contains("1 transfer waiting; the oldest for 0 days."), "{}", queue.body);
    let scan = officer.get(&format!("/transfers/{id}/scan")).await;
    assert_eq!(scan.status, StatusCode::OK);
    let r = officer.post_reg(&format!("/transfers/{id}/review/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = buyer.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains("Approved") && page.body.contains("Wed 14 Jan 2026 at Kisumu"), "{}", page.body);
    let mine = buyer.get("/vehicles").await;
    assert!(mine.body.contains("KDA 001A"), "{}", mine.body);

    // Signing out ends the registry session and goes through the provider.
    let r = buyer.post_reg("/signout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().contains("/sso/logout"), "{}", r.location());
    let r = buyer.get("/vehicles").await;
    assert!(r.location().starts_with("/signin"), "{}", r.location());
}

async fn transfer_state(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT state FROM reg_transfers WHERE id = $1")
        .bind(id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}
on_both!(a_transfer_can_be_done_in_the_browser_from_start_to_approval);

async fn openapi_describes_every_step(app: TestApp) {
    let r = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for path in [
        "/api/v1/transfers",
        "/api/v1/transfers/{id}/submit",
        "/api/v1/transfers/{id}/consent",
        "/api/v1/transfers/{id}/accept",
        "/api/v1/transfers/{id}/review",
        "/api/v1/vehicles/{registration_number}",
        "/api/v1/fees/quote",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(doc["components"]["schemas"].get("TransferView").is_some());
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}
on_both!(openapi_describes_every_step);

fn names(v: &Value) -> Vec<&str> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}")).iter().filter_map(Value::as_str).collect()
}

/// The document says exactly what a transfer takes and gives: required
/// fields, the names each kind and state may take, the patterns of
/// identifiers, the server's address, and a problem for every refusal.
async fn the_document_states_required_fields_enums_patterns_and_the_server(app: TestApp) {
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["servers"][0]["url"], app.base.as_str(), "the public address");
    let schemas = &doc["components"]["schemas"];

    // Opening a transfer: each kind of buyer with the ID that goes with it.
    let kinds = schemas["NewTransfer"]["oneOf"].as_array().unwrap();
    assert_eq!(kinds.len(), 3, "{}", schemas["NewTransfer"]);
    for kind in kinds {
        assert_eq!(kind["additionalProperties"], false, "unknown fields are refused: {kind}");
        for field in ["registration_number", "buyer_type", "buyer_id_number"] {
            assert!(names(&kind["required"]).contains(&field), "{field} is required: {kind}");
        }
        assert!(kind["properties"]["registration_number"]["pattern"].as_str().unwrap().contains("K[A-Z]{2}"));
    }
    assert_eq!(names(&kinds[0]["properties"]["buyer_type"]["enum"]), ["individual"]);
    assert_eq!(kinds[0]["properties"]["buyer_id_number"]["pattern"], "^[0-9]{6,9}$");
    assert!(names(&kinds[2]["properties"]["buyer_type"]["enum"]).contains(&"car_dealer"));
    assert_eq!(kinds[2]["properties"]["buyer_id_number"]["pattern"], "^[AP][0-9]{9}[A-Z]$", "a KRA PIN");
    assert!(kinds[2]["properties"].get("buyer_id_type").is_none(), "an organisation has no ID type");

    // A transfer as it is answered: states and roles by name.
    let view = &schemas["TransferView"];
    for field in ["id", "reference", "state", "buyer_type", "fee", "timeline"] {
        assert!(names(&view["required"]).contains(&field), "{field} is required");
    }
    let states = names(&view["properties"]["state"]["enum"]);
    for state in ["draft", "awaiting_buyer", "in_review", "approved", "expired"] {
        assert!(states.contains(&state), "{state} in {states:?}");
    }
    assert!(names(&view["properties"]["buyer_type"]["enum"]).contains(&"financial_institution"));
    assert_eq!(
        names(&schemas["LogbookView"]["properties"]["state"]["enum"]),
        ["printing", "ready_for_collection", "collected"]
    );
    assert_eq!(
        names(&schemas["StepBody"]["properties"]["step"]["enum"]),
        ["submit", "approve", "refuse", "accept", "decline", "consent", "answer"]
    );
    assert_eq!(names(&schemas["ReviewBody"]["properties"]["decision"]["enum"]), ["approve", "reject"]);
    assert_eq!(names(&schemas["LogbookBody"]["required"]), ["state"]);
    assert_eq!(schemas["ConsentBody"]["properties"]["approve"]["type"], "boolean");
    assert!(names(&schemas["Acceptance"]["properties"]["collection_office"]["enum"]).contains(&"Mombasa"));

    // Paging and acting for an organisation.
    let list = &doc["paths"]["/api/v1/transfers"]["get"]["parameters"];
    let param = |name: &str| list.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap().clone();
    assert_eq!(
        (param("limit")["schema"]["minimum"].clone(), param("limit")["schema"]["maximum"].clone()),
        (json!(1), json!(200))
    );
    assert_eq!(param("X-Act-For")["schema"]["pattern"], "^([AP][0-9]{9}[A-Z])?$");

    // Every answer has a type; every refusal is a problem; the scan is a file.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    let schema = &content["schema"];
                    assert!(schema.get("$ref").is_some(), "{method} {path} {status} {media}: {schema}");
                    if !status.starts_with('2') {
                        assert_eq!(
                            (media.as_str(), schema["$ref"].as_str().unwrap()),
                            ("application/problem+json", "#/components/schemas/Problem")
                        );
                    }
                }
            }
            assert!(op["responses"].get("default").is_some(), "{method} {path} says what else it may answer");
        }
    }
    let upload = &doc["paths"]["/api/v1/transfers/{id}/logbook-scan"]["put"]["requestBody"]["content"];
    let mut types: Vec<&String> = upload.as_object().unwrap().keys().collect();
    types.sort();
    assert_eq!(
        types,
        ["application/octet-stream", "application/pdf", "image/jpeg", "image/png", "multipart/form-data"]
    );
    assert_eq!(schemas["Binary"]["type"], "string", "bytes, not an array of integers");
    assert_eq!(names(&schemas["ScanForm"]["required"]), ["logbook"]);
}
on_both!(the_document_states_required_fields_enums_patterns_and_the_server);

async fn api_token(app: &TestApp, who: (&str, &str)) -> String {
    common::api_access_token(app, "citizen", who.0, who.1).await
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    act_for: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    key: Option<&str>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut r = reqwest::Client::new().request(method.clone(), format!("{}{path}", app.base));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(p) = act_for {
        r = r.header("x-act-for", p);
    }
    if let Some(k) = key {
        r = r.header("idempotency-key", k);
    }
    match body {
        // A file is uploaded with PUT, as its bytes.
        Some(Value::String(file)) if method == reqwest::Method::PUT => {
            r = r.header("content-type", "application/octet-stream").body(file);
        }
        Some(b) => r = r.json(&b),
        None => {}
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, resp.json().await.unwrap_or(Value::Null), headers)
}

async fn the_same_idempotency_key_gives_the_same_answer_and_another_body_is_refused(app: TestApp) {
    let seller = api_token(&app, SELLER).await;
    let body = json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0});
    let post = |b: Value, k: &'static str| {
        let (app, seller) = (&app, seller.clone());
        async move { call(app, Some(&seller), None, reqwest::Method::POST, "/api/v1/transfers", Some(b), Some(k)).await }
    };
    let (s1, t1, h1) = post(body.clone(), "key-1").await;
    assert_eq!(s1, StatusCode::CREATED, "{t1}");
    let (s2, t2, h2) = post(body.clone(), "key-1").await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(t1["id"], t2["id"], "the same transfer, not a second one");
    assert_eq!(h2["idempotent-replayed"], "true");
    assert_eq!(h2["location"], h1["location"], "the replay says where the transfer is, as the first answer did");
    assert_eq!(h2["location"].to_str().unwrap(), format!("/api/v1/transfers/{}", t1["id"].as_str().unwrap()));
    let other = json!({"registration_number": "KAT 300T", "buyer_type": "individual", "buyer_id_number": BUYER.0});
    let (s3, p3, _) = post(other, "key-1").await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY, "{p3}");
    assert_eq!(p3["errors"][0]["field"], "Idempotency-Key");
    // Without a key, a second opening is refused: one open transfer per vehicle.
    let (s4, p4, _) =
        call(&app, Some(&seller), None, reqwest::Method::POST, "/api/v1/transfers", Some(body), None).await;
    assert_eq!(s4, StatusCode::CONFLICT, "{p4}");
    // Malformed JSON is a field error, never a 500.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/transfers", app.base))
        .bearer_auth(&seller)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}
on_both!(the_same_idempotency_key_gives_the_same_answer_and_another_body_is_refused, crate::common::with_api_client);

/// A body over the limit is refused alike, 413 naming the body, whether or
/// not the request carries an Idempotency-Key: at once for a client that
/// waits with `Expect: 100-continue` (as curl does), and after the body for
/// one that sends it straight away.
async fn a_body_over_the_limit_is_413_with_or_without_an_idempotency_key(app: TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let seller = api_token(&app, SELLER).await;
    let twelve_mb = 12 * 1024 * 1024;
    let is_body_too_large = |p: &Value| {
        assert_eq!((p["status"].clone(), p["errors"][0]["field"].clone()), (json!(413), json!("body")), "{p}");
    };
    for key in [None, Some("big-1")] {
        let mut tcp = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
        let key_line = key.map(|k| format!("Idempotency-Key: {k}\r\n")).unwrap_or_default();
        let head = format!(
            "POST /api/v1/transfers HTTP/1.1\r\nHost: tims\r\nAuthorization: Bearer {seller}\r\n\
             Content-Type: application/json\r\nContent-Length: {twelve_mb}\r\nExpect: 100-continue\r\n{key_line}\r\n"
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        tcp.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 413 "), "key {key:?}: {answer}");
        assert!(answer.contains("content-type: application/problem+json"), "{answer}");
        is_body_too_large(&serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap());

        let mut r = reqwest::Client::new()
            .post(format!("{}/api/v1/transfers", app.base))
            .bearer_auth(&seller)
            .header("content-type", "application/json")
            .body(vec![b' '; twelve_mb]);
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "key {key:?}");
        assert_eq!(r.headers()["content-type"], "application/problem+json", "key {key:?}");
        is_body_too_large(&r.json().await.unwrap());
    }
}
on_both!(a_body_over_the_limit_is_413_with_or_without_an_idempotency_key, crate::common::with_api_client);

/// Every error under /api/ is problem+json, whoever answers it: a method
/// an address does not take (with Allow), an address outside /api/v1, and
/// headers too large (refused by the HTTP frame before any route).
async fn every_error_under_the_api_is_a_problem(app: TestApp) {
    let http = reqwest::Client::new();
    let seller = api_token(&app, SELLER).await;
    let r = http.delete(format!("{}/api/v1/transfers", app.base)).bearer_auth(&seller).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let allow = r.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], 405, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Allow"), "{p}");

    let r = http.post(format!("{}/api/openapi.json", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let r = http.get(format!("{}/api/v2/anything", app.base)).header("accept", "text/html").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let big = "x".repeat(40 * 1024);
    let r = http.get(format!("{}/api/v1/me", app.base)).header("x-big", &big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("32 KB"), "{p}");
    let r = http.get(format!("{}/healthz", app.base)).header("x-big", &big).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "outside the API too, in plain text");
    assert_ne!(r.headers()["content-type"], "application/problem+json");
}
on_both!(every_error_under_the_api_is_a_problem, crate::common::with_api_client);

/// The fee schedule is gazetted, so anyone may read it and have a quote by
/// class and engine capacity; a quote by registration number reads the
/// register (it tells whether a plate is registered), so it needs a token,
/// and without one is refused alike for a registered plate and another.
/// The OpenAPI document says so, and every other API operation needs a
/// token.
async fn the_fee_schedule_is_public_but_a_quote_by_registration_number_needs_a_token(app: TestApp) {
    use reqwest::Method;
    let (s, b, _) = call(&app, None, None, Method::GET, "/api/v1/fees", None, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["schedules"].as_array().is_some_and(|a| !a.is_empty()), "{b}");
    let by_class = "/api/v1/fees/quote?class=motor_vehicle&engine_cc=1198";
    let (s, b, _) = call(&app, None, None, Method::GET, by_class, None, None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["amount_cents"], 189_000, "{b}");
    for plate in ["KCB%20123B", "KZZ%20999Z"] {
        let path = format!("/api/v1/fees/quote?registration_number={plate}");
        let (s, p, h) = call(&app, None, None, Method::GET, &path, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{plate}: {p}");
        assert_eq!(h["content-type"], "application/problem+json");
        assert_eq!(h["www-authenticate"], "Bearer");
        assert!(p["detail"].as_str().unwrap().contains("A quote by registration_number reads the register"), "{p}");
    }
    let token = api_token(&app, SELLER).await;
    let (s, b, _) =
        call(&app, Some(&token), None, Method::GET, "/api/v1/fees/quote?registration_number=KCB%20123B", None, None)
            .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["amount_cents"], 189_000, "{b}");

    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    let quote = &doc["paths"]["/api/v1/fees/quote"]["get"];
    assert_eq!(quote["security"], json!([{}, {"bearer": []}]), "optional: {quote}");
    assert!(quote["description"].as_str().unwrap().contains("By registration_number: needs"), "{quote}");
    assert_eq!(doc["paths"]["/api/v1/fees"]["get"]["security"], json!([{}]), "public");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !path.starts_with("/api/v1/fees") {
                assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path} needs a token");
            }
        }
    }
}
on_both!(the_fee_schedule_is_public_but_a_quote_by_registration_number_needs_a_token, crate::common::with_api_client);

async fn only_the_parties_see_and_change_a_transfer(app: TestApp) {
    // Kamau Motors (a dealer) sells one of its cars; its admin acts for it.
    let admin = api_token(&app, SELLER).await;
    let (s, t, _) = call(
        &app,
        Some(&admin),
        Some(DEALER_PIN),
        reqwest::Method::POST,
        "/api/v1/transfers",
        Some(json!({"registration_number": "KDD 100D", "buyer_type": "individual", "buyer_id_number": BUYER.0})),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    // A second member of the dealer becomes a viewer (approved by the admin).
    let member: String = sqlx::query_scalar("SELECT id FROM sso_accounts WHERE id_number = $1")
        .bind(OTHER.0)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    let mut admin_browser = app.signed_in(SELLER.0, SELLER.1).await;
    let r = admin_browser
        .post(&format!("/sso/organisations/{DEALER_PIN}/members/{member}"), &[("decision", "viewer")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let buyer = api_token(&app, BUYER).await;
    let viewer = api_token(&app, OTHER).await;
    let officer = api_token(&app, OFFICER).await;
    let stranger = api_token(&app, ("56789012", "+254756789012")).await;
    let get = format!("/api/v1/transfers/{id}");
    let cancel = format!("/api/v1/transfers/{id}/cancel");
    let review = format!("/api/v1/transfers/{id}/review");
    let accept = format!("/api/v1/transfers/{id}/codes");
    use reqwest::Method;
    // (who, acting for, method, path, body, expected status)
    let cases: Vec<(&str, Option<&str>, Option<&str>, Method, &str, Option<Value>, StatusCode)> = vec![
        ("anonymous", None, None, Method::GET, &get, None, StatusCode::UNAUTHORIZED),
        ("dealer transactor", Some(&admin), Some(DEALER_PIN), Method::GET, &get, None, StatusCode::OK),
        ("dealer admin for himself", Some(&admin), None, Method::GET, &get, None, StatusCode::NOT_FOUND),
        ("dealer viewer", Some(&viewer), Some(DEALER_PIN), Method::GET, &get, None, StatusCode::OK),
        ("dealer viewer cancels", Some(&viewer), Some(DEALER_PIN), Method::POST, &cancel, None, StatusCode::FORBIDDEN),
        ("buyer", Some(&buyer), None, Method::GET, &get, None, StatusCode::OK),
        ("buyer cancels", Some(&buyer), None, Method::POST, &cancel, None, StatusCode::FORBIDDEN),
        (
            "buyer reviews",
            Some(&buyer),
            None,
            Method::POST,
            &review,
            Some(json!({"decision": "approve"})),
            StatusCode::FORBIDDEN,
        ),
        ("another citizen", Some(&stranger), None, Method::GET, &get, None, StatusCode::NOT_FOUND),
        (
            "another citizen asks a code",
            Some(&stranger),
            None,
            Method::POST,
            &accept,
            Some(json!({"step": "answer"})),
            StatusCode::NOT_FOUND,
        ),
        (
            "acting for an organisation one is not in",
            Some(&stranger),
            Some(DEALER_PIN),
            Method::GET,
            &get,
            None,
            StatusCode::FORBIDDEN,
        ),
        ("officer", Some(&officer), None, Method::GET, &get, None, StatusCode::OK),
        (
            "officer reviews a draft",
            Some(&officer),
            None,
            Method::POST,
            &review,
            Some(json!({"decision": "approve"})),
            StatusCode::CONFLICT,
        ),
        ("queue for a citizen", Some(&buyer), None, Method::GET, "/api/v1/review-queue", None, StatusCode::FORBIDDEN),
        ("queue for an officer", Some(&officer), None, Method::GET, "/api/v1/review-queue", None, StatusCode::OK),
        ("dealer transactor cancels", Some(&admin), Some(DEALER_PIN), Method::POST, &cancel, None, StatusCode::OK),
    ];
    // Every endpoint of a transfer, for those who may not change it: no one
    // signed in (401); a citizen with no part in it (404: they learn
    // nothing, not even that it exists; review and logbook are refused to
    // anyone who is not staff first, 403); someone acting for an
    // organisation they are not in (403); a viewer of the seller's
    // organisation (403 for every change). Valid bodies, so that only
    // access decides. (Run before the cases above, which end by cancelling.)
    let code = json!({"code": "123456"});
    let endpoints: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, get.clone(), None),
        (Method::GET, format!("{get}/logbook-scan"), None),
        (Method::PUT, format!("{get}/logbook-scan"), Some(json!("not a scan"))),
        (Method::POST, accept.clone(), Some(json!({"step": "submit"}))),
        (Method::POST, format!("{get}/submit"), Some(code.clone())),
        (Method::POST, format!("{get}/consent"), Some(json!({"code": "123456", "approve": true}))),
        (
            Method::POST,
            format!("{get}/accept"),
            Some(
                json!({"code": "123456", "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"}),
            ),
        ),
        (Method::POST, format!("{get}/decline"), Some(code.clone())),
        (Method::POST, format!("{get}/pay"), Some(json!({}))),
        (Method::POST, cancel.clone(), Some(json!({}))),
        (Method::POST, review.clone(), Some(json!({"decision": "approve"}))),
        (Method::POST, format!("{get}/logbook"), Some(json!({"state": "collected"}))),
    ];
    for (method, path, body) in &endpoints {
        let staff_only = path.ends_with("/review") || path.ends_with("/logbook");
        let outsiders: [(&str, Option<&str>, Option<&str>, StatusCode); 4] = [
            ("anonymous", None, None, StatusCode::UNAUTHORIZED),
            (
                "another citizen",
                Some(&stranger),
                None,
                if staff_only { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND },
            ),
            ("acting for an organisation one is not in", Some(&stranger), Some(DEALER_PIN), StatusCode::FORBIDDEN),
            (
                "dealer viewer",
                Some(&viewer),
                Some(DEALER_PIN),
                if *method == Method::GET { StatusCode::OK } else { StatusCode::FORBIDDEN },
            ),
        ];
        for (who, token, act_for, want) in outsiders {
            if who == "dealer viewer" && path.ends_with("/logbook-scan") && *method == Method::GET {
                continue; // the seller's side may read it; none is uploaded yet (404), see below
            }
            let (got, b, _) = call(&app, token, act_for, method.clone(), path, body.clone(), None).await;
            assert_eq!(got, want, "{who}: {method} {path} gave {got}: {b}");
        }
    }
    // The parties themselves, on every endpoint of the draft: each may do
    // their own part when the state allows it, and is refused what is
    // another's (403) or what the draft does not allow yet (409); a step
    // asked at the wrong moment is refused before any code is looked at.
    // Nothing here changes the transfer (the cancel is left to the cases
    // below). Expected: (seller's transactor, buyer, officer).
    use StatusCode as S;
    let expected: [(&str, [StatusCode; 3]); 11] = [
        ("GET T", [S::OK, S::OK, S::OK]),
        ("GET T/logbook-scan", [S::NOT_FOUND, S::FORBIDDEN, S::NOT_FOUND]),
        ("PUT T/logbook-scan", [S::UNPROCESSABLE_ENTITY, S::FORBIDDEN, S::FORBIDDEN]),
        ("POST T/codes", [S::UNPROCESSABLE_ENTITY, S::CONFLICT, S::CONFLICT]),
        ("POST T/submit", [S::UNPROCESSABLE_ENTITY, S::FORBIDDEN, S::FORBIDDEN]),
        ("POST T/consent", [S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN]),
        ("POST T/accept", [S::FORBIDDEN, S::CONFLICT, S::FORBIDDEN]),
        ("POST T/decline", [S::FORBIDDEN, S::CONFLICT, S::FORBIDDEN]),
        ("POST T/pay", [S::FORBIDDEN, S::CONFLICT, S::FORBIDDEN]),
        ("POST T/review", [S::FORBIDDEN, S::FORBIDDEN, S::CONFLICT]),
        ("POST T/logbook", [S::FORBIDDEN, S::FORBIDDEN, S::CONFLICT]),
    ];
    let parties: [(&str, &str, Option<&str>); 3] =
        [("seller's transactor", &admin, Some(DEALER_PIN)), ("buyer", &buyer, None), ("officer", &officer, None)];
    let queued = || async {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reg_outbox").fetch_one(app.registry.db().pool()).await.unwrap();
        n
    };
    let queued_before = queued().await;
    for (method, path, body) in endpoints.iter().filter(|(_, p, _)| !p.ends_with("/cancel")) {
        let name = format!("{method} {}", path.replace(&get, "T"));
        let want = expected.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no expectation for {name}")).1;
        for ((who, token, act_for), want) in parties.iter().zip(want) {
            let (got, b, _) = call(&app, Some(token), *act_for, method.clone(), path, body.clone(), None).await;
            assert_eq!(got, want, "{who}: {name} gave {got}: {b}");
        }
    }
    assert_eq!(queued().await, queued_before, "no code was sent for a step that could not be taken");
    let (_, t, _) = call(&app, Some(&admin), Some(DEALER_PIN), Method::GET, &get, None, None).await;
    assert_eq!(t["state"], "draft", "{t}");

    // The scan is for the seller's side and officers; here none is uploaded.
    let (got, b, _) =
        call(&app, Some(&viewer), Some(DEALER_PIN), Method::GET, &format!("{get}/logbook-scan"), None, None).await;
    assert_eq!(got, StatusCode::NOT_FOUND, "{b}");
    assert!(b["detail"].as_str().unwrap_or_default().contains("No scanned logbook"), "{b}");
    let (got, b, _) = call(&app, Some(&buyer), None, Method::GET, &format!("{get}/logbook-scan"), None, None).await;
    assert_eq!(got, StatusCode::FORBIDDEN, "the buyer does not see the seller's scan: {b}");

    for (who, token, act_for, method, path, body, want) in cases {
        let (got, b, _) = call(&app, token, act_for, method.clone(), path, body, None).await;
        assert_eq!(got, want, "{who}: {method} {path} gave {got}: {b}");
    }
}
on_both!(only_the_parties_see_and_change_a_transfer, crate::common::with_api_client);

/// A page session does not outlive the organisations the sign-on gives:
/// within `CLAIMS_MAX_AGE_MS` of a member's removal the session stops acting
/// for the organisation, and once the sign-on refuses the session's refresh
/// (as it does after the account's recovery) the session ends.
async fn a_page_session_follows_the_sign_on(app: TestApp) {
    let member: String = sqlx::query_scalar("SELECT id FROM sso_accounts WHERE id_number = $1")
        .bind(OTHER.0)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    let mut admin = app.signed_in(SELLER.0, SELLER.1).await;
    let decide = |decision: &'static str| {
        let path = format!("/sso/organisations/{DEALER_PIN}/members/{member}");
        (path, decision)
    };
    let (path, d) = decide("transactor");
    assert_eq!(admin.post(&path, &[("decision", d)]).await.status, StatusCode::SEE_OTHER);

    let mut b = registry_browser(&app, OTHER).await;
    let r = b.post_reg("/acting-for", &[("kra_pin", DEALER_PIN)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = b.get("/").await;
    assert!(home.body.contains("for Kamau Motors Limited"), "{}", home.body);

    // The admin removes them at the sign-on; a few minutes on, the registry
    // has re-read their claims and they act for themselves only.
    let (path, d) = decide("remove");
    assert_eq!(admin.post(&path, &[("decision", d)]).await.status, StatusCode::SEE_OTHER);
    app.advance(registry::signin::CLAIMS_MAX_AGE_MS + 1_000);
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Signed in as"), "{}", home.body);
    assert!(!home.body.contains("Kamau Motors"), "{}", home.body);
    let r = b.post_reg("/acting-for", &[("kra_pin", DEALER_PIN)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The sign-on rotates the refresh token at each use; the registry kept
    // the new one, so the next re-read works too.
    app.advance(registry::signin::CLAIMS_MAX_AGE_MS + 1_000);
    let again = b.get("/vehicles").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    // The sign-on revokes the person's grants (as recovering an account
    // does): at the next re-read the page session ends and asks for a
    // sign-in.
    let mut tx = app.app_sso.db().begin_write().await.unwrap();
    sso::grants::revoke_all_for(&mut tx, &member, app.clock_now()).await.unwrap();
    tx.commit().await.unwrap();
    let still = b.get("/vehicles").await;
    assert_eq!(still.status, StatusCode::OK, "{}", still.body);
    app.advance(registry::signin::CLAIMS_MAX_AGE_MS + 1_000);
    let r = b.get("/vehicles").await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert!(r.location().starts_with("/signin?return_to=%2Fvehicles"), "{}", r.location());
    assert!(!b.get("/").await.body.contains("Signed in as"));
}
on_both!(a_page_session_follows_the_sign_on);

/// A long list comes a page at a time in the browser too, with a link to
/// the next page and back to the first; a made-up cursor is refused.
async fn my_vehicles_come_a_page_at_a_time(app: TestApp) {
    let mut b = registry_browser(&app, SELLER).await;
    assert!(b.post_reg("/acting-for", &[("kra_pin", DEALER_PIN)]).await.status.is_redirection());
    let first = b.get("/vehicles?limit=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(!first.body.contains("Back to the first page"), "{}", first.body);
    let next = first.body.split("<a href=\"").filter_map(|s| s.split('"').next()).find(|h| h.contains("after="));
    let next = next.expect("a link to the next page").replace("&#38;", "&");
    assert!(next.starts_with("/vehicles?after=") && next.ends_with("&limit=2"), "{next}");
    let second = b.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert!(second.body.contains("Back to the first page"), "{}", second.body);
    let regs = |body: &str| -> Vec<String> {
        body.split("/inquiry?registration_number=")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(String::from)
            .collect()
    };
    let (one, two) = (regs(&first.body), regs(&second.body));
    assert_eq!((one.len(), two.len()), (2, 2), "{one:?} {two:?}");
    assert!(one.iter().all(|r| !two.contains(r)) && one.last() < two.first(), "{one:?} then {two:?}");

    let bad = b.get("/vehicles?after=made-up!").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("start again from the first page"), "{}", bad.body);
}
on_both!(my_vehicles_come_a_page_at_a_time);

/// A session left idle keeps no refresh token: the minute's sweep forgets it.
async fn an_idle_session_keeps_no_refresh_token(app: TestApp) {
    let _b = registry_browser(&app, BUYER).await;
    let held = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_sessions WHERE refresh_token IS NOT NULL")
            .fetch_one(app.registry.db().pool())
            .await
            .unwrap();
        n
    };
    assert_eq!(held().await, 1, "the built-in sign-on gives the registry a refresh token");
    assert_eq!(registry::signin::forget_stale_sessions(&app.registry).await.unwrap(), 0);
    assert_eq!(held().await, 1);
    app.advance(registry::signin::SESSION_IDLE_MS + 1_000);
    // (The server's own sweep may get there first.)
    assert!(registry::signin::forget_stale_sessions(&app.registry).await.unwrap() <= 1);
    assert_eq!(held().await, 0);
    // The sign-on is asked to revoke it as well (in the background).
    live_grants_reach_zero(&app, BUYER.0).await;
    // A day after the longest a session can live, the session itself goes.
    let sessions = || async {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM reg_sessions").fetch_one(app.registry.db().pool()).await.unwrap();
        n
    };
    assert_eq!(sessions().await, 1);
    app.advance(registry::signin::SESSION_ABSOLUTE_MS);
    assert_eq!(registry::signin::purge_old_sessions(&app.registry).await.unwrap(), 0, "not yet");
    app.advance(24 * 60 * 60 * 1000);
    // (The server's own sweep may get there first.)
    assert!(registry::signin::purge_old_sessions(&app.registry).await.unwrap() <= 1);
    assert_eq!(sessions().await, 0);
}
on_both!(an_idle_session_keeps_no_refresh_token);

/// Signing out of the registry has the sign-on revoke the session's grant.
async fn signing_out_revokes_the_refresh_token(app: TestApp) {
    let mut b = registry_browser(&app, BUYER).await;
    assert_eq!(live_grants(&app, BUYER.0).await, 1);
    let r = b.post_reg("/signout", &[]).await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    live_grants_reach_zero(&app, BUYER.0).await;
}
on_both!(signing_out_revokes_the_refresh_token);

/// Refresh tokens of the person at the sign-on that still work.
async fn live_grants(app: &TestApp, id_number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sso_refresh_tokens t JOIN sso_accounts a ON a.id = t.account_id \
         WHERE a.id_number = $1 AND t.revoked_at IS NULL AND t.used_at IS NULL",
    )
    .bind(id_number)
    .fetch_one(app.app_sso.db().pool())
    .await
    .unwrap()
}

async fn live_grants_reach_zero(app: &TestApp, id_number: &str) {
    for _ in 0..200 {
        if live_grants(app, id_number).await == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the sign-on still holds a live refresh token for {id_number}");
}

fn with_secrets_key(cfg: &mut tims::Config) {
    cfg.secrets_key = Some(tims::Secret::new("an-operator-key-of-more-than-thirty-two-characters"));
}

/// With the operator's secrets key, the keyed secrets (code peppers, the
/// sealing key of authorization codes, the registry's client secret) are
/// derived from it and none is kept in the database; signing in at the
/// sign-on (an SMS code) and at the registry (a sealed code, the client
/// secret) works as before.
async fn keyed_secrets_stay_out_of_the_database(app: TestApp) {
    let _b = registry_browser(&app, BUYER).await;
    let sso: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sso_secrets WHERE name IN ('code_pepper', 'code_seal_key')")
            .fetch_one(app.app_sso.db().pool())
            .await
            .unwrap();
    let reg: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_secrets WHERE name IN ('code_pepper', 'oidc_client_secret')")
            .fetch_one(app.registry.db().pool())
            .await
            .unwrap();
    assert_eq!((sso, reg), (0, 0));
    let clear: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_keys WHERE private_pem NOT LIKE 'sealed:%'")
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    assert_eq!(clear, 0, "the signing keys are sealed with it");
}
on_both!(keyed_secrets_stay_out_of_the_database, super::with_secrets_key);

/// The refresh token the registry keeps for a page session, as stored.
async fn stored_refresh(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("SELECT refresh_token FROM reg_sessions WHERE ended_at IS NULL")
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

fn refresh_seal_key(app: &TestApp) -> Vec<u8> {
    tims::keyed_secret(&app.config, "registry/refresh_token_seal").unwrap().into_bytes()
}

/// With the secrets key, the refresh token a page session keeps is sealed:
/// the database alone gives no working grant. Re-reading the claims (which
/// rotates the token) and signing out work as before.
async fn the_secrets_key_seals_the_sessions_refresh_tokens(app: TestApp) {
    let mut b = registry_browser(&app, BUYER).await;
    let key = refresh_seal_key(&app);
    let stored = stored_refresh(&app).await.unwrap();
    assert!(stored.starts_with("sealed:"), "{stored}");
    let token = registry::signin::revocation::open(Some(&key), &stored).unwrap();
    assert!(!stored.contains(&token));
    assert_eq!(registry::signin::revocation::open(Some(b"another key"), &stored), None);
    assert_eq!(registry::signin::revocation::open(None, &stored), None);

    app.advance(registry::signin::CLAIMS_MAX_AGE_MS + 1_000);
    let r = b.get("/vehicles").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rotated = stored_refresh(&app).await.unwrap();
    assert!(rotated.starts_with("sealed:"), "{rotated}");
    assert_ne!(registry::signin::revocation::open(Some(&key), &rotated).unwrap(), token, "rotated at the re-read");

    assert!(b.post_reg("/signout", &[]).await.status.is_redirection());
    live_grants_reach_zero(&app, BUYER.0).await;
}
on_both!(the_secrets_key_seals_the_sessions_refresh_tokens, super::with_secrets_key);

/// Refresh tokens kept in the clear before the key was set are sealed when
/// the registry starts with it.
async fn refresh_tokens_kept_in_the_clear_are_sealed_at_start(app: TestApp) {
    let _b = registry_browser(&app, BUYER).await;
    let clear = stored_refresh(&app).await.unwrap();
    assert!(!clear.starts_with("sealed:"));
    let mut keyed = app.config.clone();
    with_secrets_key(&mut keyed);
    let key = tims::keyed_secret(&keyed, "registry/refresh_token_seal").unwrap();
    let mut cfg = app.registry.config().clone();
    cfg.token_seal_key = Some(registry::SecretBytes(key.clone().into_bytes()));
    let clock: std::sync::Arc<dyn db::Clock> = std::sync::Arc::new(app.clock.clone());
    registry::Registry::start(app.registry.db().clone(), clock, cfg, app.registry.adapters().clone()).await.unwrap();
    let sealed = stored_refresh(&app).await.unwrap();
    assert!(sealed.starts_with("sealed:"), "{sealed}");
    assert_eq!(registry::signin::revocation::open(Some(key.as_bytes()), &sealed).as_deref(), Some(clear.as_str()));
}
on_both!(refresh_tokens_kept_in_the_clear_are_sealed_at_start);

/// Change the registry's client secret at the sign-on, as an operator
/// rotating it there but not yet in the registry would; returns the old
/// secret's hash, to put back with [`set_client_secret_hash`].
async fn break_client_secret(app: &TestApp) -> String {
    let client = &app.registry.config().oidc.client_id;
    let old: String = sqlx::query_scalar("SELECT secret_hash FROM sso_clients WHERE client_id = $1")
        .bind(client)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    set_client_secret_hash(app, "changed at the provider").await;
    // (The sign-on keeps a client's record for a minute.)
    app.advance(61_000);
    old
}

async fn set_client_secret_hash(app: &TestApp, hash: &str) {
    let r = sqlx::query("UPDATE sso_clients SET secret_hash = $1 WHERE client_id = $2")
        .bind(hash)
        .bind(&app.registry.config().oidc.client_id)
        .execute(app.app_sso.db().pool())
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 1);
}

/// The one queued revocation: its attempts and last error.
async fn queued_revocation(app: &TestApp) -> Option<(i64, Option<String>)> {
    sqlx::query_as("SELECT attempts, last_error FROM reg_revocations")
        .fetch_optional(app.registry.db().pool())
        .await
        .unwrap()
}

/// Wait until the queued revocation has failed `attempts` times; its error.
async fn revocation_failed(app: &TestApp, attempts: i64) -> String {
    for _ in 0..200 {
        if let Some((n, error)) = queued_revocation(app).await
            && n >= attempts
        {
            return error.unwrap_or_default();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the revocation did not fail {attempts} times: {:?}", queued_revocation(app).await);
}

async fn revocation_queue_empties(app: &TestApp) {
    for _ in 0..200 {
        if queued_revocation(app).await.is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("a token is still queued: {:?}", queued_revocation(app).await);
}

/// A token the provider would not revoke when asked (here: the registry's
/// client secret no longer matches the sign-on's) stays queued and is tried
/// again after a pause, not forgotten while it still works at the provider.
async fn a_revocation_that_fails_is_tried_again(app: TestApp) {
    let mut b = registry_browser(&app, BUYER).await;
    let secret_hash = break_client_secret(&app).await;
    assert!(b.post_reg("/signout", &[]).await.status.is_redirection());
    let error = revocation_failed(&app, 1).await;
    assert!(error.contains("invalid_client"), "{error}");
    assert_eq!(live_grants(&app, BUYER.0).await, 1, "the grant still works at the provider");
    let metrics = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("\ntims_refresh_revocations_pending 1\n"), "{metrics}");

    // Not before the pause: thirty seconds after the first failure.
    app.advance(20_000);
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(queued_revocation(&app).await.map(|q| q.0), Some(1));

    // The operator puts the secret right; after the pause (and the sign-on's
    // minute) the worker tries again.
    set_client_secret_hash(&app, &secret_hash).await;
    app.advance(61_000);
    live_grants_reach_zero(&app, BUYER.0).await;
    revocation_queue_empties(&app).await;
}
on_both!(a_revocation_that_fails_is_tried_again);

/// A queued token sealed under a key this server does not hold is kept and
/// tried again (a node with the right key may take it), not dropped while
/// it may still work at the provider.
async fn a_token_sealed_under_another_key_stays_queued(app: TestApp) {
    let now = app.clock_now();
    sqlx::query("INSERT INTO reg_revocations (token, next_at, created_at) VALUES ('sealed:not-ours', $1, $1)")
        .bind(now)
        .execute(app.registry.db().pool())
        .await
        .unwrap();
    let error = revocation_failed(&app, 1).await;
    assert!(error.contains("secrets key"), "{error}");
}
on_both!(a_token_sealed_under_another_key_stays_queued);

/// A token that could not be revoked for as long as it lives is dropped
/// from the queue: it has expired at the provider by then.
async fn a_revocation_is_given_up_once_the_token_has_expired(app: TestApp) {
    let mut b = registry_browser(&app, BUYER).await;
    break_client_secret(&app).await;
    assert!(b.post_reg("/signout", &[]).await.status.is_redirection());
    revocation_failed(&app, 1).await;
    app.advance(i64::from(app.registry.config().revocation_give_up_days) * 24 * 60 * 60 * 1000);
    revocation_queue_empties(&app).await;
}
on_both!(a_revocation_is_given_up_once_the_token_has_expired);

async fn a_sign_in_finishes_only_in_the_browser_that_started_it(app: TestApp) {
    let mut b = app.signed_in(SELLER.0, SELLER.1).await;
    let to_provider = b.get("/signin").await.location();
    let path = to_provider.strip_prefix(&app.base).unwrap().to_string();
    let callback = b.get(&path).await.location();
    assert!(callback.contains("/signin/callback?"), "{callback}");
    let callback_path = callback.strip_prefix(&app.base).unwrap().to_string();
    // Someone else's browser, handed the link, is refused and signed in as no one.
    let mut other = app.browser();
    let r = other.get(&callback_path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("not started in this browser"), "{}", r.body);
    // The browser that started it finishes it.
    let home = b.follow(&callback_path).await;
    assert!(home.body.contains("Signed in as"), "{}", home.body);
}
on_both!(a_sign_in_finishes_only_in_the_browser_that_started_it);

async fn a_record_linked_to_one_sign_on_account_is_not_taken_by_another(app: TestApp) {
    let claims = |sub: &str| {
        serde_json::from_value::<serde_json::Map<String, Value>>(json!({
            "sub": sub, "name": "Wanjiku", "account_type": "citizen", "id_number": SELLER.0,
            "phone_number": SELLER.1, "phone_number_verified": true, "organisations": []
        }))
        .unwrap()
    };
    let first = registry::parties::upsert_from_claims(&app.registry, &claims("subject-one")).await.unwrap();
    let again = registry::parties::upsert_from_claims(&app.registry, &claims("subject-one")).await.unwrap();
    assert_eq!(first, again);
    let other = registry::parties::upsert_from_claims(&app.registry, &claims("subject-two")).await;
    assert!(matches!(other, Err(registry::Error::Forbidden(_))), "{other:?}");
}
on_both!(a_record_linked_to_one_sign_on_account_is_not_taken_by_another);

async fn a_key_still_running_answers_409_until_it_is_abandoned(app: TestApp) {
    let seller = api_token(&app, SELLER).await;
    // Someone's first request with this key is still running (or died).
    let (s, me, _) = call(&app, Some(&seller), None, reqwest::Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    let person: String = sqlx::query_scalar("SELECT id FROM reg_parties WHERE doc_number = $1")
        .bind(SELLER.0)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    let body = json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0});
    let mut h = sha2::Sha256::default();
    for part in ["POST".as_bytes(), b"/api/v1/transfers", b"", body.to_string().as_bytes()] {
        sha2::Digest::update(&mut h, part);
    }
    let hash: String = sha2::Digest::finalize(h).iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query("INSERT INTO reg_idempotency (principal, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&person)
        .bind("busy-key")
        .bind(&hash)
        .bind(app.clock_now())
        .execute(app.registry.db().pool())
        .await
        .unwrap();
    let post = || {
        call(
            &app,
            Some(&seller),
            None,
            reqwest::Method::POST,
            "/api/v1/transfers",
            Some(body.clone()),
            Some("busy-key"),
        )
    };
    let (s, p, _) = post().await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("still being processed"), "{p}");
    // A minute on, the key is taken to be abandoned and the request runs.
    app.advance(registry::idempotency::ABANDONED_KEY_MS);
    let (s, t, _) = post().await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, again, h) = post().await;
    assert_eq!((s, &again["id"]), (StatusCode::CREATED, &t["id"]));
    assert_eq!(h["idempotent-replayed"], "true");
}
on_both!(a_key_still_running_answers_409_until_it_is_abandoned, crate::common::with_api_client);

/// A signed-in person whose page cannot reach the database is told that it
/// did not work, not sent to sign in again.
async fn a_page_that_cannot_reach_the_database_says_so(app: TestApp) {
    let mut seller = registry_browser(&app, SELLER).await;
    let r = seller.get("/vehicles").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.registry.db().pool().close().await;
    let r = seller.get("/vehicles").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(r.body.contains("That did not work"), "{}", r.body);
    assert!(r.location().is_empty(), "not a redirect to sign-in");
}
on_both!(a_page_that_cannot_reach_the_database_says_so);

/// Both parts' pages link the page kit's one stylesheet, served from a URL
/// with its content hash and cached for a year.
async fn pages_share_one_cached_stylesheet(app: TestApp) {
    let mut b = app.browser();
    let registry = b.get("/").await;
    let sso = b.get("/sso/signin").await;
    let href = pagekit::stylesheet_href();
    for page in [&registry, &sso] {
        assert!(page.body.contains(&format!(r#"<link rel="stylesheet" href="{href}">"#)), "{}", page.body);
        assert!(!page.body.contains("<style>"), "{}", page.body);
    }
    assert!(registry.body.contains(r#"<body class="registry">"#) && sso.body.contains(r#"<body class="sso">"#));
    let css = b.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(css.body, pagekit::STYLESHEET);
}
on_both!(pages_share_one_cached_stylesheet);

/// The seller starts a sale of `reg_no` to the buyer `buyer_id` through
/// the pages: the transfer's id.
async fn sell(seller: &mut Browser, reg_no: &str, buyer_id: &str) -> String {
    answer(seller, "/transfers/new", &[("registration_number", reg_no)]).await;
    answer(seller, "/transfers/new/buyer", &[("buyer", "individual")]).await;
    answer(seller, "/transfers/new/buyer-id", &[("buyer_id_type", "citizen"), ("buyer_id_number", buyer_id)]).await;
    let (to, _) = answer(seller, "/transfers/new/check", &[]).await;
    transfer_id(&to)
}

/// The same, then the scan uploaded and the transfer submitted with the code.
async fn sell_and_submit(app: &TestApp, seller: &mut Browser, reg_no: &str, buyer_id: &str) -> String {
    let id = sell(seller, reg_no, buyer_id).await;
    let r = seller.post_reg_file(&format!("/transfers/{id}/upload"), "logbook", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let seen = app.sms_to(SELLER.1).len();
    answer(seller, &format!("/transfers/{id}/submit"), &[]).await;
    let code = app.next_code(SELLER.1, seen).await;
    let (to, _) = answer(seller, &format!("/transfers/{id}/submit/code"), &[("code", &code)]).await;
    assert!(to.ends_with("?notice=submitted"), "{to}");
    id
}

async fn declining_refusing_and_cancelling_each_ask_first_and_take_only_their_own_code(app: TestApp) {
    let mut seller = registry_browser(&app, SELLER).await;
    let id = sell_and_submit(&app, &mut seller, "KDA 001A", BUYER.0).await;

    // The buyer asks for a code to accept, then changes their mind: that
    // code does not decline.
    let mut buyer = registry_browser(&app, BUYER).await;
    let at = |step: &str| format!("/transfers/{id}/answer{step}");
    answer(&mut buyer, &at(""), &[("answer", "yes")]).await;
    answer(&mut buyer, &at("/address"), &[("postal_address", "P.O. Box 1-00100 Nairobi")]).await;
    answer(&mut buyer, &at("/office"), &[("collection_office", "Kisumu")]).await;
    let seen = app.sms_to(BUYER.1).len();
    answer(&mut buyer, &at("/check"), &[]).await;
    let accept_code = common::extract_code(&app.next_sms(BUYER.1, seen).await).unwrap();
    let (to, check) = answer(&mut buyer, &at(""), &[("answer", "no")]).await;
    assert_eq!(to, at("/check"));
    assert!(check.body.contains("If you decline, the transfer ends"), "{}", check.body);
    assert!(check.body.contains(r#"class="warning">Send me the code to decline"#), "{}", check.body);
    let (_, page) = answer(&mut buyer, &at("/code"), &[("code", &accept_code)]).await;
    assert!(page.body.contains("No code has been sent for this step yet"), "{}", page.body);
    assert_eq!(transfer_state(&app, &id).await, "awaiting_buyer");
    let seen = app.sms_to(BUYER.1).len();
    answer(&mut buyer, &at("/check"), &[]).await;
    let sms = app.next_sms(BUYER.1, seen).await;
    assert!(sms.contains("code to DECLINE the transfer"), "{sms}");
    let code = common::extract_code(&sms).unwrap();
    let (to, page) = answer(&mut buyer, &at("/code"), &[("code", &code)]).await;
    assert!(to.ends_with("?notice=declined"), "{to}");
    assert!(
        page.body.contains("You declined the transfer") && page.body.contains("The vehicle stays with the seller"),
        "{}",
        page.body
    );

    // Cancelling asks first; only the answer on that page cancels.
    let id = sell(&mut seller, "KDA 001A", BUYER.0).await;
    let page = seller.get(&format!("/transfers/{id}/cancel")).await;
    assert!(page.body.contains("Are you sure you want to cancel the transfer of KDA 001A?"), "{}", page.body);
    assert!(page.body.contains("This cannot be undone."), "{}", page.body);
    assert_eq!(transfer_state(&app, &id).await, "draft");
    let (to, page) = answer(&mut seller, &format!("/transfers/{id}/cancel"), &[]).await;
    assert!(to.ends_with("?notice=cancelled"), "{to}");
    assert!(page.body.contains("Transfer cancelled"), "{}", page.body);

    // A joint owner refuses, after a check, with a code to refuse.
    let id = sell_and_submit(&app, &mut seller, "KCB 123B", BUYER.0).await;
    let mut resident = app.signed_in_as("resident", RESIDENT.0, RESIDENT.1).await;
    resident.follow("/signin").await;
    let at = |step: &str| format!("/transfers/{id}/consent{step}");
    let q = resident.get(&at("")).await;
    assert!(q.body.contains("Do you agree to the sale of KCB 123B to"), "{}", q.body);
    let (to, check) = answer(&mut resident, &at(""), &[("answer", "no")]).await;
    assert_eq!(to, at("/check"));
    assert!(check.body.contains("If you refuse, the transfer ends"), "{}", check.body);
    let seen = app.sms_to(RESIDENT.1).len();
    answer(&mut resident, &at("/check"), &[]).await;
    let sms = app.next_sms(RESIDENT.1, seen).await;
    assert!(sms.contains("code to REFUSE the transfer"), "{sms}");
    let code = common::extract_code(&sms).unwrap();
    let (to, page) = answer(&mut resident, &at("/code"), &[("code", &code)]).await;
    assert!(to.ends_with("?notice=refused"), "{to}");
    assert!(page.body.contains("You refused the sale"), "{}", page.body);
    assert_eq!(transfer_state(&app, &id).await, "consent_refused");
}
on_both!(declining_refusing_and_cancelling_each_ask_first_and_take_only_their_own_code);

/// Answer the sale's buyer-ID question with a citizen's ID number: where it leads.
async fn pick(seller: &mut Browser, id_number: &str) -> String {
    let form = [("buyer_id_type", "citizen"), ("buyer_id_number", id_number)];
    seller.post_reg("/transfers/new/buyer-id", &form).await.location()
}

/// Choosing a buyer shows the name the registers give, so each person may
/// look up only so many ID numbers and KRA PINs an hour (and a day), on the
/// pages and the API alike; a buyer looked up already costs nothing more.
/// Every lookup is written down for the agency's staff.
async fn buyer_lookups_are_budgeted_and_each_is_written_down(app: TestApp) {
    use domain::policy::{HOUR_MS, MINUTE_MS, lookup::MAX_PER_HOUR};
    let mut seller = registry_browser(&app, SELLER).await;
    answer(&mut seller, "/transfers/new", &[("registration_number", "KDA 001A")]).await;
    answer(&mut seller, "/transfers/new/buyer", &[("buyer", "individual")]).await;
    let started = app.clock_now();
    assert_eq!(pick(&mut seller, BUYER.0).await, "/transfers/new/check");
    let stranger = |i: usize| format!("{}", 70_000_000 + i);
    for i in 1..MAX_PER_HOUR {
        assert_eq!(pick(&mut seller, &stranger(i)).await, "/transfers/new/buyer-id");
    }
    // The budget is spent: a new number is refused beside its field,
    // saying when to try again (an hour after the first, in EAT); the
    // buyer looked up already can still be chosen.
    assert_eq!(pick(&mut seller, &stranger(MAX_PER_HOUR)).await, "/transfers/new/buyer-id");
    let page = seller.get("/transfers/new/buyer-id").await;
    let minutes = (started + 4 * HOUR_MS) % (24 * HOUR_MS) / MINUTE_MS;
    let again = format!("in the last hour: try again after {:02}:{:02}", minutes / 60, minutes % 60);
    assert!(page.body.contains(&again), "{}", page.body);
    assert!(page.body.contains(r##"<a href="#buyer_id_number">"##), "{}", page.body);
    assert!(page.body.contains(r#"id="buyer_id_number-error""#), "{}", page.body);
    assert_eq!(pick(&mut seller, BUYER.0).await, "/transfers/new/check");

    // The API opens a transfer with the same lookup and the same budget.
    let open = async |n: String| {
        let token = api_token(&app, SELLER).await;
        let body = json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": n});
        call(&app, Some(&token), None, reqwest::Method::POST, "/api/v1/transfers", Some(body), None).await
    };
    let (s, p, _) = open(stranger(MAX_PER_HOUR + 1)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "buyer_id_number", "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains(&again), "{p}");

    // Who looked up what, when, and whether it was found.
    let lines: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT l.doc_number, l.outcome, l.at FROM reg_buyer_lookups l JOIN reg_parties p ON p.id = l.person_id \
         WHERE p.doc_number = $1 AND l.acting_for = l.person_id ORDER BY l.at, l.doc_number",
    )
    .bind(SELLER.0)
    .fetch_all(app.registry.db().pool())
    .await
    .unwrap();
    let outcome = |n: &str| lines.iter().filter(|l| l.0 == n).map(|l| l.1.as_str()).collect::<Vec<_>>();
    assert_eq!(outcome(BUYER.0), ["found", "found"]);
    assert_eq!(outcome(&stranger(1)), ["not_found"]);
    assert_eq!(outcome(&stranger(MAX_PER_HOUR)), ["refused"]);
    assert_eq!(outcome(&stranger(MAX_PER_HOUR + 1)), ["refused"]);
    assert!(lines.iter().all(|l| l.2 == started), "{lines:?}");

    // An hour on, there is room again.
    app.advance(HOUR_MS);
    let (s, p, _) = open(stranger(MAX_PER_HOUR + 2)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("has signed in to tims yet"), "{p}");
}
on_both!(buyer_lookups_are_budgeted_and_each_is_written_down, crate::common::with_api_client);

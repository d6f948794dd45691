#![allow(clippy::unwrap_used)]
//! Registration, sign-in, sessions, codes, lockout and recovery, end to end
//! over HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{PASSWORD, TestApp, extract_code};
use domain::policy::MINUTE_MS;
use reqwest::StatusCode;

const WANJIKU: (&str, &str) = ("12345678", "+254712345678");
const OTIENO: (&str, &str) = ("23456789", "+254723456789");

async fn a_person_registers_verifies_the_phone_and_is_signed_in(app: TestApp) {
    let mut b = app.browser();
    let phone = "+254798000111";
    let r = b
        .post(
            "/sso/register",
            &[
                ("account_type", "citizen"),
                ("id_number", "89012345"),
                ("date_of_birth_day", "05"),
                ("date_of_birth_month", "09"),
                ("date_of_birth_year", "1995"),
                ("phone", "0798 000 111"),
                ("email", ""),
                ("password", "a long pass phrase"),
                ("password_confirm", "a long pass phrase"),
                ("sms_alerts", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/sso/signin/code");
    let page = b.get("/sso/signin/code").await;
    assert!(page.body.contains("Check your phone"), "{}", page.body);
    assert!(page.body.contains("07•• ••• 111"));
    let code = app.next_code(phone, 0).await;
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = b.get("/sso/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Baraka Mwangi"), "name comes from the population register");
    assert!(home.body.contains("(verified)"));

    // The same person cannot register twice.
    let mut other = app.browser();
    let r = other
        .post_refused(
            "/sso/register",
            &[
                ("account_type", "citizen"),
                ("id_number", "89012345"),
                ("date_of_birth_day", "05"),
                ("date_of_birth_month", "09"),
                ("date_of_birth_year", "1995"),
                ("phone", "0798000112"),
                ("password", "another long one"),
                ("password_confirm", "another long one"),
            ],
        )
        .await;
    assert!(r.body.contains("already exists"), "{}", r.body);
}
on_both!(a_person_registers_verifies_the_phone_and_is_signed_in);

async fn registration_refuses_each_bad_field_by_name_and_changes_nothing(app: TestApp) {
    let mut b = app.browser();
    let r = b
        .post_refused(
            "/sso/register",
            &[
                ("account_type", "martian"),
                ("date_of_birth_day", "30"),
                ("date_of_birth_month", "02"),
                ("date_of_birth_year", "1990"),
                ("phone", "12"),
                ("email", "nope"),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    for (anchor, text) in [
        ("#account_type", "Choose citizen"),
        ("#date_of_birth_day", "must be a real date"),
        ("#phone", "Kenyan mobile number"),
        ("#email", "email address"),
        ("#password", "at least 10 characters"),
    ] {
        assert!(r.body.contains(anchor) && r.body.contains(text), "missing {anchor}: {}", r.body);
    }
    let r = b
        .post_refused(
            "/sso/register",
            &[
                ("account_type", "citizen"),
                ("id_number", "11111111"),
                ("date_of_birth_day", "01"),
                ("date_of_birth_month", "01"),
                ("date_of_birth_year", "1990"),
                ("phone", "0711111111"),
                ("password", "password123"),
                ("password_confirm", "password123"),
            ],
        )
        .await;
    assert!(r.body.contains("easy to guess"), "{}", r.body);
    let r = b
        .post_refused(
            "/sso/register",
            &[
                ("account_type", "citizen"),
                ("id_number", "11111111"),
                ("date_of_birth_day", "01"),
                ("date_of_birth_month", "01"),
                ("date_of_birth_year", "1990"),
                ("phone", "0711111111"),
                ("password", "fine long phrase"),
                ("password_confirm", "fine long phrase"),
            ],
        )
        .await;
    assert!(r.body.contains("do not match the population register"), "{}", r.body);
    // A real ID number with the wrong date of birth gets the same answer.
    let r = b
        .post_refused(
            "/sso/register",
            &[
                ("account_type", "citizen"),
                ("id_number", "89012345"),
                ("date_of_birth_day", "06"),
                ("date_of_birth_month", "09"),
                ("date_of_birth_year", "1995"),
                ("phone", "0711111111"),
                ("password", "fine long phrase"),
                ("password_confirm", "fine long phrase"),
            ],
        )
        .await;
    assert!(r.body.contains("do not match the population register"), "{}", r.body);
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sso_accounts WHERE id_number IN ('11111111', '89012345')")
            .fetch_one(app.app_sso.db().pool())
            .await
            .unwrap();
    assert_eq!(count, 0);
    assert!(app.sms_to("+254711111111").is_empty());
}
on_both!(registration_refuses_each_bad_field_by_name_and_changes_nothing);

async fn sign_in_takes_a_password_then_a_code_and_rotates_the_session(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.browser();
    let r = b.sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.set_cookies().into_iter().find(|c| c.starts_with("__Host-tims_session=")).unwrap();
    for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let pending = b.session().unwrap();
    // The pending session is not signed in.
    assert_eq!(b.get("/sso/").await.status, StatusCode::SEE_OTHER);
    let code = app.next_code(phone, 0).await;
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let active = b.session().unwrap();
    assert_ne!(pending, active, "a new session id at sign-in");
    assert_eq!(b.get("/sso/").await.status, StatusCode::OK);

    // Sign-out ends the session on the server: the old cookie is dead.
    let stolen = active.clone();
    let r = b.post("/sso/signout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut thief = app.browser();
    thief.cookies.insert("__Host-tims_session".into(), stolen);
    assert_eq!(thief.get("/sso/").await.status, StatusCode::SEE_OTHER);
}
on_both!(sign_in_takes_a_password_then_a_code_and_rotates_the_session);

async fn sessions_end_after_an_idle_hour_and_after_a_day(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.signed_in(id, phone).await;
    app.advance(59 * MINUTE_MS);
    assert_eq!(b.get("/sso/").await.status, StatusCode::OK);
    app.advance(61 * MINUTE_MS);
    assert_eq!(b.get("/sso/").await.status, StatusCode::SEE_OTHER, "idle for 61 minutes");

    let (id, phone) = OTIENO;
    let mut b = app.signed_in(id, phone).await;
    for _ in 0..26 {
        app.advance(55 * MINUTE_MS);
        assert_eq!(b.get("/sso/").await.status, StatusCode::OK, "active within the day");
    }
    app.advance(55 * MINUTE_MS);
    assert_eq!(b.get("/sso/").await.status, StatusCode::SEE_OTHER, "a day is the most a session lives");
}
on_both!(sessions_end_after_an_idle_hour_and_after_a_day);

async fn forms_without_the_csrf_token_are_refused(app: TestApp) {
    let mut b = app.browser();
    let r = b.post_raw("/sso/signin", &[("id_number", WANJIKU.0), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    b.get("/sso/signin").await;
    let r = b.post_raw("/sso/signin", &[("csrf", "forged"), ("id_number", WANJIKU.0), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.sms_to(WANJIKU.1).is_empty(), "nothing was sent");
}
on_both!(forms_without_the_csrf_token_are_refused);

async fn codes_expire_after_five_minutes_and_work_once(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.browser();
    b.sign_in_password("citizen", id, PASSWORD).await;
    let code = app.next_code(phone, 0).await;
    app.advance(5 * MINUTE_MS);
    let r = b.post_refused("/sso/signin/code", &[("code", &code)]).await;
    assert!(r.body.contains("expired"), "{}", r.body);

    let r = b.post("/sso/signin/code/resend", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/sso/signin/code?done=code-sent");
    assert!(b.get(&r.location()).await.body.contains("A new code is on its way"));
    let code = app.next_code(phone, 1).await;
    app.advance(4 * MINUTE_MS);
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // Replaying the used code on the old pending session does nothing.
    let mut replay = app.browser();
    replay.sign_in_password("citizen", id, PASSWORD).await;
    let r = replay.post_refused("/sso/signin/code", &[("code", &code)]).await;
    assert!(r.body.contains("href=\"#code\""), "the code is refused: {}", r.body);
}
on_both!(codes_expire_after_five_minutes_and_work_once);

async fn a_code_is_bound_to_its_purpose(app: TestApp) {
    let (id, phone) = WANJIKU;
    // A sign-in code does not complete a recovery.
    let mut b = app.browser();
    b.sign_in_password("citizen", id, PASSWORD).await;
    let sign_in_code = app.next_code(phone, 0).await;
    let mut r = app.browser();
    r.post("/sso/recover", &common::recovery_form(id, WANJIKU_BORN)).await;
    let recover_code = app.next_code(phone, 1).await;
    if recover_code != sign_in_code {
        let resp = r
            .post_refused(
                "/sso/recover/code",
                &[("code", &sign_in_code), ("password", "brand new phrase"), ("password_confirm", "brand new phrase")],
            )
            .await;
        assert!(resp.body.contains("href=\"#code\""), "{}", resp.body);
    }
    // And the recovery code does not complete the sign-in.
    if recover_code != sign_in_code {
        let resp = b.post_refused("/sso/signin/code", &[("code", &recover_code)]).await;
        assert!(resp.body.contains("href=\"#code\""), "{}", resp.body);
    }
    let resp = b.post("/sso/signin/code", &[("code", &sign_in_code)]).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER);
}
on_both!(a_code_is_bound_to_its_purpose);

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn five_wrong_codes_kill_the_challenge_even_for_the_right_code(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.browser();
    b.sign_in_password("citizen", id, PASSWORD).await;
    let code = app.next_code(phone, 0).await;
    for i in 0..4 {
        let r = b.post_refused("/sso/signin/code", &[("code", &wrong(&code))]).await;
        assert!(r.body.contains(&format!("{} more tr", 4 - i)), "{}", r.body);
        if i == 1 {
            // Asking for a new code does not reset the count.
            let r = b.post("/sso/signin/code/resend", &[]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
    }
    let code = app.next_code(phone, 1).await;
    // The fifth ends the sign-in: back to the password, saying why.
    let r = b.post_refused_to("/sso/signin/code", &[("code", &wrong(&code))], "/sso/signin").await;
    assert!(r.body.contains("too many times"), "{}", r.body);
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert!(
        r.location().starts_with("/sso/signin"),
        "the right code after five wrong ones must fail: {}",
        r.location()
    );
    assert_eq!(b.get("/sso/").await.status, StatusCode::SEE_OTHER);
}
on_both!(five_wrong_codes_kill_the_challenge_even_for_the_right_code);

async fn at_most_three_codes_per_fifteen_minutes_and_ten_a_day(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut sent = 0;
    for _round in 0..4 {
        for _ in 0..3 {
            if sent == 10 {
                break;
            }
            let mut b = app.browser();
            let r = b.sign_in_password("citizen", id, PASSWORD).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "send {sent}: {}", r.body);
            sent += 1;
            app.next_sms(phone, sent - 1).await;
        }
        if sent < 10 {
            let mut b = app.browser();
            let r = b.sign_in_password("citizen", id, PASSWORD).await;
            assert!(r.body.contains("Too many codes"), "{}", r.body);
            assert!(!r.body.contains("id=\"recover\""), "a wait for codes offers no recovery: {}", r.body);
        }
        app.advance(15 * MINUTE_MS);
    }
    assert_eq!(sent, 10);
    let mut b = app.browser();
    let r = b.sign_in_password("citizen", id, PASSWORD).await;
    assert!(r.body.contains("Too many codes"), "the eleventh in a day: {}", r.body);
    app.advance(24 * 60 * MINUTE_MS);
    let r = b.sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a day later: {}", r.body);
}
on_both!(at_most_three_codes_per_fifteen_minutes_and_ten_a_day);

/// A right password whose code cannot be sent (too many lately) is not a
/// failed sign-in: however often it is tried, it meets no delay and no block.
async fn a_refused_code_does_not_count_as_a_failed_sign_in(app: TestApp) {
    let (id, phone) = WANJIKU;
    for n in 0..3 {
        let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "send {n}: {}", r.body);
        app.next_sms(phone, n).await;
    }
    for n in 0..12 {
        app.advance(10_000);
        let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
        assert!(r.body.contains("Too many codes"), "try {n}: {}", r.body);
    }
    app.advance(15 * MINUTE_MS);
    let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "after the window: {}", r.body);
}
on_both!(a_refused_code_does_not_count_as_a_failed_sign_in);

/// Recover an account in a new browser; returns the browser (now known to
/// the account).
async fn recover(app: &TestApp, id: &str, born: &str, phone: &str, new_password: &str) -> common::Browser {
    let mut rec = app.browser();
    let seen = app.sms_to(phone).len();
    let r = rec.post("/sso/recover", &common::recovery_form(id, born)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = app.next_code(phone, seen).await;
    let r = rec
        .post("/sso/recover/code", &[("code", &code), ("password", new_password), ("password_confirm", new_password)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    rec
}

const WANJIKU_BORN: &str = "1985-03-14";
const NEW_PASSWORD: &str = "mango lorry rain seven";

async fn failed_sign_ins_slow_down_and_never_block_the_owner(app: TestApp) {
    let (id, phone) = WANJIKU;
    // The owner signed in on this phone before the attack.
    let mut owner = app.signed_in(id, phone).await;
    let mut attacker = app.browser();
    let unknown = attacker.sign_in_password("citizen", "99999999", "whatever pass").await;
    let wrong = attacker.sign_in_password("citizen", id, "wrong password!").await;
    assert_eq!(unknown.status, wrong.status);
    assert!(unknown.body.contains("The ID number or password is wrong"));
    assert!(wrong.body.contains("The ID number or password is wrong"));
    for _ in 0..2 {
        attacker.sign_in_password("citizen", id, "wrong password!").await;
    }
    // Three failures: the next try from an unknown browser must wait.
    let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
    assert!(r.body.contains("Wait 2 seconds before you try again"), "{}", r.body);
    let mut delays = vec![];
    for _ in 3..10 {
        app.advance(10 * MINUTE_MS);
        let r = attacker.sign_in_password("citizen", id, "wrong password!").await;
        assert!(r.body.contains("is wrong"), "{}", r.body);
        let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
        delays.push(r.body.split("Wait ").nth(1).and_then(|s| s.split(" before").next()).unwrap_or("?").to_string());
    }
    assert_eq!(
        delays,
        ["4 seconds", "8 seconds", "16 seconds", "32 seconds", "64 seconds", "128 seconds", "15 minutes"],
        "delays grow, to a quarter of an hour"
    );
    assert!(app.sms_to(phone).iter().all(|m| !m.contains("blocked")), "no block is announced");
    // The owner's own phone is not slowed by any of it.
    let seen = app.sms_to(phone).len();
    owner.get("/sso/").await;
    let mut again = owner.clone_cookies_without_session();
    let r = again.sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a known browser signs in at once: {}", r.body);
    let code = app.next_code(phone, seen).await;
    assert_eq!(again.post("/sso/signin/code", &[("code", &code)]).await.status, StatusCode::SEE_OTHER);
    // On a new phone the owner recovers at once and is then known there.
    let mut rec = recover(&app, id, WANJIKU_BORN, phone, NEW_PASSWORD).await;
    app.wait_sms_containing(phone, "was recovered").await;
    assert_eq!(owner.get("/sso/").await.status, StatusCode::SEE_OTHER, "recovery ends every session");
    for _ in 0..3 {
        attacker.sign_in_password("citizen", id, "wrong password!").await;
    }
    let seen = app.sms_to(phone).len();
    let r = rec.sign_in_password("citizen", id, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = app.next_code(phone, seen).await;
    assert_eq!(rec.post("/sso/signin/code", &[("code", &code)]).await.status, StatusCode::SEE_OTHER);
}
on_both!(failed_sign_ins_slow_down_and_never_block_the_owner);

async fn a_known_browser_that_keeps_failing_is_no_longer_trusted(app: TestApp) {
    let (id, phone) = WANJIKU;
    let b = app.signed_in(id, phone).await;
    let mut b = b.clone_cookies_without_session();
    for n in 0..5 {
        app.advance(10 * MINUTE_MS);
        let r = b.sign_in_password("citizen", id, "wrong password!").await;
        assert!(r.body.contains("is wrong"), "try {n}: {}", r.body);
    }
    let known: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sso_devices").fetch_one(app.app_sso.db().pool()).await.unwrap();
    assert_eq!(known, 0, "forgotten after five failures");
}
on_both!(a_known_browser_that_keeps_failing_is_no_longer_trusted);

/// Anyone can start a recovery for any ID number: it must not tell whether
/// the number has an account, by its answers or by what it costs the owner.
async fn recovery_answers_alike_for_real_and_unknown_id_numbers(app: TestApp) {
    let (id, phone) = WANJIKU;
    let attempt = |id: &'static str, born: &'static str| {
        let mut b = app.browser();
        async move {
            let start = b.post("/sso/recover", &common::recovery_form(id, born)).await;
            let mut answers = vec![(start.status, start.location())];
            for _ in 0..6 {
                let r = b
                    .post_refused(
                        "/sso/recover/code",
                        &[("code", "000000"), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD)],
                    )
                    .await;
                let summary = r.body.split("<form").next().unwrap_or_default().to_string();
                answers.push((r.status, summary));
            }
            answers
        }
    };
    let real = attempt(id, WANJIKU_BORN).await;
    let unknown = attempt("99999999", "1990-01-01").await;
    let wrong_birth = attempt(id, "1990-01-01").await;
    assert_eq!(real, unknown, "an unknown number is answered as a real one");
    assert_eq!(real, wrong_birth);
    assert!(real[1].1.contains("4 more tries"), "{}", real[1].1);
    assert!(real[6].1.contains("no longer works"), "{}", real[6].1);
    assert_eq!(app.sms_to(phone).len(), 1, "only the real number with its date of birth got a code");
    // The recovery budget runs out silently, alike for both.
    for _ in 0..3 {
        attempt(id, WANJIKU_BORN).await;
    }
    let after_budget = attempt(id, WANJIKU_BORN).await;
    assert_eq!(after_budget, attempt("99999999", "1990-01-01").await);
    assert_eq!(app.sms_to(phone).len(), 3, "three recovery codes in 15 minutes, then none");
    // None of it spent the owner's sign-in codes.
    let mut owner = app.browser();
    let r = owner.sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = app.next_code(phone, 3).await;
    assert_eq!(owner.post("/sso/signin/code", &[("code", &code)]).await.status, StatusCode::SEE_OTHER);
}
on_both!(recovery_answers_alike_for_real_and_unknown_id_numbers);

async fn a_recovered_password_must_not_be_built_from_the_persons_own_details(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.browser();
    b.post("/sso/recover", &common::recovery_form(id, WANJIKU_BORN)).await;
    let code = app.next_code(phone, 0).await;
    let mine = format!("{id}{id}");
    let r =
        b.post_refused("/sso/recover/code", &[("code", &code), ("password", &mine), ("password_confirm", &mine)]).await;
    assert!(r.body.contains("ID number"), "{}", r.body);
    // The code still works with a good password.
    let r = b
        .post("/sso/recover/code", &[("code", &code), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
on_both!(a_recovered_password_must_not_be_built_from_the_persons_own_details);

async fn the_sms_alerts_preference_is_saved(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.signed_in(id, phone).await;
    let r = b.post("/sso/preferences", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.get("/sso/").await.body.contains("Not subscribed"));
    b.post("/sso/preferences", &[("sms_alerts", "on")]).await;
    assert!(b.get("/sso/").await.body.contains("Subscribed"));
}
on_both!(the_sms_alerts_preference_is_saved);

async fn malformed_requests_get_clear_answers_not_server_errors(app: TestApp) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("POST", "/sso/signin", b"%%%&&&=".to_vec(), "application/x-www-form-urlencoded"),
        ("POST", "/sso/signin", vec![0xff, 0xfe, 0x00], "application/x-www-form-urlencoded"),
        ("POST", "/sso/register", b"{}".to_vec(), "application/json"),
        ("POST", "/sso/token", b"grant_type=%zz".to_vec(), "application/x-www-form-urlencoded"),
        ("POST", "/sso/token", b"".to_vec(), "text/plain"),
        ("GET", "/sso/authorize?client_id=%ff%fe&redirect_uri=%00", vec![], ""),
        ("GET", "/sso/userinfo", vec![], ""),
        ("GET", "/sso/logout?id_token_hint=a.b.c", vec![], ""),
        (
            "POST",
            "/sso/organisations/P051234567A/members/x",
            b"decision=admin".to_vec(),
            "application/x-www-form-urlencoded",
        ),
    ];
    for (method, path, body, ctype) in cases {
        let mut req = client.request(method.parse().unwrap(), format!("{}{}", app.base, path));
        if !ctype.is_empty() {
            req = req.header("content-type", ctype);
        }
        let r = req.body(body).send().await.unwrap();
        let s = r.status();
        assert!(s.is_client_error() || s.is_redirection(), "{method} {path}: {s}");
    }
    let _ = extract_code("");
}
on_both!(malformed_requests_get_clear_answers_not_server_errors);

async fn expired_rows_are_purged_and_live_ones_kept(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.signed_in(id, phone).await;
    b.post("/sso/signout", &[]).await;
    let _live = app.signed_in(OTIENO.0, OTIENO.1).await;
    // A registration whose phone is never verified.
    let form = [
        ("account_type", "citizen"),
        ("id_number", "89012345"),
        ("date_of_birth_day", "05"),
        ("date_of_birth_month", "09"),
        ("date_of_birth_year", "1995"),
        ("phone", "0798000111"),
        ("password", "a long pass phrase"),
        ("password_confirm", "a long pass phrase"),
    ];
    assert_eq!(app.browser().post("/sso/register", &form).await.status, StatusCode::SEE_OTHER);
    let count = |table: &'static str| {
        let pool = app.app_sso.db().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(count("sso_sessions").await >= 3);
    app.advance(60 * MINUTE_MS);
    assert_eq!(sso::jobs::purge_expired(&app.app_sso).await.unwrap(), 0, "nothing is old enough yet");
    app.advance(3 * 24 * 60 * MINUTE_MS);
    assert!(sso::jobs::purge_expired(&app.app_sso).await.unwrap() > 0);
    for table in ["sso_sessions", "sso_challenges", "sso_sms_sends"] {
        assert_eq!(count(table).await, 0, "{table}");
    }
    assert_eq!(count("sso_accounts").await, 7, "verified accounts are kept; the unfinished one is gone");
    let r = app.browser().post("/sso/register", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the ID number is free again: {}", r.body);
}
on_both!(expired_rows_are_purged_and_live_ones_kept);

/// The purge is a job on the sign-on's own table: it runs at start, and a
/// second node's scheduler on the same database finds nothing due until
/// its hour is over, then runs it once.
async fn the_purge_runs_once_an_hour_across_nodes(app: TestApp) {
    let runs = || {
        let pool = app.app_sso.db().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT runs FROM sso_jobs WHERE name = 'expired_rows'")
                .fetch_optional(&pool)
                .await
                .unwrap()
        }
    };
    let mut waited = 0;
    while runs().await.unwrap_or(0) < 1 {
        assert!(waited < 200, "the purge did not run at start");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let other_node = sso::jobs::scheduler();
    assert!(other_node.run_due(&app.app_sso).await.unwrap().is_empty(), "nothing is due again yet");
    app.advance(60 * MINUTE_MS);
    assert_eq!(other_node.run_due(&app.app_sso).await.unwrap().len(), 1);
    assert_eq!(runs().await, Some(2));
    assert!(other_node.run_due(&app.app_sso).await.unwrap().is_empty(), "once per hour");
}
on_both!(the_purge_runs_once_an_hour_across_nodes);

async fn unknown_addresses_answer_404_as_a_page_or_problem_json(app: TestApp) {
    let c = reqwest::Client::new();
    let r = c.get(format!("{}/nowhere", app.base)).header("accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], 404);
    let r = c.get(format!("{}/nowhere", app.base)).header("accept", "text/html").send().await.unwrap();
    assert!(r.text().await.unwrap().contains("Page not found"));
    // Health, readiness and metrics.
    assert_eq!(c.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(c.get(format!("{}/readyz", app.base)).send().await.unwrap().text().await.unwrap(), "ready");
    let r = c.get(format!("{}/healthz", app.base)).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123", "a sound caller id is kept");
    let metrics = c.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("tims_http_requests_total"), "{metrics}");
    assert!(metrics.contains("tims_http_request_duration_seconds_bucket{le=\"+Inf\"}"), "{metrics}");
    // What waits for the operator: the SMS outboxes and the officers' queue.
    for line in [
        "tims_sms_outbox_given_up{outbox=\"sso\"} 0",
        "tims_sms_outbox_given_up{outbox=\"registry\"} 0",
        "# TYPE tims_sms_outbox_pending gauge",
        "tims_review_queue_transfers 0",
    ] {
        assert!(metrics.contains(line), "{line} missing from {metrics}");
    }
}
on_both!(unknown_addresses_answer_404_as_a_page_or_problem_json);

async fn parallel_guesses_cannot_outrun_the_lockout(app: TestApp) {
    let (id, _) = WANJIKU;
    let mut tasks = vec![];
    for _ in 0..20 {
        let mut b = app.browser();
        tasks.push(tokio::spawn(async move { b.sign_in_password("citizen", id, "wrong password!").await.body }));
    }
    let mut wrong = 0;
    for t in tasks {
        let body = t.await.unwrap();
        if body.contains("is wrong") {
            wrong += 1;
        } else {
            assert!(body.contains("under way") || body.contains("Wait ") || body.contains("at once"), "{body}");
        }
    }
    let stored: i64 = sqlx::query_scalar("SELECT failures FROM sso_signin_failures WHERE key = 'citizen:12345678'")
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap();
    assert_eq!(stored, wrong, "every checked guess is counted");
    assert!(wrong <= 4, "three free tries, then delays: {wrong} guesses were checked");
}
on_both!(parallel_guesses_cannot_outrun_the_lockout);

async fn an_unknown_id_meets_the_same_delays_as_a_real_one(app: TestApp) {
    let mut b = app.browser();
    for id in ["99999999", WANJIKU.0] {
        for _ in 0..3 {
            b.sign_in_password("citizen", id, "wrong password!").await;
        }
        let r = b.sign_in_password("citizen", id, "wrong password!").await;
        assert!(r.body.contains("Wait 2 seconds"), "{id}: {}", r.body);
    }
}
on_both!(an_unknown_id_meets_the_same_delays_as_a_real_one);

/// A flood of code requests from one network is stopped there: the owner,
/// elsewhere, still signs in and recovers.
async fn a_flood_from_one_address_costs_that_address_not_the_owner(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut flood = app.browser_from("127.0.0.7");
    for n in 0..2 {
        let r = flood.post("/sso/recover", &common::recovery_form(id, WANJIKU_BORN)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "request {n}: {}", r.body);
    }
    let r = flood.post_refused("/sso/recover", &common::recovery_form("99999999", "1990-01-01")).await;
    assert!(r.body.contains("from your network"), "{}", r.body);
    let mut owner = app.browser_from("127.0.0.8");
    let seen = app.sms_to(phone).len();
    let r = owner.sign_in_password("citizen", id, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = app.next_code(phone, seen).await;
    assert_eq!(owner.post("/sso/signin/code", &[("code", &code)]).await.status, StatusCode::SEE_OTHER);
}
on_both!(a_flood_from_one_address_costs_that_address_not_the_owner, |c: &mut tims::Config| {
    c.sso.sms_per_source = Some(2)
});

/// An account an earlier version blocked is opened by recovery at once.
async fn an_account_blocked_earlier_recovers_at_once(app: TestApp) {
    let (id, phone) = WANJIKU;
    sqlx::query("UPDATE sso_accounts SET blocked_at = 1 WHERE id_number = $1")
        .bind(id)
        .execute(app.app_sso.db().pool())
        .await
        .unwrap();
    let r = app.browser().sign_in_password("citizen", id, PASSWORD).await;
    assert!(r.body.contains("Recover it now"), "{}", r.body);
    let mut b = recover(&app, id, WANJIKU_BORN, phone, NEW_PASSWORD).await;
    let r = b.sign_in_password("citizen", id, NEW_PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
on_both!(an_account_blocked_earlier_recovers_at_once);

async fn the_way_back_survives_a_resend_and_control_characters_are_refused(app: TestApp) {
    let (id, phone) = WANJIKU;
    let mut b = app.browser();
    b.post(
        "/sso/signin",
        &[("account_type", "citizen"), ("id_number", id), ("password", PASSWORD), ("return_to", "/sso/preferences")],
    )
    .await;
    let r = b.post("/sso/signin/code/resend", &[("return_to", "/sso/preferences")]).await;
    assert_eq!(r.location(), "/sso/signin/code?done=code-sent&return_to=%2Fsso%2Fpreferences");
    let r = b.get(&r.location()).await;
    assert!(r.body.contains("name=\"return_to\" value=\"/sso/preferences\""), "{}", r.body);
    let code = app.next_code(phone, 1).await;
    let r = b.post("/sso/signin/code", &[("code", &code), ("return_to", "/sso/preferences\r\nSet-Cookie: x=y")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/sso/?done=signed-in", "an unsafe way back is replaced");
}
on_both!(the_way_back_survives_a_resend_and_control_characters_are_refused);

#![allow(clippy::unwrap_used)]
//! The sign-on's journeys come back where people started: registering and
//! recovering from a registry page land back on it (with its query); a way
//! back naming another site is ignored; the account page and the pages
//! ending a journey link to the registry; and the date of birth is asked in
//! three boxes. End to end over HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{Browser, PASSWORD, Resp, TestApp, dob, recovery_form};
use reqwest::StatusCode;

/// A registry page that needs sign-in, with a query to keep.
const INQUIRY: &str = "/inquiry?registration_number=KDA%20001A";
const WANJIKU: (&str, &str, &str) = ("12345678", "+254712345678", "1985-03-14");
/// In the population register, without an account.
const BARAKA: (&str, &str, &str) = ("89012345", "+254798000111", "1995-09-05");
const NEW_PASSWORD: &str = "mango lorry rain seven";

/// Text as the page wrote it, with the template's escapes undone.
fn unescape(s: &str) -> String {
    [("&#38;", "&"), ("&amp;", "&"), ("&#34;", "\""), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'")]
        .iter()
        .fold(s.to_string(), |acc, (from, to)| acc.replace(from, to))
}

/// The value of the form's hidden `return_to`.
fn return_to_of(body: &str) -> String {
    let after = body.split("name=\"return_to\" value=\"").nth(1).unwrap_or_else(|| panic!("no return_to: {body}"));
    unescape(after.split('"').next().unwrap())
}

/// The address of the link whose text is `text`.
fn href_of(body: &str, text: &str) -> String {
    let at = body.find(&format!(">{text}</a>")).unwrap_or_else(|| panic!("no link {text:?}: {body}"));
    let open = body[..at].rfind("href=\"").unwrap() + "href=\"".len();
    unescape(body[open..at].split('"').next().unwrap())
}

/// The whole tag of the element with this id.
fn tag_of<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}: {body}"));
    let start = body[..at].rfind('<').unwrap();
    &body[start..at + body[at..].find('>').unwrap() + 1]
}

/// Follow redirects from `start` as a browser would; the page reached and
/// its address.
async fn follow(b: &mut Browser, base: &str, start: &str) -> (Resp, String) {
    let mut at = start.to_string();
    for _ in 0..10 {
        let r = b.get(&at).await;
        if !r.status.is_redirection() {
            return (r, at);
        }
        let loc = r.location();
        at = loc.strip_prefix(base).unwrap_or(&loc).to_string();
        assert!(at.starts_with('/'), "left the service for {loc}");
    }
    panic!("too many redirects from {start}");
}

/// Open the registry page, be sent to the sign-on's sign-in; the way back
/// it carries (the authorization request under way).
async fn sent_to_sign_in(app: &TestApp, b: &mut Browser) -> (Resp, String) {
    let (page, at) = follow(b, &app.base, INQUIRY).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(at.starts_with("/sso/signin?return_to="), "{at}");
    let back = return_to_of(&page.body);
    assert!(back.starts_with("/sso/authorize?"), "{back}");
    (page, back)
}

/// Post the code of a sign-in under way with the way back, and follow it
/// to the page it leads to.
async fn finish_with_code(app: &TestApp, b: &mut Browser, phone: &str, seen: usize, back: &str) -> (Resp, String) {
    let code = app.next_code(phone, seen).await;
    let r = b.post("/sso/signin/code", &[("code", &code), ("return_to", back)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), back, "the code leads back to the sign-in under way");
    follow(b, &app.base, back).await
}

async fn registering_from_a_registry_page_lands_back_on_it_with_its_query(app: TestApp) {
    let (id, phone, born) = BARAKA;
    let mut b = app.browser();
    let (signin, back) = sent_to_sign_in(&app, &mut b).await;
    let register = href_of(&signin.body, "Create an account");
    assert!(register.starts_with("/sso/register?return_to="), "{register}");
    let page = b.get(&register).await;
    assert_eq!(return_to_of(&page.body), back, "the form carries the way back");
    assert_eq!(href_of(&page.body, "I already have an account"), format!("/sso/signin?return_to={}", enc(&back)));
    let mut form = vec![("account_type", "citizen"), ("id_number", id), ("phone", "0798 000 111")];
    form.extend(dob(born));
    form.extend([("password", "a long pass phrase"), ("password_confirm", "a long pass phrase"), ("return_to", &back)]);
    let r = b.post("/sso/register", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code_page = format!("/sso/signin/code?return_to={}", enc(&back));
    assert_eq!(r.location(), code_page, "one redirect, to the code");
    let page = b.get(&code_page).await;
    assert!(page.body.contains("Check your phone"), "{}", page.body);
    assert_eq!(return_to_of(&page.body), back);
    // A new code keeps the way back too.
    let r = b.post("/sso/signin/code/resend", &[("return_to", &back)]).await;
    assert_eq!(r.location(), format!("/sso/signin/code?done=code-sent&return_to={}", enc(&back)));
    assert_eq!(return_to_of(&b.get(&r.location()).await.body), back);
    let (page, at) = finish_with_code(&app, &mut b, phone, 1, &back).await;
    assert_eq!(at, INQUIRY, "back on the registry page, with its query");
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("KDA 001A"), "{}", page.body);
    assert!(page.body.contains("Baraka Mwangi"), "signed in at the registry: {}", page.body);
}
on_both!(registering_from_a_registry_page_lands_back_on_it_with_its_query);

async fn a_blocked_account_recovers_from_a_registry_page_and_lands_back_on_it(app: TestApp) {
    let (id, phone, born) = WANJIKU;
    sqlx::query("UPDATE sso_accounts SET blocked_at = $1 WHERE id_number = $2")
        .bind(app.clock_now())
        .bind(id)
        .execute(app.app_sso.db().pool())
        .await
        .unwrap();
    let mut b = app.browser();
    let (_, back) = sent_to_sign_in(&app, &mut b).await;
    let r = b
        .post_refused(
            "/sso/signin",
            &[("account_type", "citizen"), ("id_number", id), ("password", PASSWORD), ("return_to", &back)],
        )
        .await;
    assert!(r.body.contains("<a href=\"#recover-now\">"), "the summary leads to the way out: {}", r.body);
    let recover = href_of(&r.body, "Recover your account now");
    assert_eq!(recover, format!("/sso/recover?return_to={}", enc(&back)));
    let page = b.get(&recover).await;
    assert_eq!(return_to_of(&page.body), back);
    assert_eq!(href_of(&page.body, "Back to sign in"), format!("/sso/signin?return_to={}", enc(&back)));

    let mut form = recovery_form(id, born);
    form.push(("return_to", &back));
    let r = b.post("/sso/recover", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/sso/recover/code?return_to={}", enc(&back)));
    let page = b.get(&r.location()).await;
    assert_eq!(return_to_of(&page.body), back);
    assert_eq!(href_of(&page.body, "Start again"), recover);
    let code = app.next_code(phone, 0).await;
    // A refusal keeps the way back, never the code typed.
    let r = b
        .post_refused(
            "/sso/recover/code",
            &[("code", &code), ("password", NEW_PASSWORD), ("password_confirm", "not the same"), ("return_to", &back)],
        )
        .await;
    assert_eq!(return_to_of(&r.body), back);
    assert!(tag_of(&r.body, "code").contains("value=\"\""), "{}", r.body);
    assert!(!r.body.contains(&code) && !r.body.contains(NEW_PASSWORD), "{}", r.body);
    let r = b
        .post(
            "/sso/recover/code",
            &[("code", &code), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD), ("return_to", &back)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/sso/signin?done=recovered&return_to={}", enc(&back)));
    let page = b.get(&r.location()).await;
    assert!(page.body.contains("Your password was changed"), "{}", page.body);
    assert_eq!(return_to_of(&page.body), back);

    let seen = app.sms_to(phone).len();
    let r = b
        .post(
            "/sso/signin",
            &[("account_type", "citizen"), ("id_number", id), ("password", NEW_PASSWORD), ("return_to", &back)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (page, at) = finish_with_code(&app, &mut b, phone, seen, &back).await;
    assert_eq!(at, INQUIRY, "back on the registry page, with its query");
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("KDA 001A"), "{}", page.body);
}
on_both!(a_blocked_account_recovers_from_a_registry_page_and_lands_back_on_it);

async fn a_way_back_naming_another_site_is_ignored(app: TestApp) {
    let (id, phone, born) = BARAKA;
    for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/sso//evil.example", "/sso/\r\nx: y"]
    {
        let mut b = app.browser();
        for page in ["/sso/signin", "/sso/register", "/sso/recover", "/sso/recover/code"] {
            let r = b.get(&format!("{page}?return_to={}", enc(evil))).await;
            assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
            assert_eq!(return_to_of(&r.body), "/sso/", "{page} with {evil:?}");
            // The language switch comes back to this very page (which
            // ignores the way back); nothing else may name the other site.
            let switch = r.body.find(r#"<nav class="languages""#).unwrap_or(0);
            let end = switch + r.body[switch..].find("</nav>").unwrap_or(0);
            let outside_switch = format!("{}{}", &r.body[..switch], &r.body[end..]);
            assert!(!outside_switch.contains("evil.example"), "{page}: {}", r.body);
        }
        let mut form = recovery_form(WANJIKU.0, WANJIKU.2);
        form.push(("return_to", evil));
        assert_eq!(b.post("/sso/recover", &form).await.location(), "/sso/recover/code", "{evil:?}");
    }
    // A name given twice is read as a browser sends it, the last counting.
    let mut b = app.browser();
    let r = b.get("/sso/register?return_to=%2Fsso%2Fpreferences&return_to=https%3A%2F%2Fevil.example%2F").await;
    assert_eq!((r.status, return_to_of(&r.body)), (StatusCode::OK, "/sso/".to_string()));
    let r = b.get("/sso/register?return_to=https%3A%2F%2Fevil.example%2F&return_to=%2Fsso%2Fpreferences").await;
    assert_eq!(return_to_of(&r.body), "/sso/preferences");
    // A whole registration with one ends on the account.
    let mut b = app.browser();
    let mut form = vec![("account_type", "citizen"), ("id_number", id), ("phone", "0798000111")];
    form.extend(dob(born));
    form.extend([
        ("password", "a long pass phrase"),
        ("password_confirm", "a long pass phrase"),
        ("return_to", "https://evil.example/"),
    ]);
    let r = b.post("/sso/register", &form).await;
    assert_eq!(r.location(), "/sso/signin/code", "{}", r.body);
    let code = app.next_code(phone, 0).await;
    let r = b.post("/sso/signin/code", &[("code", &code), ("return_to", "https://evil.example/")]).await;
    assert_eq!(r.location(), "/sso/?done=registered");
}
on_both!(a_way_back_naming_another_site_is_ignored);

async fn the_account_and_the_pages_ending_a_journey_link_to_the_registry(app: TestApp) {
    let (id, phone, born) = BARAKA;
    let registry = format!("{}/", app.base);
    // Registered with no way back under way: the account says so.
    let mut b = app.browser();
    let mut form = vec![("account_type", "citizen"), ("id_number", id), ("phone", "0798000111")];
    form.extend(dob(born));
    form.extend([("password", "a long pass phrase"), ("password_confirm", "a long pass phrase")]);
    assert_eq!(b.post("/sso/register", &form).await.location(), "/sso/signin/code");
    let code = app.next_code(phone, 0).await;
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert_eq!(r.location(), "/sso/?done=registered");
    let home = b.get(&r.location()).await;
    assert!(home.body.contains("Your account is ready"), "{}", home.body);
    assert_eq!(href_of(&home.body, "Go to the vehicle registry"), registry);
    // Always, not only after a journey.
    assert_eq!(href_of(&b.get("/sso/").await.body, "Go to the vehicle registry"), registry);
    // Signed out.
    let r = b.post("/sso/signout", &[]).await;
    assert_eq!(r.location(), "/sso/signin?done=signed-out");
    let page = b.get(&r.location()).await;
    assert!(page.body.contains("You are signed out."), "{}", page.body);
    assert_eq!(href_of(&page.body, "Go to the vehicle registry"), registry);
    // Recovered.
    let (id, phone, born) = WANJIKU;
    let mut b = app.browser();
    assert_eq!(b.post("/sso/recover", &recovery_form(id, born)).await.location(), "/sso/recover/code");
    let code = app.next_code(phone, 0).await;
    let r = b
        .post("/sso/recover/code", &[("code", &code), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD)])
        .await;
    assert_eq!(r.location(), "/sso/signin?done=recovered");
    let page = b.get(&r.location()).await;
    assert!(page.body.contains("Your password was changed"), "{}", page.body);
    assert_eq!(href_of(&page.body, "Go to the vehicle registry"), registry);
}
on_both!(the_account_and_the_pages_ending_a_journey_link_to_the_registry);

/// The registration form of the stand-in citizen with these boxes.
fn registration<'a>(day: &'a str, month: &'a str, year: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("account_type", "citizen"),
        ("id_number", BARAKA.0),
        ("date_of_birth_day", day),
        ("date_of_birth_month", month),
        ("date_of_birth_year", year),
        ("phone", "0798000111"),
        ("password", "a long pass phrase"),
        ("password_confirm", "a long pass phrase"),
    ]
}

const BOXES: [&str; 3] = ["date_of_birth_day", "date_of_birth_month", "date_of_birth_year"];

/// Which of the three boxes are marked, and the values they keep.
fn boxes(body: &str) -> Vec<(bool, String)> {
    BOXES
        .iter()
        .map(|id| {
            let tag = tag_of(body, id);
            let value = tag.split("value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or_default();
            (tag.contains("aria-invalid=\"true\""), value.to_string())
        })
        .collect()
}

async fn the_date_of_birth_is_asked_in_three_boxes(app: TestApp) {
    let mut b = app.browser();
    for page in ["/sso/register", "/sso/recover"] {
        let body = b.get(page).await.body;
        assert!(body.contains("<legend>Date of birth</legend>"), "{page}: {body}");
        assert!(tag_of(&body, "date_of_birth").starts_with("<fieldset"), "{page}");
        for (id, label) in BOXES.iter().zip(["Day", "Month", "Year"]) {
            assert!(body.contains(&format!("<label for=\"{id}\">{label}</label>")), "{page}: {id}");
            let tag = tag_of(&body, id);
            assert!(tag.contains("inputmode=\"numeric\"") && tag.contains(&format!("name=\"{id}\"")), "{tag}");
        }
        assert!(tag_of(&body, "date_of_birth_year").contains("digits-4"));
        assert!(tag_of(&body, "date_of_birth_day").contains("digits-2"));
    }
    // Each wrong box is named and marked alone; the values are kept.
    let cases: [([&str; 3], [bool; 3], &str); 8] = [
        (["32", "4", "1991"], [true, false, false], "The day of birth must be a number from 1 to 31"),
        (["1", "13", "1991"], [false, true, false], "The month of birth must be a number from 1 to 12"),
        (["1", "4", "91"], [false, false, true], "The year of birth must be 4 digits"),
        (["31", "4", "1991"], [true, false, false], "must be a real date: that month has 30 days"),
        (["", "", "1991"], [true, true, false], "Date of birth must include a day and a month"),
        (["", "", ""], [true, true, true], "Enter your date of birth"),
        (["1", "4", "2090"], [true, true, true], "in the future"),
        (["x", "4", "1991"], [true, false, false], "The day of birth must be a number"),
    ];
    for (values, marked, message) in cases {
        let r = b.post_refused("/sso/register", &registration(values[0], values[1], values[2])).await;
        assert!(r.body.contains("<title>Error: Create an account"), "{values:?}: {}", r.body);
        assert!(r.body.contains(message), "{values:?}: {}", r.body);
        assert_eq!(r.body.matches(message).count(), 2, "once in the summary, once beside the boxes: {}", r.body);
        let first = BOXES[marked.iter().position(|m| *m).unwrap()];
        assert!(r.body.contains(&format!("<a href=\"#{first}\">")), "{values:?} links to {first}: {}", r.body);
        let got = boxes(&r.body);
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), marked, "{values:?}");
        assert_eq!(got.iter().map(|g| g.1.as_str()).collect::<Vec<_>>(), values, "values kept");
        assert!(tag_of(&r.body, "id_number").contains(&format!("value=\"{}\"", BARAKA.0)));
    }
    // Recovery asks the same way.
    let r = b
        .post_refused(
            "/sso/recover",
            &[
                ("account_type", "citizen"),
                ("id_number", WANJIKU.0),
                ("date_of_birth_day", "14"),
                ("date_of_birth_month", "0"),
                ("date_of_birth_year", "1985"),
            ],
        )
        .await;
    assert!(r.body.contains("<title>Error: Recover your account"), "{}", r.body);
    assert_eq!(boxes(&r.body), [(false, "14".into()), (true, "0".into()), (false, "1985".into())]);
    // Good dates, a leading zero or none, are taken.
    assert_eq!(b.post("/sso/recover", &recovery_form(WANJIKU.0, "1985-3-14")).await.location(), "/sso/recover/code");
    let r = b.post("/sso/register", &registration("05", "9", " 1995 ")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
on_both!(the_date_of_birth_is_asked_in_three_boxes);

/// What a refused form's page must show: the error beside the field `id`
/// and in the summary (linking to it), and none of `secrets`; and shown
/// once: the page asked again is clean.
async fn shows_once(b: &mut Browser, page: &Resp, at: &str, id: &str, message: &str, secrets: &[&str]) {
    let error = tag_of(&page.body, &format!("{id}-error"));
    assert!(page.body.contains(&format!("<a href=\"#{id}\">{message}")), "in the summary: {}", page.body);
    assert!(page.body[page.body.find(error).unwrap()..].contains(message), "beside {id}: {}", page.body);
    assert!(tag_of(&page.body, id).contains("aria-invalid=\"true\""), "{}", page.body);
    for secret in secrets {
        assert!(!page.body.contains(secret), "{secret:?} is never shown again: {}", page.body);
    }
    let again = b.get(at).await;
    assert!(!again.body.contains("<title>Error: ") && !again.body.contains(message), "once: {}", again.body);
}

/// The value the field `id` shows.
fn value_of(body: &str, id: &str) -> String {
    let tag = tag_of(body, id);
    unescape(tag.split("value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or_default())
}

async fn every_refused_form_comes_back_to_its_page_with_what_was_typed_and_no_secret(app: TestApp) {
    let (id, _, born) = BARAKA;
    let mut b = app.browser();
    let (_, back) = sent_to_sign_in(&app, &mut b).await;
    let back_enc = enc(&back);

    // Registration: the way back stays in the address, the answers in the fields.
    let secret = "a long pass phrase";
    let mut form = vec![("account_type", "citizen"), ("id_number", id), ("phone", "0798 000")];
    form.extend(dob(born));
    form.extend([("email", "baraka@example.com"), ("password", secret), ("password_confirm", secret)]);
    form.push(("return_to", &back));
    let r = b.post("/sso/register", &form).await;
    let at = format!("/sso/register?return_to={back_enc}");
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()), "one redirect to its own page");
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: Create an account"), "{}", page.body);
    assert_eq!(return_to_of(&page.body), back);
    for (field, typed) in [("id_number", id), ("phone", "0798 000"), ("email", "baraka@example.com")] {
        assert_eq!(value_of(&page.body, field), typed, "{field} kept");
    }
    assert_eq!(boxes(&page.body).iter().map(|b| b.1.as_str()).collect::<Vec<_>>(), ["05", "09", "1995"]);
    shows_once(&mut b, &page, &at, "phone", "Enter a Kenyan mobile number", &[secret]).await;

    // Sign-in: a wrong password.
    let wrong = "not my password";
    let signin = [("account_type", "citizen"), ("id_number", WANJIKU.0), ("password", wrong), ("return_to", &back)];
    let r = b.post("/sso/signin", &signin).await;
    let at = format!("/sso/signin?return_to={back_enc}");
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()));
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: Sign in"), "{}", page.body);
    assert_eq!((value_of(&page.body, "id_number"), return_to_of(&page.body)), (WANJIKU.0.to_string(), back.clone()));
    shows_once(&mut b, &page, &at, "password", "The ID number or password is wrong", &[wrong]).await;

    // The sign-in's code: a wrong one.
    let (_, wphone, _) = WANJIKU;
    let signin = [("account_type", "citizen"), ("id_number", WANJIKU.0), ("password", PASSWORD), ("return_to", &back)];
    assert_eq!(b.post("/sso/signin", &signin).await.status, StatusCode::SEE_OTHER);
    let code = app.next_code(wphone, 0).await;
    let typed = wrong_code(&code);
    let r = b.post("/sso/signin/code", &[("code", &typed), ("return_to", &back)]).await;
    let at = format!("/sso/signin/code?return_to={back_enc}");
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()));
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: Enter your sign-in code"), "{}", page.body);
    assert_eq!((value_of(&page.body, "code"), return_to_of(&page.body)), (String::new(), back.clone()));
    shows_once(&mut b, &page, &at, "code", "The code is wrong", &[&typed]).await;

    // Recovery: a date that is not one, then a code with passwords that differ.
    let mut b = app.browser();
    let mut form = vec![("account_type", "citizen"), ("id_number", WANJIKU.0)];
    form.extend([("date_of_birth_day", "14"), ("date_of_birth_month", "13"), ("date_of_birth_year", "1985")]);
    form.push(("return_to", &back));
    let r = b.post("/sso/recover", &form).await;
    let at = format!("/sso/recover?return_to={back_enc}");
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()));
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: Recover your account"), "{}", page.body);
    assert_eq!(value_of(&page.body, "id_number"), WANJIKU.0);
    assert_eq!(boxes(&page.body), [(false, "14".into()), (true, "13".into()), (false, "1985".into())]);
    let mut form = recovery_form(WANJIKU.0, WANJIKU.2);
    form.push(("return_to", &back));
    assert_eq!(b.post("/sso/recover", &form).await.status, StatusCode::SEE_OTHER);
    let code = app.next_code(wphone, 1).await;
    let fields = [("code", code.as_str()), ("password", NEW_PASSWORD), ("password_confirm", "not the same at all")];
    let r = b.post("/sso/recover/code", &[fields.as_slice(), &[("return_to", back.as_str())]].concat()).await;
    let at = format!("/sso/recover/code?return_to={back_enc}");
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()));
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: "), "{}", page.body);
    assert_eq!(return_to_of(&page.body), back);
    shows_once(&mut b, &page, &at, "password_confirm", "The two passwords do not match", &[&code, NEW_PASSWORD]).await;
    // The code still works, typed again.
    let r = b
        .post("/sso/recover/code", &[("code", &code), ("password", NEW_PASSWORD), ("password_confirm", NEW_PASSWORD)])
        .await;
    assert_eq!(r.location(), "/sso/signin?done=recovered");
}
on_both!(every_refused_form_comes_back_to_its_page_with_what_was_typed_and_no_secret);

/// A code one digit off the right one.
fn wrong_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn a_throttled_sign_in_says_how_long_to_wait_and_links_to_recovery_with_the_way_back(app: TestApp) {
    let (id, _, _) = WANJIKU;
    let mut b = app.browser();
    let (_, back) = sent_to_sign_in(&app, &mut b).await;
    let form = |password: &'static str| {
        vec![("account_type", "citizen"), ("id_number", id), ("password", password), ("return_to", back.as_str())]
    };
    for _ in 0..3 {
        let page = b.post_refused("/sso/signin", &form("wrong password!")).await;
        assert!(!page.body.contains("id=\"recover\""), "a wrong password is not a wait: {}", page.body);
    }
    // The next try, even with the right password, waits.
    let r = b.post("/sso/signin", &form(PASSWORD)).await;
    let at = format!("/sso/signin?return_to={}", enc(&back));
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, at.clone()));
    let page = b.get(&at).await;
    assert!(page.body.contains("<title>Error: Sign in"), "{}", page.body);
    assert!(page.body.contains("Wait 2 seconds before you try again"), "{}", page.body);
    assert!(page.body.contains("<a href=\"#recover\">Too many failed sign-ins"), "{}", page.body);
    let recover = href_of(&page.body, "Forgot your password? Recover your account");
    assert_eq!(recover, format!("/sso/recover?return_to={}", enc(&back)));
    assert!(tag_of(&page.body, "recover").starts_with("<a "), "the summary's link leads to it");
    assert!(!page.body.contains("Forgot your password?</a>"), "one way to recovery, not two: {}", page.body);
    assert_eq!((value_of(&page.body, "id_number"), return_to_of(&page.body)), (id.to_string(), back.clone()));
    assert_eq!(return_to_of(&b.get(&recover).await.body), back, "recovery carries the way back on");
    // In Kiswahili, in plain words.
    b.cookies.insert("__Host-tims_lang".into(), "sw".into());
    let page = b.post_refused("/sso/signin", &form(PASSWORD)).await;
    assert!(page.body.contains("Subiri sekunde 2 kabla ya kujaribu tena"), "{}", page.body);
    assert_eq!(href_of(&page.body, "Umesahau nenosiri lako? Rejesha akaunti yako"), recover);
}
on_both!(a_throttled_sign_in_says_how_long_to_wait_and_links_to_recovery_with_the_way_back);

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

//! The layout and every component, rendered as a page would use them.

use askama::Template;

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% extends "pagekit/layout.html" %}
{% import "pagekit/components.html" as kit %}
{% block lang %}{{ lang }}{% endblock %}
{% block head_title %}{{ title }} – tims{% endblock %}
{% block part %}registry{% endblock %}
{% block header %}<a href="/">tims</a>{% endblock %}
{% block main %}
{% call kit::error_summary(errors, "There is a problem") %}{% endcall %}
{% call kit::notice(notice) %}{% endcall %}
{% call kit::field("registration_number", "Registration number", value, "For example KAA 001A", field_error, "text") %}{% endcall %}
{% call kit::summary_list(summary) %}{% endcall %}
{% call kit::table(head, rows, "Nothing here.") %}{% endcall %}
{% call kit::pager(next, first, "Next page", "Back to the first page", "Pages") %}{% endcall %}
{% endblock %}"#
)]
struct Example<'a> {
    lang: &'a str,
    title: &'a str,
    errors: Vec<(&'a str, String)>,
    notice: &'a str,
    value: &'a str,
    field_error: &'a str,
    summary: Vec<(&'a str, &'a str)>,
    head: Vec<&'a str>,
    rows: Vec<(&'a str, Vec<&'a str>)>,
    next: &'a str,
    first: &'a str,
}

fn example() -> Example<'static> {
    Example {
        lang: "sw",
        title: "Gari",
        errors: vec![("registration_number", "Enter a registration number".into()), ("", "Try again".into())],
        notice: "Saved.",
        value: "KDA <001A>",
        field_error: "Enter a registration number",
        summary: vec![("Make", "Toyota")],
        head: vec!["Registration", "Status"],
        rows: vec![("", vec!["KDA 001A", "Active"])],
        next: "/vehicles?after=x",
        first: "/vehicles",
    }
}

#[test]
fn the_layout_links_the_one_stylesheet_and_says_the_pages_language() {
    let html = example().render().unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains(r#"<html lang="sw">"#), "{html}");
    assert!(html.contains(&format!(r#"<link rel="stylesheet" href="{}">"#, pagekit::stylesheet_href())));
    assert!(html.contains(&format!(r#"<link rel="icon" type="image/svg+xml" href="{}">"#, pagekit::favicon_href())));
    assert!(html.contains("<title>Gari – tims</title>"));
    assert!(html.contains(r#"<body class="registry">"#));
    assert!(!html.contains("<style>"), "no inline CSS");
}

#[test]
fn components_show_errors_beside_their_field_and_in_the_summary() {
    let html = example().render().unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains(r##"<a href="#registration_number">Enter a registration number</a>"##), "{html}");
    assert!(html.contains("<li>Try again</li>"));
    assert!(html.contains(r#"<p class="field-error" id="registration_number-error">Enter a registration number</p>"#));
    assert!(html.contains(r#"aria-describedby="registration_number-hint registration_number-error""#));
    assert!(html.contains(r#"value="KDA &#60;001A&#62;""#), "values are escaped: {html}");
    assert!(html.contains(r#"<p class="notice" role="status">Saved.</p>"#));
    assert!(html.contains("<dt>Make</dt><dd>Toyota</dd>"));
    assert!(html.contains(r#"<th scope="col">Registration</th>"#));
    assert!(html.contains(r#"<td data-label="Registration">KDA 001A</td><td data-label="Status">Active</td>"#));
    assert!(html.contains(r#"<a href="/vehicles?after=x" rel="next">Next page</a>"#));
    assert!(html.contains(r#"<nav aria-label="Pages">"#), "the pager is named by its caller: {html}");
}

#[test]
fn empty_components_show_nothing_or_their_empty_text() {
    let quiet = Example { errors: vec![], notice: "", field_error: "", rows: vec![], next: "", first: "", ..example() };
    let html = quiet.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(!html.contains("class=\"summary\"") && !html.contains("role=\"status\""));
    assert!(!html.contains("has-error") && !html.contains("aria-invalid"));
    assert!(html.contains("<p>Nothing here.</p>") && !html.contains("<nav"));
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "pagekit/components.html" as kit %}
{% call kit::table(["Reference", "State"], rows, "No transfers.") %}{% endcall %}"#
)]
struct Linked<'a> {
    rows: Vec<(&'a str, Vec<&'a str>)>,
}

#[test]
fn a_tables_rows_may_lead_to_their_page() {
    let rows = vec![("/transfers/t1", vec!["TR-1", "Draft"]), ("", vec!["TR-2", "<Approved>"])];
    let html = Linked { rows }.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        html.contains(
            r#"<td data-label="Reference"><a href="/transfers/t1">TR-1</a></td><td data-label="State">Draft</td>"#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"<td data-label="Reference">TR-2</td><td data-label="State">&#60;Approved&#62;</td>"#),
        "no link without an address: {html}"
    );
    let empty = Linked { rows: vec![] }.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(empty.contains("<p>No transfers.</p>") && !empty.contains("<table"));
}

#[test]
fn the_registrys_header_links_are_white_but_not_the_pagers_in_main() {
    assert!(pagekit::STYLESHEET.contains(".registry header nav a{color:#fff"));
    assert!(!pagekit::STYLESHEET.contains(".registry nav a"), "a rule for every nav would whiten the pager");
}

#[test]
fn the_stylesheet_url_changes_with_its_content() {
    let href = pagekit::stylesheet_href();
    assert!(
        href.starts_with("/static/tims-") && href.ends_with(".css") && href.len() == "/static/tims-.css".len() + 16
    );
    assert!(pagekit::STYLESHEET.contains(".registry header") && pagekit::STYLESHEET.contains(".sso header"));
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "pagekit/components.html" as kit %}
{% call kit::input("code", "Code", "", "", error, "text", "one-time-code", "numeric") %}{% endcall %}
{% call kit::input("email", "Email", "a@b.ke", "", "", "email", "", "") %}{% endcall %}
{% call kit::select("account_type", "You are a", options, "resident", "", "") %}{% endcall %}
{% call kit::checkbox("sms_alerts", "Send me SMS alerts", ticked) %}{% endcall %}"#
)]
struct Inputs<'a> {
    error: &'a str,
    options: Vec<(&'a str, &'a str)>,
    ticked: bool,
}

#[test]
fn inputs_choices_and_boxes_carry_their_hints_to_the_browser() {
    let page = Inputs {
        error: "Error: Enter the code",
        options: vec![("citizen", "Citizen"), ("resident", "Resident")],
        ticked: true,
    };
    let html = page.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        html.contains(
            r#"autocomplete="one-time-code" inputmode="numeric" aria-describedby="code-error" aria-invalid="true""#
        ),
        "{html}"
    );
    assert!(
        html.contains(r#"<input type="email" id="email" name="email" value="a@b.ke">"#),
        "no empty attributes: {html}"
    );
    assert!(
        html.contains(r#"<option value="resident" selected>Resident</option>"#)
            && html.contains(r#"<option value="citizen">Citizen</option>"#)
    );
    assert!(html.contains(r#"name="sms_alerts" value="on" checked> Send me SMS alerts</label>"#));
    let unticked = Inputs { ticked: false, ..page }.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(!unticked.contains(" checked>"));
}

#[test]
fn the_favicon_is_our_own_small_svg_at_a_hashed_url() {
    let href = pagekit::favicon_href();
    assert!(
        href.starts_with("/static/tims-") && href.ends_with(".svg") && href.len() == "/static/tims-.svg".len() + 16
    );
    assert_ne!(href.trim_end_matches(".svg"), pagekit::stylesheet_href().trim_end_matches(".css"));
    assert!(pagekit::FAVICON.starts_with("<svg") && pagekit::FAVICON.len() < 1024);
    assert!(!pagekit::FAVICON.contains("href"), "nothing fetched from elsewhere");
}

#[test]
fn nothing_is_fetched_from_another_site() {
    for (name, text) in
        [("stylesheet", pagekit::STYLESHEET), ("layout", include_str!("../templates/pagekit/layout.html"))]
    {
        for outside in ["http://", "https://", "//fonts", "@import", "url("] {
            assert!(!text.contains(outside), "{name} has {outside}");
        }
    }
}

#[test]
fn the_focus_is_yellow_and_black_and_targets_are_big_enough() {
    let css = pagekit::STYLESHEET;
    // Links: black on yellow with a thick black underline.
    assert!(css.contains("a:focus,"), "{css}");
    assert!(css.contains("color:#0b0c0c;background-color:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c"));
    // Inputs and buttons: a yellow outline and a black inner ring.
    assert!(css.contains("input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #fd0"));
    assert!(css.contains("box-shadow:inset 0 0 0 2px #0b0c0c"));
    // 24 px targets for the links of the header, lists, tables and pager.
    assert!(css.contains("header a,li a,td a,nav a,p>a:only-child{display:inline-block;min-height:1.5rem"));
    assert!(css.contains("header nav{display:flex;flex-wrap:wrap"), "the header's links wrap on a phone");
}

#[test]
fn tables_are_stacked_rows_on_a_phone_and_tables_on_a_wide_screen() {
    let css = pagekit::STYLESHEET;
    let wide = css.find("@media (min-width:40em)").unwrap_or_else(|| panic!("a wide-screen block"));
    let stacked = css.find("table,tbody,tr,td{display:block}").unwrap_or_else(|| panic!("stacked rows"));
    assert!(stacked < wide, "mobile first: the phone's rules come first");
    assert!(css.contains("td[data-label]::before{content:attr(data-label)"));
    assert!(
        css[wide..].contains("table{display:table}") && css[wide..].contains("td[data-label]::before{content:none}")
    );
}

#[test]
fn a_printed_page_is_its_content_only() {
    let css = pagekit::STYLESHEET;
    let print = css.find("@media print{").unwrap_or_else(|| panic!("a print style"));
    assert!(css[print..].contains("header,nav,.languages,button,form{display:none}"));
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"{% import "pagekit/components.html" as kit %}<header>{% call kit::languages(lang, "/sso/") %}{% endcall %}</header>"#
)]
struct Header {
    lang: texts::Lang,
}

#[test]
fn the_language_switch_names_each_other_language_in_itself() {
    let html = Header { lang: texts::Lang::En }.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(html.contains(r#"<nav class="languages" aria-label="Language">"#), "{html}");
    assert!(
        html.contains(r#"<a href="/language?lang=sw&#38;back=%2Fsso%2F" lang="sw" hreflang="sw" title="Onyesha ukurasa huu kwa Kiswahili">Kiswahili</a>"#),
        "{html}"
    );
    assert!(!html.contains(">English<"), "the page's own language is not offered");
    let sw = Header { lang: texts::Lang::Sw }.render().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        sw.contains(r#"aria-label="Lugha""#)
            && sw.contains(r#"lang="en" hreflang="en""#)
            && sw.contains(">English</a>")
    );
}

fn switched(uri: &str, site: Option<&'static str>) -> axum::response::Response {
    let uri: axum::http::Uri = uri.parse().unwrap_or_else(|e| panic!("{e}"));
    let query = axum::extract::Query::try_from_uri(&uri).unwrap_or_else(|e| panic!("{e}"));
    let mut headers = axum::http::HeaderMap::new();
    if let Some(s) = site {
        headers.insert("sec-fetch-site", axum::http::HeaderValue::from_static(s));
    }
    futures_lite(pagekit::switch_language(headers, query))
}

/// Runs a future that never waits.
fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().build().unwrap_or_else(|e| panic!("{e}")).block_on(f)
}

fn header_of(r: &axum::response::Response, name: axum::http::HeaderName) -> Option<String> {
    r.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[test]
fn switching_remembers_the_language_for_a_year_and_goes_back_to_the_page() {
    use axum::http::header::{LOCATION, SET_COOKIE};
    let r = switched("/language?lang=sw&back=%2Fvehicles%3Fafter%3Dx%26limit%3D5", None);
    assert_eq!(r.status(), axum::http::StatusCode::SEE_OTHER);
    assert_eq!(header_of(&r, LOCATION).as_deref(), Some("/vehicles?after=x&limit=5"));
    assert_eq!(
        header_of(&r, SET_COOKIE).as_deref(),
        Some("__Host-tims_lang=sw; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000")
    );
    let same_origin = switched("/language?lang=en&back=/", Some("same-origin"));
    assert!(header_of(&same_origin, SET_COOKIE).is_some_and(|c| c.starts_with("__Host-tims_lang=en;")));
}

#[test]
fn switching_goes_to_no_other_site_and_takes_no_unknown_language() {
    use axum::http::header::{LOCATION, SET_COOKIE};
    for back in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example", "evil"] {
        let r = switched(&format!("/language?lang=sw&back={back}"), None);
        assert_eq!(header_of(&r, LOCATION).as_deref(), Some("/"), "{back}");
    }
    let unknown = switched("/language?lang=fr&back=/vehicles", None);
    assert_eq!(header_of(&unknown, LOCATION).as_deref(), Some("/vehicles"));
    assert_eq!(header_of(&unknown, SET_COOKIE), None, "an unknown language changes nothing");
    let cross = switched("/language?lang=sw&back=/vehicles", Some("cross-site"));
    assert_eq!(header_of(&cross, SET_COOKIE), None, "another site cannot choose for the person");
}

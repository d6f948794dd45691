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
    assert!(html.contains(r#"<th scope="col">Registration</th>"#) && html.contains("<td>KDA 001A</td>"));
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
    assert!(html.contains(r#"<td><a href="/transfers/t1">TR-1</a></td><td>Draft</td>"#), "{html}");
    assert!(html.contains("<td>TR-2</td><td>&#60;Approved&#62;</td>"), "no link without an address: {html}");
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

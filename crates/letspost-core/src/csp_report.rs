//! CSP violation reports as browsers send them to `report-uri` (`{"csp-report": {…}}`, every
//! engine) or to a Reporting API endpoint (`[{"type": "csp-violation", "body": {…}}]`), read
//! into one shape. Anything else is not a report: the Worker answers 400 and logs nothing.
//! A report is anonymous, so what it can make the Worker log is bounded: only the report
//! content types, at most `MAX_LOGGED` violations, each field cut to `FIELD_MAX` characters.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Violations logged from one request (a page breaking its policy reports one per resource).
pub const MAX_LOGGED: usize = 5;
/// Characters kept of each field (a path or URL longer than this says nothing more useful).
pub const FIELD_MAX: usize = 256;
/// What browsers send reports as: `report-uri` and the Reporting API.
pub const CONTENT_TYPES: [&str; 2] = ["application/csp-report", "application/reports+json"];

/// Is this `Content-Type` one browsers send reports with (parameters aside)?
pub fn is_report_content_type(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else { return false };
    let media = ct.split(';').next().unwrap_or_default().trim();
    CONTENT_TYPES.iter().any(|t| media.eq_ignore_ascii_case(t))
}

/// A report's violations as logged: at most `MAX_LOGGED`, and how many more it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub violations: Vec<Violation>,
    pub omitted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The page's path (no query or fragment: a share link's fragment or a code never lands
    /// in a log).
    pub page: String,
    pub directive: String,
    /// What was blocked: a URL's origin and path, or `inline`, `eval`, `wasm-eval`, `data`…
    pub blocked: String,
}

fn text(v: &Value, keys: &[&str]) -> String {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str)).unwrap_or_default().to_string()
}

/// At most `FIELD_MAX` characters.
fn cut(mut s: String) -> String {
    if let Some((i, _)) = s.char_indices().nth(FIELD_MAX) {
        s.truncate(i);
    }
    s
}

/// A URL without its query and fragment; a keyword (`inline`, `eval`) as it is.
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

/// The path of a page URL (`http://host/compose?x#c=…` → `/compose`).
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    without_query(path)
}

fn violation(body: &Value, legacy: bool) -> Option<Violation> {
    let (page, directive, blocked) = if legacy {
        (text(body, &["document-uri"]), text(body, &["effective-directive", "violated-directive"]), text(body, &["blocked-uri"]))
    } else {
        (text(body, &["documentURL", "documentURI"]), text(body, &["effectiveDirective", "violatedDirective"]), text(body, &["blockedURL", "blockedURI"]))
    };
    if directive.is_empty() {
        return None;
    }
    Some(Violation {
        page: cut(path_of(&page)),
        directive: cut(directive.split(' ').next().unwrap_or_default().to_string()),
        blocked: cut(without_query(&blocked)),
    })
}

/// The violations a report body holds (the first `MAX_LOGGED`, fields cut); `None` when it is
/// not a CSP report at all.
pub fn parse(body: &[u8]) -> Option<Report> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if let Some(r) = v.get("csp-report") {
        return violation(r, true).map(|v| Report { violations: vec![v], omitted: 0 });
    }
    let reports = v.as_array()?;
    let mut found = reports.iter().filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation")).filter_map(|r| violation(r.get("body")?, false));
    let violations: Vec<Violation> = found.by_ref().take(MAX_LOGGED).collect();
    let omitted = found.count();
    (!violations.is_empty()).then_some(Report { violations, omitted })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_uri_bodies_from_each_engine() {
        // Chromium and WebKit: effective-directive; Firefox: violated-directive with its source list.
        let chromium = br#"{"csp-report":{"document-uri":"http://127.0.0.1:8787/compose#c=secret","referrer":"","violated-directive":"img-src","effective-directive":"img-src","original-policy":"...","disposition":"enforce","blocked-uri":"https://evil.example/x.png?token=1","status-code":200,"script-sample":""}}"#;
        assert_eq!(
            parse(chromium).unwrap().violations,
            vec![Violation { page: "/compose".into(), directive: "img-src".into(), blocked: "https://evil.example/x.png".into() }]
        );
        let firefox = br#"{"csp-report":{"blocked-uri":"inline","document-uri":"http://127.0.0.1:8787/oauth/callback?code=abc&state=x","original-policy":"...","referrer":"","violated-directive":"script-src-elem 'self' 'wasm-unsafe-eval'"}}"#;
        assert_eq!(
            parse(firefox).unwrap().violations,
            vec![Violation { page: "/oauth/callback".into(), directive: "script-src-elem".into(), blocked: "inline".into() }]
        );
    }

    #[test]
    fn reporting_api_bodies() {
        let body = br#"[{"age":1,"type":"csp-violation","url":"https://app.example/posts","body":{"documentURL":"https://app.example/posts","blockedURL":"eval","effectiveDirective":"script-src","disposition":"enforce"}},{"type":"deprecation","body":{}}]"#;
        assert_eq!(parse(body).unwrap().violations, vec![Violation { page: "/posts".into(), directive: "script-src".into(), blocked: "eval".into() }]);
    }

    #[test]
    fn a_flood_is_cut_to_five_violations_of_short_fields() {
        let long = format!("https://evil.example/{}", "\u{e9}".repeat(1_000));
        let one = serde_json::json!({"type": "csp-violation", "body": {"documentURL": format!("https://app.example/{}", "p".repeat(2_000)), "blockedURL": long, "effectiveDirective": "img-src"}});
        let body = serde_json::to_vec(&vec![one; 700]).unwrap();
        let r = parse(&body).unwrap();
        assert_eq!((r.violations.len(), r.omitted), (MAX_LOGGED, 700 - MAX_LOGGED));
        for v in &r.violations {
            assert_eq!(v.page.chars().count(), FIELD_MAX);
            assert_eq!(v.blocked.chars().count(), FIELD_MAX);
        }
    }

    #[test]
    fn only_report_content_types_are_reports() {
        assert!(is_report_content_type(Some("application/csp-report")));
        assert!(is_report_content_type(Some("Application/Reports+JSON; charset=utf-8")));
        for other in [None, Some("application/json"), Some("text/plain"), Some("")] {
            assert!(!is_report_content_type(other), "{other:?}");
        }
    }

    #[test]
    fn what_is_not_a_report() {
        for body in [&b""[..], b"not json", b"{}", b"[]", br#"{"csp-report":{}}"#, br#"[{"type":"deprecation","body":{}}]"#, b"\xff"] {
            assert_eq!(parse(body), None, "{:?}", String::from_utf8_lossy(body));
        }
    }
}

//! CSP violation reports as browsers send them to `report-uri` (`{"csp-report": {…}}`, every
//! engine) or to a Reporting API endpoint (`[{"type": "csp-violation", "body": {…}}]`), read
//! into one shape. Anything else is not a report: the Worker answers 400 and logs nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    Some(Violation { page: path_of(&page), directive: directive.split(' ').next().unwrap_or_default().to_string(), blocked: without_query(&blocked) })
}

/// The violations a report body holds; `None` when it is not a CSP report at all.
pub fn parse(body: &[u8]) -> Option<Vec<Violation>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if let Some(r) = v.get("csp-report") {
        return violation(r, true).map(|v| vec![v]);
    }
    let reports = v.as_array()?;
    let found: Vec<Violation> =
        reports.iter().filter(|r| r.get("type").and_then(Value::as_str) == Some("csp-violation")).filter_map(|r| violation(r.get("body")?, false)).collect();
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_uri_bodies_from_each_engine() {
        // Chromium and WebKit: effective-directive; Firefox: violated-directive with its source list.
        let chromium = br#"{"csp-report":{"document-uri":"http://127.0.0.1:8787/compose#c=secret","referrer":"","violated-directive":"img-src","effective-directive":"img-src","original-policy":"...","disposition":"enforce","blocked-uri":"https://evil.example/x.png?token=1","status-code":200,"script-sample":""}}"#;
        assert_eq!(
            parse(chromium).unwrap(),
            vec![Violation { page: "/compose".into(), directive: "img-src".into(), blocked: "https://evil.example/x.png".into() }]
        );
        let firefox = br#"{"csp-report":{"blocked-uri":"inline","document-uri":"http://127.0.0.1:8787/oauth/callback?code=abc&state=x","original-policy":"...","referrer":"","violated-directive":"script-src-elem 'self' 'wasm-unsafe-eval'"}}"#;
        assert_eq!(parse(firefox).unwrap(), vec![Violation { page: "/oauth/callback".into(), directive: "script-src-elem".into(), blocked: "inline".into() }]);
    }

    #[test]
    fn reporting_api_bodies() {
        let body = br#"[{"age":1,"type":"csp-violation","url":"https://app.example/posts","body":{"documentURL":"https://app.example/posts","blockedURL":"eval","effectiveDirective":"script-src","disposition":"enforce"}},{"type":"deprecation","body":{}}]"#;
        assert_eq!(parse(body).unwrap(), vec![Violation { page: "/posts".into(), directive: "script-src".into(), blocked: "eval".into() }]);
    }

    #[test]
    fn what_is_not_a_report() {
        for body in [&b""[..], b"not json", b"{}", b"[]", br#"{"csp-report":{}}"#, br#"[{"type":"deprecation","body":{}}]"#, b"\xff"] {
            assert_eq!(parse(body), None, "{:?}", String::from_utf8_lossy(body));
        }
    }
}

//! The Worker's log lines: one JSON object each, `{"level", "event", …fields}`, level and event
//! first so that a reader (or grep) finds them at the start. Every value is a JSON string.

use serde_json::Value;

pub fn log_line(level: &str, event: &str, fields: &[(&str, &str)]) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let mut out = format!("{{\"level\":{},\"event\":{}", text(level), text(event));
    for (k, v) in fields {
        out.push_str(&format!(",{}:{}", text(k), text(v)));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_json_object_level_and_event_first() {
        let l = log_line("warn", "csp_violation", &[("page", "/posts"), ("blocked", "a \"quoted\"\nline")]);
        assert!(l.starts_with(r#"{"level":"warn","event":"csp_violation","page":"/posts""#), "{l}");
        assert!(!l.contains('\n'), "one line: {l}");
        let v: Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["blocked"], "a \"quoted\"\nline");
        assert_eq!(log_line("error", "e", &[]), r#"{"level":"error","event":"e"}"#);
    }
}

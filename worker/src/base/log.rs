//! Log lines, one JSON object each (`{"level", "event", …}`), so an operator can filter them
//! in Cloudflare's logs by event, post or account. Fields name things (ids, statuses, error
//! texts from storage or bindings); no token, secret or key is ever passed here.

use serde_json::{Map, Value};

fn line(level: &str, event: &str, fields: &[(&str, &str)]) -> String {
    let mut m = Map::new();
    m.insert("level".into(), level.into());
    m.insert("event".into(), event.into());
    for (k, v) in fields {
        m.insert((*k).into(), Value::from(*v));
    }
    Value::Object(m).to_string()
}

pub fn error(event: &str, fields: &[(&str, &str)]) {
    worker::console_error!("{}", line("error", event, fields));
}

pub fn warn(event: &str, fields: &[(&str, &str)]) {
    worker::console_warn!("{}", line("warn", event, fields));
}


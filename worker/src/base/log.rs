//! Log lines, one JSON object each (`{"level", "event", …}`), so an operator can filter them
//! in Cloudflare's logs by event, post or account. Fields name things (ids, statuses, error
//! texts from storage or bindings); no token, secret or key is ever passed here.

use letspost_core::log_line::log_line as line;

pub fn error(event: &str, fields: &[(&str, &str)]) {
    worker::console_error!("{}", line("error", event, fields));
}

pub fn warn(event: &str, fields: &[(&str, &str)]) {
    worker::console_warn!("{}", line("warn", event, fields));
}

pub fn info(event: &str, fields: &[(&str, &str)]) {
    worker::console_log!("{}", line("info", event, fields));
}

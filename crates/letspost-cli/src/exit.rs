//! Exit codes, documented in `letspost --help` and the README:
//! 0 done; 1 a file or a post was refused or failed (the reason is printed); 2 usage error;
//! 3 not logged in, or the key was refused (revoked, or not allowed this); 4 LetsPost could
//! not be reached or failed on its side (try again: nothing is posted twice).

use std::process::ExitCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Refused(String),
    Usage(String),
    Auth(String),
    Unreachable(String),
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Refused(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Auth(_) => 3,
            Failure::Unreachable(_) => 4,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Refused(m) | Failure::Usage(m) | Failure::Auth(m) | Failure::Unreachable(m) => m,
        }
    }

    /// An API answer that is not a success, as the failure it is. The Worker's own sentence
    /// (`{"error": {"message"}}`) is what people read.
    pub fn from_answer(status: u16, body: &serde_json::Value) -> Failure {
        let said = body["error"]["message"].as_str().map(str::to_string).unwrap_or_else(|| format!("LetsPost answered {status}"));
        match status {
            401 | 403 => Failure::Auth(said),
            408 | 429 | 500.. => Failure::Unreachable(said),
            _ => Failure::Refused(said),
        }
    }

    pub fn exit(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_map_to_the_documented_codes() {
        let body = json!({ "error": { "code": "invalid_key", "message": "This API key is not valid." } });
        assert_eq!(Failure::from_answer(401, &body), Failure::Auth("This API key is not valid.".into()));
        assert_eq!(Failure::from_answer(422, &json!({})).code(), 1);
        assert_eq!(Failure::from_answer(503, &json!({})).code(), 4);
        assert_eq!(Failure::from_answer(429, &json!({})).code(), 4);
    }
}

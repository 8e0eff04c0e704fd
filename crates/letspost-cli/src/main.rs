//! `letspost check [--json] FILE...`
//!
//! Exit status: 0 when no file has verdict `error`, 1 otherwise, 2 on a usage error (including
//! a file that cannot be opened).

mod check;

use std::process::ExitCode;

const USAGE: &str = "usage: letspost check [--json] FILE...\n\n\
    Checks videos against TikTok's rules, reading only their headers.\n\
    --json   one JSON object per file (an array when several)\n\n\
    exit status: 0 all files postable (ok or warn), 1 some file has an error, 2 usage error";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("letspost: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    match parser.next().map_err(|e| e.to_string())? {
        Some(Value(cmd)) if cmd == "check" => {}
        Some(Long("help") | Short('h')) => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => return Err(format!("unknown command {:?}", other.unexpected().to_string())),
        None => return Err("missing command".into()),
    }
    let mut json = false;
    let mut files = Vec::new();
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("json") => json = true,
            Long("help") | Short('h') => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            Value(v) => files.push(std::path::PathBuf::from(v)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if files.is_empty() {
        return Err("check needs at least one FILE".into());
    }
    check::run(&files, json)
}

//! `letspost`: check videos against TikTok's rules, and post them to LetsPost with a personal
//! API key. `letspost --help` lists the commands and the exit codes (`exit.rs`).

mod args;
mod check;
mod client;
mod config;
mod exit;
mod mcp;
mod post;
mod session;
mod when;

use args::Command;
use std::process::ExitCode;

const USAGE: &str = "usage: letspost COMMAND [--help]

  check [--json] FILE...        check videos against TikTok's rules, reading only their headers
  login --url URL [--json]      keep LetsPost's address and an API key (read from stdin or LETSPOST_KEY)
  accounts [--json]             the accounts the key may post to
  posts [--json]                their posts, newest first
  post FILE... --account NAME   post videos (see `letspost post --help`)
  mcp                           an MCP server on stdio, for AI assistants

exit status: 0 done; 1 a file or post was refused or failed (the reason is printed);
2 usage error; 3 not logged in or the key was refused; 4 LetsPost unreachable or failing
(run the same command again: nothing is posted twice)";

const POST_USAGE: &str = "usage: letspost post FILE... --account NAME [options]

  --account NAME           the account's @username or open_id
  --caption TEXT | --caption-file F
  --privacy LEVEL          public, followers, friends or private (default: public where allowed)
  --at TIME                e.g. '2026-12-07 09:00' in the account's schedule zone, or with an offset
  --queue                  the account's next free posting-schedule time (one each, in order)
  --draft                  send to the creator's TikTok inbox instead of publishing
  --no-comment --no-duet --no-stitch
  --wait                   follow each post until TikTok published it (its link) or refused it
  --json                   the posts as JSON

Each file is checked first: if TikTok would refuse one, its reason is printed and nothing is
uploaded. An upload cut off resumes; the same command run again continues the same posts.";

fn usage(command: Option<&str>) -> &'static str {
    match command {
        Some("post") => POST_USAGE,
        Some("check") => "usage: letspost check [--json] FILE...\n\n  exit status: 0 all files postable (ok or warn), 1 some file has an error, 2 usage error",
        Some("login") => "usage: letspost login --url URL [--json]   (the key on stdin, or LETSPOST_KEY)",
        Some("accounts") => "usage: letspost accounts [--json]",
        Some("posts") => "usage: letspost posts [--json]",
        Some("mcp") => "usage: letspost mcp   (speaks MCP on stdin/stdout; log in first)",
        _ => USAGE,
    }
}

fn main() -> ExitCode {
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("letspost: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let outcome = match &command {
        Command::Help(Some(v)) if v == "version" => {
            println!("letspost {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Help(c) => {
            println!("{}", usage(c.as_deref()));
            return ExitCode::SUCCESS;
        }
        Command::Check { json, files } => {
            return check::run(files, *json).unwrap_or_else(|msg| {
                eprintln!("letspost: {msg}");
                ExitCode::from(2)
            });
        }
        Command::Login { url, json } => session::login(url, *json),
        Command::Accounts { json } => session::accounts(*json),
        Command::Posts { json } => session::posts(*json),
        Command::Post(a) => post::run(a),
        Command::Mcp => mcp::run(),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("letspost: {}", f.message());
            f.exit()
        }
    }
}

//! The command line, parsed (lexopt) into what each command needs, with every usage error as
//! a sentence. Pure: no file, network or clock.

use lexopt::prelude::*;
use std::ffi::OsString;
use std::path::PathBuf;
use tiktok_rules::privacy::PrivacyLevel;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help(Option<String>),
    Check { json: bool, files: Vec<PathBuf> },
    Login { url: String, json: bool },
    Accounts { json: bool },
    Posts { json: bool },
    Post(PostArgs),
    Mcp,
}

/// When a post goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Now,
    /// As written: read in the account's zone unless it carries an offset (`when.rs`).
    At(String),
    Queue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostArgs {
    pub files: Vec<PathBuf>,
    /// `@username` or `open_id`.
    pub account: String,
    pub caption: Caption,
    pub privacy: Option<PrivacyLevel>,
    pub when: When,
    pub draft: bool,
    pub no_comment: bool,
    pub no_duet: bool,
    pub no_stitch: bool,
    pub wait: bool,
    pub json: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caption {
    Text(String),
    File(PathBuf),
}

/// A privacy level as TikTok names it, or in words (`public`, `followers`, `friends`, `private`).
pub fn privacy(s: &str) -> Option<PrivacyLevel> {
    PrivacyLevel::parse(&s.to_ascii_uppercase()).or(match s.to_ascii_lowercase().as_str() {
        "public" | "everyone" => Some(PrivacyLevel::PublicToEveryone),
        "followers" => Some(PrivacyLevel::FollowerOfCreator),
        "friends" => Some(PrivacyLevel::MutualFollowFriends),
        "private" | "self" | "only-me" | "me" => Some(PrivacyLevel::SelfOnly),
        _ => None,
    })
}

fn text(v: OsString, flag: &str) -> Result<String, String> {
    v.into_string().map_err(|_| format!("{flag} must be text"))
}

pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut p = lexopt::Parser::from_args(args);
    let cmd = match p.next().map_err(|e| e.to_string())? {
        Some(Value(cmd)) => text(cmd, "the command")?,
        Some(Long("help") | Short('h')) => return Ok(Command::Help(None)),
        Some(Long("version")) => return Ok(Command::Help(Some("version".into()))),
        Some(other) => return Err(other.unexpected().to_string()),
        None => return Err("missing command".into()),
    };
    let help = || Ok(Command::Help(Some(cmd.clone())));
    let mut json = false;
    match cmd.as_str() {
        "check" => {
            let mut files = Vec::new();
            while let Some(arg) = p.next().map_err(|e| e.to_string())? {
                match arg {
                    Long("json") => json = true,
                    Long("help") | Short('h') => return help(),
                    Value(v) => files.push(PathBuf::from(v)),
                    other => return Err(other.unexpected().to_string()),
                }
            }
            if files.is_empty() {
                return Err("check needs at least one FILE".into());
            }
            Ok(Command::Check { json, files })
        }
        "login" => {
            let mut url = None;
            while let Some(arg) = p.next().map_err(|e| e.to_string())? {
                match arg {
                    Long("url") => url = Some(text(p.value().map_err(|e| e.to_string())?, "--url")?),
                    Long("json") => json = true,
                    Long("help") | Short('h') => return help(),
                    other => return Err(other.unexpected().to_string()),
                }
            }
            let url = url.ok_or("login needs --url URL (where LetsPost runs, e.g. https://letspost.example)")?;
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("--url {url:?} must start with https://"));
            }
            Ok(Command::Login { url: url.trim_end_matches('/').to_string(), json })
        }
        "accounts" | "posts" | "mcp" => {
            while let Some(arg) = p.next().map_err(|e| e.to_string())? {
                match arg {
                    Long("json") if cmd != "mcp" => json = true,
                    Long("help") | Short('h') => return help(),
                    other => return Err(other.unexpected().to_string()),
                }
            }
            Ok(match cmd.as_str() {
                "accounts" => Command::Accounts { json },
                "posts" => Command::Posts { json },
                _ => Command::Mcp,
            })
        }
        "post" => post(&mut p, json).map(|a| a.map_or_else(|| Command::Help(Some("post".into())), Command::Post)),
        other => Err(format!("unknown command {other:?}")),
    }
}

fn value(p: &mut lexopt::Parser, flag: &str) -> Result<String, String> {
    p.value().map_err(|e| e.to_string()).and_then(|v| text(v, flag))
}

fn post(p: &mut lexopt::Parser, mut json: bool) -> Result<Option<PostArgs>, String> {
    let (mut files, mut account, mut caption, mut privacy_level) = (Vec::new(), None, None, None);
    let mut whens: Vec<When> = Vec::new();
    let (mut draft, mut no_comment, mut no_duet, mut no_stitch, mut wait) = (false, false, false, false, false);
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Long("account") => account = Some(value(p, "--account")?),
            Long("caption") if caption.is_none() => caption = Some(Caption::Text(value(p, "--caption")?)),
            Long("caption-file") if caption.is_none() => caption = Some(Caption::File(PathBuf::from(value(p, "--caption-file")?))),
            Long("caption" | "caption-file") => return Err("give --caption or --caption-file, once".into()),
            Long("privacy") => {
                let v = value(p, "--privacy")?;
                privacy_level =
                    Some(privacy(&v).ok_or(format!("--privacy {v:?}: use public, followers, friends or private (or TikTok's PUBLIC_TO_EVERYONE …)"))?);
            }
            Long("at") => whens.push(When::At(value(p, "--at")?)),
            Long("queue") => whens.push(When::Queue),
            Long("draft") => draft = true,
            Long("no-comment") => no_comment = true,
            Long("no-duet") => no_duet = true,
            Long("no-stitch") => no_stitch = true,
            Long("wait") => wait = true,
            Long("json") => json = true,
            Long("help") | Short('h') => return Ok(None),
            Value(v) => files.push(PathBuf::from(v)),
            other => return Err(other.unexpected().to_string()),
        }
    }
    if files.is_empty() {
        return Err("post needs at least one FILE".into());
    }
    let account = account.ok_or("post needs --account NAME (the account's @username or open_id)")?;
    if whens.len() + usize::from(draft && !whens.is_empty()) > 1 {
        return Err("give one of --at TIME and --queue (with --draft, the time the draft is sent)".into());
    }
    if draft && privacy_level.is_some() {
        return Err("a draft has no privacy level: the creator picks it in the TikTok app".into());
    }
    let when = whens.pop().unwrap_or(When::Now);
    if files.len() > 1 && matches!(when, When::At(_)) {
        return Err("--at gives one time: post several files with --queue, or one at a time".into());
    }
    let caption = caption.unwrap_or(Caption::Text(String::new()));
    Ok(Some(PostArgs { files, account, caption, privacy: privacy_level, when, draft, no_comment, no_duet, no_stitch, wait, json }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<Command, String> {
        parse(s.split(' ').filter(|w| !w.is_empty()).map(OsString::from))
    }

    fn post_of(s: &str) -> PostArgs {
        match parse_str(s).unwrap() {
            Command::Post(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_post_reads_every_flag() {
        let a = post_of("post a.mp4 b.mp4 --account @maya --caption hi --privacy friends --queue --no-comment --no-stitch --wait --json");
        assert_eq!(a.files, vec![PathBuf::from("a.mp4"), PathBuf::from("b.mp4")]);
        assert_eq!((a.account.as_str(), a.caption.clone()), ("@maya", Caption::Text("hi".into())));
        assert_eq!((a.privacy, a.when.clone()), (Some(PrivacyLevel::MutualFollowFriends), When::Queue));
        assert!(a.no_comment && !a.no_duet && a.no_stitch && a.wait && a.json && !a.draft);
        let b = post_of("post a.mp4 --account open-1 --caption-file c.txt --at 2026-12-07T09:00 --privacy SELF_ONLY");
        assert_eq!((b.caption, b.when, b.privacy), (Caption::File("c.txt".into()), When::At("2026-12-07T09:00".into()), Some(PrivacyLevel::SelfOnly)));
        assert_eq!(post_of("post a.mp4 --account x --draft").when, When::Now);
    }

    #[test]
    fn contradictions_are_usage_errors() {
        for (line, says) in [
            ("post --account x", "at least one FILE"),
            ("post a.mp4", "--account"),
            ("post a.mp4 --account x --at 2026-12-07T09:00 --queue", "one of --at"),
            ("post a.mp4 --account x --caption a --caption-file b", "once"),
            ("post a.mp4 --account x --privacy loud", "--privacy"),
            ("post a.mp4 --account x --draft --privacy public", "draft has no privacy"),
            ("post a.mp4 b.mp4 --account x --at 2026-12-07T09:00", "one time"),
            ("login", "--url"),
            ("login --url ftp://x", "https://"),
            ("frobnicate", "unknown command"),
        ] {
            let e = parse_str(line).unwrap_err();
            assert!(e.contains(says), "{line}: {e}");
        }
    }

    #[test]
    fn each_command_has_help_and_json() {
        assert_eq!(parse_str("post --help").unwrap(), Command::Help(Some("post".into())));
        assert_eq!(parse_str("accounts --json").unwrap(), Command::Accounts { json: true });
        assert_eq!(parse_str("posts").unwrap(), Command::Posts { json: false });
        assert_eq!(parse_str("login --url https://x.example/ --json").unwrap(), Command::Login { url: "https://x.example".into(), json: true });
        assert_eq!(parse_str("--help").unwrap(), Command::Help(None));
        assert!(parse_str("mcp --json").is_err());
    }

    #[test]
    fn privacy_in_words_or_tiktoks_names() {
        assert_eq!(privacy("public"), Some(PrivacyLevel::PublicToEveryone));
        assert_eq!(privacy("PUBLIC_TO_EVERYONE"), Some(PrivacyLevel::PublicToEveryone));
        assert_eq!(privacy("private"), Some(PrivacyLevel::SelfOnly));
        assert_eq!(privacy("nobody"), None);
    }
}

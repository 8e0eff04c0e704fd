//! A creator's history as `GET /api/posts` pages through it (issue 35). Each account's object
//! keeps one index row per post (`Row`), written by the post whenever what the queue shows
//! changes; the Worker asks every account it holds once and merges the answers here. So a page
//! costs one call per account, whatever the history's length.

use crate::machine::{Mode, State};
use crate::view::PostView;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use letspost_core::time_fmt::parse_rfc3339_ms;
use serde::{Deserialize, Serialize};

/// Posts a page holds unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// The widest window: a month view shows six weeks; two months leave room.
pub const MAX_WINDOW_MS: u64 = 62 * 86_400_000;
/// Posts one account answers for a window at most. TikTok lets a creator post a few dozen
/// times a day at most, so two months stay far below it.
pub const MAX_WINDOW_POSTS: u32 = 5_000;
/// Posts asked for by id at once (the queue's refresh of the posts on their way).
pub const MAX_IDS: usize = 200;

/// Where a post sorts in the list: newest created first, then by id (ids are random, so two
/// posts made in the same millisecond still have one order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub created_at_ms: u64,
    pub id: String,
}

impl Key {
    pub fn of(p: &PostView) -> Key {
        Key { created_at_ms: parse_rfc3339_ms(&p.created_at).unwrap_or(0), id: p.id.clone() }
    }

    /// The opaque `next_cursor`: base64url of `<created ms>.<id>`.
    pub fn cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}.{}", self.created_at_ms, self.id))
    }

    pub fn from_cursor(c: &str) -> Option<Key> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
        let (ms, id) = text.split_once('.')?;
        let ok_id = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok_id.then(|| Some(Key { created_at_ms: ms.parse().ok()?, id: id.to_string() })).flatten()
    }
}

/// One post in its account's index: the view the queue shows, and the columns it is found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub created_at_ms: u64,
    /// Where the calendar puts it: its time, or its creation for "post now".
    pub at_ms: u64,
    pub state: State,
    pub draft: bool,
    /// When a draft reached the inbox (the drafts check reads the last day's).
    pub inbox_at_ms: Option<u64>,
    /// When the post last changed (ms from the post itself, `Post::row`; whole seconds from a
    /// view): an older row arriving late never replaces a newer one.
    pub version_ms: u64,
    pub view: PostView,
}

impl Row {
    pub fn of(view: PostView) -> Row {
        let ms = |t: &Option<String>| t.as_deref().and_then(parse_rfc3339_ms);
        let created_at_ms = parse_rfc3339_ms(&view.created_at).unwrap_or(0);
        Row {
            id: view.id.clone(),
            created_at_ms,
            at_ms: ms(&view.publish_at).unwrap_or(created_at_ms),
            state: view.state,
            draft: view.mode == Mode::Draft,
            inbox_at_ms: ms(&view.sent_to_inbox_at),
            version_ms: parse_rfc3339_ms(&view.updated_at).unwrap_or(0),
            view,
        }
    }

    /// What decides whether the account's row must be written again: the view without its
    /// `updated_at`, which every status poll moves (a poll that changes nothing else is no news
    /// for the queue, and costs no call).
    pub fn news(&self) -> String {
        let mut v = self.view.clone();
        v.updated_at = String::new();
        serde_json::to_string(&v).unwrap_or_default()
    }
}

impl crate::machine::Post {
    /// Its row, versioned to the millisecond (the view's times are whole seconds).
    pub fn row(&self) -> Row {
        Row { version_ms: self.updated_at_ms, ..Row::of(self.view()) }
    }
}

/// The states a post may be cancelled in (disconnect's cancel reads only these rows).
pub const CANCELLABLE: [State; 2] = [State::AwaitingMedia, State::Scheduled];
/// The states in which a draft takes (or may take) an inbox slot before it is sent
/// (`drafts::pending_at`); sent ones count for a day from `inbox_at_ms`.
pub const DRAFT_SLOT: [State; 4] = [State::AwaitingMedia, State::Scheduled, State::Uploading, State::Processing];

/// What `GET /api/posts` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `?limit=N&cursor=C`: the next `limit` posts after the cursor, newest first.
    Page { limit: u32, after: Option<Key> },
    /// `?from=RFC3339&to=RFC3339`: the posts whose calendar time is in `[from, to)`.
    Window { from_ms: u64, to_ms: u64 },
    /// `?ids=a,b,c`: these posts as they are now (the queue's refresh).
    Ids(Vec<String>),
}

/// A query that can't be answered: its sentence, for a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadQuery(pub String);

fn bad(s: &str) -> BadQuery {
    BadQuery(s.to_string())
}

impl Query {
    /// From the URL's query pairs (already percent-decoded). Unknown names are ignored.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Query, BadQuery> {
        let (mut limit, mut cursor, mut from, mut to, mut ids) = (None, None, None, None, None);
        for (k, v) in pairs {
            match k {
                "limit" => limit = Some(v),
                "cursor" => cursor = Some(v),
                "from" => from = Some(v),
                "to" => to = Some(v),
                "ids" => ids = Some(v),
                _ => {}
            }
        }
        let paging = limit.is_some() || cursor.is_some();
        if let Some(ids) = ids {
            if paging || from.is_some() || to.is_some() {
                return Err(bad("Ask for ids alone, without limit, cursor, from or to."));
            }
            let ids: Vec<String> = ids.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if ids.len() > MAX_IDS {
                return Err(BadQuery(format!("Ask for at most {MAX_IDS} ids at once.")));
            }
            return Ok(Query::Ids(ids));
        }
        match (from, to) {
            (None, None) => {}
            (Some(f), Some(t)) => {
                if paging {
                    return Err(bad("A window (from, to) comes whole: leave out limit and cursor."));
                }
                let (Some(from_ms), Some(to_ms)) = (parse_rfc3339_ms(f), parse_rfc3339_ms(t)) else {
                    return Err(bad("from and to must be RFC 3339 times, like 2026-05-01T00:00:00Z."));
                };
                if from_ms >= to_ms {
                    return Err(bad("from must come before to."));
                }
                if to_ms - from_ms > MAX_WINDOW_MS {
                    return Err(BadQuery(format!("A window spans at most {} days.", MAX_WINDOW_MS / 86_400_000)));
                }
                return Ok(Query::Window { from_ms, to_ms });
            }
            _ => return Err(bad("A window needs both from and to.")),
        }
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(l) => match l.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => return Err(BadQuery(format!("limit must be a whole number from 1 to {MAX_LIMIT}."))),
            },
        };
        let after = match cursor {
            None | Some("") => None,
            Some(c) => Some(Key::from_cursor(c).ok_or_else(|| bad("This cursor is not one LetsPost gave; start again without it."))?),
        };
        Ok(Query::Page { limit, after })
    }
}

/// Every account's answer to one page (each at most `limit + 1` posts after the cursor, newest
/// first) → the page and the cursor of the next one. The union holds the `limit` newest of
/// all, and more exist exactly when it holds more than `limit`.
pub fn merge_pages(answers: Vec<Vec<PostView>>, limit: u32) -> (Vec<PostView>, Option<String>) {
    let mut all = newest_first(answers);
    let more = all.len() > limit as usize;
    all.truncate(limit as usize);
    let next = if more { all.last().map(|p| Key::of(p).cursor()) } else { None };
    (all, next)
}

/// Several accounts' posts as one list, newest first, each post once.
pub fn newest_first(answers: Vec<Vec<PostView>>) -> Vec<PostView> {
    let mut all: Vec<(Key, PostView)> = answers.into_iter().flatten().map(|p| (Key::of(&p), p)).collect();
    all.sort_by(|a, b| b.0.cmp(&a.0));
    all.dedup_by(|a, b| a.0.id == b.0.id);
    all.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Post, Settings};

    const T0: u64 = 1_800_000_000_000;

    fn post(id: &str, created: u64) -> PostView {
        Post::new(id.into(), "open-ana".into(), "ana".into(), Settings::draft("hi".into()), None, 1_000, created).view()
    }

    fn q(s: &str) -> Result<Query, BadQuery> {
        Query::parse(s.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))))
    }

    #[test]
    fn state_names_are_the_apis() {
        for s in
            [State::AwaitingMedia, State::Scheduled, State::Uploading, State::Processing, State::SentToInbox, State::Published, State::Failed, State::Cancelled]
        {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }

    #[test]
    fn a_cursor_goes_round_and_a_foreign_one_is_refused() {
        let k = Key { created_at_ms: T0, id: "abc-_9".into() };
        assert_eq!(Key::from_cursor(&k.cursor()), Some(k));
        assert_eq!(Key::from_cursor("not base64 !"), None);
        assert_eq!(Key::from_cursor(&URL_SAFE_NO_PAD.encode("12.a b")), None);
        assert_eq!(Key::from_cursor(&URL_SAFE_NO_PAD.encode("x.abc")), None);
        assert!(matches!(q("cursor=zzz"), Err(BadQuery(m)) if m.contains("cursor")));
    }

    #[test]
    fn queries_are_read_with_their_bounds() {
        assert_eq!(q(""), Ok(Query::Page { limit: 50, after: None }));
        assert_eq!(q("limit=200"), Ok(Query::Page { limit: 200, after: None }));
        for l in ["0", "201", "-1", "ten"] {
            assert!(matches!(q(&format!("limit={l}")), Err(BadQuery(m)) if m.contains("1 to 200")), "{l}");
        }
        assert_eq!(q("from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z"), Ok(Query::Window { from_ms: 1_777_593_600_000, to_ms: 1_780_272_000_000 }));
        assert!(q("from=2026-05-01T00:00:00Z").is_err());
        assert!(q("from=2026-06-01T00:00:00Z&to=2026-05-01T00:00:00Z").is_err());
        assert!(q("from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z").unwrap_err().0.contains("62 days"));
        assert!(q("from=yesterday&to=2026-06-01T00:00:00Z").unwrap_err().0.contains("RFC 3339"));
        assert!(q("from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z&limit=5").is_err());
        assert_eq!(q("ids=a,b"), Ok(Query::Ids(vec!["a".into(), "b".into()])));
        assert!(q("ids=a&limit=3").is_err());
        let many = (0..201).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert!(q(&format!("ids={many}")).is_err());
    }

    #[test]
    fn following_the_cursor_over_two_accounts_lists_each_post_once_in_order() {
        // Two accounts, interleaved in time, some made in the same millisecond.
        let a: Vec<PostView> = (0..130).map(|i| post(&format!("a{i:03}"), T0 + i / 2)).collect();
        let b: Vec<PostView> = (0..120).map(|i| post(&format!("b{i:03}"), T0 + i)).collect();
        // What one account's index answers: its posts after the cursor, newest first, limit + 1.
        let ask = |posts: &[PostView], after: &Option<Key>, limit: u32| -> Vec<PostView> {
            let mut v: Vec<PostView> = posts.iter().filter(|p| after.as_ref().is_none_or(|k| Key::of(p) < *k)).cloned().collect();
            v.sort_by_key(|p| std::cmp::Reverse(Key::of(p)));
            v.truncate(limit as usize + 1);
            v
        };
        let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
        loop {
            let (page, next) = merge_pages(vec![ask(&a, &after, 50), ask(&b, &after, 50)], 50);
            pages += 1;
            seen.extend(page.into_iter().map(|p| Key::of(&p)));
            match next {
                Some(c) => after = Key::from_cursor(&c),
                None => break,
            }
        }
        assert_eq!(pages, 5);
        assert_eq!(seen.len(), 250);
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "strictly newest first, so no post twice");
    }

    #[test]
    fn a_row_has_the_columns_the_queue_is_found_by() {
        let mut p = Post::new("d".into(), "open-ana".into(), "ana".into(), Settings::draft("hi".into()), Some(T0 + 3_600_000), 1_000, T0);
        let row = Row::of(p.view());
        assert_eq!((row.created_at_ms, row.at_ms, row.draft, row.state, row.inbox_at_ms), (T0, T0 + 3_600_000, true, State::AwaitingMedia, None));
        let news = row.news();
        p.updated_at_ms += 5_000;
        assert_eq!(Row::of(p.view()).news(), news, "only updated_at moved: no news");
        assert_eq!(Row::of(p.view()).version_ms, T0 + 5_000);
        p.updated_at_ms += 1;
        assert_eq!(p.row().version_ms, T0 + 5_001, "the post's own row keeps its milliseconds");
        p.state = State::Scheduled;
        assert_ne!(Row::of(p.view()).news(), news);
        let now = Post::new("n".into(), "open-ana".into(), "ana".into(), Settings::draft(String::new()), None, 1_000, T0);
        assert_eq!(Row::of(now.view()).at_ms, T0, "post now: on the calendar where it was made");
    }
}

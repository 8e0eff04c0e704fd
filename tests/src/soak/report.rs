//! The soak's verdict, from what it made and what TikTok (the emulator) and the Worker say.
//! Pure: the counts are decided here and unit-tested, so the harness can't blur them.

use serde_json::Value;
use std::collections::HashMap;

/// One post the soak made.
#[derive(Clone, Debug)]
pub struct Made {
    pub id: String,
    pub caption: String,
    pub sha256: String,
    /// When it was due: its `publish_at`, or when it was created for "post now" (ms).
    pub due_ms: u64,
}

/// What the emulator recorded of one init (from `/__emulator/posts`).
#[derive(Clone, Debug)]
pub struct AtTikTok {
    pub caption: String,
    pub sha256: Option<String>,
    pub published: bool,
    pub completed_at_ms: Option<u64>,
}

impl AtTikTok {
    pub fn from_json(v: &Value) -> AtTikTok {
        AtTikTok {
            caption: v["caption"].as_str().unwrap_or_default().to_string(),
            sha256: v["sha256"].as_str().map(str::to_string),
            published: v["published"] == true,
            completed_at_ms: v["completed_at_ms"].as_u64(),
        }
    }
}

/// What the Worker says of one post (from `/api/posts`).
#[derive(Clone, Debug)]
pub struct InWorker {
    pub state: String,
    pub error: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Verdict {
    pub total: usize,
    pub published: usize,
    /// Posts whose media TikTok published more than once.
    pub duplicates: usize,
    /// Never published, and not failed with a reason either.
    pub lost: usize,
    /// Failed, with the reason the creator is shown.
    pub failed: Vec<String>,
    /// Published with other bytes than the creator staged.
    pub wrong_bytes: usize,
    /// Not final (published, failed, cancelled) when last looked at, 10 minutes after its time.
    pub stuck: usize,
    /// From due to TikTok accepting the last chunk, ms: p50, p99, max.
    pub lateness_ms: Option<(u64, u64, u64)>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.published == self.total && self.duplicates == 0 && self.lost == 0 && self.wrong_bytes == 0 && self.stuck == 0
    }
}

/// A state the post leaves no more.
pub fn is_final(state: &str) -> bool {
    ["published", "failed", "cancelled"].contains(&state)
}

/// `stuck_after` is when the run stopped waiting (ms); a post counts as stuck if it was not
/// final then although its time was 10 minutes or more before.
pub fn judge(made: &[Made], tiktok: &[AtTikTok], worker: &HashMap<String, InWorker>, stopped_at_ms: u64) -> Verdict {
    let mut by_caption: HashMap<&str, Vec<&AtTikTok>> = HashMap::new();
    for t in tiktok {
        by_caption.entry(t.caption.as_str()).or_default().push(t);
    }
    let mut v = Verdict { total: made.len(), ..Verdict::default() };
    let mut lateness = Vec::new();
    for m in made {
        let published: Vec<&&AtTikTok> = by_caption.get(m.caption.as_str()).map(|l| l.iter().filter(|t| t.published).collect()).unwrap_or_default();
        let right: Vec<&&&AtTikTok> = published.iter().filter(|t| t.sha256.as_deref() == Some(m.sha256.as_str())).collect();
        if published.len() > 1 {
            v.duplicates += 1;
        }
        if published.len() > right.len() {
            v.wrong_bytes += 1;
        }
        let state = worker.get(&m.id);
        if let Some(first) = right.first() {
            if state.is_some_and(|w| w.state == "published") {
                v.published += 1;
            }
            if let Some(done) = first.completed_at_ms {
                lateness.push(done.saturating_sub(m.due_ms));
            }
        } else if published.is_empty() {
            match state {
                Some(w) if w.state == "failed" && w.error.is_some() => v.failed.push(format!("{}: {}", m.caption, w.error.clone().unwrap_or_default())),
                _ => v.lost += 1,
            }
        }
        let done = state.is_some_and(|w| is_final(&w.state));
        if !done && stopped_at_ms >= m.due_ms + 10 * 60_000 {
            v.stuck += 1;
        }
    }
    v.lateness_ms = percentiles(&mut lateness);
    v
}

/// p50, p99 and max by nearest rank.
pub fn percentiles(xs: &mut [u64]) -> Option<(u64, u64, u64)> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_unstable();
    let rank = |p: f64| xs[((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1];
    Some((rank(0.50), rank(0.99), xs[xs.len() - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(i: u64) -> Made {
        Made { id: format!("p{i}"), caption: format!("c{i}"), sha256: format!("s{i}"), due_ms: 1_000 * i }
    }

    fn tiktok(i: u64, sha: &str, published: bool, done: u64) -> AtTikTok {
        AtTikTok { caption: format!("c{i}"), sha256: Some(sha.into()), published, completed_at_ms: Some(done) }
    }

    fn worker(states: &[(u64, &str, Option<&str>)]) -> HashMap<String, InWorker> {
        states.iter().map(|(i, s, e)| (format!("p{i}"), InWorker { state: s.to_string(), error: e.map(str::to_string) })).collect()
    }

    #[test]
    fn a_clean_run_passes_with_its_lateness() {
        let m = [made(1), made(2)];
        let t = [
            tiktok(1, "s1", true, 1_500),
            tiktok(2, "s2", true, 2_100),
            AtTikTok { caption: "c2".into(), sha256: None, published: false, completed_at_ms: None },
        ];
        let v = judge(&m, &t, &worker(&[(1, "published", None), (2, "published", None)]), 0);
        assert!(v.passed(), "{v:?}");
        assert_eq!(v.lateness_ms, Some((100, 500, 500)));
    }

    #[test]
    fn duplicates_wrong_bytes_lost_failed_and_stuck_are_told_apart() {
        let m = [made(1), made(2), made(3), made(4), made(5)];
        let t = [tiktok(1, "s1", true, 1_000), tiktok(1, "s1", true, 1_200), tiktok(2, "other", true, 2_000)];
        let w = worker(&[(1, "published", None), (2, "published", None), (3, "failed", Some("TikTok said no")), (4, "uploading", None)]);
        let v = judge(&m, &t, &w, 5_000 + 10 * 60_000);
        assert_eq!((v.published, v.duplicates, v.wrong_bytes), (1, 1, 1));
        assert_eq!(v.failed, vec!["c3: TikTok said no".to_string()]);
        // 4 is not final ten minutes after its time; 5 the Worker doesn't know at all.
        assert_eq!((v.lost, v.stuck), (2, 2));
        assert!(!v.passed());
    }

    #[test]
    fn not_final_before_ten_minutes_is_not_stuck() {
        let v = judge(&[made(1)], &[], &worker(&[(1, "scheduled", None)]), 1_000 + 9 * 60_000);
        assert_eq!(v.stuck, 0);
        assert_eq!(v.lost, 1);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let mut xs: Vec<u64> = (1..=100).collect();
        assert_eq!(percentiles(&mut xs), Some((50, 99, 100)));
        assert_eq!(percentiles(&mut []), None);
    }
}

//! Readings as `video/query` calls: one account's token reads only that account's videos,
//! and a call takes at most `tiktok_rules::display::MAX_VIDEO_IDS` ids.

use std::collections::BTreeMap;
use tiktok_rules::PostId;
use tiktok_rules::display::{MAX_VIDEO_IDS, VideoQueryRequest};

/// One `video/query` call: whose token, which ids (1 to 20, each once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryBatch {
    pub open_id: String,
    pub video_ids: Vec<PostId>,
}

impl QueryBatch {
    /// The call's body.
    pub fn request(&self) -> VideoQueryRequest {
        VideoQueryRequest::new(self.video_ids.clone())
    }
}

/// Due (account, post id) pairs grouped by account (accounts in open_id order, ids in the
/// order given, repeats dropped) and cut into calls of at most 20 ids.
pub fn batches<'a>(due: impl IntoIterator<Item = (&'a str, PostId)>) -> Vec<QueryBatch> {
    let mut by_account: BTreeMap<&str, Vec<PostId>> = BTreeMap::new();
    for (open_id, id) in due {
        let ids = by_account.entry(open_id).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    by_account
        .into_iter()
        .flat_map(|(open_id, ids)| ids.chunks(MAX_VIDEO_IDS).map(|c| QueryBatch { open_id: open_id.to_string(), video_ids: c.to_vec() }).collect::<Vec<_>>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_its_own_calls_of_twenty() {
        let ana: Vec<(&str, PostId)> = (0..45).map(|i| ("open-ana", PostId(7_300_000_000_000_000_000 + i))).collect();
        let pat = [("open-pat", PostId(1)), ("open-pat", PostId(2)), ("open-pat", PostId(1))];
        let got = batches(pat.into_iter().chain(ana));
        let shape: Vec<(&str, usize)> = got.iter().map(|b| (b.open_id.as_str(), b.video_ids.len())).collect();
        assert_eq!(shape, [("open-ana", 20), ("open-ana", 20), ("open-ana", 5), ("open-pat", 2)]);
        assert_eq!(got[0].video_ids[0], PostId(7_300_000_000_000_000_000));
        assert_eq!(got[3].video_ids, [PostId(1), PostId(2)], "a repeated id is read once");
        assert!(got.iter().all(|b| b.request().check().is_ok()), "every call is one TikTok takes");
    }

    #[test]
    fn nothing_due_no_calls() {
        assert!(batches(std::iter::empty()).is_empty());
        assert_eq!(batches([("a", PostId(5))]).len(), 1);
    }
}

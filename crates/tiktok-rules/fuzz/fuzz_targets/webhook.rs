//! Any bytes as a webhook delivery: `verify` and `parse` never panic; a body signed with the
//! secret verifies, and a changed signature never does; what parses keeps its publish_id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiktok_rules::webhook::{parse, sign, verify, Refusal};

const SECRET: &str = "fuzz-secret";
const NOW: u64 = 1_770_210_873;

fuzz_target!(|data: &[u8]| {
    // The first line as a header, the rest as the body: the header parser's inputs.
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), &data[i + 1..]),
        None => (String::new(), data),
    };
    let _ = verify(SECRET, Some(&header), body, NOW, 300);
    let good = sign(SECRET, NOW, body);
    match verify(SECRET, Some(&good), body, NOW, 300) {
        Ok(()) => {}
        Err(Refusal::TooLarge) => assert!(body.len() > tiktok_rules::webhook::MAX_BODY_BYTES),
        Err(e) => panic!("a correctly signed body was refused: {e:?}"),
    }
    let flipped = good.replacen("s=0", "s=1", 1).replacen("s=a", "s=b", 1);
    if flipped != good {
        assert!(verify(SECRET, Some(&flipped), body, NOW, 300).is_err(), "a changed signature verified");
    }
    if let Ok(w) = parse(body) {
        if let Some(id) = w.event.publish_id() {
            assert!(!id.is_empty());
        }
    }
});

//! Any text as a link: `decode` never panics, and what it accepts encodes back to a link
//! that decodes to the same settings.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(shared) = share_link::decode(&text) {
        assert_eq!(share_link::decode(&share_link::encode(&shared)), Ok(shared));
    }
    // Raw bytes as the payload with a correct checksum, so the fuzzer reaches the parser
    // behind base64 and the CRC.
    use base64::Engine as _;
    let mut payload = data.to_vec();
    payload.extend_from_slice(&crc32fast::hash(data).to_be_bytes());
    let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
    if let Ok(shared) = share_link::decode(&code) {
        assert_eq!(share_link::decode(&share_link::encode(&shared)), Ok(shared));
    }
});

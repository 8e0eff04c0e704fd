//! The `letspost check` contract, run as a process.

use std::process::Command;

fn fixture(name: &str) -> String {
    format!("{}/../video-probe/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn letspost(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_letspost")).args(args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn one_file_json_is_an_object_with_every_field() {
    let f = fixture("vertical_15s_faststart.mp4");
    let (code, out, _) = letspost(&["check", "--json", &f]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["file"], f);
    assert_eq!(v["verdict"], "ok");
    assert_eq!(v["container"], "mp4");
    assert_eq!(v["duration_ms"], 15_000);
    assert_eq!(v["width"], 360);
    assert_eq!(v["height"], 640);
    assert_eq!(v["rotation"], 0);
    assert_eq!(v["display_width"], 360);
    assert_eq!(v["display_height"], 640);
    assert_eq!(v["video_codec"], "h264");
    assert_eq!(v["frame_rate"], 30.0);
    assert!(v["bytes_read"].as_u64().unwrap() > 0);
    assert!(v["size_bytes"].as_u64().unwrap() >= v["bytes_read"].as_u64().unwrap());
    assert_eq!(v["issues"], serde_json::json!([]));
}

#[test]
fn several_files_json_is_an_array_and_an_error_exits_1() {
    let (code, out, _) = letspost(&["check", "--json", &fixture("landscape.mp4"), &fixture("image.png")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["verdict"], "warn");
    assert_eq!(v[1]["verdict"], "error");
    assert_eq!(v[1]["container"], serde_json::Value::Null);
    assert_eq!(v[1]["issues"][0]["code"], "unsupported_format");
    assert_eq!(v[1]["issues"][0]["severity"], "error");
}

#[test]
fn warnings_alone_exit_0() {
    let (code, out, _) = letspost(&["check", &fixture("landscape.mp4"), &fixture("h265.mp4")]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].contains("landscape.mp4: warn (MP4, 15.0 s, 640×360, H264, 25 fps, 8.5 KB)"), "{}", lines[0]);
    assert!(lines[0].contains("not_vertical"), "{}", lines[0]);
    assert!(lines[1].contains(": ok ("), "{}", lines[1]);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(letspost(&[]).0, 2);
    assert_eq!(letspost(&["check"]).0, 2);
    assert_eq!(letspost(&["check", "--bogus", &fixture("h265.mp4")]).0, 2);
    assert_eq!(letspost(&["frobnicate"]).0, 2);
    let (code, _, err) = letspost(&["check", "/no/such/file.mp4"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read /no/such/file.mp4"), "{err}");
    assert_eq!(letspost(&["--help"]).0, 0);
}

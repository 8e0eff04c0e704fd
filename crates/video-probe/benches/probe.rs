//! In-process probe time per file, reading from disk as the CLI does. Files: the committed
//! fixtures, plus every file in $LETSPOST_BENCH_MEDIA (`cargo xtask bench` makes a 50 MB and
//! a ~287 MB one there, moov at the end).

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::PathBuf;
use video_probe::probe_path;

fn files() -> Vec<PathBuf> {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out: Vec<PathBuf> = ["vertical_15s_faststart.mp4", "moov_at_end.mp4", "fragmented.mp4"].iter().map(|f| fixtures.join(f)).collect();
    if let Ok(dir) = std::env::var("LETSPOST_BENCH_MEDIA") {
        let mut extra: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        extra.sort();
        out.extend(extra);
    }
    out
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("probe");
    for path in files() {
        let r = probe_path(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        println!(
            "{name}: size {} bytes, read {} bytes ({:.4} %), verdict {:?}",
            r.size_bytes,
            r.bytes_read,
            100.0 * r.bytes_read as f64 / r.size_bytes as f64,
            r.verdict
        );
        group.bench_function(&name, |b| b.iter(|| probe_path(&path).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

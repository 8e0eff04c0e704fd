//! The file shell of the probe: ranged reads from a file, reports to stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tiktok_rules::media::Verdict;
use video_probe::{Report, probe_path};

pub fn probe_file(path: &Path) -> std::io::Result<Report> {
    let mut report = probe_path(path)?;
    report.file = Some(path.display().to_string());
    Ok(report)
}

pub fn run(files: &[PathBuf], json: bool) -> Result<ExitCode, String> {
    let mut reports = Vec::with_capacity(files.len());
    for f in files {
        if f.is_dir() {
            return Err(format!("{} is a folder, not a video file", f.display()));
        }
        reports.push(probe_file(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?);
    }
    if json {
        let out = if reports.len() == 1 { serde_json::to_string_pretty(&reports[0]) } else { serde_json::to_string_pretty(&reports) };
        println!("{}", out.map_err(|e| e.to_string())?);
    } else {
        for r in &reports {
            println!("{}", r.line());
        }
    }
    let any_error = reports.iter().any(|r| r.verdict == Verdict::Error);
    Ok(if any_error { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

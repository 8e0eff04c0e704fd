//! The deploy bundle must not hold the suite's test hooks or the benches' pipes: they are
//! compiled in only with the Worker's `test-routes` feature, which `cargo xtask build` never
//! turns on. This reads the bundle (`index.js` and `index_bg.wasm`, whose data section keeps
//! every string the code uses) for names only those routes use, and fails the build if any is
//! there. The end-to-end suite checks the same on a deploy build of its own, and that the test
//! build it runs does hold them (so the check can fail).

use crate::Result;
use std::path::Path;

/// Strings only the test and bench routes put in the bundle: hook names, the objects'
/// `/test/*` operations, the test build's headers, the bench routes' own words.
pub const MARKERS: [&str; 9] = [
    "fail-next-media-put",
    "drop-next-create-answer",
    "legacy-registry",
    "/test/scheduled",
    "/test/undrain",
    "X-LetsPost-Object-Calls",
    "X-LetsPost-Test-Address",
    "bench route",
    "test hook",
];

/// The markers found in a bundle's files.
pub fn found_in(bundle: &Path) -> Result<Vec<&'static str>> {
    let mut text = Vec::new();
    for file in ["index.js", "index_bg.wasm"] {
        let path = bundle.join(file);
        text.extend(std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(MARKERS.into_iter().filter(|m| text.windows(m.len()).any(|w| w == m.as_bytes())).collect())
}

/// Fails when the bundle holds any test or bench route.
pub fn clean(bundle: &Path) -> Result {
    let found = found_in(bundle)?;
    if !found.is_empty() {
        return Err(format!("the deploy bundle {} holds test or bench routes ({found:?}): was it built with the test-routes feature?", bundle.display()));
    }
    eprintln!("deploy bundle: no test or bench route in {}", bundle.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_with_a_hook_name_is_refused() {
        let dir = std::env::temp_dir().join(format!("deploy-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.js"), "export default {}").unwrap();
        std::fs::write(dir.join("index_bg.wasm"), b"\0asm....posts/ /api/health").unwrap();
        assert!(clean(&dir).is_ok());
        std::fs::write(dir.join("index_bg.wasm"), b"\0asm....drop-next-create-answer....").unwrap();
        assert_eq!(found_in(&dir).unwrap(), vec!["drop-next-create-answer"]);
        assert!(clean(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

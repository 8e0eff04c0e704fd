//! Another day for a whole test run: `cargo xtask test --clock "2026-12-12 10:00" --tz
//! Europe/Berlin`. The emulator, the Worker (node and workerd), the WebDriver servers, their
//! browsers and the test binaries all see a wall clock moved by the same offset, running at
//! real speed, through `crates/clock-shift` (an LD_PRELOAD library: it answers
//! `clock_gettime` and friends; it says why not libfaketime). The offset, not a start time,
//! is what they share, so processes started a minute apart agree. Monotonic clocks stay real,
//! so timers and time-outs are unchanged.

use crate::Result;
use std::process::Command;

/// What every process of the run gets in its environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    /// As given, for messages: `2026-12-12 10:00`.
    pub label: String,
    /// Seconds to add to the real wall clock.
    pub offset_secs: i64,
    pub tz: Option<String>,
}

impl Clock {
    /// `when` is read by `date -d` in `tz` (the machine's zone without one), so DST and zone
    /// names follow the system's tz database, as the browsers' do.
    pub fn at(when: &str, tz: Option<&str>) -> Result<Clock> {
        let mut date = Command::new("date");
        date.args(["-d", when, "+%s"]);
        if let Some(tz) = tz {
            date.env("TZ", tz);
        }
        let out = date.output().map_err(|e| format!("cannot run date: {e}"))?;
        let target: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().map_err(|_| format!("--clock {when:?} is not a date `date -d` reads"))?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs() as i64;
        Ok(Clock { label: format!("{when}{}", tz.map(|t| format!(" {t}")).unwrap_or_default()), offset_secs: target - now, tz: tz.map(String::from) })
    }

    /// The variables that move a process's clock (and zone); builds the library on first use.
    pub fn env(&self) -> Result<Vec<(&'static str, String)>> {
        crate::tools::run_ok(std::process::Command::new("cargo").current_dir(crate::root()).args(["build", "--quiet", "--release", "-p", "clock-shift"]))?;
        let lib = crate::root().join("target/release/libclock_shift.so");
        let mut env = vec![("LD_PRELOAD", lib.display().to_string()), ("LETSPOST_CLOCK_SHIFT_SECS", format!("{:+}", self.offset_secs))];
        if let Some(tz) = &self.tz {
            env.push(("TZ", tz.clone()));
        }
        Ok(env)
    }
}

/// The days the day-dependent flows are proven on in every full run, two hard cases each: a
/// Saturday whose next week holds a DST change in a zone that has one (a week view's "next
/// week" is not now + 7 days, and that week is 169 h long), and a late Sunday that is New
/// Year's Eve (month and year end, and midnight near). Four days with one case each cost twice
/// the services and browsers for the same cases.
pub fn hard_days() -> Vec<(&'static str, Option<&'static str>)> {
    vec![("2027-10-23 12:00", Some("Europe/Berlin")), ("2028-12-31 22:30", None)]
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn an_offset_from_now_in_the_zone_given() {
        let utc = Clock::at("2030-01-01 00:00", Some("UTC")).unwrap();
        let berlin = Clock::at("2030-01-01 00:00", Some("Europe/Berlin")).unwrap();
        // Midnight in Berlin (UTC+1 in winter) comes an hour before midnight in UTC.
        assert!((utc.offset_secs - berlin.offset_secs - 3_600).abs() <= 1, "{utc:?} {berlin:?}");
        assert!(Clock::at("not a date", None).is_err());
    }
}

//! An `LD_PRELOAD` library that moves a process's wall clock by `LETSPOST_CLOCK_SHIFT_SECS`
//! seconds, running at real speed, for `cargo xtask test --clock`. Every process of such a
//! run (emulator, node, workerd, WebDriver servers, browsers, test binaries) shares the offset,
//! so they agree on "now" whenever each was started. Monotonic clocks are not touched, so
//! timers and time-outs are unchanged.
//!
//! Why not Debian's libfaketime: workerd links tcmalloc, whose first allocation calls `poll`;
//! libfaketime intercepts `poll` and initialises itself there with `dlsym`, which allocates,
//! which waits on tcmalloc's init lock: workerd hangs before `main` (measured, gdb backtrace
//! in DEVELOPERS.md). This library intercepts only the wall-clock reads, answers them with the
//! raw system call and allocates nothing, so it cannot re-enter an allocator.

use std::sync::atomic::{AtomicI64, Ordering};

/// The variable that holds the offset, in whole seconds (`+86400`, `-3600`).
pub const OFFSET_VAR: &str = "LETSPOST_CLOCK_SHIFT_SECS";

const UNREAD: i64 = i64::MIN;
static OFFSET_SECS: AtomicI64 = AtomicI64::new(UNREAD);

/// The offset, read from the environment once (`getenv` does not allocate).
fn offset_secs() -> i64 {
    let known = OFFSET_SECS.load(Ordering::Relaxed);
    if known != UNREAD {
        return known;
    }
    // SAFETY: the name is a NUL-terminated literal; getenv returns null or a C string.
    let raw = unsafe { libc::getenv(c"LETSPOST_CLOCK_SHIFT_SECS".as_ptr()) };
    let secs = if raw.is_null() { 0 } else { parse_secs(unsafe { std::ffi::CStr::from_ptr(raw) }.to_bytes()).unwrap_or(0) };
    OFFSET_SECS.store(secs, Ordering::Relaxed);
    secs
}

/// `+86400`, `-3600` or `120`; anything else is no offset. No allocation, no panic.
pub fn parse_secs(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let mut n: i64 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if neg { -n } else { n })
}

fn is_wall_clock(clock: libc::clockid_t) -> bool {
    matches!(clock, libc::CLOCK_REALTIME | libc::CLOCK_REALTIME_COARSE | libc::CLOCK_TAI)
}

/// # Safety
/// As `clock_gettime(3)`: `tp` points to a writable `timespec`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn clock_gettime(clock: libc::clockid_t, tp: *mut libc::timespec) -> libc::c_int {
    // SAFETY: the caller's contract; the kernel checks the pointer.
    let r = unsafe { libc::syscall(libc::SYS_clock_gettime, clock, tp) } as libc::c_int;
    if r == 0 && is_wall_clock(clock) && !tp.is_null() {
        unsafe { (*tp).tv_sec += offset_secs() as libc::time_t };
    }
    r
}

/// # Safety
/// As `gettimeofday(2)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gettimeofday(tv: *mut libc::timeval, tz: *mut libc::c_void) -> libc::c_int {
    let r = unsafe { libc::syscall(libc::SYS_gettimeofday, tv, tz) } as libc::c_int;
    if r == 0 && !tv.is_null() {
        unsafe { (*tv).tv_sec += offset_secs() as libc::time_t };
    }
    r
}

/// # Safety
/// As `time(2)`: `t` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn time(t: *mut libc::time_t) -> libc::time_t {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    let now = if unsafe { clock_gettime(libc::CLOCK_REALTIME, &mut ts) } == 0 { ts.tv_sec } else { -1 };
    if !t.is_null() {
        unsafe { *t = now };
    }
    now
}

/// # Safety
/// As `timespec_get(3)` (C11).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn timespec_get(ts: *mut libc::timespec, base: libc::c_int) -> libc::c_int {
    const TIME_UTC: libc::c_int = 1;
    if base == TIME_UTC && unsafe { clock_gettime(libc::CLOCK_REALTIME, ts) } == 0 { base } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::parse_secs;

    #[test]
    fn offsets_in_whole_seconds_and_nothing_else() {
        assert_eq!(parse_secs(b"+86400"), Some(86_400));
        assert_eq!(parse_secs(b"-3600"), Some(-3_600));
        assert_eq!(parse_secs(b"120"), Some(120));
        for junk in [&b""[..], b"+", b"1.5", b"12h", b"9999999999999"] {
            assert_eq!(parse_secs(junk), None, "{junk:?}");
        }
    }
}

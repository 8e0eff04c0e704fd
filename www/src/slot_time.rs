//! A slot's time as people read it: "Tue 9:00", with the date ("Tue 15 Dec, 9:00") when it is
//! six days or more away. In a given IANA zone (the posting schedule's) or the browser's own.
//! `Intl` does the zone arithmetic: the browser already has it, so it costs no bytes.

use js_sys::Intl::DateTimeFormat;
use std::cell::RefCell;

/// A formatter per zone, made once rather than per label: the week view labels dozens of slots,
/// and making an `Intl.DateTimeFormat` is not free.
fn formatter(zone: Option<&str>) -> DateTimeFormat {
    thread_local!(static MADE: RefCell<Vec<(Option<String>, DateTimeFormat)>> = const { RefCell::new(Vec::new()) });
    MADE.with_borrow_mut(|made| {
        if let Some((_, f)) = made.iter().find(|(z, _)| z.as_deref() == zone) {
            return f.clone();
        }
        let options = js_sys::Object::new();
        let mut pairs = vec![("weekday", "short"), ("day", "numeric"), ("month", "short"), ("hour", "numeric"), ("minute", "2-digit"), ("hourCycle", "h23")];
        if let Some(z) = zone {
            pairs.push(("timeZone", z));
        }
        for (k, v) in pairs {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        let f = DateTimeFormat::new(&js_sys::Array::of1(&"en-GB".into()), &options);
        made.push((zone.map(str::to_string), f.clone()));
        f
    })
}

pub fn slot_label(at: &str, zone: Option<&str>) -> String {
    let date = js_sys::Date::new(&at.into());
    let parts = formatter(zone).format_to_parts(&date);
    let part = |kind: &str| {
        parts
            .iter()
            .find_map(|p| {
                let t = js_sys::Reflect::get(&p, &"type".into()).ok()?.as_string()?;
                (t == kind).then(|| js_sys::Reflect::get(&p, &"value".into()).ok()?.as_string()).flatten()
            })
            .unwrap_or_default()
    };
    // "09" → "9": the way people write times.
    let hour = part("hour");
    let hour = hour.strip_prefix('0').filter(|h| !h.is_empty()).unwrap_or(&hour);
    let soon = date.get_time() - js_sys::Date::now() < 6.0 * 86_400_000.0;
    if soon {
        format!("{} {hour}:{}", part("weekday"), part("minute"))
    } else {
        format!("{} {} {}, {hour}:{}", part("weekday"), part("day"), part("month"), part("minute"))
    }
}

/// "Mon 7 Dec": a day in the browser's zone, as the week view heads it.
pub fn day_label(d: &js_sys::Date) -> String {
    const DOW: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{} {} {}", DOW[d.get_day() as usize % 7], d.get_date(), MON[d.get_month() as usize % 12])
}

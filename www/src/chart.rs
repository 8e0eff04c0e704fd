//! A line chart as SVG, drawn from `analytics::chart`'s geometry (a 360 × 180 view box that
//! scales to its box: a 390 px phone shows it whole). A screen reader hears it as one image
//! named by its title and described by the summary sentence printed under it (first, last and
//! highest, with dates), and finds every reading in a visually hidden table; nothing depends
//! on seeing the line. Times are in the browser's own zone, through its `Date`: no time-zone database is
//! shipped for a chart.

use analytics::chart::{Civil, LineChart, Zone, line_chart_in};
use leptos::prelude::*;

/// The browser's time zone, as JavaScript's `Date` knows it.
pub struct BrowserZone;

impl Zone for BrowserZone {
    fn local(&self, ms: u64) -> Option<Civil> {
        let d = js_sys::Date::new(&(ms as f64).into());
        if !d.get_time().is_finite() {
            return None;
        }
        Civil::new(d.get_full_year() as i32, d.get_month() as u8 + 1, d.get_date() as u8, d.get_hours() as u8, d.get_minutes() as u8)
    }

    fn instant(&self, l: Civil) -> Option<u64> {
        // `Date`'s local constructor: a skipped time moves forward, a repeated one is the first.
        let d = js_sys::Date::new_with_year_month_day_hr_min_sec(
            u32::try_from(l.year()).ok()?,
            i32::from(l.month()) - 1,
            i32::from(l.day()),
            i32::from(l.hour()),
            i32::from(l.minute()),
            0,
        );
        let t = d.get_time();
        (t.is_finite() && t >= 0.0).then_some(t as u64)
    }
}

/// The geometry of `points` (Unix ms, value) in the browser's zone.
pub fn in_browser_zone(label: &str, points: &[(u64, u64)]) -> LineChart {
    line_chart_in(label, points, &BrowserZone)
}

/// `&`, `<`, `>`, `"` and `'` as entities: a title may carry a creator's name.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The chart's markup: a figure with its caption, the SVG image (named by its `<title>`,
/// described by the summary under it), and the readings as a visually hidden table. Written as
/// text, not as a view: it never changes once drawn, and a view of every line and label cost
/// the page's wasm several times these few lines (measured).
pub fn markup(title: &str, id: &str, c: &LineChart) -> String {
    use std::fmt::Write;
    let (t, id) = (esc(title), esc(id));
    let p = c.plot;
    let mut svg = String::new();
    for y in &c.y_ticks {
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{0}" x2="{1}" y1="{2}" y2="{2}"></line><text class="tick" x="{3}" y="{4}" text-anchor="end">{5}</text>"#,
            p.left,
            p.right,
            y.pos,
            p.left - 6,
            y.pos + 4,
            esc(&y.label)
        );
    }
    let _ = write!(svg, r#"<line class="axis" x1="{0}" x2="{1}" y1="{2}" y2="{2}"></line>"#, p.left, p.right, p.bottom);
    for x in &c.x_ticks {
        let _ = write!(
            svg,
            r#"<line class="axis" x1="{0}" x2="{0}" y1="{1}" y2="{2}"></line><text class="tick" x="{0}" y="{3}" text-anchor="middle">{4}</text>"#,
            x.pos,
            p.bottom,
            p.bottom + 4,
            p.bottom + 18,
            esc(&x.label)
        );
    }
    if !c.path.is_empty() {
        let _ = write!(svg, r#"<path class="line" d="{}"></path>"#, c.path);
    }
    for d in &c.dots {
        let _ = write!(svg, r#"<circle class="dot" cx="{}" cy="{}" r="3"></circle>"#, d.x, d.y);
    }
    let rows: String = c.rows.iter().map(|r| format!("<tr><td>{}</td><td>{}</td></tr>", esc(&r.when), esc(&r.value))).collect();
    format!(
        r#"<figcaption class="chart-title">{t}</figcaption><svg class="chart-svg" viewBox="{vb}" role="img" aria-labelledby="{id}-title" aria-describedby="{id}-desc" preserveAspectRatio="xMidYMid meet"><title id="{id}-title">{t}</title>{svg}</svg><p class="chart-summary muted" id="{id}-desc" data-testid="chart-summary">{summary}</p><table class="visually-hidden" data-testid="chart-numbers"><caption>{t}</caption><thead><tr><th scope="col">When</th><th scope="col">Number</th></tr></thead><tbody>{rows}</tbody></table>"#,
        vb = c.view_box,
        summary = esc(&c.summary),
    )
}

/// A chart titled `title` (what it shows, e.g. "Views"), `id` unique on the page (its parts'
/// ids hang off it).
#[component]
pub fn Chart(title: String, id: String, chart: LineChart) -> impl IntoView {
    let html = markup(&title, &id, &chart);
    view! { <figure class="chart" data-testid="chart" data-chart=id inner_html=html></figure> }
}

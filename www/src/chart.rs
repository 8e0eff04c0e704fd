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

/// A chart titled `title` (what it shows, e.g. "Views"), `id` unique on the page (its parts'
/// ids hang off it).
#[component]
pub fn Chart(title: String, id: String, chart: LineChart) -> impl IntoView {
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let (labelled_by, described_by) = (title_id.clone(), desc_id.clone());
    let p = chart.plot;
    let y_ticks = chart
        .y_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="grid" x1=p.left x2=p.right y1=t.pos y2=t.pos></line>
                <text class="tick" x=p.left - 6 y=t.pos + 4 text-anchor="end">{t.label.clone()}</text>
            }
        })
        .collect_view();
    let x_ticks = chart
        .x_ticks
        .iter()
        .map(|t| {
            view! {
                <line class="axis" x1=t.pos x2=t.pos y1=p.bottom y2=p.bottom + 4></line>
                <text class="tick" x=t.pos y=p.bottom + 18 text-anchor="middle">{t.label.clone()}</text>
            }
        })
        .collect_view();
    let dots = chart.dots.iter().map(|d| view! { <circle class="dot" cx=d.x cy=d.y r="3"></circle> }).collect_view();
    let rows = chart.rows.iter().map(|r| view! { <tr><td>{r.when.clone()}</td><td>{r.value.clone()}</td></tr> }).collect_view();
    view! {
        <figure class="chart" data-testid="chart" data-chart=id.clone()>
            <figcaption class="chart-title">{title.clone()}</figcaption>
            <svg class="chart-svg" viewBox=chart.view_box.clone() role="img" aria-labelledby=labelled_by aria-describedby=described_by
                preserveAspectRatio="xMidYMid meet">
                <title id=title_id>{title.clone()}</title>
                {y_ticks}
                <line class="axis" x1=p.left x2=p.right y1=p.bottom y2=p.bottom></line>
                {x_ticks}
                <path class="line" d=chart.path.clone()></path>
                {dots}
            </svg>
            <p class="chart-summary muted" id=desc_id data-testid="chart-summary">{chart.summary.clone()}</p>
            <table class="visually-hidden" data-testid="chart-numbers">
                <caption>{title}</caption>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Number"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}

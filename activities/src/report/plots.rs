//! The report's plots, each an inline SVG string drawn with plotters: lines over dates,
//! intervals by category (hit rate by edge with Wilson bars, MAE against the line), scatters
//! against the diagonal (calibration, prediction against line), bars, and the day's timeline.
//! Text is SVG `<text>` in the page's sans-serif font: nothing is fetched to draw it. A plot
//! that cannot be drawn comes back as the reason, which the page shows in its place.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::America::New_York;
use plotters::prelude::*;

use super::data::TimelineRun;

const WIDTH: u32 = 760;
const HEIGHT: u32 = 340;
const FONT: &str = "sans-serif";
/// Hit rate needed to break even at -110 on both sides.
pub const BREAK_EVEN: f64 = 110.0 / 210.0;

type Drawn = std::result::Result<String, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn color(i: usize) -> RGBColor {
    let c = Palette99::pick(i).to_rgba();
    RGBColor(c.0, c.1, c.2)
}

/// The legend of the series drawn with a label, in a corner.
fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 11))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()
        .map_err(err)
}

/// A named line of (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed and black: the reference (the sportsbook line's own figure).
    pub reference: bool,
}

/// (min, max) of `values` widened by a margin, or `fallback` when there are none.
fn span(values: impl Iterator<Item = f64>, fallback: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return fallback;
    }
    let pad = ((hi - lo) * 0.1).max(0.5);
    (lo - pad, hi + pad)
}

/// Lines over categorical x positions 0..labels.len() (dates), one per series.
pub fn lines(caption: &str, labels: &[String], y_desc: &str, series: &[Series]) -> Drawn {
    if labels.is_empty() || series.iter().all(|s| s.points.is_empty()) {
        return Err("no points to draw".into());
    }
    let (y0, y1) = span(
        series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
        (0.0, 1.0),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let x1 = (labels.len() as f64 - 0.5).max(0.5);
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.5..x1, y0..y1)
            .map_err(err)?;
        let label_of = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            labels
                .get(i as usize)
                .map_or(String::new(), |d| short_date(d))
        };
        chart
            .configure_mesh()
            .x_labels(labels.len().min(10))
            .x_label_formatter(&label_of)
            .y_desc(y_desc)
            .label_style((FONT, 11))
            .draw()
            .map_err(err)?;
        let mut member = 0;
        for s in series {
            if s.reference {
                chart
                    .draw_series(DashedLineSeries::new(
                        s.points.iter().copied(),
                        6,
                        4,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(err)?
                    .label(&s.name)
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
            } else {
                let c = color(member);
                member += 1;
                chart
                    .draw_series(LineSeries::new(s.points.iter().copied(), c.stroke_width(2)))
                    .map_err(err)?
                    .label(&s.name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                    });
                chart
                    .draw_series(s.points.iter().map(|&p| Circle::new(p, 2, c.filled())))
                    .map_err(err)?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// `2025-01-07` as `01-07`.
fn short_date(date: &str) -> String {
    date.get(5..).unwrap_or(date).to_string()
}

/// A value with its 95% interval at a categorical position.
pub struct Interval {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Groups of intervals (one group per x label, one colour per series name), with an optional
/// horizontal reference line (break-even, or zero).
pub fn intervals(
    caption: &str,
    x_labels: &[String],
    y_desc: &str,
    series: &[(String, Vec<Option<Interval>>)],
    reference: Option<(f64, &str)>,
    bounds: Option<(f64, f64)>,
) -> Drawn {
    let values = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().flat_map(|i| [i.lo, i.hi]));
    if series.iter().all(|(_, v)| v.iter().all(Option::is_none)) {
        return Err("no figures to draw".into());
    }
    let (mut y0, mut y1) = span(values, (0.0, 1.0));
    if let Some((r, _)) = reference {
        y0 = y0.min(r - 0.02);
        y1 = y1.max(r + 0.02);
    }
    if let Some((lo, hi)) = bounds {
        (y0, y1) = (y0.max(lo), y1.min(hi));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = x_labels.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(-0.5..(n - 0.5), y0..y1)
            .map_err(err)?;
        let label_of = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            x_labels.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(x_labels.len() + 1)
            .x_label_formatter(&label_of)
            .disable_x_mesh()
            .y_desc(y_desc)
            .label_style((FONT, 11))
            .draw()
            .map_err(err)?;
        if let Some((r, name)) = reference {
            chart
                .draw_series(DashedLineSeries::new(
                    [(-0.5, r), (n - 0.5, r)],
                    6,
                    4,
                    BLACK.stroke_width(1),
                ))
                .map_err(err)?
                .label(name)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        }
        let width = 0.7 / series.len().max(1) as f64;
        for (k, (name, points)) in series.iter().enumerate() {
            let c = color(k);
            let offset = -0.35 + width * (k as f64 + 0.5);
            let drawn: Vec<(f64, &Interval)> = points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.as_ref().map(|p| (i as f64 + offset, p)))
                .collect();
            chart
                .draw_series(drawn.iter().map(|(x, p)| {
                    ErrorBar::new_vertical(*x, p.lo, p.value, p.hi, c.stroke_width(2), 8)
                }))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
            chart
                .draw_series(
                    drawn
                        .iter()
                        .map(|(x, p)| Circle::new((*x, p.value), 4, c.filled())),
                )
                .map_err(err)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Points in (x, y), one colour per series, with the diagonal y = x (a calibrated system, or
/// a prediction equal to the line, sits on it); `connect` joins each series' points.
pub fn scatter(
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, f64)>)],
    connect: bool,
) -> Drawn {
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, p)| p.iter().flat_map(|&(a, b)| [a, b]))
        .collect();
    if all.is_empty() {
        return Err("no points to draw".into());
    }
    let (lo, hi) = span(all.into_iter(), (0.0, 40.0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT + 60)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d(lo..hi, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style((FONT, 11))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(lo, lo), (hi, hi)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(err)?
            .label("y = x")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK));
        for (k, (name, points)) in series.iter().enumerate() {
            let c = color(k);
            if connect {
                chart
                    .draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(1)))
                    .map_err(err)?;
            }
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 4, c.filled())))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// One bar per label.
pub fn bars(caption: &str, y_desc: &str, bars: &[(String, f64)]) -> Drawn {
    if bars.is_empty() {
        return Err("nothing to count".into());
    }
    let top = bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1.0) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = bars.len() as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(48)
            .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..top)
            .map_err(err)?;
        let x_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => bars
                .get(*i as usize)
                .map_or(String::new(), |(name, _)| name.clone()),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .x_labels(bars.len())
            .x_label_formatter(&x_label)
            .disable_x_mesh()
            .y_desc(y_desc)
            .label_style((FONT, 10))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0.0),
                        (SegmentValue::Exact(i + 1), *v),
                    ],
                    color(i as usize).filled(),
                );
                bar.set_margin(0, 0, 12, 12);
                bar
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Where the timeline's clock starts and whether the deadline is on it.
struct Clock {
    origin: DateTime<Utc>,
    /// Minutes from the origin to the deadline, when the runs happened near the date.
    deadline: Option<f64>,
}

impl Clock {
    fn minutes(&self, t: DateTime<Utc>) -> f64 {
        (t - self.origin).num_milliseconds() as f64 / 60_000.0
    }

    /// ET clock time of `minutes` after the origin, to the second when the span is short.
    fn label(&self, minutes: f64, span_minutes: f64) -> String {
        let t = self.origin + Duration::milliseconds((minutes * 60_000.0) as i64);
        let format = if span_minutes < 30.0 {
            "%H:%M:%S"
        } else {
            "%H:%M"
        };
        t.with_timezone(&New_York).format(format).to_string()
    }
}

/// Whether runs from `first` to `last` are close enough to the deadline to share its clock:
/// a replayed or backfilled date runs days after it.
pub fn deadline_on_clock(
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> bool {
    deadline > first - Duration::hours(18) && deadline < last + Duration::hours(18)
}

/// The day's runs as bars on the Eastern clock, one row per processor (gates and scrapes
/// included), failed attempts red, with the deadline drawn when the runs happened near it.
pub fn timeline(caption: &str, runs: &[TimelineRun], deadline: DateTime<Utc>) -> Drawn {
    let Some(first) = runs.iter().map(|r| r.started).min() else {
        return Err("no run recorded for the date".into());
    };
    let ends = runs
        .iter()
        .map(|r| r.started + Duration::milliseconds(r.duration_ms));
    let last = ends.max().unwrap_or(first);
    let clock = Clock {
        origin: first,
        deadline: deadline_on_clock(first, last, deadline)
            .then(|| (deadline - first).num_milliseconds() as f64 / 60_000.0),
    };
    let mut rows: Vec<(String, i64)> = Vec::new();
    for r in runs {
        let name = row_name(r);
        if !rows.iter().any(|(n, _)| *n == name) {
            rows.push((name, r.phase));
        }
    }
    let end = clock.minutes(last);
    let (mut x0, mut x1) = (0.0f64, end.max(0.05));
    if let Some(d) = clock.deadline {
        x0 = x0.min(d);
        x1 = x1.max(d);
    }
    let pad = ((x1 - x0) * 0.03).max(0.02);
    let (x0, x1) = (x0 - pad, x1 + pad);
    let height = 90 + 15 * rows.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH + 140, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = rows.len() as i32;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, (FONT, 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(190)
            .build_cartesian_2d(x0..x1, (0..n - 1).into_segmented())
            .map_err(err)?;
        let y_label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => rows
                .get((n - 1 - *i) as usize)
                .map_or(String::new(), |(name, _)| name.clone()),
            _ => String::new(),
        };
        let x_label = |m: &f64| clock.label(*m, x1 - x0);
        chart
            .configure_mesh()
            .y_labels(rows.len())
            .x_labels(8)
            .y_label_formatter(&y_label)
            .x_label_formatter(&x_label)
            .x_desc("Eastern time")
            .disable_y_mesh()
            .label_style((FONT, 10))
            .draw()
            .map_err(err)?;
        // A bar is at least a hair wide, so a 3 ms run still shows.
        let min_width = (x1 - x0) / 400.0;
        chart
            .draw_series(runs.iter().map(|r| {
                // The first processor to run is the top row.
                let row = n
                    - 1
                    - rows
                        .iter()
                        .position(|(name, _)| *name == row_name(r))
                        .unwrap_or(0) as i32;
                let start = clock.minutes(r.started);
                let stop = (start + r.duration_ms as f64 / 60_000.0).max(start + min_width);
                let fill = if r.status == "ok" {
                    color(r.phase.max(0) as usize).filled()
                } else {
                    RED.filled()
                };
                Rectangle::new(
                    [
                        (start, SegmentValue::Exact(row)),
                        (stop, SegmentValue::Exact(row + 1)),
                    ],
                    fill,
                )
            }))
            .map_err(err)?;
        if let Some(d) = clock.deadline {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(d, SegmentValue::Exact(0)), (d, SegmentValue::Exact(n))],
                    RED.stroke_width(2),
                )))
                .map_err(err)?
                .label("10:00 ET deadline")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], RED.stroke_width(2)));
            legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

fn row_name(r: &TimelineRun) -> String {
    match r.kind.as_str() {
        "gate" => format!("gate, phase {}", r.phase),
        "scrape" => format!("{} (scrape)", r.processor),
        _ => format!("{} (p{})", r.processor, r.phase),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(svg: &str, element: &str) -> usize {
        svg.matches(&format!("<{element}")).count()
    }

    #[test]
    fn a_line_chart_draws_its_series_and_nothing_external() {
        let labels: Vec<String> = (1..=5).map(|d| format!("2025-01-0{d}")).collect();
        let svg = lines(
            "MAE",
            &labels,
            "points",
            &[
                Series {
                    name: "gbm".into(),
                    points: (0..5).map(|i| (i as f64, 5.0 + i as f64 / 10.0)).collect(),
                    reference: false,
                },
                Series {
                    name: "line".into(),
                    points: (0..5).map(|i| (i as f64, 5.2)).collect(),
                    reference: true,
                },
            ],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(count(&svg, "polyline") + count(&svg, "path") >= 2, "{svg}");
        assert!(svg.contains("01-03"), "the dates label the axis");
        assert!(!svg.contains("href"), "nothing linked");
    }

    #[test]
    fn nothing_to_draw_is_a_reason_not_a_plot() {
        assert!(lines("MAE", &[], "points", &[]).is_err());
        assert!(scatter("c", "x", "y", &[], true).is_err());
        assert!(bars("b", "n", &[]).is_err());
        assert!(timeline("t", &[], Utc::now()).is_err());
    }

    #[test]
    fn the_deadline_is_drawn_only_near_the_runs() {
        let d = DateTime::parse_from_rfc3339("2025-01-07T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let morning = d - Duration::hours(2);
        assert!(deadline_on_clock(
            morning,
            morning + Duration::minutes(5),
            d
        ));
        let replayed = d + Duration::days(600);
        assert!(!deadline_on_clock(replayed, replayed, d));
    }
}

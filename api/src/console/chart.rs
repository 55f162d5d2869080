//! Charts drawn on the server as SVG (no script): a line chart of series
//! over time and horizontal bars. Colours come from the stylesheet's
//! classes (`s0`…`s5`), so the CSP needs no inline style; each chart has a
//! title for screen readers, and pages show the same figures as a table.

use maud::{Markup, html};

/// One line of a chart: its label and a value per x position.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 24.0;

/// Lines over `x_labels` (only a few of them are written under the axis).
pub fn lines(title: &str, x_labels: &[String], series: &[Series]) -> Markup {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let top = nice_ceiling(max);
    let n = x_labels.len().max(2);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - BOTTOM - 8.0;
    let x = |i: usize| LEFT + plot_w * (i as f64) / ((n - 1) as f64);
    let y = |v: f64| 8.0 + plot_h * (1.0 - if top > 0.0 { v / top } else { 0.0 });
    let every = (x_labels.len() / 6).max(1);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-label=(title) {
                title { (title) }
                @for step in 0..=4 {
                    @let v = top * f64::from(step) / 4.0;
                    line.grid x1=(LEFT) x2=(WIDTH - 8.0) y1=(y(v)) y2=(y(v)) {}
                    text.axis x=(LEFT - 4.0) y=(y(v) + 4.0) text-anchor="end" { (short(v)) }
                }
                @for (i, label) in x_labels.iter().enumerate() {
                    @if i % every == 0 {
                        text.axis x=(x(i)) y=(HEIGHT - 6.0) text-anchor="middle" { (label) }
                    }
                }
                @for (k, s) in series.iter().enumerate() {
                    @let points = s.values.iter().enumerate()
                        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                        .collect::<Vec<_>>().join(" ");
                    polyline class={ "line s" (k % 6) } points=(points) {}
                }
            }
            figcaption {
                @for (k, s) in series.iter().enumerate() {
                    span class={ "key s" (k % 6) } { (s.label) }
                }
            }
        }
    }
}

/// Horizontal bars, one per `(label, value)`, with the value written beside.
pub fn bars(title: &str, rows: &[(String, f64)], show: impl Fn(f64) -> String) -> Markup {
    let max = rows.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let row_h = 22.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let label_w = 160.0;
    let bar_w = WIDTH - label_w - 90.0;
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-label=(title) {
                title { (title) }
                @for (i, (label, value)) in rows.iter().enumerate() {
                    @let top = 4.0 + row_h * i as f64;
                    @let w = if max > 0.0 { bar_w * value / max } else { 0.0 };
                    text.axis x=(label_w - 6.0) y=(top + 15.0) text-anchor="end" { (label) }
                    rect class="bar s0" x=(label_w) y=(top + 3.0) width=(w.max(1.0)) height=(row_h - 6.0) {}
                    text.axis x=(label_w + w + 6.0) y=(top + 15.0) { (show(*value)) }
                }
            }
        }
    }
}

/// Two horizontal bars per row, a value (`s0`) above its target (`s1`),
/// on one scale; a row without a target has one bar. `keys` names the two.
pub fn pairs(
    title: &str,
    keys: (&str, &str),
    rows: &[(String, f64, Option<f64>)],
    show: impl Fn(f64) -> String,
) -> Markup {
    let max = rows
        .iter()
        .map(|(_, v, t)| v.max(t.unwrap_or(0.0)))
        .fold(0.0_f64, f64::max);
    let row_h = 34.0;
    let height = row_h * rows.len() as f64 + 8.0;
    let label_w = 160.0;
    let bar_w = WIDTH - label_w - 110.0;
    let width = |v: f64| if max > 0.0 { (bar_w * v / max).max(1.0) } else { 1.0 };
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-label=(title) {
                title { (title) }
                @for (i, (label, value, target)) in rows.iter().enumerate() {
                    @let top = 4.0 + row_h * i as f64;
                    text.axis x=(label_w - 6.0) y=(top + 19.0) text-anchor="end" { (label) }
                    rect class="bar s0" x=(label_w) y=(top + 2.0) width=(width(*value)) height="13" {}
                    text.axis x=(label_w + width(*value) + 6.0) y=(top + 13.0) { (show(*value)) }
                    @if let Some(target) = target {
                        rect class="bar s1" x=(label_w) y=(top + 17.0) width=(width(*target)) height="13" {}
                        text.axis x=(label_w + width(*target) + 6.0) y=(top + 28.0) { (show(*target)) }
                    }
                }
            }
            figcaption {
                span class="key s0" { (keys.0) }
                span class="key s1" { (keys.1) }
            }
        }
    }
}

/// A round number at or above `max` for the top of an axis.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= max)
        .unwrap_or(max)
}

fn short(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if v >= 1_000.0 {
        format!("{:.1}k", v / 1_000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_ends_on_a_round_number_at_or_above_the_largest_value() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(2_400.0), 2_500.0);
    }
}

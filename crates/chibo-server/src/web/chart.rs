//! Charts as server-rendered SVG: horizontal bars, stacked bars and a line,
//! each with its numbers written beside it so the chart reads on a 390 px
//! phone, in grey print and to a screen reader (title and description). No
//! script, no style attributes (the CSP forbids inline styles): colours are
//! presentation attributes, sizes are in the 360-unit-wide view box that
//! scales to the column.

use std::fmt::Write;

const WIDTH: f64 = 360.0;
const ROW: f64 = 44.0;
/// Space under a row's label for its bar.
const LABEL: f64 = 18.0;
const BAR: f64 = 18.0;
/// Room right of a bar for its figure.
const FIGURE: f64 = 64.0;

/// One bar: a label, a value, the text shown for it and where it leads.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub text: String,
    pub href: Option<String>,
}

/// One stacked bar: its label, its parts (in the order of the legend).
#[derive(Debug, Clone)]
pub struct Stack {
    pub label: String,
    pub parts: Vec<i64>,
    pub href: Option<String>,
}

/// The colours of series, dark enough for white figures and distinct in grey.
pub const COLOURS: [&str; 6] = [
    "#136c2e", "#0b4f9c", "#8a5a00", "#b00020", "#6b4fa0", "#555555",
];

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

fn open(out: &mut String, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" font-family="system-ui, sans-serif" font-size="14"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

fn link(out: &mut String, href: &Option<String>) {
    if let Some(h) = href {
        let _ = write!(out, r#"<a href="{}">"#, esc(h));
    }
}

fn unlink(out: &mut String, href: &Option<String>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// Horizontal bars against `max` (the largest value when `None`).
pub fn bars(title: &str, rows: &[Bar], max: Option<i64>, colour: &str) -> String {
    let max = max
        .unwrap_or_else(|| rows.iter().map(|r| r.value).max().unwrap_or(0))
        .max(1) as f64;
    let span = WIDTH - FIGURE;
    let height = (rows.len().max(1) as f64) * ROW + 4.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {}", r.label, r.text))
        .collect();
    let mut out = String::new();
    open(&mut out, height, title, &desc.join("; "));
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * ROW;
        let w = (r.value.max(0) as f64 / max * span).min(span);
        link(&mut out, &r.href);
        let _ = write!(
            out,
            r##"<text x="0" y="{:.1}" fill="#1b1b1b">{}</text><rect x="0" y="{:.1}" width="{span:.1}" height="{BAR}" fill="#f4f4f1" stroke="#d0d0d0"/><rect x="0" y="{:.1}" width="{w:.1}" height="{BAR}" fill="{colour}"/><text x="{:.1}" y="{:.1}" fill="#1b1b1b" font-weight="600">{}</text>"##,
            y + 14.0,
            esc(&r.label),
            y + LABEL + 2.0,
            y + LABEL + 2.0,
            span + 6.0,
            y + LABEL + 16.0,
            esc(&r.text)
        );
        unlink(&mut out, &r.href);
    }
    out.push_str("</svg>");
    out
}

/// Stacked horizontal bars with a legend above; each part shows its count
/// when it has room, and the row's total stands at its end.
pub fn stacked(title: &str, legend: &[String], rows: &[Stack]) -> String {
    let max = rows
        .iter()
        .map(|r| r.parts.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let span = WIDTH - FIGURE;
    // Two legend entries per line keep long Vietnamese labels readable.
    let legend_lines = legend.len().div_ceil(2);
    let top = legend_lines as f64 * 22.0 + 6.0;
    let height = top + (rows.len().max(1) as f64) * ROW + 4.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            let parts: Vec<String> = legend
                .iter()
                .zip(&r.parts)
                .map(|(l, n)| format!("{l} {n}"))
                .collect();
            format!("{}: {}", r.label, parts.join(", "))
        })
        .collect();
    let mut out = String::new();
    open(&mut out, height, title, &desc.join("; "));
    for (i, name) in legend.iter().enumerate() {
        let x = if i % 2 == 0 { 0.0 } else { WIDTH / 2.0 };
        let y = (i / 2) as f64 * 22.0;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="14" fill="{}"/><text x="{:.1}" y="{:.1}" fill="#1b1b1b" font-size="13">{}</text>"##,
            y + 2.0,
            COLOURS[i % COLOURS.len()],
            x + 18.0,
            y + 14.0,
            esc(name)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * ROW;
        link(&mut out, &r.href);
        let _ = write!(
            out,
            r##"<text x="0" y="{:.1}" fill="#1b1b1b">{}</text>"##,
            y + 14.0,
            esc(&r.label)
        );
        let mut x = 0.0;
        for (j, n) in r.parts.iter().enumerate() {
            let w = *n as f64 / max * span;
            if w <= 0.0 {
                continue;
            }
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{BAR}" fill="{}"/>"##,
                y + LABEL + 2.0,
                COLOURS[j % COLOURS.len()]
            );
            if w >= 18.0 {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" fill="#fff" font-size="13" text-anchor="middle">{n}</text>"##,
                    x + w / 2.0,
                    y + LABEL + 15.0
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" fill="#1b1b1b" font-weight="600">{}</text>"##,
            x + 6.0,
            y + LABEL + 16.0,
            r.parts.iter().sum::<i64>()
        );
        unlink(&mut out, &r.href);
    }
    out.push_str("</svg>");
    out
}

/// A line of percentages (0–100) over labelled points; a point without a
/// value breaks the line. Each point carries its figure.
pub fn line(title: &str, points: &[(String, Option<i64>)]) -> String {
    let (left, right, top, plot) = (30.0, 10.0, 22.0, 150.0);
    let height = top + plot + 40.0;
    let n = points.len().max(1) as f64;
    let step = (WIDTH - left - right) / n;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: i64| top + plot - (v.clamp(0, 100) as f64) / 100.0 * plot;
    let desc: Vec<String> = points
        .iter()
        .map(|(l, v)| format!("{l}: {}", v.map(|v| format!("{v}%")).unwrap_or("—".into())))
        .collect();
    let mut out = String::new();
    open(&mut out, height, title, &desc.join("; "));
    for v in [0, 50, 100] {
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#d0d0d0"/><text x="{:.1}" y="{:.1}" fill="#555" font-size="12" text-anchor="end">{v}</text>"##,
            WIDTH - right,
            y(v),
            y(v),
            left - 4.0,
            y(v) + 4.0
        );
    }
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1} {:.1} ",
                    if pen_down { "L" } else { "M" },
                    x(i),
                    y(*v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            r##"<path d="{}" fill="none" stroke="{}" stroke-width="2.5"/>"##,
            path.trim_end(),
            COLOURS[1]
        );
    }
    // Label every point when the labels fit side by side, else every
    // second (third…) one: a label of 12-unit text is about 7 units a
    // character, with a gap.
    let widest = points
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let every = ((widest as f64 * 7.0 + 6.0) / step).ceil().max(1.0) as usize;
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                out,
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{}"/><text x="{:.1}" y="{:.1}" fill="#1b1b1b" font-size="12" text-anchor="middle">{v}</text>"##,
                x(i),
                y(*v),
                COLOURS[1],
                x(i),
                y(*v) - 8.0
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{:.1}" fill="#1b1b1b" font-size="12" text-anchor="middle">{}</text>"##,
                x(i),
                top + plot + 18.0,
                esc(label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_figures_links_and_escaped_labels() {
        let svg = bars(
            "Tỷ lệ dự họp",
            &[
                Bar {
                    label: "Chi bộ <Khu phố 1>".into(),
                    value: 90,
                    text: "90%".into(),
                    href: Some("/dashboard?unit=3&x=1".into()),
                },
                Bar {
                    label: "Chi bộ 2".into(),
                    value: 45,
                    text: "45%".into(),
                    href: None,
                },
            ],
            Some(100),
            COLOURS[0],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Chi bộ &lt;Khu phố 1&gt;"));
        assert!(svg.contains(r#"<a href="/dashboard?unit=3&amp;x=1">"#));
        assert!(svg.contains(">90%</text>") && svg.contains(">45%</text>"));
        // 90 of 100 over the 296-unit span.
        assert!(svg.contains(r#"width="266.4""#), "{svg}");
        assert!(!svg.contains("style="));
        assert_eq!(svg.matches("<a ").count(), svg.matches("</a>").count());
    }

    #[test]
    fn stacks_sum_and_legends_name_every_part() {
        let svg = stacked(
            "Công việc",
            &["Hoàn thành".into(), "Quá hạn".into()],
            &[Stack {
                label: "Nguyễn Văn A".into(),
                parts: vec![3, 1],
                href: None,
            }],
        );
        assert!(svg.contains("Hoàn thành") && svg.contains("Quá hạn"));
        assert!(svg.contains(">4</text>"), "the total is written");
        assert!(svg.contains("Nguyễn Văn A: Hoàn thành 3, Quá hạn 1"));
    }

    #[test]
    fn a_line_breaks_where_a_value_is_missing() {
        let svg = line(
            "Dự họp theo buổi",
            &[
                ("01".into(), Some(80)),
                ("02".into(), None),
                ("03".into(), Some(100)),
            ],
        );
        assert!(svg.contains(r#"d="M83.3 52.0 M296.7 22.0""#), "{svg}");
        assert!(svg.contains(">80</text>") && svg.contains(">100</text>"));
        assert!(svg.contains("02: —"));
    }

    #[test]
    fn a_line_of_twelve_dates_labels_only_what_fits_at_390_px() {
        let points: Vec<(String, Option<i64>)> =
            (1..=12).map(|m| (format!("05/{m:02}"), Some(80))).collect();
        let svg = line("Tỷ lệ dự họp", &points);
        let shown = (1..=12)
            .filter(|m| svg.contains(&format!(">05/{m:02}</text>")))
            .count();
        // 12 labels of 5 characters need 12 × 41 units; the plot has 320.
        assert_eq!(shown, 6, "{svg}");
    }
}

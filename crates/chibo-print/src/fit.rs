//! Column widths from the content, for both writers: no text crosses a
//! table's border, whatever the data.
//!
//! Each column needs at least its widest unbreakable piece (a word, or the
//! whole cell for a [`Column::one_line`](crate::Column) column) and at most
//! its longest line; the room left after the minimums is shared as browsers
//! share it (CSS automatic table layout), in proportion to what each column
//! would still use. The table takes the body size, and shrinks half a point
//! at a time while that makes its rows markedly shorter (a name column
//! starved to a word per line). Only when even the smallest size cannot hold
//! the minimums are words broken, and then inside their own columns.

use serde::Serialize;

use crate::measure::{Style, width};
use crate::model::Table;

/// Space between a cell's border and its text, left and right, in points.
pub const INSET_X_PT: f32 = 5.0;
/// A column is this much wider than its measured text: room for rounding,
/// and for Word, which sets text without kerning (a few per cent wider).
const SAFETY: f32 = 1.03;
const SLACK_PT: f32 = 1.0;
const STEP_PT: f32 = 0.5;

/// A table's columns and text as they are printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fitted {
    /// Column widths in points, borders to borders; they sum to the width
    /// the table was fitted to.
    pub widths: Vec<f32>,
    /// The text size of the whole table, header included.
    pub size: f32,
    /// Per column: each cell is set on one line (it fits).
    pub one_line: Vec<bool>,
    /// The column titles and the rows, with a newline inside any word too
    /// long for its column (only when the smallest size could not hold it).
    pub titles: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The narrowest and widest a piece of text can be set, at 1 pt.
#[derive(Debug, Clone, Copy, Default)]
struct Extent {
    min: f32,
    max: f32,
}

impl Extent {
    fn of(text: &str, style: Style, one_line: bool) -> Self {
        let max = text
            .lines()
            .map(|line| width(line, style))
            .fold(0.0, f32::max);
        let min = if one_line {
            max
        } else {
            text.split_whitespace()
                .map(|word| width(word, style))
                .fold(0.0, f32::max)
        };
        Extent { min, max }
    }

    fn widen(self, other: Extent) -> Self {
        Extent {
            min: self.min.max(other.min),
            max: self.max.max(other.max),
        }
    }
}

/// The width of a column holding text of this width (at 1 pt) at `size`.
fn outer(text: f32, size: f32) -> f32 {
    text * size * SAFETY + SLACK_PT + 2.0 * INSET_X_PT
}

/// The text width (at 1 pt) that a column of this width holds at `size`.
fn inner(column: f32, size: f32) -> f32 {
    (column - SLACK_PT - 2.0 * INSET_X_PT) / (size * SAFETY)
}

/// A cell's words, measured once at 1 pt, line by line.
struct Words {
    lines: Vec<Vec<f32>>,
    one_line: bool,
}

impl Words {
    fn of(text: &str, one_line: bool) -> Self {
        Words {
            lines: text
                .lines()
                .map(|l| {
                    if one_line {
                        vec![width(l, Style::Regular)]
                    } else {
                        l.split_whitespace()
                            .map(|w| width(w, Style::Regular))
                            .collect()
                    }
                })
                .collect(),
            one_line,
        }
    }

    /// How many lines the cell takes in a column holding `room` (at 1 pt),
    /// filled word by word as typst and Word fill them.
    fn lines_in(&self, room: f32, space: f32) -> usize {
        if self.one_line {
            return self.lines.len().max(1);
        }
        let mut count = 0;
        for words in &self.lines {
            count += 1;
            let mut used: Option<f32> = None;
            for &w in words {
                used = match used {
                    Some(u) if u + space + w <= room => Some(u + space + w),
                    Some(_) => {
                        count += 1;
                        Some(w)
                    }
                    None => Some(w),
                };
            }
        }
        count.max(1)
    }
}

/// Rows may average this many lines at the body size before the table
/// shrinks to save lines (long text wraps to two or three lines normally).
const COMFORTABLE_LINES: f32 = 2.5;
/// A smaller size is not taken for saving less than this share of lines.
const WORTH_SHRINKING: f32 = 1.25;

/// Fits `table` (rows already padded to its width) into `avail` points,
/// starting at `start` pt and going down to `smallest` pt: the largest size
/// at which every word fits and the rows average no more lines than they
/// must (a column starved to a word per line is not a fit).
pub fn fit(table: &Table, avail: f32, start: f32, smallest: f32) -> Fitted {
    let extents: Vec<Extent> = table
        .columns
        .iter()
        .enumerate()
        .map(|(x, column)| {
            table
                .rows
                .iter()
                .filter_map(|row| row.get(x))
                .map(|cell| Extent::of(cell, Style::Regular, column.one_line))
                .fold(Extent::of(&column.title, Style::Bold, false), Extent::widen)
        })
        .collect();
    let words: Vec<Vec<Words>> = table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&table.columns)
                .map(|(cell, c)| Words::of(cell, c.one_line))
                .collect()
        })
        .collect();
    let space = width(" ", Style::Regular);
    let average_lines = |widths: &[f32], size: f32| -> f32 {
        if words.is_empty() {
            return 1.0;
        }
        let total: usize = words
            .iter()
            .map(|row| {
                row.iter()
                    .zip(widths)
                    .map(|(cell, &w)| cell.lines_in(inner(w, size), space))
                    .max()
                    .unwrap_or(1)
            })
            .sum();
        total as f32 / words.len() as f32
    };

    // Columns kept wide for handwriting, in points.
    let rooms: Vec<f32> = table
        .columns
        .iter()
        .map(|c| c.room_mm * 72.0 / 25.4)
        .collect();
    let start = start.max(smallest);
    let steps = ((start - smallest) / STEP_PT).round() as usize;
    let candidates: Vec<(f32, Vec<f32>, f32)> = (0..=steps)
        .map(|i| start - i as f32 * STEP_PT)
        .filter_map(|size| {
            let widths = share(table, &extents, &rooms, avail, size)?;
            let lines = average_lines(&widths, size);
            Some((size, widths, lines))
        })
        .collect();
    let (size, widths) = match candidates.iter().map(|c| c.2).reduce(f32::min) {
        Some(fewest) => {
            let enough = (fewest * WORTH_SHRINKING).max(COMFORTABLE_LINES);
            let (size, widths, _) = candidates
                .into_iter()
                .find(|(_, _, lines)| *lines <= enough)
                .expect("the fewest lines are within reach");
            (size, widths)
        }
        // Even the smallest size cannot hold every word: shares by the
        // minimum widths, and the longest words broken below.
        None => {
            let min: Vec<f32> = extents
                .iter()
                .zip(&rooms)
                .map(|(e, &room)| outer(e.min, smallest).max(room))
                .collect();
            let sum: f32 = min.iter().sum();
            (smallest, min.iter().map(|&lo| lo * avail / sum).collect())
        }
    };

    let one_line: Vec<bool> = table
        .columns
        .iter()
        .zip(&extents)
        .zip(&widths)
        .map(|((column, e), &w)| column.one_line && outer(e.max, size) <= w + 0.01)
        .collect();
    let room: Vec<f32> = widths.iter().map(|&w| inner(w, size)).collect();
    Fitted {
        titles: table
            .columns
            .iter()
            .zip(&room)
            .map(|(c, &room)| break_long_words(&c.title, Style::Bold, room))
            .collect(),
        rows: table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&room)
                    .map(|(cell, &room)| break_long_words(cell, Style::Regular, room))
                    .collect()
            })
            .collect(),
        widths,
        size,
        one_line,
    }
}

/// The column widths at `size`, or `None` when the widest words do not fit.
fn share(
    table: &Table,
    extents: &[Extent],
    rooms: &[f32],
    avail: f32,
    size: f32,
) -> Option<Vec<f32>> {
    let min: Vec<f32> = extents
        .iter()
        .zip(rooms)
        .map(|(e, &room)| outer(e.min, size).max(room))
        .collect();
    let max: Vec<f32> = extents
        .iter()
        .zip(rooms)
        .map(|(e, &room)| outer(e.max, size).max(room))
        .collect();
    let (sum_min, sum_max): (f32, f32) = (min.iter().sum(), max.iter().sum());
    if sum_min > avail {
        return None;
    }
    Some(if sum_max <= avail {
        // Everything on one line; the rest of the width goes to the columns
        // of running text, so figures stay compact.
        let wraps = |x: usize| !table.columns[x].one_line;
        let takers: f32 = (0..max.len()).filter(|&x| wraps(x)).map(|x| max[x]).sum();
        let all = takers <= 0.0;
        let base = if all { sum_max } else { takers };
        max.iter()
            .enumerate()
            .map(|(x, &w)| {
                if all || wraps(x) {
                    w + (avail - sum_max) * w / base
                } else {
                    w
                }
            })
            .collect()
    } else {
        // What is left after the minimums goes to each column in proportion
        // to what it would still use (CSS automatic table layout).
        let flex: f32 = sum_max - sum_min;
        min.iter()
            .zip(&max)
            .map(|(&lo, &hi)| lo + (avail - sum_min) * (hi - lo) / flex)
            .collect()
    })
}

/// `text` with a newline inside every word wider than `room` (at 1 pt), so
/// that each piece fits; other text is returned as it is.
fn break_long_words(text: &str, style: Style, room: f32) -> String {
    // A word exactly as wide as its column fits (the column was sized from
    // it; rounding must not break it).
    let too_wide = |w: &str| width(w, style) > room * 1.0001;
    if !text.split_whitespace().any(too_wide) {
        return text.to_owned();
    }
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    if !too_wide(word) {
                        return word.to_owned();
                    }
                    let mut pieces = vec![String::new()];
                    for c in word.chars() {
                        let last = pieces.last_mut().expect("one piece at least");
                        last.push(c);
                        if last.chars().count() > 1 && too_wide(last) {
                            last.pop();
                            pieces.push(c.to_string());
                        }
                    }
                    pieces.join("\n")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Align, Column};

    fn table(columns: Vec<Column>, rows: Vec<Vec<&str>>) -> Table {
        Table {
            columns,
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(String::from).collect())
                .collect(),
        }
    }

    fn needs(text: &str, size: f32, style: Style) -> f32 {
        outer(width(text, style), size)
    }

    #[test]
    fn codes_and_dates_keep_their_width_and_text_takes_the_rest() {
        let t = table(
            vec![
                Column::one_line("Mã", Align::Center),
                Column::new("Chi bộ", Align::Left),
                Column::one_line("Ngày", Align::Center),
            ],
            vec![vec!["79.001.000.000.001", "Chi bộ Khu phố 1", "25/11/2026"]],
        );
        let f = fit(&t, 468.0, 14.0, 10.0);
        assert_eq!(f.size, 14.0);
        assert!((f.widths.iter().sum::<f32>() - 468.0).abs() < 0.01);
        assert!(f.widths[0] >= needs("79.001.000.000.001", 14.0, Style::Regular));
        assert!(f.widths[2] >= needs("25/11/2026", 14.0, Style::Regular));
        assert!((f.widths[0] - needs("79.001.000.000.001", 14.0, Style::Regular)).abs() < 0.01);
        assert!(f.widths[1] > f.widths[0], "{:?}", f.widths);
        assert_eq!(f.one_line, vec![true, false, true]);
    }

    #[test]
    fn a_crowded_table_shrinks_until_every_word_fits() {
        let code = "79.001.000.000.001";
        let columns: Vec<Column> = (0..6)
            .map(|i| Column::one_line(format!("Cột {i}"), Align::Center))
            .collect();
        let t = table(columns, vec![vec![code; 6]]);
        let f = fit(&t, 700.0, 14.0, 10.0);
        assert!(f.size < 14.0 && f.size >= 10.0, "{}", f.size);
        for w in &f.widths {
            assert!(*w >= needs(code, f.size, Style::Regular) - 0.01);
        }
        // Half a point larger would not have fitted.
        assert!(6.0 * needs(code, f.size + STEP_PT, Style::Regular) > 700.0);
    }

    #[test]
    fn when_nothing_fits_long_words_are_broken_inside_their_column() {
        let long = "Đ".repeat(80);
        let t = table(
            vec![
                Column::new("A", Align::Left),
                Column::one_line("B", Align::Left),
            ],
            vec![vec![long.as_str(), long.as_str()]],
        );
        let f = fit(&t, 300.0, 14.0, 10.0);
        assert_eq!(f.size, 10.0);
        assert_eq!(f.one_line, vec![false, false]);
        for (x, cell) in f.rows[0].iter().enumerate() {
            assert_eq!(cell.replace('\n', ""), long);
            for piece in cell.lines() {
                assert!(needs(piece, 10.0, Style::Regular) <= f.widths[x] + 0.01);
            }
        }
    }

    #[test]
    fn a_signature_column_keeps_its_room() {
        let t = table(
            vec![
                Column::one_line("STT", Align::Center),
                Column::new("Họ và tên", Align::Left),
                Column::new("Ký tên", Align::Left).with_room_mm(30.0),
            ],
            vec![vec!["1", "Nguyễn Văn A", ""]],
        );
        let f = fit(&t, 468.0, 14.0, 10.0);
        assert!(f.widths[2] >= 30.0 * 72.0 / 25.4 - 0.01, "{:?}", f.widths);
    }

    #[test]
    fn a_name_column_is_not_starved_to_a_word_per_line() {
        let name = "Chi bộ Trường Trung học phổ thông Công Tằng Tôn Nữ Thị Hoàng Phương Khuê";
        let mut columns = vec![Column::new("Chi bộ", Align::Left)];
        columns.extend((0..11).map(|i| Column::one_line(format!("Cột {i}"), Align::Center)));
        let mut row = vec![name];
        row.extend(["79.001.000.000.001"; 2]);
        row.extend(["1234"; 9]);
        let t = table(columns, vec![row; 40]);
        let f = fit(&t, 714.0, 14.0, 10.0);
        let words = Words::of(name, false);
        let lines = words.lines_in(inner(f.widths[0], f.size), width(" ", Style::Regular));
        assert!(lines <= 3, "{lines} lines at {} pt: {:?}", f.size, f.widths);
    }

    #[test]
    fn untouched_text_is_returned_as_it_is() {
        assert_eq!(break_long_words("a b\nc", Style::Regular, 100.0), "a b\nc");
    }
}

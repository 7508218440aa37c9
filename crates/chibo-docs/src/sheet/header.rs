//! Finding the header row: which row names the columns, and which column
//! holds which field.

use std::collections::HashMap;
use std::sync::Arc;

use super::fold::header_forms;
use super::{ColumnSpec, FoundColumn, IgnoredColumn, Row};

/// How many rows from the top may hold the header (title rows, blank rows
/// and notes usually come first).
pub(super) const SCAN_ROWS: usize = 20;

/// A row as read from the file: its 1-based number in the spreadsheet and
/// its cells from the source's first column on.
pub(super) struct RawRow {
    pub number: usize,
    pub cells: Vec<Option<String>>,
}

/// Recognises headers for a set of column specs.
pub(super) struct Matcher<'a> {
    specs: &'a [ColumnSpec],
    forms: HashMap<String, usize>,
    required: Vec<Result<usize, String>>,
}

impl<'a> Matcher<'a> {
    pub fn new(specs: &'a [ColumnSpec], required: &[&str]) -> Self {
        let mut forms = HashMap::new();
        for (i, spec) in specs.iter().enumerate() {
            // The key too, so machine-made files ("ho_ten") are understood.
            let names = [spec.label, spec.key]
                .into_iter()
                .chain(spec.aliases.iter().copied());
            for name in names {
                let (full, bare) = header_forms(name);
                // A form shared by two specs belongs to the first.
                forms.entry(full).or_insert(i);
                if let Some(bare) = bare {
                    forms.entry(bare).or_insert(i);
                }
            }
        }
        let required = required
            .iter()
            .map(|key| {
                specs
                    .iter()
                    .position(|s| s.key == *key)
                    .ok_or_else(|| key.to_string())
            })
            .collect();
        Matcher {
            specs,
            forms,
            required,
        }
    }

    fn spec_of(&self, header: &str) -> Option<usize> {
        let (full, bare) = header_forms(header);
        self.forms
            .get(&full)
            .or_else(|| bare.and_then(|b| self.forms.get(&b)))
            .copied()
    }

    /// Reads the header from the best of the first rows: the one naming the
    /// most columns among those naming every required one. `first_col` is
    /// the 0-based sheet column of `cells[0]`, for column letters.
    pub fn locate(&self, rows: &[RawRow], first_col: usize) -> Result<Layout, Missing> {
        let mut best: Option<Layout> = None;
        let mut nearest = Missing {
            labels: self.labels(&[]),
            score: 0,
        };
        for row in rows.iter().take(SCAN_ROWS) {
            let layout = self.layout(row, first_col);
            let missing = self.labels(&layout.specs);
            if missing.is_empty() {
                if best
                    .as_ref()
                    .is_none_or(|b| layout.specs.len() > b.specs.len())
                {
                    best = Some(layout);
                }
            } else if layout.specs.len() > nearest.score {
                nearest = Missing {
                    labels: missing,
                    score: layout.specs.len(),
                };
            }
        }
        best.ok_or(nearest)
    }

    fn layout(&self, row: &RawRow, first_col: usize) -> Layout {
        let mut layout = Layout {
            header_row: row.number,
            picks: Vec::new(),
            specs: Vec::new(),
            columns: Vec::new(),
            ignored: Vec::new(),
            keys: Arc::from([]),
        };
        for (i, cell) in row.cells.iter().enumerate() {
            let Some(text) = cell else { continue };
            let column_letter = column_letter(first_col + i);
            match self.spec_of(text) {
                Some(spec) if !layout.specs.contains(&spec) => {
                    layout.picks.push(i);
                    layout.specs.push(spec);
                    layout.columns.push(FoundColumn {
                        key: self.specs[spec].key,
                        header_text: text.clone(),
                        column_letter,
                    });
                }
                // Unknown, or a second column for the same field: the first
                // one wins and the preview names the other.
                _ => layout.ignored.push(IgnoredColumn {
                    header_text: text.clone(),
                    column_letter,
                }),
            }
        }
        layout.keys = layout.columns.iter().map(|c| c.key).collect();
        layout
    }

    /// Labels of the required columns not among `found` (spec indices).
    fn labels(&self, found: &[usize]) -> Vec<String> {
        self.required
            .iter()
            .filter_map(|r| match r {
                Ok(i) if found.contains(i) => None,
                Ok(i) => Some(self.specs[*i].label.to_owned()),
                Err(unknown_key) => Some(unknown_key.clone()),
            })
            .collect()
    }
}

/// Where the fields are: the header row and, for each recognised column,
/// its position in the raw rows.
pub(super) struct Layout {
    pub header_row: usize,
    picks: Vec<usize>,
    specs: Vec<usize>,
    pub columns: Vec<FoundColumn>,
    pub ignored: Vec<IgnoredColumn>,
    keys: Arc<[&'static str]>,
}

impl Layout {
    /// How many fields the header names; more is a better guess.
    pub fn score(&self) -> usize {
        self.specs.len()
    }

    /// The raw-row positions to read, in the order of `columns`.
    pub fn picks(&self) -> &[usize] {
        &self.picks
    }

    /// A data row from its recognised cells (in `picks` order), or `None`
    /// for a row to skip: blank in every recognised column, or the row of
    /// column numbers ("(1)", "(2)", …) that official forms put under the
    /// header.
    pub fn row(&self, number: usize, cells: Vec<Option<String>>) -> Option<Row> {
        let mut filled = cells.iter().flatten().peekable();
        filled.peek()?;
        if number == self.header_row + 1 && filled.all(|c| is_column_number(c)) {
            return None;
        }
        Some(Row {
            number,
            cells,
            keys: Arc::clone(&self.keys),
        })
    }
}

/// The nearest miss: the required columns absent from the row that named
/// the most fields, and how many it named.
pub(super) struct Missing {
    pub labels: Vec<String>,
    pub score: usize,
}

fn is_column_number(s: &str) -> bool {
    let n = s
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(s);
    (1..=3).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
}

/// "A" for 0, "Z" for 25, "AA" for 26.
pub(super) fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ColumnSpec] = &[
        ColumnSpec {
            key: "ho_ten",
            label: "Họ và tên",
            aliases: &["Họ tên", "Họ và tên đảng viên", "Tên đảng viên"],
        },
        ColumnSpec {
            key: "ngay_sinh",
            label: "Ngày sinh",
            aliases: &["Ngày tháng năm sinh"],
        },
        ColumnSpec {
            key: "ngay_vao_dang",
            label: "Ngày vào Đảng",
            aliases: &["Ngày kết nạp"],
        },
        ColumnSpec {
            key: "ngay_chinh_thuc",
            label: "Ngày chính thức",
            aliases: &["Ngày vào Đảng chính thức"],
        },
    ];

    fn raw(number: usize, cells: &[&str]) -> RawRow {
        RawRow {
            number,
            cells: cells
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.to_string()))
                .collect(),
        }
    }

    #[test]
    fn column_letters() {
        let letters: Vec<_> = [0, 2, 25, 26, 27, 51, 52, 701, 702, 16383]
            .into_iter()
            .map(column_letter)
            .collect();
        assert_eq!(
            letters,
            ["A", "C", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]
        );
    }

    #[test]
    fn matches_variants_of_a_header() {
        let m = Matcher::new(SPECS, &[]);
        for h in [
            "Họ và tên",
            "HỌ VÀ TÊN",
            "ho va ten",
            "Ho  va ten:",
            "Họ và tên (*)",
            "Họ tên",
            "HO TEN",
            "Tên đảng viên",
            "ho_ten",
        ] {
            assert_eq!(m.spec_of(h), Some(0), "{h}");
        }
        assert_eq!(m.spec_of("Ngày sinh (dd/mm/yyyy)"), Some(1));
        assert_eq!(m.spec_of("NGÀY VÀO ĐẢNG"), Some(2));
        // The exact form beats the one without the remark.
        assert_eq!(m.spec_of("Ngày vào Đảng (chính thức)"), Some(3));
        assert_eq!(m.spec_of("Ngày vào Đảng (dự bị)"), Some(2));
        for h in ["Tên", "Họ", "STT", "Ghi chú", "Họ và tên cha"] {
            assert_eq!(m.spec_of(h), None, "{h}");
        }
    }

    #[test]
    fn picks_the_header_under_title_rows() {
        let m = Matcher::new(SPECS, &["ho_ten"]);
        let rows = [
            raw(1, &["DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3"]),
            raw(3, &["Ngày sinh"]),
            raw(4, &["STT", "Họ tên", "Ngày sinh", "Ghi chú", "Họ và tên"]),
            raw(5, &["1", "Nguyễn Văn A", "01/01/1970"]),
        ];
        let layout = m.locate(&rows, 1).ok().expect("header found");
        assert_eq!(layout.header_row, 4);
        assert_eq!(layout.picks(), [1, 2]);
        assert_eq!(layout.columns[0].column_letter, "C");
        assert_eq!(layout.columns[0].header_text, "Họ tên");
        let ignored: Vec<_> = layout
            .ignored
            .iter()
            .map(|c| c.header_text.as_str())
            .collect();
        assert_eq!(ignored, ["STT", "Ghi chú", "Họ và tên"]);
    }

    #[test]
    fn reports_the_missing_required_columns() {
        let m = Matcher::new(SPECS, &["ho_ten", "ngay_sinh", "no_such_key"]);
        let rows = [raw(1, &["Họ tên", "Giới tính"])];
        let missing = m.locate(&rows, 0).err().expect("missing");
        assert_eq!(missing.labels, ["Ngày sinh", "no_such_key"]);
        let missing = m.locate(&[], 0).err().expect("missing");
        assert_eq!(missing.labels, ["Họ và tên", "Ngày sinh", "no_such_key"]);
    }

    #[test]
    fn skips_blank_rows_and_the_column_number_row() {
        let m = Matcher::new(SPECS, &["ho_ten"]);
        let layout = m
            .locate(&[raw(2, &["Họ và tên", "Ngày sinh"])], 0)
            .ok()
            .unwrap();
        let cells = |c: &[&str]| raw(0, c).cells;
        assert!(layout.row(3, cells(&["(1)", "(2)"])).is_none());
        assert!(layout.row(4, cells(&["", ""])).is_none());
        assert!(layout.row(4, cells(&["1", "2"])).is_some());
        let row = layout.row(5, cells(&["Lê Văn B", ""])).unwrap();
        assert_eq!(row.get("ho_ten"), Some("Lê Văn B"));
        assert_eq!(row.get("ngay_sinh"), None);
        assert_eq!(row.get("ngay_vao_dang"), None);
    }
}

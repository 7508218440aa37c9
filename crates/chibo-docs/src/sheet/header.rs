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
    /// most columns among those naming every required one. A header may take
    /// two rows, a group title over its parts ("Ngày vào Đảng" over "Dự bị"
    /// and "Chính thức", merged cells leaving the title in the first column
    /// only): it wins only by naming more columns than its top row alone.
    pub fn locate(&self, rows: &[RawRow]) -> Result<Layout, Missing> {
        let mut best: Option<Layout> = None;
        let mut nearest = Missing {
            labels: self.labels(&[]),
            score: 0,
        };
        let mut consider = |layout: Layout| {
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
        };
        for (i, row) in rows.iter().enumerate().take(SCAN_ROWS) {
            let alone = self.layout(row, None);
            let below = rows.get(i + 1).filter(|b| b.number == row.number + 1);
            // Two rows make a header only if together they name more than
            // either does alone (a title over the header, or the first data
            // row under it, adds nothing).
            let pair = below
                .map(|b| (self.layout(row, Some(b)), self.layout(b, None).score()))
                .filter(|(pair, under)| pair.score() > alone.score().max(*under));
            consider(alone);
            if let Some((pair, _)) = pair {
                consider(pair);
            }
        }
        best.ok_or(nearest)
    }

    /// The layout a header row gives, alone or over a row of sub-headers.
    fn layout(&self, top: &RawRow, below: Option<&RawRow>) -> Layout {
        let last = below.map_or(top.number, |b| b.number);
        let mut layout = Layout {
            header_row: top.number,
            data_from: last + 1,
            picks: Vec::new(),
            specs: Vec::new(),
            columns: Vec::new(),
            ignored: Vec::new(),
            keys: Arc::from([]),
        };
        let width = below.map_or(0, |b| b.cells.len()).max(top.cells.len());
        // The group title a sub-header sits under: its own column's, or that
        // of the nearest titled column to its left (a merged title).
        let mut title: Option<&str> = None;
        for i in 0..width {
            let own = top.cells.get(i).and_then(Option::as_deref);
            let sub = below
                .and_then(|b| b.cells.get(i))
                .and_then(Option::as_deref);
            if own.is_some() {
                title = own;
            }
            let candidates: Vec<String> = match (sub, own, title) {
                (None, Some(own), _) => vec![own.to_string()],
                (None, None, _) => continue,
                // "Ngày vào Đảng Chính thức", else "Chính thức", else the
                // title's own field ("Ngày vào Đảng" over "Dự bị").
                (Some(sub), _, Some(title)) => {
                    vec![format!("{title} {sub}"), sub.to_string(), title.to_string()]
                }
                (Some(sub), _, None) => vec![sub.to_string()],
            };
            let shown = candidates[0].clone();
            let column_letter = column_letter(i);
            let found = candidates
                .iter()
                .filter_map(|c| self.spec_of(c))
                .find(|spec| !layout.specs.contains(spec));
            match found {
                Some(spec) => {
                    layout.picks.push(i);
                    layout.specs.push(spec);
                    layout.columns.push(FoundColumn {
                        key: self.specs[spec].key,
                        header_text: shown,
                        column_letter,
                    });
                }
                // Unknown, or a second column for the same field: the first
                // one wins and the preview names the other.
                None => layout.ignored.push(IgnoredColumn {
                    header_text: shown,
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

/// Where the fields are: the header row(s) and, for each recognised
/// column, its position in the raw rows.
pub(super) struct Layout {
    pub header_row: usize,
    /// The first row below the header (two rows below a two-row header).
    pub data_from: usize,
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
        if number == self.data_from && filled.all(|c| is_column_number(c)) {
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
            raw(1, &["", "DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 3"]),
            raw(3, &["", "Ngày sinh"]),
            raw(
                4,
                &["", "STT", "Họ tên", "Ngày sinh", "Ghi chú", "Họ và tên"],
            ),
            raw(5, &["", "1", "Nguyễn Văn A", "01/01/1970"]),
        ];
        let layout = m.locate(&rows).ok().expect("header found");
        assert_eq!(layout.header_row, 4);
        assert_eq!(layout.data_from, 5);
        assert_eq!(layout.picks(), [2, 3]);
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
        let missing = m.locate(&rows).err().expect("missing");
        assert_eq!(missing.labels, ["Ngày sinh", "no_such_key"]);
        let missing = m.locate(&[]).err().expect("missing");
        assert_eq!(missing.labels, ["Họ và tên", "Ngày sinh", "no_such_key"]);
    }

    #[test]
    fn skips_blank_rows_and_the_column_number_row() {
        let m = Matcher::new(SPECS, &["ho_ten"]);
        let layout = m
            .locate(&[raw(2, &["Họ và tên", "Ngày sinh"])])
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

    #[test]
    fn reads_a_two_row_header() {
        let m = Matcher::new(SPECS, &["ho_ten"]);
        let rows = [
            raw(1, &["DANH SÁCH ĐẢNG VIÊN"]),
            // "Ngày vào Đảng" merged over two columns, the others over two rows.
            raw(3, &["STT", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", ""]),
            raw(4, &["", "", "", "Dự bị", "Chính thức"]),
            raw(5, &["(1)", "(2)", "(3)", "(4)", "(5)"]),
            raw(
                6,
                &[
                    "1",
                    "Nguyễn Văn A",
                    "01/01/1960",
                    "03/02/1986",
                    "03/02/1987",
                ],
            ),
        ];
        let layout = m.locate(&rows).ok().expect("header found");
        assert_eq!((layout.header_row, layout.data_from), (3, 5));
        let found: Vec<_> = layout
            .columns
            .iter()
            .map(|c| (c.key, c.column_letter.as_str(), c.header_text.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("ho_ten", "B", "Họ và tên"),
                ("ngay_sinh", "C", "Ngày sinh"),
                ("ngay_vao_dang", "D", "Ngày vào Đảng Dự bị"),
                ("ngay_chinh_thuc", "E", "Ngày vào Đảng Chính thức"),
            ]
        );
        let cells = |c: &[&str]| raw(0, c).cells;
        assert!(
            layout
                .row(5, cells(&["(2)", "(3)", "(4)", "(5)"]))
                .is_none()
        );
    }

    #[test]
    fn a_data_row_under_the_header_is_not_a_sub_header() {
        let m = Matcher::new(SPECS, &["ho_ten"]);
        let rows = [
            raw(1, &["Họ và tên", "Ngày sinh", "Ngày vào Đảng"]),
            raw(2, &["Nguyễn Văn A", "", "03/02/1986"]),
        ];
        let layout = m.locate(&rows).ok().expect("header found");
        assert_eq!((layout.header_row, layout.data_from), (1, 2));
        assert_eq!(layout.score(), 3);
    }
}

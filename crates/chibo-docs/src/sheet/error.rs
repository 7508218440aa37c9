//! What can go wrong with a spreadsheet, in words a secretary can act on.

/// A spreadsheet that cannot be read or written. `Display` is Vietnamese,
/// [`SheetError::english`] the English text; [`SheetError::code`] is stable
/// for APIs and translations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("Tệp không phải bảng tính Excel (.xlsx) hoặc CSV")]
    NotASpreadsheet,
    #[error("Tệp trống, không có dữ liệu")]
    Empty,
    /// Labels of the required columns that no header row had.
    #[error("Không tìm thấy cột bắt buộc: {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("Tệp được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại")]
    Encrypted,
    /// A text file that is not UTF-8 (or UTF-16 with a BOM): most likely a
    /// CSV saved by Excel in the Windows code page, whose Vietnamese letters
    /// cannot be recovered reliably.
    #[error("Tệp CSV không dùng bảng mã UTF-8; hãy lưu lại bằng \"CSV UTF-8\" rồi tải lên lại")]
    NotUtf8,
    /// The container is a spreadsheet but its content is damaged; the detail
    /// is the parser's (English) message, for logs.
    #[error("Tệp bảng tính bị hỏng, không đọc được")]
    Corrupt(String),
    /// More rows than a worksheet holds, or a cell longer than Excel allows.
    #[error("Dữ liệu vượt giới hạn của Excel (1.048.576 dòng, 32.767 ký tự một ô)")]
    TooLarge,
    /// Any other failure of the XLSX writer (detail for logs).
    #[error("Không tạo được tệp Excel")]
    Write(String),
    /// The file itself is larger than an import takes.
    #[error("Tệp lớn hơn giới hạn {} MB của một lần nhập", mb(*.limit))]
    FileTooLarge { limit: u64 },
    /// A workbook's parts would inflate past the limit (checked from the
    /// sizes the zip declares, which the reader then holds it to).
    #[error("Tệp nén chứa hơn {} MB dữ liệu khi giải nén; hãy chia danh sách thành nhiều tệp nhỏ hơn", mb(*.limit))]
    Unpacked { limit: u64 },
    /// One part inflates far more than spreadsheets do: a zip bomb.
    #[error(
        "Phần “{part}” trong tệp nén phình ra hơn {ratio} lần khi giải nén — có thể là tệp độc hại; tệp không được đọc"
    )]
    Bomb { part: String, ratio: u64 },
    /// The workbook's table of shared text is larger than the limit.
    #[error("Bảng chữ dùng chung của tệp lớn hơn {} MB; hãy chia danh sách thành nhiều tệp nhỏ hơn", mb(*.limit))]
    TooManyStrings { limit: u64 },
    /// More data rows than one import takes.
    #[error("Tệp có hơn {} dòng dữ liệu, quá giới hạn của một lần nhập; hãy chia thành nhiều tệp", vn(*.limit as u64))]
    TooManyRows { limit: usize },
    /// An XLS or ODS sheet spans more cells than the reader lays out (those
    /// formats are read whole, unlike XLSX and CSV).
    #[error("Trang “{sheet}” trải trên hơn {} ô; hãy lưu tệp thành Excel (.xlsx) hoặc CSV rồi tải lên lại", vn(*.limit))]
    TooManyCells { sheet: String, limit: u64 },
    /// One cell longer than Excel allows (Excel's own name for the cell).
    #[error("Ô {cell} dài hơn 32.767 ký tự, giới hạn của Excel")]
    CellTooLong { cell: String },
}

/// Bytes as whole megabytes.
fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

/// A count as Vietnamese writes it: "100.000".
pub(super) fn vn(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

impl SheetError {
    /// Stable machine code, e.g. `sheet.not_a_spreadsheet`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotASpreadsheet => "sheet.not_a_spreadsheet",
            Self::Empty => "sheet.empty",
            Self::MissingColumns(_) => "sheet.missing_columns",
            Self::Encrypted => "sheet.encrypted",
            Self::NotUtf8 => "sheet.not_utf8",
            Self::Corrupt(_) => "sheet.corrupt",
            Self::TooLarge => "sheet.too_large",
            Self::Write(_) => "sheet.write_failed",
            Self::FileTooLarge { .. } => "sheet.file_too_large",
            Self::Unpacked { .. } => "sheet.unpacked_too_large",
            Self::Bomb { .. } => "sheet.zip_bomb",
            Self::TooManyStrings { .. } => "sheet.too_many_strings",
            Self::TooManyRows { .. } => "sheet.too_many_rows",
            Self::TooManyCells { .. } => "sheet.too_many_cells",
            Self::CellTooLong { .. } => "sheet.cell_too_long",
        }
    }

    /// The same message in English.
    pub fn english(&self) -> String {
        match self {
            Self::NotASpreadsheet => "The file is not an Excel (.xlsx) or CSV spreadsheet".into(),
            Self::Empty => "The file is empty".into(),
            Self::MissingColumns(labels) => {
                format!("Required column not found: {}", labels.join(", "))
            }
            Self::Encrypted => {
                "The file is password-protected; remove the password and upload it again".into()
            }
            Self::NotUtf8 => {
                "The CSV file is not UTF-8; save it again as \"CSV UTF-8\" and upload it again"
                    .into()
            }
            Self::Corrupt(detail) => format!("The spreadsheet is damaged: {detail}"),
            Self::TooLarge => {
                "The data exceeds Excel's limits (1,048,576 rows, 32,767 characters per cell)"
                    .into()
            }
            Self::Write(detail) => format!("Could not create the Excel file: {detail}"),
            Self::FileTooLarge { limit } => {
                format!(
                    "The file is larger than an import's limit of {} MB",
                    mb(*limit)
                )
            }
            Self::Unpacked { limit } => format!(
                "The workbook holds more than {} MB once unzipped; split the list into smaller files",
                mb(*limit)
            ),
            Self::Bomb { part, ratio } => format!(
                "Part \"{part}\" of the workbook inflates more than {ratio} times: possibly a malicious file; not read"
            ),
            Self::TooManyStrings { limit } => format!(
                "The workbook's shared text is larger than {} MB; split the list into smaller files",
                mb(*limit)
            ),
            Self::TooManyRows { limit } => format!(
                "The file has more than {limit} data rows, over an import's limit; split it into several files"
            ),
            Self::TooManyCells { sheet, limit } => format!(
                "Sheet \"{sheet}\" spans more than {limit} cells; save it as Excel (.xlsx) or CSV and upload it again"
            ),
            Self::CellTooLong { cell } => {
                format!("Cell {cell} is longer than Excel's limit of 32,767 characters")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_codes() {
        let e = SheetError::MissingColumns(vec!["Họ và tên".into()]);
        assert_eq!(e.to_string(), "Không tìm thấy cột bắt buộc: Họ và tên");
        assert_eq!(e.english(), "Required column not found: Họ và tên");
        assert_eq!(e.code(), "sheet.missing_columns");
        assert_eq!(
            SheetError::NotASpreadsheet.to_string(),
            "Tệp không phải bảng tính Excel (.xlsx) hoặc CSV"
        );
        assert_eq!(
            SheetError::NotASpreadsheet.code(),
            "sheet.not_a_spreadsheet"
        );
        assert_eq!(
            SheetError::TooManyRows { limit: 100_000 }.to_string(),
            "Tệp có hơn 100.000 dòng dữ liệu, quá giới hạn của một lần nhập; hãy chia thành nhiều tệp"
        );
        assert_eq!(vn(0), "0");
        assert_eq!(vn(999), "999");
        assert_eq!(vn(1_000), "1.000");
        assert_eq!(vn(1_048_576), "1.048.576");
    }
}

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
    }
}

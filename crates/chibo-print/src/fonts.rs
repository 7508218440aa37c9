//! The embedded typeface: Liberation Serif 2.1.5 (OFL), metric-compatible with
//! Times New Roman, with every Vietnamese letter (the 1.07 series has none).

/// The four faces, regular, bold, italic, bold italic, as TrueType bytes.
pub const FACES: [(&str, &[u8]); 4] = [
    (
        "LiberationSerif-Regular",
        include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    ),
    (
        "LiberationSerif-Bold",
        include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    ),
    (
        "LiberationSerif-Italic",
        include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    ),
    (
        "LiberationSerif-BoldItalic",
        include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
    ),
];

/// The family name the PDF template asks for.
pub const PDF_FAMILY: &str = "Liberation Serif";

/// The family name written into DOCX files: Word substitutes the Times New
/// Roman every office machine has, whose metrics Liberation Serif shares.
pub const DOCX_FAMILY: &str = "Times New Roman";

use super::Problem;

/// The 14-digit organisation code `[2].[3].[3].[3].[3]`: province, directly
/// superior level, basic party organisation, đảng bộ trực thuộc, chi bộ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCode(String);

impl OrgCode {
    const GROUPS: [usize; 5] = [2, 3, 3, 3, 3];

    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let s = raw.trim();
        let bad = || Problem::new("code", "org_code.format", s);
        let digits: String = s.chars().filter(|c| *c != '.').collect();
        if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if s.contains('.') {
            let lens: Vec<usize> = s.split('.').map(str::len).collect();
            if lens != Self::GROUPS {
                return Err(bad());
            }
        }
        let mut out = String::with_capacity(18);
        let mut at = 0;
        for (i, n) in Self::GROUPS.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&digits[at..at + n]);
            at += n;
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Levels of the organisation tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    /// A province-level or other committee above the upper committees.
    Tinh,
    /// The upper committee (đảng ủy xã/phường/đặc khu, or cơ quan).
    DangBo,
    ChiBo,
    ToDang,
}

impl OrgKind {
    pub const ALL: [Self; 4] = [Self::Tinh, Self::DangBo, Self::ChiBo, Self::ToDang];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tinh => "tinh",
            Self::DangBo => "dang_bo",
            Self::ChiBo => "chi_bo",
            Self::ToDang => "to_dang",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Which kind may sit directly under which.
    pub fn may_contain(self, child: Self) -> bool {
        matches!(
            (self, child),
            (Self::Tinh, Self::Tinh | Self::DangBo)
                | (Self::DangBo, Self::DangBo | Self::ChiBo)
                | (Self::ChiBo, Self::ToDang)
        )
    }
}

/// The cell type decides the meeting content under HD 42.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    ThonToDanPho,
    CoQuan,
    DoanhNghiep,
    TruongHoc,
    LucLuongVuTrang,
    Khac,
}

impl CellType {
    pub const ALL: [Self; 6] = [
        Self::ThonToDanPho,
        Self::CoQuan,
        Self::DoanhNghiep,
        Self::TruongHoc,
        Self::LucLuongVuTrang,
        Self::Khac,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThonToDanPho => "thon_to_dan_pho",
            Self::CoQuan => "co_quan",
            Self::DoanhNghiep => "doanh_nghiep",
            Self::TruongHoc => "truong_hoc",
            Self::LucLuongVuTrang => "luc_luong_vu_trang",
            Self::Khac => "khac",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Problem::new("cell_type", "cell_type.unknown", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_codes_are_grouped() {
        assert_eq!(
            OrgCode::parse("38168053000001").unwrap().as_str(),
            "38.168.053.000.001"
        );
        assert_eq!(
            OrgCode::parse("38.168.053.000.001").unwrap().as_str(),
            "38.168.053.000.001"
        );
        assert!(OrgCode::parse("38.1680.53.000.001").is_err());
        assert!(OrgCode::parse("3816805300000").is_err());
    }

    #[test]
    fn tree_shape_is_enforced() {
        assert!(OrgKind::DangBo.may_contain(OrgKind::ChiBo));
        assert!(OrgKind::ChiBo.may_contain(OrgKind::ToDang));
        assert!(!OrgKind::ChiBo.may_contain(OrgKind::ChiBo));
        assert!(!OrgKind::ToDang.may_contain(OrgKind::ToDang));
    }
}

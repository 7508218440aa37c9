/// What an account may do, always scoped to one organisation unit and the
/// units below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A member: their own record and their cell's basics.
    Member,
    /// A cell committee member (chi ủy viên): manages the cell.
    ChiUy,
    PhoBiThu,
    BiThu,
    /// Staff of an upper committee: read and approve across its cells.
    Upper,
    /// Runs the installation.
    Admin,
}

impl Role {
    pub const ALL: [Self; 6] = [
        Self::Member,
        Self::ChiUy,
        Self::PhoBiThu,
        Self::BiThu,
        Self::Upper,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::ChiUy => "chi_uy",
            Self::PhoBiThu => "pho_bi_thu",
            Self::BiThu => "bi_thu",
            Self::Upper => "upper",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// May change the cell's members, organisation and committee.
    pub fn manages_cell(self) -> bool {
        matches!(
            self,
            Self::ChiUy | Self::PhoBiThu | Self::BiThu | Self::Admin
        )
    }

    /// May read full member records in its scope.
    pub fn reads_members(self) -> bool {
        self != Self::Member
    }
}

/// Posts held in a cell's committee or a party group, over dated terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitteeRole {
    BiThu,
    PhoBiThu,
    ChiUyVien,
    ToTruong,
    ToPho,
}

impl CommitteeRole {
    pub const ALL: [Self; 5] = [
        Self::BiThu,
        Self::PhoBiThu,
        Self::ChiUyVien,
        Self::ToTruong,
        Self::ToPho,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BiThu => "bi_thu",
            Self::PhoBiThu => "pho_bi_thu",
            Self::ChiUyVien => "chi_uy_vien",
            Self::ToTruong => "to_truong",
            Self::ToPho => "to_pho",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Only one person holds these at a time in one unit.
    pub fn is_single_seat(self) -> bool {
        matches!(self, Self::BiThu | Self::PhoBiThu | Self::ToTruong)
    }
}

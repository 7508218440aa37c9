//! Codes of a secret ballot (`sv`): its stage, and the decisions the rules
//! reserve for one.

use super::Problem;
use super::meeting::code_enum;

code_enum!(
    /// Where a secret ballot stands: the committee's phones make the keys,
    /// ballots are issued and cast, the box is closed, then decrypted (or
    /// the decryption failed: the rules' paper re-vote).
    SvStatus, "status", "ballot.status" {
        Keygen = "keygen",
        Issuing = "issuing",
        Closed = "closed",
        Decrypted = "decrypted",
        Failed = "failed",
    }
);

code_enum!(
    /// The decisions taken by secret ballot in a meeting (the CHECK of `sv.kind`).
    SvKind, "kind", "ballot.kind" {
        BauCu = "bau_cu",
        KyLuat = "ky_luat",
        DeNghiKhaiTru = "de_nghi_khai_tru",
    }
);

impl SvKind {
    pub fn decision(self) -> chibo_rules::DecisionKind {
        use chibo_rules::DecisionKind as D;
        match self {
            Self::BauCu => D::BauCu,
            Self::KyLuat => D::KyLuat,
            Self::DeNghiKhaiTru => D::DeNghiKhaiTru,
        }
    }
}

//! Meetings: their kinds and states, attendance, votes, and the order of
//! business of HD 42-HD/BTCTW (28/10/2025).

use super::{CellType, Problem};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $code:literal { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v),* }

        impl $name {
            pub const ALL: &[Self] = &[$(Self::$v),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }

            pub fn parse(s: &str) -> Result<Self, Problem> {
                Self::ALL.iter().copied().find(|k| k.as_str() == s.trim()).ok_or_else(|| Problem::new($field, $code, s.trim()))
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// What kind of meeting.
    MeetingKind, "kind", "meeting.kind" {
        ThuongKy = "thuong_ky",
        ChuyenDe = "chuyen_de",
        /// Regular and thematic held one after the other (longer minimum length).
        KetHop = "ket_hop",
        BatThuong = "bat_thuong",
        ChiUy = "chi_uy",
    }
);

impl MeetingKind {
    /// Held by the whole cell (the chi ủy meeting is the committee's own).
    pub fn whole_cell(self) -> bool {
        self != Self::ChiUy
    }
}

code_enum!(
    /// Planned → notice sent → in session → closed.
    MeetingStatus, "status", "meeting.status" {
        Draft = "draft",
        Notified = "notified",
        Open = "open",
        Closed = "closed",
    }
);

code_enum!(
    Presence, "presence", "presence.unknown" {
        CoMat = "co_mat",
        VangCoLyDo = "vang_co_ly_do",
        VangKhongLyDo = "vang_khong_ly_do",
    }
);

code_enum!(
    /// Counts entered by the secretary, or votes cast by members (named).
    VoteMode, "mode", "vote.mode" {
        Counts = "counts",
        Named = "named",
    }
);

code_enum!(
    Choice, "choice", "vote.choice" {
        TanThanh = "tan_thanh",
        KhongTanThanh = "khong_tan_thanh",
        KhongBieuQuyet = "khong_bieu_quyet",
    }
);

code_enum!(
    AgendaKind, "kind", "agenda.kind" {
        Opening = "opening",
        Dues = "dues",
        Situation = "situation",
        Review = "review",
        Tasks = "tasks",
        Discussion = "discussion",
        Thematic = "thematic",
        Conclusion = "conclusion",
        Minutes = "minutes",
        Other = "other",
    }
);

/// The order of business for a new meeting (HD 42 §2.3, as transcribed in
/// rules-vn.md), with the situation item worded for the cell's type.
pub fn agenda_template(
    kind: MeetingKind,
    cell_type: Option<CellType>,
) -> Vec<(AgendaKind, String)> {
    let situation = match cell_type {
        Some(CellType::ThonToDanPho) => {
            "Tình hình tư tưởng đảng viên, dư luận và tâm tư, nguyện vọng của nhân dân; công tác dân vận, thực hiện dân chủ ở cơ sở"
        }
        Some(CellType::CoQuan) => {
            "Tình hình tư tưởng đảng viên; kết quả thực hiện nhiệm vụ chính trị của cơ quan"
        }
        Some(CellType::DoanhNghiep) => {
            "Tình hình tư tưởng đảng viên, người lao động; sản xuất, kinh doanh của doanh nghiệp"
        }
        Some(CellType::TruongHoc) => {
            "Tình hình tư tưởng đảng viên, giáo viên, học sinh; nhiệm vụ dạy và học"
        }
        Some(CellType::LucLuongVuTrang) => {
            "Tình hình tư tưởng đảng viên, chiến sĩ; nhiệm vụ huấn luyện, sẵn sàng chiến đấu"
        }
        _ => "Tình hình tư tưởng đảng viên; thông tin thời sự, văn bản mới của cấp trên",
    };
    let mut items = vec![
        (AgendaKind::Opening, "Khai mạc: tuyên bố lý do, giới thiệu đại biểu, cử thư ký, điểm danh, thông qua chương trình".to_string()),
        (AgendaKind::Dues, "Thông báo tình hình thu, nộp đảng phí".to_string()),
    ];
    if kind == MeetingKind::ChuyenDe {
        items.push((AgendaKind::Thematic, "Trình bày chuyên đề".to_string()));
        items.push((AgendaKind::Discussion, "Thảo luận chuyên đề".to_string()));
    } else {
        items.push((AgendaKind::Situation, situation.to_string()));
        items.push((
            AgendaKind::Review,
            "Kiểm điểm kết quả thực hiện nghị quyết tháng trước, từng nhiệm vụ".to_string(),
        ));
        items.push((
            AgendaKind::Tasks,
            "Phương hướng, nhiệm vụ tháng tới".to_string(),
        ));
        items.push((
            AgendaKind::Discussion,
            "Thảo luận, phê bình và tự phê bình".to_string(),
        ));
        if kind == MeetingKind::KetHop {
            items.push((AgendaKind::Thematic, "Sinh hoạt chuyên đề".to_string()));
        }
    }
    items.push((
        AgendaKind::Conclusion,
        "Kết luận, phân công nhiệm vụ, biểu quyết thông qua nghị quyết".to_string(),
    ));
    items.push((AgendaKind::Minutes, "Thông qua biên bản".to_string()));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Ok(*k));
        }
        assert_eq!(Presence::parse("vang_co_ly_do"), Ok(Presence::VangCoLyDo));
        assert_eq!(Choice::parse("x").unwrap_err().code, "vote.choice");
    }

    #[test]
    fn the_regular_agenda_follows_hd_42() {
        let a = agenda_template(MeetingKind::ThuongKy, Some(CellType::ThonToDanPho));
        let kinds: Vec<_> = a.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                AgendaKind::Opening,
                AgendaKind::Dues,
                AgendaKind::Situation,
                AgendaKind::Review,
                AgendaKind::Tasks,
                AgendaKind::Discussion,
                AgendaKind::Conclusion,
                AgendaKind::Minutes
            ]
        );
        assert!(a[2].1.contains("dân vận"));
        let combined = agenda_template(MeetingKind::KetHop, Some(CellType::CoQuan));
        assert!(combined.iter().any(|(k, _)| *k == AgendaKind::Thematic));
        assert!(combined[2].1.contains("cơ quan"));
    }
}

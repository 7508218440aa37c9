//! The shared vocabulary: member statuses, case kinds, the parties of a procedure and the
//! outcomes of a case, as typed enums with stable snake_case codes. The server stores these
//! codes (its CHECK constraints list [`Code::CODES`] of each enum), packs and the JSON API
//! write them, and serde reads and writes them the same way.
//!
//! The server uses these enums as they are: `model::Status` is [`Status`], its rows decode
//! codes through `TryFrom<String>`, its CHECK constraints list `CODES` (a test compares
//! them), and each account role says which [`Performer`]s it may act for. A new case kind
//! is a variant of [`CaseKind`] plus its procedure in the packs.

use std::fmt;

/// A closed set of stable codes: every enum of the shared vocabulary implements it.
pub trait Code: Copy + Eq + 'static {
    /// Every value, in a stable order (the order of the CHECK constraints and of menus).
    const ALL: &'static [Self];
    /// Every code, in the order of [`Code::ALL`].
    const CODES: &'static [&'static str];
    /// What the set is called in messages ("trạng thái", "loại hồ sơ"…).
    const WHAT: &'static str;
    /// The stable snake_case code.
    fn as_str(self) -> &'static str;
    /// The Vietnamese label shown to people.
    fn label_vi(self) -> &'static str;

    /// The value with this code.
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }
}

/// A code that is not in the set, with the set's codes for the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} không hợp lệ: \"{code}\" (chỉ nhận: {allowed})")]
pub struct UnknownCode {
    /// What was being read.
    pub what: &'static str,
    /// The text given.
    pub code: String,
    /// The codes allowed, comma-separated.
    pub allowed: String,
}

/// Parses a code of `T`, or says which codes are allowed.
pub fn parse_code<T: Code>(code: &str) -> Result<T, UnknownCode> {
    T::parse(code).ok_or_else(|| UnknownCode {
        what: T::WHAT,
        code: code.to_owned(),
        allowed: T::CODES.join(", "),
    })
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in a stable order (inherent, as [`Code::ALL`]).
            pub const ALL: &'static [Self] = &[$( Self::$variant, )+];

            /// The stable snake_case code (inherent, so templates need no trait in scope).
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $code, )+ }
            }

            /// The Vietnamese label shown to people.
            pub fn label_vi(self) -> &'static str {
                match self { $( Self::$variant => $label, )+ }
            }
        }

        impl Code for $name {
            const ALL: &'static [Self] = $name::ALL;
            const CODES: &'static [&'static str] = &[$( $code, )+];
            const WHAT: &'static str = $what;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn label_vi(self) -> &'static str {
                $name::label_vi(self)
            }
        }

        /// A value equals its code (a test or a template compares with a literal).
        impl PartialEq<&str> for $name {
            fn eq(&self, code: &&str) -> bool {
                self.as_str() == *code
            }
        }

        /// Reads a stored code (the server's rows decode through this).
        impl TryFrom<String> for $name {
            type Error = UnknownCode;
            fn try_from(s: String) -> Result<Self, UnknownCode> {
                parse_code(&s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                parse_code(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                parse_code(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary! {
    /// A member's standing. The server keeps a dated history of these; the decision engine
    /// reads how each one counts at a vote (see [`crate::Tally`]).
    Status, "trạng thái đảng viên" {
        /// Probationary member: attends, speaks, never votes.
        DuBi = "du_bi", "Dự bị";
        /// Full member.
        ChinhThuc = "chinh_thuc", "Chính thức";
        /// Full member exempted from work and activity (counted only when present).
        MienSinhHoat = "mien_sinh_hoat", "Miễn công tác và sinh hoạt";
        /// Attached here temporarily from another cell: not counted in this cell's membership.
        TamThoiDen = "tam_thoi_den", "Sinh hoạt tạm thời đến";
        /// Full member temporarily attached elsewhere (on the home list, out of the base).
        TamThoiDi = "tam_thoi_di", "Sinh hoạt tạm thời đi";
        /// Suspended from activity (or prosecuted, indicted, detained): out of the base.
        DinhChi = "dinh_chi", "Đình chỉ sinh hoạt";
        /// Between two cells during a transfer: on neither cell's roll, owned by the case.
        DangChuyen = "dang_chuyen", "Đang chuyển sinh hoạt";
        /// Moved to another cell (no longer on this cell's list).
        ChuyenDi = "chuyen_di", "Chuyển đi";
        /// Removed from the list.
        XoaTen = "xoa_ten", "Xóa tên";
        /// Expelled.
        KhaiTru = "khai_tru", "Khai trừ";
        /// Deceased.
        TuTran = "tu_tran", "Từ trần";
    }
}

impl Status {
    /// On the cell's list (counted in its membership): the statuses a roll-call shows.
    /// The server writes this list into SQL as literals in this order.
    pub const ON_LIST: [Status; 6] = [
        Status::DuBi,
        Status::ChinhThuc,
        Status::MienSinhHoat,
        Status::TamThoiDen,
        Status::TamThoiDi,
        Status::DinhChi,
    ];

    /// On the list but counted apart at a roll-call: exempted and suspended members, and
    /// those attached temporarily, here or elsewhere.
    pub const APART: [Status; 4] = [
        Status::MienSinhHoat,
        Status::TamThoiDen,
        Status::TamThoiDi,
        Status::DinhChi,
    ];

    /// Whether the member is counted apart at a roll-call.
    pub fn is_apart(self) -> bool {
        Status::APART.contains(&self)
    }

    /// Statuses a new member record may start with (a member between two cells is
    /// recorded by the transfer case, never typed in).
    pub fn may_start(self) -> bool {
        matches!(self, Status::DuBi | Status::ChinhThuc | Status::TamThoiDen)
    }

    /// Whether a member in `self` may move to `next`. Death ends the record; expulsion and
    /// removal can only be followed by a new admission, which starts a new probation.
    pub fn may_become(self, next: Status) -> bool {
        if self == next {
            return false;
        }
        match self {
            Status::TuTran => false,
            Status::KhaiTru | Status::XoaTen => matches!(next, Status::DuBi | Status::TuTran),
            Status::ChuyenDi => matches!(next, Status::ChinhThuc | Status::DuBi | Status::TuTran),
            _ => true,
        }
    }

    /// The same as [`Code::as_str`] (the decision engine's older name).
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The same as [`Code::parse`] (the decision engine's older name).
    pub fn from_code(code: &str) -> Option<Status> {
        Status::parse(code)
    }

    /// Whether the member is on the cell's list.
    pub fn on_list(self) -> bool {
        Status::ON_LIST.contains(&self)
    }
}

vocabulary! {
    /// The kind of a case (hồ sơ): which procedure of the rule pack it follows.
    CaseKind, "loại hồ sơ" {
        /// Admission of a new member (kết nạp đảng viên).
        KetNap = "ket_nap", "Kết nạp đảng viên";
        /// Recognition of a probationary member as full member.
        CongNhanChinhThuc = "cong_nhan_chinh_thuc", "Công nhận đảng viên chính thức";
        /// Permanent transfer to another đảng bộ (chuyển sinh hoạt đảng chính thức).
        ChuyenChinhThuc = "chuyen_chinh_thuc", "Chuyển sinh hoạt đảng chính thức";
        /// Temporary transfer (the member stays on the home cell's list).
        ChuyenTamThoi = "chuyen_tam_thoi", "Chuyển sinh hoạt đảng tạm thời";
        /// Transfer between cells of the same đảng bộ (chuyển sinh hoạt nội bộ).
        ChuyenNoiBo = "chuyen_noi_bo", "Chuyển sinh hoạt đảng nội bộ";
        /// Transfer of a member going to work or study abroad.
        ChuyenNuocNgoai = "chuyen_nuoc_ngoai", "Chuyển sinh hoạt đảng ra nước ngoài";
        /// Proposal of a Party badge (Huy hiệu Đảng).
        HuyHieu = "huy_hieu", "Đề nghị tặng Huy hiệu Đảng";
        /// A member's evaluation and rating for a period (QĐ 366).
        DanhGiaDangVien = "danh_gia_dang_vien", "Kiểm điểm, đánh giá, xếp loại đảng viên";
        /// The cell's own evaluation and rating as a collective.
        DanhGiaChiBo = "danh_gia_chi_bo", "Kiểm điểm, đánh giá, xếp loại chi bộ";
        /// Discipline of a member (kỷ luật).
        KyLuat = "ky_luat", "Thi hành kỷ luật đảng viên";
    }
}

impl CaseKind {
    /// The transfer kinds.
    pub const TRANSFERS: [CaseKind; 4] = [
        CaseKind::ChuyenChinhThuc,
        CaseKind::ChuyenTamThoi,
        CaseKind::ChuyenNoiBo,
        CaseKind::ChuyenNuocNgoai,
    ];

    /// Whether this is a transfer.
    pub fn is_transfer(self) -> bool {
        CaseKind::TRANSFERS.contains(&self)
    }
}

vocabulary! {
    /// Who performs a step of a procedure or signs one of its documents.
    Performer, "người thực hiện" {
        /// The person applying to join (người vào Đảng).
        NguoiVaoDang = "nguoi_vao_dang", "Người xin vào Đảng";
        /// The member the case is about.
        DangVien = "dang_vien", "Đảng viên";
        /// A relative (a deceased member's badge declaration).
        ThanNhan = "than_nhan", "Thân nhân đảng viên";
        /// An introducing full member (đảng viên giới thiệu).
        NguoiGioiThieu = "nguoi_gioi_thieu", "Đảng viên giới thiệu";
        /// The full member assigned to help a probationer (đảng viên giúp đỡ).
        NguoiGiupDo = "nguoi_giup_do", "Đảng viên giúp đỡ";
        /// The cell committee (the bí thư where the cell has no committee).
        ChiUy = "chi_uy", "Chi ủy";
        /// The cell's secretary, signing for the cell ("T/M chi bộ").
        BiThu = "bi_thu", "Bí thư chi bộ";
        /// The cell meeting (its members decide by vote).
        ChiBo = "chi_bo", "Chi bộ (hội nghị chi bộ)";
        /// The committee of the residence cell.
        ChiUyNoiCuTru = "chi_uy_noi_cu_tru", "Chi ủy nơi cư trú";
        /// The youth union's committee (BCH Đoàn cơ sở).
        DoanThanhNien = "doan_thanh_nien", "Ban chấp hành Đoàn cơ sở";
        /// The trade union's committee (BCH Công đoàn cơ sở).
        CongDoan = "cong_doan", "Ban chấp hành Công đoàn cơ sở";
        /// The school or centre that teaches the Party's courses and issues their certificates.
        CoSoDaoTao = "co_so_dao_tao", "Cơ sở đào tạo, bồi dưỡng lý luận chính trị";
        /// The mass organisations where the person lives or works.
        DoanThe = "doan_the", "Các đoàn thể chính trị - xã hội";
        /// An intermediate đảng ủy bộ phận, where one exists.
        DangUyBoPhan = "dang_uy_bo_phan", "Đảng ủy bộ phận";
        /// The đảng ủy cơ sở as a collective.
        DangUy = "dang_uy", "Đảng ủy cơ sở";
        /// The standing committee of the đảng ủy cơ sở (or the committee it authorises).
        BanThuongVu = "ban_thuong_vu", "Ban thường vụ đảng ủy";
        /// The committee directly above the đảng bộ cơ sở (tỉnh ủy, thành ủy, đảng ủy trực thuộc).
        CapUyCapTren = "cap_uy_cap_tren", "Cấp ủy cấp trên trực tiếp của đảng ủy cơ sở";
        /// The inspection committee of the competent level.
        UyBanKiemTra = "uy_ban_kiem_tra", "Ủy ban kiểm tra";
        /// The provincial standing committee (decides badges).
        TinhUy = "tinh_uy", "Ban thường vụ tỉnh ủy, thành ủy";
    }
}

impl Performer {
    /// The bodies above the cell (the đảng ủy and its standing committee, the levels above):
    /// an upper committee's account acts for them, the cell's committee for the rest.
    pub fn is_upper(self) -> bool {
        matches!(
            self,
            Performer::DangUy
                | Performer::BanThuongVu
                | Performer::CapUyCapTren
                | Performer::DangUyBoPhan
                | Performer::UyBanKiemTra
                | Performer::TinhUy
        )
    }
}

vocabulary! {
    /// How a case ends.
    CaseOutcome, "kết quả hồ sơ" {
        /// Every step done: admitted, recognised, transferred, awarded, rated, decided.
        HoanThanh = "hoan_thanh", "Hoàn thành";
        /// Refused by the cell or the competent committee (with its reason).
        TuChoi = "tu_choi", "Không được chấp thuận";
        /// Withdrawn by the person or the cell.
        RutHoSo = "rut_ho_so", "Rút hồ sơ";
        /// The probationer or member is removed from the list (xóa tên).
        XoaTen = "xoa_ten", "Xóa tên";
        /// The person died.
        TuTran = "tu_tran", "Từ trần";
        /// The discipline vote decided no discipline.
        KhongKyLuat = "khong_ky_luat", "Không thi hành kỷ luật";
        /// The limitation period for discipline had run out.
        HetThoiHieu = "het_thoi_hieu", "Hết thời hiệu xử lý kỷ luật";
    }
}

vocabulary! {
    /// Discipline levels for a member, most severe first (the order of cumulative counting).
    Level, "hình thức kỷ luật" {
        /// Expulsion (the cell can only propose it).
        KhaiTru = "khai_tru", "Khai trừ";
        /// Removal from post.
        CachChuc = "cach_chuc", "Cách chức";
        /// Warning.
        CanhCao = "canh_cao", "Cảnh cáo";
        /// Reprimand.
        KhienTrach = "khien_trach", "Khiển trách";
    }
}

vocabulary! {
    /// Which side of a transfer acts in a step.
    Side, "phía" {
        /// The cell and committees the member leaves.
        NoiDi = "noi_di", "Nơi chuyển đi";
        /// The cell and committees the member joins.
        NoiDen = "noi_den", "Nơi chuyển đến";
    }
}

vocabulary! {
    /// Violations that discipline may reach whatever their age (QĐ 69, Điều 4): the pack
    /// lists which of them have no limitation period.
    ViolationKind, "loại vi phạm" {
        /// Internal political protection.
        ChinhTriNoiBo = "chinh_tri_noi_bo", "Vi phạm về chính trị nội bộ";
        /// Security, defence or foreign affairs, harming the national interest.
        AnNinhQuocPhongDoiNgoai = "an_ninh_quoc_phong_doi_ngoai", "Vi phạm về an ninh, quốc phòng, đối ngoại xâm hại lợi ích quốc gia";
        /// Using illegal diplomas or certificates.
        VanBangGia = "van_bang_gia", "Sử dụng văn bằng, chứng chỉ không hợp pháp";
    }
}

vocabulary! {
    /// Which self-review form of the annual evaluation a member fills (the pack names the form).
    EvaluationGroup, "nhóm đánh giá" {
        /// Leaders and managers.
        LanhDaoQuanLy = "lanh_dao_quan_ly", "Cán bộ lãnh đạo, quản lý";
        /// Cadres, civil servants and public employees without a leading post.
        CanBoCongChuc = "can_bo_cong_chuc", "Cán bộ, công chức, viên chức";
        /// Members not working in the political system (retirees, private sector, residents).
        NgoaiHeThong = "ngoai_he_thong", "Đảng viên không làm việc trong hệ thống chính trị";
    }
}

vocabulary! {
    /// The unit of a period (a deadline or a derived date).
    Unit, "đơn vị thời gian" {
        /// Working days of the calendar (weekends and days off skipped).
        WorkingDays = "working_days", "ngày làm việc";
        /// Calendar days.
        Days = "days", "ngày";
        /// Calendar months (same day of the month, or its last day).
        Months = "months", "tháng";
        /// Calendar years.
        Years = "years", "năm";
    }
}

vocabulary! {
    /// What happens when a step is recorded after its deadline.
    LatePolicy, "quy định khi quá hạn" {
        /// Recorded and shown late.
        Allowed = "allowed", "được ghi nhận, hiển thị quá hạn";
        /// Recorded only with the reason (or the competent committee's consent) written down.
        Reason = "reason", "chỉ được ghi nhận khi có lý do";
        /// Not accepted once the deadline has passed.
        Refused = "refused", "không được chấp nhận khi quá hạn";
    }
}

vocabulary! {
    /// A rule the server must check with registry data before recording a step (see
    /// [`crate::Rules`]'s guard functions, one per guard).
    Guard, "điều kiện" {
        /// The candidate's age at the cell's consideration ([`crate::Rules::check_admission_age`]).
        TuoiKetNap = "tuoi_ket_nap", "Tuổi của người vào Đảng";
        /// The party-awareness course certificate is still valid ([`crate::Rules::check_awareness_certificate`]).
        GiayChungNhan = "giay_chung_nhan", "Giấy chứng nhận bồi dưỡng nhận thức về Đảng còn giá trị";
        /// The introducers ([`crate::Rules::check_introducers`]).
        NguoiGioiThieu = "nguoi_gioi_thieu", "Đảng viên giới thiệu";
        /// No discipline, complaint or inspection case open ([`crate::Rules::check_no_blocking_case`]).
        HoSoMo = "ho_so_mo", "Không có vụ việc kỷ luật, khiếu nại đang giải quyết";
        /// Dues paid up to the month of the letter ([`crate::Rules::check_dues_paid_through`]).
        DangPhi = "dang_phi", "Đã đóng đảng phí đến tháng cấp giấy giới thiệu";
        /// The badge milestone is reached and no discipline blocks it ([`crate::Rules::badge_eligibility`]).
        HuyHieu = "huy_hieu", "Đủ điều kiện tặng Huy hiệu Đảng";
        /// Within the limitation period for discipline ([`crate::Rules::discipline_limitation`]).
        ThoiHieu = "thoi_hieu", "Còn thời hiệu xử lý kỷ luật";
        /// The level is one the deciding body may impose on this member ([`crate::Rules::check_discipline_level`]).
        ThamQuyenKyLuat = "tham_quyen_ky_luat", "Hình thức kỷ luật đúng thẩm quyền và đúng đối tượng";
    }
}

vocabulary! {
    /// How a step was recorded.
    StepResult, "kết quả bước" {
        /// Done (a vote that passed, a document filed, a decision made).
        Done = "done", "Đã thực hiện";
        /// A vote that did not pass; it may be held again within the pack's limit.
        Failed = "failed", "Biểu quyết không đạt";
    }
}

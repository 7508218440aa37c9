//! The rules a step must meet that need registry data (the candidate's birth date, the
//! introducers' records, open cases, dues): one pure function per [`Guard`], each answering
//! with every rule broken and its citation. The server runs the guards a step lists before
//! recording it.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::badges::{Discipline, Interruption, full_months, party_age};
use crate::evaluation::Tier;
use crate::procedure::FormCode;
use crate::vocab::{CaseKind, Code, EvaluationGroup, Guard, Level, Status, ViolationKind};
use crate::{Rules, RulesError, TransferKind};

/// A rule a guard found broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The guard.
    pub guard: Guard,
    /// A stable code, e.g. `"tuoi_ket_nap.under_min"`.
    pub code: &'static str,
    /// What is wrong, in Vietnamese.
    pub message: String,
    /// The rule.
    pub citation: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — {}", self.message, self.citation)
    }
}

/// The outcome of a guard: `Ok` with what it found, or every rule broken.
pub type GuardResult<T> = Result<T, Vec<Violation>>;

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// An introducing member as the registry knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Introducer {
    /// Their standing on the day of the introduction.
    pub status: Status,
    /// Their admission decision date (party age counts from it).
    pub admission: NaiveDate,
    /// Their periods without party activity.
    pub interruptions: Vec<Interruption>,
    /// Since when they have worked, studied or lived with the candidate.
    pub known_since: NaiveDate,
    /// They belong to the candidate's cell.
    pub same_cell: bool,
    /// They belong to the candidate's đảng bộ cơ sở.
    pub same_dang_bo: bool,
}

/// An admission age that passed, possibly through the exception path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeCheck {
    /// Over the maximum, allowed by the competent committee's recorded approval.
    pub exception_used: bool,
}

/// How long discipline may still be imposed for a violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limitation {
    /// The last day (none for the violations without a limitation period).
    pub expires: Option<NaiveDate>,
    /// The rule.
    pub citation: String,
}

impl Rules {
    /// The candidate's age on `on`, the day the cell considers the case (QĐ 232 item 1.1):
    /// from the minimum to the maximum age in full months. Over the maximum passes only with
    /// the competent committee's approval recorded (`exception_approved`); under the minimum
    /// never does.
    pub fn check_admission_age(
        &self,
        birth: NaiveDate,
        on: NaiveDate,
        exception_approved: bool,
    ) -> GuardResult<AgeCheck> {
        let view = self
            .pack_at(on)
            .map_err(|e| rules_failure(Guard::TuoiKetNap, e))?;
        let min: u32 = get(&view, Guard::TuoiKetNap, "admission_age_min_years")?;
        let max: u32 = get(&view, Guard::TuoiKetNap, "admission_age_max_years")?;
        let months = full_months(birth, on);
        let citation = cite(&view, Guard::TuoiKetNap, "admission_age_max_years")?;
        // Born after `on` counts 0 months.
        if months < min * 12 {
            return Err(vec![Violation {
                guard: Guard::TuoiKetNap,
                code: "tuoi_ket_nap.under_min",
                message: format!(
                    "người vào Đảng sinh ngày {} chưa đủ {min} tuổi (tính theo tháng) vào ngày {}",
                    dmy(birth),
                    dmy(on)
                ),
                citation: cite(&view, Guard::TuoiKetNap, "admission_age_min_years")?,
            }]);
        }
        // Counted in full months: the maximum age holds through its first month.
        if months > max * 12 {
            if exception_approved {
                return Ok(AgeCheck {
                    exception_used: true,
                });
            }
            return Err(vec![Violation {
                guard: Guard::TuoiKetNap,
                code: "tuoi_ket_nap.over_max",
                message: format!(
                    "người vào Đảng sinh ngày {} đã quá {max} tuổi vào ngày {}: cần cấp ủy có thẩm quyền đồng ý trước khi chi bộ xét",
                    dmy(birth),
                    dmy(on)
                ),
                citation,
            }]);
        }
        Ok(AgeCheck {
            exception_used: false,
        })
    }

    /// The awareness-course certificate issued on `issued` is still valid on `on` (the day the
    /// cell considers the case); its last valid day is returned: "valid for 5 years" ends the
    /// day before the fifth anniversary.
    pub fn check_awareness_certificate(
        &self,
        issued: NaiveDate,
        on: NaiveDate,
    ) -> GuardResult<NaiveDate> {
        let g = Guard::GiayChungNhan;
        // The validity the rules give on the day of the check (certificates predate the packs).
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        let years: u32 = get(&view, g, "party_awareness_certificate_validity_years")?;
        let citation = cite(&view, g, "party_awareness_certificate_validity_years")?;
        let last = self
            .shift(issued, years, crate::vocab::Unit::Years, false)
            .and_then(|d| {
                d.pred_opt()
                    .ok_or(RulesError::Invalid("ngày ngoài phạm vi".into()))
            })
            .map_err(|e| rules_failure(g, e))?;
        if on < issued {
            return Err(vec![Violation {
                guard: g,
                code: "giay_chung_nhan.not_yet",
                message: format!(
                    "giấy chứng nhận cấp ngày {} sau ngày xét {}",
                    dmy(issued),
                    dmy(on)
                ),
                citation,
            }]);
        }
        if on > last {
            return Err(vec![Violation {
                guard: g,
                code: "giay_chung_nhan.expired",
                message: format!(
                    "giấy chứng nhận bồi dưỡng nhận thức về Đảng cấp ngày {} chỉ có giá trị {years} năm, đến hết ngày {}",
                    dmy(issued),
                    dmy(last)
                ),
                citation,
            }]);
        }
        Ok(last)
    }

    /// One introducer's eligibility on `on`: standing, party age, time known to the
    /// candidate, and the organisation they belong to.
    pub fn check_introducer(&self, i: &Introducer, on: NaiveDate) -> GuardResult<()> {
        let g = Guard::NguoiGioiThieu;
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        let statuses: Vec<String> = get(&view, g, "introducer_statuses")?;
        let min_age: u32 = get(&view, g, "introducer_min_party_age_months")?;
        let shared: u32 = get(&view, g, "introducer_shared_time_months")?;
        let scope: String = get(&view, g, "introducer_scope")?;
        let mut out = Vec::new();
        if !statuses.iter().any(|s| s == i.status.as_str()) {
            out.push(Violation {
                guard: g,
                code: "nguoi_gioi_thieu.status",
                message: format!(
                    "người giới thiệu đang là \"{}\": chỉ đảng viên chính thức được giới thiệu",
                    i.status.label_vi()
                ),
                citation: cite(&view, g, "introducer_statuses")?,
            });
        }
        let age = party_age(i.admission, &i.interruptions, on);
        let age_months = age.years * 12 + age.months;
        if age_months < min_age {
            out.push(Violation {
                guard: g,
                code: "nguoi_gioi_thieu.party_age",
                message: format!(
                    "người giới thiệu có tuổi đảng {} năm {} tháng, cần ít nhất {min_age} tháng",
                    age.years, age.months
                ),
                citation: cite(&view, g, "introducer_min_party_age_months")?,
            });
        }
        let together = full_months(i.known_since, on);
        if together < shared {
            out.push(Violation {
                guard: g,
                code: "nguoi_gioi_thieu.shared_time",
                message: format!(
                    "người giới thiệu mới cùng công tác, học tập hoặc cư trú với người vào Đảng {together} tháng (từ {}), cần ít nhất {shared} tháng",
                    dmy(i.known_since)
                ),
                citation: cite(&view, g, "introducer_shared_time_months")?,
            });
        }
        let in_scope = i.same_cell || (scope == "dang_bo_co_so" && i.same_dang_bo);
        if !in_scope {
            out.push(Violation {
                guard: g,
                code: "nguoi_gioi_thieu.organisation",
                message: if scope == "chi_bo" {
                    "người giới thiệu phải sinh hoạt cùng chi bộ với người vào Đảng".into()
                } else {
                    "người giới thiệu phải thuộc cùng đảng bộ, chi bộ cơ sở với người vào Đảng"
                        .into()
                },
                citation: cite(&view, g, "introducer_scope")?,
            });
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// The introducers of an application on `on`: the pack's number of eligible full members,
    /// of whom the pack's share may be replaced by the youth union's or trade union's
    /// resolution (`union_resolution`), and each one eligible.
    pub fn check_introducers(
        &self,
        introducers: &[Introducer],
        union_resolution: bool,
        on: NaiveDate,
    ) -> GuardResult<()> {
        let g = Guard::NguoiGioiThieu;
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        let required: u32 = get(&view, g, "introducers_required")?;
        let replaced: u32 = get(&view, g, "introducer_union_resolution_replaces")?;
        let needed = if union_resolution {
            required.saturating_sub(replaced)
        } else {
            required
        };
        let mut out = Vec::new();
        let given = u32::try_from(introducers.len()).unwrap_or(u32::MAX);
        if given < needed {
            out.push(Violation {
                guard: g,
                code: "nguoi_gioi_thieu.count",
                message: if union_resolution {
                    format!("có nghị quyết giới thiệu của Đoàn/Công đoàn, còn cần {needed} đảng viên chính thức giới thiệu (mới có {given})")
                } else {
                    format!(
                        "cần {needed} đảng viên chính thức giới thiệu (hoặc {} và nghị quyết giới thiệu của Đoàn/Công đoàn), mới có {given}",
                        required.saturating_sub(replaced)
                    )
                },
                citation: cite(&view, g, "introducers_required")?,
            });
        }
        for i in introducers {
            if let Err(v) = self.check_introducer(i, on) {
                out.extend(v);
            }
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// No transfer while a case the pack lists (discipline…) is open, or while the member is
    /// under inspection or has a complaint or denunciation pending (`other_pending`).
    pub fn check_no_blocking_case(
        &self,
        open_cases: &[CaseKind],
        other_pending: bool,
        on: NaiveDate,
    ) -> GuardResult<()> {
        let g = Guard::HoSoMo;
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        let blocking: Vec<String> = get(&view, g, "transfer_blocked_by_open_cases")?;
        let citation = cite(&view, g, "transfer_blocked_by_open_cases")?;
        let mut out: Vec<Violation> = open_cases
            .iter()
            .filter(|k| blocking.iter().any(|b| b == k.as_str()))
            .map(|k| Violation {
                guard: g,
                code: "ho_so_mo.case",
                message: format!(
                    "đảng viên đang có hồ sơ \"{}\" chưa giải quyết xong: chưa chuyển sinh hoạt đảng",
                    k.label_vi()
                ),
                citation: citation.clone(),
            })
            .collect();
        if other_pending {
            out.push(Violation {
                guard: g,
                code: "ho_so_mo.pending",
                message: "đảng viên đang bị kiểm tra, hoặc có đơn khiếu nại, tố cáo chưa giải quyết: chưa chuyển sinh hoạt đảng".into(),
                citation,
            });
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// Dues paid up to the month of a transfer letter dated `letter` (`paid_through` is the
    /// last month paid, as (year, month)), when the pack requires it.
    pub fn check_dues_paid_through(
        &self,
        letter: NaiveDate,
        paid_through: Option<(i32, u32)>,
    ) -> GuardResult<()> {
        let g = Guard::DangPhi;
        let view = self.pack_at(letter).map_err(|e| rules_failure(g, e))?;
        let required: bool = get(&view, g, "transfer_requires_dues_paid_through_letter_month")?;
        let month = (letter.year(), letter.month());
        if !required || paid_through.is_some_and(|p| p >= month) {
            return Ok(());
        }
        let paid = paid_through.map_or("chưa đóng tháng nào".to_owned(), |(y, m)| {
            format!("mới đóng đến tháng {m:02}/{y}")
        });
        Err(vec![Violation {
            guard: g,
            code: "dang_phi.not_paid",
            message: format!(
                "giấy giới thiệu ghi \"đã đóng đảng phí hết tháng {:02}/{}\" nhưng đảng viên {paid}",
                month.1, month.0
            ),
            citation: cite(&view, g, "transfer_requires_dues_paid_through_letter_month")?,
        }])
    }

    /// Whether discipline may still be imposed on `on` for a violation of `level` committed on
    /// `violation` (QĐ 69, Điều 4). A later violation within the period restarts it
    /// (`later_violations`); the levels and kinds the pack lists have no limit.
    pub fn discipline_limitation(
        &self,
        level: Level,
        kind: Option<ViolationKind>,
        violation: NaiveDate,
        later_violations: &[NaiveDate],
        on: NaiveDate,
    ) -> GuardResult<Limitation> {
        let g = Guard::ThoiHieu;
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        let no_limit_levels: Vec<String> = get(&view, g, "discipline_no_limit_levels")?;
        let no_limit_kinds: Vec<String> = get(&view, g, "discipline_no_limit_violations")?;
        if no_limit_levels.iter().any(|l| l == level.as_str()) {
            return Ok(Limitation {
                expires: None,
                citation: cite(&view, g, "discipline_no_limit_levels")?,
            });
        }
        if kind.is_some_and(|k| no_limit_kinds.iter().any(|n| n == k.as_str())) {
            return Ok(Limitation {
                expires: None,
                citation: cite(&view, g, "discipline_no_limit_violations")?,
            });
        }
        let param = match level {
            Level::KhienTrach => "discipline_limitation_months_khien_trach",
            Level::CanhCao => "discipline_limitation_months_canh_cao",
            // Expulsion has no limit in the national packs; if a pack gives it one, the
            // heaviest limited level's period applies.
            Level::CachChuc | Level::KhaiTru => "discipline_limitation_months_cach_chuc",
        };
        let months: u32 = get(&view, g, param)?;
        let citation = cite(&view, g, param)?;
        let mut later: Vec<NaiveDate> = later_violations.to_vec();
        later.sort();
        let mut start = violation;
        let end = |s: NaiveDate| {
            self.shift(s, months, crate::vocab::Unit::Months, false)
                .map_err(|e| rules_failure(g, e))
        };
        for v in later {
            if (start..=end(start)?).contains(&v) {
                start = v;
            }
        }
        let expires = end(start)?;
        if on > expires {
            return Err(vec![Violation {
                guard: g,
                code: "thoi_hieu.expired",
                message: format!(
                    "vi phạm ngày {} (mức {}) đã hết thời hiệu xử lý kỷ luật ngày {}",
                    dmy(start),
                    level.label_vi().to_lowercase(),
                    dmy(expires)
                ),
                citation,
            }]);
        }
        Ok(Limitation {
            expires: Some(expires),
            citation,
        })
    }

    /// The day a discipline announced on `announced` lapses by itself, if it does: never for
    /// the levels the pack lists, nor while a complaint or a new violation interrupts it
    /// (`interrupted`).
    pub fn discipline_lapse(
        &self,
        level: Level,
        announced: NaiveDate,
        interrupted: bool,
    ) -> Result<Option<NaiveDate>, RulesError> {
        let view = self.pack_at(announced)?;
        let never: Vec<String> = view.get("discipline_never_lapses")?;
        if interrupted || never.iter().any(|l| l == level.as_str()) {
            return Ok(None);
        }
        let months: u32 = view.get("discipline_lapse_months")?;
        self.shift(announced, months, crate::vocab::Unit::Months, false)
            .map(Some)
    }

    /// Whether `level` may be imposed on a member of `status` on `on`: a probationary member
    /// only up to the pack's level for them (heavier violations end the probation instead),
    /// and the cell (`by_cell`) only up to its own authority — a heavier level is proposed to
    /// the competent committee, which records its own decision.
    pub fn check_discipline_level(
        &self,
        level: Level,
        status: Status,
        by_cell: bool,
        on: NaiveDate,
    ) -> GuardResult<()> {
        let g = Guard::ThamQuyenKyLuat;
        let view = self.pack_at(on).map_err(|e| rules_failure(g, e))?;
        // Level::ALL runs from the most severe: a smaller index is heavier.
        let rank = |l: Level| Level::ALL.iter().position(|x| *x == l).unwrap_or(0);
        let parse = |param: &str| -> GuardResult<Level> {
            let code: String = get(&view, g, param)?;
            Level::parse(&code)
                .ok_or_else(|| rules_failure(g, RulesError::Invalid(format!("{param}: {code}"))))
        };
        let mut out = Vec::new();
        if status == Status::DuBi {
            let max = parse("discipline_probationary_max_level")?;
            if rank(level) < rank(max) {
                out.push(Violation {
                    guard: g,
                    code: "tham_quyen_ky_luat.probationary",
                    message: format!(
                        "đảng viên dự bị chỉ bị kỷ luật đến mức {}; không áp dụng mức {} (vi phạm nghiêm trọng hơn thì xem xét xóa tên khỏi danh sách đảng viên)",
                        max.label_vi().to_lowercase(),
                        level.label_vi().to_lowercase()
                    ),
                    citation: cite(&view, g, "discipline_probationary_max_level")?,
                });
            }
        }
        if by_cell {
            let max = parse("cell_discipline_max_level")?;
            if rank(level) < rank(max) {
                out.push(Violation {
                    guard: g,
                    code: "tham_quyen_ky_luat.beyond_cell",
                    message: format!(
                        "chi bộ chỉ được quyết định kỷ luật đến mức {}; mức {} phải đề nghị cấp có thẩm quyền quyết định",
                        max.label_vi().to_lowercase(),
                        level.label_vi().to_lowercase()
                    ),
                    citation: cite(&view, g, "cell_discipline_max_level")?,
                });
            }
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }

    /// The best tier a member may be rated for a period `from..=to` when a discipline took
    /// effect in it (the pack's cap, cited), or none.
    pub fn discipline_tier_cap(
        &self,
        disciplines: &[Discipline],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<(Tier, String)>, RulesError> {
        if !disciplines
            .iter()
            .any(|d| from <= d.effective && d.effective <= to)
        {
            return Ok(None);
        }
        let view = self.pack_at(to)?;
        let code: String = view.get("evaluation_tier_cap_disciplined")?;
        let tier = Tier::from_code(&code).ok_or_else(|| {
            RulesError::Invalid(format!("evaluation_tier_cap_disciplined: {code}"))
        })?;
        Ok(Some((tier, view.cite("evaluation_tier_cap_disciplined")?)))
    }

    /// The case kind of a move of `months` (`study`: full-time study in Vietnam), to a cell of
    /// the same đảng bộ (`same_dang_bo`) or abroad; `None` when no transfer is needed.
    pub fn transfer_case_kind(
        &self,
        months: u32,
        study: bool,
        same_dang_bo: bool,
        abroad: bool,
        on: NaiveDate,
    ) -> Result<Option<CaseKind>, RulesError> {
        let kinds: Vec<String> = self.param("transfer_kinds", on)?;
        let allowed = |k: CaseKind| kinds.iter().any(|x| x == k.as_str());
        if abroad && allowed(CaseKind::ChuyenNuocNgoai) {
            return Ok(Some(CaseKind::ChuyenNuocNgoai));
        }
        Ok(match self.transfer_kind(months, study, on)? {
            TransferKind::None => None,
            TransferKind::Temporary => Some(CaseKind::ChuyenTamThoi),
            TransferKind::Permanent if same_dang_bo && allowed(CaseKind::ChuyenNoiBo) => {
                Some(CaseKind::ChuyenNoiBo)
            }
            TransferKind::Permanent => Some(CaseKind::ChuyenChinhThuc),
        })
    }

    /// The self-review form a member of `group` fills in the evaluation on `on`.
    pub fn evaluation_form(
        &self,
        group: EvaluationGroup,
        on: NaiveDate,
    ) -> Result<FormCode, RulesError> {
        let view = self.pack_at(on)?;
        let param = match group {
            EvaluationGroup::LanhDaoQuanLy => "evaluation_form_leader",
            EvaluationGroup::CanBoCongChuc => "evaluation_form_cadre",
            EvaluationGroup::NgoaiHeThong => "evaluation_form_outside_system",
        };
        let text: String = view.get(param)?;
        let code = FormCode::new(&text).map_err(|e| RulesError::Invalid(e.to_string()))?;
        view.form(&code)?;
        Ok(code)
    }
}

fn rules_failure(guard: Guard, e: RulesError) -> Vec<Violation> {
    vec![Violation {
        guard,
        code: "rules.error",
        message: e.to_string(),
        citation: String::new(),
    }]
}

fn get<T: crate::FromValue>(
    view: &crate::PackView<'_>,
    guard: Guard,
    name: &str,
) -> GuardResult<T> {
    view.get(name).map_err(|e| rules_failure(guard, e))
}

fn cite(view: &crate::PackView<'_>, guard: Guard, name: &str) -> GuardResult<String> {
    view.cite(name).map_err(|e| rules_failure(guard, e))
}

//! Deadlines and periodic duties, each read from the pack in force on the start date.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::vocab::Unit;
use crate::{Lang, Rules, RulesError};

/// A deadline the product tracks. Each names the pack parameter that sets its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Admission ceremony, counted from receipt of the admission decision (working days).
    CeremonyAfterDecision,
    /// End of probation, counted from the ceremony (months); the member is full from this day.
    ProbationEnd,
    /// Recognition must be considered, counted from the end of probation (working days).
    RecognitionReview,
    /// Permanent transfer procedure, from the decision or the move (working days).
    TransferProcedure,
    /// Present the transfer letter to the new cell, from the letter's date (working days).
    TransferPresentLetter,
    /// Latest day to announce a cell congress, counted back from its opening (working days).
    CongressNotice,
    /// Latest day to notify a meeting, counted back from it (days).
    MeetingNotice,
    /// Latest day to post meeting documents, counted back from the meeting (days).
    DocsUploadBeforeMeeting,
    /// Latest day to post the final documents, from the meeting (days).
    DocsUploadAfterMeeting,
    /// End of the cell committee's term, from the congress (months).
    CellTermEnd,
    /// End of a pilot five-year term, from the congress (months).
    CellTermPilotEnd,
    /// Review for removal when a member shows no progress after help (months).
    NoProgressReview,
    /// Earliest re-admission after leaving the Party (months).
    ReadmissionEarliest,
    /// End of a dues reduction, from its start (months).
    DuesReductionEnd,
    /// Expiry of the party-awareness course certificate (years).
    AwarenessCertificateExpiry,
    /// Forward a resident's concern to the competent body, from its receipt (working days).
    ResidentConcernForward,
    /// Answer a resident's concern, from its receipt (working days).
    ResidentConcernAnswer,
}

impl Timer {
    /// Every timer.
    pub const ALL: [Timer; 17] = [
        Timer::CeremonyAfterDecision,
        Timer::ProbationEnd,
        Timer::RecognitionReview,
        Timer::TransferProcedure,
        Timer::TransferPresentLetter,
        Timer::CongressNotice,
        Timer::MeetingNotice,
        Timer::DocsUploadBeforeMeeting,
        Timer::DocsUploadAfterMeeting,
        Timer::CellTermEnd,
        Timer::CellTermPilotEnd,
        Timer::NoProgressReview,
        Timer::ReadmissionEarliest,
        Timer::DuesReductionEnd,
        Timer::AwarenessCertificateExpiry,
        Timer::ResidentConcernForward,
        Timer::ResidentConcernAnswer,
    ];

    /// The pack parameter, its unit, and whether the deadline lies before the start date.
    fn spec(self) -> (&'static str, Unit, bool) {
        use Unit::*;
        match self {
            Timer::CeremonyAfterDecision => ("ceremony_deadline_working_days", WorkingDays, false),
            Timer::ProbationEnd => ("probation_months", Months, false),
            Timer::RecognitionReview => (
                "recognition_review_deadline_working_days",
                WorkingDays,
                false,
            ),
            Timer::TransferProcedure => (
                "transfer_procedure_deadline_working_days",
                WorkingDays,
                false,
            ),
            Timer::TransferPresentLetter => (
                "transfer_present_letter_deadline_working_days",
                WorkingDays,
                false,
            ),
            Timer::CongressNotice => ("congress_notice_working_days", WorkingDays, true),
            Timer::MeetingNotice => ("meeting_notice_days", Days, true),
            Timer::DocsUploadBeforeMeeting => ("docs_upload_before_meeting_days", Days, true),
            Timer::DocsUploadAfterMeeting => ("docs_upload_after_meeting_days", Days, false),
            Timer::CellTermEnd => ("cell_term_months", Months, false),
            Timer::CellTermPilotEnd => ("cell_term_pilot_months", Months, false),
            Timer::NoProgressReview => ("no_progress_months_for_xoa_ten", Months, false),
            Timer::ReadmissionEarliest => ("readmission_min_months_after_leaving", Months, false),
            Timer::DuesReductionEnd => ("dues_reduction_max_months", Months, false),
            Timer::AwarenessCertificateExpiry => {
                ("party_awareness_certificate_validity_years", Years, false)
            }
            Timer::ResidentConcernForward => {
                ("resident_concern_forward_working_days", WorkingDays, false)
            }
            Timer::ResidentConcernAnswer => {
                ("resident_concern_answer_working_days", WorkingDays, false)
            }
        }
    }

    /// The pack parameter that sets this timer.
    pub fn param(self) -> &'static str {
        self.spec().0
    }

    fn name(self, lang: Lang) -> &'static str {
        let vi = lang == Lang::Vi;
        match self {
            Timer::CeremonyAfterDecision if vi => "tổ chức lễ kết nạp",
            Timer::CeremonyAfterDecision => "admission ceremony",
            Timer::ProbationEnd if vi => "hết thời gian dự bị",
            Timer::ProbationEnd => "end of probation",
            Timer::RecognitionReview if vi => "xét công nhận đảng viên chính thức",
            Timer::RecognitionReview => "recognition review",
            Timer::TransferProcedure if vi => "làm thủ tục chuyển sinh hoạt đảng",
            Timer::TransferProcedure => "transfer procedure",
            Timer::TransferPresentLetter if vi => "xuất trình giấy giới thiệu sinh hoạt đảng",
            Timer::TransferPresentLetter => "presenting the transfer letter",
            Timer::CongressNotice if vi => "thông báo ngày khai mạc đại hội",
            Timer::CongressNotice => "congress notice",
            Timer::MeetingNotice if vi => "thông báo họp chi bộ",
            Timer::MeetingNotice => "meeting notice",
            Timer::DocsUploadBeforeMeeting if vi => "đăng tài liệu họp lên Sổ tay đảng viên",
            Timer::DocsUploadBeforeMeeting => "posting meeting documents",
            Timer::DocsUploadAfterMeeting if vi => "đăng văn bản hoàn chỉnh sau họp",
            Timer::DocsUploadAfterMeeting => "posting final documents",
            Timer::CellTermEnd if vi => "hết nhiệm kỳ chi bộ",
            Timer::CellTermEnd => "end of the cell term",
            Timer::CellTermPilotEnd if vi => "hết nhiệm kỳ thí điểm 5 năm",
            Timer::CellTermPilotEnd => "end of the pilot five-year term",
            Timer::NoProgressReview if vi => "xem xét xóa tên do không tiến bộ",
            Timer::NoProgressReview => "removal review for no progress",
            Timer::ReadmissionEarliest if vi => "sớm nhất được xét kết nạp lại",
            Timer::ReadmissionEarliest => "earliest re-admission",
            Timer::DuesReductionEnd if vi => "hết thời hạn giảm đảng phí",
            Timer::DuesReductionEnd => "end of dues reduction",
            Timer::AwarenessCertificateExpiry if vi => {
                "hết hạn giấy chứng nhận bồi dưỡng nhận thức về Đảng"
            }
            Timer::AwarenessCertificateExpiry => "expiry of the party-awareness certificate",
            Timer::ResidentConcernForward if vi => {
                "chuyển ý kiến của nhân dân đến cơ quan có thẩm quyền"
            }
            Timer::ResidentConcernForward => "forwarding a resident's concern",
            Timer::ResidentConcernAnswer if vi => "trả lời ý kiến của nhân dân",
            Timer::ResidentConcernAnswer => "answering a resident's concern",
        }
    }
}

/// A computed deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The timer.
    pub timer: Timer,
    /// The start date given.
    pub from: NaiveDate,
    /// The deadline (inclusive).
    pub date: NaiveDate,
    /// Explanation in Vietnamese.
    pub explanation: String,
    /// Explanation in English.
    pub explanation_en: String,
    /// The rule's source.
    pub citation: String,
    /// Decreed weekdays off skipped on the way (for working-day timers).
    pub days_off: Vec<(NaiveDate, String)>,
}

impl Deadline {
    /// The explanation in `lang`.
    pub fn explain(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.explanation,
            Lang::En => &self.explanation_en,
        }
    }
}

/// A regular or thematic meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    /// Sinh hoạt thường kỳ.
    Regular,
    /// Sinh hoạt chuyên đề.
    Thematic,
}

/// When the next meeting of a kind is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDue {
    /// Last day of the period in which the next meeting must be held.
    pub due_by: NaiveDate,
    /// A whole period went by without a meeting.
    pub overdue: bool,
    /// The rule's source.
    pub citation: String,
}

/// A reason for the cell to consider removing a member from the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFlag {
    /// `"unpaid_dues"` or `"unexcused_absences"`.
    pub reason: &'static str,
    /// Months or meetings counted in the calendar year.
    pub count: u32,
    /// The pack's limit.
    pub limit: u32,
    /// The rule's source.
    pub citation: String,
}

/// How a move of a given length is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// Shorter than the temporary-transfer minimum: no transfer.
    None,
    /// Temporary transfer (the member stays on the home cell's list).
    Temporary,
    /// Permanent transfer.
    Permanent,
}

fn add_months(d: NaiveDate, n: u32) -> Result<NaiveDate, RulesError> {
    d.checked_add_months(Months::new(n))
        .ok_or(RulesError::Invalid(format!(
            "ngày ngoài phạm vi: {d} + {n} tháng"
        )))
}

fn end_of_month(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid month")
}

impl Rules {
    /// `n` units after `from` (before it when `before`): working days on the calendar, or
    /// calendar days, months or years. Every deadline and derived date is computed here.
    pub(crate) fn shift(
        &self,
        from: NaiveDate,
        n: u32,
        unit: Unit,
        before: bool,
    ) -> Result<NaiveDate, RulesError> {
        let cal = self.calendar();
        let out_of_range = || RulesError::Invalid(format!("ngày ngoài phạm vi: {from} ± {n}"));
        // A year is twelve months (29/02 plus one year is 28/02).
        let (unit, n) = match unit {
            Unit::Years => (Unit::Months, n.saturating_mul(12)),
            u => (u, n),
        };
        Ok(match (unit, before) {
            (Unit::WorkingDays, false) => cal.add_working_days(from, n)?,
            (Unit::WorkingDays, true) => cal.sub_working_days(from, n)?,
            (Unit::Days, false) => from
                .checked_add_days(Days::new(u64::from(n)))
                .ok_or_else(out_of_range)?,
            (Unit::Days, true) => from
                .checked_sub_days(Days::new(u64::from(n)))
                .ok_or_else(out_of_range)?,
            (_, false) => add_months(from, n)?,
            (_, true) => from
                .checked_sub_months(Months::new(n))
                .ok_or_else(out_of_range)?,
        })
    }

    /// The deadline of `timer` started on `from`, by the rules in force on `from`.
    pub fn deadline(&self, timer: Timer, from: NaiveDate) -> Result<Deadline, RulesError> {
        let view = self.pack_at(from)?;
        let (param, unit, before) = timer.spec();
        let n: u32 = view.get(param)?;
        let cal = self.calendar();
        let date = self.shift(from, n, unit, before)?;
        let days_off: Vec<(NaiveDate, String)> = if unit == Unit::WorkingDays {
            let (a, b) = if before { (date, from) } else { (from, date) };
            cal.days_off_between(a, b)
                .into_iter()
                .map(|(d, name)| (d, name.to_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let (unit_vi, unit_en) = match unit {
            Unit::WorkingDays => ("ngày làm việc", "working days"),
            Unit::Days => ("ngày", "days"),
            Unit::Months => ("tháng", "months"),
            Unit::Years => ("năm", "years"),
        };
        let (dir_vi, dir_en) = if before {
            ("trước", "before")
        } else {
            ("kể từ", "from")
        };
        let mut vi = format!(
            "Hạn {}: {} ({n} {unit_vi} {dir_vi} {})",
            timer.name(Lang::Vi),
            date.format("%d/%m/%Y"),
            from.format("%d/%m/%Y")
        );
        let mut en = format!(
            "Deadline for {}: {} ({n} {unit_en} {dir_en} {})",
            timer.name(Lang::En),
            date,
            from
        );
        if !days_off.is_empty() {
            let mut names: Vec<&str> = days_off.iter().map(|(_, n)| n.as_str()).collect();
            names.dedup();
            vi.push_str(&format!(
                ", không tính {} ngày nghỉ: {}",
                days_off.len(),
                names.join(", ")
            ));
            en.push_str(&format!(
                ", skipping {} days off: {}",
                days_off.len(),
                names.join(", ")
            ));
        }
        if unit == Unit::WorkingDays {
            let projected = (from.year().min(date.year())..=from.year().max(date.year()))
                .filter(|y| matches!(cal.year_source(*y), Some((crate::Confidence::U, _))))
                .collect::<Vec<_>>();
            if let Some(y) = projected.first() {
                vi.push_str(&format!(
                    "; lịch nghỉ năm {y} là dự kiến, cần đối chiếu thông báo chính thức"
                ));
                en.push_str(&format!(
                    "; the {y} holiday schedule is projected, check the official notice"
                ));
            }
        }
        let citation = view.cite(param)?;
        vi.push_str(&format!(" — {citation}"));
        en.push_str(&format!(" — {citation}"));
        Ok(Deadline {
            timer,
            from,
            date,
            explanation: vi,
            explanation_en: en,
            citation,
            days_off,
        })
    }

    /// Whether `deadline` is near: `today` is on or before it and no more than the pack's
    /// `due_soon_working_days` working days away.
    pub fn is_due_soon(&self, deadline: NaiveDate, today: NaiveDate) -> Result<bool, RulesError> {
        let window: u32 = self.param("due_soon_working_days", today)?;
        Ok(today <= deadline
            && self.calendar().working_days_between(today, deadline)? <= i64::from(window))
    }

    /// When the next regular or thematic meeting is due, given the last one held.
    pub fn meeting_due(
        &self,
        kind: MeetingKind,
        last_held: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<MeetingDue, RulesError> {
        let view = self.pack_at(today)?;
        let param = match kind {
            MeetingKind::Regular => "regular_meeting_frequency",
            MeetingKind::Thematic => "thematic_meeting_frequency",
        };
        let months = match view.get::<String>(param)?.as_str() {
            "quarterly" => 3,
            _ => 1,
        };
        // Periods are calendar months or quarters; index them from year 0.
        let period = |d: NaiveDate| (d.year() * 12 + d.month0() as i32) / months;
        let period_end = |p: i32| {
            let last = p * months + months - 1;
            end_of_month(last.div_euclid(12), last.rem_euclid(12) as u32 + 1)
        };
        let now = period(today);
        let held = last_held.map(period);
        let due_by = if held == Some(now) {
            period_end(now + 1)
        } else {
            period_end(now)
        };
        Ok(MeetingDue {
            due_by,
            overdue: held.is_none_or(|h| h < now - 1),
            citation: view.cite(param)?,
        })
    }

    /// How many meetings of a kind were due from `from` to `to`: one per calendar month (or
    /// quarter) of the pack's frequency that began on or after `from` and ended by `to`, with
    /// the rule's source. What a cell's collective report counts its meetings against.
    pub fn meetings_due(
        &self,
        kind: MeetingKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(u32, String), RulesError> {
        let view = self.pack_at(to)?;
        let param = match kind {
            MeetingKind::Regular => "regular_meeting_frequency",
            MeetingKind::Thematic => "thematic_meeting_frequency",
        };
        let months = match view.get::<String>(param)?.as_str() {
            "quarterly" => 3,
            _ => 1,
        };
        // Periods are calendar months or quarters; index them from year 0.
        let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
        let period = |d: NaiveDate| index(d).div_euclid(months);
        let starts_period = |d: NaiveDate| d.day() == 1 && index(d).rem_euclid(months) == 0;
        // The first whole period starting on or after `from`; the last one ending by `to`.
        let first = period(from) + i32::from(!starts_period(from));
        let last = period(to.succ_opt().unwrap_or(to)) - 1;
        let count = u32::try_from(last - first + 1).unwrap_or(0);
        Ok((count, view.cite(param)?))
    }

    /// The minimum length of a meeting in minutes (`combined` = thematic and regular together).
    pub fn min_meeting_minutes(&self, combined: bool, on: NaiveDate) -> Result<u32, RulesError> {
        self.param(
            if combined {
                "min_meeting_minutes_when_combined"
            } else {
                "min_meeting_minutes"
            },
            on,
        )
    }

    /// Flags for a removal review (xóa tên): unpaid dues months and unexcused absences counted
    /// in the calendar year of `on`, against the pack's limits.
    pub fn xoa_ten_review(
        &self,
        unpaid_months: u32,
        unexcused_absences: u32,
        on: NaiveDate,
    ) -> Result<Vec<ReviewFlag>, RulesError> {
        let view = self.pack_at(on)?;
        let mut flags = Vec::new();
        for (reason, param, count) in [
            (
                "unpaid_dues",
                "xoa_ten_unpaid_months_per_year",
                unpaid_months,
            ),
            (
                "unexcused_absences",
                "xoa_ten_unexcused_absences_per_year",
                unexcused_absences,
            ),
        ] {
            let limit: u32 = view.get(param)?;
            if count >= limit {
                flags.push(ReviewFlag {
                    reason,
                    count,
                    limit,
                    citation: view.cite(param)?,
                });
            }
        }
        Ok(flags)
    }

    /// Whether a move of `months` is a temporary or a permanent transfer (`study` = full-time
    /// study in Vietnam, which allows a longer temporary transfer).
    pub fn transfer_kind(
        &self,
        months: u32,
        study: bool,
        on: NaiveDate,
    ) -> Result<TransferKind, RulesError> {
        let view = self.pack_at(on)?;
        let min: u32 = view.get("temp_transfer_min_months")?;
        if months < min {
            return Ok(TransferKind::None);
        }
        // Work moves are temporary below the limit; study moves up to and including theirs.
        let temporary = if study {
            months <= view.get::<u32>("temp_transfer_study_max_months")?
        } else {
            months < view.get::<u32>("temp_transfer_max_months")?
        };
        Ok(if temporary {
            TransferKind::Temporary
        } else {
            TransferKind::Permanent
        })
    }

    /// Whether someone born on `birth` is within the admission age on `on` (full years counted
    /// in months: from the minimum age to the maximum age, its month included). See
    /// [`Rules::check_admission_age`] for the reasons and the exception path.
    pub fn admission_age_ok(&self, birth: NaiveDate, on: NaiveDate) -> Result<bool, RulesError> {
        self.pack_at(on)?;
        Ok(self.check_admission_age(birth, on, false).is_ok())
    }
}

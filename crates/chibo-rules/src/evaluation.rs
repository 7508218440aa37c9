//! Annual evaluation tiers (QĐ 366-QĐ/TW), the HTXS quota, and meeting-quality scoring.

use chrono::NaiveDate;

use crate::fraction::Fraction;
use crate::{Rules, RulesError};

/// A rating tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Hoàn thành xuất sắc nhiệm vụ.
    Htxs,
    /// Hoàn thành tốt nhiệm vụ.
    Htt,
    /// Hoàn thành nhiệm vụ.
    Ht,
    /// Không hoàn thành nhiệm vụ.
    Kht,
}

impl Tier {
    /// The Vietnamese name.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Htxs => "Hoàn thành xuất sắc nhiệm vụ",
            Tier::Htt => "Hoàn thành tốt nhiệm vụ",
            Tier::Ht => "Hoàn thành nhiệm vụ",
            Tier::Kht => "Không hoàn thành nhiệm vụ",
        }
    }
}

/// What an evaluation is rated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EvaluationInput {
    /// Points on the 100-point frame.
    pub points: u32,
    /// Tasks assigned.
    pub tasks_total: u32,
    /// Tasks completed (on time or late).
    pub tasks_done: u32,
    /// Tasks completed on time.
    pub tasks_on_time: u32,
    /// Tasks that exceeded the requirement.
    pub tasks_exceeding: u32,
    /// One of the disqualifying conditions applies (e.g. disciplined in the year).
    pub disqualified: bool,
    /// Rating a collective (the late-task allowance applies to collectives).
    pub collective: bool,
}

/// A rating with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The tier.
    pub tier: Tier,
    /// Why, in Vietnamese.
    pub explanation: String,
    /// The rule's source.
    pub citation: String,
}

/// HTXS within the quota of the HTT count?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaCheck {
    /// The most HTXS allowed.
    pub max_htxs: u32,
    /// Within the quota.
    pub ok: bool,
    /// The rule's source.
    pub citation: String,
}

/// Scores of a meeting on each criterion of the frame (each at most its weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeetingScores {
    /// Time and duration.
    pub time: u32,
    /// Attendance.
    pub attendance: u32,
    /// Preparation.
    pub preparation: u32,
    /// Conduct of the meeting.
    pub conduct: u32,
    /// The bí thư's chairing.
    pub chairing: u32,
    /// Principles.
    pub principles: u32,
    /// Results of the last resolution.
    pub results: u32,
    /// Closing.
    pub closing: u32,
}

/// A meeting's total and band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingGrade {
    /// Total points.
    pub total: u32,
    /// `"tot"`, `"kha"`, `"trung_binh"` or `"kem"`.
    pub band: &'static str,
    /// The frame's source.
    pub citation: String,
}

impl Rules {
    /// The tier for an evaluation: points set the highest tier possible; each tier's task
    /// conditions must also hold, else the next tier down is tried.
    pub fn evaluate(
        &self,
        input: &EvaluationInput,
        on: NaiveDate,
    ) -> Result<Evaluation, RulesError> {
        let view = self.pack_at(on)?;
        let htxs: u32 = view.get("evaluation_htxs_min_points")?;
        let htt: u32 = view.get("evaluation_htt_min_points")?;
        let ht: u32 = view.get("evaluation_ht_min_points")?;
        let exceeding: Fraction = view.get("evaluation_htxs_min_exceeding")?;
        let max_late: Fraction = view.get("evaluation_ht_max_late")?;
        let i = input;
        if i.tasks_on_time > i.tasks_done
            || i.tasks_done > i.tasks_total
            || i.tasks_exceeding > i.tasks_total
            || i.points > 100
        {
            return Err(RulesError::Invalid(
                "số liệu đánh giá không nhất quán".into(),
            ));
        }
        let all_on_time = i.tasks_on_time == i.tasks_total;
        let all_done = i.tasks_done == i.tasks_total;
        let total = u64::from(i.tasks_total);
        let exceeds = total > 0
            && exceeding
                .cmp_ratio(u64::from(i.tasks_exceeding), total)
                .is_ge();
        let late = u64::from(i.tasks_done - i.tasks_on_time);
        let late_ok = !i.collective || total == 0 || max_late.cmp_ratio(late, total).is_le();
        let (tier, why) = if i.disqualified {
            (
                Tier::Kht,
                "thuộc trường hợp không hoàn thành nhiệm vụ".to_owned(),
            )
        } else if i.points >= htxs && all_on_time && exceeds {
            (
                Tier::Htxs,
                format!(
                    "{} điểm (≥ {htxs}), 100% nhiệm vụ đúng hạn, ≥ {} vượt yêu cầu",
                    i.points,
                    exceeding.percent_string()
                ),
            )
        } else if i.points >= htt && all_on_time {
            (
                Tier::Htt,
                format!("{} điểm (≥ {htt}), 100% nhiệm vụ đúng hạn", i.points),
            )
        } else if i.points >= ht && all_done && late_ok {
            (
                Tier::Ht,
                format!("{} điểm (≥ {ht}), hoàn thành 100% nhiệm vụ", i.points),
            )
        } else {
            (
                Tier::Kht,
                format!("{} điểm hoặc chưa đủ điều kiện về nhiệm vụ", i.points),
            )
        };
        let citation = view.cite("evaluation_htxs_min_points")?;
        Ok(Evaluation {
            tier,
            explanation: format!("{}: {why} — {citation}", tier.name()),
            citation,
        })
    }

    /// Checks that the HTXS count stays within the pack's share of the HTT count.
    pub fn htxs_quota(&self, htxs: u32, htt: u32, on: NaiveDate) -> Result<QuotaCheck, RulesError> {
        let view = self.pack_at(on)?;
        let share: Fraction = view.get("htxs_quota_of_htt")?;
        let max_htxs = u32::try_from(share.floor_of(u64::from(htt))).unwrap_or(u32::MAX);
        Ok(QuotaCheck {
            max_htxs,
            ok: htxs <= max_htxs,
            citation: view.cite("htxs_quota_of_htt")?,
        })
    }

    /// Totals a meeting's scores against the pack's weights and bands.
    pub fn meeting_quality(
        &self,
        s: &MeetingScores,
        on: NaiveDate,
    ) -> Result<MeetingGrade, RulesError> {
        let view = self.pack_at(on)?;
        let mut total = 0;
        for (param, score) in [
            ("meeting_weight_time", s.time),
            ("meeting_weight_attendance", s.attendance),
            ("meeting_weight_preparation", s.preparation),
            ("meeting_weight_conduct", s.conduct),
            ("meeting_weight_chairing", s.chairing),
            ("meeting_weight_principles", s.principles),
            ("meeting_weight_results", s.results),
            ("meeting_weight_closing", s.closing),
        ] {
            let weight: u32 = view.get(param)?;
            if score > weight {
                return Err(RulesError::Invalid(format!(
                    "điểm {score} vượt mức tối đa {weight} ({param})"
                )));
            }
            total += score;
        }
        let band = if total >= view.get::<u32>("meeting_quality_tot_min")? {
            "tot"
        } else if total >= view.get::<u32>("meeting_quality_kha_min")? {
            "kha"
        } else if total >= view.get::<u32>("meeting_quality_trung_binh_min")? {
            "trung_binh"
        } else {
            "kem"
        };
        Ok(MeetingGrade {
            total,
            band,
            citation: view.cite("meeting_quality_tot_min")?,
        })
    }
}

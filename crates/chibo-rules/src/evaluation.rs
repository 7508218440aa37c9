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
    /// Every tier, best first.
    pub const ALL: [Tier; 4] = [Tier::Htxs, Tier::Htt, Tier::Ht, Tier::Kht];

    /// The code stored and used in JSON: `htxs`, `htt`, `ht`, `kht`.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Htxs => "htxs",
            Tier::Htt => "htt",
            Tier::Ht => "ht",
            Tier::Kht => "kht",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.code() == code)
    }

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

/// A criterion of the individual self-review frame (QĐ 366, 100 points). The pack chooses
/// the criteria in force and their points (`evaluation_criteria`, `evaluation_criteria_points`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    /// Chính trị, tư tưởng.
    ChinhTriTuTuong,
    /// Đạo đức, lối sống.
    DaoDucLoiSong,
    /// Ý thức tổ chức kỷ luật, tác phong, lề lối làm việc.
    YThucToChucKyLuat,
    /// Kết quả thực hiện chức trách, nhiệm vụ được giao.
    KetQuaNhiemVu,
}

impl Criterion {
    /// Every criterion chibo knows, in the frame's order.
    pub const ALL: [Criterion; 4] = [
        Criterion::ChinhTriTuTuong,
        Criterion::DaoDucLoiSong,
        Criterion::YThucToChucKyLuat,
        Criterion::KetQuaNhiemVu,
    ];
    /// Their codes, for the pack schema.
    pub const CODES: &'static [&'static str] = &[
        "chinh_tri_tu_tuong",
        "dao_duc_loi_song",
        "y_thuc_to_chuc_ky_luat",
        "ket_qua_nhiem_vu",
    ];

    /// The code used in packs and JSON.
    pub fn code(self) -> &'static str {
        Criterion::CODES[self as usize]
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Criterion::ChinhTriTuTuong => "Về chính trị, tư tưởng",
            Criterion::DaoDucLoiSong => "Về đạo đức, lối sống",
            Criterion::YThucToChucKyLuat => "Về ý thức tổ chức kỷ luật, tác phong, lề lối làm việc",
            Criterion::KetQuaNhiemVu => "Kết quả thực hiện chức trách, nhiệm vụ được giao",
        }
    }
}

/// The self-review frame in force: each criterion with its most points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    /// (criterion, most points), in the frame's order; they add up to 100.
    pub items: Vec<(Criterion, u32)>,
    /// The rule's source.
    pub citation: String,
}

/// Why a proposed tier is refused, with the rule cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRefusal {
    /// A stable code: `tier.above_band` or `tier.quota`.
    pub code: &'static str,
    /// The refusal explained, in Vietnamese, citing the rule.
    pub message: String,
}

impl Rules {
    /// The self-review frame in force on `on`.
    pub fn evaluation_criteria(&self, on: NaiveDate) -> Result<Criteria, RulesError> {
        let view = self.pack_at(on)?;
        let codes: Vec<String> = view.get("evaluation_criteria")?;
        let points: Vec<u64> = view.get("evaluation_criteria_points")?;
        if codes.len() != points.len() {
            return Err(RulesError::Invalid(format!(
                "evaluation_criteria có {} tiêu chí nhưng evaluation_criteria_points có {} mức điểm",
                codes.len(),
                points.len()
            )));
        }
        let mut items = Vec::new();
        for (c, p) in codes.iter().zip(points) {
            let c = Criterion::from_code(c)
                .ok_or_else(|| RulesError::Invalid(format!("tiêu chí không rõ: {c}")))?;
            items.push((c, u32::try_from(p).unwrap_or(u32::MAX)));
        }
        let total: u64 = items.iter().map(|(_, p)| u64::from(*p)).sum();
        if total != 100 {
            return Err(RulesError::Invalid(format!(
                "tổng điểm các tiêu chí là {total}, phải là 100"
            )));
        }
        Ok(Criteria {
            items,
            citation: view.cite("evaluation_criteria")?,
        })
    }

    /// Checks a tier proposed for a member: no better than the points and the task
    /// conditions allow ([`Rules::evaluate`]). `Ok` carries the engine's own rating.
    pub fn check_tier(
        &self,
        proposed: Tier,
        input: &EvaluationInput,
        on: NaiveDate,
    ) -> Result<Result<Evaluation, TierRefusal>, RulesError> {
        let allowed = self.evaluate(input, on)?;
        if proposed < allowed.tier {
            return Ok(Err(TierRefusal {
                code: "tier.above_band",
                message: format!(
                    "Không thể xếp loại \"{}\": điểm và kết quả nhiệm vụ chỉ cho phép \"{}\" ({})",
                    proposed.name(),
                    allowed.tier.name(),
                    allowed.explanation
                ),
            }));
        }
        Ok(Ok(allowed))
    }

    /// Checks that `htxs` members rated HTXS fit the quota given `htt` rated HTT.
    pub fn check_htxs_quota(
        &self,
        htxs: u32,
        htt: u32,
        on: NaiveDate,
    ) -> Result<Result<QuotaCheck, TierRefusal>, RulesError> {
        let q = self.htxs_quota(htxs, htt, on)?;
        if q.ok {
            return Ok(Ok(q));
        }
        Ok(Err(TierRefusal {
            code: "tier.quota",
            message: format!(
                "Vượt tỷ lệ \"Hoàn thành xuất sắc nhiệm vụ\": {htxs} đảng viên, trong khi với {htt} đảng viên \"Hoàn thành tốt nhiệm vụ\" chỉ được tối đa {} — {}",
                q.max_htxs, q.citation
            ),
        }))
    }
}

/// What a collective (a cell) is rated on (QĐ 366 Art. 11): the points of its collective
/// self-review on the 100-point frame, its tasks, and how many members of its leadership
/// (the cell's committee) were disciplined in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CollectiveInput {
    /// Points on the 100-point frame.
    pub points: u32,
    /// Tasks of the period.
    pub tasks_total: u32,
    /// Completed (on time or late).
    pub tasks_done: u32,
    /// Completed on time.
    pub tasks_on_time: u32,
    /// Exceeding the requirement.
    pub tasks_exceeding: u32,
    /// Members of the collective's leadership disciplined in the period.
    pub leaders_disciplined: u32,
}

impl Rules {
    /// The best tier a collective may be rated: the points' band with the task conditions of
    /// a collective (late tasks within the pack's share for HT), then capped when a member of
    /// its leadership was disciplined in the period (no HTXS, QĐ 366 Art. 11).
    pub fn evaluate_collective(
        &self,
        i: &CollectiveInput,
        on: NaiveDate,
    ) -> Result<Evaluation, RulesError> {
        let base = self.evaluate(
            &EvaluationInput {
                points: i.points,
                tasks_total: i.tasks_total,
                tasks_done: i.tasks_done,
                tasks_on_time: i.tasks_on_time,
                tasks_exceeding: i.tasks_exceeding,
                disqualified: false,
                collective: true,
            },
            on,
        )?;
        if i.leaders_disciplined == 0 {
            return Ok(base);
        }
        let view = self.pack_at(on)?;
        let param = "evaluation_collective_cap_leader_disciplined";
        let code: String = view.get(param)?;
        let cap = Tier::from_code(&code)
            .ok_or_else(|| RulesError::Invalid(format!("{param}: {code}")))?;
        if base.tier >= cap {
            return Ok(base);
        }
        let citation = view.cite(param)?;
        Ok(Evaluation {
            tier: cap,
            explanation: format!(
                "{}: {} thành viên cấp ủy bị thi hành kỷ luật trong kỳ đánh giá — {citation}",
                cap.name(),
                i.leaders_disciplined
            ),
            citation,
        })
    }

    /// Checks a tier proposed for (or decided on) a collective: no better than
    /// [`Rules::evaluate_collective`] allows. `Ok` carries the engine's own rating; the refusal's
    /// code is `tier.leader_disciplined` when the discipline cap binds, else `tier.above_band`.
    pub fn check_collective_tier(
        &self,
        proposed: Tier,
        input: &CollectiveInput,
        on: NaiveDate,
    ) -> Result<Result<Evaluation, TierRefusal>, RulesError> {
        let allowed = self.evaluate_collective(input, on)?;
        if proposed >= allowed.tier {
            return Ok(Ok(allowed));
        }
        let unbound = self.evaluate_collective(
            &CollectiveInput {
                leaders_disciplined: 0,
                ..*input
            },
            on,
        )?;
        let code = if proposed >= unbound.tier {
            "tier.leader_disciplined"
        } else {
            "tier.above_band"
        };
        Ok(Err(TierRefusal {
            code,
            message: format!(
                "Không thể xếp loại chi bộ \"{}\": chỉ được xếp loại \"{}\" ({})",
                proposed.name(),
                allowed.tier.name(),
                allowed.explanation
            ),
        }))
    }
}

#[cfg(test)]
mod round_tests {
    use super::*;

    fn rules() -> Rules {
        Rules::embedded()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_frame_adds_up_to_100_and_cites_the_guidance() {
        let c = rules()
            .evaluation_criteria(d(2026, 12, 1))
            .expect("criteria");
        assert_eq!(c.items.iter().map(|(_, p)| p).sum::<u32>(), 100);
        assert!(c.citation.contains("366"), "{}", c.citation);
    }

    #[test]
    fn a_tier_above_the_points_band_is_refused_with_the_rule() {
        let input = EvaluationInput {
            points: 85,
            tasks_total: 2,
            tasks_done: 2,
            tasks_on_time: 2,
            tasks_exceeding: 1,
            ..EvaluationInput::default()
        };
        let r = rules();
        let on = d(2026, 12, 10);
        let e = r
            .check_tier(Tier::Htxs, &input, on)
            .expect("rules")
            .unwrap_err();
        assert_eq!(e.code, "tier.above_band");
        assert!(e.message.contains("366"), "{}", e.message);
        assert_eq!(
            r.check_tier(Tier::Htt, &input, on)
                .expect("rules")
                .expect("ok")
                .tier,
            Tier::Htt
        );
        assert!(r.check_tier(Tier::Ht, &input, on).expect("rules").is_ok());
    }

    #[test]
    fn an_overdue_task_keeps_a_member_from_htxs() {
        let input = EvaluationInput {
            points: 95,
            tasks_total: 3,
            tasks_done: 2,
            tasks_on_time: 2,
            tasks_exceeding: 2,
            ..EvaluationInput::default()
        };
        let e = rules()
            .check_tier(Tier::Htxs, &input, d(2026, 12, 10))
            .expect("rules")
            .unwrap_err();
        assert_eq!(e.code, "tier.above_band");
    }

    #[test]
    fn the_quota_is_a_fifth_of_htt() {
        let r = rules();
        let on = d(2026, 12, 10);
        assert!(r.check_htxs_quota(3, 15, on).expect("rules").is_ok());
        let e = r.check_htxs_quota(4, 15, on).expect("rules").unwrap_err();
        assert_eq!(e.code, "tier.quota");
        assert!(e.message.contains("tối đa 3"), "{}", e.message);
        assert_eq!(
            Tier::ALL.map(|t| Tier::from_code(t.code())),
            Tier::ALL.map(Some)
        );
    }

    fn cell(points: u32, total: u32, on_time: u32, done: u32, exceeding: u32) -> CollectiveInput {
        CollectiveInput {
            points,
            tasks_total: total,
            tasks_done: done,
            tasks_on_time: on_time,
            tasks_exceeding: exceeding,
            leaders_disciplined: 0,
        }
    }

    #[test]
    fn a_cell_is_rated_by_its_points_and_its_tasks() {
        let r = rules();
        let on = d(2026, 12, 20);
        let tier = |i: CollectiveInput| r.evaluate_collective(&i, on).expect("rules").tier;
        assert_eq!(tier(cell(92, 10, 10, 10, 3)), Tier::Htxs);
        // Fewer than 30 % exceeding the requirement: HTT.
        assert_eq!(tier(cell(92, 10, 10, 10, 2)), Tier::Htt);
        // One task late: not HTT; within the collective's 20 % late allowance: HT.
        assert_eq!(tier(cell(85, 10, 9, 10, 3)), Tier::Ht);
        // Three of ten late: beyond the allowance.
        assert_eq!(tier(cell(85, 10, 7, 10, 3)), Tier::Kht);
        // A task not done at all: KHT whatever the points.
        assert_eq!(tier(cell(95, 10, 9, 9, 3)), Tier::Kht);
        assert_eq!(tier(cell(45, 0, 0, 0, 0)), Tier::Kht);
    }

    #[test]
    fn a_disciplined_committee_member_keeps_the_cell_from_htxs() {
        let r = rules();
        let on = d(2026, 12, 20);
        let input = CollectiveInput {
            leaders_disciplined: 1,
            ..cell(95, 10, 10, 10, 4)
        };
        let e = r.evaluate_collective(&input, on).expect("rules");
        assert_eq!(e.tier, Tier::Htt);
        assert!(e.citation.contains("366"), "{}", e.citation);
        let refusal = r
            .check_collective_tier(Tier::Htxs, &input, on)
            .expect("rules")
            .unwrap_err();
        assert_eq!(refusal.code, "tier.leader_disciplined");
        assert!(refusal.message.contains("kỷ luật"), "{}", refusal.message);
        assert!(refusal.message.contains("366-QĐ/TW"), "{}", refusal.message);
        assert!(
            r.check_collective_tier(Tier::Htt, &input, on)
                .expect("rules")
                .is_ok()
        );
        // The cap never raises a tier: a cell already below it keeps its own.
        let low = CollectiveInput {
            leaders_disciplined: 2,
            ..cell(60, 4, 4, 4, 0)
        };
        assert_eq!(
            r.evaluate_collective(&low, on).expect("rules").tier,
            Tier::Ht
        );
        let e = r
            .check_collective_tier(Tier::Htt, &low, on)
            .expect("rules")
            .unwrap_err();
        assert_eq!(e.code, "tier.above_band");
    }
}

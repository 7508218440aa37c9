//! Party age (tuổi đảng) and the Party badge (Huy hiệu Đảng) milestones.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::guards::{GuardResult, Violation};
use crate::vocab::{Guard, Level, Status};
use crate::{PackView, Rules, RulesError};

/// A period without party activity (expulsion, removal, lost contact, transfer gap), both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interruption {
    /// First day without activity.
    pub from: NaiveDate,
    /// Last day without activity.
    pub to: NaiveDate,
}

/// Party age on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyAge {
    /// Full years.
    pub years: u32,
    /// Full months beyond the years.
    pub months: u32,
    /// Days of interruption deducted.
    pub days_interrupted: u64,
    /// The admission decision date moved later by the interruptions: ages count from here.
    pub effective_start: NaiveDate,
}

/// Party age on `on`: from the admission decision date, minus the days of interruption
/// (QĐ 24 item 4.5.1). Overlapping interruptions count once; days after `on` do not count.
pub fn party_age(admission: NaiveDate, interruptions: &[Interruption], on: NaiveDate) -> PartyAge {
    let mut spans: Vec<(NaiveDate, NaiveDate)> = interruptions
        .iter()
        .map(|i| (i.from.max(admission), i.to.min(on)))
        .filter(|(a, b)| a <= b)
        .collect();
    spans.sort();
    let mut days = 0u64;
    let mut covered_to: Option<NaiveDate> = None;
    for (a, b) in spans {
        let start = match covered_to {
            Some(c) if c >= a => c.succ_opt().unwrap_or(c),
            _ => a,
        };
        if start <= b {
            days += (b - start).num_days() as u64 + 1;
        }
        covered_to = Some(covered_to.map_or(b, |c| c.max(b)));
    }
    let effective_start = admission + Days::new(days);
    let months = full_months(effective_start, on);
    PartyAge {
        years: months / 12,
        months: months % 12,
        days_interrupted: days,
        effective_start,
    }
}

/// Full months from `from` to `to` (0 when `to` is earlier).
pub(crate) fn full_months(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let mut m = (to.year() - from.year()) as u32 * 12 + to.month() - from.month();
    if from
        .checked_add_months(Months::new(m))
        .is_none_or(|d| d > to)
    {
        m = m.saturating_sub(1);
    }
    m
}

/// A member considered for a badge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeCandidate {
    /// The caller's identifier.
    pub id: String,
    /// Date of the admission decision.
    pub admission: NaiveDate,
    /// Periods without party activity.
    pub interruptions: Vec<Interruption>,
    /// Milestones (in years) already awarded.
    pub awarded: Vec<u32>,
    /// Seriously ill: the badge may be awarded early.
    pub seriously_ill: bool,
    /// Deceased: posthumous award, which may be early.
    pub deceased: bool,
    /// Disciplines received (a block on badges after cảnh cáo or cách chức).
    pub disciplines: Vec<Discipline>,
}

/// A discipline a member received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discipline {
    /// The level.
    pub level: Level,
    /// The day the decision took effect.
    pub effective: NaiveDate,
}

/// A badge due at a ceremony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeDue {
    /// The candidate's identifier.
    pub id: String,
    /// The milestone in years.
    pub milestone: u32,
    /// The day the party age reaches the milestone.
    pub reached_on: NaiveDate,
    /// Awarded before the milestone is reached (illness or posthumous).
    pub early: bool,
    /// The rule's source.
    pub citation: String,
}

impl Rules {
    /// The first badge ceremony day on or after `date`.
    pub fn next_badge_ceremony(&self, date: NaiveDate) -> Result<NaiveDate, RulesError> {
        let days: Vec<(u32, u32)> = self.param("badge_ceremony_dates", date)?;
        (date.year()..=date.year() + 1)
            .flat_map(|y| {
                days.iter()
                    .filter_map(move |&(m, d)| NaiveDate::from_ymd_opt(y, m, d))
            })
            .filter(|d| *d >= date)
            .min()
            .ok_or_else(|| RulesError::Invalid("không có ngày trao Huy hiệu Đảng".into()))
    }

    /// The periods without party activity in a member's standing history (each status with
    /// the day it began, in order): from the day a status the pack lists as interrupting
    /// began to the day before the next standing (admitted again), or to `on` while it lasts.
    pub fn party_interruptions(
        &self,
        history: &[(Status, NaiveDate)],
        on: NaiveDate,
    ) -> Result<Vec<Interruption>, RulesError> {
        let codes: Vec<String> = self.param("party_age_interrupting_statuses", on)?;
        let mut out = Vec::new();
        for (i, (status, from)) in history.iter().enumerate() {
            if !codes.iter().any(|c| c == status.as_str()) || *from > on {
                continue;
            }
            let to = match history.get(i + 1) {
                Some((_, next)) => next.pred_opt().unwrap_or(*next),
                None => on,
            };
            if *from <= to {
                out.push(Interruption { from: *from, to });
            }
        }
        Ok(out)
    }

    /// Every badge ceremony day from `from` to `to`, both included, in order.
    pub fn badge_ceremonies(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<NaiveDate>, RulesError> {
        let mut out = Vec::new();
        let mut day = from;
        while day <= to {
            let next = self.next_badge_ceremony(day)?;
            if next > to {
                break;
            }
            out.push(next);
            day = next
                .succ_opt()
                .ok_or_else(|| RulesError::Invalid("ngày ngoài phạm vi".into()))?;
        }
        Ok(out)
    }

    /// The candidate's next badge between `from` and `to`: the first ceremony in that span
    /// at which a milestone not yet awarded is due and no discipline blocks it, with the
    /// milestone. A block moves the badge to the first ceremony after it ends.
    pub fn next_badge(
        &self,
        candidate: &BadgeCandidate,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<(NaiveDate, BadgeDue)>, RulesError> {
        for ceremony in self.badge_ceremonies(from, to)? {
            let view = self.pack_at(ceremony)?;
            if block(&view, candidate, ceremony)?.is_none()
                && let Some(d) = milestone_due(&view, candidate, ceremony)?
            {
                return Ok(Some((ceremony, d)));
            }
        }
        Ok(None)
    }

    /// Who receives a badge at the ceremony on `ceremony`: for each candidate, the highest
    /// milestone not yet awarded that is reached by then, or within the early-award window
    /// for seriously ill or deceased members, unless a discipline blocks it.
    pub fn badges_due(
        &self,
        candidates: &[BadgeCandidate],
        ceremony: NaiveDate,
    ) -> Result<Vec<BadgeDue>, RulesError> {
        let view = self.pack_at(ceremony)?;
        let mut due = Vec::new();
        for c in candidates {
            if block(&view, c, ceremony)?.is_none()
                && let Some(d) = milestone_due(&view, c, ceremony)?
            {
                due.push(d);
            }
        }
        Ok(due)
    }

    /// Whether `candidate` may be proposed for the badge of the ceremony on `ceremony`: the
    /// milestone due, or why not (not reached, or blocked by a discipline until a date).
    pub fn badge_eligibility(
        &self,
        candidate: &BadgeCandidate,
        ceremony: NaiveDate,
    ) -> GuardResult<BadgeDue> {
        let g = Guard::HuyHieu;
        let failure = |e: RulesError| {
            vec![Violation {
                guard: g,
                code: "rules.error",
                message: e.to_string(),
                citation: String::new(),
            }]
        };
        let view = self.pack_at(ceremony).map_err(failure)?;
        let mut out = Vec::new();
        if let Some((level, until, citation)) =
            block(&view, candidate, ceremony).map_err(failure)?
        {
            out.push(Violation {
                guard: g,
                code: "huy_hieu.blocked",
                message: format!(
                    "đảng viên bị kỷ luật {}: chưa xét tặng Huy hiệu Đảng trước ngày {}",
                    level.label_vi().to_lowercase(),
                    until.format("%d/%m/%Y")
                ),
                citation,
            });
        }
        let due = milestone_due(&view, candidate, ceremony).map_err(failure)?;
        if due.is_none() {
            let age = party_age(candidate.admission, &candidate.interruptions, ceremony);
            out.push(Violation {
                guard: g,
                code: "huy_hieu.not_reached",
                message: format!(
                    "tuổi đảng đến ngày {} là {} năm {} tháng: chưa đến mốc Huy hiệu chưa được tặng",
                    ceremony.format("%d/%m/%Y"),
                    age.years,
                    age.months
                ),
                citation: view.cite("badge_milestones_years").map_err(failure)?,
            });
        }
        match due {
            Some(d) if out.is_empty() => Ok(d),
            _ => Err(out),
        }
    }
}

/// The milestone due at `ceremony`, ignoring blocks.
fn milestone_due(
    view: &PackView<'_>,
    c: &BadgeCandidate,
    ceremony: NaiveDate,
) -> Result<Option<BadgeDue>, RulesError> {
    let milestones: Vec<u64> = view.get("badge_milestones_years")?;
    let early: u32 = view.get("badge_early_award_months")?;
    let early_long: u32 = view.get("badge_early_award_months_long")?;
    let long_from: u64 = view.get("badge_early_award_long_from_years")?;
    let posthumous: u32 = view.get("badge_early_award_months_posthumous")?;
    let citation = view.cite("badge_milestones_years")?;
    let start = party_age(c.admission, &c.interruptions, ceremony).effective_start;
    let highest_awarded = c.awarded.iter().copied().max().unwrap_or(0);
    let found = milestones
        .iter()
        .rev()
        .filter(|&&m| m > u64::from(highest_awarded))
        .find_map(|&m| {
            let m32 = u32::try_from(m).ok()?;
            let reached_on = start.checked_add_months(Months::new(m32 * 12))?;
            let window = if c.deceased {
                posthumous
            } else if c.seriously_ill {
                if m >= long_from { early_long } else { early }
            } else {
                0
            };
            let earliest = reached_on.checked_sub_months(Months::new(window))?;
            (earliest <= ceremony).then_some((m32, reached_on))
        });
    Ok(found.map(|(milestone, reached_on)| BadgeDue {
        id: c.id.clone(),
        milestone,
        reached_on,
        early: reached_on > ceremony,
        citation,
    }))
}

/// The discipline that blocks a badge at `ceremony`: its level, the first day the member may
/// be proposed again, and the rule. Only the levels the pack gives a block period block.
fn block(
    view: &PackView<'_>,
    c: &BadgeCandidate,
    ceremony: NaiveDate,
) -> Result<Option<(Level, NaiveDate, String)>, RulesError> {
    let mut worst: Option<(Level, NaiveDate, String)> = None;
    for d in &c.disciplines {
        let param = match d.level {
            Level::CanhCao => "badge_block_months_canh_cao",
            Level::CachChuc => "badge_block_months_cach_chuc",
            Level::KhienTrach | Level::KhaiTru => continue,
        };
        let months: u32 = view.get(param)?;
        let until = d
            .effective
            .checked_add_months(Months::new(months))
            .ok_or_else(|| RulesError::Invalid("ngày ngoài phạm vi".into()))?;
        if d.effective <= ceremony && ceremony < until && worst.as_ref().is_none_or(|w| until > w.1)
        {
            worst = Some((d.level, until, view.cite(param)?));
        }
    }
    Ok(worst)
}

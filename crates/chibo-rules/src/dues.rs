//! Monthly party dues per member category, with exemptions, reductions and rounding from the pack.

use chrono::NaiveDate;

use crate::fraction::Fraction;
use crate::{PackView, Rules, RulesError};

/// Regional minimum-wage zone (vùng I–IV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Vùng I.
    I,
    /// Vùng II.
    II,
    /// Vùng III.
    III,
    /// Vùng IV.
    IV,
}

impl Zone {
    fn param(self) -> &'static str {
        match self {
            Zone::I => "regional_min_wage_vnd_zone_1",
            Zone::II => "regional_min_wage_vnd_zone_2",
            Zone::III => "regional_min_wage_vnd_zone_3",
            Zone::IV => "regional_min_wage_vnd_zone_4",
        }
    }
}

/// How a member's dues are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuesCategory {
    /// In compulsory social insurance: a rate of last month's BHXH salary (or allowance).
    Bhxh {
        /// Last month's BHXH contribution salary in đồng.
        salary_vnd: u64,
    },
    /// Pensioner: a rate of the pension.
    Pension {
        /// Monthly pension in đồng.
        pension_vnd: u64,
    },
    /// Student: a fixed amount.
    Student,
    /// Other member below retirement age: a rate of the regional minimum wage.
    OtherUnderRetirement {
        /// Zone of residence.
        zone: Zone,
    },
    /// Other member at retirement age without a pension: a rate of the regional minimum wage.
    OtherRetirementAge {
        /// Zone of residence.
        zone: Zone,
    },
}

/// One member-month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuesInput {
    /// The category.
    pub category: DuesCategory,
    /// Party age in full years (long-standing members are exempt).
    pub party_age_years: u32,
    /// Exempted by decision (social-pension allowance, hardship).
    pub exempt: bool,
    /// An approved reduction in percent (one of the pack's options).
    pub reduction_pct: Option<u32>,
}

/// The amount due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dues {
    /// Amount in đồng, rounded as the pack says.
    pub amount_vnd: u64,
    /// How it was computed, in Vietnamese.
    pub explanation: String,
    /// Sources of the rules applied.
    pub citations: Vec<String>,
}

/// A parameter that may not be in force yet (e.g. exemptions before QĐ 01-QĐ/TW).
fn optional<T: crate::FromValue>(view: &PackView<'_>, name: &str) -> Result<Option<T>, RulesError> {
    match view.get(name) {
        Ok(v) => Ok(Some(v)),
        Err(RulesError::NotInForce { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Rules {
    /// The dues for one member for the month containing `month`.
    pub fn dues(&self, input: &DuesInput, month: NaiveDate) -> Result<Dues, RulesError> {
        let view = self.pack_at(month)?;
        let mut citations = Vec::new();
        if let Some(years) = optional::<u32>(&view, "dues_exempt_party_age_years")?
            && input.party_age_years >= years
        {
            let c = view.cite("dues_exempt_party_age_years")?;
            return Ok(Dues {
                amount_vnd: 0,
                explanation: format!(
                    "Miễn đóng: tuổi đảng {} năm (≥ {years}) — {c}",
                    input.party_age_years
                ),
                citations: vec![c],
            });
        }
        if input.exempt {
            return Ok(Dues {
                amount_vnd: 0,
                explanation: "Miễn đóng theo quyết định của cấp có thẩm quyền".into(),
                citations,
            });
        }
        let (basis, rate_param, what) = match input.category {
            DuesCategory::Bhxh { salary_vnd } => (
                Some(salary_vnd),
                "dues_rate_bhxh",
                "tiền lương đóng BHXH tháng trước",
            ),
            DuesCategory::Pension { pension_vnd } => {
                (Some(pension_vnd), "dues_rate_pension", "lương hưu")
            }
            DuesCategory::Student => (
                None,
                "dues_student_vnd",
                "mức cố định cho học sinh, sinh viên",
            ),
            DuesCategory::OtherUnderRetirement { zone } => (
                Some(view.get(zone.param())?),
                "dues_rate_other_under_retirement",
                "lương tối thiểu vùng (chưa đến tuổi nghỉ hưu)",
            ),
            DuesCategory::OtherRetirementAge { zone } => (
                Some(view.get(zone.param())?),
                "dues_rate_other_retirement_age",
                "lương tối thiểu vùng (đến tuổi nghỉ hưu, không có lương hưu)",
            ),
        };
        // Exact amount as a fraction num/den of đồng.
        let (mut num, mut den, rate_text) = match basis {
            None => {
                let fixed: u64 = view.get(rate_param)?;
                (fixed, 1, format!("{fixed} đ"))
            }
            Some(basis) => {
                let rate: Fraction = view.get(rate_param)?;
                (
                    basis * rate.num(),
                    rate.den(),
                    format!("{} × {basis} đ", rate.percent_string()),
                )
            }
        };
        citations.push(view.cite(rate_param)?);
        if matches!(
            input.category,
            DuesCategory::OtherUnderRetirement { .. } | DuesCategory::OtherRetirementAge { .. }
        ) {
            citations.push(view.cite("regional_min_wage_vnd_zone_1")?);
        }
        let mut explanation = format!("{rate_text} ({what})");
        if let Some(pct) = input.reduction_pct {
            let options: Vec<u64> =
                optional(&view, "dues_reduction_options_pct")?.unwrap_or_default();
            if !options.contains(&u64::from(pct)) {
                return Err(RulesError::Invalid(format!(
                    "mức giảm {pct}% không được phép (chỉ: {:?})",
                    options
                )));
            }
            num *= 100 - u64::from(pct);
            den *= 100;
            explanation.push_str(&format!(", giảm {pct}%"));
            citations.push(view.cite("dues_reduction_options_pct")?);
        }
        let step: u64 = view.get("dues_rounding_step_vnd")?;
        let step = step.max(1);
        // Nearest multiple of the step, halves up: floor((2·num + step·den) / (2·step·den)) · step.
        let amount = (2 * num + step * den) / (2 * step * den) * step;
        citations.push(view.cite("dues_rounding_step_vnd")?);
        Ok(Dues {
            amount_vnd: amount,
            explanation: format!(
                "{amount} đ = {explanation}, làm tròn đến {step} đ — {}",
                citations.join("; ")
            ),
            citations,
        })
    }
}

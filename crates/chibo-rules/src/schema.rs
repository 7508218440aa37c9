//! The names and types of every parameter a pack may set. Packs hold the values; this list
//! only says what a value must look like, so a local pack with a typo fails with a line number.

use crate::vocab::{CaseKind, Code, Level, Status, ViolationKind};

const STATUSES: &[&str] = Status::CODES;
const LEVELS: &[&str] = Level::CODES;
const CASE_KINDS: &[&str] = CaseKind::CODES;
const VIOLATIONS: &[&str] = ViolationKind::CODES;
const CRITERIA: &[&str] = crate::evaluation::Criterion::CODES;
const TIERS: &[&str] = &["htxs", "htt", "ht", "kht"];
/// Which members a threshold is a share of.
pub const BASES: &[&str] = &["convened_minus_exclusions", "all_full_members"];
const INTRODUCER_SCOPES: &[&str] = &["chi_bo", "dang_bo_co_so"];
const FREQUENCIES: &[&str] = &["monthly", "quarterly"];
const ELECTED_BODIES: &[&str] = &["chi_uy", "bi_thu", "pho_bi_thu", "dai_bieu"];

/// The shape of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative integer (counts, days, months, years, đồng).
    Int,
    /// `true` / `false`.
    Bool,
    /// Free text.
    Text,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// A list of words from a fixed set.
    ChoiceList(&'static [&'static str]),
    /// A fraction `"2/3"` or a percentage `"0.5%"`.
    Ratio,
    /// A ratio, or `"none"` when the rule is not set (e.g. no quorum).
    OptRatio,
    /// `"> 1/2"` or `">= 2/3"`.
    Threshold,
    /// A list of non-negative integers.
    IntList,
    /// A list of `"MM-DD"` days of the year.
    MonthDayList,
}

impl Kind {
    /// How the kind is described in error messages.
    pub fn describe(self) -> String {
        match self {
            Kind::Int => "số nguyên không âm".into(),
            Kind::Bool => "true hoặc false".into(),
            Kind::Text => "chuỗi".into(),
            Kind::Choice(c) => format!("một trong: {}", c.join(", ")),
            Kind::ChoiceList(c) => format!("danh sách gồm: {}", c.join(", ")),
            Kind::Ratio => "phân số \"2/3\" hoặc tỉ lệ \"0.5%\"".into(),
            Kind::OptRatio => "phân số, tỉ lệ hoặc \"none\"".into(),
            Kind::Threshold => "ngưỡng \"> 1/2\" hoặc \">= 2/3\"".into(),
            Kind::IntList => "danh sách số nguyên".into(),
            Kind::MonthDayList => "danh sách ngày \"MM-DD\"".into(),
        }
    }
}

/// One known parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamDef {
    /// The name used in packs.
    pub name: &'static str,
    /// The value's shape.
    pub kind: Kind,
}

const fn p(name: &'static str, kind: Kind) -> ParamDef {
    ParamDef { name, kind }
}

use Kind::*;

/// Every parameter the national pack must define and a local pack may override.
pub static PARAMS: &[ParamDef] = &[
    // Cell structure and term
    p("min_full_members_to_form_cell", Int),
    p("full_members_threshold_for_chi_uy", Int),
    p("max_chi_uy_members", Int),
    p("pho_bi_thu_count", Int),
    p("bi_thu_max_election_rounds_before_appointment", Int),
    p("cell_term_months", Int),
    p("cell_term_pilot_months", Int),
    p("congress_date_tolerance_months", Int),
    p("congress_notice_working_days", Int),
    // Meetings
    p("regular_meeting_frequency", Choice(FREQUENCIES)),
    p("thematic_meeting_frequency", Choice(FREQUENCIES)),
    p("min_meeting_minutes", Int),
    p("min_meeting_minutes_when_combined", Int),
    p("docs_upload_before_meeting_days", Int),
    p("docs_upload_after_meeting_days", Int),
    p("meeting_notice_days", Int),
    p("meeting_quorum", OptRatio),
    p("attendance_target", Ratio),
    p("max_consecutive_excused_absences_per_year", Int),
    p("meeting_quality_tot_min", Int),
    p("meeting_quality_kha_min", Int),
    p("meeting_quality_trung_binh_min", Int),
    p("meeting_weight_time", Int),
    p("meeting_weight_attendance", Int),
    p("meeting_weight_preparation", Int),
    p("meeting_weight_conduct", Int),
    p("meeting_weight_chairing", Int),
    p("meeting_weight_principles", Int),
    p("meeting_weight_results", Int),
    p("meeting_weight_closing", Int),
    p("due_soon_working_days", Int),
    // Removal from the list (xóa tên)
    p("xoa_ten_unpaid_months_per_year", Int),
    p("xoa_ten_unexcused_absences_per_year", Int),
    p("no_progress_months_for_xoa_ten", Int),
    // Voting
    p("probationary_can_vote", Bool),
    p("all_full_members_statuses", ChoiceList(STATUSES)),
    p("nghi_quyet_threshold", Threshold),
    p("nghi_quyet_base", Choice(BASES)),
    p("nghi_quyet_secret_ballot", Bool),
    p("bau_cu_threshold", Threshold),
    p("bau_cu_base", Choice(BASES)),
    p("bau_cu_secret_ballot", Bool),
    // k of the counting committee's n phones needed to decrypt a secret ballot.
    p("secret_ballot_trustee_threshold", Threshold),
    p("ket_nap_threshold", Threshold),
    p("ket_nap_base", Choice(BASES)),
    p("ket_nap_secret_ballot", Bool),
    p("cong_nhan_chinh_thuc_threshold", Threshold),
    p("cong_nhan_chinh_thuc_base", Choice(BASES)),
    p("cong_nhan_chinh_thuc_secret_ballot", Bool),
    p("xoa_ten_du_bi_threshold", Threshold),
    p("xoa_ten_du_bi_base", Choice(BASES)),
    p("xoa_ten_du_bi_secret_ballot", Bool),
    p("ky_luat_threshold", Threshold),
    p("ky_luat_base", Choice(BASES)),
    p("ky_luat_secret_ballot", Bool),
    p("xoa_ten_threshold", Threshold),
    p("xoa_ten_base", Choice(BASES)),
    p("xoa_ten_secret_ballot", Bool),
    p("de_nghi_khai_tru_threshold", Threshold),
    p("de_nghi_khai_tru_base", Choice(BASES)),
    p("de_nghi_khai_tru_secret_ballot", Bool),
    p("recognition_max_failed_votes_before_escalation", Int),
    p("cell_discipline_max_level", Choice(LEVELS)),
    p("election_ballot_secret_for", ChoiceList(ELECTED_BODIES)),
    p("max_candidate_surplus", Ratio),
    // Admission and probation
    p("admission_age_min_years", Int),
    p("admission_age_max_years", Int),
    p("admission_min_education", Text),
    p("introducers_required", Int),
    p("introducer_shared_time_months", Int),
    p("party_awareness_certificate_validity_years", Int),
    p("ceremony_deadline_working_days", Int),
    p("probation_months", Int),
    p("recognition_review_deadline_working_days", Int),
    p("readmission_min_months_after_leaving", Int),
    p("admission_decision_deadline_working_days", Int),
    p("admission_decision_extension_working_days", Int),
    p("recognition_decision_deadline_working_days", Int),
    p("recognition_decision_extension_working_days", Int),
    p("introducer_statuses", ChoiceList(STATUSES)),
    p("introducer_min_party_age_months", Int),
    p("introducer_scope", Choice(INTRODUCER_SCOPES)),
    p("introducer_union_resolution_replaces", Int),
    // Evaluation (QĐ 366)
    p("evaluation_htxs_min_points", Int),
    p("evaluation_htt_min_points", Int),
    p("evaluation_ht_min_points", Int),
    p("evaluation_htxs_min_exceeding", Ratio),
    p("evaluation_ht_max_late", Ratio),
    p("htxs_quota_of_htt", Ratio),
    p("evaluation_period", Text),
    p("evaluation_form_collective", Text),
    p("evaluation_form_leader", Text),
    p("evaluation_form_cadre", Text),
    p("evaluation_form_outside_system", Text),
    p("evaluation_criteria", ChoiceList(CRITERIA)),
    p("evaluation_criteria_points", IntList),
    // Dues
    p("dues_rate_bhxh", Ratio),
    p("dues_rate_pension", Ratio),
    p("dues_student_vnd", Int),
    p("dues_rate_other_under_retirement", Ratio),
    p("dues_rate_other_retirement_age", Ratio),
    p("regional_min_wage_vnd_zone_1", Int),
    p("regional_min_wage_vnd_zone_2", Int),
    p("regional_min_wage_vnd_zone_3", Int),
    p("regional_min_wage_vnd_zone_4", Int),
    p("dues_exempt_party_age_years", Int),
    p("dues_reduction_options_pct", IntList),
    p("dues_reduction_max_months", Int),
    p("dues_cell_retention", OptRatio),
    p("dues_rounding_step_vnd", Int),
    // Badges
    p("party_age_interrupting_statuses", ChoiceList(STATUSES)),
    p("badge_milestones_years", IntList),
    p("badge_early_award_months", Int),
    p("badge_early_award_months_long", Int),
    p("badge_early_award_long_from_years", Int),
    p("badge_early_award_months_posthumous", Int),
    p("badge_ceremony_dates", MonthDayList),
    p("badge_block_months_canh_cao", Int),
    p("badge_block_months_cach_chuc", Int),
    // Discipline
    p("discipline_limitation_months_khien_trach", Int),
    p("discipline_limitation_months_canh_cao", Int),
    p("discipline_limitation_months_cach_chuc", Int),
    p("discipline_no_limit_levels", ChoiceList(LEVELS)),
    p("discipline_no_limit_violations", ChoiceList(VIOLATIONS)),
    p("discipline_handover_days", Int),
    p("discipline_announce_days", Int),
    p("discipline_complaint_months", Int),
    p("discipline_lapse_months", Int),
    p("discipline_never_lapses", ChoiceList(LEVELS)),
    p("discipline_state_proposal_working_days", Int),
    p("discipline_probationary_max_level", Choice(LEVELS)),
    p("evaluation_tier_cap_disciplined", Choice(TIERS)),
    p(
        "evaluation_collective_cap_leader_disciplined",
        Choice(TIERS),
    ),
    // Transfers
    p("transfer_procedure_deadline_working_days", Int),
    p("transfer_present_letter_deadline_working_days", Int),
    p("temp_transfer_min_months", Int),
    p("temp_transfer_max_months", Int),
    p("temp_transfer_study_max_months", Int),
    p("transfer_kinds", ChoiceList(CASE_KINDS)),
    p(
        "transfer_internal_present_letter_deadline_working_days",
        Int,
    ),
    p(
        "transfer_temporary_present_letter_deadline_working_days",
        Int,
    ),
    p("transfer_blocked_by_open_cases", ChoiceList(CASE_KINDS)),
    p("transfer_requires_dues_paid_through_letter_month", Bool),
    p("transfer_online_portal", Bool),
    // Residents' concerns (no central rule: local-pack settings)
    p("resident_concern_forward_working_days", Int),
    p("resident_concern_answer_working_days", Int),
    p("resident_concern_report_next_meeting", Bool),
    // Documents and identifiers
    p("doc_margins_mm", IntList),
    p("doc_font", Text),
    p("doc_body_font_pt", Int),
    p("doc_number_scope", Text),
    p("doc_org_symbol_cell", Text),
    p("doc_org_symbol_upper", Text),
    p("party_card_no_length", Int),
    p("org_code_format", Text),
    p("working_day_calendar", Text),
];

/// The definition of a parameter, if the name is known.
pub fn find(name: &str) -> Option<&'static ParamDef> {
    PARAMS.iter().find(|d| d.name == name)
}

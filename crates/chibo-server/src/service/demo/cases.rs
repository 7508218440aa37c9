//! The demo's cases in its first cell: a candidate waiting at each step of
//! the admission, from the proposal to the ceremony, and the recognition of
//! each probationary member, with helpers assigned and self-reviews where the
//! probation is well along. Some are overdue on the demo's day: the upper
//! committee's decision on an admission and on a recognition, a ceremony not
//! held in time, and a recognition vote the cell has not taken, so the
//! dashboards show "quá hạn N ngày làm việc". Every case goes through the
//! services as the secretary, the upper committee's office and the cell's
//! meetings would record it, on the days they would: each step checked by the
//! rules in force on its day, with its audit entry. The days count back from
//! the demo's day, so the same day gives the same data.

use super::super::cases::{CandidateForm, IntroducerForm, StepForm};
use super::super::meetings::MeetingForm;
use super::super::{Actor, Result, Services, today as day_of};
use crate::model::{Status, VoteMode};
use crate::store::{self, members::MemberRow};
use chibo_rules::{CaseKind, DecisionKind};
use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// A candidate of the demo: name, birth date, days since the cell proposed
/// them, and how many steps of the dossier are done.
const CANDIDATES: [(&str, &str, i64, usize); 3] = [
    ("Nguyễn Thị Thu Hà", "14/03/1999", 2, 0),
    ("Trần Minh Khôi", "02/09/2001", 75, 3),
    ("Lê Hoàng Yến", "21/11/1996", 160, 7),
];

/// Candidates past the cell's vote, voted this many days before the demo's
/// day: waiting for the upper committee's resolution (on time), for its
/// decision (overdue), and for the ceremony (overdue).
const VOTED: [(&str, &str, i64); 3] = [
    ("Phạm Quốc Bảo", "08/05/1994", 12),
    ("Võ Thị Ngọc Lan", "30/01/1998", 100),
    ("Đặng Minh Tuấn", "17/07/1992", 100),
];

/// Candidates admitted about fourteen months before the demo's day, whose
/// probation has ended: one waits for the cell's recognition vote, the
/// other for the upper committee's decision, both overdue.
const ADMITTED: [(&str, &str); 2] = [
    ("Bùi Thị Thanh Hương", "03/12/1995"),
    ("Hồ Văn Phát", "25/06/1993"),
];

/// Days before the demo's day the admitted were proposed: their dossier a
/// day a step, the vote, the decisions and the ceremony within three weeks
/// (the admission procedure of HD 38 is in force from 29/9/2025, 430 days
/// before the tests' day).
const ADMITTED_DAYS_AGO: i64 = 430;

/// The dossier's steps in their order, with the forms each files.
const DOSSIER: [(&str, &[&str]); 7] = [
    ("bdnt", &["CN-NTVĐ"]),
    ("don_xin_vao_dang", &["1-KNĐ"]),
    ("ly_lich", &["2-KNĐ"]),
    ("tham_tra_ly_lich", &[]),
    ("gioi_thieu", &["3-KNĐ"]),
    ("lay_y_kien", &["5-KNĐ", "5B-KNĐ", "5C-KNĐ"]),
    ("chi_uy_xem_xet", &[]),
];

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `hh:mm` in Hà Nội on `d`, as an instant.
fn local(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    Ho_Chi_Minh
        .from_local_datetime(&d.and_time(t))
        .single()
        .expect("no DST in Vietnam")
        .with_timezone(&Utc)
}

/// A step as the demo records it: its date, and the forms filed.
fn step(code: &str, on: NaiveDate, forms: &[&str]) -> StepForm {
    StepForm {
        step: code.into(),
        date: dmy(on),
        forms: forms.iter().map(|f| (*f).into()).collect(),
        ..StepForm::default()
    }
}

/// Who records the demo's cases.
struct Cell<'a> {
    id: i64,
    secretary: &'a Actor,
    upper: &'a Actor,
    /// Full members, the longest in the Party first: they introduce and
    /// help, their party age and shared time past every pack's minimum.
    full: Vec<&'a MemberRow>,
}

impl Services {
    /// Opens the demo's cases in the first cell, as its secretary (`bithu`)
    /// and its upper committee's office (`dangbo`). Returns how many cases
    /// were opened (the recognitions opened at a ceremony included).
    pub async fn generate_demo_cases(&self, now: DateTime<Utc>) -> Result<usize> {
        let (Some(secretary), Some(upper)) = (
            self.demo_actor(&super::secretary_login(1)).await?,
            self.demo_actor(&super::upper_login(1)).await?,
        ) else {
            return Ok(0);
        };
        let Some(cell) = secretary.units.first().map(|u| u.id) else {
            return Ok(0);
        };
        let members = self
            .db
            .read(async |r| store::members::of_cell(r, cell).await)
            .await?;
        let today = day_of(now);
        let mut full: Vec<&MemberRow> = members
            .iter()
            .filter(|m| m.status == Status::ChinhThuc && m.admission_date.is_some())
            .collect();
        full.sort_by_key(|m| m.admission_date);
        let c = Cell {
            id: cell,
            secretary: &secretary,
            upper: &upper,
            full,
        };
        let mut opened = 0;
        for (name, born, days_ago, done) in CANDIDATES {
            let start = today - Duration::days(days_ago);
            self.demo_dossier(&c, name, born, start, (done, 7), now)
                .await?;
            opened += 1;
        }
        opened += self.demo_voted(&c, today, now).await?;
        opened += self.demo_admitted(&c, today, now).await?;
        // Each probationary member's recognition, opened today (they were
        // admitted before the demo's cases, so nothing is dated earlier);
        // past three months of probation their helpers are named today, past
        // nine they have handed in their self-review.
        for m in members.iter().filter(|m| m.status == Status::DuBi) {
            let Some(ceremony) = m.ceremony_date else {
                continue;
            };
            let case = self.open_recognition(&secretary, m.id, now).await?;
            opened += 1;
            let months = (today - ceremony).num_days() / 30;
            if months >= 3 {
                let f = StepForm {
                    mentors: c.full.iter().skip(2).take(2).map(|m| m.id).collect(),
                    ..step("phan_cong_giup_do", today, &[])
                };
                self.record_step(&secretary, case, &f, now).await?;
            }
            if months >= 9 {
                let f = step("tu_kiem_diem", today, &["10-KNĐ"]);
                self.record_step(&secretary, case, &f, now).await?;
            }
        }
        Ok(opened)
    }

    async fn demo_actor(&self, login: &str) -> Result<Option<Actor>> {
        let account = self
            .db
            .read(async |r| store::accounts::by_login(r, login).await)
            .await?;
        Ok(match account {
            Some(a) => Some(Actor::load(&self.db, a.id).await?),
            None => None,
        })
    }

    /// Proposes a candidate on `start` and files `done` steps of the dossier,
    /// `gap` days apart. Returns the case.
    async fn demo_dossier(
        &self,
        c: &Cell<'_>,
        name: &str,
        born: &str,
        start: NaiveDate,
        (done, gap): (usize, i64),
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let form = CandidateForm {
            full_name: name.into(),
            date_of_birth: born.into(),
            residence: "Tổ 3, khu phố 1".into(),
            opened_on: dmy(start),
            ..CandidateForm::default()
        };
        let case = self
            .propose_candidate(c.secretary, Some(c.id), &form, now)
            .await?;
        let today = day_of(now);
        for (k, (code, forms)) in DOSSIER.iter().take(done).enumerate() {
            let on = (start + Duration::days(gap * i64::try_from(k).unwrap_or(0))).min(today);
            let mut f = step(code, on, forms);
            if *code == "gioi_thieu" {
                f.introducers = c
                    .full
                    .iter()
                    .take(2)
                    .map(|m| IntroducerForm {
                        member_id: m.id,
                        known_since: dmy(on - Duration::days(3 * 365)),
                    })
                    .collect();
            }
            self.record_step(c.secretary, case, &f, now).await?;
        }
        Ok(case)
    }

    /// The cell's extraordinary meeting on `on` that votes on each of
    /// `subjects`, everyone present and every vote passed; the meeting is
    /// planned a week before and closed two and a half hours after it opens.
    /// Returns the votes, in the order of the subjects.
    async fn demo_meeting_votes(
        &self,
        c: &Cell<'_>,
        on: NaiveDate,
        subjects: &[(DecisionKind, String)],
    ) -> Result<Vec<i64>> {
        let a = c.secretary;
        let form = MeetingForm {
            kind: "bat_thuong".into(),
            date: dmy(on),
            time: "19:30".into(),
            place: "Nhà văn hóa khu phố 1".into(),
            ..MeetingForm::default()
        };
        let opens = local(on, 19, 30);
        let id = self
            .plan_meeting(a, c.id, &form, opens - Duration::days(7))
            .await?;
        self.open_meeting(a, id, None, opens).await?;
        self.mark_all_present(a, id, opens).await?;
        let mut votes = Vec::new();
        for (k, (kind, subject)) in subjects.iter().enumerate() {
            let at = opens + Duration::minutes(30 * (1 + i64::try_from(k).unwrap_or(0)));
            let vote = self
                .open_vote(a, id, *kind, subject, VoteMode::Counts, at)
                .await?;
            let (m, _) = self.meeting(a, id).await?;
            let voters = match self
                .db
                .read(async |r| store::meetings::vote(r, vote).await)
                .await?
            {
                Some(v) => u32::try_from(self.vote_voters(&m, &v).len()).unwrap_or(0),
                None => 0,
            };
            self.enter_counts(a, id, vote, (voters, 0, 0), at + Duration::minutes(10))
                .await?;
            votes.push(vote);
        }
        self.close_meeting(a, id, None, opens + Duration::minutes(150))
            .await?;
        Ok(votes)
    }

    /// Candidates past the cell's vote ([`VOTED`]): the dossier done before
    /// the vote, then the upper committee's steps as far as each has come.
    async fn demo_voted(
        &self,
        c: &Cell<'_>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut by_day: Vec<(NaiveDate, Vec<(i64, &str)>)> = Vec::new();
        for (name, born, days_ago) in VOTED {
            let vote_day = today - Duration::days(days_ago);
            let case = self
                .demo_dossier(c, name, born, vote_day - Duration::days(60), (7, 7), now)
                .await?;
            match by_day.iter_mut().find(|(d, _)| *d == vote_day) {
                Some((_, cases)) => cases.push((case, name)),
                None => by_day.push((vote_day, vec![(case, name)])),
            }
        }
        for (vote_day, cases) in &by_day {
            let subjects: Vec<(DecisionKind, String)> = cases
                .iter()
                .map(|(_, name)| {
                    (
                        DecisionKind::KetNap,
                        format!("Đề nghị kết nạp quần chúng {name} vào Đảng"),
                    )
                })
                .collect();
            let votes = self.demo_meeting_votes(c, *vote_day, &subjects).await?;
            for ((case, _), vote) in cases.iter().zip(votes) {
                let f = StepForm {
                    vote_id: Some(vote),
                    forms: vec!["6-KNĐ".into()],
                    ..step("chi_bo_xet", *vote_day, &[])
                };
                self.record_step(c.secretary, *case, &f, now).await?;
            }
        }
        // The first waits for the upper committee's resolution; the second
        // has it and waits for the decision; the third has the decision and
        // waits for the ceremony.
        let cases: Vec<(i64, NaiveDate)> = by_day
            .iter()
            .flat_map(|(d, cases)| cases.iter().map(move |(k, _)| (*k, *d)))
            .collect();
        for (k, (case, voted)) in cases.iter().enumerate() {
            if k >= 1 {
                let f = step(
                    "nghi_quyet_dang_uy",
                    *voted + Duration::days(10),
                    &["8-KNĐ"],
                );
                self.record_step(c.upper, *case, &f, now).await?;
            }
            if k >= 2 {
                let f = step(
                    "quyet_dinh_ket_nap",
                    *voted + Duration::days(20),
                    &["9-KNĐ"],
                );
                self.record_step(c.upper, *case, &f, now).await?;
            }
        }
        Ok(cases.len())
    }

    /// Candidates admitted over a year ago ([`ADMITTED`]): voted together, decided,
    /// and admitted at their ceremony (which makes them probationary members
    /// and opens their recognition); their helpers named, their self-review
    /// and the helpers' opinions in at the end of the 12 months; the second
    /// voted on by the cell the day after, the first not yet. None when the
    /// admission procedure was not yet in force on the day they would be
    /// proposed.
    async fn demo_admitted(
        &self,
        c: &Cell<'_>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let start = today - Duration::days(ADMITTED_DAYS_AGO);
        if self.rules.procedure(CaseKind::KetNap, start).is_err() {
            return Ok(0);
        }
        let mut cases = Vec::new();
        for (name, born) in ADMITTED {
            let case = self.demo_dossier(c, name, born, start, (7, 1), now).await?;
            cases.push((case, name));
        }
        let voted = start + Duration::days(8);
        let subjects: Vec<(DecisionKind, String)> = cases
            .iter()
            .map(|(_, name)| {
                (
                    DecisionKind::KetNap,
                    format!("Đề nghị kết nạp quần chúng {name} vào Đảng"),
                )
            })
            .collect();
        let votes = self.demo_meeting_votes(c, voted, &subjects).await?;
        let mut opened = cases.len();
        let mut recognitions = Vec::new();
        for (k, ((case, _), vote)) in cases.iter().zip(votes).enumerate() {
            let f = StepForm {
                vote_id: Some(vote),
                forms: vec!["6-KNĐ".into()],
                ..step("chi_bo_xet", voted, &[])
            };
            self.record_step(c.secretary, *case, &f, now).await?;
            let shift = Duration::days(i64::try_from(k).unwrap_or(0));
            for (code, days, form) in [
                ("nghi_quyet_dang_uy", 2, "8-KNĐ"),
                ("quyet_dinh_ket_nap", 4, "9-KNĐ"),
            ] {
                let f = step(code, voted + Duration::days(days) + shift, &[form]);
                self.record_step(c.upper, *case, &f, now).await?;
            }
            let ceremony = voted + Duration::days(6) + shift;
            let d = self
                .record_step(c.secretary, *case, &step("le_ket_nap", ceremony, &[]), now)
                .await?;
            let Some(member) = d.case.member_id else {
                continue;
            };
            let open = self
                .db
                .read(async |r| store::cases::of_member(r, member).await)
                .await?;
            if let Some(rec) = open.first() {
                opened += 1;
                recognitions.push((rec.id, ceremony));
            }
        }
        for (k, (case, ceremony)) in recognitions.iter().enumerate() {
            let Some(ended) = ceremony.checked_add_months(Months::new(12)) else {
                continue;
            };
            let f = StepForm {
                mentors: c.full.iter().skip(2).take(2).map(|m| m.id).collect(),
                ..step("phan_cong_giup_do", *ceremony + Duration::days(14), &[])
            };
            self.record_step(c.secretary, *case, &f, now).await?;
            for (code, form) in [
                ("tu_kiem_diem", "10-KNĐ"),
                ("nhan_xet_giup_do", "11-KNĐ"),
                ("lay_y_kien", "12-KNĐ"),
            ] {
                let f = step(code, ended, &[form]);
                self.record_step(c.secretary, *case, &f, now).await?;
            }
            if k == 0 {
                continue;
            }
            let vote_day = ended + Duration::days(1);
            let subject = (
                DecisionKind::CongNhanChinhThuc,
                "Đề nghị công nhận đảng viên chính thức".to_string(),
            );
            let votes = self.demo_meeting_votes(c, vote_day, &[subject]).await?;
            if let Some(vote) = votes.first() {
                let f = StepForm {
                    vote_id: Some(*vote),
                    forms: vec!["13-KNĐ".into(), "CN-ĐVM".into()],
                    ..step("chi_bo_xet", vote_day, &[])
                };
                self.record_step(c.secretary, *case, &f, now).await?;
                let f = step(
                    "nghi_quyet_dang_uy",
                    vote_day + Duration::days(7),
                    &["15-KNĐ"],
                );
                self.record_step(c.upper, *case, &f, now).await?;
            }
        }
        Ok(opened)
    }
}

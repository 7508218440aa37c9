//! A realistic demo installation: an upper committee (or a province of
//! them), its cells, party groups, committees, members and accounts.

use super::accounts::hash_password;
use super::members::{Admission, create_summary, status_summary};
use super::orgs::OwnedOrg;
use super::{Actor, Result, Services};
use crate::model::{CellType, CommitteeRole, OrgKind, Role, Status, fold};
use crate::store::audit::{Journal, NewEntry};
use crate::store::bulk::{self, Rows, Val};
use crate::store::images::Part;
use crate::store::{self, members::MemberValues, orgs::OrgRow};
use chrono::{DateTime, Datelike, Duration, NaiveDate, SubsecRound, Utc};
mod badges;
mod cases;
mod discipline;
mod evaluations;
mod history;
mod keeping;
mod ledger;
mod residents;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const SURNAMES: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan",
    "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Tạ",
    "Châu",
];
const MALE_MIDDLE: &[&str] = &[
    "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công", "Đình", "Ngọc", "Trọng", "Anh",
];
const FEMALE_MIDDLE: &[&str] = &[
    "Thị", "Thị", "Ngọc", "Thu", "Hồng", "Thanh", "Minh", "Kim", "Bích", "Phương", "Mỹ", "Diệu",
];
const MALE_GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa", "Hùng", "Huy",
    "Khánh", "Khoa", "Lâm", "Long", "Lộc", "Mạnh", "Nam", "Nghĩa", "Phúc", "Quân", "Quang", "Sơn",
    "Tài", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Vũ",
];
const FEMALE_GIVEN: &[&str] = &[
    "Anh",
    "Ánh",
    "Chi",
    "Diệp",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
];
const ETHNICITIES: &[&str] = &[
    "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Hoa", "Khmer", "Tày",
];
const STREETS: &[&str] = &[
    "Lê Lợi",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Tự Trọng",
    "Đồng Khởi",
    "Tôn Đức Thắng",
    "Pasteur",
    "Nam Kỳ Khởi Nghĩa",
];

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSize {
    pub cells: u32,
    pub members_per_cell: u32,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self {
            cells: 12,
            members_per_cell: 25,
        }
    }
}

impl DemoSize {
    /// A province: 150 upper committees × 100 cells × 20 members = 300,000.
    pub const PROVINCE: Self = Self {
        cells: 15_000,
        members_per_cell: 20,
    };
}

/// Upper committees hold at most this many cells in the generated tree.
const CELLS_PER_UPPER: u32 = 100;

/// The demo's password, printed by `chibo demo`; demo data is never real.
pub const DEMO_PASSWORD: &str = "chibo-demo-2026";

/// The login of cell `n`'s secretary (1-based, in code order): the first
/// cell's is the short `bithu` the README and the tests use.
pub fn secretary_login(n: u32) -> String {
    numbered("bithu", n)
}

/// The login of an ordinary member of cell `n`.
pub fn member_login(n: u32) -> String {
    numbered("dangvien", n)
}

/// The login of upper committee `n`'s office (1-based).
pub fn upper_login(n: u32) -> String {
    numbered("dangbo", n)
}

/// The login of the province's office (Văn phòng Thành ủy), made when the
/// demo has more than one upper committee.
pub const PROVINCE_LOGIN: &str = "thanhuy";

fn numbered(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}.{n}")
    }
}

pub struct DemoReport {
    pub upper_name: String,
    pub cells: Vec<(String, String)>,
    pub accounts: Vec<(String, String)>,
    pub members: u64,
}

struct Gen {
    rng: StdRng,
    card_seq: u64,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.random_range(0..xs.len())]
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1);
        from + Duration::days(self.rng.random_range(0..span))
    }

    fn member(
        &mut self,
        group_id: Option<i64>,
        today: NaiveDate,
        probationary: bool,
        ward: &str,
    ) -> (MemberValues, Admission) {
        let male = self.rng.random_bool(0.55);
        let name = if male {
            format!(
                "{} {} {}",
                self.pick(SURNAMES),
                self.pick(MALE_MIDDLE),
                self.pick(MALE_GIVEN)
            )
        } else {
            format!(
                "{} {} {}",
                self.pick(SURNAMES),
                self.pick(FEMALE_MIDDLE),
                self.pick(FEMALE_GIVEN)
            )
        };
        let y = today.year();
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date");
        let (dob, admission) = if probationary {
            let ceremony =
                self.date_between(today - Duration::days(330), today - Duration::days(20));
            (
                self.date_between(ymd(y - 45, 1, 1), ymd(y - 19, 1, 1)),
                ceremony - Duration::days(20),
            )
        } else {
            let dob = self.date_between(ymd(y - 85, 1, 1), ymd(y - 24, 1, 1));
            let earliest = dob + Duration::days(365 * 19);
            (
                dob,
                self.date_between(earliest, today - Duration::days(400)),
            )
        };
        let ceremony = admission + Duration::days(self.rng.random_range(7..40));
        let official = (!probationary).then(|| ceremony + Duration::days(365));
        self.card_seq += 1;
        let province = 79;
        let card = format!("{province:03}{:09}", self.card_seq);
        let nid = format!(
            "{province:03}{}{:08}",
            u8::from(!male),
            self.card_seq % 100_000_000
        );
        let phone = format!("09{:08}", self.rng.random_range(0..100_000_000u32));
        let residence = format!(
            "{} {}, {ward}",
            self.rng.random_range(1..300),
            self.pick(STREETS)
        );
        let v = MemberValues {
            group_id,
            name_fold: fold(&name),
            full_name: name,
            other_name: None,
            sex: Some(if male { "nam" } else { "nu" }.to_string()),
            date_of_birth: Some(dob),
            ethnicity: Some(self.pick(ETHNICITIES).to_string()),
            religion: Some(
                if self.rng.random_bool(0.85) {
                    "Không"
                } else {
                    "Phật giáo"
                }
                .to_string(),
            ),
            national_id: Some(nid),
            card_no: Some(card),
            admission_date: Some(admission),
            ceremony_date: Some(ceremony),
            official_date: official,
            phone: Some(phone),
            email: None,
            residence: Some(residence),
            notes: None,
        };
        let admission = match official {
            Some(o) => Admission {
                status: Status::ChinhThuc,
                since: o,
            },
            None => Admission {
                status: Status::DuBi,
                since: ceremony,
            },
        };
        (v, admission)
    }
}

fn cell_type_of(i: u32) -> (CellType, &'static str) {
    match i % 12 {
        9 => (CellType::CoQuan, "Chi bộ Cơ quan Ủy ban nhân dân"),
        10 => (CellType::TruongHoc, "Chi bộ Trường Tiểu học"),
        11 => (CellType::DoanhNghiep, "Chi bộ Công ty Cổ phần Dịch vụ"),
        _ => (CellType::ThonToDanPho, "Chi bộ Khu phố"),
    }
}

/// A later change of status for some members past the twelfth of a cell
/// (so small test cells stay all probationary or full): exempted elders,
/// members away for work, transfers out, deaths. About 10 % of those.
fn later_status(
    rng: &mut StdRng,
    since: NaiveDate,
    today: NaiveDate,
) -> Option<(Status, NaiveDate)> {
    if !rng.random_bool(0.10) {
        return None;
    }
    let status = match rng.random_range(0..20) {
        0..8 => Status::MienSinhHoat,
        8..13 => Status::TamThoiDi,
        13..16 => Status::ChuyenDi,
        _ => Status::TuTran,
    };
    let from = since + Duration::days(30);
    (from < today).then(|| {
        let span = (today - from).num_days().max(1);
        (status, from + Duration::days(rng.random_range(0..span)))
    })
}

/// The rows of a batch of units (one upper committee and its cells), with
/// ids assigned here, written with [`store::bulk`] in one transaction with
/// the audit entries the services would have written (imaged and hashed
/// once the rows are in).
struct Batch {
    /// A year of meetings and tasks, when asked for.
    history: Option<history::History>,
    /// Every cell's dues ledger but the first's, with the history.
    ledger: Option<ledger::Ledger>,
    orgs: Rows,
    members: Rows,
    statuses: Rows,
    posts: Rows,
    accounts: Rows,
    grants: Rows,
    /// Documents sealed in the batch (the history's resolutions and minutes).
    versions: Rows,
    journal: Journal,
    next_org: i64,
    next_member: i64,
    next_account: i64,
    at: DateTime<Utc>,
    actor: Actor,
    password_hash: String,
}

impl Batch {
    fn new(ids: (i64, i64, i64), now: DateTime<Utc>, actor: Actor, password_hash: String) -> Self {
        Self {
            history: None,
            ledger: None,
            orgs: Rows::new(
                "org_unit",
                &[
                    "id",
                    "parent_id",
                    "kind",
                    "code",
                    "name",
                    "name_fold",
                    "cell_type",
                    "place",
                    "path",
                    "created_at",
                ],
            ),
            members: Rows::new("member", store::members::BULK_COLUMNS),
            statuses: Rows::new(
                "member_status",
                &["member_id", "status", "start_date", "note", "created_at"],
            ),
            posts: Rows::new(
                "committee_role",
                &["org_id", "member_id", "role", "start_date"],
            ),
            accounts: Rows::new(
                "account",
                &[
                    "id",
                    "login",
                    "display_name",
                    "password_hash",
                    "member_id",
                    "active",
                    "created_at",
                ],
            ),
            grants: Rows::new("role_grant", &["account_id", "org_id", "role"]),
            versions: Rows::new(
                "document_version",
                &[
                    "doc_type",
                    "doc_id",
                    "version",
                    "body",
                    "hash",
                    "check_code",
                    "account_id",
                    "created_at",
                ],
            ),
            journal: Journal::default(),
            next_org: ids.0,
            next_member: ids.1,
            next_account: ids.2,
            at: now.trunc_subsecs(6),
            actor,
            password_hash,
        }
    }

    /// Appends an audit entry to its chain, as `store::audit::append` would
    /// (imaging the subject's records and `more` when the batch is written).
    fn audit(
        &mut self,
        chain_id: i64,
        action: &str,
        entity: &str,
        entity_id: i64,
        summary: &serde_json::Value,
    ) {
        self.audit_with(chain_id, action, entity, entity_id, summary, vec![]);
    }

    fn audit_with(
        &mut self,
        chain_id: i64,
        action: &str,
        entity: &str,
        entity_id: i64,
        summary: &serde_json::Value,
        more: Vec<Part>,
    ) {
        let actor = self.actor.audit_name();
        self.journal.push(
            &NewEntry {
                chain_id,
                account_id: Some(self.actor.account_id),
                actor: &actor,
                action,
                entity,
                entity_id: Some(entity_id),
                summary,
            },
            more,
            self.at,
        );
    }

    fn org(&mut self, parent: Option<&OrgRow>, o: OwnedOrg) -> OrgRow {
        let id = self.next_org;
        self.next_org += 1;
        let row = OrgRow {
            id,
            parent_id: parent.map(|p| p.id),
            kind: o.kind.as_str().into(),
            code: o.code.clone(),
            name: o.name.clone(),
            short_name: None,
            cell_type: o.cell_type.map(Into::into),
            place: o.place.clone(),
            path: format!("{}{id}/", parent.map_or("/", |p| p.path.as_str())),
        };
        self.orgs.push([
            id.into(),
            row.parent_id.into(),
            row.kind.as_str().into(),
            row.code.clone().into(),
            row.name.as_str().into(),
            fold(&row.name).into(),
            row.cell_type.clone().into(),
            row.place.clone().into(),
            row.path.as_str().into(),
            self.at.into(),
        ]);
        let summary = super::orgs::create_summary(&o, parent);
        self.audit(
            super::orgs::chain_of(&row),
            "org.create",
            "org",
            id,
            &summary,
        );
        row
    }

    /// A member with the status periods the service would have recorded:
    /// the first from the admission, later ones each with their audit entry
    /// (written after the cell's creations, as they would happen later).
    fn member(
        &mut self,
        cell: &OrgRow,
        v: &MemberValues,
        adm: &Admission,
        later: Option<(Status, NaiveDate)>,
    ) -> (i64, Vec<serde_json::Value>) {
        let id = self.next_member;
        self.next_member += 1;
        let status = later.map_or(adm.status, |l| l.0);
        let periods = 1 + i64::from(later.is_some());
        // Each status period bumps the version, as in the service.
        self.members.push(store::members::bulk_row(
            id,
            cell.id,
            v,
            status.as_str(),
            1 + periods,
            self.at,
        ));
        self.statuses.push([
            id.into(),
            adm.status.as_str().into(),
            adm.since.into(),
            Val::Null,
            self.at.into(),
        ]);
        self.audit(
            cell.id,
            "member.create",
            "member",
            id,
            &create_summary(v, adm.status),
        );
        let mut deferred = vec![];
        if let Some((st, since)) = later {
            self.statuses.push([
                id.into(),
                st.as_str().into(),
                since.into(),
                Val::Null,
                self.at.into(),
            ]);
            deferred.push(json!([
                id,
                status_summary(adm.status.as_str(), st, since, None)
            ]));
        }
        (id, deferred)
    }

    fn account(
        &mut self,
        login: &str,
        name: &str,
        role: Role,
        org: Option<i64>,
        member_id: Option<i64>,
    ) {
        let id = self.next_account;
        self.next_account += 1;
        self.accounts.push([
            id.into(),
            login.into(),
            name.into(),
            self.password_hash.as_str().into(),
            member_id.into(),
            true.into(),
            self.at.into(),
        ]);
        self.grants
            .push([id.into(), org.into(), role.as_str().into()]);
        self.audit(
            0,
            "account.create",
            "account",
            id,
            &json!({"login": login, "display_name": name, "role": role.as_str(), "org_id": org, "member_id": member_id}),
        );
    }

    /// Writes the batch in one transaction, parents before children, then
    /// the audit entries (which image the rows just written).
    async fn write(&mut self, db: &store::Db) -> Result<()> {
        let mut tx = db.begin().await?;
        for rows in [
            &mut self.orgs,
            &mut self.members,
            &mut self.statuses,
            &mut self.posts,
            &mut self.accounts,
            &mut self.grants,
        ] {
            rows.flush(&mut tx).await?;
        }
        if let Some(h) = self.history.as_mut() {
            h.flush(&mut tx).await?;
        }
        if let Some(l) = self.ledger.as_mut() {
            l.flush(&mut tx).await?;
        }
        self.versions.flush(&mut tx).await?;
        std::mem::take(&mut self.journal).finish(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Services {
    /// Fills an empty database. Deterministic: the same size gives the same
    /// data. Rows are generated in memory and bulk-written one upper
    /// committee per transaction (audit chains hashed here, as
    /// `store::audit::append` would), so a province takes seconds.
    pub async fn generate_demo(&self, size: DemoSize, now: DateTime<Utc>) -> Result<DemoReport> {
        self.generate_demo_with_history(size, 0, now).await
    }

    /// The demo with `months` of monthly meetings, resolutions and tasks
    /// before today in every cell, and each cell's next meeting notified.
    pub async fn generate_demo_with_history(
        &self,
        size: DemoSize,
        months: u32,
        now: DateTime<Utc>,
    ) -> Result<DemoReport> {
        let today = super::today(now);
        let mut g = Gen {
            rng: StdRng::seed_from_u64(2026),
            card_seq: 0,
        };
        // A second stream, so the names stay those of earlier versions.
        let mut later_rng = StdRng::seed_from_u64(6202);
        let system = Actor {
            account_id: 0,
            login: "demo".into(),
            display_name: "Dữ liệu mẫu".into(),
            member_id: None,
            grants: vec![],
            units: vec![],
        };
        let ids = {
            let mut tx = self.db.begin().await?;
            let ids = (
                bulk::next_id(&mut tx, "org_unit").await?,
                bulk::next_id(&mut tx, "member").await?,
                bulk::next_id(&mut tx, "account").await?,
            );
            tx.commit().await?;
            ids
        };
        let mut b = Batch::new(ids, now, system, hash_password(DEMO_PASSWORD)?);
        if months > 0 {
            let mut tx = self.db.begin().await?;
            let next = history::NextIds {
                meeting: bulk::next_id(&mut tx, "meeting").await?,
                vote: bulk::next_id(&mut tx, "vote").await?,
                resolution: bulk::next_id(&mut tx, "resolution").await?,
                task: bulk::next_id(&mut tx, "task").await?,
            };
            tx.commit().await?;
            b.history = Some(history::History::new(next));
            b.ledger = Some(ledger::Ledger::new());
        }
        let mut history_rng = StdRng::seed_from_u64(1930);
        let uppers = size.cells.div_ceil(CELLS_PER_UPPER).max(1);
        let province = (uppers > 1).then(|| {
            b.org(
                None,
                OwnedOrg {
                    kind: OrgKind::Tinh,
                    code: Some("79.000.000.000.000".into()),
                    name: "Đảng bộ Thành phố Hồ Chí Minh".into(),
                    cell_type: None,
                    place: Some("Thành phố Hồ Chí Minh".into()),
                },
            )
        });
        let mut report = DemoReport {
            upper_name: String::new(),
            cells: vec![],
            accounts: vec![],
            members: 0,
        };
        b.account("quantri", "Quản trị hệ thống", Role::Admin, None, None);
        report.accounts.push((
            "quantri".into(),
            format!("Quản trị hệ thống — {}", Role::Admin.as_str()),
        ));
        if let Some(p) = &province {
            let office = "Văn phòng Thành ủy";
            b.account(PROVINCE_LOGIN, office, Role::Upper, Some(p.id), None);
            report.accounts.push((
                PROVINCE_LOGIN.into(),
                format!("{office} — {}", Role::Upper.as_str()),
            ));
        }
        let term_start = NaiveDate::from_ymd_opt(2025, 8, 15).expect("valid date");
        let mut cell_no = 0;
        for u in 0..uppers {
            let (upper_name, place, ward) = if uppers == 1 {
                (
                    "Đảng bộ phường Bến Nghé".to_string(),
                    "Bến Nghé".to_string(),
                    "phường Bến Nghé".to_string(),
                )
            } else {
                (
                    format!("Đảng bộ phường {}", u + 1),
                    format!("Phường {}", u + 1),
                    format!("phường {}", u + 1),
                )
            };
            let upper = b.org(
                province.as_ref(),
                OwnedOrg {
                    kind: OrgKind::DangBo,
                    code: Some(format!("79.{:03}.{:03}.000.000", 1 + u / 1000, u % 1000)),
                    name: upper_name.clone(),
                    cell_type: None,
                    place: Some(place.clone()),
                },
            );
            let office = format!("Văn phòng {}", upper.name);
            b.account(
                &upper_login(u + 1),
                &office,
                Role::Upper,
                Some(upper.id),
                None,
            );
            if u == 0 {
                report.upper_name = upper_name;
                report.accounts.push((
                    "dangbo".into(),
                    format!("{office} — {}", Role::Upper.as_str()),
                ));
            }
            let here = (size.cells - cell_no).min(CELLS_PER_UPPER);
            for i in 0..here {
                cell_no += 1;
                let (cell_type, prefix) = cell_type_of(i);
                let name = format!("{prefix} {}", i + 1);
                let code = format!("79.{:03}.{:03}.000.{:03}", 1 + u / 1000, u % 1000, i + 1);
                let cell = b.org(
                    Some(&upper),
                    OwnedOrg {
                        kind: OrgKind::ChiBo,
                        code: Some(code.clone()),
                        name: name.clone(),
                        cell_type: Some(cell_type.as_str()),
                        place: Some(place.clone()),
                    },
                );
                if report.cells.len() < 200 {
                    report.cells.push((code, name));
                }
                let group_count = if size.members_per_cell >= 15 { 3 } else { 1 };
                let groups: Vec<i64> = (0..group_count)
                    .map(|k| {
                        b.org(
                            Some(&cell),
                            OwnedOrg {
                                kind: OrgKind::ToDang,
                                code: None,
                                name: format!("Tổ đảng số {}", k + 1),
                                cell_type: None,
                                place: None,
                            },
                        )
                        .id
                    })
                    .collect();
                let mut officials = Vec::new();
                let mut later_changes = Vec::new();
                let mut roll = Vec::new();
                let mut payers = Vec::new();
                for k in 0..size.members_per_cell {
                    let probationary = k % 10 == 7;
                    let (v, adm) = g.member(
                        Some(groups[k as usize % groups.len()]),
                        today,
                        probationary,
                        &ward,
                    );
                    let later = if k >= 12 && adm.status == Status::ChinhThuc {
                        later_status(&mut later_rng, adm.since, today)
                    } else {
                        None
                    };
                    let (id, changes) = b.member(&cell, &v, &adm, later);
                    later_changes.extend(changes);
                    let now_status = later.map_or(adm.status, |l| l.0);
                    if now_status.on_list() {
                        payers.push((id, v.admission_date));
                        roll.push(history::OnRoll {
                            id,
                            name: v.full_name.clone(),
                            status: now_status,
                        });
                    }
                    if adm.status == Status::ChinhThuc && later.is_none() {
                        officials.push((id, v.full_name));
                    }
                    report.members += 1;
                }
                for change in later_changes {
                    let id = change[0].as_i64().unwrap_or_default();
                    b.audit(cell.id, "member.status", "member", id, &change[1]);
                }
                let posts: &[CommitteeRole] = if officials.len() >= 9 {
                    &[
                        CommitteeRole::BiThu,
                        CommitteeRole::PhoBiThu,
                        CommitteeRole::ChiUyVien,
                    ]
                } else {
                    &[CommitteeRole::BiThu, CommitteeRole::PhoBiThu]
                };
                for (post, (member_id, _)) in posts.iter().zip(&officials) {
                    b.posts.push([
                        cell.id.into(),
                        (*member_id).into(),
                        post.as_str().into(),
                        term_start.into(),
                    ]);
                }
                for (k, group) in groups.iter().enumerate() {
                    if let Some((member_id, _)) = officials.get(posts.len() + k) {
                        b.posts.push([
                            (*group).into(),
                            (*member_id).into(),
                            CommitteeRole::ToTruong.as_str().into(),
                            term_start.into(),
                        ]);
                    }
                }
                if let (Some(chair), Some(taker)) = (officials.first(), officials.get(1)) {
                    let life = history::CellLife {
                        cell: &cell,
                        cell_type,
                        superior: &upper.name,
                        secretary: &chair.1,
                        roll: &roll,
                        chair: chair.0,
                        minute_taker: taker.0,
                    };
                    b.history(self, &mut history_rng, &life, months, today);
                }
                if cell_no > 1 {
                    let treasurer = officials.first().map_or("Bí thư", |o| o.1.as_str());
                    b.ledger(&self.rules, &cell, treasurer, &payers, today);
                }
                let secretary = officials.first();
                let member = officials.get(4).or(officials.last());
                let logins = [
                    (secretary_login(cell_no), secretary, Role::BiThu, "Bí thư"),
                    (member_login(cell_no), member, Role::Member, "Đảng viên"),
                ];
                for (login, who, role, fallback) in logins {
                    let name = who.map_or(fallback, |w| w.1.as_str());
                    b.account(&login, name, role, Some(cell.id), who.map(|w| w.0));
                    if cell_no == 1 {
                        report
                            .accounts
                            .push((login, format!("{name} — {}", role.as_str())));
                    }
                }
            }
            b.write(&self.db).await?;
            tracing::info!(
                committee = u + 1,
                of = uppers,
                cells = cell_no,
                "demo: written"
            );
        }
        if cell_no > 1 {
            report.accounts.push((
                format!("{} … {}", secretary_login(2), secretary_login(cell_no)),
                format!(
                    "{}, {} …, {}: chi bộ 2 … {cell_no}",
                    Role::BiThu.as_str(),
                    member_login(2),
                    upper_login(2)
                ),
            ));
        }
        let mut tx = self.db.begin().await?;
        for table in [
            "org_unit",
            "member",
            "account",
            "meeting",
            "vote",
            "resolution",
            "task",
        ] {
            bulk::sync_ids(&mut tx, table).await?;
        }
        // Units, accounts and grants written in bulk.
        self.commit_changing(tx, super::caches::Change::All).await?;
        Ok(report)
    }
}

//! A realistic demo installation: an upper committee (or a province of
//! them), its cells, party groups, committees, members and accounts.

use super::accounts::hash_password;
use super::members::{Admission, insert_member};
use super::orgs::{OwnedOrg, insert_org};
use super::{Actor, Result, Services};
use crate::model::{CellType, CommitteeRole, OrgKind, Role, Status, fold};
use crate::store::{self, members::MemberValues};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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

/// Upper committees hold at most this many cells in the generated tree
/// (the brief's 40–90 per đảng ủy).
const CELLS_PER_UPPER: u32 = 90;

/// The demo's password, printed by `chibo demo`; demo data is never real.
pub const DEMO_PASSWORD: &str = "chibo-demo-2026";

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
            "{} {}, phường Bến Nghé",
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

impl Services {
    /// Fills an empty database. Deterministic: the same size gives the same data.
    pub async fn generate_demo(&self, size: DemoSize, now: DateTime<Utc>) -> Result<DemoReport> {
        let today = super::today(now);
        let mut g = Gen {
            rng: StdRng::seed_from_u64(2026),
            card_seq: 0,
        };
        let system = Actor {
            account_id: 0,
            login: "demo".into(),
            display_name: "Dữ liệu mẫu".into(),
            member_id: None,
            grants: vec![],
        };
        let uppers = size.cells.div_ceil(CELLS_PER_UPPER).max(1);
        let mut tx = self.db.begin().await?;
        let province = if uppers > 1 {
            let o = OwnedOrg {
                kind: OrgKind::Tinh,
                code: Some("79.000.000.000.000".into()),
                name: "Đảng bộ Thành phố Hồ Chí Minh".into(),
                cell_type: None,
                place: Some("Thành phố Hồ Chí Minh".into()),
            };
            let id = insert_org(&mut tx, &system, None, &o, now).await?;
            store::orgs::get_in(&mut tx, id).await?
        } else {
            None
        };
        let mut report = DemoReport {
            upper_name: String::new(),
            cells: vec![],
            accounts: vec![],
            members: 0,
        };
        let mut first_cell = None;
        let mut first_upper = None;
        let mut cell_no = 0;
        for u in 0..uppers {
            let (upper_name, place) = if uppers == 1 {
                (
                    "Đảng bộ phường Bến Nghé".to_string(),
                    "Bến Nghé".to_string(),
                )
            } else {
                (
                    format!("Đảng bộ phường {}", u + 1),
                    format!("Phường {}", u + 1),
                )
            };
            let o = OwnedOrg {
                kind: OrgKind::DangBo,
                code: Some(format!("79.{:03}.{:03}.000.000", 1 + u / 1000, u % 1000)),
                name: upper_name.clone(),
                cell_type: None,
                place: Some(place.clone()),
            };
            let upper_id = insert_org(&mut tx, &system, province.as_ref(), &o, now).await?;
            let upper = store::orgs::get_in(&mut tx, upper_id)
                .await?
                .expect("just inserted");
            if u == 0 {
                report.upper_name = upper_name;
                first_upper = Some(upper.clone());
            }
            let here = (size.cells - cell_no).min(CELLS_PER_UPPER);
            for i in 0..here {
                cell_no += 1;
                let (cell_type, prefix) = cell_type_of(i);
                let name = format!("{prefix} {}", i + 1);
                let code = format!("79.{:03}.{:03}.000.{:03}", 1 + u / 1000, u % 1000, i + 1);
                let o = OwnedOrg {
                    kind: OrgKind::ChiBo,
                    code: Some(code.clone()),
                    name: name.clone(),
                    cell_type: Some(cell_type.as_str()),
                    place: Some(place.clone()),
                };
                let cell_id = insert_org(&mut tx, &system, Some(&upper), &o, now).await?;
                let cell = store::orgs::get_in(&mut tx, cell_id)
                    .await?
                    .expect("just inserted");
                if report.cells.len() < 200 {
                    report.cells.push((code, name));
                }
                let group_count = if size.members_per_cell >= 15 { 3 } else { 1 };
                let mut groups = Vec::new();
                for k in 0..group_count {
                    let o = OwnedOrg {
                        kind: OrgKind::ToDang,
                        code: None,
                        name: format!("Tổ đảng số {}", k + 1),
                        cell_type: None,
                        place: None,
                    };
                    groups.push(insert_org(&mut tx, &system, Some(&cell), &o, now).await?);
                }
                let mut officials = Vec::new();
                for k in 0..size.members_per_cell {
                    let probationary = k % 10 == 7;
                    let (v, adm) =
                        g.member(Some(groups[k as usize % groups.len()]), today, probationary);
                    let official = adm.status == Status::ChinhThuc;
                    let id = insert_member(&mut tx, &system, &cell, &v, adm, now).await?;
                    if official {
                        officials.push((id, v.full_name.clone()));
                    }
                    report.members += 1;
                }
                let term_start = NaiveDate::from_ymd_opt(2025, 8, 15).expect("valid date");
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
                    store::orgs::add_post(&mut tx, cell.id, *member_id, post.as_str(), term_start)
                        .await?;
                }
                for (k, group) in groups.iter().enumerate() {
                    if let Some((member_id, _)) = officials.get(posts.len() + k) {
                        store::orgs::add_post(
                            &mut tx,
                            *group,
                            *member_id,
                            CommitteeRole::ToTruong.as_str(),
                            term_start,
                        )
                        .await?;
                    }
                }
                if first_cell.is_none() {
                    first_cell = Some((cell, officials.clone()));
                }
                // Keep transactions a few thousand rows long at scale.
                if cell_no % 50 == 0 {
                    tx.commit().await?;
                    tx = self.db.begin().await?;
                }
            }
        }
        tx.commit().await?;

        let (cell, officials) = first_cell.expect("at least one cell");
        let upper = first_upper.expect("at least one upper committee");
        let bi_thu = officials.first().map(|(id, name)| (*id, name.clone()));
        let member = officials
            .get(4)
            .or(officials.last())
            .map(|(id, name)| (*id, name.clone()));
        let accounts = [
            (
                "quantri",
                "Quản trị hệ thống".into(),
                Role::Admin,
                None,
                None,
            ),
            (
                "dangbo",
                format!("Văn phòng {}", upper.name),
                Role::Upper,
                Some(upper.id),
                None,
            ),
            (
                "bithu",
                bi_thu.as_ref().map_or("Bí thư".into(), |b| b.1.clone()),
                Role::BiThu,
                Some(cell.id),
                bi_thu.as_ref().map(|b| b.0),
            ),
            (
                "dangvien",
                member.as_ref().map_or("Đảng viên".into(), |m| m.1.clone()),
                Role::Member,
                Some(cell.id),
                member.as_ref().map(|m| m.0),
            ),
        ];
        let hash = hash_password(DEMO_PASSWORD)?;
        let mut tx = self.db.begin().await?;
        for (login, name, role, org, member_id) in accounts {
            let id = store::accounts::insert(&mut tx, login, &name, &hash, member_id, now).await?;
            store::accounts::grant(&mut tx, id, org, role.as_str()).await?;
            report
                .accounts
                .push((login.to_string(), format!("{name} — {}", role.as_str())));
        }
        tx.commit().await?;
        Ok(report)
    }
}

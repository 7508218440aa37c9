//! Members in and out of spreadsheets: preview, all-or-nothing commit, export.

use super::members::{Admission, create_summary, unique_problem, update_member_in};
use super::{Actor, Result, ServiceError, Services, today};
use crate::model::OrgKind;
use crate::model::{MemberDraft, MemberFields, Problem, Status, fold, nfc};
use crate::service::orgs::{OwnedOrg, insert_org};
use crate::store::bulk::{self, Rows, Val};
use crate::store::members::{MemberRow, MemberValues, Unique};
use crate::store::{self, audit, orgs::OrgRow};
use chibo_docs::sheet::{self, ColumnSpec, Table};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};

/// The member columns of the national templates, with the headers people use.
pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec {
        key: "full_name",
        label: "Họ và tên",
        aliases: &[
            "Họ tên",
            "Họ và tên đảng viên",
            "Tên đảng viên",
            "Họ và tên khai sinh",
        ],
    },
    ColumnSpec {
        key: "other_name",
        label: "Tên gọi khác",
        aliases: &["Bí danh", "Tên khác"],
    },
    ColumnSpec {
        key: "sex",
        label: "Giới tính",
        aliases: &["Nam/Nữ", "Phái"],
    },
    ColumnSpec {
        key: "date_of_birth",
        label: "Ngày sinh",
        aliases: &["Ngày tháng năm sinh", "Sinh ngày", "Năm sinh"],
    },
    ColumnSpec {
        key: "ethnicity",
        label: "Dân tộc",
        aliases: &[],
    },
    ColumnSpec {
        key: "religion",
        label: "Tôn giáo",
        aliases: &[],
    },
    ColumnSpec {
        key: "national_id",
        label: "Số định danh cá nhân",
        aliases: &[
            "Số CCCD",
            "CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Số định danh",
            "CMND/CCCD",
        ],
    },
    ColumnSpec {
        key: "card_no",
        label: "Số thẻ đảng viên",
        aliases: &["Số thẻ", "Số thẻ đảng", "Số thẻ ĐV"],
    },
    ColumnSpec {
        key: "admission_date",
        label: "Ngày vào Đảng",
        aliases: &["Ngày kết nạp", "Ngày vào đảng", "Ngày quyết định kết nạp"],
    },
    ColumnSpec {
        key: "ceremony_date",
        label: "Ngày lễ kết nạp",
        aliases: &["Ngày tổ chức lễ kết nạp"],
    },
    ColumnSpec {
        key: "official_date",
        label: "Ngày chính thức",
        aliases: &["Ngày công nhận chính thức", "Ngày vào Đảng chính thức"],
    },
    ColumnSpec {
        key: "status",
        label: "Trạng thái",
        aliases: &["Tình trạng", "Loại đảng viên"],
    },
    ColumnSpec {
        key: "group_name",
        label: "Tổ đảng",
        aliases: &["Tổ", "Sinh hoạt tại tổ"],
    },
    ColumnSpec {
        key: "phone",
        label: "Số điện thoại",
        aliases: &["Điện thoại", "SĐT", "Di động"],
    },
    ColumnSpec {
        key: "email",
        label: "Thư điện tử",
        aliases: &["Email", "E-mail"],
    },
    ColumnSpec {
        key: "residence",
        label: "Nơi cư trú",
        aliases: &["Thường trú", "Địa chỉ", "Nơi ở hiện nay", "Chỗ ở hiện nay"],
    },
    ColumnSpec {
        key: "notes",
        label: "Ghi chú",
        aliases: &[],
    },
];

/// A problem in one cell of the file: row and column as the user sees them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowProblem {
    pub row: usize,
    /// "C" and "Ngày sinh", when the problem belongs to a column.
    pub column: Option<(String, &'static str)>,
    pub problem: Problem,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PlannedChange {
    pub row: usize,
    pub full_name: String,
    /// The existing member for an update.
    pub member_id: Option<i64>,
    /// Labels of the fields that change (updates only).
    pub changed: Vec<&'static str>,
}

/// What committing the file would do.
#[derive(Debug, Default, serde::Serialize)]
pub struct Plan {
    pub creates: Vec<PlannedChange>,
    pub updates: Vec<PlannedChange>,
    pub unchanged: usize,
    pub rejected: Vec<RowProblem>,
    pub new_groups: Vec<String>,
    pub ignored_headers: Vec<String>,
    pub header_row: usize,
    #[serde(skip)]
    work: Vec<Work>,
}

impl Plan {
    pub fn can_commit(&self) -> bool {
        self.rejected.is_empty() && (!self.creates.is_empty() || !self.updates.is_empty())
    }
}

#[derive(Debug)]
enum Work {
    Create {
        draft: Box<MemberDraft>,
        status: Option<Status>,
    },
    Update {
        before: Box<MemberRow>,
        draft: Box<MemberDraft>,
    },
}

fn fields_of(row: &sheet::Row) -> MemberFields {
    let g = |k: &str| row.get(k).unwrap_or_default().to_string();
    MemberFields {
        full_name: g("full_name"),
        other_name: g("other_name"),
        sex: g("sex"),
        date_of_birth: g("date_of_birth"),
        ethnicity: g("ethnicity"),
        religion: g("religion"),
        national_id: g("national_id"),
        card_no: g("card_no"),
        admission_date: g("admission_date"),
        ceremony_date: g("ceremony_date"),
        official_date: g("official_date"),
        group_name: g("group_name"),
        phone: g("phone"),
        email: g("email"),
        residence: g("residence"),
        notes: g("notes"),
    }
}

fn label_of(key: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.key == key)
        .map_or("", |c| c.label)
}

fn locate(table: &Table, row: usize, p: Problem) -> RowProblem {
    let column = table
        .column(p.field)
        .map(|c| (c.column_letter.clone(), label_of(p.field)));
    RowProblem {
        row,
        column,
        problem: p,
    }
}

impl Services {
    /// Reads the file and works out, row by row, what it would change. Pure
    /// with respect to storage: nothing is written.
    pub async fn plan_import(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        bytes: &[u8],
        file_name: &str,
        now: DateTime<Utc>,
    ) -> Result<Plan> {
        if cell.kind != "chi_bo" || !actor.can_manage(cell) {
            return Err(ServiceError::Forbidden);
        }
        let table = sheet::read_table(bytes, file_name, COLUMNS, &["full_name"])?;
        let today = today(now);

        let mut plan = Plan {
            header_row: table.header_row,
            ignored_headers: table
                .ignored_headers
                .iter()
                .map(|h| format!("{} ({})", h.header_text, h.column_letter))
                .collect(),
            ..Plan::default()
        };
        let mut parsed = Vec::with_capacity(table.rows.len());
        for row in &table.rows {
            let fields = fields_of(row);
            let status = match row.get("status") {
                Some(s) => match Status::parse(s) {
                    Ok(s) => Some(s),
                    Err(p) => {
                        plan.rejected.push(locate(&table, row.number, p));
                        continue;
                    }
                },
                None => None,
            };
            match MemberDraft::parse(&fields, today) {
                Ok(d) => parsed.push((row.number, d, status)),
                Err(ps) => plan
                    .rejected
                    .extend(ps.0.into_iter().map(|p| locate(&table, row.number, p))),
            }
        }

        let cards: Vec<String> = parsed
            .iter()
            .filter_map(|(_, d, _)| Some(d.card_no.as_ref()?.as_str().to_string()))
            .collect();
        let nids: Vec<String> = parsed
            .iter()
            .filter_map(|(_, d, _)| Some(d.national_id.as_ref()?.as_str().to_string()))
            .collect();
        let (existing, groups, card_holders, nid_holders) = self
            .db
            .read(async |r| {
                let existing = store::members::of_cell(r, cell.id).await?;
                let groups = store::orgs::children(r, cell.id).await?;
                let cards = store::members::holders(r, Unique::CardNo, &cards).await?;
                let nids = store::members::holders(r, Unique::NationalId, &nids).await?;
                Ok::<_, ServiceError>((existing, groups, cards, nids))
            })
            .await?;
        let by_card: HashMap<&str, &MemberRow> = existing
            .iter()
            .filter_map(|m| Some((m.card_no.as_deref()?, m)))
            .collect();
        let by_nid: HashMap<&str, &MemberRow> = existing
            .iter()
            .filter_map(|m| Some((m.national_id.as_deref()?, m)))
            .collect();
        let groups: HashMap<String, (i64, String)> = groups
            .into_iter()
            .filter(|g| g.kind == "to_dang")
            .map(|g| (fold(&g.name), (g.id, g.name)))
            .collect();

        let mut seen_cards: HashMap<String, usize> = HashMap::new();
        let mut seen_nids: HashMap<String, usize> = HashMap::new();
        let mut new_groups = BTreeSet::new();
        for (row, draft, status) in parsed {
            let card = draft.card_no.as_ref().map(|c| c.as_str().to_string());
            let nid = draft.national_id.as_ref().map(|c| c.as_str().to_string());
            if let Some(c) = &card
                && let Some(first) = seen_cards.insert(c.clone(), row)
            {
                plan.rejected.push(locate(
                    &table,
                    row,
                    Problem::new(
                        "card_no",
                        "import.duplicate_in_file",
                        format!("{c} ({first})"),
                    ),
                ));
                continue;
            }
            if let Some(n) = &nid
                && let Some(first) = seen_nids.insert(n.clone(), row)
            {
                plan.rejected.push(locate(
                    &table,
                    row,
                    Problem::new(
                        "national_id",
                        "import.duplicate_in_file",
                        format!("{n} ({first})"),
                    ),
                ));
                continue;
            }
            // Match by card number first, then by national ID.
            let mine = card
                .as_deref()
                .and_then(|c| by_card.get(c))
                .or_else(|| nid.as_deref().and_then(|n| by_nid.get(n)));
            let elsewhere = |k: &Option<String>, holders: &HashMap<String, (i64, i64)>| {
                k.as_ref()
                    .and_then(|k| holders.get(k))
                    .filter(|(id, _)| mine.is_none_or(|m| m.id != *id))
                    .is_some()
            };
            if elsewhere(&card, &card_holders) {
                plan.rejected.push(locate(
                    &table,
                    row,
                    Problem::new(
                        "card_no",
                        "card_no.duplicate",
                        card.clone().unwrap_or_default(),
                    ),
                ));
                continue;
            }
            if elsewhere(&nid, &nid_holders) {
                plan.rejected.push(locate(
                    &table,
                    row,
                    Problem::new(
                        "national_id",
                        "national_id.duplicate",
                        nid.clone().unwrap_or_default(),
                    ),
                ));
                continue;
            }
            let group_id = match &draft.group_name {
                Some(g) => match groups.get(&fold(g)) {
                    Some((id, _)) => Some(*id),
                    None => {
                        new_groups.insert(g.clone());
                        None
                    }
                },
                None => None,
            };
            let name = draft.full_name.as_str().to_string();
            match mine {
                Some(before) => {
                    let old = MemberValues::from_row(before);
                    let keep_group = if draft.group_name.is_some() {
                        group_id
                    } else {
                        before.group_id
                    };
                    let new = MemberValues::from_draft(&draft, keep_group);
                    let changed = changed_labels(
                        &old,
                        &new,
                        draft.group_name.is_some() && group_id.is_none(),
                    );
                    if changed.is_empty() {
                        plan.unchanged += 1;
                    } else {
                        plan.updates.push(PlannedChange {
                            row,
                            full_name: name,
                            member_id: Some(before.id),
                            changed,
                        });
                        plan.work.push(Work::Update {
                            before: Box::new((*before).clone()),
                            draft: Box::new(draft),
                        });
                    }
                }
                None => {
                    plan.creates.push(PlannedChange {
                        row,
                        full_name: name,
                        member_id: None,
                        changed: vec![],
                    });
                    plan.work.push(Work::Create {
                        draft: Box::new(draft),
                        status,
                    });
                }
            }
        }
        plan.new_groups = new_groups.into_iter().collect();
        plan.rejected.sort_by_key(|r| r.row);
        Ok(plan)
    }

    /// Applies a plan in one transaction: every row or none.
    pub async fn commit_import(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        plan: Plan,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize)> {
        if !plan.rejected.is_empty() {
            return Err(ServiceError::invalid(Problem::new(
                "file",
                "import.has_rejections",
                plan.rejected.len().to_string(),
            )));
        }
        let existing_groups = self
            .db
            .read(async |r| store::orgs::children(r, cell.id).await)
            .await?;
        let mut tx = self.db.begin_long().await?;
        let mut groups: HashMap<String, i64> = HashMap::new();
        for g in existing_groups.into_iter().filter(|g| g.kind == "to_dang") {
            groups.insert(fold(&g.name), g.id);
        }
        for name in &plan.new_groups {
            let o = OwnedOrg {
                kind: OrgKind::ToDang,
                code: None,
                name: nfc(name),
                cell_type: None,
                place: None,
            };
            let id = insert_org(&mut tx, actor, Some(cell), &o, now).await?;
            groups.insert(fold(name), id);
        }
        let group_of = |d: &MemberDraft| {
            d.group_name
                .as_ref()
                .and_then(|g| groups.get(&fold(g)).copied())
        };
        // Updates one by one through the service path (each checks its
        // version); then every new member at once, as `chibo demo` writes
        // them: ids reserved here, the cell's audit chain continued in
        // memory, a few multi-row statements (COPY on PostgreSQL). Row by
        // row, 300,000 members took 85 s on SQLite and over 15 min on
        // PostgreSQL.
        let mut updated = 0;
        let mut creates = Vec::new();
        for w in &plan.work {
            match w {
                Work::Create { draft, status } => creates.push((draft, status)),
                Work::Update { before, draft } => {
                    let group = if draft.group_name.is_some() {
                        group_of(draft)
                    } else {
                        before.group_id
                    };
                    let values = MemberValues::from_draft(draft, group);
                    if update_member_in(&mut tx, actor, before, before.version, &values, now)
                        .await?
                    {
                        updated += 1;
                    }
                }
            }
        }
        let ids = bulk::reserve_ids(&mut tx, "member", creates.len()).await?;
        let mut members = Rows::new("member", store::members::BULK_COLUMNS);
        let mut statuses = Rows::new(
            "member_status",
            &["member_id", "status", "start_date", "note", "created_at"],
        );
        let mut chain = audit::ChainWriter::open(&mut tx, cell.id).await?;
        let actor_name = actor.audit_name();
        for (id, (draft, status)) in ids.iter().copied().zip(&creates) {
            let mut admission = Admission::infer(draft, today(now));
            if let Some(s) = status {
                admission.status = *s;
            }
            let values = MemberValues::from_draft(draft, group_of(draft));
            // Version 2: created, then its first status period (as
            // `insert_member` leaves it).
            members.push(store::members::bulk_row(
                id,
                cell.id,
                &values,
                admission.status.as_str(),
                2,
                now,
            ));
            statuses.push([
                id.into(),
                admission.status.as_str().into(),
                admission.since.into(),
                Val::Null,
                now.into(),
            ]);
            chain.push(
                &audit::NewEntry {
                    chain_id: cell.id,
                    account_id: Some(actor.account_id),
                    actor: &actor_name,
                    action: "member.create",
                    entity: "member",
                    entity_id: Some(id),
                    summary: &create_summary(&values, admission.status),
                },
                now,
            );
        }
        members.flush(&mut tx).await.map_err(unique_problem)?;
        statuses.flush(&mut tx).await?;
        chain.finish(&mut tx).await?;
        let created = creates.len();
        tx.commit().await?;
        Ok((created, updated))
    }

    /// Stores an upload between preview and confirmation.
    pub async fn stash_upload(
        &self,
        actor: &Actor,
        cell: &OrgRow,
        file_name: &str,
        data: &[u8],
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = store::imports::insert(&mut tx, actor.account_id, cell.id, file_name, data, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn stashed_upload(&self, actor: &Actor, id: i64) -> Result<store::imports::Upload> {
        let u = self
            .db
            .read(async |r| store::imports::get(r, id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if u.account_id != actor.account_id {
            return Err(ServiceError::NotFound);
        }
        Ok(u)
    }

    pub async fn drop_upload(&self, id: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        store::imports::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The cell's members in the import layout (XLSX), so export → import
    /// changes nothing.
    pub async fn export_members(&self, actor: &Actor, cell: &OrgRow) -> Result<Vec<u8>> {
        if !actor.can_read_members(cell) {
            return Err(ServiceError::Forbidden);
        }
        let (members, groups) = self
            .db
            .read(async |r| {
                let members = store::members::of_cell(r, cell.id).await?;
                let groups = store::orgs::children(r, cell.id).await?;
                Ok::<_, ServiceError>((members, groups))
            })
            .await?;
        let groups: HashMap<i64, String> = groups.into_iter().map(|g| (g.id, g.name)).collect();
        let rows: Vec<Vec<Option<String>>> = members
            .iter()
            .map(|m| {
                let f = MemberFields::from_row(
                    m,
                    m.group_id.and_then(|g| groups.get(&g)).map(String::as_str),
                );
                let status = Status::parse(&m.status)
                    .map(Status::label_vi)
                    .unwrap_or_default();
                COLUMNS
                    .iter()
                    .map(|c| {
                        let v = match c.key {
                            "status" => status.to_string(),
                            k => field(&f, k).to_string(),
                        };
                        (!v.is_empty()).then_some(v)
                    })
                    .collect()
            })
            .collect();
        let title = format!("DANH SÁCH ĐẢNG VIÊN {}", cell.name.to_uppercase());
        Ok(sheet::write_xlsx(Some(&title), COLUMNS, &rows)?)
    }
}

fn field<'a>(f: &'a MemberFields, key: &str) -> &'a str {
    match key {
        "full_name" => &f.full_name,
        "other_name" => &f.other_name,
        "sex" => &f.sex,
        "date_of_birth" => &f.date_of_birth,
        "ethnicity" => &f.ethnicity,
        "religion" => &f.religion,
        "national_id" => &f.national_id,
        "card_no" => &f.card_no,
        "admission_date" => &f.admission_date,
        "ceremony_date" => &f.ceremony_date,
        "official_date" => &f.official_date,
        "group_name" => &f.group_name,
        "phone" => &f.phone,
        "email" => &f.email,
        "residence" => &f.residence,
        "notes" => &f.notes,
        _ => "",
    }
}

fn changed_labels(old: &MemberValues, new: &MemberValues, new_group: bool) -> Vec<&'static str> {
    let (a, b) = (old.audit_json(), new.audit_json());
    let mut out: Vec<&'static str> = COLUMNS
        .iter()
        .filter(|c| {
            let k = if c.key == "group_name" {
                "group_id"
            } else {
                c.key
            };
            a.get(k) != b.get(k)
        })
        .map(|c| c.label)
        .collect();
    if new_group && !out.contains(&label_of("group_name")) {
        out.push(label_of("group_name"));
    }
    out
}

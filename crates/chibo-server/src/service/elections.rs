//! Elections end to end and the secret-ballot screens (issue 15): the
//! candidate list (nominated, self-nominated, withdrawn) and the post the
//! elected take, the open vote that elected the counting committee, what a
//! ballot's page shows to each phone, and the result recorded as the cell's
//! new committee with its term (the org tree's posts).

use super::ballots::{SvForm, SvView, secret_ballot, view_parts};
use super::meetings::{managed_meeting, meeting};
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, today};
use crate::model::{CommitteeRole, Problem, SvKind, SvStatus, format_date};
use crate::store::Tx;
use crate::store::ballots::{self as bdb, SvRow};
use crate::store::elections::{self as db, CandidateRow, ElectionRow, NewCandidate};
use crate::store::meetings::{self as mdb, MeetingRow, RollEntry};
use chibo_ballot::{BallotSpec, TallyResult};
use chibo_rules::Fraction;
use chrono::{DateTime, Datelike, Months, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A name on an election's candidate list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Nominee {
    pub member_id: i64,
    /// `de_cu` (nominated) or `tu_ung_cu` (self-nominated).
    pub nomination: String,
    /// Withdrew before the ballot was drawn up: listed, not on the ballot.
    pub withdrawn: bool,
}

/// What an election adds to its secret ballot, checked at the opening.
pub(super) struct Prepared {
    post: CommitteeRole,
    term_months: u32,
    nominees: Vec<(i64, &'static str, bool)>,
    /// The names on the ballot (the candidates not withdrawn), in list order.
    pub names: Vec<String>,
    committee_vote: Option<i64>,
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

impl Services {
    /// Checks an election's list against the meeting's roll (full members
    /// of the cell stand; a withdrawn candidate stays listed) and the pack's
    /// cap on surplus candidates, and the open vote that elected the
    /// counting committee (adopted in this meeting).
    pub(super) fn prepare_election(
        &self,
        form: &SvForm,
        kind: SvKind,
        roll: &[RollEntry],
        votes: &[mdb::VoteRow],
        on: chrono::NaiveDate,
    ) -> Result<Option<Prepared>> {
        let committee_vote = match form.committee_vote {
            Some(v) => {
                let ok = votes.iter().any(|r| {
                    r.id == v && r.status == "closed" && r.outcome.as_deref() == Some("dat")
                });
                if !ok {
                    return Err(invalid(
                        "committee_vote",
                        "ballot.committee_vote",
                        v.to_string(),
                    ));
                }
                Some(v)
            }
            None => None,
        };
        if kind != SvKind::BauCu || form.nominees.is_empty() {
            return Ok(committee_vote.map(|v| Prepared {
                post: CommitteeRole::ChiUyVien,
                term_months: 0,
                nominees: Vec::new(),
                names: Vec::new(),
                committee_vote: Some(v),
            }));
        }
        let post = match form.post.as_str() {
            "" => CommitteeRole::ChiUyVien,
            p => CommitteeRole::parse(p)
                .filter(|r| {
                    matches!(
                        r,
                        CommitteeRole::ChiUyVien | CommitteeRole::BiThu | CommitteeRole::PhoBiThu
                    )
                })
                .ok_or_else(|| invalid("post", "ballot.post", p))?,
        };
        let mut nominees = Vec::new();
        let mut names = Vec::new();
        for n in &form.nominees {
            let Some(r) = roll.iter().find(|r| r.member_id == n.member_id) else {
                return Err(invalid(
                    "nominees",
                    "ballot.nominee",
                    n.member_id.to_string(),
                ));
            };
            if r.member_status != chibo_rules::Status::ChinhThuc {
                return Err(invalid("nominees", "ballot.nominee", r.full_name.clone()));
            }
            if nominees.iter().any(|(m, _, _)| *m == n.member_id) {
                return Err(invalid(
                    "nominees",
                    "ballot.candidates",
                    r.full_name.clone(),
                ));
            }
            let how = match n.nomination.as_str() {
                "de_cu" => "de_cu",
                "tu_ung_cu" => "tu_ung_cu",
                other => return Err(invalid("nominees", "ballot.nomination", other)),
            };
            nominees.push((n.member_id, how, n.withdrawn));
            if !n.withdrawn {
                names.push(r.full_name.clone());
            }
        }
        let surplus: Fraction = self
            .rules
            .param("max_candidate_surplus", on)
            .map_err(|e| invalid("nominees", "vote.rules", e.to_string()))?;
        let seats = u64::from(form.seats);
        let most = seats + surplus.floor_of(seats);
        if seats > 0 && names.len() as u64 > most {
            return Err(invalid(
                "nominees",
                "ballot.surplus",
                format!("{}/{most}", names.len()),
            ));
        }
        let term_months: u32 = self
            .rules
            .param("cell_term_months", on)
            .map_err(|e| invalid("post", "vote.rules", e.to_string()))?;
        Ok(Some(Prepared {
            post,
            term_months,
            nominees,
            names,
            committee_vote,
        }))
    }
}

/// Writes what [`Services::prepare_election`] checked, in the opening's transaction.
pub(super) async fn save_election(tx: &mut Tx, sv: i64, p: &Prepared) -> Result<()> {
    if !p.nominees.is_empty() {
        let list: Vec<NewCandidate<'_>> = p
            .nominees
            .iter()
            .map(|&(member_id, nomination, withdrawn)| NewCandidate {
                member_id,
                nomination,
                withdrawn,
            })
            .collect();
        db::save(tx, sv, p.post.as_str(), p.term_months.into(), &list).await?;
    }
    if let Some(v) = p.committee_vote {
        db::set_committee_vote(tx, sv, v).await?;
    }
    Ok(())
}

/// A cell member the opening form offers (candidate, committee member).
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub member_id: i64,
    pub full_name: String,
    /// Present and entitled to vote (may sit on the counting committee).
    pub votes: bool,
    /// A full member (may stand).
    pub full: bool,
}

/// A meeting's secret ballots and what opening one needs.
pub struct BallotsOfMeeting {
    pub meeting: MeetingRow,
    pub ballots: Vec<SvRow>,
    pub may_manage: bool,
    pub people: Vec<Person>,
    /// Adopted open votes of the meeting (the counting committee's).
    pub adopted: Vec<(i64, String)>,
}

/// A secret ballot as its page shows it to the caller's phone.
pub struct BallotPage {
    pub view: SvView,
    pub meeting: MeetingRow,
    pub may_manage: bool,
    /// The names or options on the ballot, and the seats (elections).
    pub options: Vec<String>,
    pub seats: Option<u32>,
    pub candidates: Vec<CandidateRow>,
    pub election: Option<ElectionRow>,
    pub committee_vote: Option<String>,
    /// Entitled members (for the head's phone): id, name, channel issued.
    pub entitled: Vec<(i64, String, Option<String>)>,
    /// The closed board's trackers, in order.
    pub trackers: Vec<String>,
    pub shares: usize,
    /// The caller's member id.
    pub me: Option<i64>,
}

impl Services {
    /// The meeting's secret ballots with the opening form's lists.
    pub async fn ballots_of_meeting(
        &self,
        actor: &Actor,
        meeting_id: i64,
    ) -> Result<BallotsOfMeeting> {
        let (m, cell, ballots, roll, votes) = self
            .db
            .read(async |r| {
                let (m, cell) = meeting(r, actor, meeting_id).await?;
                let ballots = bdb::of_meeting(r, meeting_id).await?;
                let roll = mdb::roll(r, meeting_id).await?;
                let votes = mdb::votes(r, meeting_id).await?;
                Ok::<_, ServiceError>((m, cell, ballots, roll, votes))
            })
            .await?;
        let on = today(m.starts_at);
        let people = roll
            .iter()
            .map(|r| Person {
                member_id: r.member_id,
                full_name: r.full_name.clone(),
                votes: self.votes(r.member_status.as_str(), r.presence.as_deref(), on),
                full: r.member_status == chibo_rules::Status::ChinhThuc,
            })
            .collect();
        Ok(BallotsOfMeeting {
            may_manage: actor.can_manage(&cell),
            meeting: m,
            ballots,
            people,
            adopted: votes
                .into_iter()
                .filter(|v| v.status == "closed" && v.outcome.as_deref() == Some("dat"))
                .map(|v| (v.id, v.subject))
                .collect(),
        })
    }

    /// One secret ballot for its page: the stage, what the caller's phone
    /// does at it, the board once closed and the result once decrypted.
    pub async fn ballot_page(&self, actor: &Actor, id: i64) -> Result<BallotPage> {
        let (parts, m, may_manage, candidates, election, committee_vote, roll, trackers) = self
            .db
            .read(async |r| {
                let (sv, cell) = secret_ballot(r, actor, id).await?;
                let parts = view_parts(r, actor, id).await?;
                let m = mdb::get(r, sv.meeting_id)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                let candidates = db::candidates(r, id).await?;
                let election = db::election(r, id).await?;
                let cv = match db::committee_vote(r, id).await? {
                    Some(v) => mdb::votes(r, sv.meeting_id)
                        .await?
                        .into_iter()
                        .find(|x| x.id == v)
                        .map(|x| x.subject),
                    None => None,
                };
                let roll = mdb::roll(r, sv.meeting_id).await?;
                let trackers: Vec<String> = bdb::ballots(r, id)
                    .await?
                    .into_iter()
                    .map(|(t, _, _)| t)
                    .collect();
                Ok::<_, ServiceError>((
                    parts,
                    m,
                    actor.can_manage(&cell),
                    candidates,
                    election,
                    cv,
                    roll,
                    trackers,
                ))
            })
            .await?;
        let issued = parts.issued.clone();
        let shares = parts.shares as usize;
        let view = self.assemble_view(actor, parts)?;
        let spec: Option<BallotSpec> = serde_json::from_str(&view.sv.spec).ok();
        let (options, seats) = match spec {
            Some(BallotSpec::StrikeOut { candidates, seats }) => (candidates, Some(seats)),
            Some(BallotSpec::SingleChoice { options }) => {
                (options.into_iter().map(|o| o.label).collect(), None)
            }
            None => (Vec::new(), None),
        };
        let eligible: Vec<i64> = serde_json::from_str(&view.sv.eligible).unwrap_or_default();
        let entitled = eligible
            .iter()
            .map(|id| {
                let name = roll
                    .iter()
                    .find(|r| r.member_id == *id)
                    .map(|r| r.full_name.clone())
                    .unwrap_or_default();
                let ch = issued.iter().find(|(m, _)| m == id).map(|(_, c)| c.clone());
                (*id, name, ch)
            })
            .collect();
        Ok(BallotPage {
            view,
            meeting: m,
            may_manage,
            options,
            seats,
            candidates,
            election,
            committee_vote,
            entitled,
            trackers,
            shares,
            me: actor.member_id,
        })
    }

    /// Records a decrypted election's elected as the cell's committee from
    /// the meeting's day, with their term: the previous holders of the post
    /// leave it the day before (the whole committee for chi ủy viên).
    pub async fn record_elected(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let (sv, m, election, candidates, record) = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                let (m, _) = managed_meeting(r, actor, sv.meeting_id).await?;
                let election = db::election(r, id).await?;
                let candidates = db::candidates(r, id).await?;
                let record = bdb::record(r, id).await?;
                Ok::<_, ServiceError>((sv, m, election, candidates, record))
            })
            .await?;
        if SvStatus::parse(&sv.status).ok() != Some(SvStatus::Decrypted) {
            return Err(invalid("ballot", "ballot.stage", sv.status.clone()));
        }
        let election = election.ok_or_else(|| invalid("ballot", "ballot.no_list", ""))?;
        if election.recorded_at.is_some() {
            return Err(invalid("ballot", "ballot.recorded", ""));
        }
        let elected = match result_of(record.as_deref()) {
            Some(TallyResult::Decrypted { outcome, .. }) => outcome.elected,
            _ => Vec::new(),
        };
        if elected.is_empty() {
            return Err(invalid("ballot", "ballot.none_elected", ""));
        }
        let role = CommitteeRole::parse(&election.post).ok_or(ServiceError::NotFound)?;
        let start = today(m.starts_at);
        let end = start
            .checked_add_months(Months::new(election.term_months as u32))
            .unwrap_or(start);
        let note = format!(
            "Nhiệm kỳ {}–{} (đến {:02}/{}); trúng cử bằng phiếu kín ngày {}, biên bản kiểm phiếu {}",
            start.year(),
            end.year(),
            end.month(),
            end.year(),
            format_date(start),
            sv.record_sha256.as_deref().unwrap_or_default()
        );
        let ids: Vec<(i64, String)> = elected
            .iter()
            .filter_map(|name| {
                candidates
                    .iter()
                    .find(|c| !c.withdrawn && &c.full_name == name)
                    .map(|c| (c.member_id, c.full_name.clone()))
            })
            .collect();
        let mut tx = self.db.begin().await?;
        if !db::mark_recorded(&mut tx, id, now).await? {
            return Err(invalid("ballot", "ballot.recorded", ""));
        }
        let before = start.pred_opt().unwrap_or(start);
        for (post, since) in
            crate::store::orgs::open_posts(&mut tx, sv.cell_id, role.as_str()).await?
        {
            crate::store::orgs::end_post(
                &mut tx,
                post,
                if since > before { since } else { before },
            )
            .await?;
        }
        for (member, _) in &ids {
            db::add_post(&mut tx, sv.cell_id, *member, role.as_str(), start, &note).await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(&sv),
            "ballot.elected",
            json!({"role": role.as_str(), "elected": ids, "start": start, "term_end": end, "record_sha256": sv.record_sha256}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(ids.len())
    }
}

/// The result a record states.
fn result_of(record: Option<&[u8]>) -> Option<TallyResult> {
    let v: serde_json::Value = serde_json::from_slice(record?).ok()?;
    serde_json::from_value(v.get("result")?.clone()).ok()
}

/// An election as published: its list, the post and term, the elected
/// (from the record) and whether they were recorded as the committee.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ElectionDetail {
    pub ballot_id: i64,
    pub title: String,
    pub status: String,
    pub election: ElectionRow,
    pub candidates: Vec<CandidateRow>,
    /// Names elected, by votes (empty until decrypted).
    pub elected: Vec<String>,
    /// Tied for the last seat: the rules' re-vote among them.
    pub tied_at_last_seat: Vec<String>,
    pub record_sha256: Option<String>,
}

impl Services {
    pub async fn election_detail(&self, actor: &Actor, id: i64) -> Result<ElectionDetail> {
        let (sv, election, candidates, record) = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                let election = db::election(r, id).await?.ok_or(ServiceError::NotFound)?;
                let candidates = db::candidates(r, id).await?;
                let record = bdb::record(r, id).await?;
                Ok::<_, ServiceError>((sv, election, candidates, record))
            })
            .await?;
        let (elected, tied) = match result_of(record.as_deref()) {
            Some(TallyResult::Decrypted { outcome, .. }) => {
                (outcome.elected.clone(), outcome.tied_at_last_seat.clone())
            }
            _ => (Vec::new(), Vec::new()),
        };
        Ok(ElectionDetail {
            ballot_id: sv.id,
            title: sv.title,
            status: sv.status,
            election,
            candidates,
            elected,
            tied_at_last_seat: tied,
            record_sha256: sv.record_sha256,
        })
    }
}

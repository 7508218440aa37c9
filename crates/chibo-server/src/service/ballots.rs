//! Secret ballots in a meeting (issue 15; `shared/design/secret-ballots.md`):
//! open → the counting committee's phones make the key → tokens issued
//! blind by the head's phone → ballots cast from phones (and paper ballots
//! entered by the committee) → close → decryption shares → the record.
//!
//! The server holds no key and cannot link a member to a ballot: it relays
//! the committee's messages, writes who received a ballot (`sv_issued`), and
//! keeps cast ballots in memory only ([`BallotRoom`]) until the close writes
//! them, in tracker order, in one transaction. Casting takes no actor and
//! writes nothing: no row, audit entry or log line.

use super::meetings::{attendance_of, managed_meeting, meeting, rule_status};
use super::{Actor, Result, ServiceError, Services, Subject, audit_entry, org_for, today};
use crate::model::{Problem, SvKind, SvStatus, nfc};
use crate::store::Reader;
use crate::store::ballots::{self as db, NewSv, Tallied};
pub use crate::store::ballots::{SvRow, TrusteeRow};
use crate::store::meetings as mdb;
use crate::store::orgs::OrgRow;
use chibo_ballot::{
    Ballot, BallotBox, BallotSpec, BlindedToken, Board, Cast, Channel, ChoiceOption, DecisionSpec,
    DecryptionShare, FORMAT_VERSION, Manifest, PerChannel, Record, RollLine, Round1Msg, Round2Msg,
    SealedShare, TallyResult, TokenKeys, TokenRequest, Trustees, VoteContext, VoteId, check_share,
    fingerprint,
};
use chibo_rules::{Lang, Level, Threshold};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// What the secretary fills in to open a secret ballot.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SvForm {
    /// `bau_cu`, `ky_luat` or `de_nghi_khai_tru`.
    pub kind: String,
    pub title: String,
    /// The candidate list of an election (strike-out ballot).
    pub candidates: Vec<String>,
    /// Seats to fill (election).
    pub seats: u32,
    /// The counting committee elected by the meeting (member ids); the
    /// first is its head, whose phone issues the tokens.
    pub committee: Vec<i64>,
    /// An election's candidate list by member (instead of `candidates`):
    /// the names not withdrawn go on the ballot, in this order.
    pub nominees: Vec<super::elections::Nominee>,
    /// The post the elected take: `chi_uy_vien` (default), `bi_thu`, `pho_bi_thu`.
    pub post: String,
    /// The meeting's adopted open vote that elected the counting committee.
    pub committee_vote: Option<i64>,
}

/// The ballots cast so far and the token traffic of the votes being cast:
/// memory only, by design (a restart loses them; phones resubmit their
/// ballots and ask again for the token they had not collected).
#[derive(Default)]
pub struct BallotRoom {
    room: Mutex<Room>,
}

#[derive(Default)]
struct Room {
    live: HashMap<i64, Live>,
    /// Votes whose box this server closed. A cast that read the vote as
    /// open just before the close committed reaches the room after the box
    /// was taken: it is refused here, not put in a new box nobody writes
    /// (its phone showed a tracker the board would lack).
    closed: HashSet<i64>,
}

struct Live {
    bx: BallotBox,
    /// Blinded token requests waiting for the head's phone, by member, and
    /// whether the member was already issued their ballot (see
    /// [`Services::request_token`]).
    requests: BTreeMap<i64, (TokenRequest, bool)>,
    /// Blind signatures signed since this server started, for the member's
    /// phone to collect (kept: a phone whose answer was lost asks again).
    signed: HashMap<i64, BlindedToken>,
    /// Set while the close writes the box: later ballots are refused, not lost.
    closing: bool,
}

impl BallotRoom {
    fn lock(&self) -> std::sync::MutexGuard<'_, Room> {
        self.room.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with<T>(&self, sv: &SvRow, f: impl FnOnce(&mut Live) -> Result<T>) -> Result<T> {
        let mut room = self.lock();
        if room.closed.contains(&sv.id) {
            return Err(invalid("ballot", "ballot.stage", "closed"));
        }
        let l = match room.live.entry(sv.id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(Live {
                bx: BallotBox::new(context(sv)?),
                requests: BTreeMap::new(),
                signed: HashMap::new(),
                closing: false,
            }),
        };
        f(l)
    }

    /// Ballots in the box per channel; nothing is opened for a view.
    fn cast_count(&self, id: i64) -> PerChannel {
        self.lock()
            .live
            .get(&id)
            .map(|l| l.bx.cast_count())
            .unwrap_or_default()
    }

    /// The box is written: forgotten, and the vote refused from now on.
    fn take(&self, id: i64) -> Option<Live> {
        let mut room = self.lock();
        room.closed.insert(id);
        room.live.remove(&id)
    }
}

impl Live {
    fn cast(&mut self, bytes: &[u8]) -> Result<Cast> {
        if self.closing {
            return Err(invalid("ballot", "ballot.stage", "closed"));
        }
        self.bx.cast(bytes).map_err(|e| ballot_err(e.code(), e))
    }
}

fn ballot_err(code: &'static str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Ballot(code, e.to_string())
}

fn invalid(field: &'static str, code: &'static str, value: impl Into<String>) -> ServiceError {
    ServiceError::invalid(Problem::new(field, code, value))
}

fn context(sv: &SvRow) -> Result<VoteContext> {
    let bytes = sv
        .manifest
        .as_deref()
        .ok_or_else(|| invalid("ballot", "ballot.no_keys", ""))?;
    let m: Manifest =
        serde_json::from_slice(bytes).map_err(|e| ballot_err("manifest_malformed", e))?;
    VoteContext::new(m).map_err(|e| ballot_err(e.code(), e))
}

fn status(sv: &SvRow) -> Result<SvStatus> {
    SvStatus::parse(&sv.status).map_err(ServiceError::invalid)
}

fn expect(sv: &SvRow, want: SvStatus) -> Result<()> {
    if status(sv)? != want {
        return Err(invalid("ballot", "ballot.stage", sv.status.clone()));
    }
    Ok(())
}

/// A secret ballot as its pages and phones see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SvView {
    pub sv: SvRow,
    pub trustees: Vec<TrusteeRow>,
    /// Ballots issued per channel, and the members entitled to one.
    pub issued_phone: u32,
    pub issued_paper: u32,
    pub eligible: u32,
    /// Ballots in the box now (while casting), per channel.
    pub cast_phone: u32,
    pub cast_paper: u32,
    /// Decryption shares received (once closed).
    pub shares: u32,
    /// The caller's trustee index, if they are on the counting committee.
    pub my_trustee_index: Option<i64>,
    /// Whether the caller was issued a ballot.
    pub my_ballot_issued: bool,
    /// The decrypted counts and outcome, from the record.
    #[schema(value_type = Object)]
    pub result: Option<serde_json::Value>,
}

/// A token request waiting for the head's phone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PendingToken {
    pub member_id: i64,
    pub full_name: String,
    #[schema(value_type = Object)]
    pub request: TokenRequest,
    /// The member was already issued a ballot and asks again for the
    /// signature a server restart lost: the head's phone sends back the
    /// signature it made for this very request, and signs nothing else.
    pub again: bool,
}

impl Services {
    /// Opens a secret ballot in an open meeting: freezes the ballot, the roll
    /// (as counts), the members entitled to a ballot and the counting
    /// committee, whose phones then make the key (k of n, k from the pack).
    pub async fn open_secret_ballot(
        &self,
        actor: &Actor,
        meeting_id: i64,
        form: &SvForm,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let (m, cell, roll, votes) = self
            .db
            .read(async |r| {
                let (m, cell) = managed_meeting(r, actor, meeting_id).await?;
                let roll = mdb::roll(r, meeting_id).await?;
                let votes = mdb::votes(r, meeting_id).await?;
                Ok::<_, ServiceError>((m, cell, roll, votes))
            })
            .await?;
        if m.status != "open" {
            return Err(invalid("kind", "meeting.not_open", ""));
        }
        let kind = SvKind::parse(&form.kind).map_err(ServiceError::invalid)?;
        let title = nfc(&form.title);
        if title.is_empty() {
            return Err(invalid("title", "required", ""));
        }
        let on = today(m.starts_at);
        let election = self.prepare_election(form, kind, &roll, &votes, on)?;
        let listed;
        let form = match &election {
            Some(e) if !form.nominees.is_empty() => {
                listed = SvForm {
                    candidates: e.names.clone(),
                    ..form.clone()
                };
                &listed
            }
            _ => form,
        };
        let spec = ballot_spec(kind, form)?;
        let mut lines: BTreeMap<(String, String), u32> = BTreeMap::new();
        let mut eligible = Vec::new();
        for r in &roll {
            let Some(st) = rule_status(r.member_status.as_str()) else {
                continue;
            };
            let att = attendance_of(r.presence.as_deref());
            *lines
                .entry((st.code().into(), att.code().into()))
                .or_default() += 1;
            if self.votes(r.member_status.as_str(), r.presence.as_deref(), on) {
                eligible.push(r.member_id);
            }
        }
        let committee = &form.committee;
        if committee.is_empty() {
            return Err(invalid("committee", "ballot.committee", ""));
        }
        let mut seen = std::collections::HashSet::new();
        for c in committee {
            if !eligible.contains(c) || !seen.insert(*c) {
                return Err(invalid("committee", "ballot.committee", c.to_string()));
            }
        }
        let threshold: Threshold = self
            .rules
            .param("secret_ballot_trustee_threshold", on)
            .map_err(|e| invalid("committee", "vote.rules", e.to_string()))?;
        let n = committee.len() as u32;
        let k = threshold.needed(n).clamp(1, n);
        let roll: Vec<RollLine> = lines
            .into_iter()
            .map(|((status, attendance), count)| RollLine {
                status,
                attendance,
                count,
            })
            .collect();
        let mut id = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
        let vote_id = VoteId(id);
        let spec_json = serde_json::to_string(&spec).unwrap_or_default();
        let roll_json = serde_json::to_string(&roll).unwrap_or_default();
        let eligible_json = serde_json::to_string(&eligible).unwrap_or_default();
        let hex = hex(&vote_id.0);
        let mut tx = self.db.begin().await?;
        let sv = db::open(
            &mut tx,
            &NewSv {
                meeting_id,
                cell_id: cell.id,
                kind: kind.as_str(),
                title: &title,
                spec: &spec_json,
                roll: &roll_json,
                eligible: &eligible_json,
                vote_id: &hex,
                k: k.into(),
                trustees: committee,
            },
            now,
        )
        .await?;
        if let Some(e) = &election {
            super::elections::save_election(&mut tx, sv, e).await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::meeting(&m),
            "ballot.open",
            json!({"ballot_id": sv, "kind": kind.as_str(), "title": title, "committee": committee, "k": k, "n": n, "eligible": eligible.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(sv)
    }

    /// A secret ballot the actor may see, in a reader of its own.
    async fn secret_ballot(&self, actor: &Actor, id: i64) -> Result<(SvRow, OrgRow)> {
        self.db
            .read(async |r| secret_ballot(r, actor, id).await)
            .await
    }

    /// A secret ballot the actor may see at `stage`, with the actor's
    /// trustee index on its committee.
    async fn ballot_trustee(
        &self,
        actor: &Actor,
        id: i64,
        stage: SvStatus,
    ) -> Result<(SvRow, i64)> {
        self.db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                expect(&sv, stage)?;
                let (me, _) = trustee_of(r, actor, &sv).await?;
                Ok((sv, me))
            })
            .await
    }

    /// Who received a ballot and how, by member id.
    async fn issued(&self, id: i64) -> Result<Vec<(i64, String)>> {
        Ok(self.db.read(async |r| db::issued(r, id).await).await?)
    }

    pub async fn secret_ballot_view(&self, actor: &Actor, id: i64) -> Result<SvView> {
        let parts = self
            .db
            .read(async |r| view_parts(r, actor, id).await)
            .await?;
        self.assemble_view(actor, parts)
    }

    /// The view from what [`view_parts`] read, with the box's counts while
    /// ballots are cast (memory only).
    pub(super) fn assemble_view(&self, actor: &Actor, parts: ViewParts) -> Result<SvView> {
        let ViewParts {
            sv,
            trustees,
            issued,
            record,
            shares,
        } = parts;
        let me = actor.member_id;
        let cast = if status(&sv)? == SvStatus::Issuing {
            self.ballots.cast_count(sv.id)
        } else {
            PerChannel::default()
        };
        let result = record
            .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r).ok())
            .and_then(|mut r| r.get_mut("result").map(serde_json::Value::take));
        Ok(SvView {
            issued_phone: count(&issued, Channel::Phone),
            issued_paper: count(&issued, Channel::Paper),
            eligible: eligible(&sv).len() as u32,
            cast_phone: cast.phone,
            cast_paper: cast.paper,
            shares,
            my_trustee_index: trustees
                .iter()
                .find(|t| Some(t.member_id) == me)
                .map(|t| t.idx),
            my_ballot_issued: issued.iter().any(|(m, _)| Some(*m) == me),
            trustees,
            result,
            sv,
        })
    }

    pub async fn secret_ballots_of(&self, actor: &Actor, meeting_id: i64) -> Result<Vec<SvRow>> {
        self.db
            .read(async |r| {
                meeting(r, actor, meeting_id).await?;
                Ok(db::of_meeting(r, meeting_id).await?)
            })
            .await
    }

    /// Relays a committee phone's key-generation message of `round` (1: its
    /// commitment, 2: its public information, 3: its shares sealed to each
    /// other phone).
    pub async fn post_keygen(
        &self,
        actor: &Actor,
        id: i64,
        round: i64,
        body: &serde_json::Value,
    ) -> Result<()> {
        let (sv, me) = self.ballot_trustee(actor, id, SvStatus::Keygen).await?;
        let bad = |e: serde_json::Error| ballot_err("dkg_malformed", e);
        let mut out: Vec<(i64, String)> = Vec::new();
        match round {
            1 => {
                let m: Round1Msg = serde_json::from_value(body.clone()).map_err(bad)?;
                if i64::from(m.index) != me {
                    return Err(ballot_err("dkg_index", m.index));
                }
                out.push((-1, body.to_string()));
            }
            2 => {
                let m: Round2Msg = serde_json::from_value(body.clone()).map_err(bad)?;
                if i64::from(m.index) != me {
                    return Err(ballot_err("dkg_index", m.index));
                }
                out.push((-1, body.to_string()));
            }
            3 => {
                let shares: Vec<SealedShare> = serde_json::from_value(body.clone()).map_err(bad)?;
                for s in shares {
                    let to = i64::from(s.to);
                    if i64::from(s.from) != me || to == me || to >= sv.n {
                        return Err(ballot_err("dkg_index", s.to));
                    }
                    out.push((to, serde_json::to_string(&s).unwrap_or_default()));
                }
            }
            _ => return Err(invalid("round", "ballot.round", round.to_string())),
        }
        let mut tx = self.db.begin().await?;
        for (to, body) in out {
            if !db::put_dkg(&mut tx, id, round, me, to, &body).await? {
                return Err(invalid("round", "ballot.already", round.to_string()));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The messages of a key-generation round the actor's phone needs.
    pub async fn keygen_messages(
        &self,
        actor: &Actor,
        id: i64,
        round: i64,
    ) -> Result<Vec<serde_json::Value>> {
        let bodies = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                // A phone may fetch its sealed shares after the head's set the keys.
                if !(round == 3 && status(&sv)? == SvStatus::Issuing) {
                    expect(&sv, SvStatus::Keygen)?;
                }
                let (me, _) = trustee_of(r, actor, &sv).await?;
                let to = if round == 3 { me } else { -1 };
                Ok::<_, ServiceError>(db::dkg(r, id, round, to).await?)
            })
            .await?;
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect())
    }

    /// The head's phone sets the vote's keys: the committee's joint key and
    /// key shares (from key generation) and its own token keys. The
    /// manifest is assembled and checked here; the relayed messages go.
    pub async fn set_ballot_keys(
        &self,
        actor: &Actor,
        id: i64,
        trustees: Trustees,
        token_keys: TokenKeys,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (sv, me) = self.ballot_trustee(actor, id, SvStatus::Keygen).await?;
        if me != 0 {
            return Err(ServiceError::Forbidden);
        }
        if i64::from(trustees.threshold) != sv.k || trustees.members.len() as i64 != sv.n {
            return Err(ballot_err(
                "dkg_params",
                format!("cần {}/{} thành viên ban kiểm phiếu", sv.k, sv.n),
            ));
        }
        let m = self
            .db
            .read(async |r| mdb::get(r, sv.meeting_id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let vote_id = VoteId(unhex(&sv.vote_id).ok_or(ServiceError::NotFound)?);
        let manifest = Manifest {
            version: FORMAT_VERSION,
            vote_id,
            title: sv.title.clone(),
            ballot: serde_json::from_str(&sv.spec).map_err(|e| ballot_err("manifest_spec", e))?,
            decision: DecisionSpec {
                kind: sv.kind.clone(),
                on: today(m.starts_at),
                roll: serde_json::from_str(&sv.roll).map_err(|e| ballot_err("manifest_roll", e))?,
                local_pack: None,
            },
            trustees,
            token_keys,
        };
        let ctx = VoteContext::new(manifest).map_err(|e| ballot_err(e.code(), e))?;
        let fp = fingerprint(&vote_id, &ctx.manifest().trustees);
        let bytes = ctx.manifest().to_bytes();
        let mut tx = self.db.begin().await?;
        if !db::set_keys(&mut tx, id, &bytes, &fp).await? {
            return Err(invalid("ballot", "ballot.stage", sv.status.clone()));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(&sv),
            "ballot.keys",
            json!({"fingerprint": fp, "manifest_sha256": ctx.hash().to_hex()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(fp)
    }

    /// The vote's manifest (canonical bytes), which every phone checks.
    pub async fn ballot_manifest(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        let (sv, _) = self.secret_ballot(actor, id).await?;
        sv.manifest
            .ok_or_else(|| invalid("ballot", "ballot.no_keys", ""))
    }

    /// A member's phone asks for a token: its blinded request waits for the
    /// head's phone. Asking again is harmless (the request is replaced).
    ///
    /// A member already issued a phone ballot may ask again only when this
    /// server holds no signature for them: the server restarted between the
    /// head's signature and the phone collecting it (the signatures are held
    /// in memory, like the box, so that no table keeps anything of the
    /// token exchange). The request goes to the head's phone marked `again`;
    /// that phone re-sends the signature it made for the identical request
    /// and refuses any other, so a member still gets one token: the same
    /// blinded request gives back the same blind signature, which only the
    /// member's phone can unblind.
    pub async fn request_token(&self, actor: &Actor, id: i64, request: TokenRequest) -> Result<()> {
        let (sv, issued) = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                let issued = db::issued(r, id).await?;
                Ok::<_, ServiceError>((sv, issued))
            })
            .await?;
        expect(&sv, SvStatus::Issuing)?;
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        if !eligible(&sv).contains(&me) {
            return Err(invalid("ballot", "vote.not_eligible", ""));
        }
        let again = match issued.iter().find(|(m, _)| *m == me) {
            None => false,
            Some((_, c)) if c == Channel::Phone.code() => true,
            Some(_) => return Err(invalid("ballot", "ballot.issued", "")),
        };
        self.ballots.with(&sv, |l| {
            if again && l.signed.contains_key(&me) {
                return Err(invalid("ballot", "ballot.issued", ""));
            }
            l.requests.insert(me, (request, again));
            Ok(())
        })
    }

    /// The token requests waiting for the head's phone, with the names it
    /// shows (it signs each roll entry once).
    pub async fn pending_tokens(&self, actor: &Actor, id: i64) -> Result<Vec<PendingToken>> {
        let (sv, roll) = self
            .db
            .read(async |r| {
                let (sv, _) = secret_ballot(r, actor, id).await?;
                expect(&sv, SvStatus::Issuing)?;
                let (me, _) = trustee_of(r, actor, &sv).await?;
                if me != 0 {
                    return Err(ServiceError::Forbidden);
                }
                let roll = mdb::roll(r, sv.meeting_id).await?;
                Ok((sv, roll))
            })
            .await?;
        let requests = self.ballots.with(&sv, |l| Ok(l.requests.clone()))?;
        Ok(requests
            .into_iter()
            .map(|(member_id, (request, again))| PendingToken {
                member_id,
                full_name: roll
                    .iter()
                    .find(|r| r.member_id == member_id)
                    .map(|r| r.full_name.clone())
                    .unwrap_or_default(),
                request,
                again,
            })
            .collect())
    }

    /// The head's phone returns a blind signature for a member's request:
    /// the member is recorded as issued a phone ballot (no token, no time),
    /// or, for a request asked `again`, the signature is handed back once
    /// more (audited, nothing else written).
    pub async fn sign_token(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        signed: BlindedToken,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (sv, me) = self.ballot_trustee(actor, id, SvStatus::Issuing).await?;
        if me != 0 {
            return Err(ServiceError::Forbidden);
        }
        let waiting = self.ballots.with(&sv, |l| {
            Ok(l.requests.get(&member_id).map(|(_, again)| *again))
        })?;
        match waiting {
            None => {
                return Err(invalid(
                    "member_id",
                    "ballot.no_request",
                    member_id.to_string(),
                ));
            }
            Some(false) => {
                self.record_issue(actor, &sv, member_id, Channel::Phone, now)
                    .await?
            }
            Some(true) => {
                let mut tx = self.db.begin().await?;
                audit_entry(
                    &mut tx,
                    actor,
                    Subject::ballot(&sv),
                    "ballot.issue_again",
                    json!({"member_id": member_id, "channel": Channel::Phone.code()}),
                    now,
                )
                .await?;
                tx.commit().await?;
            }
        }
        self.ballots.with(&sv, |l| {
            l.requests.remove(&member_id);
            l.signed.insert(member_id, signed);
            Ok(())
        })
    }

    /// The blind signature for the actor's own request, once signed.
    pub async fn my_token(&self, actor: &Actor, id: i64) -> Result<Option<BlindedToken>> {
        let (sv, _) = self.secret_ballot(actor, id).await?;
        expect(&sv, SvStatus::Issuing)?;
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        self.ballots.with(&sv, |l| Ok(l.signed.get(&me).cloned()))
    }

    /// The head hands a member a paper ballot.
    pub async fn issue_paper(
        &self,
        actor: &Actor,
        id: i64,
        member_id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (sv, me) = self.ballot_trustee(actor, id, SvStatus::Issuing).await?;
        if me != 0 {
            return Err(ServiceError::Forbidden);
        }
        self.record_issue(actor, &sv, member_id, Channel::Paper, now)
            .await?;
        self.ballots.with(&sv, |l| {
            l.requests.remove(&member_id);
            Ok(())
        })
    }

    async fn record_issue(
        &self,
        actor: &Actor,
        sv: &SvRow,
        member_id: i64,
        channel: Channel,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !eligible(sv).contains(&member_id) {
            return Err(invalid(
                "member_id",
                "vote.not_eligible",
                member_id.to_string(),
            ));
        }
        let mut tx = self.db.begin().await?;
        if !db::issue(&mut tx, sv.id, member_id, channel.code()).await? {
            return Err(invalid("member_id", "ballot.issued", member_id.to_string()));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(sv),
            "ballot.issue",
            json!({"member_id": member_id, "channel": channel.code()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A phone casts its ballot. No actor: the request carries no cookie and
    /// nothing is written or logged; the ballot waits in memory for the
    /// close. Resubmitting the same ballot answers with the same tracker.
    pub async fn cast_secret_ballot(&self, id: i64, bytes: &[u8]) -> Result<(String, bool)> {
        let sv = self
            .db
            .read(async |r| db::get(r, id).await)
            .await?
            .ok_or(ServiceError::NotFound)?;
        expect(&sv, SvStatus::Issuing)?;
        let b = Ballot::from_bytes(bytes).map_err(|e| ballot_err("cast_malformed", e))?;
        if b.channel() != Channel::Phone {
            return Err(ballot_err(
                "cast_channel",
                "phiếu giấy do ban kiểm phiếu nhập",
            ));
        }
        self.ballots.with(&sv, |l| match l.cast(bytes)? {
            Cast::Accepted(t) => Ok((t.to_hex(), true)),
            Cast::AlreadyCast(t) => Ok((t.to_hex(), false)),
        })
    }

    /// A committee member enters one valid paper ballot (encrypted with a
    /// paper token on the head's phone); never more than paper ballots issued.
    pub async fn enter_paper_ballot(&self, actor: &Actor, id: i64, bytes: &[u8]) -> Result<String> {
        let (sv, _) = self.ballot_trustee(actor, id, SvStatus::Issuing).await?;
        let b = Ballot::from_bytes(bytes).map_err(|e| ballot_err("cast_malformed", e))?;
        if b.channel() != Channel::Paper {
            return Err(ballot_err("cast_channel", "không phải phiếu giấy"));
        }
        let paper = count(&self.issued(id).await?, Channel::Paper);
        self.ballots.with(&sv, |l| {
            if l.bx.cast_count().paper >= paper {
                return Err(ballot_err(
                    "cast_over_issued",
                    format!("đã phát {paper} phiếu giấy"),
                ));
            }
            Ok(l.cast(bytes)?.tracker().to_hex())
        })
    }

    /// The count of invalid paper ballots: entered by one committee member,
    /// confirmed by another entering the same count. Returns whether it is
    /// now confirmed.
    pub async fn enter_paper_invalid(
        &self,
        actor: &Actor,
        id: i64,
        invalid_count: u32,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (sv, _) = self.ballot_trustee(actor, id, SvStatus::Issuing).await?;
        let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
        let count = i64::from(invalid_count);
        let confirms =
            sv.paper_invalid == Some(count) && sv.paper_entered_by.is_some_and(|by| by != me);
        let mut tx = self.db.begin().await?;
        if confirms {
            db::confirm_paper_invalid(&mut tx, id, me).await?;
        } else {
            db::set_paper_invalid(&mut tx, id, count, me).await?;
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(&sv),
            if confirms {
                "ballot.paper_confirm"
            } else {
                "ballot.paper_invalid"
            },
            json!({"paper_invalid": count}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(confirms)
    }

    /// Closes the box: every ballot written at once in tracker order with
    /// the board (issued per channel, invalid paper ballots), which the
    /// committee's phones then check before decrypting.
    pub async fn close_secret_ballot(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (sv, issued) = self
            .db
            .read(async |r| {
                let sv = managed_ballot(r, actor, id, SvStatus::Issuing).await?;
                let issued = db::issued(r, id).await?;
                Ok::<_, ServiceError>((sv, issued))
            })
            .await?;
        let issued = PerChannel {
            phone: count(&issued, Channel::Phone),
            paper: count(&issued, Channel::Paper),
        };
        let paper_invalid = match (sv.paper_invalid, sv.paper_confirmed_by) {
            (Some(n), Some(_)) => n as u32,
            _ if issued.paper == 0 => 0,
            _ => return Err(invalid("paper_invalid", "ballot.paper_unconfirmed", "")),
        };
        // The box as it stands, refusing ballots from now on; reopened if
        // the close fails.
        let (rows, cast) = self.ballots.with(&sv, |l| {
            l.closing = true;
            Ok((l.bx.rows(), l.bx.cast_count()))
        })?;
        let reopen = || {
            let _ = self.ballots.with(&sv, |l| {
                l.closing = false;
                Ok(())
            });
        };
        let ballots: std::result::Result<Vec<Ballot>, _> =
            rows.iter().map(|(_, _, b)| Ballot::from_bytes(b)).collect();
        let assembled = ballots
            .map_err(|e| ballot_err("cast_malformed", e))
            .and_then(|ballots| {
                Board::assemble(&context(&sv)?, ballots, issued, paper_invalid)
                    .map_err(|e| ballot_err(e.code(), e))
            });
        let board = match assembled {
            Ok((board, _)) => board,
            Err(e) => {
                reopen();
                return Err(e);
            }
        };
        let rows: Vec<db::BallotRow> = rows
            .into_iter()
            .map(|(t, c, b)| (t.to_hex(), c.code().to_string(), b))
            .collect();
        let hash = board.hash().to_hex();
        let written = self
            .write_board(actor, &sv, &rows, &board, json!({"board_sha256": hash, "issued": issued, "cast": cast, "paper_invalid": paper_invalid}), now)
            .await;
        match written {
            Ok(()) => {
                self.ballots.take(id);
                Ok(hash)
            }
            Err(e) => {
                reopen();
                Err(e)
            }
        }
    }

    async fn write_board(
        &self,
        actor: &Actor,
        sv: &SvRow,
        rows: &[db::BallotRow],
        board: &Board,
        summary: serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let hash = board.hash().to_hex();
        let mut tx = self.db.begin().await?;
        if !db::close(&mut tx, sv.id, rows, &board.to_bytes(), &hash, now).await? {
            return Err(invalid("ballot", "ballot.stage", sv.status.clone()));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(sv),
            "ballot.close",
            summary,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The closed board (canonical bytes): what the committee's phones check
    /// and decrypt, and where every voter finds their tracker.
    pub async fn ballot_board(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        self.db
            .read(async |r| {
                secret_ballot(r, actor, id).await?;
                Ok::<_, ServiceError>(db::board(r, id).await?)
            })
            .await?
            .ok_or_else(|| invalid("ballot", "ballot.stage", ""))
    }

    /// A committee phone's decryption share of the closed board's aggregate,
    /// checked before it is stored.
    pub async fn post_share(
        &self,
        actor: &Actor,
        id: i64,
        share: DecryptionShare,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (sv, me) = self.ballot_trustee(actor, id, SvStatus::Closed).await?;
        if i64::from(share.index) != me {
            return Err(ballot_err("share_index", share.index));
        }
        let board = self.db.read(async |r| db::board(r, id).await).await?;
        let (_, checked) = closed_board(board)?;
        check_share(&checked, &share).map_err(|e| ballot_err(e.code(), e))?;
        let body = serde_json::to_string(&share).unwrap_or_default();
        let mut tx = self.db.begin().await?;
        if !db::put_share(&mut tx, id, me, &body).await? {
            drop(tx);
            // The phone sending again the share it made (its answer was
            // lost): delivered already. Another share for the same index
            // is refused.
            let stored = self.db.read(async |r| db::share(r, id, me).await).await?;
            if stored.as_deref() == Some(body.as_str()) {
                return Ok(());
            }
            return Err(invalid("ballot", "ballot.already", ""));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(&sv),
            "ballot.share",
            json!({"index": me, "board_sha256": sv.board_sha256}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Builds the record from the shares received: with k or more the
    /// totals and the rules' outcome, with fewer the failure (the rules'
    /// paper re-vote). Its hash goes into the audit chain.
    pub async fn tally_secret_ballot(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let (sv, board, shares) = self
            .db
            .read(async |r| {
                let sv = managed_ballot(r, actor, id, SvStatus::Closed).await?;
                let board = db::board(r, id).await?;
                let shares = db::shares(r, id).await?;
                Ok::<_, ServiceError>((sv, board, shares))
            })
            .await?;
        let (board, checked) = closed_board(board)?;
        let shares: Vec<DecryptionShare> = shares
            .iter()
            .filter_map(|s| serde_json::from_str(s).ok())
            .collect();
        let (record, verified) =
            Record::build(board, &checked, &shares).map_err(|e| ballot_err(e.code(), e))?;
        let bytes = record.to_bytes();
        let hash = record.hash().to_hex();
        let (st, outcome) = match &verified.result {
            TallyResult::Decrypted { outcome, .. } => {
                (SvStatus::Decrypted, Some(outcome.outcome.clone()))
            }
            TallyResult::Failed { .. } => (SvStatus::Failed, None),
        };
        let explanation = verified.decision.as_ref().map(|d| d.explain(Lang::Vi));
        let mut tx = self.db.begin().await?;
        let done = db::finish(
            &mut tx,
            id,
            &Tallied {
                status: st.as_str(),
                record: &bytes,
                record_sha256: &hash,
                outcome: outcome.as_deref(),
                explanation: explanation.as_deref(),
            },
        )
        .await?;
        if !done {
            return Err(invalid("ballot", "ballot.stage", sv.status.clone()));
        }
        audit_entry(
            &mut tx,
            actor,
            Subject::ballot(&sv),
            "ballot.tally",
            json!({"record_sha256": hash, "status": st.as_str(), "outcome": outcome, "shares": shares.len()}),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(hash)
    }

    /// The published record (canonical bytes), which `verify_record` checks.
    pub async fn ballot_record(&self, actor: &Actor, id: i64) -> Result<Vec<u8>> {
        self.db
            .read(async |r| {
                secret_ballot(r, actor, id).await?;
                Ok::<_, ServiceError>(db::record(r, id).await?)
            })
            .await?
            .ok_or_else(|| invalid("ballot", "ballot.stage", ""))
    }
}

/// What a ballot's view is made of, read in the request's reader.
pub(super) struct ViewParts {
    pub sv: SvRow,
    pub trustees: Vec<TrusteeRow>,
    pub issued: Vec<(i64, String)>,
    pub record: Option<Vec<u8>>,
    pub shares: u32,
}

pub(super) async fn view_parts(r: &mut Reader, actor: &Actor, id: i64) -> Result<ViewParts> {
    let (sv, _) = secret_ballot(r, actor, id).await?;
    Ok(ViewParts {
        sv,
        trustees: db::trustees(r, id).await?,
        issued: db::issued(r, id).await?,
        record: db::record(r, id).await?,
        shares: db::shares(r, id).await?.len() as u32,
    })
}

/// A secret ballot the actor may see (they see its meeting).
pub(super) async fn secret_ballot(
    r: &mut Reader,
    actor: &Actor,
    id: i64,
) -> Result<(SvRow, OrgRow)> {
    let sv = db::get(r, id).await?.ok_or(ServiceError::NotFound)?;
    let cell = org_for(r, actor, sv.cell_id).await?;
    if !actor.can_see(&cell) {
        return Err(ServiceError::Forbidden);
    }
    Ok((sv, cell))
}

/// A secret ballot at `stage` in a cell the actor manages.
async fn managed_ballot(r: &mut Reader, actor: &Actor, id: i64, stage: SvStatus) -> Result<SvRow> {
    let (sv, cell) = secret_ballot(r, actor, id).await?;
    if !actor.can_manage(&cell) {
        return Err(ServiceError::Forbidden);
    }
    expect(&sv, stage)?;
    Ok(sv)
}

/// The actor's trustee index on this ballot's committee.
async fn trustee_of(r: &mut Reader, actor: &Actor, sv: &SvRow) -> Result<(i64, Vec<TrusteeRow>)> {
    let me = actor.member_id.ok_or(ServiceError::Forbidden)?;
    let trustees = db::trustees(r, sv.id).await?;
    let idx = trustees
        .iter()
        .find(|t| t.member_id == me)
        .map(|t| t.idx)
        .ok_or(ServiceError::Forbidden)?;
    Ok((idx, trustees))
}

/// The closed board as stored, verified again (every proof) before use.
fn closed_board(board: Option<Vec<u8>>) -> Result<(Board, chibo_ballot::CheckedBoard)> {
    let board = board.ok_or(ServiceError::NotFound)?;
    let board = Board::from_bytes(&board).map_err(|e| ballot_err(e.code(), e))?;
    let checked = board.check().map_err(|e| ballot_err(e.code(), e))?;
    Ok((board, checked))
}

/// The ballot a kind of decision uses: the strike-out list of an election,
/// the discipline levels (most severe first, then none), or yes/no/abstain.
fn ballot_spec(kind: SvKind, form: &SvForm) -> Result<BallotSpec> {
    let opt = |label: &str, role: &str| ChoiceOption {
        label: label.into(),
        role: role.into(),
    };
    Ok(match kind {
        SvKind::BauCu => {
            let candidates: Vec<String> = form
                .candidates
                .iter()
                .map(|c| nfc(c))
                .filter(|c| !c.is_empty())
                .collect();
            let distinct: std::collections::HashSet<&String> = candidates.iter().collect();
            if candidates.is_empty() || distinct.len() != candidates.len() {
                return Err(invalid("candidates", "ballot.candidates", ""));
            }
            if form.seats == 0 || form.seats as usize > candidates.len() {
                return Err(invalid("seats", "ballot.seats", form.seats.to_string()));
            }
            BallotSpec::StrikeOut {
                candidates,
                seats: form.seats,
            }
        }
        SvKind::KyLuat => {
            let mut options: Vec<ChoiceOption> = Level::ALL
                .iter()
                .map(|l| opt(l.label_vi(), l.as_str()))
                .collect();
            options.push(opt("Không kỷ luật", "khong_ky_luat"));
            BallotSpec::SingleChoice { options }
        }
        SvKind::DeNghiKhaiTru => BallotSpec::SingleChoice {
            options: vec![
                opt("Tán thành", "tan_thanh"),
                opt("Không tán thành", "khong_tan_thanh"),
            ],
        },
    })
}

fn eligible(sv: &SvRow) -> Vec<i64> {
    serde_json::from_str(&sv.eligible).unwrap_or_default()
}

fn count(issued: &[(i64, String)], channel: Channel) -> u32 {
    issued.iter().filter(|(_, c)| c == channel.code()).count() as u32
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Subject {
    /// A secret ballot, in its cell's chain.
    pub(crate) fn ballot(sv: &SvRow) -> Self {
        Self {
            chain_id: sv.cell_id,
            entity: "ballot",
            id: sv.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chibo_ballot::{Credential, DkgRound1, DkgRound2, RollLine, Vote};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// A vote whose keys are set (2 of 3 trustees, a strike-out ballot of
    /// three names for two seats), and a phone ballot for it.
    fn keyed_vote() -> (SvRow, Vec<u8>) {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let vote_id = VoteId([7; 32]);
        let (s1, m1): (Vec<DkgRound1>, Vec<Round1Msg>) = (0..3)
            .map(|i| DkgRound1::start(vote_id, 3, 2, i, &mut rng).unwrap())
            .unzip();
        let (s2, m2): (Vec<DkgRound2>, Vec<Round2Msg>) =
            s1.into_iter().map(|s| s.round2(&m1).unwrap()).unzip();
        let (s3, sealed): (Vec<_>, Vec<Vec<SealedShare>>) = s2
            .into_iter()
            .map(|s| s.round3(&m2, &mut rng).unwrap())
            .unzip();
        let mine: Vec<SealedShare> = sealed.into_iter().flatten().filter(|m| m.to == 0).collect();
        let done = s3.into_iter().next().unwrap().finish(&mine).unwrap();
        let (issuer, token_keys) = chibo_ballot::TokenIssuer::generate(&mut rng).unwrap();
        let manifest = Manifest {
            version: FORMAT_VERSION,
            vote_id,
            title: "Bầu chi ủy".into(),
            ballot: BallotSpec::StrikeOut {
                candidates: vec!["An".into(), "Bình".into(), "Cường".into()],
                seats: 2,
            },
            decision: DecisionSpec {
                kind: "bau_cu".into(),
                on: chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
                roll: vec![RollLine {
                    status: "chinh_thuc".into(),
                    attendance: "co_mat".into(),
                    count: 5,
                }],
                local_pack: None,
            },
            trustees: done.trustees,
            token_keys,
        };
        let ctx = VoteContext::new(manifest).unwrap();
        let m = ctx.manifest();
        let (request, pending) = Credential::generate(&mut rng)
            .request_token(&vote_id, Channel::Phone, &m.token_keys.phone, &mut rng)
            .unwrap();
        let signed = issuer.sign(Channel::Phone, &request, &mut rng).unwrap();
        let voter = pending.finish(&signed).unwrap();
        let vote = Vote::Keep {
            candidates: vec![0, 2],
        };
        let ballot = Ballot::cast(&ctx, &voter, &vote, &mut rng).unwrap();
        let sv = SvRow {
            id: 1,
            meeting_id: 1,
            cell_id: 1,
            kind: "bau_cu".into(),
            title: m.title.clone(),
            spec: String::new(),
            roll: String::new(),
            eligible: "[]".into(),
            vote_id: hex(&vote_id.0),
            k: 2,
            n: 3,
            status: "issuing".into(),
            manifest: Some(m.to_bytes()),
            fingerprint: None,
            paper_invalid: None,
            paper_entered_by: None,
            paper_confirmed_by: None,
            board_sha256: None,
            record_sha256: None,
            outcome: None,
            explanation: None,
            opened_at: DateTime::<Utc>::UNIX_EPOCH,
            closed_at: None,
        };
        (sv, ballot.to_bytes())
    }

    /// A cast that read the vote as open just before the close committed
    /// reaches the room after the close took the box: it is refused (its
    /// phone keeps the ballot and shows no tracker), not accepted into a
    /// new box that no close would ever write.
    #[test]
    fn a_cast_reaching_the_room_after_the_close_is_refused() {
        let (sv, ballot) = keyed_vote();
        let room = BallotRoom::default();
        assert_eq!(room.cast_count(sv.id), PerChannel::default());
        room.with(&sv, |_| Ok(())).unwrap();
        let taken = room.take(sv.id).expect("the open box");
        assert_eq!(taken.bx.cast_count(), PerChannel::default());
        let late = room.with(&sv, |l| l.cast(&ballot));
        match late {
            Err(ServiceError::Invalid(ps)) => assert_eq!(ps.0[0].code, "ballot.stage"),
            other => panic!("a ballot after the close: {:?}", other.map(|c| c.tracker())),
        }
        assert_eq!(room.cast_count(sv.id), PerChannel::default());
        assert!(room.lock().live.is_empty(), "no box opened after the close");
    }
}

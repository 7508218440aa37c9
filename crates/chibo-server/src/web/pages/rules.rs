//! "Cần bao nhiêu phiếu?": the vote calculator, and the rules in force.

use crate::model::{format_date, parse_date};
use crate::service::today;
use crate::web::AppState;
use crate::web::auth::User;
use crate::web::error::PageError;
use crate::web::i18n::Lang;
use crate::web::view::{Chrome, RulesPage, VotePage, VoteResult};
use axum::extract::{Query, State};
use chibo_rules::{Attendance, Ballots, DecisionKind, Member, Status};
use std::collections::HashMap;

/// The statuses and attendances the calculator asks about, in the order shown.
pub const STATUSES: [&str; 5] = [
    "chinh_thuc",
    "du_bi",
    "mien_sinh_hoat",
    "tam_thoi_di",
    "dinh_chi",
];
pub const ATTENDANCES: [&str; 3] = ["co_mat", "vang_co_ly_do", "vang_khong_ly_do"];
pub const LEVELS: [&str; 5] = [
    "khai_tru",
    "cach_chuc",
    "canh_cao",
    "khien_trach",
    "khong_ky_luat",
];

fn num(q: &HashMap<String, String>, k: &str) -> u32 {
    q.get(k).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// "Nguyễn Văn A: 9" per line.
fn candidates(text: &str) -> Vec<(String, u32)> {
    text.lines()
        .filter_map(|l| {
            let (name, votes) = l.rsplit_once([':', '\t'])?;
            Some((crate::model::nfc(name), votes.trim().parse().ok()?))
        })
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

pub async fn vote(
    State(s): State<AppState>,
    user: User,
    Query(mut q): Query<HashMap<String, String>>,
) -> Result<VotePage, PageError> {
    let now = s.services.now();
    let on = q
        .get("date")
        .and_then(|d| parse_date("date", d).ok())
        .unwrap_or_else(|| today(now));
    if !q.contains_key("kind") {
        // Start from the person's own cell: everyone convened and present.
        for (status, n) in s.services.own_cell_standing(&user.actor).await? {
            q.insert(format!("n_{}_co_mat", status.as_str()), n.to_string());
        }
    }
    let kind = q.get("kind").and_then(|k| DecisionKind::from_code(k));
    let result = kind.map(|kind| {
        let mut roll = Vec::new();
        for st in STATUSES {
            for at in ATTENDANCES {
                let n = num(&q, &format!("n_{st}_{at}"));
                let (Some(status), Some(att)) = (Status::from_code(st), Attendance::from_code(at))
                else {
                    continue;
                };
                roll.extend(std::iter::repeat_n(Member::new(status, att), n as usize));
            }
        }
        let ballots = match kind {
            DecisionKind::KyLuat => Ballots::Levels {
                levels: [
                    num(&q, "khai_tru"),
                    num(&q, "cach_chuc"),
                    num(&q, "canh_cao"),
                    num(&q, "khien_trach"),
                ],
                khong_ky_luat: num(&q, "khong_ky_luat"),
            },
            DecisionKind::BauCu => Ballots::Election {
                candidates: candidates(q.get("candidates").map_or("", String::as_str)),
                seats: num(&q, "seats").max(1),
            },
            _ => Ballots::counts(
                num(&q, "tan_thanh"),
                num(&q, "khong_tan_thanh"),
                num(&q, "khong_bieu_quyet"),
            ),
        };
        let decided = if kind == DecisionKind::CongNhanChinhThuc {
            s.services
                .rules
                .decide_recognition(&roll, &ballots, num(&q, "previous_failed"), on)
        } else {
            s.services.rules.decide(kind, &roll, &ballots, on)
        };
        let lang = if user.tr.lang == Lang::En {
            chibo_rules::Lang::En
        } else {
            chibo_rules::Lang::Vi
        };
        match decided {
            Ok(d) => VoteResult {
                outcome: d.outcome.code().to_string(),
                needed: d.needed,
                got: d.got,
                base: d.base,
                explanation: d.explain(lang),
                citations: d.citations.clone(),
                secret: d.secret_ballot_required,
                error: None,
            },
            Err(e) => VoteResult {
                error: Some(e.to_string()),
                ..VoteResult::default()
            },
        }
    });
    Ok(VotePage {
        c: Chrome::for_user(&user, "vote-title", "vote", "/rules/vote"),
        kind: kind.map_or("nghi_quyet", DecisionKind::code).to_string(),
        date: format_date(on),
        q,
        result,
    })
}

pub async fn show(
    State(s): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> Result<RulesPage, PageError> {
    let on = q
        .get("at")
        .and_then(|d| parse_date("at", d).ok())
        .unwrap_or_else(|| today(s.services.now()));
    let text = chibo_rules::show(&s.services.rules, on);
    Ok(RulesPage {
        c: Chrome::for_user(&user, "rules-title", "vote", "/rules"),
        date: format_date(on),
        text,
    })
}

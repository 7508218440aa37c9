//! Explanations of decisions, in Vietnamese and English, ending with the rules cited.

use crate::Lang;
use crate::decision::{BaseRule, Decision, DecisionKind, Invalid, Outcome};
use crate::fraction::Threshold;

pub(crate) fn explain(d: &Decision, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let mut s = String::new();
    s.push_str(match (d.outcome, vi) {
        (Outcome::Dat, true) => "Đạt",
        (Outcome::KhongDat, true) => "Không đạt",
        (Outcome::KhongHopLe, true) => "Không hợp lệ",
        (Outcome::Dat, false) => "Passed",
        (Outcome::KhongDat, false) => "Not passed",
        (Outcome::KhongHopLe, false) => "Invalid",
    });
    s.push_str(&format!(" ({}): ", d.kind_name(lang)));
    let need = need_phrase(d, lang);
    match d.invalid {
        Some(Invalid::EmptyBase) => s.push_str(if vi {
            "không có đảng viên chính thức nào để tính"
        } else {
            "there is no full member to count"
        }),
        Some(Invalid::Quorum { quorum, needed }) => s.push_str(&if vi {
            format!(
                "chỉ {} đảng viên có quyền biểu quyết có mặt, cần ít nhất {needed} ({quorum} của {})",
                d.tally.voters_present,
                d.tally.convened_base()
            )
        } else {
            format!(
                "only {} members entitled to vote are present; at least {needed} ({quorum} of {}) are required",
                d.tally.voters_present,
                d.tally.convened_base()
            )
        }),
        None => match d.kind {
            DecisionKind::KyLuat => discipline(d, lang, &need, &mut s),
            DecisionKind::BauCu => election(d, lang, &need, &mut s),
            _ => s.push_str(&if vi {
                format!("{}/{} tán thành ({need})", d.got, d.base)
            } else {
                format!("{}/{} in favour ({need})", d.got, d.base)
            }),
        },
    }
    if d.failed_attempts > 0 {
        s.push_str(&if vi {
            format!(". Lần biểu quyết thứ {} không đạt", d.failed_attempts)
        } else {
            format!(". Failed vote number {}", d.failed_attempts)
        });
        if d.escalate {
            s.push_str(if vi {
                ": báo cáo cấp ủy cấp trên xem xét, quyết định"
            } else {
                ": the case goes to the upper committee"
            });
        }
    }
    if d.secret_ballot_required {
        s.push_str(if vi {
            ". Phải biểu quyết bằng phiếu kín"
        } else {
            ". A secret ballot is required"
        });
    }
    s.push_str(" — ");
    s.push_str(&d.citations.join("; "));
    s
}

fn rule(t: Threshold, lang: Lang) -> String {
    match (t.strict, lang) {
        (true, Lang::Vi) => format!("hơn {}", t.fraction),
        (false, Lang::Vi) => format!("ít nhất {}", t.fraction),
        (true, Lang::En) => format!("more than {}", t.fraction),
        (false, Lang::En) => format!("at least {}", t.fraction),
    }
}

fn need_phrase(d: &Decision, lang: Lang) -> String {
    let t = &d.tally;
    let base = match (d.base_rule, lang) {
        (BaseRule::AllFullMembers, Lang::Vi) => {
            format!("tổng số {} đảng viên chính thức của chi bộ", d.base)
        }
        (BaseRule::AllFullMembers, Lang::En) => {
            format!("all {} full members of the cell", d.base)
        }
        (BaseRule::ConvenedMinusExclusions, _) => {
            let vi = lang == Lang::Vi;
            let parts: Vec<String> = [
                (t.excused_absent, "vắng có lý do", "absent with reason"),
                (
                    t.exempt_absent,
                    "miễn sinh hoạt vắng mặt",
                    "exempted and absent",
                ),
                (
                    t.temp_away,
                    "sinh hoạt tạm thời nơi khác",
                    "temporarily attached elsewhere",
                ),
                (t.suspended, "bị đình chỉ sinh hoạt", "suspended"),
            ]
            .iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, v, e)| format!("{n} {}", if vi { v } else { e }))
            .collect();
            let list = join_and(&parts, if vi { " và " } else { " and " });
            match (parts.is_empty(), vi) {
                (true, true) => format!("{} đảng viên chính thức được triệu tập", d.base),
                (true, false) => format!("{} full members convened", d.base),
                (false, true) => format!(
                    "{} đảng viên ({} đảng viên chính thức được triệu tập, trừ {list})",
                    d.base, t.convened
                ),
                (false, false) => format!(
                    "{} members ({} full members convened, less {list})",
                    d.base, t.convened
                ),
            }
        }
    };
    match lang {
        Lang::Vi => format!(
            "cần {} của {base}, tức ít nhất {}",
            rule(d.threshold, lang),
            d.needed
        ),
        Lang::En => format!(
            "needs {} of {base}, i.e. at least {}",
            rule(d.threshold, lang),
            d.needed
        ),
    }
}

fn join_and(parts: &[String], and: &str) -> String {
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
    }
}

fn discipline(d: &Decision, lang: Lang, need: &str, s: &mut String) {
    let vi = lang == Lang::Vi;
    match d.level {
        Some(level) => {
            let name = Decision::level_name(level, lang);
            s.push_str(&if vi {
                format!("hình thức {name}, {}/{} phiếu", d.got, d.base)
            } else {
                format!("{name}, {}/{} votes", d.got, d.base)
            });
            if d.cascaded {
                s.push_str(if vi {
                    " khi cộng dồn từ mức cao nhất"
                } else {
                    " counted cumulatively from the most severe level"
                });
            }
            s.push_str(&format!(" ({need})"));
            if d.proposed_upward {
                s.push_str(if vi {
                    "; vượt thẩm quyền của chi bộ: chi bộ đề nghị cấp ủy có thẩm quyền quyết định"
                } else {
                    "; beyond the cell's authority: the cell proposes it to the competent committee"
                });
            }
        }
        None => s.push_str(&if vi {
            format!(
                "không mức kỷ luật nào đạt, kể cả khi cộng dồn ({}/{} phiếu kỷ luật; {need}): không kỷ luật",
                d.got, d.base
            )
        } else {
            format!(
                "no level reached the threshold even counted cumulatively ({}/{} votes for a penalty; {need}): no discipline",
                d.got, d.base
            )
        }),
    }
}

fn election(d: &Decision, lang: Lang, need: &str, s: &mut String) {
    let vi = lang == Lang::Vi;
    let list = |elected: bool| -> String {
        let v: Vec<String> = d
            .candidates
            .iter()
            .filter(|c| c.elected == elected)
            .map(|c| {
                format!(
                    "{} ({} {})",
                    c.name,
                    c.votes,
                    if vi { "phiếu" } else { "votes" }
                )
            })
            .collect();
        if v.is_empty() {
            if vi {
                "không có".into()
            } else {
                "none".into()
            }
        } else {
            v.join(", ")
        }
    };
    s.push_str(&if vi {
        format!(
            "trúng cử {}/{} chỗ: {}; không trúng cử: {} ({need})",
            d.elected.len(),
            d.seats,
            list(true),
            list(false)
        )
    } else {
        format!(
            "{}/{} seats filled: {}; not elected: {} ({need})",
            d.elected.len(),
            d.seats,
            list(true),
            list(false)
        )
    });
    if !d.tied_at_last_seat.is_empty() {
        let names = join_and(&d.tied_at_last_seat, if vi { " và " } else { " and " });
        s.push_str(&if vi {
            format!("; {names} bằng phiếu nhau ở chỗ cuối cùng: chưa ai trúng cử, cần bầu tiếp")
        } else {
            format!(
                "; {names} tie for the last seat: none of them is elected, another round is needed"
            )
        });
    }
}

//! What an import preview says, in words: the one text the web page shows
//! and `chibo import … --dry-run` prints, so neither can say less.

use super::i18n::Tr;
use crate::model::format_date;
use crate::service::import::{Basis, Column, Plan};
use fluent_bundle::FluentValue;

/// One part of the preview: a heading and its lines.
#[derive(Debug, Clone)]
pub struct Section {
    /// Stable id, for the page's anchors and tests.
    pub id: &'static str,
    pub title: String,
    pub lines: Vec<String>,
    /// Counted but not listed.
    pub more: Option<String>,
    /// Something to fix or to look at before confirming.
    pub alert: bool,
}

impl Section {
    fn new(id: &'static str, title: String) -> Self {
        Self {
            id,
            title,
            lines: Vec::new(),
            more: None,
            alert: false,
        }
    }
}

/// "Tạo mới: 3 · Cập nhật: 2 · Không đổi: 1 · Bị từ chối: 1 dòng"
pub fn summary(plan: &Plan, tr: &Tr) -> String {
    let n = |v: usize| FluentValue::from(v);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("creates", n(plan.creates.total));
    args.set("updates", n(plan.updates.total));
    args.set("unchanged", n(plan.unchanged));
    args.set("rejected", n(plan.rejected_rows));
    tr.args("import-summary", &args)
}

fn label(tr: &Tr, c: Column) -> String {
    tr.field(c.key())
}

fn more(tr: &Tr, n: usize) -> Option<String> {
    (n > 0).then(|| tr.t1("import-more", "count", n))
}

/// The sections of the preview, in the order they are read.
pub fn sections(plan: &Plan, tr: &Tr) -> Vec<Section> {
    let mut out = Vec::new();

    let mut file = Section::new("file", tr.t("import-file-section"));
    let mut where_ = tr.t1("import-header-row", "row", plan.header_row);
    if plan.data_from > plan.header_row + 1 {
        where_.push_str(&format!(
            " · {}",
            tr.t1("import-data-from", "row", plan.data_from)
        ));
    }
    if let Some(sheet) = &plan.sheet_name {
        where_ = format!(
            "{} · {where_}",
            tr.t1("import-sheet", "name", sheet.as_str())
        );
    }
    file.lines.push(format!("{} · {where_}", plan.file_name));
    let read: Vec<String> = plan
        .columns
        .iter()
        .map(|c| format!("{} ({})", label(tr, c.column), c.letter))
        .collect();
    file.lines.push(format!(
        "{}: {}",
        tr.t("import-columns-read"),
        read.join(", ")
    ));
    if !plan.absent.is_empty() {
        let absent: Vec<String> = plan.absent.iter().map(|c| label(tr, *c)).collect();
        file.lines.push(format!(
            "{}: {}",
            tr.t("import-columns-absent"),
            absent.join(", ")
        ));
    }
    let cleared: Vec<String> = plan
        .columns
        .iter()
        .filter(|c| c.clear)
        .map(|c| label(tr, c.column))
        .collect();
    file.lines.push(if cleared.is_empty() {
        tr.t("import-blanks-kept")
    } else {
        format!("{}: {}", tr.t("import-blanks-clear"), cleared.join(", "))
    });
    if !plan.ignored_headers.is_empty() {
        file.lines.push(format!(
            "{}: {}",
            tr.t("import-ignored"),
            plan.ignored_headers.join(", ")
        ));
    }
    out.push(file);

    if let Some(footer) = &plan.footer {
        let mut s = Section::new("footer", tr.t1("import-footer", "row", footer.row));
        s.lines = footer.lines.clone();
        if let Some(total) = footer.stated_total.filter(|t| *t != plan.rows) {
            s.alert = true;
            s.lines.push(tr.t2(
                "import-footer-total",
                ("stated", FluentValue::from(total)),
                ("read", FluentValue::from(plan.rows)),
            ));
        }
        out.push(s);
    }

    if plan.rejected_rows > 0 {
        let mut s = Section::new(
            "rejected",
            tr.t2(
                "import-rejected-rows",
                ("rows", FluentValue::from(plan.rejected_rows)),
                ("problems", FluentValue::from(plan.problems.total)),
            ),
        );
        s.alert = true;
        s.lines = plan
            .problems
            .items
            .iter()
            .map(|r| tr.row_problem(r))
            .collect();
        s.more = more(tr, plan.problems.more());
        out.push(s);
    }

    if !plan.erasures.is_empty() {
        let mut s = Section::new(
            "erasures",
            tr.t1("import-erasures", "count", plan.erasures.total),
        );
        s.alert = true;
        s.lines = plan
            .erasures
            .items
            .iter()
            .map(|e| {
                format!(
                    "{} · {} · {}: {}",
                    tr.t1("import-row-n", "row", e.row),
                    e.full_name,
                    label(tr, e.column),
                    e.value
                )
            })
            .collect();
        s.more = more(tr, plan.erasures.more());
        out.push(s);
    }

    if !plan.inferred.is_empty() {
        let counts: Vec<String> = plan
            .inferred_counts
            .iter()
            .map(|(st, n)| format!("{}: {n}", tr.status(st.as_str())))
            .collect();
        let mut s = Section::new(
            "inferred",
            format!("{} ({})", tr.t("import-inferred"), counts.join(", ")),
        );
        s.alert = plan.needs_confirmation();
        s.lines = plan
            .inferred
            .items
            .iter()
            .map(|i| {
                let why = match i.basis {
                    Basis::OfficialDate => tr.t("import-basis-official"),
                    Basis::AdmissionWithoutOfficial => tr.t("import-basis-no-official"),
                    Basis::NoDates => tr.t("import-basis-no-dates"),
                };
                let mut line = format!(
                    "{} · {} · {} {} {} ({why})",
                    tr.t1("import-row-n", "row", i.row),
                    i.full_name,
                    tr.status(i.status.as_str()),
                    tr.t("import-since"),
                    format_date(i.since)
                );
                if i.overdue {
                    line.push_str(" — ");
                    line.push_str(&tr.t("import-overdue"));
                }
                line
            })
            .collect();
        s.more = more(tr, plan.inferred.more());
        s.lines.push(if plan.options.confirm_status {
            tr.t("import-inferred-confirmed")
        } else {
            tr.t("import-inferred-confirm")
        });
        out.push(s);
    }

    if !plan.status_notes.is_empty() {
        let mut s = Section::new("status-notes", tr.t("import-status-notes"));
        s.lines = plan
            .status_notes
            .items
            .iter()
            .map(|n| {
                format!(
                    "{} · {} · {} → {}",
                    tr.t1("import-row-n", "row", n.row),
                    n.full_name,
                    tr.status(&n.stored),
                    tr.status(n.in_file.as_str())
                )
            })
            .collect();
        s.more = more(tr, plan.status_notes.more());
        out.push(s);
    }

    if !plan.updates.is_empty() {
        let mut s = Section::new(
            "updates",
            tr.t1("import-updates-n", "count", plan.updates.total),
        );
        let counts: Vec<String> = plan
            .field_counts
            .iter()
            .map(|(c, n)| format!("{}: {n}", label(tr, *c)))
            .collect();
        s.lines.push(format!(
            "{}: {}",
            tr.t("import-field-counts"),
            counts.join(" · ")
        ));
        let empty = tr.t("import-empty");
        for p in &plan.updates.items {
            let changes: Vec<String> = p
                .changes
                .iter()
                .map(|ch| {
                    format!(
                        "{}: {} → {}",
                        label(tr, ch.column),
                        ch.before.as_deref().unwrap_or(&empty),
                        ch.after.as_deref().unwrap_or(&empty)
                    )
                })
                .collect();
            s.lines.push(format!(
                "{} · {} · {}",
                tr.t1("import-row-n", "row", p.row),
                p.full_name,
                changes.join("; ")
            ));
        }
        s.more = more(tr, plan.updates.more());
        out.push(s);
    }

    if !plan.creates.is_empty() {
        let mut s = Section::new(
            "creates",
            tr.t1("import-creates-n", "count", plan.creates.total),
        );
        s.lines = plan
            .creates
            .items
            .iter()
            .map(|p| format!("{} · {}", tr.t1("import-row-n", "row", p.row), p.full_name))
            .collect();
        s.more = more(tr, plan.creates.more());
        out.push(s);
    }

    if !plan.new_groups.is_empty() {
        let mut s = Section::new("groups", tr.t("import-new-groups"));
        s.lines = vec![plan.new_groups.join(", ")];
        out.push(s);
    }

    if plan.rejected_rows == 0 && plan.creates.is_empty() && plan.updates.is_empty() {
        let mut s = Section::new("nothing", tr.t("import-nothing"));
        s.alert = false;
        out.push(s);
    }
    out
}

/// The preview as plain text, for the command line.
pub fn text(plan: &Plan, tr: &Tr) -> Vec<String> {
    let mut out = vec![summary(plan, tr)];
    for s in sections(plan, tr) {
        out.push(String::new());
        out.push(format!("{}{}", if s.alert { "! " } else { "" }, s.title));
        out.extend(s.lines.into_iter().map(|l| format!("  {l}")));
        if let Some(m) = s.more {
            out.push(format!("  {m}"));
        }
    }
    out
}

//! One integration-test binary for chibo-rules.

mod calendar;
mod decisions;
mod guards;
mod members;
mod packs;
mod procedures;
mod props;
mod tools;
mod vocab;

use chibo_rules::{Attendance, Member, Status};
use chrono::NaiveDate;

/// `d("2026-03-10")`.
pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A roll from a compact description: "12ct 2ct-ld 1msh-ld 3db".
/// Status: ct chính thức, db dự bị, msh miễn sinh hoạt, ttd tạm thời đi, dc đình chỉ.
/// Attendance suffix: none = có mặt, -ld vắng có lý do, -kld vắng không lý do.
pub fn roll(spec: &str) -> Vec<Member> {
    let mut out = Vec::new();
    for tok in spec.split_whitespace() {
        let digits: String = tok.chars().take_while(char::is_ascii_digit).collect();
        let rest = &tok[digits.len()..];
        let (status, att) = rest.split_once('-').unwrap_or((rest, ""));
        let status = match status {
            "ct" => Status::ChinhThuc,
            "db" => Status::DuBi,
            "msh" => Status::MienSinhHoat,
            "ttd" => Status::TamThoiDi,
            "dc" => Status::DinhChi,
            s => panic!("bad status {s}"),
        };
        let attendance = match att {
            "" => Attendance::CoMat,
            "ld" => Attendance::VangCoLyDo,
            "kld" => Attendance::VangKhongLyDo,
            a => panic!("bad attendance {a}"),
        };
        for _ in 0..digits.parse::<usize>().unwrap() {
            out.push(Member::new(status, attendance));
        }
    }
    out
}

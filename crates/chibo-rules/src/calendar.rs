//! The Vietnamese working-day calendar: weekends plus the days off decreed each year, minus
//! the Saturdays decreed as make-up working days. The data lives in `packs/vn/holidays.toml`.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use crate::RulesError;
use crate::pack::{Confidence, to_date};

/// A working-day calendar covering a fixed range of years.
#[derive(Debug, Clone)]
pub struct Calendar {
    id: String,
    first_year: i32,
    last_year: i32,
    weekend: Vec<Weekday>,
    off: BTreeMap<NaiveDate, String>,
    work: BTreeMap<NaiveDate, String>,
    years: BTreeMap<i32, (Confidence, String)>,
    citation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    id: String,
    first_year: i32,
    last_year: i32,
    weekend: Vec<String>,
    source: RawSource,
    years: BTreeMap<String, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    document: String,
    number: String,
    article: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    confidence: String,
    source: String,
    off: Vec<RawDay>,
    work: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: toml::value::Datetime,
    name: String,
}

impl Calendar {
    /// The embedded Vietnamese calendar (2020–2030).
    pub fn vn() -> Calendar {
        Calendar::parse(include_str!("../packs/vn/holidays.toml"))
            .expect("the embedded calendar is checked by tests")
    }

    /// Parses a calendar file.
    pub fn parse(text: &str) -> Result<Calendar, String> {
        let raw: RawCalendar = toml::from_str(text).map_err(|e| e.to_string())?;
        let weekend = raw
            .weekend
            .iter()
            .map(|w| w.parse::<Weekday>().map_err(|_| format!("bad weekday {w}")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut off = BTreeMap::new();
        let mut work = BTreeMap::new();
        let mut years = BTreeMap::new();
        for (year, y) in raw.years {
            let year: i32 = year.parse().map_err(|_| format!("bad year {year}"))?;
            let confidence = match y.confidence.as_str() {
                "V" => Confidence::V,
                "S" => Confidence::S,
                "U" => Confidence::U,
                c => return Err(format!("bad confidence {c} in {year}")),
            };
            years.insert(year, (confidence, y.source));
            for d in y.off {
                let date = to_date(&d.date).filter(|x| x.year() == year);
                off.insert(date.ok_or(format!("bad day in {year}"))?, d.name);
            }
            for d in y.work {
                let date = to_date(&d.date).filter(|x| x.year() == year);
                work.insert(date.ok_or(format!("bad make-up day in {year}"))?, d.name);
            }
        }
        if let Some(missing) = (raw.first_year..=raw.last_year).find(|y| !years.contains_key(y)) {
            return Err(format!("no data for {missing}"));
        }
        Ok(Calendar {
            id: raw.id,
            years,
            first_year: raw.first_year,
            last_year: raw.last_year,
            weekend,
            off,
            work,
            citation: format!(
                "{} {}, {}",
                raw.source.document, raw.source.number, raw.source.article
            ),
        })
    }

    /// The calendar's name, as the pack parameter `working_day_calendar` refers to it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How sure the data for `year` is, and where it comes from (projected years are [U]).
    pub fn year_source(&self, year: i32) -> Option<(Confidence, &str)> {
        self.years.get(&year).map(|(c, s)| (*c, s.as_str()))
    }

    /// The legal basis of the calendar.
    pub fn citation(&self) -> &str {
        &self.citation
    }

    /// First and last year the calendar has data for.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    fn check(&self, d: NaiveDate) -> Result<(), RulesError> {
        if (self.first_year..=self.last_year).contains(&d.year()) {
            Ok(())
        } else {
            Err(RulesError::OutsideCalendar {
                date: d,
                first: self.first_year,
                last: self.last_year,
            })
        }
    }

    /// The name of the day off on `d`, if `d` is a decreed weekday off.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.off.get(&d).map(String::as_str)
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, RulesError> {
        self.check(d)?;
        Ok(self.work.contains_key(&d)
            || (!self.weekend.contains(&d.weekday()) && !self.off.contains_key(&d)))
    }

    /// The `n`-th working day after `from` (`from` itself is not counted; `n = 0` gives `from`).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, RulesError> {
        self.step(from, n, true)
    }

    /// The `n`-th working day before `from`.
    pub fn sub_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, RulesError> {
        self.step(from, n, false)
    }

    fn step(&self, from: NaiveDate, n: u32, forward: bool) -> Result<NaiveDate, RulesError> {
        self.check(from)?;
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = if forward {
                d.checked_add_days(Days::new(1))
            } else {
                d.checked_sub_days(Days::new(1))
            }
            .ok_or(RulesError::OutsideCalendar {
                date: d,
                first: self.first_year,
                last: self.last_year,
            })?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days `d` with `a < d ≤ b`; negative when `b` is before `a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, RulesError> {
        let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
        self.check(lo)?;
        self.check(hi)?;
        let count = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .map(|d| self.is_working_day(d))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|w| *w)
            .count();
        Ok(sign * count as i64)
    }

    /// Decreed weekdays off in `a < d ≤ b`, in date order.
    pub fn days_off_between(&self, a: NaiveDate, b: NaiveDate) -> Vec<(NaiveDate, &str)> {
        self.off
            .range(a.succ_opt().unwrap_or(a)..=b)
            .map(|(d, n)| (*d, n.as_str()))
            .collect()
    }
}

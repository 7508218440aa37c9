//! Exact rationals for thresholds and rates. Votes are counted in integers and compared by
//! cross-multiplication: "2/3 of 7" must need 5 votes, which floats cannot promise.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative rational number `num/den` (den > 0), kept reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: u64,
    den: u64,
}

impl Fraction {
    /// `num/den`, reduced. `None` when `den` is zero.
    pub fn new(num: u64, den: u64) -> Option<Fraction> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        Some(Fraction {
            num: num / g,
            den: den / g,
        })
    }

    /// The numerator (after reduction).
    pub fn num(self) -> u64 {
        self.num
    }

    /// The denominator (after reduction, never zero).
    pub fn den(self) -> u64 {
        self.den
    }

    /// Parses `"2/3"`, `"1"`, or a percentage such as `"0.5%"` / `"20%"` (exact decimal).
    pub fn parse(text: &str) -> Option<Fraction> {
        let text = text.trim();
        if let Some(pct) = text.strip_suffix('%') {
            let (int, frac) = pct.trim().split_once('.').unwrap_or((pct.trim(), ""));
            if int.is_empty() || !all_digits(int) || !all_digits(frac) || frac.len() > 6 {
                return None;
            }
            let scale = 10u64.pow(frac.len() as u32);
            let digits = format!("{int}{frac}").parse::<u64>().ok()?;
            return Fraction::new(digits, scale * 100);
        }
        match text.split_once('/') {
            Some((n, d)) => Fraction::new(n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => Fraction::new(text.parse().ok()?, 1),
        }
    }

    /// `self × n`, rounded down.
    pub fn floor_of(self, n: u64) -> u64 {
        n * self.num / self.den
    }

    /// `self × n`, rounded up.
    pub fn ceil_of(self, n: u64) -> u64 {
        (n * self.num).div_ceil(self.den)
    }

    /// Compares `a/b` with this fraction without division (`b > 0`).
    pub fn cmp_ratio(self, a: u64, b: u64) -> Ordering {
        (u128::from(a) * u128::from(self.den)).cmp(&(u128::from(self.num) * u128::from(b)))
    }

    /// This fraction written as a percentage, e.g. `0.5%`.
    pub fn percent_string(self) -> String {
        // Up to 4 decimals are enough for every rate the packs hold.
        let scaled = self.num * 100 * 10_000 / self.den;
        let int = scaled / 10_000;
        let frac = scaled % 10_000;
        if frac == 0 {
            format!("{int}%")
        } else {
            let f = format!("{frac:04}");
            format!("{int}.{}%", f.trim_end_matches('0'))
        }
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A pass rule: "more than 1/2" (`strict`) or "at least 2/3" of a base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// `true` for "more than", `false` for "at least".
    pub strict: bool,
    /// The share of the base.
    pub fraction: Fraction,
}

impl Threshold {
    /// Parses `"> 1/2"` or `">= 2/3"`.
    pub fn parse(text: &str) -> Option<Threshold> {
        let text = text.trim();
        let (strict, rest) = if let Some(r) = text.strip_prefix(">=") {
            (false, r)
        } else if let Some(r) = text.strip_prefix('>') {
            (true, r)
        } else {
            return None;
        };
        Some(Threshold {
            strict,
            fraction: Fraction::parse(rest)?,
        })
    }

    /// The smallest number of votes out of `base` that meets the rule.
    pub fn needed(self, base: u32) -> u32 {
        let base = u64::from(base);
        let n = if self.strict {
            self.fraction.floor_of(base) + 1
        } else {
            self.fraction.ceil_of(base)
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Whether `got` votes out of `base` meet the rule (never true for an empty base).
    pub fn met(self, got: u32, base: u32) -> bool {
        base > 0 && got >= self.needed(base)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            if self.strict { ">" } else { ">=" },
            self.fraction
        )
    }
}

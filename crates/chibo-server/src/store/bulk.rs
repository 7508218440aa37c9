//! Bulk loading (the demo and benchmark datasets): many rows of one table in
//! one go, inside the caller's transaction. SQLite gets multi-row `INSERT`s
//! of as many rows as its parameter limit allows; PostgreSQL gets
//! `COPY … FROM STDIN` in text format. Callers assign ids themselves (see
//! [`next_id`] and [`sync_ids`]) so rows of several tables can refer to each
//! other before any of them is written.

use super::{Result, Tx, in_tx};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::AssertSqlSafe;
use std::fmt::Write as _;

/// One value of a row.
#[derive(Debug, Clone)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Bool(bool),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<NaiveDate> for Val {
    fn from(v: NaiveDate) -> Self {
        Self::Date(v)
    }
}
impl From<DateTime<Utc>> for Val {
    fn from(v: DateTime<Utc>) -> Self {
        Self::Time(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// Rows for one table, kept flat.
pub struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
}

impl Rows {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            values: Vec::new(),
        }
    }

    /// Adds a row; it must have one value per column.
    pub fn push<const N: usize>(&mut self, row: [Val; N]) {
        assert_eq!(N, self.columns.len(), "row width of {}", self.table);
        self.values.extend(row);
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Writes every row and empties the buffer.
    pub async fn flush(&mut self, tx: &mut Tx) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        match tx {
            Tx::Sqlite(t) => self.insert_sqlite(t).await?,
            Tx::Postgres(t) => self.copy_postgres(t).await?,
        }
        self.values.clear();
        Ok(())
    }

    async fn insert_sqlite(&self, c: &mut sqlx::SqliteConnection) -> Result<()> {
        // Well under SQLite's 32,766 bound parameters, and short enough per
        // statement that sqlx never logs one as slow (with all its text).
        let width = self.columns.len();
        let per_statement = (4_096 / width).max(1);
        let cols = self.columns.join(", ");
        for chunk in self.values.chunks(per_statement * width) {
            let mut sql = format!("INSERT INTO {} ({cols}) VALUES ", self.table);
            for r in 0..chunk.len() / width {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                // Anonymous `?` on purpose: sqlx looks every named
                // parameter up by name, quadratic in a statement this long.
                for k in 0..width {
                    sql.push_str(if k == 0 { "?" } else { ", ?" });
                }
                sql.push(')');
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for v in chunk {
                q = match v {
                    Val::Null => q.bind(None::<i64>),
                    Val::Int(i) => q.bind(*i),
                    Val::Text(s) => q.bind(s.as_str()),
                    Val::Date(d) => q.bind(*d),
                    Val::Time(t) => q.bind(*t),
                    Val::Bool(b) => q.bind(*b),
                };
            }
            q.execute(&mut *c).await?;
        }
        Ok(())
    }

    async fn copy_postgres(&self, c: &mut sqlx::PgConnection) -> Result<()> {
        let sql = format!(
            "COPY {} ({}) FROM STDIN",
            self.table,
            self.columns.join(", ")
        );
        let mut copy = c.copy_in_raw(&sql).await?;
        let mut buf = String::with_capacity(1 << 20);
        for row in self.values.chunks(self.columns.len()) {
            for (k, v) in row.iter().enumerate() {
                if k > 0 {
                    buf.push('\t');
                }
                copy_text(&mut buf, v);
            }
            buf.push('\n');
            if buf.len() > (1 << 20) {
                copy.send(buf.as_bytes()).await?;
                buf.clear();
            }
        }
        copy.send(buf.as_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }
}

/// A value in COPY's text format.
fn copy_text(buf: &mut String, v: &Val) {
    match v {
        Val::Null => buf.push_str("\\N"),
        Val::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        Val::Text(s) => {
            for ch in s.chars() {
                match ch {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
        Val::Date(d) => {
            let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
        }
        Val::Time(t) => buf.push_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        Val::Bool(b) => buf.push(if *b { 't' } else { 'f' }),
    }
}

/// The first free id of a table (ids the caller assigns start here).
pub async fn next_id(tx: &mut Tx, table: &'static str) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    Ok(in_tx!(tx, |c| sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(c)
        .await)?)
}

/// `n` fresh ids for rows of `table` written by a running server (an
/// import): from the identity sequence on PostgreSQL, so concurrent inserts
/// never take them; after the largest id on SQLite, whose one writer
/// connection holds this transaction.
pub async fn reserve_ids(tx: &mut Tx, table: &'static str, n: usize) -> Result<Vec<i64>> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match tx {
        Tx::Sqlite(_) => {
            let first = next_id(tx, table).await?;
            Ok((first..first + n).collect())
        }
        Tx::Postgres(t) => {
            let sql = format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
            );
            Ok(sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(n)
                .fetch_all(&mut **t)
                .await?)
        }
    }
}

/// After ids were given explicitly, moves PostgreSQL's identity sequence past
/// them (SQLite's rowids need nothing).
pub async fn sync_ids(tx: &mut Tx, table: &'static str) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        );
        sqlx::query(AssertSqlSafe(sql)).execute(&mut **t).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_the_separators() {
        let mut b = String::new();
        copy_text(&mut b, &Val::Text("a\tb\\c\nđ".into()));
        assert_eq!(b, "a\\tb\\\\c\\nđ");
        let mut b = String::new();
        copy_text(&mut b, &Val::Null);
        assert_eq!(b, "\\N");
    }
}

//! The SQLite and PostgreSQL migration sets must build the same schema: the
//! same tables and columns (with comparable types and nullability) and the
//! same CHECK, UNIQUE, PRIMARY KEY and FOREIGN KEY constraints. Both are
//! migrated for real and read back from each database's own catalogue, so a
//! migration written for one backend only, or differently, fails here.

use crate::support::{Backend, TestApp, postgres_available};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use std::collections::{BTreeMap, BTreeSet};

/// One table as both backends can describe it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// Column name → (type class, NOT NULL).
    columns: BTreeMap<String, (&'static str, bool)>,
    primary_key: Vec<String>,
    /// Unique indexes and constraints other than the primary key: their
    /// columns (`<expr>` for an expression) and whether they are partial.
    unique: BTreeSet<(Vec<String>, bool)>,
    /// (columns, referenced table, referenced columns).
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>)>,
    /// Each CHECK by the table's columns it reads and the literals it names.
    checks: BTreeSet<(Vec<String>, Vec<String>)>,
}

type Schema = BTreeMap<String, Table>;

/// A SQLite foreign key as listed: columns, table, referenced columns (none
/// when it names the table's primary key).
type SqliteForeignKey = (Vec<String>, String, Vec<Option<String>>);

/// What a declared type stores, in the terms both backends share: SQLite
/// keeps dates, times and booleans as TEXT and INTEGER.
fn sqlite_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("TEXT") || t.contains("CLOB") {
        "text"
    } else if t.contains("BLOB") || t.is_empty() {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real"
    } else {
        "numeric"
    }
}

fn postgres_class(data_type: &str) -> &'static str {
    match data_type {
        "bigint" | "integer" | "smallint" | "boolean" => "integer",
        "text"
        | "character varying"
        | "character"
        | "date"
        | "timestamp with time zone"
        | "timestamp without time zone"
        | "time without time zone"
        | "uuid"
        | "json"
        | "jsonb" => "text",
        "bytea" => "blob",
        "double precision" | "real" => "real",
        _ => "numeric",
    }
}

/// The columns of `table` a CHECK expression reads, and the literals
/// (quoted strings and numbers) it compares them with.
fn check_terms(
    expr: &str,
    columns: &BTreeMap<String, (&'static str, bool)>,
) -> (Vec<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut literals = BTreeSet::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            literals.insert(s);
        } else if c.is_ascii_alphabetic() || c == '_' || c == '"' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '"')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().filter(|c| **c != '"').collect();
            if columns.contains_key(&word) {
                names.insert(word);
            }
            continue;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            literals.insert(chars[start..i].iter().collect());
            continue;
        }
        i += 1;
    }
    (names.into_iter().collect(), literals.into_iter().collect())
}

/// The CHECK expressions in a `CREATE TABLE` statement, as SQLite keeps it
/// (it rewrites the statement for `ALTER TABLE … ADD COLUMN`).
fn sqlite_checks(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let mut quoted = false;
    while i < chars.len() {
        if chars[i] == '\'' {
            quoted = !quoted;
        }
        let boundary = i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_');
        let word: String = chars[i..(i + 5).min(chars.len())].iter().collect();
        if !quoted && boundary && word.eq_ignore_ascii_case("check") {
            let mut j = i + 5;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars.get(j) == Some(&'(') {
                let (mut depth, mut in_str, start) = (0, false, j);
                while j < chars.len() {
                    match chars[j] {
                        '\'' => in_str = !in_str,
                        '(' if !in_str => depth += 1,
                        ')' if !in_str => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                out.push(chars[start..=j.min(chars.len() - 1)].iter().collect());
                i = j;
            }
        }
        i += 1;
    }
    out
}

async fn sqlite_schema(app: &TestApp) -> Schema {
    let url = format!("sqlite://{}", app.sqlite_path().display());
    let mut c = SqliteConnection::connect(&url).await.expect("connect");
    let tables = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> 'schema_migration'",
    )
    .fetch_all(&mut c)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for t in tables {
        let (name, sql): (String, String) = (t.get(0), t.get(1));
        let mut table = Table::default();
        let mut pk = vec![];
        for col in sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info($1)")
            .bind(&name)
            .fetch_all(&mut c)
            .await
            .expect("columns")
        {
            let (col_name, declared, not_null, pk_pos): (String, String, bool, i64) =
                (col.get(0), col.get(1), col.get(2), col.get(3));
            if pk_pos > 0 {
                pk.push((pk_pos, col_name.clone()));
            }
            // A primary key's column never holds NULL (as on PostgreSQL).
            table
                .columns
                .insert(col_name, (sqlite_class(&declared), not_null || pk_pos > 0));
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, n)| n).collect();
        for idx in sqlx::query(
            "SELECT name, origin, partial FROM pragma_index_list($1) WHERE \"unique\" = 1 AND origin <> 'pk'",
        )
        .bind(&name)
        .fetch_all(&mut c)
        .await
        .expect("indexes")
        {
            let (idx_name, partial): (String, bool) = (idx.get(0), idx.get(2));
            let cols: Vec<String> = sqlx::query(
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
            )
            .bind(&idx_name)
            .fetch_all(&mut c)
            .await
            .expect("index columns")
            .iter()
            .map(|r| r.get::<Option<String>, _>(0).unwrap_or_else(|| "<expr>".into()))
            .collect();
            table.unique.insert((cols, partial));
        }
        let mut fks: BTreeMap<i64, SqliteForeignKey> = BTreeMap::new();
        for fk in sqlx::query(
            "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(&mut c)
        .await
        .expect("foreign keys")
        {
            let e = fks.entry(fk.get(0)).or_insert_with(|| (vec![], fk.get(1), vec![]));
            e.0.push(fk.get(2));
            e.2.push(fk.get(3));
        }
        for (_, (from, to_table, to)) in fks {
            table.foreign_keys.insert((
                from,
                to_table,
                to.into_iter().map(|c| c.unwrap_or_default()).collect(),
            ));
        }
        for expr in sqlite_checks(&sql) {
            table.checks.insert(check_terms(&expr, &table.columns));
        }
        schema.insert(name, table);
    }
    // A reference without columns names the referenced table's primary key.
    let keys: BTreeMap<String, Vec<String>> = schema
        .iter()
        .map(|(n, t)| (n.clone(), t.primary_key.clone()))
        .collect();
    for t in schema.values_mut() {
        t.foreign_keys = std::mem::take(&mut t.foreign_keys)
            .into_iter()
            .map(|(from, to_table, to)| {
                let to = if to.iter().all(String::is_empty) {
                    keys.get(&to_table).cloned().unwrap_or_default()
                } else {
                    to
                };
                (from, to_table, to)
            })
            .collect();
    }
    schema
}

async fn postgres_schema(app: &TestApp) -> Schema {
    let url = app.database_url.as_deref().expect("a PostgreSQL app");
    let mut c = PgConnection::connect(url).await.expect("connect");
    let mut schema = Schema::new();
    for col in sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO' \
         FROM information_schema.columns c WHERE table_schema = 'public' AND table_name <> 'schema_migration' \
         AND EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_schema = 'public' \
         AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')",
    )
    .fetch_all(&mut c)
    .await
    .expect("columns")
    {
        let (table, name, data_type, not_null): (String, String, String, bool) =
            (col.get(0), col.get(1), col.get(2), col.get(3));
        schema
            .entry(table)
            .or_default()
            .columns
            .insert(name, (postgres_class(&data_type), not_null));
    }
    // Every constraint with its columns in key order.
    let column_list = |keys: &str, rel: &str| {
        format!(
            "ARRAY(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY k(n, i) \
             JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.i)"
        )
    };
    let sql = format!(
        "SELECT cl.relname::text, con.contype::text, {cols}, COALESCE(rt.relname::text, ''), \
         COALESCE({refs}, ARRAY[]::text[]), pg_get_constraintdef(con.oid) \
         FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid \
         JOIN pg_namespace ns ON ns.oid = cl.relnamespace LEFT JOIN pg_class rt ON rt.oid = con.confrelid \
         WHERE ns.nspname = 'public' AND cl.relname <> 'schema_migration' AND con.contype IN ('p', 'u', 'f', 'c')",
        cols = column_list("con.conkey", "con.conrelid"),
        refs = column_list("con.confkey", "con.confrelid"),
    );
    for con in sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut c)
        .await
        .expect("constraints")
    {
        let (table, kind, cols, ref_table, ref_cols, def): (
            String,
            String,
            Vec<String>,
            String,
            Vec<String>,
            String,
        ) = (
            con.get(0),
            con.get(1),
            con.get(2),
            con.get(3),
            con.get(4),
            con.get(5),
        );
        let t = schema.entry(table).or_default();
        match kind.as_str() {
            "p" => t.primary_key = cols,
            "u" => {
                t.unique.insert((cols, false));
            }
            "f" => {
                t.foreign_keys.insert((cols, ref_table, ref_cols));
            }
            _ => {
                let terms = check_terms(&def, &t.columns);
                t.checks.insert(terms);
            }
        }
    }
    // Unique indexes that are not constraints (CREATE UNIQUE INDEX).
    for idx in sqlx::query(
        "SELECT t.relname::text, ARRAY(SELECT CASE WHEN k.n = 0 THEN '<expr>' ELSE a.attname::text END \
         FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o) LEFT JOIN pg_attribute a \
         ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o), i.indpred IS NOT NULL \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         WHERE ns.nspname = 'public' AND i.indisunique AND NOT i.indisprimary \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)",
    )
    .fetch_all(&mut c)
    .await
    .expect("unique indexes")
    {
        let (table, cols, partial): (String, Vec<String>, bool) = (idx.get(0), idx.get(1), idx.get(2));
        if let Some(t) = schema.get_mut(&table) {
            t.unique.insert((cols, partial));
        }
    }
    schema
}

/// Every difference, one line each, so a failure names all of them.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = vec![];
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (Some(s), Some(p)) = (sqlite.get(name), postgres.get(name)) else {
            out.push(format!(
                "table {name}: only on {}",
                if sqlite.contains_key(name) {
                    "SQLite"
                } else {
                    "PostgreSQL"
                }
            ));
            continue;
        };
        let cols: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for col in cols {
            let (a, b) = (s.columns.get(col), p.columns.get(col));
            if a != b {
                out.push(format!("{name}.{col}: SQLite {a:?}, PostgreSQL {b:?}"));
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name} primary key: SQLite {:?}, PostgreSQL {:?}",
                s.primary_key, p.primary_key
            ));
        }
        for (what, a, b) in [
            (
                "unique",
                format!("{:?}", s.unique),
                format!("{:?}", p.unique),
            ),
            (
                "foreign keys",
                format!("{:?}", s.foreign_keys),
                format!("{:?}", p.foreign_keys),
            ),
            (
                "checks",
                format!("{:?}", s.checks),
                format!("{:?}", p.checks),
            ),
        ] {
            if a != b {
                out.push(format!("{name} {what}: SQLite {a}, PostgreSQL {b}"));
            }
        }
    }
    out
}

#[tokio::test]
async fn both_migration_sets_build_the_same_schema() {
    if !postgres_available() {
        return;
    }
    let sqlite = TestApp::empty(Backend::Sqlite).await;
    let postgres = TestApp::empty(Backend::Postgres).await;
    let (s, p) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    // The comparison itself must see something: tables, checks and keys.
    assert!(
        s.len() > 20 && s.contains_key("member") && s.contains_key("access_log"),
        "{s:?}"
    );
    assert!(
        p["access_log"]
            .checks
            .iter()
            .any(|(cols, lits)| cols == &["kind"] && lits.contains(&"refused".to_string())),
        "{:?}",
        p["access_log"]
    );
    assert!(!s["member"].unique.is_empty() && !s["member"].foreign_keys.is_empty());
    let diff = differences(&s, &p);
    assert!(
        diff.is_empty(),
        "the two schemas differ:\n{}",
        diff.join("\n")
    );
}

#[test]
fn check_expressions_are_compared_by_columns_and_literals() {
    let columns: BTreeMap<String, (&'static str, bool)> = [
        ("kind".to_string(), ("text", true)),
        ("n".to_string(), ("integer", true)),
    ]
    .into();
    let sqlite = sqlite_checks(
        "CREATE TABLE t (kind TEXT NOT NULL CHECK (kind IN ('a', 'b''c')), n INTEGER CHECK(n >= 0), checked TEXT)",
    );
    assert_eq!(sqlite.len(), 2, "{sqlite:?}");
    let pg = "CHECK ((kind = ANY (ARRAY['a'::text, 'b''c'::text])))";
    assert_eq!(check_terms(&sqlite[0], &columns), check_terms(pg, &columns));
    assert_eq!(
        check_terms(&sqlite[1], &columns),
        (vec!["n".to_string()], vec!["0".to_string()])
    );
    assert_ne!(
        check_terms("CHECK (kind IN ('a'))", &columns),
        check_terms(pg, &columns),
        "a missing code is a difference"
    );
}

//! Embedded, forward-only migrations, one folder per backend. A small runner
//! of our own: sqlx's `migrate!` macro would pull in its whole compile-time
//! query machinery for one feature.
//!
//! Several servers may start at once on one database (a rolling start behind
//! a load balancer), so the whole run is one transaction under a
//! database-wide lock: PostgreSQL's transaction-scoped advisory lock, or
//! SQLite's write lock (`BEGIN IMMEDIATE`). The first process applies what is
//! missing; the others wait for it, then find nothing left to do. A process
//! that dies halfway leaves nothing applied and releases the lock with its
//! connection. The transaction lock also works behind a pooler in
//! transaction mode, where a session lock would not.

use super::{Db, Result, StoreError, Tx, in_tx};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "meetings",
        sqlite: include_str!("../../migrations/sqlite/0002_meetings.sql"),
        postgres: include_str!("../../migrations/postgres/0002_meetings.sql"),
    },
    Migration {
        version: 3,
        name: "province_scale",
        sqlite: include_str!("../../migrations/sqlite/0003_province_scale.sql"),
        postgres: include_str!("../../migrations/postgres/0003_province_scale.sql"),
    },
    Migration {
        version: 4,
        name: "meeting_files",
        sqlite: include_str!("../../migrations/sqlite/0004_meeting_files.sql"),
        postgres: include_str!("../../migrations/postgres/0004_meeting_files.sql"),
    },
    Migration {
        version: 5,
        name: "tasks",
        sqlite: include_str!("../../migrations/sqlite/0005_tasks.sql"),
        postgres: include_str!("../../migrations/postgres/0005_tasks.sql"),
    },
    Migration {
        version: 6,
        name: "sweeps",
        sqlite: include_str!("../../migrations/sqlite/0006_sweeps.sql"),
        postgres: include_str!("../../migrations/postgres/0006_sweeps.sql"),
    },
    Migration {
        version: 7,
        name: "documents",
        sqlite: include_str!("../../migrations/sqlite/0007_documents.sql"),
        postgres: include_str!("../../migrations/postgres/0007_documents.sql"),
    },
    Migration {
        version: 8,
        name: "import_uploads",
        sqlite: include_str!("../../migrations/sqlite/0008_import_uploads.sql"),
        postgres: include_str!("../../migrations/postgres/0008_import_uploads.sql"),
    },
    Migration {
        version: 9,
        name: "records",
        sqlite: include_str!("../../migrations/sqlite/0009_records.sql"),
        postgres: include_str!("../../migrations/postgres/0009_records.sql"),
    },
    Migration {
        version: 10,
        name: "access",
        sqlite: include_str!("../../migrations/sqlite/0010_access.sql"),
        postgres: include_str!("../../migrations/postgres/0010_access.sql"),
    },
    Migration {
        version: 12,
        name: "operations",
        sqlite: include_str!("../../migrations/sqlite/0012_operations.sql"),
        postgres: include_str!("../../migrations/postgres/0012_operations.sql"),
    },
    Migration {
        version: 13,
        name: "cases",
        sqlite: include_str!("../../migrations/sqlite/0013_cases.sql"),
        postgres: include_str!("../../migrations/postgres/0013_cases.sql"),
    },
    Migration {
        version: 14,
        name: "elections",
        sqlite: include_str!("../../migrations/sqlite/0014_elections.sql"),
        postgres: include_str!("../../migrations/postgres/0014_elections.sql"),
    },
    Migration {
        version: 15,
        name: "residents",
        sqlite: include_str!("../../migrations/sqlite/0015_residents.sql"),
        postgres: include_str!("../../migrations/postgres/0015_residents.sql"),
    },
    Migration {
        version: 17,
        name: "keeping",
        sqlite: include_str!("../../migrations/sqlite/0017_keeping.sql"),
        postgres: include_str!("../../migrations/postgres/0017_keeping.sql"),
    },
    Migration {
        version: 18,
        name: "evaluations",
        sqlite: include_str!("../../migrations/sqlite/0018_evaluations.sql"),
        postgres: include_str!("../../migrations/postgres/0018_evaluations.sql"),
    },
    Migration {
        version: 19,
        name: "study_library",
        sqlite: include_str!("../../migrations/sqlite/0019_study_library.sql"),
        postgres: include_str!("../../migrations/postgres/0019_study_library.sql"),
    },
    Migration {
        version: 20,
        name: "election_posts",
        sqlite: include_str!("../../migrations/sqlite/0020_election_posts.sql"),
        postgres: include_str!("../../migrations/postgres/0020_election_posts.sql"),
    },
    Migration {
        version: 21,
        name: "offline",
        sqlite: include_str!("../../migrations/sqlite/0021_offline.sql"),
        postgres: include_str!("../../migrations/postgres/0021_offline.sql"),
    },
    Migration {
        version: 22,
        name: "discipline",
        sqlite: include_str!("../../migrations/sqlite/0022_discipline.sql"),
        postgres: include_str!("../../migrations/postgres/0022_discipline.sql"),
    },
    Migration {
        version: 23,
        name: "badges",
        sqlite: include_str!("../../migrations/sqlite/0023_badges.sql"),
        postgres: include_str!("../../migrations/postgres/0023_badges.sql"),
    },
    Migration {
        version: 24,
        name: "concern_tasks",
        sqlite: include_str!("../../migrations/sqlite/0024_concern_tasks.sql"),
        postgres: include_str!("../../migrations/postgres/0024_concern_tasks.sql"),
    },
    Migration {
        version: 25,
        name: "cell_rating",
        sqlite: include_str!("../../migrations/sqlite/0025_cell_rating.sql"),
        postgres: include_str!("../../migrations/postgres/0025_cell_rating.sql"),
    },
    Migration {
        version: 26,
        name: "roll_counts",
        sqlite: include_str!("../../migrations/sqlite/0026_roll_counts.sql"),
        postgres: include_str!("../../migrations/postgres/0026_roll_counts.sql"),
    },
    Migration {
        version: 27,
        name: "dues_entry_member",
        sqlite: include_str!("../../migrations/sqlite/0027_dues_entry_member.sql"),
        postgres: include_str!("../../migrations/postgres/0027_dues_entry_member.sql"),
    },
    Migration {
        version: 28,
        name: "kept_figures",
        sqlite: include_str!("../../migrations/sqlite/0028_kept_figures.sql"),
        postgres: include_str!("../../migrations/postgres/0028_kept_figures.sql"),
    },
    Migration {
        version: 29,
        name: "session_expires",
        sqlite: include_str!("../../migrations/sqlite/0029_session_expires.sql"),
        postgres: include_str!("../../migrations/postgres/0029_session_expires.sql"),
    },
    Migration {
        version: 30,
        name: "task_counts",
        sqlite: include_str!("../../migrations/sqlite/0030_task_counts.sql"),
        postgres: include_str!("../../migrations/postgres/0030_task_counts.sql"),
    },
    Migration {
        version: 31,
        name: "sweep_keys",
        sqlite: include_str!("../../migrations/sqlite/0031_sweep_keys.sql"),
        postgres: include_str!("../../migrations/postgres/0031_sweep_keys.sql"),
    },
];

/// The advisory lock key of the migration run ("chibo" + "mig" in ASCII):
/// any fixed number that no other lock in the database uses.
pub const LOCK_KEY: i64 = 0x6368_6962_6f6d_6967;

/// What a run did: the migrations it applied (none when another process had
/// applied them first).
#[derive(Debug, Default)]
pub struct Applied(pub Vec<i64>);

/// The versions recorded as applied.
pub async fn applied(db: &Db) -> Result<Vec<i64>> {
    Ok(super::pooled!(db, |c| sqlx::query_scalar(
        "SELECT version FROM schema_migration ORDER BY version"
    )
    .fetch_all(c)
    .await)?)
}

pub async fn run(db: &Db) -> Result<Applied> {
    let mut tx = db.begin_long().await?;
    if let Tx::Postgres(t) = &mut tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOCK_KEY)
            .execute(&mut **t)
            .await?;
    }
    let create = "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL)";
    in_tx!(&mut tx, |c| sqlx::query(create)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let applied: Vec<i64> = in_tx!(&mut tx, |c| {
        sqlx::query_scalar("SELECT version FROM schema_migration ORDER BY version")
            .fetch_all(c)
            .await
    })?;
    if let Some(v) = applied
        .iter()
        .find(|v| !MIGRATIONS.iter().any(|m| m.version == **v))
    {
        return Err(StoreError::TooNew(*v));
    }
    let mut done = Applied::default();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let sql = match db {
            Db::Sqlite { .. } => m.sqlite,
            Db::Postgres { .. } => m.postgres,
        };
        let label = || format!("{:04}_{}", m.version, m.name);
        in_tx!(&mut tx, |c| sqlx::raw_sql(sql)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(|e| StoreError::Migration(label(), e))?;
        in_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO schema_migration (version, name) VALUES ($1, $2)")
                .bind(m.version)
                .bind(m.name)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        done.0.push(m.version);
    }
    tx.commit().await?;
    if !done.0.is_empty() {
        tracing::info!(applied = ?done.0, "migrations applied");
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;
    use chibo_rules::{CaseKind, CaseOutcome, Code, Performer, Status, StepResult};

    fn list<T: Code>() -> String {
        let quoted: Vec<String> = T::CODES.iter().map(|c| format!("'{c}'")).collect();
        format!("IN ({})", quoted.join(", "))
    }

    /// The CHECK constraints of both schemas list chibo-rules' vocabulary,
    /// every code in order: a code added to the rules fails here until the
    /// schemas (by a new migration) accept it.
    #[test]
    fn check_constraints_list_the_shared_vocabulary() {
        let cases = MIGRATIONS.iter().find(|m| m.name == "cases").unwrap();
        for sql in [cases.sqlite, cases.postgres] {
            for (what, codes) in [
                ("status", list::<Status>()),
                ("kind", list::<CaseKind>()),
                ("outcome", list::<CaseOutcome>()),
                ("result", list::<StepResult>()),
                ("performer", list::<Performer>()),
            ] {
                assert!(sql.contains(&codes), "{what}: {codes} not in the schema");
            }
            assert!(sql.contains("'dinh_chi'"), "suspension can be stored");
        }
    }
}

//! Throw-away PostgreSQL clusters of the tests' own, on their own ports,
//! made with Debian's binaries: a primary with a synchronous streaming
//! replica for the failover test, one with TLS and passwords for the
//! connection tests. initdb refuses root, so as root they run as the
//! `postgres` user. Where no binaries are found the test says so and
//! passes, unless `CHIBO_REQUIRE_FAILOVER` is set (CI): then it fails.

use std::path::PathBuf;
use std::process::Command;

pub fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    found.sort();
    found.pop()
}

/// Whether these tests can run here; see the module's note.
pub fn available() -> bool {
    if bin_dir().is_some() {
        return true;
    }
    assert!(
        std::env::var("CHIBO_REQUIRE_FAILOVER").is_err(),
        "CHIBO_REQUIRE_FAILOVER is set but no PostgreSQL server binaries are installed"
    );
    eprintln!("no PostgreSQL server binaries: cluster test skipped");
    false
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL program as the user that owns the clusters.
pub fn pg(program: &str, args: &[&str]) -> std::process::Output {
    let bin = bin_dir().expect("binaries").join(program);
    let out = if is_root() {
        let line = std::iter::once(bin.display().to_string())
            .chain(
                args.iter()
                    .map(|a| format!("'{}'", a.replace('\'', "'\\''"))),
            )
            .collect::<Vec<_>>()
            .join(" ");
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", &line])
            .output()
    } else {
        Command::new(bin).args(args).output()
    };
    out.unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn must(program: &str, args: &[&str]) {
    let o = pg(program, args);
    assert!(
        o.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One cluster: its folder and port. Stopped and removed when dropped.
pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    _parent: tempfile::TempDir,
}

impl Cluster {
    /// A folder the cluster's user may write.
    fn folder() -> (tempfile::TempDir, PathBuf) {
        let parent = tempfile::Builder::new()
            .prefix("chibo-pg-")
            .tempdir_in("/tmp")
            .unwrap();
        let dir = parent.path().join("data");
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres", parent.path().to_str().unwrap()])
                .status()
                .unwrap();
        }
        (parent, dir)
    }

    /// A new primary on `port` with `conf` appended to postgresql.conf and
    /// `hba` as pg_hba.conf.
    pub fn primary(port: u16, conf: &str, hba: &str) -> Self {
        let (parent, dir) = Self::folder();
        let d = dir.to_str().unwrap();
        must(
            "initdb",
            &[
                "-D",
                d,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
        );
        let c = Self {
            dir,
            port,
            _parent: parent,
        };
        c.write("postgresql.auto.conf", conf);
        c.write("pg_hba.conf", hba);
        c.start();
        c
    }

    /// A streaming replica of `primary` on `port`, synchronous under the
    /// name `standby`.
    pub fn standby_of(primary: &Cluster, port: u16) -> Self {
        let (parent, dir) = Self::folder();
        let d = dir.to_str().unwrap();
        let p = primary.port.to_string();
        must(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &p,
                "-U",
                "postgres",
                "-D",
                d,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        );
        let c = Self {
            dir,
            port,
            _parent: parent,
        };
        // The replica names itself so the primary can wait for it.
        let auto = std::fs::read_to_string(c.dir.join("postgresql.auto.conf")).unwrap();
        c.write(
            "postgresql.auto.conf",
            &auto.replace("user=postgres", "user=postgres application_name=standby"),
        );
        c.start();
        c
    }

    /// Writes a file of the cluster's folder (as its owner).
    pub fn write(&self, name: &str, text: &str) {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        if is_root() {
            Command::new("chown")
                .args(["postgres:postgres", path.to_str().unwrap()])
                .status()
                .unwrap();
        }
    }

    pub fn start(&self) {
        let opts = format!("-p {} -k /tmp -c listen_addresses=127.0.0.1", self.port);
        must(
            "pg_ctl",
            &[
                "-D",
                self.dir.to_str().unwrap(),
                "-l",
                self.dir.join("log").to_str().unwrap(),
                "-o",
                &opts,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server: `fast` (clients told, as `systemctl stop` does) or
    /// `immediate` (a crash).
    pub fn stop(&self, mode: &str) {
        must(
            "pg_ctl",
            &["-D", self.dir.to_str().unwrap(), "-m", mode, "-w", "stop"],
        );
    }

    pub fn promote(&self) {
        must(
            "pg_ctl",
            &["-D", self.dir.to_str().unwrap(), "-w", "promote"],
        );
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg(
            "pg_ctl",
            &["-D", self.dir.to_str().unwrap(), "-m", "immediate", "stop"],
        );
    }
}

//! chibo on a PostgreSQL that takes only TLS connections with a password,
//! as OPERATIONS.md sets one up: `sslmode=verify-full` with the CA file
//! connects and serves; a wrong password, or a CA that did not sign the
//! server's certificate, stops `chibo serve` at once with one line and a
//! non-zero exit code.

use crate::failover::free_port;
use crate::ops::{chibo, http_get, serve, signal};
use crate::pgcluster::{self, Cluster};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PASSWORD: &str = "mat-khau-dung";

/// A CA and a certificate it signs for 127.0.0.1 and localhost.
fn certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    for ca in ["ca", "other-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
            "-subj",
            &format!("/CN=chibo test {ca}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
    }
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
}

/// One statement as the cluster's superuser over its socket: its output.
fn psql(port: &str, sql: &str) -> String {
    let o = pgcluster::pg(
        "psql",
        &[
            "-h",
            "/tmp",
            "-p",
            port,
            "-U",
            "postgres",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
    );
    assert!(
        o.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// `chibo serve` that is expected to stop: its exit code and stderr.
fn serve_fails(url: &str, data: &Path) -> (Option<i32>, String) {
    let mut child = chibo()
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("CHIBO_DATABASE_URL", url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("chibo serve kept running with {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn tls_verify_full_with_a_password_and_the_wrong_ones() {
    if !pgcluster::available() {
        return;
    }
    let certs = tempfile::Builder::new()
        .prefix("chibo-tls-")
        .tempdir_in("/tmp")
        .unwrap();
    certificates(certs.path());
    let cert_path = |f: &str| certs.path().join(f).to_str().unwrap().to_string();
    // The server's key: its owner only, as PostgreSQL demands.
    for f in ["server.key", "server.pem"] {
        let _ = Command::new("chown")
            .args(["postgres:postgres", &cert_path(f)])
            .status();
    }
    std::fs::set_permissions(
        certs.path().join("server.key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    std::fs::set_permissions(
        certs.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let conf = format!(
        "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\npassword_encryption = 'scram-sha-256'\n",
        cert_path("server.pem"),
        cert_path("server.key")
    );
    // The socket for the test's own setup; over TCP only TLS with a password.
    let hba = "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 reject\n";
    let cluster = Cluster::primary(free_port(), &conf, hba);
    let port = cluster.port.to_string();
    for sql in [
        format!("CREATE ROLE chibo LOGIN PASSWORD '{PASSWORD}'"),
        "CREATE DATABASE chibo OWNER chibo".to_string(),
    ] {
        psql(&port, &sql);
    }
    let url = |password: &str, ca: &str| {
        format!(
            "postgres://chibo:{password}@127.0.0.1:{port}/chibo?sslmode=verify-full&sslrootcert={}",
            cert_path(ca)
        )
    };
    let data = tempfile::tempdir().unwrap();

    // The right password and CA: served, over TLS.
    let mut s = serve(
        &["--data", data.path().to_str().unwrap()],
        &[
            ("CHIBO_DATABASE_URL", &url(PASSWORD, "ca.pem")),
            ("CHIBO_REMIND_EVERY_SECS", "0"),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(&s.addr, "/readyz").ends_with("ready") {
        assert!(Instant::now() < deadline, "never ready over TLS");
        std::thread::sleep(Duration::from_millis(100));
    }
    let counts = psql(
        &port,
        "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'chibo'",
    );
    let (tls, all) = counts.split_once('|').unwrap();
    assert!(
        all != "0" && tls == all,
        "chibo's connections over TLS: {counts}"
    );
    signal(&s.child, "-TERM");
    assert_eq!(s.child.wait().unwrap().code(), Some(0));

    // A wrong password, then a CA that did not sign the server's certificate.
    for (case, u, why) in [
        ("wrong password", url("sai-mat-khau", "ca.pem"), "password"),
        ("wrong CA", url(PASSWORD, "other-ca.pem"), "certificate"),
    ] {
        let (code, stderr) = serve_fails(&u, data.path());
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(matches!(code, Some(c) if c != 0), "{case}: exit {code:?}");
        assert_eq!(lines.len(), 1, "{case}: one line:\n{stderr}");
        let line = lines[0];
        assert!(
            line.contains(&format!("127.0.0.1:{port}")) && line.to_lowercase().contains(why),
            "{case}: says where and why: {line}"
        );
        assert!(
            !line.contains("sai-mat-khau") && !line.contains(PASSWORD),
            "{line}"
        );
    }
    drop(cluster);
}

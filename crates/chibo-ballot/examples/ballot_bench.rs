//! Figures for the design's targets (a benchmark that prints, not a timed test):
//! `cargo run --release -p chibo-ballot --example ballot_bench`.
//!
//! For each ballot kind, 60 ballots (strike-out: 7 candidates, 5 seats; single choice: yes /
//! no / abstain) under a 2-of-3 committee: encryption, the cast-time check per ballot, closing
//! the box, the trustees' shares (each phone verifies the whole board first), building the
//! record, and verifying it. Then the wasm bundle's size, and 30 encryptions under Node.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::NaiveDate;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use chibo_ballot::*;

const BALLOTS: usize = 60;

fn keygen(vote_id: VoteId, rng: &mut ChaCha20Rng) -> Vec<DkgOutcome> {
    let (s, m1): (Vec<_>, Vec<_>) = (0..3)
        .map(|i| DkgRound1::start(vote_id, 3, 2, i, rng).unwrap())
        .unzip();
    let (s, m2): (Vec<_>, Vec<_>) = s.into_iter().map(|s| s.round2(&m1).unwrap()).unzip();
    let (s, sealed): (Vec<_>, Vec<Vec<SealedShare>>) =
        s.into_iter().map(|s| s.round3(&m2, rng).unwrap()).unzip();
    let all: Vec<SealedShare> = sealed.into_iter().flatten().collect();
    s.into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mine: Vec<_> = all.iter().filter(|m| m.to as usize == i).cloned().collect();
            s.finish(&mine).unwrap()
        })
        .collect()
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// CPU time of this (single-threaded) process in ms, from /proc (10 ms ticks): on a shared
/// machine the wall time also counts other people's builds.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) * 10.0
}

/// Runs `f`, returns its result with (wall ms, cpu ms).
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu());
    let out = f();
    (out, ms(t), cpu() - c)
}

fn run(name: &str, ballot: BallotSpec, kind: &str, issuer: &TokenIssuer, keys: &TokenKeys) {
    let mut rng = ChaCha20Rng::seed_from_u64(60);
    let mut id = [0u8; 32];
    rng.fill_bytes(&mut id);
    let vote_id = VoteId(id);
    let (done, keygen_ms, keygen_cpu) = timed(|| keygen(vote_id, &mut rng));
    let manifest = Manifest {
        version: FORMAT_VERSION,
        vote_id,
        title: name.into(),
        ballot: ballot.clone(),
        decision: DecisionSpec {
            kind: kind.into(),
            on: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            roll: vec![RollLine {
                status: "chinh_thuc".into(),
                attendance: "co_mat".into(),
                count: BALLOTS as u32,
            }],
            local_pack: None,
        },
        trustees: done[0].trustees.clone(),
        token_keys: keys.clone(),
    };
    let ctx = VoteContext::new(manifest.clone()).unwrap();
    let voters: Vec<Voter> = (0..BALLOTS)
        .map(|_| {
            let (req, pending) = Credential::generate(&mut rng)
                .request_token(&vote_id, Channel::Phone, &keys.phone, &mut rng)
                .unwrap();
            pending
                .finish(&issuer.sign(Channel::Phone, &req, &mut rng).unwrap())
                .unwrap()
        })
        .collect();
    let votes: Vec<Vote> = (0..BALLOTS)
        .map(|i| match &ballot {
            BallotSpec::StrikeOut { .. } => Vote::Keep {
                candidates: (0..7).filter(|c| (i * 7 + c * 3) % 5 < 3).take(5).collect(),
            },
            BallotSpec::SingleChoice { .. } => Vote::Choice { option: i % 3 },
        })
        .collect();

    let (ballots, encrypt, encrypt_cpu) = timed(|| {
        voters
            .iter()
            .zip(&votes)
            .map(|(v, vote)| Ballot::cast(&ctx, v, vote, &mut rng).unwrap().to_bytes())
            .collect::<Vec<_>>()
    });
    let mut bx = BallotBox::new(ctx);
    let ((), cast, cast_cpu) = timed(|| {
        for b in &ballots {
            bx.cast(b).unwrap();
        }
    });
    let issued = PerChannel {
        phone: BALLOTS as u32,
        paper: 0,
    };
    // Close: the rows in tracker order, read back and assembled into the board (verified).
    let ((board, checked), close, close_cpu) = timed(|| bx.close(issued, 0).unwrap());
    let bytes = board.to_bytes();
    let hash = board.hash();
    let trustees: Vec<Trustee> = done.into_iter().map(|d| d.trustee).collect();
    // Each trustee's phone verifies the whole board before sharing; they work in parallel, so
    // the tally waits for one of them.
    let (first, share, share_cpu) = timed(|| {
        trustees[0]
            .decryption_share(&bytes, &hash, &mut rng)
            .unwrap()
    });
    let second = trustees[1]
        .decryption_share(&bytes, &hash, &mut rng)
        .unwrap();
    let ((record, _), build, build_cpu) =
        timed(|| Record::build(board, &checked, &[first, second]).unwrap());
    let record_bytes = record.to_bytes();
    let (_, verify, verify_cpu) = timed(|| verify_record(&record_bytes).unwrap());

    let line = |what: &str, wall: f64, cpu: f64| {
        println!("  {what:<44} {wall:8.1} ms wall {cpu:8.0} ms cpu");
    };
    println!("{name}, {BALLOTS} ballots, 2-of-3 committee:");
    line(
        "key generation (3 phones, in one process)",
        keygen_ms,
        keygen_cpu,
    );
    line("encrypt with proofs (60)", encrypt, encrypt_cpu);
    line("cast-time check (60)", cast, cast_cpu);
    println!(
        "  {:<44} {:8.2} ms wall {:8.1} ms cpu",
        "cast-time check, per ballot",
        cast / BALLOTS as f64,
        cast_cpu / BALLOTS as f64
    );
    line("close the box (sort, verify, sum)", close, close_cpu);
    line("one trustee's share (verifies the board)", share, share_cpu);
    line("record (check shares, combine, rules)", build, build_cpu);
    line(
        "tally = close + share + record",
        close + share + build,
        close_cpu + share_cpu + build_cpu,
    );
    line("verify the published record", verify, verify_cpu);
    println!(
        "  ballot {} bytes, record {} bytes",
        ballots[0].len(),
        record_bytes.len()
    );
}

fn main() {
    let ((issuer, keys), wall, cpu) =
        timed(|| TokenIssuer::generate(&mut ChaCha20Rng::seed_from_u64(9474)).unwrap());
    println!("token keys (2 × RSA-{TOKEN_KEY_BITS}): {wall:.0} ms wall, {cpu:.0} ms cpu");
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    let names = [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
        "Hoàng Văn Em",
        "Vũ Thị Phương",
        "Đặng Văn Giang",
    ];
    run(
        "strike-out, 7 candidates, 5 seats",
        BallotSpec::StrikeOut {
            candidates: names.iter().map(|s| s.to_string()).collect(),
            seats: 5,
        },
        "bau_cu",
        &issuer,
        &keys,
    );
    let opt = |label: &str, role: &str| ChoiceOption {
        label: label.into(),
        role: role.into(),
    };
    run(
        "single choice, yes / no / abstain",
        BallotSpec::SingleChoice {
            options: vec![
                opt("Tán thành", "tan_thanh"),
                opt("Không tán thành", "khong_tan_thanh"),
                opt("Không biểu quyết", "khong_bieu_quyet"),
            ],
        },
        "nghi_quyet",
        &issuer,
        &keys,
    );

    let wasm = Path::new(env!("CARGO_MANIFEST_DIR")).join("wasm");
    match std::fs::read(wasm.join("pkg/chibo_ballot_bg.wasm")) {
        Ok(bytes) => {
            let gzip = Command::new("sh")
                .arg("-c")
                .arg("gzip -9 -n -c \"$0\" | wc -c")
                .arg(wasm.join("pkg/chibo_ballot_bg.wasm"))
                .output()
                .ok()
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map_or("?".into(), |s| s.trim().to_string());
            let glue = std::fs::metadata(wasm.join("pkg/chibo_ballot.js")).map_or(0, |m| m.len());
            println!(
                "wasm bundle: {} bytes raw, {gzip} bytes gzip -9 (+ {glue} bytes of JS glue)",
                bytes.len()
            );
        }
        Err(e) => println!("wasm bundle: not built ({e})"),
    }
    match Command::new("node")
        .arg(wasm.join("test/phones.mjs"))
        .args(["bench", "30"])
        .output()
    {
        Ok(out) => print!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("node: not run ({e})"),
    }
}

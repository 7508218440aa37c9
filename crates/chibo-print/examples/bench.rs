//! Times a one-page resolution and the five-document meeting dossier, cold
//! (the first render in the process: fonts parsed, template evaluated) and
//! warm, and leaves the outputs in the temp directory for a look.
//!
//! `cargo run --release -p chibo-print --example bench` (resolution first),
//! `… --example bench -- dossier` (dossier first, for its cold figure).

use std::time::{Duration, Instant};

use chibo_print::{Layout, Properties, render_docx, render_pdf, render_pdf_bundle, sample};

const WARM_RUNS: u32 = 20;

fn time<T>(f: impl Fn() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn warm(f: impl Fn()) -> Duration {
    let start = Instant::now();
    for _ in 0..WARM_RUNS {
        f();
    }
    start.elapsed() / WARM_RUNS
}

fn main() {
    let layout = Layout::default();
    let resolution = sample::resolution();
    let dossier = sample::dossier();
    let about = Properties::of(&resolution);
    let one = || render_pdf(&resolution, &about, &layout).expect("resolution renders");
    let all = || render_pdf_bundle(&dossier, &about, &layout).expect("dossier renders");

    let dossier_first = std::env::args().nth(1).as_deref() == Some("dossier");
    let (pdf, pdf_cold, bundle, bundle_cold) = if dossier_first {
        let (bundle, bundle_cold) = time(all);
        let (pdf, pdf_cold) = time(one);
        (pdf, pdf_cold, bundle, bundle_cold)
    } else {
        let (pdf, pdf_cold) = time(one);
        let (bundle, bundle_cold) = time(all);
        (pdf, pdf_cold, bundle, bundle_cold)
    };
    let pdf_warm = warm(|| drop(one()));
    let bundle_warm = warm(|| drop(all()));
    let (docx, docx_time) =
        time(|| render_docx(&resolution, &about, &layout).expect("docx renders"));

    let first = if dossier_first {
        "dossier"
    } else {
        "resolution"
    };
    println!("first render in the process: {first}");
    println!(
        "resolution PDF: first {:>7.1} ms, warm {:>6.1} ms  ({} bytes)",
        ms(pdf_cold),
        ms(pdf_warm),
        pdf.len()
    );
    println!(
        "dossier PDF:    first {:>7.1} ms, warm {:>6.1} ms  ({} bytes, 5 documents)",
        ms(bundle_cold),
        ms(bundle_warm),
        bundle.len()
    );
    println!(
        "resolution DOCX: {:.1} ms ({} bytes)",
        ms(docx_time),
        docx.len()
    );

    let dir = std::env::temp_dir();
    for (name, bytes) in [
        ("chibo-resolution.pdf", &pdf),
        ("chibo-dossier.pdf", &bundle),
        ("chibo-resolution.docx", &docx),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("temp dir is writable");
        println!("wrote {}", path.display());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

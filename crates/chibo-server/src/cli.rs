//! The `chibo` command line: thin wrappers over the services.

use crate::app::{self, App};
use crate::config::{Config, Loaded, LogFormat};
use crate::model::{OrgCode, Role};
use crate::service::{self, Actor, Services, accounts::NewAccount, demo::DemoSize};
use crate::store::{self, accounts::GrantRow};
use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "chibo",
    version,
    about = "chibo — phần mềm công tác chi bộ / the Party cell's workbench"
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, env = "CHIBO_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Folder of the embedded SQLite database (or CHIBO_DATA_DIR).
    #[arg(long = "data", global = true)]
    data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite: postgres://user:pass@host/db, or
    /// several hosts: postgres://user@db1,db2/chibo?target_session_attrs=read-write
    /// (or CHIBO_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (or CHIBO_LISTEN).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Cookies only over HTTPS (set when behind TLS; or CHIBO_SECURE_COOKIES).
        #[arg(long)]
        secure_cookies: bool,
        /// Fill an empty database with the demo upper committee first.
        #[arg(long)]
        demo: bool,
        /// Say in each response's `X-Chibo-Queries` header how many
        /// statements it sent to the database (benchmark runs).
        #[arg(long, env = "CHIBO_COUNT_QUERIES")]
        count_queries: bool,
    },
    /// Fill an empty database with realistic demo data.
    Demo {
        #[arg(long, default_value_t = 12)]
        cells: u32,
        #[arg(long, default_value_t = 25)]
        members_per_cell: u32,
        /// `province`: 15,000 cells of 20 members under 150 upper committees.
        #[arg(long)]
        scale: Option<String>,
        /// Months of meetings, resolutions and tasks before today (0: none);
        /// by default since 1 January of last year, the year the demo's
        /// evaluation rates (12 at province scale).
        #[arg(long)]
        months: Option<u32>,
    },
    /// Import members from a spreadsheet (XLSX, XLS, ODS, CSV).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export members to a spreadsheet.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// A consistent copy of the database (SQLite) or a pg_dump (PostgreSQL).
    Backup {
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        what: UserWhat,
    },
    /// Exit 0 if the server answers /healthz.
    Healthcheck {
        #[arg(long, default_value = "127.0.0.1:8080")]
        address: String,
    },
    /// The Party rules in force.
    Rules {
        #[command(subcommand)]
        what: RulesWhat,
    },
    /// Secret ballots.
    Ballot {
        #[command(subcommand)]
        what: BallotWhat,
    },
    /// The configuration.
    Config {
        #[command(subcommand)]
        what: ConfigWhat,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigWhat {
    /// Print the effective configuration (defaults, file, CHIBO_* variables,
    /// flags), secrets redacted, and check it; exit 1 if it has a problem.
    Check,
}

#[derive(Subcommand, Debug)]
enum BallotWhat {
    /// Recompute every proof, token, count and the outcome of a published
    /// record (`/api/v1/ballots/{id}/record`). Needs no database. Exit 0:
    /// it verifies; 3: it does not (the reason is printed).
    Verify { record: PathBuf },
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    /// Add and update the cell's members from the file. A column the file
    /// lacks changes nothing; a blank cell changes nothing unless its
    /// column is named with --clear.
    Members {
        file: PathBuf,
        /// The cell's 14-digit code.
        #[arg(long)]
        cell: String,
        /// Show what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Let blank cells of this column erase stored values (its key or
        /// header, e.g. `phone` or "Số điện thoại"); repeat for more columns.
        #[arg(long, value_name = "COLUMN")]
        clear: Vec<String>,
        /// Accept the standings inferred from the dates for new members
        /// (listed by --dry-run) when the file has no "Trạng thái" column.
        #[arg(long)]
        confirm_status: bool,
    },
}

#[derive(Subcommand, Debug)]
enum ExportWhat {
    Members {
        #[arg(long)]
        cell: String,
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum AuditWhat {
    /// Recompute every hash chain and hold it against its signed
    /// checkpoints; check every sealed document against the entry that
    /// sealed it and every record against its last audited state; name
    /// everything that differs. With --code, only the document whose check
    /// code is printed on a page (its chain and records). Exit 0: intact;
    /// 3: something differs; 4: no document has this code.
    Verify {
        #[arg(long)]
        code: Option<String>,
        /// Also hold the chains against this copy of the checkpoint log.
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Sign the head of every chain that moved into the checkpoint log now
    /// (the server does so every minute; run before copying the log away).
    Checkpoint,
}

#[derive(Subcommand, Debug)]
enum UserWhat {
    /// Create an account; the password is read from standard input.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// admin, upper, bi_thu, pho_bi_thu, chi_uy, member
        #[arg(long, default_value = "admin")]
        role: String,
        /// Code of the unit the role applies to (not for admin).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Print a new API token for the account (bearer token for /api/v1).
    Token {
        login: String,
        /// Days until it expires (default: the configured `api_token_days`).
        #[arg(long)]
        days: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum RulesWhat {
    /// The parameters, forms and procedures in force on a date, with their sources.
    Show {
        /// The date: dd/mm/yyyy (e.g. 05/12/2026) or yyyy-mm-dd; today when omitted.
        #[arg(long, value_parser = day_arg)]
        at: Option<NaiveDate>,
    },
    /// Validate a local rule pack.
    Check { file: PathBuf },
    /// Decide one vote read as JSON from standard input.
    Decide {
        #[arg(long)]
        json: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let loaded = match config(&cli) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("chibo: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(loaded.cfg.log_format);
    for v in &loaded.unknown_variables {
        tracing::warn!("{v} is not a chibo setting (misspelt?): ignored");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("chibo: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, loaded)) {
        Ok(code) => code,
        Err(e) => {
            // One line: an operator's terminal or the journal shows the cause.
            let line = format!("{e:#}").replace('\n', " ");
            eprintln!("chibo: {line}");
            ExitCode::FAILURE
        }
    }
}

/// Text on a terminal, JSON lines elsewhere (the journal, a log shipper),
/// or as configured; `CHIBO_LOG` filters (`chibo_server=debug`…).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHIBO_LOG")
        .unwrap_or_else(|_| "chibo_server=info,warn".into());
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        // The request's span (its id, method and path) on every line of it.
        fmt.json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        fmt.init();
    }
}

fn config(cli: &Cli) -> anyhow::Result<Loaded> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let mut l = Loaded::load(cli.config.as_deref(), &vars)?;
    if let Some(d) = &cli.data {
        l.cfg.data_dir = d.clone();
        l.flag("data_dir");
    }
    if let Some(u) = &cli.database_url {
        l.cfg.database_url = Some(u.clone());
        l.flag("database_url");
    }
    if let Command::Serve {
        listen,
        secure_cookies,
        count_queries,
        ..
    } = &cli.command
    {
        if *count_queries {
            l.cfg.count_queries = true;
            l.flag("count_queries");
        }
        if let Some(a) = listen {
            l.cfg.listen = *a;
            l.flag("listen");
        }
        if *secure_cookies {
            l.cfg.secure_cookies = true;
            l.flag("secure_cookies");
        }
    }
    Ok(l)
}

/// The command line acts as the installation's administrator: whoever runs it
/// already has the database file or its credentials.
fn console() -> Actor {
    Actor {
        account_id: 0,
        login: "console".into(),
        display_name: "Dòng lệnh".into(),
        member_id: None,
        grants: vec![GrantRow {
            id: 0,
            account_id: 0,
            org_id: None,
            role: "admin".into(),
            path: "/".into(),
            org_name: None,
        }],
        units: vec![],
    }
}

async fn cell_by_code(s: &Services, code: &str) -> anyhow::Result<store::orgs::OrgRow> {
    let code =
        OrgCode::parse(code).map_err(|_| anyhow::anyhow!("mã chi bộ không hợp lệ: {code}"))?;
    s.db.read(async |r| store::orgs::by_code(r, code.as_str()).await)
        .await?
        .filter(|o| o.kind == "chi_bo")
        .with_context(|| format!("không có chi bộ mã {}", code.as_str()))
}

/// The demo's months of history: from 1 January of last year, so the
/// evaluation of last year it runs rates a year the records cover.
fn months_since_last_january(now: chrono::DateTime<chrono::Utc>) -> u32 {
    12 + service::today(now).month0()
}

/// The cells of each upper committee whose last year's evaluation the demo
/// runs through the services (a province-sized demo stays quick).
const DEMO_EVALUATION_CELLS: u32 = 20;

async fn run(cli: Cli, loaded: Loaded) -> anyhow::Result<ExitCode> {
    let cfg = loaded.cfg.clone();
    match cli.command {
        Command::Serve { demo, .. } => {
            let started = Instant::now();
            if demo {
                let s = app::open(&cfg).await?;
                if s.db.read(async |r| store::accounts::count(r).await).await? == 0 {
                    let size = DemoSize::default();
                    let months = months_since_last_january(s.now());
                    print_demo(&s.generate_demo_with_history(size, months, s.now()).await?);
                    s.generate_demo_cases(s.now()).await?;
                    s.generate_demo_residents(s.now()).await?;
                    s.generate_demo_keeping(s.now()).await?;
                    s.generate_demo_badges(s.now()).await?;
                    s.generate_demo_discipline(s.now()).await?;
                    s.generate_demo_evaluations(s.now(), DEMO_EVALUATION_CELLS)
                        .await?;
                }
            }
            let app = App::build(cfg).await?;
            println!(
                "chibo: http://{} ({} ms)",
                app.addr,
                started.elapsed().as_millis()
            );
            app.run().await?;
        }
        Command::Demo {
            cells,
            members_per_cell,
            scale,
            months,
        } => {
            // A province's round is opened in every committee (a case per
            // member), its December run through in one cell of each.
            let evaluation_cells = match scale.as_deref() {
                Some("province") => 1,
                _ => DEMO_EVALUATION_CELLS,
            };
            let size = match scale.as_deref() {
                Some("province") => DemoSize {
                    cells: 15_000,
                    members_per_cell: 20,
                },
                Some(other) => bail!("unknown scale {other} (known: province)"),
                None => DemoSize {
                    cells,
                    members_per_cell,
                },
            };
            let s = app::open(&cfg).await?;
            if s.db.read(async |r| store::accounts::count(r).await).await? > 0 {
                bail!(
                    "cơ sở dữ liệu đã có dữ liệu; dùng thư mục khác (--data) / the database is not empty"
                );
            }
            let months = months.unwrap_or(match scale.as_deref() {
                Some("province") => 12,
                _ => months_since_last_january(s.now()),
            });
            let started = Instant::now();
            // A province takes minutes: each phase says when it is done.
            let phase = |name: &str| {
                tracing::info!(seconds = started.elapsed().as_secs_f64(), "demo: {name}");
            };
            let report = s.generate_demo_with_history(size, months, s.now()).await?;
            phase("registry, history and ledger");
            let cases = s.generate_demo_cases(s.now()).await?;
            let (concerns, campaigns) = s.generate_demo_residents(s.now()).await?;
            phase("admission cases, residents and study");
            let rated = s
                .generate_demo_evaluations(s.now(), evaluation_cells)
                .await?;
            phase("evaluations");
            print_demo(&report);
            println!("{rated} đảng viên đã xếp loại chất lượng năm trước");
            println!("{cases} hồ sơ kết nạp, công nhận đảng viên chính thức ở chi bộ 1");
            let (entries, transfers) = s.generate_demo_keeping(s.now()).await?;
            println!("{entries} khoản đảng phí, {transfers} hồ sơ chuyển sinh hoạt ở chi bộ 1");
            let (due, proposed, awarded) = s.generate_demo_badges(s.now()).await?;
            println!(
                "{due} đảng viên đến hạn Huy hiệu Đảng, {proposed} hồ sơ đề nghị, {awarded} đã trao ở chi bộ 1"
            );
            let discipline = s.generate_demo_discipline(s.now()).await?;
            println!("{discipline} hồ sơ kỷ luật (mật) ở chi bộ 1");
            println!(
                "{concerns} ý kiến của nhân dân trong một năm, {campaigns} đợt học tập nghị quyết ở chi bộ 1"
            );
            println!(
                "{} chi bộ, {} đảng viên trong {:.1} s",
                size.cells,
                report.members,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Import {
            what:
                ImportWhat::Members {
                    file,
                    cell,
                    dry_run,
                    clear,
                    confirm_status,
                },
        } => {
            return import_members(&cfg, &file, &cell, dry_run, &clear, confirm_status).await;
        }
        Command::Export {
            what: ExportWhat::Members { cell, output },
        } => {
            let s = app::open(&cfg).await?;
            let cell = cell_by_code(&s, &cell).await?;
            let (_, bytes) = s
                .export_members(&console(), cell.id)
                .await
                .map_err(cli_error)?;
            std::fs::write(&output, bytes)?;
            println!("{}", output.display());
        }
        Command::Backup { output } => {
            let s = app::open(&cfg).await?;
            s.backup(&output, cfg.database_url.as_deref())
                .await
                .map_err(cli_error)?;
            println!("{}", output.display());
        }
        Command::Audit { what } => return audit(&cfg, what).await,
        Command::User { what } => user(&cfg, what).await?,
        Command::Healthcheck { address } => return healthcheck(&address).await,
        Command::Rules { what } => return rules(&cfg, what),
        Command::Ballot {
            what: BallotWhat::Verify { record },
        } => return verify_ballot(&record),
        Command::Config {
            what: ConfigWhat::Check,
        } => return Ok(config_check(&loaded)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Standard output gone (`chibo import … | head`): stop quietly, writing
/// nothing more.
struct Closed;

/// Prints a line; a closed pipe is reported, not a panic.
fn say(line: &str) -> Result<(), Closed> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").map_err(|_| Closed)
}

/// Exit code of a command whose reader went away (as if killed by SIGPIPE).
const PIPE_CLOSED: u8 = 141;

async fn import_members(
    cfg: &Config,
    file: &std::path::Path,
    cell: &str,
    dry_run: bool,
    clear: &[String],
    confirm_status: bool,
) -> anyhow::Result<ExitCode> {
    use crate::service::import::{Column, ImportOptions};
    use crate::web::import_preview;
    let mut columns = std::collections::BTreeSet::new();
    for c in clear {
        let column = Column::parse(c)
            .filter(|c| c.can_clear())
            .with_context(|| format!("--clear: không có cột nào tên “{c}” / no such column"))?;
        columns.insert(column);
    }
    let options = ImportOptions {
        clear: columns,
        confirm_status,
    };
    let s = app::open(cfg).await?;
    let cell = cell_by_code(&s, cell).await?;
    let limits = s.imports.limits;
    let size = std::fs::metadata(file)
        .with_context(|| file.display().to_string())?
        .len();
    if size > limits.max_file_bytes {
        let e = chibo_docs::sheet::SheetError::FileTooLarge {
            limit: limits.max_file_bytes,
        };
        bail!("{}: {e}", file.display());
    }
    let bytes: std::sync::Arc<[u8]> = std::fs::read(file)
        .with_context(|| file.display().to_string())?
        .into();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let started = Instant::now();
    let actor = console();
    let tr = crate::web::i18n::Tr::vi();
    // A dry run only plans; otherwise the file is read once, written in one
    // transaction and rolled back if its plan cannot stand as read.
    let (plan, written) = if dry_run {
        let plan = s
            .plan_import(&actor, &cell, bytes, &name, &options, s.now())
            .await
            .map_err(cli_error)?;
        (plan, None)
    } else {
        s.import_at_once(&actor, &cell, bytes, &name, &options, s.now())
            .await
            .map_err(cli_error)?
    };
    let printed = import_preview::text(&plan, &tr)
        .iter()
        .try_for_each(|l| say(l));
    if printed.is_err() {
        return Ok(ExitCode::from(PIPE_CLOSED));
    }
    let stop = |line: &str, code: u8| {
        let _ = say("");
        let _ = say(line);
        Ok(ExitCode::from(code))
    };
    if plan.rejected_rows > 0 {
        return stop("Không ghi gì: sửa tệp rồi nhập lại. / Nothing written.", 2);
    }
    if plan.needs_confirmation() {
        return stop(
            "Không ghi gì: xem các trạng thái suy ra ở trên, rồi chạy lại với --confirm-status (hoặc thêm cột Trạng thái vào tệp). / Nothing written: confirm the inferred standings with --confirm-status.",
            2,
        );
    }
    if dry_run {
        return stop("--dry-run: không ghi gì.", 0);
    }
    let Some(written) = written else {
        return stop("Không có gì để ghi. / Nothing to write.", 0);
    };
    let written = written.commit().await.map_err(cli_error)?;
    let _ = say("");
    let _ = say(&format!(
        "{} ({:.1} s)",
        tr.t2(
            "import-done-detail",
            ("created", written.created.into()),
            ("updated", written.updated.into())
        ),
        started.elapsed().as_secs_f64()
    ));
    if !plan.erasures.is_empty() {
        let _ = say(&tr.t1("import-erasures", "count", plan.erasures.total));
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit(cfg: &Config, what: AuditWhat) -> anyhow::Result<ExitCode> {
    use crate::service::audit::{Scope, lines};
    let s = app::open(cfg).await?;
    let (code, checkpoints) = match what {
        AuditWhat::Checkpoint => {
            let cps = s.checkpoint(None, s.now()).await.map_err(cli_error)?;
            println!(
                "{} điểm neo mới / new checkpoints → {}",
                cps.len(),
                s.anchor.log_path().display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        AuditWhat::Verify { code, checkpoints } => (code, checkpoints),
    };
    let v = s
        .verify(&Scope {
            code: code.clone(),
            checkpoints,
        })
        .await
        .map_err(cli_error)?;
    if let Some(code) = &code
        && v.documents == 0
    {
        println!("Không có văn bản nào mang mã {code} / no document has this code");
        return Ok(ExitCode::from(4));
    }
    for l in lines(&v) {
        println!("HỎNG / BROKEN: {l}");
    }
    let unanchored: i64 = v.unanchored.iter().map(|(_, n)| n).sum();
    let summary = format!(
        "{} mục, {} chuỗi, {} điểm neo ký, {} văn bản niêm phong, {} bản ghi / entries, chains, signed checkpoints, sealed documents, records",
        v.entries, v.chains, v.checkpoints, v.documents, v.records
    );
    if !v.ok() {
        println!("{summary}");
        return Ok(ExitCode::from(3));
    }
    match &code {
        Some(code) => println!("{code}: khớp / matches — {summary}"),
        None => println!("OK: {summary}"),
    }
    if unanchored > 0 {
        println!(
            "Lưu ý: {unanchored} mục sau điểm neo cuối chưa được ký (chạy chibo audit checkpoint) / entries after the last checkpoint are not anchored yet"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn cli_error(e: crate::service::ServiceError) -> anyhow::Error {
    let tr = crate::web::i18n::Tr::vi();
    anyhow::anyhow!("{}", tr.service_error(&e))
}

fn print_demo(r: &crate::service::demo::DemoReport) {
    println!("Dữ liệu mẫu: {} — {} đảng viên", r.upper_name, r.members);
    println!(
        "Tài khoản (mật khẩu chung: {}):",
        crate::service::demo::DEMO_PASSWORD
    );
    for (login, what) in &r.accounts {
        println!("  {login:10} {what}");
    }
    println!("Chi bộ:");
    for (code, name) in r.cells.iter().take(12) {
        println!("  {code}  {name}");
    }
    if r.cells.len() > 12 {
        println!("  … ({} chi bộ)", r.cells.len());
    }
}

async fn user(cfg: &Config, what: UserWhat) -> anyhow::Result<()> {
    let s = app::open(cfg).await?;
    match what {
        UserWhat::Add {
            login,
            name,
            role,
            unit,
        } => {
            let role = Role::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let org_id = match unit {
                Some(code) => {
                    let code = OrgCode::parse(&code)
                        .map_err(|_| anyhow::anyhow!("mã không hợp lệ: {code}"))?;
                    Some(
                        s.db.read(async |r| store::orgs::by_code(r, code.as_str()).await)
                            .await?
                            .context("no such unit")?
                            .id,
                    )
                }
                None => None,
            };
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let a = NewAccount {
                login: &login,
                display_name: &name,
                password,
                role,
                org_id,
                member_id: None,
            };
            let id = s
                .create_account(&console(), &a, s.now())
                .await
                .map_err(cli_error)?;
            println!("{login} (#{id})");
        }
        UserWhat::Token { login, days } => {
            let login = login.to_lowercase();
            let a =
                s.db.read(async |r| store::accounts::by_login(r, &login).await)
                    .await?
                    .context("không có tài khoản này / no such account")?;
            let t = s
                .issue_console_token(a.id, "console", days, s.now())
                .await
                .map_err(cli_error)?;
            // The token alone on stdout (scripts read it); its expiry on stderr.
            println!("{}", t.token);
            eprintln!(
                "hết hạn / expires {}",
                t.expires_at
                    .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
                    .format("%d/%m/%Y %H:%M")
            );
        }
    }
    Ok(())
}

async fn healthcheck(address: &str) -> anyhow::Result<ExitCode> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await?;
    stream
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await?;
    let ok = buf.starts_with(b"HTTP/1.1 200");
    println!("{}", if ok { "ok" } else { "not ready" });
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints the effective configuration and what is wrong with it.
fn config_check(l: &Loaded) -> ExitCode {
    println!("{}", l.describe());
    let cfg = &l.cfg;
    let mut problems: Vec<String> = l
        .unknown_variables
        .iter()
        .map(|v| format!("{v} is not a chibo setting (misspelt?)"))
        .collect();
    for (key, url) in [
        ("database_url", &cfg.database_url),
        ("database_replica_url", &cfg.database_replica_url),
    ] {
        if let Some(url) = url
            && let Err(e) = crate::store::pg::Target::parse(url)
        {
            problems.push(format!("{key}: {e}"));
        }
    }
    if cfg.database_replica_url.is_some() && cfg.database_url.is_none() {
        problems.push("database_replica_url needs database_url (PostgreSQL)".into());
    }
    if let Some(url) = &cfg.smtp_url
        && let Err(e) = crate::service::mail::Mailer::new(url, &cfg.mail_from, cfg.base_url())
    {
        problems.push(format!("smtp_url / mail_from: {e}"));
    }
    if let Err(e) = app::load_rules(cfg) {
        problems.push(format!("rules_pack: {e}"));
    }
    if cfg.backup_every_secs > 0 && cfg.backup_dir.is_none() {
        problems.push("backup_every_secs is set but backup_dir is not".into());
    }
    if problems.is_empty() {
        println!("# OK");
        ExitCode::SUCCESS
    } else {
        for p in &problems {
            println!("# PROBLEM: {p}");
        }
        ExitCode::FAILURE
    }
}

/// `--at`: a date as Vietnamese users write it (dd/mm/yyyy) or ISO (yyyy-mm-dd).
fn day_arg(raw: &str) -> Result<NaiveDate, String> {
    crate::model::parse_date("at", raw).map_err(|_| {
        format!(
            "ngày không hợp lệ: \"{}\" (nhập dd/mm/yyyy, ví dụ 05/12/2026, hoặc yyyy-mm-dd)",
            raw.trim()
        )
    })
}

fn rules(cfg: &Config, what: RulesWhat) -> anyhow::Result<ExitCode> {
    match what {
        RulesWhat::Show { at } => {
            let rules = app::load_rules(cfg)?;
            let at = at.unwrap_or_else(|| crate::service::today(cfg.clock.now()));
            if let Err(e) = rules.pack_at(at) {
                match rules.first_day() {
                    Some(first) if at < first => eprintln!(
                        "{e}: bộ quy tắc sớm nhất có hiệu lực từ ngày {}",
                        first.format("%d/%m/%Y")
                    ),
                    _ => eprintln!("{e}"),
                }
                return Ok(ExitCode::FAILURE);
            }
            print!("{}", chibo_rules::show(&rules, at));
        }
        RulesWhat::Check { file } => {
            let text = std::fs::read_to_string(&file)?;
            if let Err(errors) = chibo_rules::check_local_pack(&text) {
                for e in errors {
                    eprintln!("{}:{}: {}", file.display(), e.line, e.message);
                }
                return Ok(ExitCode::FAILURE);
            }
            println!("OK");
        }
        RulesWhat::Decide { json: _ } => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            match app::load_rules(cfg)?.decide_json(&input) {
                Ok(out) => println!("{out}"),
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `chibo ballot verify RECORD`: the verifier any observer runs.
fn verify_ballot(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(path)?;
    match chibo_ballot::verify_record(&bytes) {
        Ok(v) => {
            println!("Biên bản kiểm phiếu hợp lệ: {}", v.record_hash.to_hex());
            println!(
                "Hộp phiếu: {} ({} phiếu)",
                v.board_hash.to_hex(),
                v.trackers.len()
            );
            match &v.decision {
                Some(d) => println!("{}", d.explain(chibo_rules::Lang::Vi)),
                None => println!(
                    "Không đủ thành viên ban kiểm phiếu giải mã: bỏ phiếu lại bằng phiếu giấy."
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("Biên bản kiểm phiếu KHÔNG hợp lệ ({}): {e}", e.code());
            Ok(ExitCode::from(3))
        }
    }
}

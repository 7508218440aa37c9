//! The `chibo` command line: thin wrappers over the services.

use crate::app::{self, App};
use crate::config::Config;
use crate::model::{OrgCode, Role};
use crate::service::{Actor, Services, accounts::NewAccount, demo::DemoSize};
use crate::store::{self, accounts::GrantRow};
use anyhow::{Context, bail};
use chrono::NaiveDate;
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
    /// Folder of the embedded SQLite database.
    #[arg(long = "data", env = "CHIBO_DATA", global = true)]
    data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite: postgres://user:pass@host/db
    #[arg(
        long,
        env = "CHIBO_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the web server.
    Serve {
        #[arg(long, env = "CHIBO_LISTEN")]
        listen: Option<std::net::SocketAddr>,
        /// Cookies only over HTTPS (set when behind TLS).
        #[arg(long, env = "CHIBO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Fill an empty database with the demo upper committee first.
        #[arg(long)]
        demo: bool,
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
        /// Months of meetings, resolutions and tasks before today (0: none).
        #[arg(long, default_value_t = 12)]
        months: u32,
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
}

#[derive(Subcommand, Debug)]
enum ImportWhat {
    Members {
        file: PathBuf,
        /// The cell's 14-digit code.
        #[arg(long)]
        cell: String,
        /// Show what would change, change nothing.
        #[arg(long)]
        dry_run: bool,
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
    /// Recompute every hash chain and name the first broken entry; check
    /// every locked document against its seal (or only the one whose check
    /// code is printed on a page).
    Verify {
        #[arg(long)]
        code: Option<String>,
    },
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
    Token { login: String },
}

#[derive(Subcommand, Debug)]
enum RulesWhat {
    /// The parameters in force on a date, with their sources.
    Show {
        #[arg(long)]
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
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHIBO_LOG")
        .unwrap_or_else(|_| "chibo_server=info,warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
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
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("chibo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config(cli: &Cli) -> anyhow::Result<Config> {
    let mut cfg = Config::default();
    if let Some(path) = &cli.config {
        cfg = cfg.with_file(Config::load_file(path).with_context(|| path.display().to_string())?);
    }
    if let Some(d) = &cli.data {
        cfg.data_dir = d.clone();
    }
    if let Some(u) = &cli.database_url {
        cfg.database_url = Some(u.clone());
    }
    Ok(cfg)
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
    store::orgs::by_code(&s.db, code.as_str())
        .await?
        .filter(|o| o.kind == "chi_bo")
        .with_context(|| format!("không có chi bộ mã {}", code.as_str()))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut cfg = config(&cli)?;
    match cli.command {
        Command::Serve {
            listen,
            secure_cookies,
            demo,
        } => {
            if let Some(l) = listen {
                cfg.listen = l;
            }
            cfg.secure_cookies |= secure_cookies;
            let started = Instant::now();
            if demo {
                let s = app::open(&cfg).await?;
                if store::accounts::count(&s.db).await? == 0 {
                    let size = DemoSize::default();
                    print_demo(&s.generate_demo_with_history(size, 12, s.now()).await?);
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
            if store::accounts::count(&s.db).await? > 0 {
                bail!(
                    "cơ sở dữ liệu đã có dữ liệu; dùng thư mục khác (--data) / the database is not empty"
                );
            }
            let started = Instant::now();
            let report = s.generate_demo_with_history(size, months, s.now()).await?;
            print_demo(&report);
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
                },
        } => {
            let s = app::open(&cfg).await?;
            let cell = cell_by_code(&s, &cell).await?;
            let bytes = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let started = Instant::now();
            let actor = console();
            let plan = s
                .plan_import(&actor, &cell, &bytes, &name, s.now())
                .await
                .map_err(cli_error)?;
            println!(
                "Tạo mới: {}  Cập nhật: {}  Không đổi: {}  Bị từ chối: {}",
                plan.creates.len(),
                plan.updates.len(),
                plan.unchanged,
                plan.rejected.len()
            );
            for r in &plan.rejected {
                let tr = crate::web::i18n::Tr::vi();
                println!("  {}", tr.row_problem(r));
            }
            if !plan.rejected.is_empty() {
                println!("Không ghi gì: sửa tệp rồi nhập lại. / Nothing written.");
                return Ok(ExitCode::from(2));
            }
            if dry_run {
                println!("--dry-run: không ghi gì.");
            } else {
                let (c, u) = s
                    .commit_import(&actor, &cell, plan, s.now())
                    .await
                    .map_err(cli_error)?;
                println!(
                    "Đã ghi: {c} tạo mới, {u} cập nhật ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Command::Export {
            what: ExportWhat::Members { cell, output },
        } => {
            let s = app::open(&cfg).await?;
            let cell = cell_by_code(&s, &cell).await?;
            let bytes = s
                .export_members(&console(), &cell)
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
        Command::Audit {
            what: AuditWhat::Verify { code },
        } => {
            let s = app::open(&cfg).await?;
            let docs = s
                .verify_documents(code.as_deref())
                .await
                .map_err(cli_error)?;
            if let Some(code) = &code {
                if docs.is_empty() {
                    println!("Không có văn bản nào mang mã {code} / no document has this code");
                    return Ok(ExitCode::from(4));
                }
                for (d, ok) in &docs {
                    let state = if *ok {
                        "khớp / matches"
                    } else {
                        "KHÔNG KHỚP / DOES NOT MATCH"
                    };
                    println!(
                        "{code}: {} #{} phiên bản {} ({}) — {state}",
                        d.doc_type,
                        d.doc_id,
                        d.version,
                        d.created_at.format("%d/%m/%Y %H:%M")
                    );
                }
                return Ok(if docs.iter().all(|(_, ok)| *ok) {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(3)
                });
            }
            let v = s.verify_audit().await.map_err(cli_error)?;
            let bad_docs: Vec<_> = docs.iter().filter(|(_, ok)| !ok).collect();
            match v.first_break {
                None if bad_docs.is_empty() => println!(
                    "OK: {} mục, {} chuỗi nguyên vẹn; {} văn bản khớp mã kiểm tra / entries and documents intact",
                    v.entries,
                    v.chains,
                    docs.len()
                ),
                None => {
                    for (d, _) in bad_docs {
                        println!(
                            "HỎNG / BROKEN: văn bản {} #{} phiên bản {} (mã {})",
                            d.doc_type, d.doc_id, d.version, d.check_code
                        );
                    }
                    return Ok(ExitCode::from(3));
                }
                Some((chain, seq, id, why)) => {
                    println!("HỎNG / BROKEN: chuỗi {chain}, mục số {seq} (id {id}): {why:?}");
                    return Ok(ExitCode::from(3));
                }
            }
        }
        Command::User { what } => user(&cfg, what).await?,
        Command::Healthcheck { address } => return healthcheck(&address).await,
        Command::Rules { what } => return rules(&cfg, what),
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
                        store::orgs::by_code(&s.db, code.as_str())
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
                .create_account(Some(&console()), &a, s.now())
                .await
                .map_err(cli_error)?;
            println!("{login} (#{id})");
        }
        UserWhat::Token { login } => {
            let a = store::accounts::by_login(&s.db, &login.to_lowercase())
                .await?
                .context("không có tài khoản này / no such account")?;
            println!(
                "{}",
                s.issue_api_token(a.id, "console", s.now())
                    .await
                    .map_err(cli_error)?
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

fn rules(cfg: &Config, what: RulesWhat) -> anyhow::Result<ExitCode> {
    match what {
        RulesWhat::Show { at } => {
            let rules = app::load_rules(cfg)?;
            let at = at.unwrap_or_else(|| crate::service::today(cfg.clock.now()));
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

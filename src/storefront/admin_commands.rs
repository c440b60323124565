//! `storefront check`, `backup`, `restore`, `reconcile` and `admin set-password`: all go through the writer component,
//! either the running one over HTTP (`--writer-url`, token from `writer_token`) or,
//! when nobody owns the data dir, an in-process one that takes ownership for the
//! duration of the command (`--data-dir`). There is no second code path that reads
//! the files behind the writer's back.

use crate::app::manifest::Manifest;
use crate::app::runtime::App;
use crate::app::variables::{AppVariables, env_key};
use crate::atomic_file::{self, Existing};
use crate::cli::{AdminTarget, BackupArgs, CheckArgs, ReconcileArgs, RestoreArgs, SetPasswordArgs};
use crate::database::ownership::{Ownership, Wait};
use crate::database::replication::layout::parse_time;
use crate::database::replication::restore as restore_replica;
use crate::database::{DEFAULT_DB_FILE as DATABASE_FILE, Database};
use crate::host::key_value_file;
use crate::object_bucket::Bucket;
use crate::storefront::app_profile::Storefront;
use crate::storefront::offsite_backup::Store;
use crate::storefront::provider_intents;
use crate::storefront::snapshot_file;
use crate::storefront::writer_calls::{Answer, WriterCalls};
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::path::Path;
use storefront_domain::payments::{ReconcileReport, ReconcileRequest};

/// The shared secret between the pages (here: this command) and the writer.
const TOKEN_VARIABLE: &str = "writer_token";

/// The writer to talk to: remote, or in-process while holding the data dir.
enum Target {
    Remote {
        url: String,
        token: String,
    },
    Local {
        calls: WriterCalls,
        database: Database,
        _ownership: Ownership,
    },
}

impl Target {
    async fn open(target: &AdminTarget) -> Result<Target> {
        let manifest = Manifest::load(&target.manifest)?;
        let vars = command_variables(&manifest, target)?;
        Self::open_with(target, &manifest, &vars).await
    }

    async fn open_with(
        target: &AdminTarget,
        manifest: &Manifest,
        vars: &AppVariables,
    ) -> Result<Target> {
        let token = vars.get(TOKEN_VARIABLE).unwrap_or_default().to_string();
        if let Some(url) = &target.writer_url {
            return Ok(Target::Remote {
                url: url.trim_end_matches('/').to_string(),
                token,
            });
        }
        let ownership = Ownership::acquire(&target.data_dir, "admin", Wait::No)?;
        let database = Database::open_exclusive(&target.data_dir, Default::default(), 1)?;
        // Only the host's own calls run: the smallest pool.
        let capacity = crate::app::instance_slots::Capacity {
            requests: 1,
            lifetime: crate::server::limits::INSTANCE_LIFETIME,
            reuse: crate::app::instance_reuse::Reuse::never(),
        };
        let roles = Storefront::of(manifest)?.with_context(|| {
            format!(
                "{} is not the storefront app (no writer_token variable)",
                manifest.name
            )
        })?;
        let app = App::load(
            manifest,
            &[roles.writer.as_str()],
            vars,
            Some(database.clone()),
            capacity,
        )?;
        Ok(Target::Local {
            calls: WriterCalls::new(app, &token, &roles),
            database,
            _ownership: ownership,
        })
    }

    async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Answer> {
        match self {
            Target::Local { calls, .. } => calls.call(method, path, body).await,
            Target::Remote { url, token } => {
                remote_call(&format!("{url}{path}"), token, method, body).await
            }
        }
    }

    /// A `GET` that may rightly take minutes (the audit): offline, the writer in this
    /// process has `PATIENT_CALL_TIMEOUT` to answer; online, the client waits as long.
    async fn get_patiently(&self, path: &str) -> Result<Answer> {
        match self {
            Target::Local { calls, .. } => calls.call_patiently(path).await,
            Target::Remote { url, token } => {
                remote_call(&format!("{url}{path}"), token, http::Method::GET, None).await
            }
        }
    }

    async fn close(self) -> Result<()> {
        if let Target::Local { database, .. } = self {
            database.close().await?;
        }
        Ok(())
    }
}

/// The command's variables. Offline, the writer runs in this process and answers only
/// this command; without a `writer_token` in the environment it gets a fresh random one
/// for this run (it refuses every request without a token).
fn command_variables(manifest: &Manifest, target: &AdminTarget) -> Result<AppVariables> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let key = env_key(TOKEN_VARIABLE);
    let has_token = env.iter().any(|(k, v)| *k == key && !v.is_empty());
    let mut overrides = std::collections::BTreeMap::new();
    if target.writer_url.is_none() && !has_token {
        overrides.insert(
            TOKEN_VARIABLE.to_string(),
            crate::storefront::local_secrets::random_secret()?,
        );
    }
    Ok(AppVariables::resolve(manifest, env, &overrides))
}

/// One HTTP/1.1 request to the standalone writer (plain HTTP on a private address).
async fn remote_call(
    url: &str,
    token: &str,
    method: http::Method,
    body: Option<serde_json::Value>,
) -> Result<Answer> {
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("invalid writer URL {url}"))?;
    let host = uri.host().context("writer URL needs a host")?.to_string();
    let port = uri.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host.as_str(), port))
        .await
        .with_context(|| format!("cannot reach the writer at {host}:{port}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))
        .header(http::header::HOST, format!("{host}:{port}"));
    if !token.is_empty() {
        request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let bytes = match body {
        Some(json) => {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
            Bytes::from(serde_json::to_vec(&json)?)
        }
        None => Bytes::new(),
    };
    let response = sender.send_request(request.body(Full::new(bytes))?).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Answer { status, body })
}

/// Runs the audit in calls that each stay well inside the writer's request limit,
/// whatever the size of the shop: the file's `integrity_check` one table per call, then
/// the routine audit (orders new or changed since the last clean run) or, with `--full`,
/// every order, in pages of `--page-orders`. Prints one summary line when everything
/// holds, else one line per finding, and fails.
pub async fn check(args: CheckArgs) -> Result<()> {
    let target = Target::open(&args.target).await?;
    let result = audit_in_calls(&target, args.full, args.page_orders).await;
    target.close().await?;
    let (summary, findings) = result?;
    if findings.is_empty() {
        println!("{summary}");
        return Ok(());
    }
    for f in &findings {
        println!("{f}");
    }
    bail!("audit found {} problem(s)", findings.len())
}

/// A `GET` of the audit route as JSON; fails on anything but a 2xx.
async fn audit_call(target: &Target, path: &str) -> Result<serde_json::Value> {
    let answer = target.get_patiently(path).await?;
    if !answer.status.is_success() {
        bail!("audit failed ({}): {}", answer.status, answer.message());
    }
    serde_json::from_slice(&answer.body).context("audit answer is not JSON")
}

/// The lines of a report's `findings`.
fn finding_lines(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|found| {
            found
                .iter()
                .map(|f| {
                    f.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| f.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every call of one audit: the summary line, and the findings of them all.
async fn audit_in_calls(
    target: &Target,
    full: bool,
    page_orders: u32,
) -> Result<(String, Vec<String>)> {
    let mut findings = Vec::new();
    let mut tables = 0;
    let mut after = String::new();
    loop {
        let page = audit_call(
            target,
            &format!(
                "/admin/audit?integrity_after={}",
                after
                    .bytes()
                    .map(|b| match b {
                        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            ),
        )
        .await?;
        findings.extend(finding_lines(&page));
        match page["table"].as_str() {
            Some(table) => {
                tables += 1;
                after = table.to_string();
            }
            None => break,
        }
    }
    let integrity = format!("integrity ok ({tables} tables, one call each)");
    let (mut after, mut through, mut checked, mut pages) = (0i64, None::<i64>, 0i64, 0u32);
    let mut summary = String::new();
    loop {
        let mut path = format!(
            "/admin/audit?{}after={after}&limit={page_orders}&checked={checked}&found={}",
            if full { "full=1&" } else { "" },
            findings.len()
        );
        if let Some(through) = through {
            path.push_str(&format!("&through={through}"));
        }
        let page = match audit_call(target, &path).await {
            Ok(page) => page,
            // The file is damaged where the other checks read: the integrity calls named
            // the damage; say that the rest could not run, not an internal error.
            Err(_) if !findings.is_empty() && pages == 0 => {
                findings.push(
                    "the other checks could not run on the damaged file; see \
                     docs/operations.md, \"Damaged database files\""
                        .to_string(),
                );
                return Ok((String::new(), findings));
            }
            Err(e) => return Err(e),
        };
        pages += 1;
        findings.extend(finding_lines(&page));
        checked += page["orders_checked"].as_i64().unwrap_or(0);
        if summary.is_empty() {
            summary = page["summary"].as_str().unwrap_or("audit ok").to_string();
        }
        // The run's last order id, fixed by the first page.
        through = through.or(page["run_through"].as_i64());
        match page["next_after"].as_i64() {
            Some(next) if next > after => after = next,
            _ => break,
        }
    }
    let summary = summary.replace(
        "integrity checked table by table in calls of its own",
        &integrity,
    );
    Ok((
        format!(
            "{summary}; {checked} orders verified in all, in {pages} page(s) of at most {page_orders}"
        ),
        findings,
    ))
}

/// Compares the provider's PaymentIntents over a window with the ledger; prints one
/// line per mismatch (or one summary line) and fails when anything differs.
pub async fn reconcile(args: ReconcileArgs) -> Result<()> {
    let manifest = Manifest::load(&args.target.manifest)?;
    let vars = command_variables(&manifest, &args.target)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let to = args.to.unwrap_or(now);
    let from = args.from.unwrap_or(to - args.days * 86_400);
    let intents = provider_intents::list(
        vars.get("stripe_api_base")
            .unwrap_or("https://api.stripe.com"),
        vars.get("stripe_secret_key").unwrap_or_default(),
        from,
        to,
    )
    .await?;
    let request = ReconcileRequest { from, to, intents };
    let target = Target::open_with(&args.target, &manifest, &vars).await?;
    let answer = target
        .call(
            http::Method::POST,
            "/admin/reconcile",
            Some(serde_json::to_value(&request)?),
        )
        .await;
    target.close().await?;
    let answer = answer?;
    if !answer.status.is_success() {
        bail!(
            "reconciliation failed ({}): {}",
            answer.status,
            answer.message()
        );
    }
    let report: ReconcileReport =
        serde_json::from_slice(&answer.body).context("reconciliation answer is not a report")?;
    if report.ok {
        println!(
            "reconciled: {} intents and {} orders match",
            report.checked_intents, report.checked_orders
        );
        return Ok(());
    }
    for m in &report.mismatches {
        println!("{}: {}", m.kind, m.detail);
    }
    bail!(
        "{} mismatch(es) between the provider and the ledger",
        report.mismatches.len()
    )
}

/// Reads the new owner password from standard input, hashes it (argon2id with OWASP's
/// parameters, the `argon2` crate's default) and stores the hash through the writer.
pub async fn set_password(args: SetPasswordArgs) -> Result<()> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!(
            "Type the new owner password and press Enter (it is shown as you type; \
             pipe it in to avoid that):"
        );
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    let password = line.trim_end_matches(['\r', '\n']);
    if let Some(problem) = storefront_domain::owner::password_problem(password) {
        bail!("the password {problem}");
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))?
        .to_string();
    let target = Target::open(&args.target).await?;
    let body = serde_json::json!({ "password_hash": hash });
    let answer = target
        .call(http::Method::PUT, "/admin/owner/password", Some(body))
        .await;
    target.close().await?;
    let answer = answer?;
    if !answer.status.is_success() {
        bail!(
            "setting the password failed ({}): {}",
            answer.status,
            answer.message()
        );
    }
    println!("owner password set; sign in at /admin");
    Ok(())
}

/// Takes a consistent snapshot through the writer (`VACUUM INTO`), verifies it and only
/// then gives it the requested name ([`snapshot_file`]).
pub async fn backup(args: BackupArgs) -> Result<()> {
    if args.to.starts_with("s3://") {
        return backup_offsite(args).await;
    }
    if args.list {
        bail!("--list needs --to s3://bucket/prefix");
    }
    let to = std::path::absolute(&args.to).context("backup path")?;
    if to.exists() {
        bail!("{} already exists; choose a new file", to.display());
    }
    let summary = snapshot(&args.target, &to).await?;
    println!("backup {}: {summary}", to.display());
    Ok(())
}

/// The writer's `VACUUM INTO` snapshot, verified and named `to`; its summary line.
async fn snapshot(target: &AdminTarget, to: &Path) -> Result<String> {
    let target = Target::open(target).await?;
    let taken = snapshot_file::taken(to, |partial| {
        let target = &target;
        async move {
            let body = serde_json::json!({ "path": partial.to_string_lossy() });
            let answer = target
                .call(http::Method::POST, "/admin/backup", Some(body))
                .await?;
            if !answer.status.is_success() {
                bail!("backup failed ({}): {}", answer.status, answer.message());
            }
            Ok(())
        }
    })
    .await;
    target.close().await?;
    taken
}

/// `backup --to s3://…`: a verified snapshot uploaded, or (`--list`) the snapshots there.
async fn backup_offsite(args: BackupArgs) -> Result<()> {
    let store = Store::open(&args.to)?;
    if args.list {
        let all = store.list().await?;
        for s in &all {
            println!("s3 snapshot {} {} bytes {}", s.key, s.size, s.modified);
        }
        println!("{} snapshots under {}", all.len(), args.to);
        return Ok(());
    }
    let dir = tempfile::tempdir().context("a temporary folder for the snapshot")?;
    let file = dir.path().join("snapshot.db");
    let summary = snapshot(&args.target, &file).await?;
    let url = store.upload(&file).await?;
    println!("backup {url}: {summary}");
    Ok(())
}

/// `restore --from s3://…` or `--from FILE`: into an empty data dir that no process owns;
/// the snapshot is copied under a partial name, the key-value store it carries moved into
/// its own file (`sqlite_key_value.db`, [`key_value_file::restore_into`]), and it is
/// checked before it is named `sqlite_db.db`, so a broken snapshot (e.g. a backup killed halfway) is refused and
/// leaves the data dir as it was.
pub async fn restore(args: RestoreArgs) -> Result<()> {
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("cannot create {}", args.data_dir.display()))?;
    let ownership = Ownership::acquire(&args.data_dir, "restore", Wait::No).with_context(|| {
        format!(
            "{} is owned by a running process; stop it first (a restore never writes under a writer)",
            args.data_dir.display()
        )
    })?;
    let db = args.data_dir.join(DATABASE_FILE);
    if db.exists() {
        bail!(
            "{} already holds a database; restore into an empty data dir",
            args.data_dir.display()
        );
    }
    let replicas = args.at.is_some() || args.generation.is_some();
    if args.from.starts_with("s3://") && !Store::names_snapshot(&args.from) {
        let bucket = Bucket::open(&args.from)?;
        if replicas || restore_replica::holds_replicas(&bucket).await? {
            return restore_replicas(&args, &bucket, ownership).await;
        }
    }
    if replicas {
        bail!("--at and --generation restore replicas: --from must be s3://bucket/prefix");
    }
    let from = args.from.as_str();
    let mut source = from.to_string();
    let kv_path = args.data_dir.join(key_value_file::KEY_VALUE_FILE);
    let mut kv_rows = None;
    let summary = snapshot_file::taken(&db, |partial| {
        let source = &mut source;
        let kv_rows = &mut kv_rows;
        let kv_path = &kv_path;
        async move {
            if !from.starts_with("s3://") {
                std::fs::copy(from, &partial).with_context(|| format!("cannot read {from}"))?;
            } else {
                let store = Store::open(from)?;
                let key = Store::names_snapshot(from)
                    .then(|| store.key_of(from))
                    .flatten();
                *source = store.download(key.as_deref(), &partial).await?;
            }
            // The key-value store the snapshot carries goes to its own file first.
            let kv = key_value_file::restore_into(&partial, kv_path)?;
            *kv_rows = kv;
            Ok(())
        }
    })
    .await
    .with_context(|| format!("nothing was restored from {from}"))?;
    drop(ownership);
    println!("restored {source} into {}: {summary}", db.display());
    if let Some(rows) = kv_rows {
        println!(
            "restored {rows} key-value entries into {}",
            kv_path.display()
        );
    }
    Ok(())
}

/// `restore --from s3://bucket/prefix` of replicas (`--replicate-to`): the database is
/// rebuilt at the chosen point in a staging folder inside the data dir, checked with
/// `integrity_check` and audited in full by the writer component (the same audit as
/// `storefront check --full`), and only then named `sqlite_db.db`. The staging folder is
/// removed whatever happens.
async fn restore_replicas(args: &RestoreArgs, bucket: &Bucket, ownership: Ownership) -> Result<()> {
    let point = match (&args.at, args.generation, args.segment) {
        (Some(at), _, _) => restore_replica::Point::At(parse_time(at)?),
        (None, Some(generation), Some(segment)) => restore_replica::Point::Segment {
            generation,
            segment,
        },
        (None, Some(generation), None) => restore_replica::Point::Generation(generation),
        (None, None, _) => restore_replica::Point::Newest,
    };
    let staging = args
        .data_dir
        .join(format!(".restore-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    std::fs::create_dir(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;
    let result = async {
        let staged = staging.join(DATABASE_FILE);
        let rebuilt = restore_replica::rebuild(bucket, point, &staged)
            .await
            .with_context(|| format!("nothing was restored from {}", bucket.url()))?;
        let checked = staged.clone();
        let summary = tokio::task::spawn_blocking(move || verify_snapshot(&checked))
            .await
            .context("integrity check task")??;
        let audit = CheckArgs {
            target: AdminTarget {
                manifest: args.manifest.clone(),
                data_dir: staging.clone(),
                writer_url: None,
            },
            full: true,
            page_orders: 20_000,
        };
        check(audit)
            .await
            .context("the restored database failed the audit; nothing was named")?;
        let db = args.data_dir.join(DATABASE_FILE);
        atomic_file::promote(&staged, &db, Existing::Keep)
            .with_context(|| format!("cannot name {}", db.display()))?;
        println!(
            "restored {} into {}: {rebuilt}; {summary}",
            bucket.url(),
            db.display()
        );
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&staging);
    drop(ownership);
    result
}

/// Opens a snapshot read-only and runs `PRAGMA integrity_check` on it.
pub fn verify_snapshot(path: &Path) -> Result<String> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open snapshot {}", path.display()))?;
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .with_context(|| format!("snapshot {} is not a whole database", path.display()))?;
    if result != "ok" {
        bail!(
            "snapshot {} failed integrity_check: {result}",
            path.display()
        );
    }
    let orders: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?;
    let products: i64 = conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0))?;
    let key_values = match key_value_file::rows_in_snapshot(&conn)? {
        Some(rows) => format!(", {rows} key-value entries"),
        None => String::new(),
    };
    Ok(format!(
        "integrity ok, {orders} orders, {products} products{key_values}"
    ))
}

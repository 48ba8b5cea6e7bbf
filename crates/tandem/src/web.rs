//! `tandem serve` and `tandem demo`: the web application and JSON API.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{NaiveTime, Utc};
use tandem_app::accounts::{self, ExternalTwoFactor, NewAccount};
use tandem_app::generate::GenerateOptions;
use tandem_app::interchange::improvement_plan;
use tandem_app::mail::Mailer;
use tandem_app::services::{Caller, DraftComment, Services, SignOff, Source};
use tandem_app::transfer;
use tandem_core::access::PlanSignOff;
use tandem_core::advice::{AdviceForm, Provision};
use tandem_core::dashboard::PseudonymKey;
use tandem_core::disclosure::SmallNumbers;
use tandem_core::improvement_plan::ImprovementPlan;
use tandem_core::plan::{Plan, PlanChild, PlanStatus, Section};
use tandem_core::reference_pattern::ReferencePattern;
use tandem_core::signposts::Signposts;
use tandem_core::targets::LocalTargets;
use tandem_core::{Actor, Reference, Role};
use tandem_store::{CaseFilter, Page, Store};
use tandem_web::{AppState, EmailDomains, Reporting, SingleSignOn, WebConfig, parse_group_roles};
use tokio::net::TcpListener;

use crate::cli_error::CliError;
use crate::database::{Bar, Database, block_on};
use crate::remind::{MailArgs, RemindAt, parse_remind_at};
use crate::timeline::today;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    database: Database,
    /// The dashboard's local targets: a TOML file like examples/targets.toml.
    #[arg(long, env = "TANDEM_TARGETS", value_name = "FILE")]
    targets: Option<PathBuf>,
    /// An improvement plan to keep at start-up if the database holds none yet: a CSV or XLSX
    /// file like examples/improvement-plan.csv. Once kept, the plan is edited on /plan and
    /// replaced with `tandem improvement-plan import --replace`.
    #[arg(long, env = "TANDEM_PLAN", value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Links for families (the local offer, local schemes): a TOML file like
    /// examples/signposts.toml.
    #[arg(long, env = "TANDEM_SIGNPOSTS", value_name = "FILE")]
    signposts: Option<PathBuf>,
    /// How many days a service asked for advice may still open the case after its last request
    /// closed.
    #[arg(long, env = "TANDEM_ADVICE_ACCESS_DAYS", value_name = "DAYS",
          default_value_t = tandem_core::access::DEFAULT_ADVICE_ACCESS_DAYS)]
    advice_access_days: u32,
    /// Working days within which an incoming message is to be answered.
    #[arg(long, env = "TANDEM_REPLY_WORKING_DAYS", value_name = "DAYS",
          default_value_t = tandem_core::messages::DEFAULT_REPLY_WORKING_DAYS)]
    reply_working_days: u32,
    /// How many days an invitation link works.
    #[arg(long, env = "TANDEM_INVITE_DAYS", value_name = "DAYS",
          default_value_t = tandem_app::accounts::DEFAULT_INVITE_DAYS)]
    invite_days: u32,
    /// The largest document that may be uploaded to a case, in megabytes (1 to 1024).
    #[arg(long, env = "TANDEM_DOCUMENT_MAX_MB", value_name = "MB", default_value_t = 20,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    document_max_mb: u16,
    /// How many password checks may run at once (about 19 MiB each); sign-ins beyond that are
    /// asked to retry in a few seconds.
    #[arg(long, env = "TANDEM_PASSWORD_CHECKS", value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    password_checks: u16,
    /// Take the client's address from the last entry of X-Forwarded-For, as a reverse proxy in
    /// front appended it (for sign-in limits). Only behind such a proxy.
    #[arg(long, env = "TANDEM_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Whether external accounts (professionals, settings, parents) must sign in with a code
    /// from an authenticator app as well as their password: `required` or `optional` (for a
    /// demonstration or a test).
    #[arg(long = "external-2fa", env = "TANDEM_EXTERNAL_2FA", value_name = "required|optional",
          default_value = "required", value_parser = parse_external_two_factor)]
    external_two_factor: ExternalTwoFactor,
    /// Who signs off final EHC plans: `head_of_service`, or `team_manager` for team managers
    /// as well as the head of service.
    #[arg(long, env = "TANDEM_PLAN_SIGN_OFF", value_name = "head_of_service|team_manager",
          default_value = "head_of_service", value_parser = parse_plan_sign_off)]
    plan_sign_off: PlanSignOff,
    /// How references are made for new requests opened without one: text with `{year}` (the
    /// year the request was received) and one `{seq}` or `{seq:0N}` (a number counted per year
    /// of the pattern, zero-padded to N digits).
    #[arg(long, env = "TANDEM_REFERENCE_PATTERN", value_name = "PATTERN",
          default_value = tandem_core::reference_pattern::DEFAULT_PATTERN,
          value_parser = parse_reference_pattern)]
    reference_pattern: ReferencePattern,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    single_sign_on: SingleSignOnArgs,
    /// When to queue the day's reminder emails (England's time, HH:MM), or `off`.
    #[arg(long, env = "TANDEM_REMIND_AT", value_name = "HH:MM", default_value = "07:00",
          value_parser = parse_remind_at)]
    remind_at: RemindAt,
}

/// Staff single sign-on through the organisation's OpenID Connect provider (README, "Single
/// sign-on"). Off unless the issuer, client id and client secret are all set.
#[derive(clap::Args)]
struct SingleSignOnArgs {
    /// The provider's issuer URL, whose discovery document is
    /// ISSUER/.well-known/openid-configuration (Entra ID:
    /// https://login.microsoftonline.com/TENANT-ID/v2.0).
    #[arg(long = "oidc-issuer", env = "TANDEM_OIDC_ISSUER", value_name = "URL")]
    issuer: Option<String>,
    /// The application's client id at the provider.
    #[arg(
        long = "oidc-client-id",
        env = "TANDEM_OIDC_CLIENT_ID",
        value_name = "ID"
    )]
    client_id: Option<String>,
    /// The application's client secret (prefer the environment variable: a command line is
    /// visible to other users of the machine).
    #[arg(
        long = "oidc-client-secret",
        env = "TANDEM_OIDC_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    client_secret: Option<String>,
    /// Whose verified addresses may sign in this way: `*`, or domains separated by commas.
    #[arg(long = "oidc-email-domains", env = "TANDEM_OIDC_EMAIL_DOMAINS", value_name = "DOMAINS",
          value_parser = EmailDomains::parse)]
    email_domains: Option<EmailDomains>,
    /// Roles from groups: GROUP=ROLE pairs separated by commas (staff roles only); the first
    /// of a person's groups listed gives their role, and people in none are refused. Unset,
    /// accounts keep their roles.
    #[arg(
        long = "oidc-group-roles",
        env = "TANDEM_OIDC_GROUP_ROLES",
        value_name = "GROUP=ROLE,…"
    )]
    group_roles: Option<String>,
    /// The ID token claim that lists the person's groups.
    #[arg(
        long = "oidc-groups-claim",
        env = "TANDEM_OIDC_GROUPS_CLAIM",
        value_name = "CLAIM",
        default_value = "groups"
    )]
    groups_claim: String,
}

impl SingleSignOnArgs {
    /// The settings, `None` when single sign-on is not configured, or every problem.
    fn settings(&self, public_url: &str) -> Result<Option<SingleSignOn>, CliError> {
        let (Some(issuer), Some(client_id), Some(secret)) =
            (&self.issuer, &self.client_id, &self.client_secret)
        else {
            if self.issuer.is_some() || self.client_id.is_some() || self.client_secret.is_some() {
                return Err(CliError::rejected(
                    "single sign-on needs TANDEM_OIDC_ISSUER, TANDEM_OIDC_CLIENT_ID and \
                     TANDEM_OIDC_CLIENT_SECRET together",
                ));
            }
            return Ok(None);
        };
        let Some(domains) = self.email_domains.clone() else {
            return Err(CliError::rejected(
                "single sign-on needs TANDEM_OIDC_EMAIL_DOMAINS: * or the domains whose \
                 addresses may sign in this way",
            ));
        };
        let settings = SingleSignOn::new(issuer, client_id, secret, public_url, domains)
            .map_err(|e| CliError::rejected(format!("single sign-on: {e}")))?;
        let group_roles = match &self.group_roles {
            Some(text) => parse_group_roles(text)
                .map_err(|e| CliError::rejected(format!("TANDEM_OIDC_GROUP_ROLES: {e}")))?,
            None => Vec::new(),
        };
        Ok(Some(
            settings.with_group_roles(&self.groups_claim, group_roles),
        ))
    }
}

/// `TANDEM_EXTERNAL_2FA`: `required` or `optional`.
fn parse_external_two_factor(text: &str) -> Result<ExternalTwoFactor, String> {
    ExternalTwoFactor::parse(text).ok_or_else(|| "expected required or optional".to_owned())
}

/// `TANDEM_REFERENCE_PATTERN`, such as `EHC-{year}-{seq:06}`.
fn parse_reference_pattern(text: &str) -> Result<ReferencePattern, String> {
    ReferencePattern::parse(text).map_err(|e| e.to_string())
}

/// `TANDEM_PLAN_SIGN_OFF`: `head_of_service` or `team_manager`.
fn parse_plan_sign_off(text: &str) -> Result<PlanSignOff, String> {
    PlanSignOff::parse(text).ok_or_else(|| "expected head_of_service or team_manager".to_owned())
}

/// The environment variable holding the key analysts' pseudonyms are made with (at least 16
/// bytes of text). Without it, a random key is used and pseudonyms change when the server
/// restarts.
const PSEUDONYM_KEY_VAR: &str = "TANDEM_PSEUDONYM_KEY";

/// The environment variable holding the small-number threshold of analysts' tables: counts from
/// 1 up to one less than it are shown as "fewer than N" (`tandem_core::disclosure`; 5 unless
/// set, 0 or 1 to show every count).
const SUPPRESS_BELOW_VAR: &str = "TANDEM_SUPPRESS_BELOW";

pub fn serve(args: ServeArgs) -> Result<(), CliError> {
    let read = |path: &Option<PathBuf>| -> Result<Option<(String, String)>, CliError> {
        let Some(path) = path else { return Ok(None) };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::rejected(format!("{name}: {e}")))?;
        Ok(Some((name, text)))
    };
    let mut reporting = reporting(read(&args.targets)?)?;
    let plan = args
        .plan
        .as_deref()
        .map(crate::improvement_plan::read_file)
        .transpose()?;
    let signposts = match read(&args.signposts)? {
        Some((name, text)) => signposts(&name, &text)?,
        None => Signposts::default(),
    };
    if let Ok(key) = std::env::var(PSEUDONYM_KEY_VAR) {
        reporting.pseudonym_key = PseudonymKey::new(key.into_bytes()).ok_or_else(|| {
            CliError::rejected(format!(
                "{PSEUDONYM_KEY_VAR} must be at least {} bytes long",
                PseudonymKey::MIN_BYTES
            ))
        })?;
    }
    if let Ok(below) = std::env::var(SUPPRESS_BELOW_VAR) {
        let below = below.trim().parse::<u64>().map_err(|_| {
            CliError::rejected(format!(
                "{SUPPRESS_BELOW_VAR} must be a whole number, such as 5"
            ))
        })?;
        reporting.small_numbers = SmallNumbers::below(below);
    }
    let mailer = args.mail.mailer()?;
    let single_sign_on = args.single_sign_on.settings(&args.mail.public_url)?;
    start_logging();
    block_on(async {
        let store = args.database.open().await?;
        if let Some(plan) = &plan {
            keep_plan_if_none(&store, plan).await?;
        }
        let listener = bind(args.addr).await?;
        if mailer.is_none() {
            eprintln!("No mail server is set (TANDEM_SMTP_URL): notifications stay queued.");
        }
        eprintln!("Tandem is running at http://{}", local_addr(&listener));
        let config = WebConfig {
            reporting,
            signposts,
            advice_access_days: args.advice_access_days,
            reply_working_days: args.reply_working_days,
            invite_days: args.invite_days,
            document_max_bytes: usize::from(args.document_max_mb) * 1024 * 1024,
            password_checks: usize::from(args.password_checks),
            trust_forwarded_for: args.trust_forwarded_for,
            external_two_factor: args.external_two_factor,
            plan_sign_off: args.plan_sign_off,
            reference_pattern: args.reference_pattern,
            public_url: args.mail.public_url,
            single_sign_on,
            ..WebConfig::default()
        };
        run_server(store, listener, config, mailer, args.remind_at.0).await
    })
}

/// Keeps `plan` (from `--plan`) as the improvement plan when the database holds none; a plan
/// already kept is left as it is, since it may have been edited since.
async fn keep_plan_if_none(store: &Store, plan: &ImprovementPlan) -> Result<(), CliError> {
    match transfer::import_improvement_plan(store, plan, false).await {
        Ok(_) => {
            eprintln!(
                "The improvement plan from --plan (TANDEM_PLAN) is now kept in the database."
            );
            Ok(())
        }
        Err(transfer::TransferError::Rejected(_)) => {
            eprintln!(
                "The database already keeps an improvement plan: --plan (TANDEM_PLAN) is not \
                 read again. Replace the plan with `tandem improvement-plan import --replace`."
            );
            Ok(())
        }
        Err(other) => Err(other.into()),
    }
}

/// The families' signposts read from the file `name`, every problem named.
fn signposts(name: &str, text: &str) -> Result<Signposts, CliError> {
    Signposts::from_toml(text).map_err(|problems| {
        CliError::Rejected(problems.iter().map(|p| format!("{name}: {p}")).collect())
    })
}

/// The reporting configuration from a targets file `(name, text)`; every problem is reported as
/// `FILE:LINE: message`, and the server does not start.
fn reporting(targets: Option<(String, String)>) -> Result<Reporting, CliError> {
    let mut reporting = Reporting::new()?;
    let mut problems = Vec::new();
    if let Some((name, text)) = targets {
        match LocalTargets::from_toml(&text) {
            Ok(local) => reporting.targets = local,
            Err(errors) => problems.extend(
                errors
                    .iter()
                    .map(|e| format!("{name}:{}: {}", e.line, e.message)),
            ),
        }
    }
    if problems.is_empty() {
        Ok(reporting)
    } else {
        Err(CliError::Rejected(problems))
    }
}

/// Every demo account signs in with this password. The demo holds synthetic data only and
/// listens on the loopback address unless told otherwise.
const DEMO_PASSWORD: &str = "tandem-demo-2026";

/// The demo's case managers beyond `case_manager@demo.test`, in two teams, so that caseloads and
/// the manager's view look like a real service.
const DEMO_CASE_MANAGERS: [(&str, &str, &str); 7] = [
    ("amira.hussain", "Amira Hussain", "north"),
    ("ben.okafor", "Ben Okafor", "north"),
    ("carys.lloyd", "Carys Lloyd", "north"),
    ("dan.whitfield", "Dan Whitfield", "south"),
    ("eve.marsh", "Eve Marsh", "south"),
    ("farid.khan", "Farid Khan", "south"),
    ("grace.ito", "Grace Ito", "south"),
];

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// How many synthetic cases to generate.
    #[arg(long, default_value_t = 3_000)]
    cases: usize,
    /// The demo database: a fresh SQLite file, replaced on every run. With another URL the
    /// database must be empty.
    #[arg(long = "database", default_value = "sqlite://data/demo.db")]
    url: String,
    /// Emails are printed to standard error unless a mail server is set.
    #[command(flatten)]
    mail: MailArgs,
}

pub fn demo(args: DemoArgs) -> Result<(), CliError> {
    let mail = args.mail.or_log();
    let mailer = mail.mailer()?;
    start_logging();
    if let Some(path) = args.url.strip_prefix("sqlite://") {
        // Fresh every time: the file and SQLite's write-ahead log beside it.
        for suffix in ["", "-wal", "-shm"] {
            match std::fs::remove_file(format!("{path}{suffix}")) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CliError::rejected(format!("{path}{suffix}: {e}")));
                }
                _ => {}
            }
        }
    }
    block_on(async {
        let store = Database::from_url(&args.url).open().await?;
        if store.count_cases().await? > 0 || !store.users().await?.is_empty() {
            return Err(CliError::rejected(
                "the demo needs an empty database; it already holds data",
            ));
        }
        eprintln!(
            "Setting up the demo: accounts and {} synthetic cases…",
            args.cases
        );
        create_demo_accounts(&store).await?;
        let options = GenerateOptions {
            cases: args.cases,
            seed: 2026,
            as_of: today(),
            case_managers: 1,
        };
        transfer::generate_into(&store, options, &mut Bar::default()).await?;
        create_demo_parent(&store).await?;
        create_demo_advice(&store).await?;
        create_demo_plans(&store).await?;
        create_demo_audits(&store).await?;
        crate::demo_workforce::create_demo_workforce(&store).await?;
        crate::demo_panels::create(&store, today()).await?;
        transfer::import_improvement_plan(&store, &demo_plan()?, false).await?;
        crate::demo_surveys::create(&store).await?;
        let queued = Services::new(store.clone())
            .with_public_url(&mail.public_url)
            .queue_reminders(today())
            .await
            .map_err(|e| CliError::Internal(anyhow::anyhow!("the demo reminders: {e}")))?;
        eprintln!("{queued} reminder emails queued; they are printed below as they are sent.");
        let listener = bind(args.addr).await?;
        print_sign_in(local_addr(&listener));
        let signposts = signposts(
            "examples/signposts.toml",
            include_str!("../../../examples/signposts.toml"),
        )?;
        let config = WebConfig {
            reporting: demo_reporting()?,
            signposts,
            public_url: mail.public_url,
            // The demo's parents and professionals sign in with the printed password alone.
            external_two_factor: ExternalTwoFactor::Optional,
            ..WebConfig::default()
        };
        run_server(
            store,
            listener,
            config,
            mailer,
            NaiveTime::from_hms_opt(7, 0, 0),
        )
        .await
    })
}

/// The service each demo professional `<role>@demo.test` belongs to: services the generator asks
/// for advice, so that their work trays fill.
fn demo_service(role: Role) -> Option<&'static str> {
    match role {
        Role::HealthProfessional => Some("Community paediatrics"),
        Role::SocialCareProfessional => Some("Children's social care"),
        Role::EducationSetting => Some("The child's school or setting"),
        _ => None,
    }
}

/// More demo professionals, in the other services the generator asks for advice: user, name,
/// role, service.
const DEMO_PROFESSIONALS: &[(&str, &str, Role, &str)] = &[
    (
        "therapies",
        "Priya Okafor",
        Role::HealthProfessional,
        "Children's therapy services",
    ),
    (
        "camhs",
        "Tom Reyes",
        Role::HealthProfessional,
        "Child and adolescent mental health services",
    ),
];

async fn create_demo_accounts(store: &Store) -> Result<(), CliError> {
    // The parent is linked to cases, so it is made once they exist (create_demo_parent).
    let mut accounts: Vec<NewAccount> = Role::ALL
        .iter()
        .filter(|role| **role != Role::Parent)
        .map(|role| NewAccount {
            email: format!("{}@demo.test", role.as_str()),
            name: format!("Demo {}", role.label().to_lowercase()),
            role: *role,
            team: (*role == Role::CaseManager).then(|| "north".to_owned()),
            provider: demo_service(*role).map(str::to_owned),
            password: DEMO_PASSWORD.to_owned(),
        })
        .collect();
    accounts.extend(
        DEMO_CASE_MANAGERS
            .iter()
            .map(|(user, name, team)| NewAccount {
                email: format!("{user}@demo.test"),
                name: (*name).to_owned(),
                role: Role::CaseManager,
                team: Some((*team).to_owned()),
                provider: None,
                password: DEMO_PASSWORD.to_owned(),
            }),
    );
    accounts.extend(
        DEMO_PROFESSIONALS
            .iter()
            .map(|(user, name, role, service)| NewAccount {
                email: format!("{user}@demo.test"),
                name: (*name).to_owned(),
                role: *role,
                team: None,
                provider: Some((*service).to_owned()),
                password: DEMO_PASSWORD.to_owned(),
            }),
    );
    for account in accounts {
        accounts::create_account(store, None, account, Utc::now())
            .await
            .map_err(|e| CliError::Internal(anyhow::anyhow!("creating a demo account: {e}")))?;
    }
    Ok(())
}

/// `parent@demo.test`, the parent of the children of the first two generated cases (a family
/// with two children going through assessment).
async fn create_demo_parent(store: &Store) -> Result<(), CliError> {
    let first = store
        .list_cases(&CaseFilter::as_of(today()), Page::number(1, 2))
        .await?;
    let cases: Vec<Reference> = first.cases.into_iter().map(|c| c.reference).collect();
    let account = NewAccount {
        email: format!("{}@demo.test", Role::Parent.as_str()),
        name: "Demo parent or carer".to_owned(),
        role: Role::Parent,
        team: None,
        provider: None,
        password: DEMO_PASSWORD.to_owned(),
    };
    let id = accounts::create_linked_account(store, None, account, &cases, Utc::now())
        .await
        .map_err(|e| CliError::Internal(anyhow::anyhow!("creating the demo parent: {e}")))?;
    // A question from the family waits on the duty list, as it would on a working day.
    if let Some(first) = cases.first() {
        let parent = Caller::new(
            Actor {
                id,
                role: Role::Parent,
                team: None,
                provider: None,
            },
            Source::Form,
        );
        Services::new(store.clone())
            .send_message(
                &parent,
                first,
                "Could the meeting with the educational psychologist be after school? My child \
                 finds mornings hard.",
            )
            .await
            .map_err(|e| CliError::Internal(anyhow::anyhow!("the demo message: {e}")))?;
    }
    Ok(())
}

/// The demo health professional's work: a draft begun on the first request of their tray, and
/// advice submitted on the second (which a case manager then reads on the case).
async fn create_demo_advice(store: &Store) -> Result<(), CliError> {
    let email = format!("{}@demo.test", Role::HealthProfessional.as_str());
    let Some(nurse) = store.user_by_email(&email).await? else {
        return Ok(());
    };
    let caller = Caller::new(nurse.actor(), Source::Form);
    let services = Services::new(store.clone());
    let failed = |e| CliError::Internal(anyhow::anyhow!("the demo advice: {e}"));
    let tray = services.work_tray(&caller).await.map_err(failed)?;
    let advice = AdviceForm {
        needs: "Global developmental delay, with difficulties in attention and listening. \
                Tires quickly; eats slowly and needs prompts at lunch."
            .to_owned(),
        outcomes: "By the end of the school year, follows a two-step instruction in class \
                   without an adult repeating it."
            .to_owned(),
        provision: vec![Provision {
            what: "A programme for attention and listening, set by a speech and language \
                   therapist and delivered in class"
                .to_owned(),
            who: "A teaching assistant trained by the therapist".to_owned(),
            how_often: "Daily".to_owned(),
            how_long: "15 minutes, reviewed each term".to_owned(),
        }],
        consulted: "Parents; class teacher; school nurse".to_owned(),
    };
    for (item, submit) in tray.iter().take(2).zip([false, true]) {
        services
            .save_advice(
                &caller,
                &item.reference,
                &item.request_key,
                advice.clone(),
                0,
                submit,
            )
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Plans of varied quality on the first cases (the example plans' content, written for other
/// children): the parent's first case has a good plan issued as a draft, another a good plan
/// signed off as final, others a weak or an unlawful plan being written or issued as a draft.
async fn create_demo_plans(store: &Store) -> Result<(), CliError> {
    const GOOD: &str = include_str!("../../tandem-core/tests/fixtures/plans/good.json");
    const WEAK: &str = include_str!("../../tandem-core/tests/fixtures/plans/weak.json");
    const UNLAWFUL: &str = include_str!("../../tandem-core/tests/fixtures/plans/unlawful.json");
    let email = format!("{}@demo.test", Role::HeadOfService.as_str());
    let Some(head) = store.user_by_email(&email).await? else {
        return Ok(());
    };
    let caller = Caller::new(head.actor(), Source::Form);
    let services = Services::new(store.clone());
    fn failed(e: impl std::fmt::Display) -> CliError {
        CliError::Internal(anyhow::anyhow!("the demo plans: {e}"))
    }
    let cases = store
        .list_cases(&CaseFilter::as_of(today()), Page::number(1, 5))
        .await?
        .cases;
    let plans = [
        (GOOD, Some(PlanStatus::Draft)),
        (WEAK, None),
        (GOOD, Some(PlanStatus::Final)),
        (WEAK, Some(PlanStatus::Draft)),
        (UNLAWFUL, None),
    ];
    for (case, (text, issue)) in cases.iter().zip(plans) {
        let reference = &case.reference;
        let mut plan = Plan::from_json(text).map_err(failed)?;
        plan.status = PlanStatus::Draft;
        plan.issued_on = None;
        plan.case = None;
        plan.child = PlanChild {
            year_group: plan.child.year_group,
            ..PlanChild::default()
        };
        let saved = services
            .save_plan(&caller, reference, plan, 0)
            .await
            .map_err(failed)?;
        if issue.is_none() {
            continue;
        }
        services
            .issue_draft_plan(&caller, reference, saved.revision)
            .await
            .map_err(failed)?;
        if issue == Some(PlanStatus::Final) {
            let view = services.plan(&caller, reference).await.map_err(failed)?;
            let sign_off = SignOff::acknowledging_all(
                &view.as_final,
                "Agreed at the moderation panel",
                Some("The family wrote to say they have no comments"),
            );
            services
                .issue_final_plan(&caller, reference, view.revision(), sign_off)
                .await
                .map_err(failed)?;
        }
    }
    // The weak plan's case manager has asked for sign-off: it waits on the head of service's
    // list on the team page.
    if let Some(case) = cases.get(3) {
        let asker = match case.case_manager {
            Some(id) => store.user(id).await?.map(|u| u.actor()),
            None => None,
        };
        let asker = Caller::new(asker.unwrap_or_else(|| head.actor()), Source::Form);
        let view = services
            .plan(&asker, &case.reference)
            .await
            .map_err(failed)?;
        services
            .request_sign_off(
                &asker,
                &case.reference,
                view.revision(),
                "The family are happy with the draft; the therapy service has confirmed it can \
                 provide the sessions in section F.",
            )
            .await
            .map_err(failed)?;
    }
    // The family has begun commenting on the draft of their first case, which its case manager
    // reads under the plan.
    let parent = format!("{}@demo.test", Role::Parent.as_str());
    if let (Some(first), Some(parent)) = (cases.first(), store.user_by_email(&parent).await?) {
        let comment = DraftComment {
            section: Some(Section::F),
            body: "The plan says speech and language therapy, but not how often or who gives \
                   it. At the moment it is once a term, which is not enough."
                .to_owned(),
            preferred_setting: "Riverside Primary School".to_owned(),
            wants_meeting: true,
        };
        services
            .comment_on_draft(
                &Caller::new(parent.actor(), Source::Form),
                &first.reference,
                comment,
            )
            .await
            .map_err(failed)?;
    }
    Ok(())
}

/// Plan audits across the three terms before this one, with a visible trend: in each term four
/// final plans are issued (on new cases, opened twenty weeks before) and a sample of them drawn
/// with a recorded seed, graded by the QA auditor (education) and the team manager (health), and
/// settled by the head of service: mostly Requires improvement three terms ago, mostly Good last
/// term. Last term's best plan is kept as an example; one of its plans still waits in the QA
/// auditor's tray.
async fn create_demo_audits(store: &Store) -> Result<(), CliError> {
    use std::sync::Arc;
    use tandem_app::services::{CriterionScore, DrawRequest, NewRequest};
    use tandem_core::plan::audit::{Criterion, Discipline, Term};
    use tandem_core::plan::checks::Grade;

    const GOOD: &str = include_str!("../../tandem-core/tests/fixtures/plans/good.json");
    const WEAK: &str = include_str!("../../tandem-core/tests/fixtures/plans/weak.json");
    fn failed(e: impl std::fmt::Display) -> CliError {
        CliError::Internal(anyhow::anyhow!("the demo audits: {e}"))
    }
    let caller_for = |role: Role| async move {
        let email = format!("{}@demo.test", role.as_str());
        Ok::<_, CliError>(
            store
                .user_by_email(&email)
                .await?
                .map(|u| Caller::new(u.actor(), Source::Form)),
        )
    };
    let (Some(head), Some(manager), Some(auditor)) = (
        caller_for(Role::HeadOfService).await?,
        caller_for(Role::TeamManager).await?,
        caller_for(Role::QaAuditor).await?,
    ) else {
        return Ok(());
    };
    let at = |day: tandem_core::Date| {
        let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        Services::with_clock(store.clone(), Arc::new(move || noon))
    };
    let last = Term::containing(today()).previous();
    let terms = [last.previous().previous(), last.previous(), last];
    // Each term's grades, plan by plan: the trend the demo shows.
    let grades = [
        [
            Grade::RequiresImprovement,
            Grade::Inadequate,
            Grade::RequiresImprovement,
            Grade::Good,
        ],
        [
            Grade::Good,
            Grade::RequiresImprovement,
            Grade::Good,
            Grade::RequiresImprovement,
        ],
        [Grade::Outstanding, Grade::Good, Grade::Good, Grade::Good],
    ];
    let names = [
        "Ava", "Leo", "Maya", "Noah", "Isla", "Theo", "Zara", "Finn", "Ruby", "Omar", "Erin", "Kai",
    ];
    for (t, term) in terms.iter().enumerate() {
        let issued = term.first_day() + chrono::Days::new(40);
        let services = at(issued);
        for n in 0..4 {
            let mut child = tandem_core::Child {
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2016, 3, 1 + n),
                ..tandem_core::Child::default()
            };
            child
                .other
                .insert("given_name".into(), names[t * 4 + n as usize].into());
            child.other.insert("family_name".into(), "Audit".into());
            let request = NewRequest {
                reference: Some(
                    Reference::parse(&format!("QA-{}-{}", term.key(), n + 1)).map_err(failed)?,
                ),
                requested_by: None,
                child,
                received: issued - chrono::Days::new(19 * 7),
                case_manager: None,
                same_child_as: None,
                different_child: true,
            };
            let reference = services
                .open_case(&head, &request)
                .await
                .map_err(failed)?
                .reference;
            let text = if grades[t][n as usize] == Grade::Good
                || grades[t][n as usize] == Grade::Outstanding
            {
                GOOD
            } else {
                WEAK
            };
            let mut plan = Plan::from_json(text).map_err(failed)?;
            plan.status = PlanStatus::Draft;
            plan.issued_on = None;
            plan.case = None;
            plan.child = PlanChild {
                year_group: plan.child.year_group,
                ..PlanChild::default()
            };
            let saved = services
                .save_plan(&head, &reference, plan, 0)
                .await
                .map_err(failed)?;
            services
                .issue_draft_plan(&head, &reference, saved.revision)
                .await
                .map_err(failed)?;
            let view = services.plan(&head, &reference).await.map_err(failed)?;
            let sign_off = SignOff::acknowledging_all(
                &view.as_final,
                "Agreed at the moderation panel",
                Some("The family wrote to say they have no comments"),
            );
            services
                .issue_final_plan(&head, &reference, view.revision(), sign_off)
                .await
                .map_err(failed)?;
        }
        // The audit, at the end of the term.
        let services = at(term.last_day());
        let request = DrawRequest {
            term: term.key(),
            method: "random".into(),
            team: String::new(),
            size: "4".into(),
            seed: format!("{}", 2026 + t),
        };
        let round = services
            .draw_audit_sample(&head, &request)
            .await
            .map_err(failed)?;
        let view = services.audit_round(&head, round).await.map_err(failed)?;
        for (n, progress) in view.samples.iter().enumerate() {
            let sample = progress.sample.id;
            services
                .assign_audit(
                    &head,
                    sample,
                    Some(auditor.actor.id),
                    Some(Discipline::Education),
                )
                .await
                .map_err(failed)?;
            // Last term's last plan waits in the QA auditor's tray.
            if t == 2 && n == 3 {
                continue;
            }
            services
                .assign_audit(
                    &head,
                    sample,
                    Some(manager.actor.id),
                    Some(Discipline::Health),
                )
                .await
                .map_err(failed)?;
            let grade = grades[t][n];
            for (who, lower) in [(&auditor, false), (&manager, true)] {
                let scores: Vec<CriterionScore> = Criterion::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        // Health's view is a shade harsher on provision and the golden thread.
                        let harsher = lower
                            && matches!(c, Criterion::Provision | Criterion::GoldenThread)
                            && grade != Grade::Inadequate;
                        let grade = if harsher {
                            Grade::ALL[Grade::ALL.iter().position(|g| *g == grade).unwrap_or(0) + 1]
                        } else {
                            grade
                        };
                        CriterionScore {
                            criterion: *c,
                            grade: Some(grade),
                            comment: if i % 2 == 0
                                || !tandem_core::plan::audit::is_good_example(grade)
                            {
                                format!("{}: {}", c.label(), demo_comment(grade))
                            } else {
                                String::new()
                            },
                        }
                    })
                    .collect();
                services
                    .score_audited_plan(who, sample, &scores)
                    .await
                    .map_err(failed)?;
            }
            services
                .moderate_audited_plan(
                    &head,
                    sample,
                    Some(grade),
                    "Settled at the multi-agency moderation panel",
                )
                .await
                .map_err(failed)?;
            if t == 2 && grade == Grade::Outstanding {
                services
                    .mark_audit_example(&head, sample)
                    .await
                    .map_err(failed)?;
            }
        }
    }
    Ok(())
}

/// An auditor's comment on a criterion graded `grade`, in the demo.
fn demo_comment(grade: tandem_core::plan::checks::Grade) -> &'static str {
    use tandem_core::plan::checks::Grade;
    match grade {
        Grade::Outstanding => "clear, specific and in the family's words",
        Grade::Good => "clear and mostly specific",
        Grade::RequiresImprovement => "say who delivers it, how often and for how long",
        Grade::Inadequate => "vague throughout; the needs are not met by named provision",
    }
}

fn print_sign_in(addr: SocketAddr) {
    eprintln!();
    eprintln!("Tandem demo is running at http://{addr}");
    eprintln!("Sign in at http://{addr}/sign-in with the password {DEMO_PASSWORD} and one of:");
    for role in Role::ALL {
        eprintln!(
            "  {:<40} {}",
            format!("{}@demo.test", role.as_str()),
            role.label()
        );
    }
    eprintln!("More case managers: {}.", {
        let names: Vec<String> = DEMO_CASE_MANAGERS
            .iter()
            .map(|(user, _, _)| format!("{user}@demo.test"))
            .collect();
        names.join(", ")
    });
    for (user, _, role, service) in DEMO_PROFESSIONALS {
        eprintln!(
            "  {:<40} {} ({service})",
            format!("{user}@demo.test"),
            role.label()
        );
    }
    eprintln!(
        "Two-factor sign-in is optional in the demo: parents and professionals need only the \
         password (TANDEM_EXTERNAL_2FA=optional)."
    );
    eprintln!("Stop with Ctrl-C.");
}

/// The demo's targets: the example, built in so that the demo runs from any folder.
fn demo_reporting() -> Result<Reporting, CliError> {
    reporting(Some((
        "examples/targets.toml".into(),
        include_str!("../../../examples/targets.toml").into(),
    )))
}

/// The example improvement plan, built in, kept in the demo's database.
fn demo_plan() -> Result<ImprovementPlan, CliError> {
    improvement_plan::read(include_str!("../../../examples/improvement-plan.csv").as_bytes())
        .map_err(|problems| {
            CliError::Rejected(
                problems
                    .iter()
                    .map(|p| p.located("examples/improvement-plan.csv"))
                    .collect(),
            )
        })
}

/// Binds before anything is printed, so the address shown is the one listening (port 0 picks a
/// free port).
async fn bind(addr: SocketAddr) -> Result<TcpListener, CliError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::rejected(format!("cannot listen on {addr}: {e}")))
}

#[expect(clippy::expect_used, reason = "a bound listener has an address")]
fn local_addr(listener: &TcpListener) -> SocketAddr {
    listener
        .local_addr()
        .expect("a bound listener has an address")
}

async fn run_server(
    store: Store,
    listener: TcpListener,
    config: WebConfig,
    mailer: Option<Mailer>,
    remind_at: Option<NaiveTime>,
) -> Result<(), CliError> {
    let redirect_uri = config
        .single_sign_on
        .as_ref()
        .map(|s| s.redirect_uri().to_owned());
    let state = AppState::new(store, config);
    // A wrong issuer shows now rather than at the first sign-in; password sign-in works either
    // way, and the provider is asked again at the next single sign-on.
    match (state.check_single_sign_on().await, redirect_uri) {
        (Some(Ok(())), Some(uri)) => {
            eprintln!("Single sign-on is on; the provider's redirect URI for Tandem is {uri}");
        }
        (Some(Err(problem)), _) => {
            eprintln!("Single sign-on is configured but not working yet: {problem}");
        }
        _ => {}
    }
    tokio::spawn(state.services().run_notifications(mailer, remind_at));
    tokio::spawn(state.clone().prepare_dashboards_daily());
    tandem_web::serve_on(state, listener)
        .await
        .map_err(|e| CliError::Internal(anyhow::anyhow!("serving: {e}")))
}

/// Request logs on stderr: ids, methods, paths and timings only (`RUST_LOG` adjusts the level).
/// Colours only on a terminal, so that log files and collectors get plain text.
fn start_logging() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_reads_the_example_targets_and_plan() {
        let demo = demo_reporting().expect("the example targets are valid");
        assert!(!demo.targets.targets.0.is_empty());
        assert!(
            !demo_plan()
                .expect("the example plan is valid")
                .priorities
                .is_empty()
        );
    }

    #[test]
    fn problems_in_the_targets_are_reported_with_file_and_line() {
        let Err(CliError::Rejected(problems)) = reporting(Some((
            "t.toml".into(),
            "[[target]]\nmeasure = \"x\"\nfrom = 2020-01-01\npercent = 50\n".into(),
        ))) else {
            panic!("the file is invalid");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("t.toml:2: unknown measure"),
            "{problems:?}"
        );
    }
}

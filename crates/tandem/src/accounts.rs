//! `tandem user add`: accounts from the command line (the first administrator, scripted set-up).

use std::io::{BufRead, IsTerminal};

use chrono::Utc;
use tandem_app::accounts::{self, AccountError, NewAccount};
use tandem_core::{Reference, Role};

use crate::cli_error::CliError;
use crate::database::{Database, block_on};

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (one line); when standard
    /// input is a terminal or the line is empty, one is generated and printed.
    Add(AddArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    email: String,
    /// One of the roles of contracts/cli.md, e.g. case_manager or admin.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// The name shown to colleagues; defaults to the email address.
    #[arg(long)]
    name: Option<String>,
    /// The team a case manager works in.
    #[arg(long)]
    team: Option<String>,
    /// For a parent, carer or young person: the reference of a case about their child; repeat
    /// for each child. They see these cases and no others.
    #[arg(long = "case", value_parser = parse_reference)]
    cases: Vec<Reference>,
    /// For a health or social care professional or an education setting: the service they
    /// belong to. Advice requests whose provider is this service are addressed to them.
    #[arg(long)]
    provider: Option<String>,
    #[command(flatten)]
    database: Database,
}

fn parse_reference(text: &str) -> Result<Reference, String> {
    Reference::parse(text).map_err(|e| e.to_string())
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {text:?}; use one of {}", names.join(", "))
    })
}

pub fn run(command: UserCommand) -> Result<(), CliError> {
    let UserCommand::Add(args) = command;
    let typed = if std::io::stdin().is_terminal() {
        None
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned()).filter(|l| !l.is_empty())
    };
    let (password, generated) = match typed {
        Some(password) => (password, false),
        None => (accounts::generate_password().map_err(internal)?, true),
    };
    block_on(async {
        let store = args.database.open().await?;
        let account = NewAccount {
            name: args.name.unwrap_or_else(|| args.email.clone()),
            email: args.email.clone(),
            role: args.role,
            team: args.team,
            provider: args.provider,
            password: password.clone(),
        };
        match accounts::create_linked_account(&store, None, account, &args.cases, Utc::now()).await
        {
            Ok(id) => {
                eprintln!(
                    "Created account {id} for {} ({}).",
                    args.email,
                    args.role.as_str()
                );
                if generated {
                    // On stdout, so that a script can capture it.
                    println!("{password}");
                }
                Ok(())
            }
            Err(AccountError::Invalid(errors)) => Err(CliError::Rejected(
                errors
                    .into_iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect(),
            )),
            Err(other) => Err(internal(other)),
        }
    })
}

fn internal(error: AccountError) -> CliError {
    CliError::Internal(anyhow::anyhow!("{error}"))
}

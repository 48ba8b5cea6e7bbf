//! How commands fail: rejected input exits 1 with the problems on stderr (contracts/cli.md);
//! anything else is a bug and exits 3.

use std::process::ExitCode;

#[derive(Debug)]
pub enum CliError {
    /// The input or the data was rejected: one line per problem, nothing written.
    Rejected(Vec<String>),
    /// Options that do not go together (clap's own usage errors exit 2 the same way).
    Usage(String),
    /// Something that should not happen.
    Internal(anyhow::Error),
}

impl CliError {
    pub fn rejected(problem: impl Into<String>) -> Self {
        Self::Rejected(vec![problem.into()])
    }

    pub fn report(self) -> ExitCode {
        match self {
            Self::Rejected(problems) => {
                for problem in problems {
                    eprintln!("{problem}");
                }
                ExitCode::from(1)
            }
            Self::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            // The reader of our output went away (`tandem … | head`): not a failure of ours.
            Self::Internal(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
            Self::Internal(error) => {
                eprintln!("tandem: internal error: {error:#}");
                ExitCode::from(3)
            }
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::Internal(error.into())
    }
}

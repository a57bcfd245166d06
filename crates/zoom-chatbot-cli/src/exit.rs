//! Exit codes a script can rely on, and errors on stderr that name the field, Zoom's code and
//! the tracking id.

use zoom_chatbot::Error;

/// 0: sent.
pub const SENT: i32 = 0;
/// 2: usage or invalid input (nothing was sent).
pub const INVALID: i32 = 2;
/// 3: Zoom refused.
pub const REFUSED: i32 = 3;
/// 4: rate limited, after the retries.
pub const RATE_LIMITED: i32 = 4;
/// 5: Zoom could not be reached.
pub const NETWORK: i32 = 5;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The command line or an input file is wrong.
    Usage(String),
    /// The client's error.
    Zoom(Error),
    /// Several sends failed (bulk); the exit code is given.
    Some(i32),
}

/// What a command returns.
pub type Outcome = Result<(), Failure>;

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Zoom(e)
    }
}

/// The exit code of a client error.
pub fn code_of(e: &Error) -> i32 {
    match e {
        Error::InvalidInput { .. } | Error::MissingSetting { .. } | Error::InvalidSetting { .. } => INVALID,
        Error::RateLimited { .. } => RATE_LIMITED,
        Error::Transport(_) | Error::Deadline { .. } | Error::SharedState { .. } => NETWORK,
        Error::TokenUnavailable { retryable: true, .. } => NETWORK,
        _ => REFUSED,
    }
}

/// The error in one line, with Zoom's field errors after it.
pub fn describe(e: &Error) -> String {
    let mut text = e.to_string();
    if let Error::Zoom { field_errors, .. } = e {
        for f in field_errors {
            text.push_str(&format!("\n  {}: {}", f.field, f.message));
        }
    }
    text
}

impl Failure {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    /// Prints the failure on stderr; returns the exit code.
    pub fn report(self) -> i32 {
        match self {
            Self::Usage(message) => {
                eprintln!("error: {message}");
                INVALID
            }
            Self::Zoom(e) => {
                eprintln!("error: {}", describe(&e));
                code_of(&e)
            }
            Self::Some(code) => code,
        }
    }
}

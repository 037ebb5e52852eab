//! The user name and password for the engine's SSO, and where they may come from.
//!
//! The password is never taken from the command line (other users see it in `ps`, shells
//! keep it in history): it comes from `OVIRT_PASSWORD`, a file, or a prompt without echo.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use crate::live::error::LiveError;

/// The password. It has no `Display`, and its `Debug` prints `***`, so it cannot end up in
/// an error message or a log line by accident.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(secret: impl Into<String>) -> Password {
        Password(secret.into())
    }

    /// The secret itself, for the token request and for scrubbing engine messages.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A user (`admin@internal`, `jane@example.com`) and their password.
#[derive(Clone)]
pub struct Credentials {
    pub user: String,
    pub password: Password,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish()
    }
}

impl Credentials {
    pub fn new(user: impl Into<String>, password: Password) -> Credentials {
        Credentials {
            user: user.into(),
            password,
        }
    }

    /// Gathers credentials the way every command with `--engine` does: the user from
    /// `user` (`--user`) or `OVIRT_USERNAME`; the password from `password_file`, else
    /// `OVIRT_PASSWORD`, else a prompt when stdin and stderr are a terminal.
    pub fn resolve(
        user: Option<&str>,
        password_file: Option<&Path>,
    ) -> Result<Credentials, LiveError> {
        Credentials::resolve_with(user, password_file, |name| std::env::var(name).ok(), prompt)
    }

    /// [`Credentials::resolve`] with the environment and the prompt passed in, for tests.
    pub fn resolve_with(
        user: Option<&str>,
        password_file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        prompt: impl FnOnce(&str) -> Option<String>,
    ) -> Result<Credentials, LiveError> {
        let user = match user {
            Some(user) => user.to_string(),
            None => env("OVIRT_USERNAME")
                .filter(|user| !user.is_empty())
                .ok_or(LiveError::MissingUser)?,
        };
        let password = if let Some(path) = password_file {
            read_password_file(path)?
        } else if let Some(secret) = env("OVIRT_PASSWORD").filter(|s| !s.is_empty()) {
            secret
        } else {
            prompt(&format!("password for {user}: ")).ok_or(LiveError::MissingPassword)?
        };
        Ok(Credentials::new(user, Password::new(password)))
    }
}

/// The first line of the file, without its line ending: `echo secret > file` writes one.
fn read_password_file(path: &Path) -> Result<String, LiveError> {
    let text = std::fs::read_to_string(path).map_err(|e| LiveError::PasswordFile {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let secret = text.lines().next().unwrap_or("").to_string();
    if secret.is_empty() {
        return Err(LiveError::PasswordFile {
            path: path.to_path_buf(),
            detail: "the file is empty".to_string(),
        });
    }
    Ok(secret)
}

/// Asks on the terminal without echo; `None` when there is no terminal to ask on (CI).
fn prompt(question: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    rpassword::prompt_password(question)
        .ok()
        .filter(|secret| !secret.is_empty())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Credentials, Password};
    use crate::live::error::LiveError;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let credentials = Credentials::new("admin@internal", Password::new("hunter2-secret"));
        let shown = format!("{credentials:?} {:?}", credentials.password);
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("admin@internal"), "{shown}");
    }

    #[test]
    fn user_flag_wins_and_password_comes_from_the_environment() {
        let vars = [
            ("OVIRT_USERNAME", "env@internal"),
            ("OVIRT_PASSWORD", "s3cret"),
        ];
        let credentials =
            Credentials::resolve_with(Some("flag@internal"), None, env(&vars), |_| None).unwrap();
        assert_eq!(credentials.user, "flag@internal");
        assert_eq!(credentials.password.expose(), "s3cret");
        let credentials = Credentials::resolve_with(None, None, env(&vars), |_| None).unwrap();
        assert_eq!(credentials.user, "env@internal");
    }

    #[test]
    fn password_file_is_read_without_its_newline() {
        let dir = std::env::temp_dir().join(format!("stretchdr-pw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("password");
        std::fs::write(&file, "from-file\n").unwrap();
        let vars = [("OVIRT_PASSWORD", "from-env")];
        let credentials =
            Credentials::resolve_with(Some("u"), Some(&file), env(&vars), |_| None).unwrap();
        assert_eq!(credentials.password.expose(), "from-file");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_pieces_are_named() {
        let none = [];
        assert!(matches!(
            Credentials::resolve_with(None, None, env(&none), |_| None),
            Err(LiveError::MissingUser)
        ));
        assert!(matches!(
            Credentials::resolve_with(Some("u"), None, env(&none), |_| None),
            Err(LiveError::MissingPassword)
        ));
        let prompted =
            Credentials::resolve_with(Some("u"), None, env(&none), |_| Some("typed".into()))
                .unwrap();
        assert_eq!(prompted.password.expose(), "typed");
        let missing = Path::new("/nonexistent/stretchdr/password");
        assert!(matches!(
            Credentials::resolve_with(Some("u"), Some(missing), env(&none), |_| None),
            Err(LiveError::PasswordFile { .. })
        ));
    }
}

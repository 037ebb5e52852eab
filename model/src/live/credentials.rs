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

/// Every secret of a connection (the password, the bearer tokens the SSO issued), for
/// scrubbing text before it is shown. Each secret is hidden in every form it can come back
/// in: as sent in the token form (`+` and `%XX`, either case), percent-encoded, JSON- and
/// HTML-escaped, and with its runs of white space collapsed (as a message may be).
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// The forms to replace, longest first so that no form leaves part of a longer one.
    forms: Vec<String>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} forms)", self.forms.len())
    }
}

impl Secrets {
    /// The secrets of `password` alone.
    pub(crate) fn of(password: &Password) -> Secrets {
        let mut secrets = Secrets::default();
        secrets.add(password.expose());
        secrets
    }

    /// Adds a secret (a token) and its encodings.
    pub(crate) fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let collapsed = secret.split_whitespace().collect::<Vec<_>>().join(" ");
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json)
            .to_string();
        let html = secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;");
        let mut forms = vec![secret.to_string(), collapsed, json, html];
        for upper in [true, false] {
            forms.push(percent_encode(secret, true, upper));
            forms.push(percent_encode(secret, false, upper));
        }
        for form in forms {
            if !form.trim().is_empty() && !self.forms.contains(&form) {
                self.forms.push(form);
            }
        }
        self.forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    }

    /// `text` with every form of every secret replaced by `***`. Run on whole texts,
    /// before any shortening, so a secret cut in two by a truncation is still found.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), "***");
            }
        }
        out
    }
}

/// `text` percent-encoded as a form (`+` for a space) or a URL (`%20`), hex in either case;
/// unreserved characters (RFC 3986 section 2.3) stay as they are.
fn percent_encode(text: &str, form: bool, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ if upper => out.push_str(&format!("%{byte:02X}")),
            _ => out.push_str(&format!("%{byte:02x}")),
        }
    }
    out
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

    use super::{Credentials, Password, Secrets};
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
    fn every_encoding_of_a_secret_is_scrubbed() {
        let secrets = Secrets::of(&Password::new("Zebra  7731 &=%+secret"));
        for echoed in [
            "password=Zebra  7731 &=%+secret&x",
            "password=Zebra++7731+%26%3D%25%2Bsecret",
            "password=Zebra%20%207731%20%26%3d%25%2bsecret",
            r#"{"password":"Zebra  7731 &=%+secret"}"#,
            "<p>Zebra  7731 &amp;=%+secret</p>",
            "said Zebra 7731 &=%+secret",
        ] {
            let scrubbed = secrets.scrub(echoed);
            assert!(!scrubbed.contains("7731"), "{echoed} -> {scrubbed}");
        }
        let mut with_token = Secrets::default();
        with_token.add("token-abc123");
        assert_eq!(with_token.scrub("Bearer token-abc123"), "Bearer ***");
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

//! The engine's address, normalised from whatever form the user pasted.

use reqwest::Url;

use crate::live::error::LiveError;

/// Where the engine's web application lives: `https://host[:port]/ovirt-engine` (or another
/// prefix when a proxy publishes it elsewhere), without a trailing slash.
///
/// Users copy the address from a browser, the SDK docs or an Ansible inventory, so
/// `https://host`, `https://host/ovirt-engine` and `https://host/ovirt-engine/api` all name
/// the same engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineUrl {
    base: String,
}

impl EngineUrl {
    /// Parses and normalises an engine address; only `https` is accepted because the
    /// password and the token travel in every request.
    pub fn parse(text: &str) -> Result<EngineUrl, LiveError> {
        let invalid = |reason: &str| LiveError::InvalidEngineUrl {
            url: without_userinfo(text),
            reason: reason.to_string(),
        };
        let url = Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
        if url.scheme() != "https" {
            return Err(invalid(
                "the engine must be reached over https (the password and token would travel in clear)",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "credentials do not belong in the URL: use --user and OVIRT_PASSWORD, --password-file or the prompt",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("the engine URL takes no query or fragment"));
        }
        let host = url.host_str().ok_or_else(|| invalid("no host name"))?;
        let mut path = url.path().trim_end_matches('/').to_string();
        if let Some(prefix) = path.strip_suffix("/api") {
            path = prefix.to_string();
        }
        if path.is_empty() {
            path = "/ovirt-engine".to_string();
        }
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(EngineUrl {
            base: format!("https://{authority}{path}"),
        })
    }

    /// `https://host/ovirt-engine`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of an API path: `""` is the API root, `"vms"` the VM collection.
    pub fn api(&self, path: &str) -> String {
        if path.is_empty() {
            format!("{}/api", self.base)
        } else {
            format!("{}/api/{path}", self.base)
        }
    }

    /// The SSO endpoint that exchanges a user name and password for a bearer token.
    pub fn token_endpoint(&self) -> String {
        format!("{}/sso/oauth/token", self.base)
    }

    /// Where the engine publishes its CA certificate, for the `--ca-file` hint.
    pub fn ca_certificate(&self) -> String {
        format!(
            "{}/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA",
            self.base
        )
    }
}

/// The address with any `user:password@` removed, so an error never repeats a password
/// someone pasted into the URL.
fn without_userinfo(text: &str) -> String {
    let text = text.trim();
    let (scheme, rest) = match text.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), text),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::EngineUrl;

    #[test]
    fn the_three_usual_forms_name_the_same_engine() {
        for text in [
            "https://engine.example.com",
            "https://engine.example.com/",
            "https://engine.example.com/ovirt-engine",
            "https://engine.example.com/ovirt-engine/",
            "https://engine.example.com/ovirt-engine/api",
            "https://engine.example.com/ovirt-engine/api/",
        ] {
            let url = EngineUrl::parse(text).unwrap();
            assert_eq!(
                url.base(),
                "https://engine.example.com/ovirt-engine",
                "{text}"
            );
        }
    }

    #[test]
    fn keeps_the_port_and_a_proxy_prefix() {
        let url = EngineUrl::parse("https://127.0.0.1:8443/rhv/ovirt-engine/api").unwrap();
        assert_eq!(
            url.api("vms"),
            "https://127.0.0.1:8443/rhv/ovirt-engine/api/vms"
        );
        assert_eq!(
            url.token_endpoint(),
            "https://127.0.0.1:8443/rhv/ovirt-engine/sso/oauth/token"
        );
        assert_eq!(url.api(""), "https://127.0.0.1:8443/rhv/ovirt-engine/api");
    }

    #[test]
    fn refuses_plain_http_and_credentials_in_the_url() {
        assert!(EngineUrl::parse("http://engine.example.com").is_err());
        let err = EngineUrl::parse("https://admin:secret@engine.example.com").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(EngineUrl::parse("engine.example.com").is_err());
    }
}

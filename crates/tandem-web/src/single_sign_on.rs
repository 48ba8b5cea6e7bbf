//! Staff single sign-on through the council's OpenID Connect provider (Microsoft Entra ID or
//! another): its settings, and the provider's metadata and keys, found by discovery when first
//! needed and kept for an hour, so that a provider's rotated signing keys are picked up.
//! The pages are `pages::single_sign_on`; the account decision is `tandem_app::accounts`.

use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, ClientId, ClientSecret, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl, StandardErrorResponse,
    StandardTokenResponse, reqwest,
};
use serde::{Deserialize, Serialize};
use tandem_app::accounts::ProviderRole;
use tandem_core::Role;
use tokio::sync::Mutex;

use crate::error::error_chain;

/// The path the provider sends people back to; register `{TANDEM_PUBLIC_URL}` followed by it as
/// the application's redirect URI.
pub const CALLBACK_PATH: &str = "/sign-in/oidc/callback";

/// How long discovered metadata and signing keys are used before they are fetched again.
const METADATA_LASTS: Duration = Duration::from_secs(60 * 60);

/// How long a call to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings for signing staff in through an OpenID Connect provider (`TANDEM_OIDC_*`).
#[derive(Clone)]
pub struct SingleSignOn {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    /// Whose addresses may sign in this way.
    pub email_domains: EmailDomains,
    /// The ID token claim listing the person's groups (`groups` unless set).
    pub groups_claim: String,
    /// Group → role, in order: the first of the person's groups listed gives the role. Empty:
    /// accounts keep their roles and groups are not read.
    pub group_roles: Vec<(String, Role)>,
}

impl SingleSignOn {
    /// The issuer's origin (`https://login.microsoftonline.com`), where the sign-in page's form
    /// sends the browser on: the content security policy's `form-action` must name it, or the
    /// browser refuses to follow the redirect. Providers put their authorisation endpoint on
    /// the issuer's host (Entra ID does).
    pub(crate) fn origin(&self) -> String {
        self.issuer.url().origin().ascii_serialization()
    }
}

impl std::fmt::Debug for SingleSignOn {
    // The client secret is left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleSignOn")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id.as_str())
            .field("redirect", &self.redirect.as_str())
            .field("email_domains", &self.email_domains)
            .field("groups_claim", &self.groups_claim)
            .field("group_roles", &self.group_roles)
            .finish_non_exhaustive()
    }
}

impl SingleSignOn {
    /// Settings for the provider at `issuer` (its discovery document is
    /// `{issuer}/.well-known/openid-configuration`), the application registered there as
    /// `client_id` with `client_secret`, and Tandem reached at `public_url`. Groups are not
    /// read until [`SingleSignOn::with_group_roles`].
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        public_url: &str,
        email_domains: EmailDomains,
    ) -> Result<Self, String> {
        let issuer = IssuerUrl::new(issuer.trim().to_owned())
            .map_err(|e| format!("the issuer URL is not a URL: {e}"))?;
        let callback = format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'));
        let redirect =
            RedirectUrl::new(callback).map_err(|e| format!("the public URL is not a URL: {e}"))?;
        if client_id.trim().is_empty() || client_secret.is_empty() {
            return Err("the client id and client secret are both needed".to_owned());
        }
        Ok(Self {
            issuer,
            client_id: ClientId::new(client_id.trim().to_owned()),
            client_secret: ClientSecret::new(client_secret.to_owned()),
            redirect,
            email_domains,
            groups_claim: "groups".to_owned(),
            group_roles: Vec::new(),
        })
    }

    /// The same settings, giving roles by group from the claim `claim`.
    pub fn with_group_roles(mut self, claim: &str, group_roles: Vec<(String, Role)>) -> Self {
        self.groups_claim = claim.to_owned();
        self.group_roles = group_roles;
        self
    }

    /// The redirect URI to register with the provider.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    /// What the person's groups (the configured claim of their ID token) say about their role.
    pub(crate) fn role_from(&self, claims: &OtherClaims) -> ProviderRole {
        if self.group_roles.is_empty() {
            return ProviderRole::Unmapped;
        }
        let groups: Vec<&str> = match claims.claims.get(&self.groups_claim) {
            Some(serde_json::Value::Array(values)) => {
                values.iter().filter_map(|v| v.as_str()).collect()
            }
            Some(serde_json::Value::String(one)) => vec![one.as_str()],
            _ => Vec::new(),
        };
        self.group_roles
            .iter()
            .find(|(group, _)| groups.contains(&group.as_str()))
            .map_or(ProviderRole::NoGroup, |(_, role)| {
                ProviderRole::Mapped(*role)
            })
    }
}

/// `TANDEM_OIDC_GROUP_ROLES`: `GROUP=ROLE` pairs separated by commas, such as
/// `5f1c…=case_manager,9a2e…=team_manager`, for staff roles only (external accounts never sign
/// in this way).
pub fn parse_group_roles(text: &str) -> Result<Vec<(String, Role)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (group, role) = pair
                .rsplit_once('=')
                .ok_or_else(|| format!("{pair:?} is not GROUP=ROLE"))?;
            let role = Role::parse(role.trim())
                .filter(|role| !role.is_external())
                .ok_or_else(|| {
                    format!(
                        "{:?} is not a staff role (case_manager, team_manager, head_of_service, \
                         qa_auditor, analyst or admin)",
                        role.trim()
                    )
                })?;
            Ok((group.trim().to_owned(), role))
        })
        .collect()
}

/// Whose addresses may sign in through the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailDomains {
    /// Every address the provider has verified (`*`).
    Any,
    /// Addresses at these domains, lower-cased.
    Only(Vec<String>),
}

impl EmailDomains {
    /// `TANDEM_OIDC_EMAIL_DOMAINS`: `*`, or domains separated by commas
    /// (`council.example,nhs.example`).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim() == "*" {
            return Ok(Self::Any);
        }
        let domains: Vec<String> = text
            .split(',')
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if domains.is_empty() || domains.iter().any(|d| d.contains(['@', '*', ' '])) {
            return Err("expected * or domains separated by commas".to_owned());
        }
        Ok(Self::Only(domains))
    }

    /// Whether `email` is at one of the domains.
    pub fn allow(&self, email: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Only(domains) => email
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domains.contains(&domain.to_lowercase())),
        }
    }
}

/// The claims of an ID token beyond the standard ones; the groups claim is read from them.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

impl OtherClaims {
    /// Entra ID's `xms_edov` ("email domain owner verified"): the address is at a domain the
    /// tenant has proved it owns. Entra ID sends it, when asked, instead of `email_verified`.
    pub(crate) fn domain_owner_verified(&self) -> bool {
        self.claims.get("xms_edov") == Some(&serde_json::Value::Bool(true))
    }
}

type IdTokenFields = openidconnect::IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The token endpoint's answer, with the ID token's other claims kept.
pub(crate) type TokenResponse = StandardTokenResponse<IdTokenFields, CoreTokenType>;

/// A client of the provider, as discovery makes it.
pub(crate) type OidcClient = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider as this server knows it: the settings, and what discovery found.
pub(crate) struct Provider {
    pub settings: SingleSignOn,
    discovered: Mutex<Option<(Instant, OidcClient, reqwest::Client)>>,
}

impl Provider {
    pub fn new(settings: SingleSignOn) -> Self {
        Self {
            settings,
            discovered: Mutex::new(None),
        }
    }

    /// The client, and the HTTP client to call the provider with: from discovery made in the
    /// last hour, or discovered now. An error says what failed, for the log (no personal data).
    pub async fn client(&self) -> Result<(OidcClient, reqwest::Client), String> {
        let mut discovered = self.discovered.lock().await;
        if let Some((at, client, http)) = discovered.as_ref()
            && at.elapsed() < METADATA_LASTS
        {
            return Ok((client.clone(), http.clone()));
        }
        let http = reqwest::Client::builder()
            // Following redirects would let the provider's answers send Tandem elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        let metadata = CoreProviderMetadata::discover_async(self.settings.issuer.clone(), &http)
            .await
            .map_err(|e| {
                format!(
                    "discovery at {}/.well-known/openid-configuration failed: {}",
                    self.settings.issuer.as_str().trim_end_matches('/'),
                    error_chain(&e)
                )
            })?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            self.settings.client_id.clone(),
            Some(self.settings.client_secret.clone()),
        )
        .set_redirect_uri(self.settings.redirect.clone());
        *discovered = Some((Instant::now(), client.clone(), http.clone()));
        Ok((client, http))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_compared_without_regard_to_case() {
        let domains = EmailDomains::parse("Council.Example, @nhs.example").unwrap();
        assert!(domains.allow("Someone@COUNCIL.example"));
        assert!(domains.allow("a@nhs.example"));
        assert!(!domains.allow("a@evil-council.example"));
        assert!(!domains.allow("council.example"));
        assert!(
            EmailDomains::parse("*")
                .unwrap()
                .allow("a@anywhere.example")
        );
        assert!(EmailDomains::parse(" , ").is_err());
    }

    #[test]
    fn group_roles_are_staff_roles_only() {
        assert_eq!(
            parse_group_roles("g-1=case_manager, g-2 = team_manager").unwrap(),
            vec![
                ("g-1".to_owned(), Role::CaseManager),
                ("g-2".to_owned(), Role::TeamManager)
            ]
        );
        assert!(parse_group_roles("g-1=parent").is_err());
        assert!(parse_group_roles("g-1").is_err());
    }

    #[test]
    fn the_first_listed_group_gives_the_role() {
        let settings = SingleSignOn::new(
            "https://login.example/tenant/v2.0",
            "tandem",
            "secret",
            "https://tandem.example/",
            EmailDomains::Any,
        )
        .unwrap();
        assert_eq!(
            settings.redirect_uri(),
            "https://tandem.example/sign-in/oidc/callback"
        );
        let claims = |json: serde_json::Value| OtherClaims {
            claims: json.as_object().unwrap().clone(),
        };
        let groups = claims(serde_json::json!({ "groups": ["b", "a"] }));
        assert_eq!(settings.role_from(&groups), ProviderRole::Unmapped);
        let settings = settings.with_group_roles(
            "groups",
            vec![
                ("a".to_owned(), Role::TeamManager),
                ("b".to_owned(), Role::CaseManager),
            ],
        );
        assert_eq!(
            settings.role_from(&groups),
            ProviderRole::Mapped(Role::TeamManager)
        );
        assert_eq!(
            settings.role_from(&claims(serde_json::json!({ "groups": ["c"] }))),
            ProviderRole::NoGroup
        );
        assert_eq!(
            settings.role_from(&claims(serde_json::json!({}))),
            ProviderRole::NoGroup
        );
    }
}

//! Tenants: secret tokens, the domain allow-list, and the read-only
//! statistics a host product shows.

use base64::Engine;
use rand::RngCore;
use scimhub_schema::datetime::DateTime;
use scimhub_store::{Expr, Store, Tenant, TenantId, TokenHash};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Result, ScimError};
use crate::licence;

/// The prefix of every token, so secret scanners can recognise one.
pub const TOKEN_PREFIX: &str = "scimhub_";

/// A new secret token: 256 random bits from a CSPRNG seeded by the operating system,
/// URL-safe base64, with [`TOKEN_PREFIX`]. Show it once; store only its
/// [`hash_token`].
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    // ThreadRng is a CSPRNG (ChaCha) seeded from the operating system.
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The SHA-256 of a token. Tokens carry 256 random bits, so a fast hash
/// is enough: there is nothing to brute-force.
pub fn hash_token(token: &str) -> TokenHash {
    TokenHash(Sha256::digest(token.as_bytes()).into())
}

/// Whether `token` opens `tenant` at `now`, compared in constant time.
pub fn token_matches(tenant: &Tenant, token: &str, now: DateTime) -> bool {
    hash_matches(tenant, &hash_token(token), now)
}

/// [`token_matches`] for a token already hashed with [`hash_token`] (to
/// look its tenant up, say).
pub fn hash_matches(tenant: &Tenant, h: &TokenHash, now: DateTime) -> bool {
    let current: bool = h.0.ct_eq(&tenant.token.0).into();
    let previous = tenant
        .previous_token
        .is_some_and(|(p, until)| bool::from(h.0.ct_eq(&p.0)) && now < until);
    current || previous
}

/// Checks a tenant's allow-list: every domain of `userName` and the emails
/// must be allowed. An empty list allows everything. A domain is allowed
/// when it equals a listed domain or is a subdomain of one, ignoring case.
pub fn check_domains<'a>(
    allowed: &[String],
    addresses: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<()> {
    if allowed.is_empty() {
        return Ok(());
    }
    for (attribute, address) in addresses {
        let domain = address.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
        if domain.is_empty() {
            tracing::info!(attribute, "refused an address without a domain");
            return Err(ScimError::invalid_value(format!(
                "{attribute} \"{address}\" has no domain; this tenant accepts only users from: {}",
                allowed.join(", ")
            )));
        }
        let ok = allowed.iter().any(|a| {
            let a = a.trim().trim_start_matches('@').trim_start_matches("*.");
            domain.eq_ignore_ascii_case(a)
                || domain
                    .len()
                    .checked_sub(a.len() + 1)
                    .and_then(|cut| domain.get(cut..))
                    .is_some_and(|tail| {
                        tail.starts_with('.')
                            && tail.get(1..).is_some_and(|t| t.eq_ignore_ascii_case(a))
                    })
        });
        if !ok {
            tracing::info!(
                attribute,
                domain,
                "refused an address outside the tenant's allowed domains"
            );
            return Err(ScimError::invalid_value(format!(
                "the domain '{domain}' of {attribute} \"{address}\" is not authorised for this tenant (allowed: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// A tenant's statistics, as `scimhub stats --json` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantStats {
    /// The tenant's name.
    pub tenant: String,
    /// Users.
    pub users: u64,
    /// Users with `active` true.
    pub active_users: u64,
    /// Users holding a licence (member of a group whose licence is true).
    pub licensed_users: u64,
    /// Groups.
    pub groups: u64,
    /// When the identity provider last called, as an `xsd:dateTime`.
    pub last_request_at: Option<String>,
}

/// Computes a tenant's statistics.
pub async fn stats(store: &dyn Store, tenant: &Tenant) -> Result<TenantStats> {
    let registry = scimhub_schema::Registry::standard();
    let users_rt = registry
        .resource_type("User")
        .ok_or_else(ScimError::internal)?;
    let active = scimhub_filter::bind(&scimhub_filter::parse_filter("active eq true")?, users_rt)?;
    let id: &TenantId = &tenant.id;
    Ok(TenantStats {
        tenant: id.to_string(),
        users: store.count(id, "User", None).await?,
        active_users: store.count(id, "User", Some(&Expr::Filter(active))).await?,
        licensed_users: store
            .count(id, "User", Some(&licence::licensed_expr(&registry)?))
            .await?,
        groups: store.count(id, "Group", None).await?,
        last_request_at: tenant.last_request_at.map(|t| t.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = generate_token();
        let b = generate_token();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn domains_allow_exact_and_subdomains() {
        let allowed = vec!["example.com".to_owned(), "Contoso.org".to_owned()];
        let check = |addr: &str| check_domains(&allowed, [("userName", addr)]);
        assert!(check("a@example.com").is_ok());
        assert!(check("a@EXAMPLE.com").is_ok());
        assert!(check("a@eu.example.com").is_ok());
        assert!(check("a@contoso.org").is_ok());
        let e = check("a@evil.com").unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.detail.contains("'evil.com'"), "{}", e.detail);
        assert!(check("a@notexample.com").is_err());
        assert!(check("a@example.com.evil.com").is_err());
        assert!(check("no-domain").is_err());
        assert!(check_domains(&[], [("userName", "x")]).is_ok());
    }
}

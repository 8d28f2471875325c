//! Finding the cloudId of a site: configured, from the site's tenant_info, or from the token's
//! accessible resources (matching the configured site, never "the first one").

use super::{Auth, AuthError};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum CloudIdError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the credential can reach several sites ({0}); set ATLASSIAN_SITE_URL or ATLASSIAN_CLOUD_ID to choose one")]
    Ambiguous(String),
    #[error("the credential cannot reach {site} (it can reach: {reachable}); check the site URL or grant the service account access")]
    NotReachable { site: String, reachable: String },
    #[error("cannot find the cloudId: {0}; set ATLASSIAN_CLOUD_ID")]
    Failed(String),
}

#[derive(Deserialize)]
struct TenantInfo {
    #[serde(rename = "cloudId")]
    cloud_id: String,
}

#[derive(Deserialize)]
struct Resource {
    id: String,
    #[serde(default)]
    url: String,
}

fn same_site(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_ascii_lowercase();
    norm(a) == norm(b)
}

/// Resolves the cloudId: `configured`, else `{site}/_edge/tenant_info` (best effort), else
/// `{api_base}/oauth/token/accessible-resources` with the credential.
pub async fn resolve(
    http: &reqwest::Client,
    auth: &Auth,
    configured: Option<&str>,
    site: Option<&str>,
    api_base: &str,
) -> Result<String, CloudIdError> {
    if let Some(id) = configured.filter(|s| !s.trim().is_empty()) {
        return Ok(id.trim().to_string());
    }
    if let Some(site) = site {
        let url = format!("{}/_edge/tenant_info", site.trim_end_matches('/'));
        match http.get(&url).send().await {
            Ok(r) if r.status().is_success() => match r.json::<TenantInfo>().await {
                Ok(t) if !t.cloud_id.is_empty() => {
                    tracing::info!(cloud_id = %t.cloud_id, "cloudId from tenant_info");
                    return Ok(t.cloud_id);
                }
                _ => tracing::debug!("tenant_info answered without a cloudId"),
            },
            Ok(r) => tracing::debug!(status = r.status().as_u16(), "tenant_info not available"),
            Err(_) => tracing::debug!("tenant_info unreachable"),
        }
    }
    let header = auth.header().await?;
    let url = format!(
        "{}/oauth/token/accessible-resources",
        api_base.trim_end_matches('/')
    );
    let r = http
        .get(&url)
        .header(reqwest::header::AUTHORIZATION, header)
        .send()
        .await
        .map_err(|e| {
            CloudIdError::Failed(format!(
                "accessible-resources: {}",
                super::token::describe_reqwest(&e)
            ))
        })?;
    if !r.status().is_success() {
        return Err(CloudIdError::Failed(format!(
            "accessible-resources answered HTTP {}",
            r.status().as_u16()
        )));
    }
    let resources: Vec<Resource> = r.json().await.map_err(|_| {
        CloudIdError::Failed("accessible-resources answered unexpected JSON".into())
    })?;
    let listed = resources
        .iter()
        .map(|r| r.url.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let chosen = match site {
        Some(site) => resources
            .iter()
            .find(|r| same_site(&r.url, site))
            .ok_or_else(|| CloudIdError::NotReachable {
                site: site.to_string(),
                reachable: if listed.is_empty() {
                    "none".into()
                } else {
                    listed.clone()
                },
            })?,
        None => match resources.as_slice() {
            [only] => only,
            [] => {
                return Err(CloudIdError::Failed(
                    "the credential can reach no site".into(),
                ))
            }
            _ => return Err(CloudIdError::Ambiguous(listed)),
        },
    };
    tracing::info!(cloud_id = %chosen.id, site = %chosen.url, "cloudId from accessible-resources");
    Ok(chosen.id.clone())
}

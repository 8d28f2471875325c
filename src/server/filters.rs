//! Runtime tool filters, applied to listing and calling alike: read-only mode, enabled/disabled
//! names or toolset tags, and granted OAuth scopes.

use crate::registry::ToolDef;
use std::collections::BTreeSet;

/// The filters in force.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub read_only: bool,
    /// Tool names or toolset tags; empty = all.
    pub enabled: Vec<String>,
    pub disabled: Vec<String>,
    /// Scopes the credential has, when known.
    pub granted_scopes: Option<BTreeSet<String>>,
}

fn list(v: Option<String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// `true`, `1`, `yes`, `on` (any case) are true.
pub fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on"
        )
    })
}

/// Parses a space- or comma-separated scope list.
pub fn parse_scopes(s: &str) -> BTreeSet<String> {
    s.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

impl Filters {
    /// From `READ_ONLY_MODE`, `ENABLED_TOOLS`, `DISABLED_TOOLS` and `ATLASSIAN_OAUTH_SCOPE`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        Filters {
            read_only: truthy(get("READ_ONLY_MODE").as_deref()),
            enabled: list(get("ENABLED_TOOLS")),
            disabled: list(get("DISABLED_TOOLS")),
            granted_scopes: get("ATLASSIAN_OAUTH_SCOPE")
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_scopes(&s)),
        }
    }

    /// Why `tool` is not available, or `Ok` when it is.
    pub fn check(&self, tool: &ToolDef) -> Result<(), String> {
        let names = |list: &[String]| {
            list.iter()
                .any(|e| e == tool.name || tool.toolsets.contains(&e.as_str()))
        };
        if self.read_only && !tool.annotations.read_only {
            return Err(format!(
                "`{}` changes data and the server runs in read-only mode (READ_ONLY_MODE)",
                tool.name
            ));
        }
        if !self.enabled.is_empty() && !names(&self.enabled) {
            return Err(format!("`{}` is not in ENABLED_TOOLS", tool.name));
        }
        if names(&self.disabled) {
            return Err(format!("`{}` is disabled by DISABLED_TOOLS", tool.name));
        }
        if let Some(granted) = &self.granted_scopes {
            if !scopes_satisfied(tool, granted) {
                return Err(format!(
                    "`{}` needs OAuth scopes the credential does not have: {}",
                    tool.name,
                    crate::app::required_scopes(tool)
                ));
            }
        }
        Ok(())
    }
}

/// A tool works when all of its classic scopes, or all of its granular scopes, are granted.
/// A tool whose spec names no scopes is assumed to work.
pub fn scopes_satisfied(tool: &ToolDef, granted: &BTreeSet<String>) -> bool {
    let all = |set: &[&str]| !set.is_empty() && set.iter().all(|s| granted.contains(*s));
    (tool.scopes_classic.is_empty() && tool.scopes_granular.is_empty())
        || all(tool.scopes_classic)
        || all(tool.scopes_granular)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::*;

    fn tool(
        name: &'static str,
        read_only: bool,
        classic: &'static [&'static str],
        granular: &'static [&'static str],
    ) -> ToolDef {
        let mut t = test_tool(name);
        t.toolsets = &["jira", "jira_issues"];
        t.annotations.read_only = read_only;
        t.scopes_classic = classic;
        t.scopes_granular = granular;
        t
    }

    fn filters(pairs: &[(&str, &str)]) -> Filters {
        Filters::from_lookup(|k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn read_only_mode_refuses_writes_with_a_reason() {
        let f = filters(&[("READ_ONLY_MODE", "True")]);
        assert!(f.check(&tool("r", true, &[], &[])).is_ok());
        let why = f
            .check(&tool("w", false, &[], &[]))
            .err()
            .unwrap_or_default();
        assert!(why.contains("read-only mode"), "{why}");
    }

    #[test]
    fn enabled_and_disabled_match_names_and_toolsets() {
        let f = filters(&[
            ("ENABLED_TOOLS", "jira_issues, other"),
            ("DISABLED_TOOLS", "b"),
        ]);
        assert!(f.check(&tool("a", true, &[], &[])).is_ok());
        assert!(f.check(&tool("b", true, &[], &[])).is_err());
        let f = filters(&[("ENABLED_TOOLS", "a")]);
        assert!(f.check(&tool("c", true, &[], &[])).is_err());
    }

    #[test]
    fn either_scope_set_is_enough() {
        let f = filters(&[("ATLASSIAN_OAUTH_SCOPE", "read:issue:jira read:user:jira")]);
        assert!(f
            .check(&tool(
                "g",
                true,
                &["read:jira-work"],
                &["read:issue:jira", "read:user:jira"]
            ))
            .is_ok());
        assert!(f
            .check(&tool(
                "h",
                true,
                &["read:jira-work"],
                &["read:issue:jira", "read:avatar:jira"]
            ))
            .is_err());
        assert!(f.check(&tool("none", true, &[], &[])).is_ok());
    }
}

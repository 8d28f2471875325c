//! `specs/manifest.yaml`: which spec file is which, where Atlassian publishes it, and how it is served.

use crate::diag::Diagnostic;
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The product gateway a spec's operations are served under.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    Jira,
    Confluence,
}

/// One spec as the manifest describes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecEntry {
    pub file: String,
    pub url: String,
    pub product: Product,
    /// Prefix that the spec's paths are relative to (Confluence v2: `/wiki/api/v2`).
    #[serde(default)]
    pub path_prefix: String,
}

/// The parsed manifest: spec name -> entry, in file order.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub specs: IndexMap<String, SpecEntry>,
}

impl Manifest {
    /// Parses manifest text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, Diagnostic> {
        serde_saphyr::from_str(text).map_err(|e| {
            let pos = e.location().map(crate::diag::Pos::from_saphyr);
            Diagnostic::at(file, pos, format!("invalid spec manifest: {e}"))
        })
    }

    /// Where the spec file for `name` is expected, given the specs folder.
    pub fn path_of(&self, name: &str, dir: &Path) -> Option<PathBuf> {
        self.specs.get(name).map(|s| dir.join(&s.file))
    }
}

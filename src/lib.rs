//! atlassian-mcp: an MCP server for Jira and Confluence Cloud whose tools are generated at build
//! time from Atlassian's OpenAPI specs and `tools.yaml`, authenticated with OAuth 2.0 client
//! credentials (or API tokens / Data Center PATs).

pub mod app;
pub mod auth;
pub mod config;
pub mod doctor;
#[allow(missing_docs)]
pub mod generated;
pub mod http;
pub mod logging;
pub mod registry;
pub mod server;
pub mod shape;
pub mod upstream;

//! The `atlassian-mcp` command line.

use atlassian_mcp::app::{self, App};
use atlassian_mcp::config::Settings;
use atlassian_mcp::generated::registry::TOOLS;
use atlassian_mcp::http::RetryPolicy;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "atlassian-mcp",
    version,
    about = "MCP server for Jira and Confluence Cloud (OAuth 2.0 client credentials)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the tools this build offers.
    Tools {
        /// Print the JSON array `tools/list` returns.
        #[arg(long)]
        json: bool,
    },
    /// Call one tool and print its result as JSON on stdout.
    Call {
        /// Tool name, e.g. jira_get_issue.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(default_value = "{}")]
        args: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    atlassian_mcp::logging::init();
    let cli = Cli::parse();
    match cli.command {
        Command::Tools { json } => {
            if json {
                let list: Vec<_> = TOOLS.iter().map(|t| {
                    serde_json::json!({"name": t.name, "description": t.description, "inputSchema": app::input_schema(t)})
                }).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                );
            } else {
                for t in TOOLS {
                    let rw = if t.annotations.read_only {
                        "read"
                    } else {
                        "write"
                    };
                    println!("{:<36} {:<6} {:<5} {}", t.name, t.method, rw, t.path);
                }
            }
            ExitCode::SUCCESS
        }
        Command::Call { tool, args } => {
            let Some(def) = atlassian_mcp::registry::find(&tool) else {
                eprintln!("unknown tool `{tool}`; `atlassian-mcp tools` lists them");
                return ExitCode::from(2);
            };
            let args: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(&args)
            {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("arguments must be a JSON object: {e}");
                    return ExitCode::from(2);
                }
            };
            let settings = match Settings::from_env() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            };
            let app = match App::connect(settings, RetryPolicy::default()).await {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            match app.call(def, &args).await {
                Ok(out) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&out.body).unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

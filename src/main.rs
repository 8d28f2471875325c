//! The `atlassian-mcp` command line.

use atlassian_mcp::app::App;
use atlassian_mcp::config::Settings;
use atlassian_mcp::http::RetryPolicy;
use atlassian_mcp::server::audit::Audit;
use atlassian_mcp::server::filters::Filters;
use atlassian_mcp::server::transport::{serve_http, serve_stdio, HttpOptions};
use atlassian_mcp::server::{visible_tools, AtlassianServer};
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "atlassian-mcp",
    version,
    about = "MCP server for Jira and Confluence Cloud (OAuth 2.0 client credentials)"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Transport {
    Stdio,
    Http,
}

#[derive(Parser, Debug)]
struct ServeArgs {
    /// stdio (default) or streamable HTTP.
    #[arg(long, env = "MCP_TRANSPORT", value_enum, default_value = "stdio")]
    transport: Transport,
    /// HTTP: address to bind.
    #[arg(long, env = "MCP_HOST", default_value = "127.0.0.1")]
    host: String,
    /// HTTP: port.
    #[arg(long, env = "MCP_PORT", default_value_t = 8000)]
    port: u16,
    /// HTTP: path of the MCP endpoint.
    #[arg(long, env = "MCP_PATH", default_value = "/mcp")]
    path: String,
    /// HTTP: accepted Host values, comma-separated (default: loopback names and --host).
    #[arg(long, env = "MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// HTTP: accepted Origin values, comma-separated (default: http://localhost:*, http://127.0.0.1:*).
    #[arg(long, env = "MCP_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the MCP server (the default).
    Serve(ServeArgs),
    /// List the tools served under the current filters.
    Tools {
        /// Print the JSON array `tools/list` returns.
        #[arg(long)]
        json: bool,
    },
    /// Print the least-privilege OAuth scopes for the enabled tools.
    Scopes,
    /// Check configuration, token, cloudId and one read call per product.
    Doctor,
    /// Call one tool and print its result as JSON on stdout.
    Call {
        /// Tool name, e.g. jira_get_issue.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(default_value = "{}")]
        args: String,
    },
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

fn settings_or_exit() -> Result<Settings, ExitCode> {
    Settings::from_env().map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    atlassian_mcp::logging::init();
    let cli = Cli::parse();
    // One thread serves a stdio session (one client) with the least memory; HTTP serves many.
    let http = matches!(&cli.command, Some(Command::Serve(a)) if matches!(a.transport, Transport::Http))
        || (cli.command.is_none()
            && std::env::var("MCP_TRANSPORT").is_ok_and(|t| t.eq_ignore_ascii_case("http")));
    let runtime = if http {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    match runtime {
        Ok(rt) => rt.block_on(run(cli)),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> ExitCode {
    let filters = Filters::from_lookup(env);
    match cli
        .command
        .unwrap_or(Command::Serve(ServeArgs::parse_from(["serve"])))
    {
        Command::Serve(args) => serve(args, filters).await,
        Command::Tools { json } => {
            let tools = visible_tools(&filters);
            if json {
                let list: Vec<_> = tools
                    .iter()
                    .map(|t| atlassian_mcp::server::mcp_tool(t))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).unwrap_or_default()
                );
            } else {
                for t in tools {
                    let rw = if t.annotations.read_only {
                        "read"
                    } else {
                        "write"
                    };
                    let scopes = if t.scopes_classic.is_empty() {
                        t.scopes_granular.join(" ")
                    } else {
                        t.scopes_classic.join(" ")
                    };
                    println!(
                        "{:<32} {:<6} {:<5} {:<52} {}",
                        t.name, t.method, rw, t.path, scopes
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Command::Scopes => {
            let tools = visible_tools(&filters);
            let mut classic = std::collections::BTreeSet::new();
            let mut granular = std::collections::BTreeSet::new();
            for t in &tools {
                classic.extend(t.scopes_classic.iter().copied());
                granular.extend(t.scopes_granular.iter().copied());
            }
            println!("# Least-privilege scopes for {} tools; grant either list to the service-account credential.", tools.len());
            println!(
                "classic:  {}",
                classic.into_iter().collect::<Vec<_>>().join(" ")
            );
            println!(
                "granular: {}",
                granular.into_iter().collect::<Vec<_>>().join(" ")
            );
            let unknown: Vec<_> = tools
                .iter()
                .filter(|t| t.scopes_classic.is_empty() && t.scopes_granular.is_empty())
                .map(|t| t.name)
                .collect();
            if !unknown.is_empty() {
                println!("# the spec names no scopes for: {} (Jira Software: read:board-scope:jira-software, read:sprint:jira-software, …)", unknown.join(", "));
            }
            ExitCode::SUCCESS
        }
        Command::Doctor => match settings_or_exit() {
            Ok(s) => atlassian_mcp::doctor::run(s).await,
            Err(code) => code,
        },
        Command::Call { tool, args } => {
            let Some(def) = atlassian_mcp::registry::find(&tool) else {
                eprintln!("unknown tool `{tool}`; `atlassian-mcp tools` lists them");
                return ExitCode::from(2);
            };
            if let Err(why) = filters.check(def) {
                eprintln!("refused: {why}");
                return ExitCode::from(2);
            }
            let args: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(&args)
            {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("arguments must be a JSON object: {e}");
                    return ExitCode::from(2);
                }
            };
            if let Err(problems) = atlassian_mcp::server::validate::check_tool_arguments(
                def,
                &serde_json::Value::Object(args.clone()),
            ) {
                eprintln!("invalid arguments: {problems}");
                return ExitCode::from(2);
            }
            let settings = match settings_or_exit() {
                Ok(s) => s,
                Err(code) => return code,
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
                    let shaped = atlassian_mcp::shape::response::shape(
                        def,
                        out.status,
                        out.body,
                        &args,
                        &app.site(),
                    );
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&shaped).unwrap_or_default()
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

async fn serve(args: ServeArgs, filters: Filters) -> ExitCode {
    let settings = match settings_or_exit() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let audit = match Audit::from_env() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cannot open AUDIT_LOG_FILE: {e}");
            return ExitCode::from(2);
        }
    };
    let server = AtlassianServer::new(settings, filters, audit, RetryPolicy::default());
    tracing::info!(
        tools = server.tools().len(),
        "atlassian-mcp {} ready",
        env!("CARGO_PKG_VERSION")
    );
    let result = match args.transport {
        Transport::Stdio => serve_stdio(server).await,
        Transport::Http => {
            let opts = HttpOptions {
                host: args.host,
                port: args.port,
                path: args.path,
                allowed_hosts: args.allowed_hosts,
                allowed_origins: args.allowed_origins,
                bearer_token: env("MCP_HTTP_BEARER_TOKEN")
                    .filter(|t| !t.is_empty())
                    .map(atlassian_mcp::auth::Secret::new),
            };
            serve_http(server, opts).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

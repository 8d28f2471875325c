//! Runs the mock Atlassian on a local port until interrupted.
//! Usage: mock-atlassian [--port N] [--log] (credentials: client id `mock-client`, secret `mock-secret`;
//! email `agent@example.com`, API token `mock-api-token`; PAT `mock-pat`).

#[tokio::main]
async fn main() {
    let mut port: u16 = 8081;
    let mut log_requests = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().and_then(|p| p.parse().ok()).unwrap_or(port),
            "--log" => log_requests = true,
            "--help" | "-h" => {
                eprintln!("usage: mock-atlassian [--port N] [--log]");
                return;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let mock = match mock_atlassian::Mock::start_on(
        port,
        mock_atlassian::Config {
            log_requests,
            ..mock_atlassian::Config::default()
        },
    )
    .await
    {
        Ok(m) => m,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "mock Atlassian on {} (cloudId {})",
        mock.url(),
        mock_atlassian::CLOUD_ID
    );
    let _ = tokio::signal::ctrl_c().await;
}

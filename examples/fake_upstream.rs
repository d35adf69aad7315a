//! Run the fake 3Min API MCP upstream of the tests on its own:
//!
//! ```text
//! cargo run --example fake_upstream -- [--port P] [--key K] [--mode legacy|modern|dual] [--json] [--tls DIR]
//! ```
//!
//! Prints `listening on http://127.0.0.1:PORT/api/mcp` (`https://` with `--tls`) on stdout and
//! serves until Ctrl-C.

#[path = "support/flags.rs"]
mod flags;
#[path = "../tests/common/tls.rs"]
mod tls;
#[path = "../tests/common/upstream.rs"]
mod upstream;
use flags::Flags;

use std::io::Write;
use std::path::PathBuf;

use upstream::{FAKE_KEY, Mode, Upstream, UpstreamOptions};

const USAGE: &str = "\
usage: fake_upstream [--port P] [--key K] [--mode legacy|modern|dual] [--json] [--tls DIR]
    --port P   port on 127.0.0.1 (0 = random, the default)
    --key K    the accepted x-api-key (default: the tests' FAKE_KEY)
    --mode M   legacy (default), modern (2026-07-28 only) or dual
    --json     answer with application/json bodies instead of SSE where possible
    --tls DIR  serve TLS (h2 or HTTP/1.1 by ALPN) with a certificate from a CA made for the run,
               \"CN=3minapi Test Inspection CA, O=3minapi tests\", written to DIR/ca.pem: no
               machine trusts it unless given it (--ca-file), like a TLS-inspecting proxy's CA";

/// The CA `--tls` makes, named like the CA of a corporate TLS-inspecting proxy.
const TLS_CA_NAME: &str = "3minapi Test Inspection CA";

fn parse_args() -> Result<UpstreamOptions, String> {
    let mut opts = UpstreamOptions {
        key: FAKE_KEY.to_string(),
        ..UpstreamOptions::default()
    };
    let mut flags = Flags::from_env();
    while let Some(name) = flags.next_flag() {
        match name.as_str() {
            "--port" => {
                let v = flags.value("--port")?;
                opts.port = v.parse().map_err(|_| format!("bad port: {v}"))?;
            }
            "--key" => opts.key = flags.value("--key")?,
            "--mode" => {
                let v = flags.value("--mode")?;
                opts.mode = Mode::parse(&v).ok_or_else(|| format!("bad mode: {v}"))?;
            }
            "--json" => opts.json_response = true,
            "--tls" => {
                let dir = PathBuf::from(flags.value("--tls")?);
                let ca = tls::TestCa::new(TLS_CA_NAME);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                ca.write_pem(&dir, "ca.pem");
                opts.tls = Some(ca.server_config(&[b"h2", b"http/1.1"]));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(opts)
}

#[tokio::main]
async fn main() {
    let opts = match parse_args() {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mode = opts.mode;
    let upstream = Upstream::start(opts).await;
    println!("listening on {}", upstream.url());
    let _ = std::io::stdout().flush();
    eprintln!("mode {mode:?}; Ctrl-C to stop");
    let _ = tokio::signal::ctrl_c().await;
    upstream.stop().await;
}

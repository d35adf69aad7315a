//! A hostile upstream: raw HTTP/1.1 on tokio, no framework, so it can misbehave at the byte level
//! (cut bodies, broken chunking, bare-CR SSE, answers for the wrong id, endless streams…).
//!
//! One request per connection, answered by a script the test gives: [`Reply`] is a list of steps
//! (bytes to write, pauses, a reset, a stream that never ends). Every request is recorded, and so
//! is how each connection ended, so a test can see that a cancelled call closed its stream.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as the hostile upstream read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body as JSON, when it is.
    pub json: Value,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC method of the body, if any.
    pub fn rpc_method(&self) -> &str {
        self.json["method"].as_str().unwrap_or("")
    }

    /// `params.name` of a `tools/call`.
    pub fn tool(&self) -> &str {
        self.json["params"]["name"].as_str().unwrap_or("")
    }

    /// The request's JSON-RPC id as raw JSON text.
    pub fn id(&self) -> String {
        self.json["id"].to_string()
    }
}

/// What the upstream does on a connection after reading the request.
#[derive(Clone)]
pub enum Step {
    Send(Vec<u8>),
    Sleep(Duration),
    /// `total` bytes made of `chunk` repeated (a huge body without holding it).
    Fill {
        chunk: Vec<u8>,
        total: u64,
    },
    /// `chunk` every `every`, until the peer goes away (an endless keep-alive stream).
    Drip {
        chunk: Vec<u8>,
        every: Duration,
    },
    /// Ends the connection with a TCP reset instead of a FIN.
    Reset,
}

pub type Reply = Vec<Step>;

/// How one connection ended, as the upstream saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// All steps were written.
    Done,
    /// A write failed: the peer closed the connection first.
    PeerClosed,
}

type Script = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Hostile {
    pub url: String,
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    ended: Arc<Mutex<Vec<(Request, Ended)>>>,
    task: JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Serves `script` on a new loopback port.
    pub async fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let script: Arc<Script> = Arc::new(script);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let ended = Arc::new(Mutex::new(Vec::new()));
        let (r, e) = (requests.clone(), ended.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (script, r, e) = (script.clone(), r.clone(), e.clone());
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    serve(stream, &*script, &r, &e).await;
                });
            }
        });
        Hostile {
            url: format!("http://127.0.0.1:{port}/api/mcp"),
            port,
            requests,
            ended,
            task,
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The connections that ended, with the request each carried.
    pub fn ended(&self) -> Vec<(Request, Ended)> {
        self.ended.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    script: &Script,
    requests: &Mutex<Vec<Request>>,
    ended: &Mutex<Vec<(Request, Ended)>>,
) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    requests.lock().unwrap().push(request.clone());
    let mut how = Ended::Done;
    for step in script(&request) {
        let written = match step {
            Step::Send(bytes) => stream.write_all(&bytes).await.is_ok(),
            Step::Sleep(d) => {
                tokio::time::sleep(d).await;
                true
            }
            Step::Fill { chunk, total } => fill(&mut stream, &chunk, total).await,
            Step::Drip { chunk, every } => loop {
                if stream.write_all(&chunk).await.is_err() {
                    break false;
                }
                tokio::time::sleep(every).await;
            },
            Step::Reset => {
                #[allow(deprecated)] // blocking on drop is what a reset needs here, briefly
                let _ = stream.set_linger(Some(Duration::ZERO));
                drop(stream);
                ended.lock().unwrap().push((request, Ended::Done));
                return;
            }
        };
        if !written {
            how = Ended::PeerClosed;
            break;
        }
    }
    let _ = stream.shutdown().await;
    ended.lock().unwrap().push((request, how));
}

async fn fill(stream: &mut TcpStream, chunk: &[u8], total: u64) -> bool {
    let block = chunk.repeat((256 * 1024 / chunk.len().max(1)).max(1));
    let mut left = total;
    while left > 0 {
        let n = (block.len() as u64).min(left) as usize;
        if stream.write_all(&block[..n]).await.is_err() {
            return false;
        }
        left -= n as u64;
    }
    true
}

/// Reads one request: head up to the blank line, then a `Content-Length` body.
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let method = lines.next()?.split(' ').next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Some(Request {
        method,
        headers,
        body,
        json,
    })
}

/// An HTTP/1.1 response head (with `connection: close`) and its body.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nconnection: close\r\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A head for a body whose end is the connection's end (no length, not chunked).
pub fn head(status: &str, content_type: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: {content_type}\r\n\r\n")
        .into_bytes()
}

/// A whole JSON answer.
pub fn json_reply(body: &Value) -> Reply {
    vec![Step::Send(response(
        "200 OK",
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    ))]
}

/// The result a well-behaved server gives a `tools/call`: the text `text`.
pub fn tool_result(id: &str, text: &str) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": serde_json::from_str::<Value>(id).unwrap_or(Value::Null),
        "result": {"content": [{"type": "text", "text": text}], "isError": false},
    })
}

/// What a well-behaved server answers: `initialize` (a session when `session` is given),
/// notifications 202, GET 405, DELETE 200, and every other request the text "ok".
pub fn well_behaved(request: &Request, session: Option<&str>) -> Reply {
    match (request.method.as_str(), request.rpc_method()) {
        ("GET", _) => vec![Step::Send(response("405 Method Not Allowed", &[], b""))],
        ("DELETE", _) => vec![Step::Send(response("200 OK", &[], b""))],
        (_, "initialize") => {
            let body = json!({"jsonrpc": "2.0", "id": request.json["id"], "result": {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "hostile", "version": "0"},
            }})
            .to_string();
            let mut headers = vec![("content-type", "application/json")];
            if let Some(s) = session {
                headers.push(("mcp-session-id", s));
            }
            vec![Step::Send(response("200 OK", &headers, body.as_bytes()))]
        }
        _ if request.json.get("id").is_none() => {
            vec![Step::Send(response("202 Accepted", &[], b""))]
        }
        _ => json_reply(&tool_result(&request.id(), "ok")),
    }
}

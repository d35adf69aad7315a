//! A misbehaving upstream (tests/common/hostile.rs) never breaks the bridge: whatever the server
//! does to one call, that call gets exactly one answer with its own id within 15 s, stdout stays
//! JSON-RPC, the next call works, memory stays bounded and the key is echoed nowhere.

mod common;

use common::bridge::{Bridge, assert_no_key, bridge};
use common::hostile::{
    Ended, Hostile, Reply, Request, Step, head, json_reply, response, tool_result, well_behaved,
};
use common::upstream::FAKE_KEY;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const MODERN: &str = "2026-07-28";
/// Every request is answered within this, whatever the upstream does.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
const MIB: u64 = 1024 * 1024;

/// What the upstream does to one call, named for the failure message.
type Misbehaviour = Box<dyn Fn(&Request) -> Reply + Send + Sync>;

fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// A 2026-07-28 `tools/call` of `tool` with id `id`.
fn call(id: &str, tool: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": tool, "arguments": {}, "_meta": meta()}})
}

/// A bridge in front of an upstream that answers `tools/call bad` with `bad` and everything
/// else as a well-behaved server would.
async fn against(bad: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> (Hostile, Bridge) {
    let up = Hostile::start(move |r| {
        if r.tool() == "bad" {
            bad(r)
        } else {
            well_behaved(r, None)
        }
    })
    .await;
    let b = bridge(&up.url, FAKE_KEY).spawn();
    (up, b)
}

/// Sends the bad call and checks the rule; returns its answer.
async fn one_answer(b: &mut Bridge, id: &str) -> Value {
    b.send_json(&call(id, "bad")).await;
    answer_in_time(b, id).await
}

async fn answer_in_time(b: &mut Bridge, id: &str) -> Value {
    let started = Instant::now();
    let answer = tokio::time::timeout(ANSWER_WITHIN, b.answer_to(&json!(id)))
        .await
        .unwrap_or_else(|_| panic!("no answer to {id} within {ANSWER_WITHIN:?}"));
    assert!(started.elapsed() < ANSWER_WITHIN);
    answer
}

/// After a bad call: a normal call still works, nothing more for `id` reached stdout, the key
/// is nowhere, the bridge's peak memory stayed under `rss_limit`.
async fn still_serving(b: &mut Bridge, id: &str, rss_limit: u64) {
    b.send_json(&call("after", "ok")).await;
    let after = answer_in_time(b, "after").await;
    assert_eq!(after["result"]["content"][0]["text"], "ok", "{after}");
    // Whatever else the upstream sent has had time to arrive.
    while let Ok(m) = tokio::time::timeout(Duration::from_millis(300), b.recv()).await {
        b.seen.push(m);
    }
    let extra: Vec<&Value> = b.seen.iter().filter(|m| m["id"] == json!(id)).collect();
    assert!(extra.is_empty(), "more than one answer for {id}: {extra:?}");
    assert_no_key(&b.stderr(), FAKE_KEY, "stderr");
    for m in &b.seen {
        assert_no_key(&m.to_string(), FAKE_KEY, "stdout");
    }
    let rss = peak_rss(b.child.id().unwrap());
    assert!(rss < rss_limit, "peak RSS {} MiB", rss / MIB);
}

fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// The error message of an answer that must be an error.
fn error_of(answer: &Value) -> String {
    answer["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
        .to_owned()
}

/// Misbehaviours that must each end the call with a JSON-RPC error (and nothing else).
#[tokio::test]
async fn broken_answers_become_one_error_each() {
    let at = |r: &Request| r.id();
    let cases: Vec<(&str, Misbehaviour)> = vec![
        (
            "SSE events without data",
            Box::new(|_| {
                let mut b = head("200 OK", "text/event-stream");
                b.extend_from_slice(b"event: message\nid: 1\n\n: comment\n\n");
                vec![Step::Send(b)]
            }),
        ),
        (
            "SSE event cut mid-JSON, then EOF",
            Box::new(move |r| {
                let mut b = head("200 OK", "text/event-stream");
                b.extend_from_slice(
                    format!("data: {{\"jsonrpc\":\"2.0\",\"id\":{},\"res", at(r)).as_bytes(),
                );
                vec![Step::Send(b)]
            }),
        ),
        (
            "truncated JSON",
            Box::new(move |r| {
                let body = format!("{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{{\"con", at(r));
                vec![Step::Send(response(
                    "200 OK",
                    &[("content-type", "application/json")],
                    body.as_bytes(),
                ))]
            }),
        ),
        (
            "HTML with 200",
            Box::new(|_| {
                vec![Step::Send(response(
                    "200 OK",
                    &[("content-type", "text/html")],
                    b"<html><body>Welcome</body></html>",
                ))]
            }),
        ),
        (
            "HTML with 502",
            Box::new(|_| {
                vec![Step::Send(response(
                    "502 Bad Gateway",
                    &[("content-type", "text/html")],
                    b"<html>502 Bad Gateway</html>",
                ))]
            }),
        ),
        (
            "empty 200",
            Box::new(|_| {
                vec![Step::Send(response(
                    "200 OK",
                    &[("content-type", "application/json")],
                    b"",
                ))]
            }),
        ),
        (
            "Content-Length longer than the body",
            Box::new(move |r| {
                let body = tool_result(&at(r), "short").to_string();
                vec![Step::Send(response(
                    "200 OK",
                    &[
                        ("content-type", "application/json"),
                        ("content-length", "100000"),
                    ],
                    body.as_bytes(),
                ))]
            }),
        ),
        (
            "broken chunked encoding",
            Box::new(|_| {
                let mut b = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                b.extend_from_slice(b"zz\r\n{\"jsonrpc\"\r\n0\r\n\r\n");
                vec![Step::Send(b)]
            }),
        ),
        (
            "a batch array answering a single request",
            Box::new(move |r| json_reply(&json!([tool_result(&at(r), "in a batch")]))),
        ),
        (
            "a 10 MB header",
            Box::new(|_| {
                let mut b = b"HTTP/1.1 200 OK\r\nconnection: close\r\nx-huge: ".to_vec();
                b.extend_from_slice(&vec![b'a'; 10_000_000]);
                b.extend_from_slice(b"\r\ncontent-length: 0\r\n\r\n");
                vec![Step::Send(b)]
            }),
        ),
        (
            "a redirect loop",
            Box::new(|_| {
                vec![Step::Send(response(
                    "307 Temporary Redirect",
                    &[("location", "/api/mcp")],
                    b"",
                ))]
            }),
        ),
        (
            "a 401 with a huge body",
            Box::new(|_| {
                let mut b = b"HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n".to_vec();
                b.extend_from_slice(b"no ");
                vec![
                    Step::Send(b),
                    Step::Fill {
                        chunk: b"denied ".to_vec(),
                        total: 200 * MIB,
                    },
                ]
            }),
        ),
        (
            "a reset mid-answer",
            Box::new(move |r| {
                let mut b = head("200 OK", "text/event-stream");
                b.extend_from_slice(
                    format!("data: {{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{{", at(r))
                        .as_bytes(),
                );
                vec![
                    Step::Send(b),
                    Step::Sleep(Duration::from_millis(50)),
                    Step::Reset,
                ]
            }),
        ),
    ];
    for (what, bad) in cases {
        eprintln!("case: {what}");
        let (_up, mut b) = against(bad).await;
        let answer = one_answer(&mut b, "bad-1").await;
        let message = error_of(&answer);
        assert!(!message.is_empty(), "{what}");
        assert_no_key(&answer.to_string(), FAKE_KEY, what);
        still_serving(&mut b, "bad-1", 64 * MIB).await;
        if what == "a 401 with a huge body" {
            assert!(message.contains("refused the MCP key"), "{what}: {message}");
        }
    }
}

/// A server that echoes the key back (an error page showing the request's headers, a result
/// quoting it) never gets it onto the client's screen or into the log: it is masked.
#[tokio::test]
async fn a_key_the_server_echoes_is_masked() {
    let echoes = |r: &Request| -> String {
        let key = r.header("x-api-key").unwrap_or_default();
        format!("your request had x-api-key: {key}")
    };
    let cases: Vec<(&str, Misbehaviour)> = vec![
        (
            "a 502 page showing the headers",
            Box::new(move |r| {
                let page = format!("<html>{}</html>", echoes(r));
                vec![Step::Send(response(
                    "502 Bad Gateway",
                    &[("content-type", "text/html")],
                    page.as_bytes(),
                ))]
            }),
        ),
        (
            "a JSON-RPC error quoting the key",
            Box::new(move |r| {
                let body = json!({"jsonrpc": "2.0", "id": r.json["id"],
                                  "error": {"code": -32000, "message": echoes(r)}});
                vec![Step::Send(response(
                    "400 Bad Request",
                    &[("content-type", "application/json")],
                    body.to_string().as_bytes(),
                ))]
            }),
        ),
        (
            "a big SSE answer quoting the key",
            Box::new(move |r| {
                let text = format!("{}{}", "z".repeat(400_000), echoes(r));
                let mut body = head("200 OK", "text/event-stream");
                body.extend_from_slice(
                    format!("data: {}\n\n", tool_result(&r.id(), &text)).as_bytes(),
                );
                vec![Step::Send(body)]
            }),
        ),
    ];
    for (what, bad) in cases {
        let (_up, mut b) = against(bad).await;
        let answer = one_answer(&mut b, "echo").await;
        let shown = answer.to_string();
        assert_no_key(&shown, FAKE_KEY, what);
        assert!(
            shown.contains("tm_mcp_…"),
            "{what}: the masked key is not there: {shown:.300}"
        );
        still_serving(&mut b, "echo", 64 * MIB).await;
    }
}

/// SSE lines may end in a bare CR (the SSE format allows CR, LF or CRLF).
#[tokio::test]
async fn sse_with_cr_line_ends_is_read() {
    let (_up, mut b) = against(|r| {
        let mut body = head("200 OK", "text/event-stream");
        let answer = tool_result(&r.id(), "over CR").to_string();
        body.extend_from_slice(format!(": hi\rid: 1\rdata: {answer}\r\r").as_bytes());
        // The stream stays open: the answer must be read from the CR line ends alone.
        vec![Step::Send(body), Step::Sleep(Duration::from_secs(30))]
    })
    .await;
    let answer = one_answer(&mut b, "cr").await;
    assert_eq!(
        answer["result"]["content"][0]["text"], "over CR",
        "{answer}"
    );
    still_serving(&mut b, "cr", 64 * MIB).await;
}

/// Invalid UTF-8 in an answer is replaced, as in any message: the client gets valid JSON.
#[tokio::test]
async fn invalid_utf8_in_an_answer_is_replaced() {
    let (_up, mut b) = against(|r| {
        let mut body = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"a",
            r.id()
        )
        .into_bytes();
        body.extend_from_slice(b"\xff\xfeb\"}]}}");
        vec![Step::Send(response(
            "200 OK",
            &[("content-type", "application/json")],
            &body,
        ))]
    })
    .await;
    let answer = one_answer(&mut b, "utf8").await;
    assert_eq!(
        answer["result"]["content"][0]["text"], "a\u{fffd}\u{fffd}b",
        "{answer}"
    );
    still_serving(&mut b, "utf8", 64 * MIB).await;
}

/// A second answer for the same id, later on the same stream, is dropped (both eras).
#[tokio::test]
async fn a_second_answer_for_one_id_is_dropped() {
    let twice = |r: &Request| {
        let mut first = head("200 OK", "text/event-stream");
        first.extend_from_slice(format!("data: {}\n\n", tool_result(&r.id(), "first")).as_bytes());
        let second = format!("data: {}\n\n", tool_result(&r.id(), "second"));
        vec![
            Step::Send(first),
            Step::Sleep(Duration::from_millis(50)),
            Step::Send(second.into_bytes()),
        ]
    };
    let (_up, mut b) = against(twice).await;
    let answer = one_answer(&mut b, "twice").await;
    assert_eq!(answer["result"]["content"][0]["text"], "first");
    still_serving(&mut b, "twice", 64 * MIB).await;
    assert!(b.stderr().contains("answered already"), "{}", b.stderr());

    // The session-based era: the same stream behaviour after initialize.
    let up = Hostile::start(move |r| {
        if r.tool() == "bad" {
            twice(r)
        } else {
            well_behaved(r, Some("s-1"))
        }
    })
    .await;
    let mut b = bridge(&up.url, FAKE_KEY).spawn();
    b.initialize().await;
    let answer = b.call_tool("bad", json!({})).await;
    assert_eq!(answer["result"]["content"][0]["text"], "first");
    let again = b.call_tool("ok", json!({})).await;
    assert_eq!(again["result"]["content"][0]["text"], "ok");
    while let Ok(m) = tokio::time::timeout(Duration::from_millis(300), b.recv()).await {
        assert_ne!(m["result"]["content"][0]["text"], "second", "relayed twice");
    }
    let seen = b.seen.iter().map(Value::to_string).collect::<String>();
    assert!(!seen.contains("second"), "relayed twice: {seen}");
}

/// An answer carrying another in-flight request's id, on this request's stream, is not relayed:
/// the other request gets its own answer, and this one its own.
#[tokio::test]
async fn an_answer_for_another_request_is_not_relayed() {
    let up = Hostile::start(|r| match r.tool() {
        "slow" => {
            let mut steps = vec![Step::Sleep(Duration::from_millis(700))];
            steps.extend(json_reply(&tool_result(&r.id(), "real")));
            steps
        }
        "bad" => {
            let mut body = head("200 OK", "text/event-stream");
            let forged = tool_result("\"slow-1\"", "forged");
            let own = tool_result(&r.id(), "own");
            body.extend_from_slice(format!("data: {forged}\n\ndata: {own}\n\n").as_bytes());
            vec![Step::Send(body)]
        }
        _ => well_behaved(r, None),
    })
    .await;
    let mut b = bridge(&up.url, FAKE_KEY).spawn();
    b.send_json(&call("slow-1", "slow")).await;
    common::wait_until("the slow call reached the upstream", || {
        up.requests().iter().any(|r| r.tool() == "slow")
    })
    .await;
    let own = one_answer(&mut b, "bad-2").await;
    assert_eq!(own["result"]["content"][0]["text"], "own", "{own}");
    let slow = answer_in_time(&mut b, "slow-1").await;
    assert_eq!(slow["result"]["content"][0]["text"], "real", "{slow}");
    still_serving(&mut b, "slow-1", 64 * MIB).await;
    assert!(b.stderr().contains("may not carry"), "{}", b.stderr());
}

/// Answers over 64 MiB are refused whole: not one byte of them reaches stdout, and the bridge
/// never holds more than one limit's worth.
#[tokio::test]
async fn answers_over_the_limit_are_refused_whole() {
    let gib = 1024 * MIB;
    let prefix = |r: &Request| {
        format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"",
            r.id()
        )
    };
    let cases: Vec<(&str, Misbehaviour)> = vec![
        (
            "a declared 1 GiB JSON body",
            Box::new(move |r| {
                let mut h = format!("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {gib}\r\n\r\n").into_bytes();
                h.extend_from_slice(prefix(r).as_bytes());
                vec![
                    Step::Send(h),
                    Step::Fill {
                        chunk: b"x".to_vec(),
                        total: gib,
                    },
                ]
            }),
        ),
        (
            "a 1 GiB JSON body without a length",
            Box::new(move |r| {
                let mut h = head("200 OK", "application/json");
                h.extend_from_slice(prefix(r).as_bytes());
                vec![
                    Step::Send(h),
                    Step::Fill {
                        chunk: b"x".to_vec(),
                        total: gib,
                    },
                ]
            }),
        ),
        (
            "a 1 GiB SSE event",
            Box::new(move |r| {
                let mut h = head("200 OK", "text/event-stream");
                h.extend_from_slice(format!("data: {}", prefix(r)).as_bytes());
                let end = b"\"}]}}\n\n".to_vec();
                vec![
                    Step::Send(h),
                    Step::Fill {
                        chunk: b"y".to_vec(),
                        total: gib,
                    },
                    Step::Send(end),
                ]
            }),
        ),
    ];
    for (what, bad) in cases {
        eprintln!("case: {what}");
        let (_up, mut b) = against(bad).await;
        let answer = one_answer(&mut b, "huge").await;
        let message = error_of(&answer);
        assert!(message.contains("64 MiB"), "{what}: {message}");
        still_serving(&mut b, "huge", 100 * MIB).await;
    }
}

/// A redirect to another origin is never followed: the other origin sees nothing.
#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let other = Hostile::start(|r| well_behaved(r, None)).await;
    let target = other.url.clone();
    let (_up, mut b) = against(move |_| {
        vec![Step::Send(response(
            "307 Temporary Redirect",
            &[("location", target.as_str())],
            b"",
        ))]
    })
    .await;
    let answer = one_answer(&mut b, "away").await;
    assert!(error_of(&answer).contains("another origin"), "{answer}");
    still_serving(&mut b, "away", 64 * MIB).await;
    assert!(
        other.requests().is_empty(),
        "the other origin was contacted"
    );
}

/// A session id with characters a session id may not have does not break the session-based
/// era: one the HTTP parser refuses fails that `initialize` alone; one it lets through is not used.
#[tokio::test]
async fn an_illegal_session_id_is_survived() {
    for (sid, usable) in [(&b"a\x7fb"[..], false), (&b"a\xffb"[..], true)] {
        let up = Hostile::start(move |r| {
            if r.rpc_method() != "initialize" {
                return well_behaved(r, None);
            }
            let body = json!({"jsonrpc": "2.0", "id": r.json["id"], "result": {
                "protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                "serverInfo": {"name": "hostile", "version": "0"}}})
            .to_string();
            let mut bytes = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-type: application/json\r\nmcp-session-id: ".to_vec();
            bytes.extend_from_slice(sid);
            let rest = format!("\r\ncontent-length: {}\r\n\r\n{body}", body.len());
            bytes.extend_from_slice(rest.as_bytes());
            vec![Step::Send(bytes)]
        })
        .await;
        let mut b = bridge(&up.url, FAKE_KEY).spawn();
        let init = b
            .request("initialize", common::bridge::init_params("2025-06-18"))
            .await;
        assert_eq!(init.get("result").is_some(), usable, "{init}");
        if usable {
            b.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
                .await;
            assert!(b.stderr().contains("without a session"), "{}", b.stderr());
        }
        let answer = b.call_tool("ok", json!({})).await;
        assert_eq!(answer["result"]["content"][0]["text"], "ok", "{answer}");
    }
}

/// A call whose answer trickles in at one byte a second holds up no other call; cancelled, its
/// stream is closed.
#[tokio::test]
async fn a_trickling_answer_holds_up_nothing_and_cancelling_closes_it() {
    let up = Hostile::start(|r| match r.tool() {
        "drip" => {
            let h = head("200 OK", "text/event-stream");
            vec![
                Step::Send(h),
                Step::Drip {
                    chunk: b":".to_vec(),
                    every: Duration::from_secs(1),
                },
            ]
        }
        "endless" => vec![
            Step::Send(head("200 OK", "text/event-stream")),
            Step::Drip {
                chunk: b": keep-alive\n\n".to_vec(),
                every: Duration::from_millis(100),
            },
        ],
        _ => well_behaved(r, None),
    })
    .await;
    let mut b = bridge(&up.url, FAKE_KEY).spawn();
    b.send_json(&call("drip-1", "drip")).await;
    b.send_json(&call("endless-1", "endless")).await;
    common::wait_until("both calls reached the upstream", || {
        up.requests().len() >= 2
    })
    .await;
    for i in 0..5 {
        let started = Instant::now();
        let id = format!("quick-{i}");
        b.send_json(&call(&id, "ok")).await;
        let answer = answer_in_time(&mut b, &id).await;
        assert_eq!(answer["result"]["content"][0]["text"], "ok");
        assert!(started.elapsed() < Duration::from_secs(1), "held up");
    }
    for id in ["drip-1", "endless-1"] {
        b.send_json(
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                            "params": {"requestId": id, "_meta": meta()}}),
        )
        .await;
    }
    common::wait_until("both streams closed by the bridge", || {
        up.ended()
            .iter()
            .filter(|(r, how)| matches!(r.tool(), "drip" | "endless") && *how == Ended::PeerClosed)
            .count()
            == 2
    })
    .await;
    still_serving(&mut b, "drip-1", 64 * MIB).await;
    assert!(
        !b.seen.iter().any(|m| m["id"] == "endless-1"),
        "a cancelled call was answered"
    );
}

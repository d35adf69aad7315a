//! The proxy settings of the environment are honoured (corporate networks): requests go through
//! the proxy unless NO_PROXY names the host.

mod common;

use common::bridge::{bridge, init_params};
use common::upstream::{FAKE_KEY, Upstream, UpstreamOptions};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A proxy that records the request line of everything it receives and refuses it with 502.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let record = Arc::clone(&record);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]);
                record
                    .lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or_default().to_owned());
                let _ = s.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn requests_go_through_the_proxy_from_the_environment() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let (proxy, seen) = recording_proxy().await;
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("HTTP_PROXY", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("NO_PROXY", "")
        .spawn();
    let answer = b.request("initialize", init_params("2025-06-18")).await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 502"),
        "{answer}"
    );
    let lines = seen.lock().unwrap().clone();
    assert_eq!(lines, [format!("POST {} HTTP/1.1", up.url())]);
    assert!(up.requests().is_empty(), "the request bypassed the proxy");
}

#[tokio::test]
async fn no_proxy_sends_the_host_direct() {
    let up = Upstream::start(UpstreamOptions::default()).await;
    let (proxy, seen) = recording_proxy().await;
    let mut b = bridge(&up.url(), FAKE_KEY)
        .env("HTTP_PROXY", &proxy)
        .env("NO_PROXY", "127.0.0.1")
        .spawn();
    let answer = b.request("initialize", init_params("2025-06-18")).await;
    assert!(answer.get("result").is_some(), "{answer}");
    assert!(seen.lock().unwrap().is_empty());
}

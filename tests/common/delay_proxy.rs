//! A TCP proxy on 127.0.0.1 that puts a WAN between a client and the fake upstream: every byte
//! takes half the round-trip time R each way, and a new connection carries nothing for its first
//! R (the SYN / SYN-ACK a real connection waits for). It counts the connections clients open, and
//! can close connections idle for too long, as load balancers and corporate proxies do.
//!
//! Included by the tests and by `examples/bench.rs` (`--rtt`) through `#[path]`: self-contained.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub struct DelayProxy {
    port: u16,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
    /// Set by `black_hole`: the connections open now stop forwarding (they stay open).
    black_holed: Arc<std::sync::atomic::AtomicU64>,
}

impl DelayProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `target` with round-trip time `rtt`.
    pub async fn start(target: SocketAddr, rtt: Duration) -> DelayProxy {
        DelayProxy::with_idle_cut(target, rtt, None).await
    }

    /// The same, closing (FIN both ways) every connection that carried no byte for `idle_cut`.
    pub async fn with_idle_cut(
        target: SocketAddr,
        rtt: Duration,
        idle_cut: Option<Duration>,
    ) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        // Connections numbered below this one forward nothing more.
        let black_holed = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let hole = black_holed.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let number = count.fetch_add(1, Ordering::SeqCst) as u64;
                let opened = Instant::now();
                let hole = hole.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (cr, cw) = client.into_split();
                    let (sr, sw) = server.into_split();
                    let active = Arc::new(std::sync::Mutex::new(Instant::now()));
                    // Client to server: held until the handshake's round trip is over.
                    let silenced = move || hole.load(Ordering::SeqCst) > number;
                    let up = pipe(
                        cr,
                        sw,
                        rtt / 2,
                        Some(opened + rtt),
                        active.clone(),
                        silenced.clone(),
                    );
                    let down = pipe(sr, cw, rtt / 2, None, active.clone(), silenced);
                    let idle = async {
                        let Some(cut) = idle_cut else {
                            return std::future::pending().await;
                        };
                        loop {
                            let last = *active.lock().unwrap();
                            if last.elapsed() >= cut {
                                return;
                            }
                            tokio::time::sleep_until(last + cut).await;
                        }
                    };
                    // Dropping the pipes closes both sockets.
                    tokio::select! {
                        _ = async { tokio::join!(up, down) } => {}
                        () = idle => {}
                    }
                });
            }
        });
        DelayProxy {
            port,
            accepted,
            task,
            black_holed,
        }
    }

    /// The connections open now stop forwarding, both ways, and stay open: a proxy or NAT that
    /// went silent. New connections work.
    pub fn black_hole(&self) {
        self.black_holed
            .store(self.accepted() as u64, Ordering::SeqCst);
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies `from` to `to`, each chunk delivered `one_way` after it arrived (and not before
/// `not_before`), in order; the end of the stream follows the last chunk.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    one_way: Duration,
    not_before: Option<Instant>,
    active: Arc<std::sync::Mutex<Instant>>,
    silenced: impl Fn() -> bool + Send + 'static,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let now = Instant::now();
                    *active.lock().unwrap() = now;
                    let at = not_before.map_or(now, |t| t.max(now)) + one_way;
                    if tx.send((at, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if silenced() {
                // Swallowed: nothing more reaches the other side, and nothing closes.
                continue;
            }
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(one_way).await;
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

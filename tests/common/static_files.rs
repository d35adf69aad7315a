//! A plain HTTP/1.0 file server on 127.0.0.1, the stand-in for a release download URL
//! (`install.sh`'s `THREEMINAPI_RELEASE_URL`).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::PathBuf;

/// Serves the files of `dir` under `/rel/` until the test process ends; returns the base URL
/// (`http://127.0.0.1:<port>/rel`). A missing file is a 404.
pub fn serve(dir: PathBuf) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let file = dir.join(path.trim_start_matches("/rel/"));
            let response = match std::fs::read(&file) {
                Ok(body) => {
                    let mut r =
                        format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                            .into_bytes();
                    r.extend(body);
                    r
                }
                Err(_) => b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    format!("http://127.0.0.1:{port}/rel")
}

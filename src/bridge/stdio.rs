//! stdin and stdout of `mcp serve`: newline-delimited messages in, lines out.
//!
//! MCP clients start a server with pipes or socket pairs. Those are read and written without
//! blocking on the runtime's own thread, so a message crosses no thread on its way in or out:
//! on two cores the per-message wake-ups of a reader and a writer thread cost more than all the
//! relaying does. Anything else (a terminal, a file, a platform without that path) is served by
//! a reader thread and a writer thread with plain blocking I/O.

use crate::upstream::Out;
use crate::{log_debug, log_warn};
use tokio::sync::mpsc;

/// Longest message accepted on stdin; a longer line is discarded without being held in memory.
pub use crate::jsonrpc::MAX_MESSAGE;

/// How much is read from stdin at a time.
const READ_CHUNK: usize = 256 * 1024;

/// Small lines waiting for stdout are gathered into one write up to this size.
const GATHER: usize = 256 * 1024;

/// What stdin delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Line(Vec<u8>),
    /// A line longer than [`MAX_MESSAGE`], discarded.
    TooLong,
}

/// Splits a byte stream into lines, holding at most [`MAX_MESSAGE`] bytes of one line.
#[derive(Default)]
pub struct Lines {
    line: Vec<u8>,
    discarding: bool,
}

impl Lines {
    /// Feeds bytes; each line completed is passed to `emit`.
    pub fn feed(&mut self, mut data: &[u8], emit: &mut impl FnMut(Input)) {
        while let Some(pos) = memchr::memchr(b'\n', data) {
            if self.discarding || self.line.len() + pos > MAX_MESSAGE {
                self.discarding = false;
                self.line = Vec::new();
                emit(Input::TooLong);
            } else {
                self.line.extend_from_slice(&data[..pos]);
                emit(Input::Line(std::mem::take(&mut self.line)));
            }
            data = &data[pos + 1..];
        }
        if !self.discarding {
            if self.line.len() + data.len() > MAX_MESSAGE {
                self.discarding = true;
                self.line = Vec::new();
            } else {
                self.line.extend_from_slice(data);
            }
        }
    }

    /// The last line when the input ends without a newline.
    pub fn finish(self) -> Option<Input> {
        if self.discarding {
            Some(Input::TooLong)
        } else if !self.line.is_empty() {
            Some(Input::Line(self.line))
        } else {
            None
        }
    }
}

/// Starts reading stdin into `tx`; the channel closes when stdin does.
pub fn read_stdin(tx: mpsc::Sender<Input>) {
    #[cfg(unix)]
    if let Some(fd) = nonblocking::Fd::stdin() {
        tokio::spawn(nonblocking::read(fd, tx));
        return;
    }
    std::thread::spawn(move || read_blocking(tx));
}

/// Where the lines for stdout are written: a task or a thread, awaited by [`Writer::finish`].
pub enum Writer {
    Task(tokio::task::JoinHandle<()>),
    Thread(std::thread::JoinHandle<()>),
}

impl Writer {
    /// Starts writing each line received on `rx` to stdout, followed by a newline.
    pub fn start(rx: mpsc::UnboundedReceiver<Out>) -> Writer {
        #[cfg(unix)]
        if let Some(fd) = nonblocking::Fd::stdout() {
            return Writer::Task(tokio::spawn(nonblocking::write(fd, rx)));
        }
        Writer::Thread(std::thread::spawn(move || write_blocking(rx)))
    }

    /// Waits until every line sent before the channel closed has been written (or stdout closed).
    pub async fn finish(self) {
        match self {
            Writer::Task(task) => {
                let _ = task.await;
            }
            Writer::Thread(thread) => {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
        }
    }
}

fn read_blocking(tx: mpsc::Sender<Input>) {
    use std::io::Read;
    let mut stdin = std::io::stdin().lock();
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut lines = Lines::default();
    let mut open = true;
    loop {
        let n = match stdin.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                log_warn!("reading stdin failed: {e}");
                break;
            }
        };
        lines.feed(&chunk[..n], &mut |input| {
            open = open && tx.blocking_send(input).is_ok();
        });
        if !open {
            return;
        }
    }
    if let Some(input) = lines.finish() {
        let _ = tx.blocking_send(input);
    }
}

/// Writes each message as one line, flushing when no more are waiting.
fn write_blocking(mut rx: mpsc::UnboundedReceiver<Out>) {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(GATHER, stdout.lock());
    let put = |w: &mut std::io::BufWriter<_>, out: Out| -> std::io::Result<()> {
        match out {
            Out::Line(line) => w.write_all(line.as_bytes())?,
            Out::Parts(parts) => {
                for part in parts {
                    w.write_all(&part)?;
                }
            }
        }
        w.write_all(b"\n")
    };
    while let Some(out) = rx.blocking_recv() {
        let mut ok = put(&mut w, out).is_ok();
        while ok && let Ok(more) = rx.try_recv() {
            ok = put(&mut w, more).is_ok();
        }
        if !ok || w.flush().is_err() {
            log_debug!("stdout closed; dropping further output");
            return;
        }
    }
}

#[cfg(unix)]
mod nonblocking {
    use super::{GATHER, Input, Lines, Out, READ_CHUNK, mpsc};
    use crate::{log_debug, log_warn};
    use rustix::fs::{FileType, OFlags, fcntl_getfl, fcntl_setfl, fstat};
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    /// The capacity asked for the stdin and stdout pipes.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const PIPE_SIZE: usize = 1024 * 1024;

    /// stdin or stdout switched to non-blocking mode; the original flags come back on drop, so
    /// whoever shares the pipe afterwards finds it as it was.
    pub struct Fd {
        fd: Std,
        original: OFlags,
    }

    enum Std {
        In(std::io::Stdin),
        Out(std::io::Stdout),
    }

    impl Fd {
        pub fn stdin() -> Option<AsyncFd<Fd>> {
            Fd::new(Std::In(std::io::stdin()), Interest::READABLE)
        }

        pub fn stdout() -> Option<AsyncFd<Fd>> {
            Fd::new(Std::Out(std::io::stdout()), Interest::WRITABLE)
        }

        /// `None` unless the descriptor is a pipe or a socket that the runtime can watch.
        fn new(fd: Std, interest: Interest) -> Option<AsyncFd<Fd>> {
            let borrowed = match &fd {
                Std::In(s) => s.as_fd(),
                Std::Out(s) => s.as_fd(),
            };
            let kind = FileType::from_raw_mode(fstat(borrowed).ok()?.st_mode);
            if !matches!(kind, FileType::Fifo | FileType::Socket) {
                return None;
            }
            // A 64 KiB pipe takes a big message in dozens of writes, each waking the reader;
            // 1 MiB (the unprivileged maximum) takes it in a few. Best effort: the default size
            // works, only slower.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            if kind == FileType::Fifo {
                let _ = rustix::pipe::fcntl_setpipe_size(borrowed, PIPE_SIZE);
            }
            let original = fcntl_getfl(borrowed).ok()?;
            fcntl_setfl(borrowed, original | OFlags::NONBLOCK).ok()?;
            // From here on, dropping `Fd` restores the flags.
            let fd = Fd { fd, original };
            // SAFETY: descriptors 0 and 1 stay open, on the same file description, for the whole
            // life of the process: nothing in it closes or replaces them.
            unsafe { AsyncFd::register_with_interest(fd, interest) }.ok()
        }
    }

    impl AsFd for Fd {
        fn as_fd(&self) -> BorrowedFd<'_> {
            match &self.fd {
                Std::In(s) => s.as_fd(),
                Std::Out(s) => s.as_fd(),
            }
        }
    }

    impl AsRawFd for Fd {
        fn as_raw_fd(&self) -> RawFd {
            self.as_fd().as_raw_fd()
        }
    }

    impl Drop for Fd {
        fn drop(&mut self) {
            let _ = fcntl_setfl(self.as_fd(), self.original);
        }
    }

    pub async fn read(fd: AsyncFd<Fd>, tx: mpsc::Sender<Input>) {
        let mut chunk = vec![0u8; READ_CHUNK];
        let mut lines = Lines::default();
        let mut ready = Vec::new();
        loop {
            let Ok(mut guard) = fd.readable().await else {
                break;
            };
            let n = match guard.try_io(|fd| Ok(rustix::io::read(fd.get_ref(), &mut chunk[..])?)) {
                Err(_would_block) => continue,
                Ok(Ok(0)) => break,
                Ok(Ok(n)) => n,
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(Err(e)) => {
                    log_warn!("reading stdin failed: {e}");
                    break;
                }
            };
            drop(guard);
            lines.feed(&chunk[..n], &mut |input| ready.push(input));
            for input in ready.drain(..) {
                if tx.send(input).await.is_err() {
                    return;
                }
            }
        }
        if let Some(input) = lines.finish() {
            let _ = tx.send(input).await;
        }
    }

    pub async fn write(fd: AsyncFd<Fd>, mut rx: mpsc::UnboundedReceiver<Out>) {
        let mut gathered: Vec<u8> = Vec::new();
        while let Some(out) = rx.recv().await {
            // Lines waiting together go out in one write; a big one, or one in parts, is written
            // from its own buffers rather than copied.
            let mut next = Some(out);
            while let Some(out) = next.take() {
                match out {
                    Out::Line(line) if line.len() < GATHER => {
                        gathered.extend_from_slice(line.as_bytes());
                        gathered.push(b'\n');
                    }
                    Out::Line(line) => {
                        if !put(&fd, &gathered).await
                            || !put(&fd, line.as_bytes()).await
                            || !put(&fd, b"\n").await
                        {
                            return closed();
                        }
                        gathered.clear();
                    }
                    Out::Parts(parts) => {
                        if !put(&fd, &gathered).await || !put_parts(&fd, parts).await {
                            return closed();
                        }
                        gathered.clear();
                    }
                }
                if gathered.len() < GATHER {
                    next = rx.try_recv().ok();
                }
            }
            if !put(&fd, &gathered).await {
                return closed();
            }
            gathered.clear();
            if gathered.capacity() > 4 * GATHER {
                gathered = Vec::new();
            }
        }
    }

    /// Writes one message given in parts, and its newline; false when stdout is gone.
    async fn put_parts(fd: &AsyncFd<Fd>, parts: Vec<bytes::Bytes>) -> bool {
        for part in parts {
            if !put(fd, &part).await {
                return false;
            }
        }
        put(fd, b"\n").await
    }

    fn closed() {
        log_debug!("stdout closed; dropping further output");
    }

    /// Writes all of `data`; false when stdout is gone.
    async fn put(fd: &AsyncFd<Fd>, mut data: &[u8]) -> bool {
        while !data.is_empty() {
            let Ok(mut guard) = fd.writable().await else {
                return false;
            };
            match guard.try_io(|fd| Ok(rustix::io::write(fd.get_ref(), data)?)) {
                Err(_would_block) => continue,
                Ok(Ok(n)) => data = &data[n..],
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(Err(_)) => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
        let mut lines = Lines::default();
        let mut out = Vec::new();
        let mut emit = |input| {
            out.push(match input {
                Input::Line(l) => Some(l),
                Input::TooLong => None,
            })
        };
        for chunk in chunks {
            lines.feed(chunk, &mut emit);
        }
        if let Some(last) = lines.finish() {
            emit(last);
        }
        out
    }

    #[test]
    fn lines_split_anywhere_come_out_whole() {
        let text = b"{\"a\":1}\n\n{\"b\":2}\n{\"c\"";
        for cut in 0..text.len() {
            let got = split(&[&text[..cut], &text[cut..]]);
            assert_eq!(
                got,
                vec![
                    Some(b"{\"a\":1}".to_vec()),
                    Some(vec![]),
                    Some(b"{\"b\":2}".to_vec()),
                    Some(b"{\"c\"".to_vec())
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn an_overlong_line_is_reported_once_and_not_held() {
        let big = vec![b'x'; MAX_MESSAGE / 4 + 1];
        let mut chunks: Vec<&[u8]> = vec![b"{}\n"];
        for _ in 0..4 {
            chunks.push(&big);
        }
        chunks.push(b"\n{\"after\":1}\n");
        let got = split(&chunks);
        assert_eq!(
            got,
            vec![Some(b"{}".to_vec()), None, Some(b"{\"after\":1}".to_vec())]
        );
    }
}

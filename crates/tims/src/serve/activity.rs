//! Where a connection is (waiting for a request, reading its head, in the
//! application's hands, or sending the answer) and since when, told by
//! its socket, its requests and its responses, and read by its watch.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::Limits;

pub(super) fn ms(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Waiting for a request (since the last response, or since accept).
    Idle = 0,
    /// A request's head has begun to arrive.
    Head = 1,
    /// The application has the request; its body has deadlines of its own.
    Handling = 2,
    /// The response is being sent.
    Responding = 3,
}

impl Phase {
    /// What the server was waiting for when a deadline passed.
    pub(super) fn waiting_for(self) -> &'static str {
        match self {
            Phase::Idle => "request",
            Phase::Head => "head",
            Phase::Handling => "body",
            Phase::Responding => "reader",
        }
    }
}

/// Where a connection is, and since when (its last progress), shared by
/// its reads, writes, requests and its watch, all in one task.
#[derive(Debug)]
pub(super) struct Activity {
    started: Instant,
    phase: AtomicU8,
    since_ms: AtomicU64,
    pub(super) body_timed_out: AtomicBool,
}

impl Activity {
    pub(super) fn new() -> Self {
        Self {
            started: Instant::now(),
            phase: AtomicU8::new(Phase::Idle as u8),
            since_ms: AtomicU64::new(0),
            body_timed_out: AtomicBool::new(false),
        }
    }

    pub(super) fn now_ms(&self) -> u64 {
        ms(self.started.elapsed())
    }

    pub(super) fn at(&self, ms: u64) -> Instant {
        self.started + Duration::from_millis(ms)
    }

    pub(super) fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            0 => Phase::Idle,
            1 => Phase::Head,
            2 => Phase::Handling,
            _ => Phase::Responding,
        }
    }

    pub(super) fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
        self.progress();
    }

    pub(super) fn progress(&self) {
        self.since_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// When the connection is to be closed unless it makes progress.
    pub(super) fn deadline_ms(&self, limits: &Limits) -> Option<u64> {
        let since = self.since_ms.load(Ordering::Relaxed);
        match self.phase() {
            Phase::Idle => Some(since + ms(limits.idle_timeout)),
            Phase::Head => Some(since + ms(limits.header_timeout)),
            Phase::Handling => None,
            Phase::Responding => Some(since + ms(limits.body_timeout)),
        }
    }
}

/// The socket, watched: the first byte of a request starts the head's
/// deadline, and each write of a response puts its deadline off.
pub(super) struct Watched {
    pub(super) io: TcpStream,
    pub(super) activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before && self.activity.phase() == Phase::Idle {
            self.activity.set(Phase::Head);
        }
        r
    }
}

impl Watched {
    fn wrote(&self, r: &Poll<std::io::Result<usize>>) {
        if matches!(r, Poll::Ready(Ok(n)) if *n > 0) && self.activity.phase() == Phase::Responding {
            self.activity.progress();
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        self.wrote(&r);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.wrote(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

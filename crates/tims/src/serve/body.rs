//! The bodies of a request and its response, watched: a request body
//! that stops arriving fails (and its request is answered 408); a response
//! body, once hyper is done with it, leaves its connection idle.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};

use super::activity::{Activity, Phase};

/// Marks a request whose body stopped arriving, so that the frame answers
/// 408 whatever the handler made of the broken body.
#[derive(Debug, Clone)]
pub struct BodyDeadline(pub(super) Arc<Activity>);

impl BodyDeadline {
    pub fn passed(&self) -> bool {
        self.0.body_timed_out.load(Ordering::Relaxed)
    }
}

/// A request body that fails when its next piece is awaited for longer
/// than the body timeout. The clock runs only while the application waits.
pub(super) struct TimedBody {
    inner: Incoming,
    timeout: Duration,
    timer: Option<Pin<Box<Sleep>>>,
    waiting: bool,
    activity: Arc<Activity>,
}

impl TimedBody {
    pub(super) fn new(inner: Incoming, timeout: Duration, activity: Arc<Activity>) -> Self {
        Self { inner, timeout, timer: None, waiting: false, activity }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if this.activity.body_timed_out.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.waiting = false;
                Poll::Ready(frame.map(|f| f.map_err(Into::into)))
            }
            Poll::Pending => {
                let deadline = Instant::now() + this.timeout;
                let timer = this.timer.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                if !this.waiting {
                    this.waiting = true;
                    timer.as_mut().reset(deadline);
                }
                if timer.as_mut().poll(cx).is_ready() {
                    this.activity.body_timed_out.store(true, Ordering::Relaxed);
                    metrics::counter!("tims_http_connections_timed_out_total", "waiting_for" => "body").increment(1);
                    return Poll::Ready(Some(Err("the request body stopped arriving".into())));
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body on its way: when hyper is done with it, the connection
/// is idle again.
pub(super) struct Responding<B> {
    pub(super) body: B,
    pub(super) activity: Arc<Activity>,
}

impl<B: Body + Unpin> Body for Responding<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl<B> Drop for Responding<B> {
    fn drop(&mut self) {
        self.activity.set(Phase::Idle);
    }
}

//! The accept loop: HTTP/1 connections served by hyper with the limits a
//! public server needs and `axum::serve` does not set. A cap on open
//! connections (more wait in the listen queue), and deadlines so that a
//! client that stops half way cannot hold a connection, its memory and its
//! descriptor for good: for a request's head from its first byte, for each
//! pause in a request body (answered 408) or in the client's taking of a
//! response, and for a kept-alive connection waiting for its next request.
//!
//! The deadlines are kept here rather than with hyper's
//! `header_read_timeout`, whose clock starts when a connection goes idle:
//! it would close kept-alive connections after the header timeout, sooner
//! than the proxies in front expect.

mod activity;
mod body;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use activity::{Activity, Phase, Watched, ms};
pub use body::BodyDeadline;
use body::{Responding, TimedBody};

/// The server's limits (see the `[http]` settings).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
}

/// Serve `router` on `listener` until `stop` turns true; then stop
/// accepting, let requests in flight finish, close idle connections, and
/// return once every connection is closed.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, mut stop: watch::Receiver<bool>) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (drain_tx, drain_rx) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (tcp, peer) = match accepted {
            Ok(a) => a,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Most likely out of file descriptors: wait for some to close.
                tracing::error!(error = %e, "cannot accept a connection");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
        };
        let (router, drain, open) = (router.clone(), drain_rx.clone(), open_rx.clone());
        tokio::spawn(async move {
            let open_now = metrics::gauge!("tims_http_connections_open");
            open_now.increment(1);
            connection(tcp, peer, router, limits, drain).await;
            open_now.decrement(1);
            drop((permit, open));
        });
    }
    drop(listener);
    let _ = drain_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// Serve one connection, closing it when a deadline passes.
async fn connection(
    tcp: TcpStream,
    peer: std::net::SocketAddr,
    router: Router,
    limits: Limits,
    mut drain: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { io: tcp, activity: activity.clone() });
    let app = TowerToHyperService::new(router);
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            activity.set(Phase::Handling);
            activity.body_timed_out.store(false, Ordering::Relaxed);
            let mut req = req.map(|body| TimedBody::new(body, limits.body_timeout, activity.clone()));
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(BodyDeadline(activity.clone()));
            let answer = hyper::service::Service::call(&app, req);
            let activity = activity.clone();
            async move {
                let resp = answer.await?;
                activity.set(Phase::Responding);
                Ok::<_, std::convert::Infallible>(resp.map(|body| Responding { body, activity }))
            }
        })
    };
    // hyper's own header timeout stays off: the watch below keeps it.
    let mut conn =
        pin!(hyper::server::conn::http1::Builder::new().header_read_timeout(None).serve_connection(io, service));
    // The watch wakes at most `step` after any deadline could have begun,
    // and looks again; no timer is set per request.
    let step = limits.header_timeout.min(limits.body_timeout).min(limits.idle_timeout);
    let mut watch = pin!(tokio::time::sleep(step));
    let mut draining = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                return;
            }
            () = watch.as_mut() => {
                let now = activity.now_ms();
                match activity.deadline_ms(&limits) {
                    Some(d) if d <= now => {
                        let phase = activity.phase();
                        tracing::debug!(%peer, ?phase, "connection closed: its client was too slow");
                        metrics::counter!("tims_http_connections_timed_out_total", "waiting_for" => phase.waiting_for())
                            .increment(1);
                        return;
                    }
                    Some(d) => watch.as_mut().reset(activity.at(d.min(now + ms(step)))),
                    None => watch.as_mut().reset(activity.at(now + ms(step))),
                }
            }
            _ = drain.wait_for(|d| *d), if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

//! A TCP proxy that can be cut and restored, standing between the service
//! and a backend (PostgreSQL, Redis) to simulate the backend stopping and
//! coming back, without touching the real server other tests share.

use std::{net::SocketAddr, sync::Arc};

use tokio::{
    net::{TcpListener, TcpStream},
    sync::Mutex,
    task::JoinHandle,
};

#[derive(Debug)]
pub struct ToggleProxy {
    port: u16,
    upstream: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    accept: Option<JoinHandle<()>>,
    connections: Vec<JoinHandle<()>>,
}

impl ToggleProxy {
    /// Starts forwarding a free local port to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> ToggleProxy {
        let upstream: SocketAddr = tokio::net::lookup_host(upstream)
            .await
            .expect("resolve upstream")
            .next()
            .expect("upstream address");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let proxy = ToggleProxy {
            port,
            upstream,
            inner: Arc::default(),
        };
        proxy.serve(listener).await;
        proxy
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Refuses new connections and drops every open one, as a stopped server would.
    pub async fn cut(&self) {
        let mut inner = self.inner.lock().await;
        if let Some(accept) = inner.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        for connection in inner.connections.drain(..) {
            connection.abort();
        }
    }

    /// Accepts connections again on the same port.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.expect("rebind proxy");
        self.serve(listener).await;
    }

    async fn serve(&self, listener: TcpListener) {
        let inner = self.inner.clone();
        let upstream = self.upstream;
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                inner.lock().await.connections.push(connection);
            }
        });
        self.inner.lock().await.accept = Some(accept);
    }
}

impl Drop for ToggleProxy {
    fn drop(&mut self) {
        if let Ok(mut inner) = self.inner.try_lock() {
            if let Some(accept) = inner.accept.take() {
                accept.abort();
            }
            for connection in inner.connections.drain(..) {
                connection.abort();
            }
        }
    }
}

/// `host:port` of a connection URL such as `redis://:pw@host:6379/0`.
pub fn host_port(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or(after_scheme);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// The same URL pointing at a local proxy port instead.
pub fn through_proxy(url: &str, port: u16) -> String {
    url.replacen(&host_port(url), &format!("127.0.0.1:{port}"), 1)
}

//! Runs the `estateflow` binary as a child process, for what only a real
//! process shows: start-up output, exit codes, signals and restarts.

use std::{
    path::Path,
    process::{ExitStatus, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::{Child, Command},
};

/// A running `estateflow` process and everything it printed so far.
#[derive(Debug)]
pub struct ServiceProcess {
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
    /// The HTTP port (the API's, or a worker's probes), once the banner has been printed.
    pub port: Option<u16>,
}

impl ServiceProcess {
    /// Starts `bin args…` in `dir` with exactly `env` (plus PATH and HOME)
    /// as its environment; if `wait_for_http`, waits until it listens.
    pub async fn start(
        bin: &str,
        args: &[&str],
        env: &[(&str, String)],
        dir: &Path,
        wait_for_http: bool,
    ) -> ServiceProcess {
        let mut child = command(bin, args, env, dir, Stdio::null())
            .spawn()
            .expect("start estateflow");
        let output = Arc::new(Mutex::new(Vec::new()));
        let streams: [Option<Box<dyn AsyncRead + Unpin + Send>>; 2] = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn AsyncRead + Unpin + Send>),
        ];
        for stream in streams.into_iter().flatten() {
            let output = output.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    output.lock().expect("output lock").push(line);
                }
            });
        }
        let mut process = ServiceProcess {
            child,
            output,
            port: None,
        };
        if wait_for_http {
            process.port = Some(process.wait_for_port().await);
        }
        process
    }

    async fn wait_for_port(&mut self) -> u16 {
        self.wait_for_line(Duration::from_secs(60), "the listening banner", |line| {
            line.strip_prefix("EstateFlow is listening on http://")
                .or_else(|| line.strip_prefix("EstateFlow worker is listening on http://"))
                .and_then(|rest| rest.rsplit(':').next())
                .and_then(|port| port.trim().parse().ok())
        })
        .await
    }

    /// Waits at most `timeout` for a printed line from which `found` takes
    /// a value, and returns it; fails with the output when the process ends
    /// or the time is up first.
    pub async fn wait_for_line<T>(&mut self, timeout: Duration, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(value) = self.lines().iter().find_map(|line| found(line)) {
                return value;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "estateflow exited with {status} before printing {what}:\n{}",
                    self.lines().join("\n")
                );
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for estateflow to print {what}:\n{}",
                self.lines().join("\n")
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A client of this process's HTTP API.
    pub fn api(&self) -> crate::Api {
        crate::Api::new(format!("http://127.0.0.1:{}", self.port.expect("an HTTP process")))
    }

    /// Everything printed on stdout and stderr so far.
    pub fn lines(&self) -> Vec<String> {
        self.output.lock().expect("output lock").clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("process is running")
    }

    /// Sends SIGTERM (graceful stop).
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Sends SIGKILL (a crash).
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("kill estateflow");
    }

    /// Waits for the process to exit, at most `timeout`.
    pub async fn wait(&mut self, timeout: Duration) -> ExitStatus {
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status.expect("wait for estateflow"),
            Err(_) => panic!(
                "estateflow did not exit within {timeout:?}:\n{}",
                self.lines().join("\n")
            ),
        }
    }
}

/// Runs `bin args…` to completion with `stdin` as input; returns status and output.
pub async fn run_once(
    bin: &str,
    args: &[&str],
    env: &[(&str, String)],
    dir: &Path,
    stdin: &str,
) -> (ExitStatus, String) {
    use tokio::io::AsyncWriteExt;
    let mut child = command(bin, args, env, dir, Stdio::piped())
        .spawn()
        .expect("start estateflow");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await.expect("write stdin");
    }
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("estateflow finished in time")
        .expect("estateflow output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status, text)
}

/// `bin args…` in `dir` with exactly `env` (plus PATH and HOME), output piped.
fn command(bin: &str, args: &[&str], env: &[(&str, String)], dir: &Path, stdin: Stdio) -> Command {
    let mut command = Command::new(bin);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A port nothing listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A `redis-server` of the test's own on `port` (keeping nothing on disk),
/// for tests that start, kill or restart Redis without touching the shared one.
#[derive(Debug)]
pub struct OwnRedis {
    pub port: u16,
    pub child: tokio::process::Child,
}

impl OwnRedis {
    /// Starts it and waits until it answers PING.
    pub async fn start(port: u16) -> OwnRedis {
        let child = tokio::process::Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server (CI installs it)");
        let own = OwnRedis { port, child };
        let url = own.url();
        crate::eventually(Duration::from_secs(10), "redis-server to answer", || async {
            let client = redis::Client::open(url.as_str()).ok()?;
            let mut conn = client.get_multiplexed_async_connection().await.ok()?;
            redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
        })
        .await;
        own
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

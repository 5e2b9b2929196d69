//! `hindsight serve` driven over HTTP: pages, headers, refusals, and live reloads after
//! a content edit, a template edit, a deletion, and a broken file then its fix; what
//! clients cannot make it do (redirect elsewhere, answer another host, take a thread
//! per connection, wait for ever on a slow one); and templates that never finish.

use crate::common::{
    RUNAWAY_TEMPLATE, TestSite, good_postmortem, read_stderr, silent_loop_template,
};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long to wait for something that normally takes milliseconds before calling it
/// a failure (not a timing assertion: only a hang fails).
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `hindsight serve`, stopped on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The server's stdout lines, as they come.
    lines: Receiver<String>,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn start(site: &TestSite, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
            .arg("--root")
            .arg(&site.dir)
            .args(["--color", "never", "serve", "--port", "0", "--output"])
            .arg(site.dir.join("public"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + PATIENCE;
        let addr = loop {
            let line = lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("serve printed its URL");
            if let Some(url) = line.strip_prefix("Serving http://") {
                break url.trim_end_matches('/').parse().unwrap();
            }
        };
        let server = Server { child, addr, lines };
        // The watcher is set up once "Watching" is printed.
        server.wait_line("Watching for changes");
        server
    }

    fn wait_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let line = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("serve never printed {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[])
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("Connection: close\r\n\r\n");
        Response::parse(&self.raw(req.as_bytes()))
    }

    /// Sends `bytes` as they are and returns all the server answers until it closes.
    pub fn raw(&self, bytes: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.write_all(bytes).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        raw
    }

    /// Asks for the reload event stream; returns the connection as it is then.
    fn ask_for_events(&self) -> TcpStream {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            s,
            "GET /__hindsight/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr
        )
        .unwrap();
        s
    }

    /// Opens the reload event stream; returns it once the server has accepted it.
    pub fn events(&self) -> Events {
        let mut events = Events {
            reader: BufReader::new(self.ask_for_events()),
        };
        events.until(": connected");
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    pub fn until(&mut self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut line = String::new();
        loop {
            assert!(Instant::now() < deadline, "no {needle:?} came");
            line.clear();
            let n = self
                .reader
                .read_line(&mut line)
                .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"));
            assert!(n > 0, "the event stream closed before {needle:?}");
            if line.trim_end() == needle {
                return;
            }
        }
    }

    /// Blocks until the next reload event.
    pub fn reload(&mut self) {
        self.until("event: reload");
    }

    /// Waits for reload events until `path` is served as `expected` says, and returns
    /// it. One save may come as more than one batch of file events (and so more than
    /// one reload); only a state that never comes fails.
    pub fn reload_until(
        &mut self,
        server: &Server,
        path: &str,
        expected: impl Fn(&Response) -> bool,
    ) -> Response {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.reload();
            let r = server.get(path);
            if expected(&r) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never became what was expected; last served:\n{}",
                r.body
            );
        }
    }
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn parse(raw: &[u8]) -> Response {
        Response::try_parse(raw).unwrap_or_else(|| {
            panic!(
                "not a complete response: {:?}",
                String::from_utf8_lossy(raw)
            )
        })
    }

    pub fn try_parse(raw: &[u8]) -> Option<Response> {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let mut lines = head.lines();
        let status = lines.next()?.strip_prefix("HTTP/1.1 ")?.split(' ').next()?;
        Some(Response {
            status: status.parse().ok()?,
            headers: lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
            body: body.to_owned(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Threads and resident memory (KiB) of process `pid`, from /proc/<pid>/status.
pub fn threads_and_rss(pid: u32) -> (usize, usize) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> usize {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("Threads:"), field("VmRSS:"))
}

/// Waits (bounded) until process `pid` has at most `max` threads; returns the count.
pub fn threads_down_to(pid: u32, max: usize) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (threads, _) = threads_and_rss(pid);
        if threads <= max || Instant::now() > deadline {
            return threads;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn site(name: &str) -> TestSite {
    TestSite::new(name)
        .file("site.toml", "title = \"Serve test\"\n")
        .file("content/checkout.md", good_postmortem("Checkout outage"))
        .file("content/search.md", good_postmortem("Search went dark"))
}

#[test]
fn serves_pages_with_the_right_headers_and_refuses_to_leave_the_output() {
    let site = site("serve-http").file("secret.txt", "not for the web");
    let server = Server::start(&site, &[]);

    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    assert!(index.body.contains("Checkout outage") && index.body.contains("Search went dark"));
    assert!(
        index.body.contains("/__hindsight/events"),
        "the reload script is injected"
    );
    assert!(
        !site.read("index.html").contains("__hindsight"),
        "the file on disk is what a build writes"
    );

    let head = server.request("HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        index.header("content-length")
    );

    let etag = index.header("etag").expect("an ETag");
    let again = server.request("GET", "/", &[("If-None-Match", etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    let css = server.get("/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("This page had an outage"),
        "the site's own 404 page"
    );

    let page = index
        .body
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("incidents/"))
        .expect("a link to an incident")
        .trim_start_matches("./")
        .trim_start_matches('/')
        .to_owned();
    let bare = format!("/{}", page.trim_end_matches('/'));
    let moved = server.get(&bare);
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some(format!("{bare}/").as_str()));
    assert_eq!(server.get(&format!("{bare}/")).status, 200);

    for evil in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2fsecret.txt",
        "/..%5csecret.txt",
        "/static\\..\\..\\secret.txt",
        "//etc/passwd/..",
    ] {
        let r = server.get(evil);
        assert_eq!(r.status, 403, "{evil}");
        assert!(!r.body.contains("not for the web"), "{evil}");
    }
    // An absolute path is only ever a path inside the output.
    assert_eq!(
        server
            .get(&format!("{}/secret.txt", site.dir.display()))
            .status,
        404
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.dir.join("secret.txt"), site.out("leak.txt")).unwrap();
        assert_eq!(server.get("/leak.txt").status, 403);
    }
    assert_eq!(server.get("/.hindsight-output").status, 404);
    assert_eq!(server.request("POST", "/", &[]).status, 405);
}

#[test]
fn edits_rebuild_and_reload_and_broken_files_show_an_overlay() {
    let site = site("serve-live");
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let first = server.get("/");

    // A content edit: the new text is served, with a fresh ETag, after a reload event.
    std::fs::write(
        site.dir.join("content/checkout.md"),
        good_postmortem("Checkout outage, revised by its author"),
    )
    .unwrap();
    let index = events.reload_until(&server, "/", |r| {
        r.body.contains("Checkout outage, revised by its author")
    });
    assert_ne!(index.header("etag"), first.header("etag"));
    let stale = server.request(
        "GET",
        "/",
        &[("If-None-Match", first.header("etag").unwrap())],
    );
    assert_eq!(stale.status, 200, "never a stale page after a rebuild");

    // A template edit: a site template overriding the theme's takes effect.
    std::fs::create_dir_all(site.dir.join("templates")).unwrap();
    std::fs::write(
        site.dir.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Lost in the gallery</p>{% endblock content %}",
    )
    .unwrap();
    events.reload_until(&server, "/nowhere", |r| {
        r.status == 404 && r.body.contains("Lost in the gallery")
    });

    // A deletion: the page goes and no listing links it any more.
    std::fs::remove_file(site.dir.join("content/search.md")).unwrap();
    let index = events.reload_until(&server, "/", |r| !r.body.contains("Search went dark"));
    assert!(index.body.contains("Checkout outage"));

    // A broken file: an overlay names it and its line; the last good pages stay.
    std::fs::write(
        site.dir.join("content/broken.md"),
        "+++\ntitle = \"unterminated\n+++\n\nSome text.\n",
    )
    .unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("hindsight-overlay"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("content/broken.md:2"), "{}", page.body);
    assert!(page.body.contains("Checkout outage"));
    assert!(
        !site.read("index.html").contains("hindsight-overlay"),
        "the overlay is never written to disk"
    );

    // Fixing it clears the overlay.
    std::fs::write(
        site.dir.join("content/broken.md"),
        good_postmortem("Queue backlog on Friday"),
    )
    .unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("Queue backlog on Friday"));
    assert!(!page.body.contains("hindsight-overlay"));

    // A published file saved half-written: its last good version stays until the fix.
    let checkout = site.dir.join("content/checkout.md");
    std::fs::write(&checkout, "+++\ntitle = [\n+++\nhalf a thou").unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("content/checkout.md:2"));
    assert!(page.body.contains("Checkout outage, revised by its author"));
    assert!(
        server
            .get("/incidents/checkout/")
            .body
            .contains("Checkout outage, revised by its author")
    );
    std::fs::write(&checkout, good_postmortem("Checkout outage, final words")).unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("final words"));
    assert!(!page.body.contains("hindsight-overlay"));

    // A broken template: overlay with the template's line; the pages keep being served.
    std::fs::write(
        site.dir.join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}{{ oops( }}{% endblock content %}",
    )
    .unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("hindsight-overlay"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("404.html:1"), "{}", page.body);
    // A content edit meanwhile does not hide the template that is still broken.
    std::fs::write(
        site.dir.join("content/broken.md"),
        good_postmortem("Queue backlog, second draft"),
    )
    .unwrap();
    events.reload();
    assert!(server.get("/").body.contains("hindsight-overlay"));
    std::fs::remove_file(site.dir.join("templates/404.html")).unwrap();
    let page = events.reload_until(&server, "/", |r| {
        r.body.contains("Queue backlog, second draft")
    });
    assert!(!page.body.contains("hindsight-overlay"));
    assert!(
        server
            .get("/nowhere")
            .body
            .contains("This page had an outage")
    );
}

#[test]
fn a_site_that_does_not_build_is_served_with_its_error_until_fixed() {
    let site = site("serve-broken-config").file("site.toml", "title = 3\n");
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    let page = server.get("/");
    assert_eq!(page.status, 404);
    assert!(page.body.contains("hindsight-overlay") && page.body.contains("site.toml:1"));
    std::fs::write(site.dir.join("site.toml"), "title = \"Fixed\"\n").unwrap();
    let page = events.reload_until(&server, "/", |r| r.status == 200);
    assert!(!page.body.contains("hindsight-overlay"));
    assert!(page.body.contains("Checkout outage"));
}

#[test]
fn a_taken_port_falls_back_to_a_free_one() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = site("serve-port");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("--root")
        .arg(&site.dir)
        .args(["--color", "never", "serve", "--port", &port, "--output"])
        // Inside the test's site, not a preview folder left in the temp dir.
        .arg(site.dir.join("public"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Serving ") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "serve printed its URL"
        );
    }
    let _ = child.kill();
    let err = read_stderr(&mut child);
    let _ = child.wait();
    assert!(line.starts_with("Serving http://127.0.0.1:"), "{line}");
    assert!(!line.contains(&format!(":{port}/")), "{line}");
    assert!(err.contains(&format!("port {port} is taken")), "{err}");
    drop(taken);
}

#[test]
fn build_watch_rebuilds_the_output_folder_on_every_save() {
    let site = site("build-watch");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hindsight"))
        .arg("--root")
        .arg(&site.dir)
        .args(["--color", "never", "build", "--watch"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut next_line = |needle: &str| {
        let mut line = String::new();
        while !line.contains(needle) {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "build --watch ended before {needle:?}"
            );
        }
        line
    };
    assert!(next_line("Built 2 postmortems").contains("public"));
    next_line("Watching for changes");
    assert!(site.read("index.html").contains("Search went dark"));
    std::fs::write(
        site.dir.join("content/search.md"),
        good_postmortem("Search came back"),
    )
    .unwrap();
    let line = next_line("changed:");
    assert!(
        line.starts_with("content/search.md changed: read 1 file"),
        "{line}"
    );
    // One save may arrive as two batches of events; the last one has the whole file.
    while !site.read("index.html").contains("Search came back") {
        next_line("changed:");
    }
    let _ = child.kill();
    let _ = child.wait();
    let index = site.read("index.html");
    assert!(index.contains("Search came back") && !index.contains("Search went dark"));
    assert!(
        !index.contains("__hindsight"),
        "no reload script outside serve"
    );
}

/// The incident page slugs of a built site.
fn incident_slugs(site: &TestSite) -> Vec<String> {
    let mut slugs: Vec<String> = std::fs::read_dir(site.out("incidents"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    slugs
}

#[test]
fn redirects_stay_on_this_host() {
    let site = site("serve-redirect");
    let server = Server::start(&site, &[]);
    let slug = &incident_slugs(&site)[0];
    for (asked, to) in [
        ("//incidents".to_owned(), "/incidents/".to_owned()),
        ("///incidents".to_owned(), "/incidents/".to_owned()),
        (
            format!("//incidents//{slug}"),
            format!("/incidents/{slug}/"),
        ),
        (format!("/incidents/{slug}"), format!("/incidents/{slug}/")),
    ] {
        let r = server.get(&asked);
        assert_eq!(r.status, 301, "{asked}");
        // `//host/` in a Location is another host to a browser: an open redirect.
        assert_eq!(r.header("location"), Some(to.as_str()), "{asked}");
    }
}

#[test]
fn requests_naming_another_host_are_refused() {
    let site = site("serve-host");
    let server = Server::start(&site, &[]);
    let port = server.addr.port();
    let status = |head: String| Response::parse(&server.raw(head.as_bytes())).status;
    let get = |host: &str| {
        status(format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
    };
    for ok in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        assert_eq!(get(&ok), 200, "{ok}");
    }
    // What a page on another site reaches the preview with through DNS rebinding.
    for bad in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("localhost:{}", port - 1),
    ] {
        assert_eq!(get(&bad), 421, "{bad}");
    }
    assert_eq!(
        status(format!(
            "GET /__hindsight/events HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"
        )),
        421
    );
    assert_eq!(
        status("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".into()),
        400,
        "HTTP/1.1 without a Host"
    );
}

#[test]
fn malformed_requests_get_400_and_oversized_heads_431() {
    let site = site("serve-garbage");
    let server = Server::start(&site, &[]);
    let host = server.addr;
    let status = |raw: &[u8]| Response::parse(&server.raw(raw)).status;
    for garbage in [
        // The start of a TLS handshake, sent to the plain-HTTP port.
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
        b"HELLO\r\n\r\n".to_vec(),
        b"GET /\r\n\r\n".to_vec(),
        format!("GET / HTTP/1.1 x\r\nHost: {host}\r\n\r\n").into_bytes(),
        format!("GET / HTTP/1.1\r\nHost: {host}\r\nno colon here\r\n\r\n").into_bytes(),
        format!("GET / HTTP/1.1\r\nHost: {host}\r\n folded: line\r\n\r\n").into_bytes(),
        format!("GET / HTTP/1.1\r\nHost : {host}\r\n\r\n").into_bytes(),
        format!("GET / HTTP/1.1\r\nHost: {host}\r\nHost: {host}\r\n\r\n").into_bytes(),
    ] {
        assert_eq!(
            status(&garbage),
            400,
            "{:?}",
            String::from_utf8_lossy(&garbage)
        );
    }
    assert_eq!(
        status(format!("GET / HTTP/2.0\r\nHost: {host}\r\n\r\n").as_bytes()),
        505
    );
    let big = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(status(big.as_bytes()), 431);
    assert_eq!(server.get("/").status, 200, "still serving");
}

#[test]
fn a_slow_client_is_dropped_when_its_head_is_not_in_after_ten_seconds() {
    let site = site("serve-slowloris");
    let server = Server::start(&site, &[]);
    let mut s = TcpStream::connect(server.addr).unwrap();
    // Ten bytes a second, well inside any per-read timeout: the whole head would take
    // over forty seconds.
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let head = format!(
        "GET / HTTP/1.1\r\nHost: {}\r\nX-Slow: {}\r\n\r\n",
        server.addr,
        "z".repeat(400)
    );
    let started = Instant::now();
    let mut sent = 0;
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    for b in head.bytes() {
        if s.write_all(&[b]).is_err() {
            break;
        }
        sent += 1;
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                s.set_read_timeout(Some(PATIENCE)).unwrap();
                let _ = s.read_to_end(&mut answer);
                break;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    let waited = started.elapsed();
    assert!(
        sent < head.len(),
        "the server waited for the whole head ({:.1} s)",
        waited.as_secs_f64()
    );
    if !answer.is_empty() {
        assert_eq!(Response::parse(&answer).status, 408);
    }
    eprintln!(
        "slow client dropped after {:.1} s, {sent} of {} bytes sent",
        waited.as_secs_f64(),
        head.len()
    );
}

/// `hindsight::serve::MAX_CONNECTIONS` and `MAX_STREAMS`, as documented.
const MAX_CONNECTIONS: usize = 128;
const MAX_STREAMS: usize = 64;

#[test]
fn connections_past_the_cap_are_refused_and_the_threads_stay_bounded() {
    let site = site("serve-cap");
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/").status, 200);
    let pid = server.pid();
    let (before, _) = threads_and_rss(pid);
    // Half-open connections: connected, and then nothing.
    let n = MAX_CONNECTIONS + 172;
    let conns: Vec<TcpStream> = (0..n)
        .map(|_| {
            let s = TcpStream::connect(server.addr).unwrap();
            s.set_nonblocking(true).unwrap();
            s
        })
        .collect();
    // Those past the cap are told so at once; the others wait for their request.
    let mut refused = vec![false; n];
    let mut peak = 0;
    let deadline = Instant::now() + PATIENCE;
    loop {
        for (i, c) in conns.iter().enumerate() {
            let mut buf = [0u8; 64];
            if let Ok(k) = (&*c).read(&mut buf)
                && buf[..k].starts_with(b"HTTP/1.1 503")
            {
                refused[i] = true;
            }
        }
        peak = peak.max(threads_and_rss(pid).0);
        let count = refused.iter().filter(|r| **r).count();
        if count >= n - MAX_CONNECTIONS || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let count = refused.iter().filter(|r| **r).count();
    assert!(
        count >= n - MAX_CONNECTIONS,
        "{count} of {n} connections refused"
    );
    assert!(
        peak <= before + MAX_CONNECTIONS + 4,
        "{peak} threads for {n} connections ({before} before)"
    );
    drop(conns);
    let after = threads_down_to(pid, before + 1);
    assert!(
        after <= before + 1,
        "{after} threads left ({before} before)"
    );
    assert_eq!(server.get("/").status, 200);
    eprintln!(
        "{n} idle connections: {count} refused with 503, threads {before} → peak {peak} → {after}"
    );
}

#[test]
fn reload_streams_are_capped() {
    let site = site("serve-streams");
    let server = Server::start(&site, &[]);
    let mut open: Vec<Events> = (0..MAX_STREAMS).map(|_| server.events()).collect();
    // The status line of one more stream (a stream never ends: read no further).
    let one_more = || {
        let mut status = [0u8; 12];
        server.ask_for_events().read_exact(&mut status).unwrap();
        String::from_utf8_lossy(&status).into_owned()
    };
    assert_eq!(one_more(), "HTTP/1.1 503");
    // A page closed frees its place.
    open.pop();
    let deadline = Instant::now() + PATIENCE;
    while one_more() != "HTTP/1.1 200" {
        assert!(
            Instant::now() < deadline,
            "the closed stream's place never came back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.get("/").status, 200);
}

const FIXED: &str =
    "{% extends \"base.html\" %}{% block content %}<p>Fixed template</p>{% endblock content %}";

/// Serves `site`, saves `template` as its postmortem template, and returns the server,
/// an incident's slug, the reload stream, and the index once an overlay names the
/// template.
fn serve_then_save_template(site: &TestSite, template: &str) -> (Server, String, Events, Response) {
    let server = Server::start(site, &[]);
    let slug = incident_slugs(site)[0].clone();
    let mut events = server.events();
    std::fs::create_dir_all(site.dir.join("templates")).unwrap();
    std::fs::write(site.dir.join("templates/postmortem.html"), template).unwrap();
    let page = events.reload_until(&server, "/", |r| r.body.contains("hindsight-overlay"));
    assert!(
        page.body.contains("template postmortem.html"),
        "{}",
        page.body
    );
    (server, slug, events, page)
}

#[test]
fn a_runaway_template_is_stopped_named_in_the_overlay_and_its_fix_picked_up() {
    // Stopped within the default budget (10 s, 50 MB a page), and named with its line.
    let site = site("serve-runaway");
    let (server, slug, mut events, page) = serve_then_save_template(&site, RUNAWAY_TEMPLATE);
    assert!(page.body.contains("postmortem.html:3"), "{}", page.body);
    assert!(page.body.contains("the limit per page"), "{}", page.body);
    let incident = server.get(&format!("/incidents/{slug}/"));
    assert_eq!(incident.status, 200, "the last good page is still served");
    assert!(!incident.body.contains("xxxxxxxx"));
    std::fs::write(site.dir.join("templates/postmortem.html"), FIXED).unwrap();
    let page = events.reload_until(&server, &format!("/incidents/{slug}/"), |r| {
        r.body.contains("Fixed template")
    });
    assert!(!page.body.contains("hindsight-overlay"), "{}", page.body);
}

#[test]
fn a_template_that_loops_without_writing_is_given_up_and_watching_goes_on() {
    let site = site("serve-stuck").file(
        "site.toml",
        "title = \"Serve test\"\n[limits]\npage_seconds = 1\n",
    );
    let (server, slug, mut events, page) = serve_then_save_template(&site, &silent_loop_template());
    assert!(page.body.contains("given up"), "{}", page.body);
    assert_eq!(server.get(&format!("/incidents/{slug}/")).status, 200);
    // A content edit cannot help: it waits for the template.
    std::fs::write(
        site.dir.join("content/search.md"),
        good_postmortem("Search came back while the template was stuck"),
    )
    .unwrap();
    server.wait_line("waiting for the template that never finished to be fixed");
    // The fix is picked up, and with it the edit made meanwhile.
    std::fs::write(site.dir.join("templates/postmortem.html"), FIXED).unwrap();
    let page = events.reload_until(&server, &format!("/incidents/{slug}/"), |r| {
        r.body.contains("Fixed template")
    });
    assert!(!page.body.contains("hindsight-overlay"), "{}", page.body);
    assert!(
        server
            .get("/")
            .body
            .contains("Search came back while the template was stuck")
    );
}

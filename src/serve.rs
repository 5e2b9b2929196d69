//! The preview server: serves the output folder over HTTP on the loopback interface,
//! tells open pages to reload after a rebuild (server-sent events), and lays a problem
//! overlay over pages while a file or template is broken.
//!
//! Deliberately small: HTTP/1.1 `GET`/`HEAD`, one thread per connection, no keep-alive
//! (but for the event stream). Only files inside the output folder are ever read: paths
//! with `..`, encoded or not, backslashes, hidden names or links that lead outside are
//! refused. The reload script and the overlay are added to HTML as it is sent; the
//! files on disk stay exactly what a build writes.
//!
//! Bounded whatever the clients do: at most [`MAX_CONNECTIONS`] connections are served
//! at once (more get `503` from the accepting thread, which never waits on a client),
//! and at most [`MAX_STREAMS`] of them are reload streams; a request head must arrive
//! whole within [`HEAD_DEADLINE`] however slowly it trickles in (`408`), fit in
//! [`MAX_HEAD`] bytes (`431`) and parse (`400`). Only requests for this machine are
//! answered: a `Host` other than `localhost`, a loopback address or the address the
//! connection came to gets `421`, so a page elsewhere cannot read the preview through
//! DNS rebinding. Redirects are always to a path on this host.

use crate::error::Error;
use crate::model::Diagnostic;
use crate::render::markdown::escape;
use std::hash::{DefaultHasher, Hasher};
use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Where open pages listen for reloads.
pub const EVENTS_PATH: &str = "/__hindsight/events";

/// Connections served at once (each on a thread of its own); more are refused with 503.
pub const MAX_CONNECTIONS: usize = 128;
/// Reload streams (open pages) at once, out of [`MAX_CONNECTIONS`]; more get 503.
pub const MAX_STREAMS: usize = 64;
/// The whole request head must have arrived by then, however slowly it comes.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// The largest request head read (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// How long one write to a client may block (a client that does not read).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a reload stream looks whether its page is still there.
const STREAM_TICK: Duration = Duration::from_secs(1);
/// A comment sent down an idle reload stream this often keeps proxies from closing it.
const PING_EVERY: u32 = 15;

/// Added before `</body>` of every HTML page served.
const RELOAD_SCRIPT: &str = "<script>/* hindsight serve: live reload */(function(){if(!window.EventSource)return;var s=window.__hindsightEvents=new EventSource(\"/__hindsight/events\");s.addEventListener(\"reload\",function(){location.reload();});})();</script>";

/// A problem shown over every page until it is fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// "content/x.md:3" or "template postmortem.html".
    pub place: String,
    pub message: String,
}

impl Problem {
    /// A file-level problem found while reading content (`place` is the file).
    pub fn from_diagnostic(place: &str, d: &Diagnostic) -> Problem {
        Problem {
            place: match d.line {
                Some(l) => format!("{place}:{l}"),
                None => place.to_owned(),
            },
            message: d.message.clone(),
        }
    }

    /// An error that stopped a build; paths are shown relative to the site `root`.
    pub fn from_error(e: &Error, root: &Path) -> Problem {
        let rel = |p: &Path| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
        match e {
            Error::Config {
                path,
                line,
                message,
                ..
            } => Problem {
                place: match line {
                    Some(l) => format!("{}:{l}", rel(path)),
                    None => rel(path),
                },
                message: message.clone(),
            },
            Error::Io { path, source } => Problem {
                place: rel(path),
                message: source.to_string(),
            },
            Error::Output { path, message } => Problem {
                place: rel(path),
                message: message.clone(),
            },
            Error::Template { name, message } => Problem {
                place: format!("template {name}"),
                message: message.clone(),
            },
            Error::Usage(message) => Problem {
                place: "site".into(),
                message: message.clone(),
            },
            Error::Strict { .. } => Problem {
                place: "site".into(),
                message: e.to_string(),
            },
        }
    }
}

struct Shared {
    /// The output folder, canonical.
    root: PathBuf,
    generation: AtomicU64,
    clients: Mutex<Vec<SyncSender<String>>>,
    problems: RwLock<Vec<Problem>>,
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
}

/// One of at most `max` places counted by `count`, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(count: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(count.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running preview server.
#[derive(Clone)]
pub struct Preview {
    shared: Arc<Shared>,
    pub addr: SocketAddr,
}

/// Binds `ip:port`; when the port is taken, falls back to a free one. Returns the
/// listener and whether it fell back.
pub fn bind(ip: IpAddr, port: u16) -> std::io::Result<(TcpListener, bool)> {
    match TcpListener::bind((ip, port)) {
        Ok(l) => Ok((l, false)),
        Err(e) if port != 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
            Ok((TcpListener::bind((ip, 0))?, true))
        }
        Err(e) => Err(e),
    }
}

impl Preview {
    /// Serves `out_dir` on `listener` from a background thread.
    pub fn start(listener: TcpListener, out_dir: &Path) -> std::io::Result<Preview> {
        let addr = listener.local_addr()?;
        let root = out_dir
            .canonicalize()
            .unwrap_or_else(|_| out_dir.to_owned());
        let shared = Arc::new(Shared {
            root,
            generation: AtomicU64::new(0),
            clients: Mutex::new(Vec::new()),
            problems: RwLock::new(Vec::new()),
            connections: Arc::new(AtomicUsize::new(0)),
            streams: Arc::new(AtomicUsize::new(0)),
        });
        let accept = shared.clone();
        std::thread::Builder::new()
            .name("hindsight-accept".into())
            .spawn(move || accept_loop(listener, accept))?;
        Ok(Preview { shared, addr })
    }

    /// Replaces the problems shown over pages (empty clears the overlay).
    pub fn set_problems(&self, problems: Vec<Problem>) {
        *self
            .shared
            .problems
            .write()
            .unwrap_or_else(|e| e.into_inner()) = problems;
    }

    /// Tells every open page to reload.
    pub fn reload(&self) {
        let g = self.shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let msg = format!("event: reload\ndata: {g}\n\n");
        let mut clients = self
            .shared
            .clients
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.try_send(msg.clone()).is_ok());
    }
}

/// Hands each connection to a thread of its own while there is a place for it; past
/// [`MAX_CONNECTIONS`], answers 503 at once without waiting on the client.
fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            // Out of file descriptors, say: give the open connections time to end.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let Some(slot) = Slot::take(&shared.connections, MAX_CONNECTIONS) else {
            refuse_busy(stream);
            continue;
        };
        let shared = shared.clone();
        // When no thread can be had, the closure is dropped and the connection closed.
        let _ = std::thread::Builder::new()
            .name("hindsight-http".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let _slot = slot;
                let _ = handle(stream, &shared);
            });
    }
}

/// "503" to a connection over the cap, from the accepting thread: nothing here blocks.
fn refuse_busy(stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut s = &stream;
    // What the client already sent is read, so closing does not reset the connection
    // before it reads the answer.
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        if !matches!(s.read(&mut sink), Ok(1..)) {
            break;
        }
    }
    let body = "503 Service Unavailable: too many connections\n";
    let _ = write!(
        s,
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.shutdown(Shutdown::Write);
}

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    File(PathBuf),
    /// A folder asked for without its trailing slash: relative links need it.
    Redirect(String),
    NotFound,
    Forbidden,
}

/// Maps a request path onto a file inside `root`, refusing anything that would leave it.
fn resolve(root: &Path, raw_path: &str) -> Target {
    let Some(decoded) = percent_decode(raw_path) else {
        return Target::Forbidden;
    };
    if !decoded.starts_with('/') || decoded.contains('\\') || decoded.contains('\0') {
        return Target::Forbidden;
    }
    let mut path = root.to_owned();
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    for &seg in &segments {
        if seg == ".." || seg == "." {
            return Target::Forbidden;
        }
        if seg.starts_with('.') {
            return Target::NotFound;
        }
        if Path::new(seg)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Target::Forbidden;
        }
        path.push(seg);
    }
    if path.is_dir() {
        if !decoded.ends_with('/') {
            return Target::Redirect(folder_path(&segments));
        }
        path.push("index.html");
    }
    // Links inside the output that lead outside it are refused like `..`.
    match path.canonicalize() {
        Ok(real) if !real.starts_with(root) => Target::Forbidden,
        Ok(real) if real.is_file() => Target::File(real),
        _ => Target::NotFound,
    }
}

/// The folder `segments` as a path on this host: one leading slash (never `//`, which a
/// browser reads as another host), each segment percent-encoded where it must be, and
/// the trailing slash.
fn folder_path(segments: &[&str]) -> String {
    let mut out = String::from("/");
    for seg in segments {
        for b in seg.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out.push('/');
    }
    out
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        _ => "application/octet-stream",
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    /// The path of the target, without its query.
    path: String,
    /// The `Host` header, or the authority of an absolute target.
    host: Option<String>,
    if_none_match: Option<String>,
}

/// Why no request could be read.
#[derive(Debug)]
enum HeadError {
    /// The client went away (or never sent anything).
    Closed,
    /// The head did not arrive whole by the deadline.
    TimedOut,
    TooLarge,
    Io(std::io::Error),
}

/// Reads the request head (up to and without the blank line), all of it by `deadline`
/// whatever the pace of the client: the timeout of each read is what is left.
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::TimedOut);
        }
        stream.set_read_timeout(Some(left)).map_err(HeadError::Io)?;
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HeadError::TimedOut);
            }
            Err(e) => return Err(HeadError::Io(e)),
        };
        // The end may straddle two reads.
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        match head_end(&buf[from..]).map(|end| from + end) {
            Some(end) if end <= MAX_HEAD => {
                buf.truncate(end);
                return Ok(buf);
            }
            Some(_) => return Err(HeadError::TooLarge),
            None if buf.len() > MAX_HEAD => return Err(HeadError::TooLarge),
            None => {}
        }
    }
}

/// Where the blank line that ends a head starts in `buf` (CRLF, or bare LF).
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = buf.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

const BAD_REQUEST: &str = "400 Bad Request";

/// A token character (RFC 9110): what methods and header names are made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Parses a request head strictly; the error is the status line to answer with.
fn parse_head(head: &[u8]) -> Result<Request, &'static str> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BAD_REQUEST);
    };
    if method.is_empty() || !method.bytes().all(is_tchar) {
        return Err(BAD_REQUEST);
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BAD_REQUEST);
    }
    match version.strip_prefix("HTTP/").map(str::as_bytes) {
        Some(b"1.1" | b"1.0") => {}
        Some([major, b'.', minor]) if major.is_ascii_digit() && minor.is_ascii_digit() => {
            return Err("505 HTTP Version Not Supported");
        }
        _ => return Err(BAD_REQUEST),
    }
    let mut hosts = Vec::new();
    let mut if_none_match = None;
    for line in lines {
        // Folded lines are obsolete and a way to smuggle headers.
        if line.starts_with([' ', '\t']) {
            return Err(BAD_REQUEST);
        }
        let (name, value) = line.split_once(':').ok_or(BAD_REQUEST)?;
        let value = value.trim_matches([' ', '\t']);
        if name.is_empty()
            || !name.bytes().all(is_tchar)
            || value.chars().any(|c| c.is_control() && c != '\t')
        {
            return Err(BAD_REQUEST);
        }
        if name.eq_ignore_ascii_case("host") {
            hosts.push(value.to_owned());
        } else if name.eq_ignore_ascii_case("if-none-match") {
            if_none_match = Some(value.to_owned());
        }
    }
    if hosts.len() > 1 || (hosts.is_empty() && version == "HTTP/1.1") {
        return Err(BAD_REQUEST);
    }
    let mut host = hosts.pop();
    // An absolute target names the host itself, and wins over the header.
    let path = if target.starts_with('/') {
        target
    } else if target.len() > 7 && target[..7].eq_ignore_ascii_case("http://") {
        let rest = &target[7..];
        let at = rest.find('/').unwrap_or(rest.len());
        host = Some(rest[..at].to_owned());
        if at == rest.len() { "/" } else { &rest[at..] }
    } else {
        return Err(BAD_REQUEST);
    };
    Ok(Request {
        method: method.to_owned(),
        path: path.split(['?', '#']).next().unwrap_or("/").to_owned(),
        host,
        if_none_match,
    })
}

/// Whether `host` names this server: `localhost`, a loopback address, or the address
/// the connection came to (`local`), with our port if it has one. A request without a
/// host (HTTP/1.0) is one no browser page can send.
fn host_allowed(host: Option<&str>, local: SocketAddr) -> bool {
    let Some(host) = host else { return true };
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, after)) => (ip, after),
            None => return false,
        },
        None => match host.find(':') {
            Some(at) => (&host[..at], &host[at..]),
            None => (host, ""),
        },
    };
    let port_ok = match port {
        "" => true,
        p => p
            .strip_prefix(':')
            .and_then(|p| p.parse::<u16>().ok())
            .is_some_and(|p| p == local.port()),
    };
    let bracketed = host.starts_with('[');
    let name_ok = if bracketed {
        name.parse::<std::net::Ipv6Addr>()
            .is_ok_and(|ip| ok_ip(IpAddr::V6(ip), local))
    } else {
        name.eq_ignore_ascii_case("localhost")
            || name
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|ip| ok_ip(IpAddr::V4(ip), local))
    };
    port_ok && name_ok
}

fn ok_ip(ip: IpAddr, local: SocketAddr) -> bool {
    let ip = ip.to_canonical();
    ip.is_loopback() || ip == local.ip().to_canonical()
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    if !head {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Answers an error and closes; what the client still sends is read for a moment
/// first, so that it gets the answer rather than a reset connection.
fn refuse(stream: &mut TcpStream, status: &str, message: &str) -> std::io::Result<()> {
    let body = format!("{status}: {message}\n");
    let sent = respond(
        stream,
        status,
        &[("Content-Type", "text/plain; charset=utf-8".into())],
        body.as_bytes(),
        false,
    );
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 256 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(n @ 1..) => drained += n,
            _ => break,
        }
    }
    sent
}

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let local = stream.local_addr()?;
    let req = match read_head(&mut stream, Instant::now() + HEAD_DEADLINE) {
        Ok(head) => match parse_head(&head) {
            Ok(req) => req,
            Err(status) => return refuse(&mut stream, status, "malformed request"),
        },
        Err(HeadError::Closed) => return Ok(()),
        Err(HeadError::TimedOut) => {
            return refuse(
                &mut stream,
                "408 Request Timeout",
                "the request did not arrive in time",
            );
        }
        Err(HeadError::TooLarge) => {
            return refuse(
                &mut stream,
                "431 Request Header Fields Too Large",
                "the request head is too large",
            );
        }
        Err(HeadError::Io(e)) => return Err(e),
    };
    if !host_allowed(req.host.as_deref(), local) {
        return refuse(
            &mut stream,
            "421 Misdirected Request",
            "this preview answers only to localhost",
        );
    }
    let head = req.method == "HEAD";
    if req.method != "GET" && !head {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            &[("Allow", "GET, HEAD".into())],
            b"",
            false,
        );
    }
    if req.path == EVENTS_PATH {
        return events(stream, shared);
    }
    let (status, file) = match resolve(&shared.root, &req.path) {
        Target::File(f) => ("200 OK", Some(f)),
        Target::Redirect(to) => {
            return respond(
                &mut stream,
                "301 Moved Permanently",
                &[("Location", to)],
                b"",
                head,
            );
        }
        Target::Forbidden => {
            return respond(
                &mut stream,
                "403 Forbidden",
                &[("Content-Type", "text/plain; charset=utf-8".into())],
                b"403 Forbidden: outside the site\n",
                head,
            );
        }
        Target::NotFound => ("404 Not Found", resolve_404(&shared.root)),
    };
    let (mut body, ctype) = match &file {
        Some(f) => (std::fs::read(f).unwrap_or_default(), content_type(f)),
        None => (
            b"<!doctype html><title>Not found</title><h1>Not found</h1>".to_vec(),
            "text/html; charset=utf-8",
        ),
    };
    if ctype.starts_with("text/html") {
        body = inject(
            &body,
            &shared.problems.read().unwrap_or_else(|e| e.into_inner()),
        );
    }
    let etag = {
        let mut h = DefaultHasher::new();
        h.write(&body);
        format!("\"{:016x}\"", h.finish())
    };
    let headers = [
        ("Content-Type", ctype.to_owned()),
        // Always revalidate: a rebuilt page must never come from a stale cache.
        ("Cache-Control", "no-cache".into()),
        ("ETag", etag.clone()),
    ];
    if status == "200 OK" && req.if_none_match.as_deref() == Some(etag.as_str()) {
        return respond(&mut stream, "304 Not Modified", &headers, b"", true);
    }
    respond(&mut stream, status, &headers, &body, head)
}

fn resolve_404(root: &Path) -> Option<PathBuf> {
    let p = root.join("404.html");
    p.is_file().then_some(p)
}

/// The reload script, and the problem overlay when something is broken, before `</body>`.
fn inject(html: &[u8], problems: &[Problem]) -> Vec<u8> {
    let mut extra = String::from(RELOAD_SCRIPT);
    if !problems.is_empty() {
        extra.push_str(&overlay(problems));
    }
    let lower: Vec<u8> = html.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn overlay(problems: &[Problem]) -> String {
    let mut items = String::new();
    for p in problems.iter().take(20) {
        items.push_str(&format!(
            "<li style=\"margin:6px 0\"><code style=\"color:#ffd7a8\">{}</code><br><span style=\"white-space:pre-wrap\">{}</span></li>",
            escape(&p.place),
            escape(&p.message)
        ));
    }
    if problems.len() > 20 {
        items.push_str(&format!("<li>… and {} more</li>", problems.len() - 20));
    }
    format!(
        "<div id=\"hindsight-overlay\" role=\"alert\" style=\"position:fixed;left:16px;right:16px;bottom:16px;z-index:2147483647;max-height:60vh;overflow:auto;background:#1d1f24;color:#f4f4f5;border:2px solid #ff7b6e;border-radius:10px;padding:14px 18px;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.45);text-align:left\"><strong style=\"color:#ff8a80;font-size:15px\">Hindsight: {} problem{} to fix</strong><ul style=\"margin:8px 0;padding-left:20px\">{items}</ul><p style=\"margin:0;opacity:.75\">Until it is fixed, the last good version of each page is shown. Save the fix and this goes away by itself.</p></div>",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )
}

/// The server-sent event stream: one message per rebuild, a comment now and then to
/// keep the connection alive. At most [`MAX_STREAMS`] at once; a stream whose page has
/// gone is noticed within a second and ends.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(_slot) = Slot::take(&shared.streams, MAX_STREAMS) else {
        return refuse(
            &mut stream,
            "503 Service Unavailable",
            "too many open reload streams",
        );
    };
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\nX-Content-Type-Options: nosniff\r\n\r\nretry: 1000\n: connected\n\n")?;
    stream.flush()?;
    let (tx, rx) = sync_channel::<String>(16);
    shared
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    let mut idle = 0;
    loop {
        let msg = match rx.recv_timeout(STREAM_TICK) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                if gone(&stream) {
                    return Ok(());
                }
                idle += 1;
                if idle < PING_EVERY {
                    continue;
                }
                ": ping\n\n".to_owned()
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        idle = 0;
        stream.write_all(msg.as_bytes())?;
        stream.flush()?;
    }
}

/// Whether the client at the other end of a reload stream has closed it (it never
/// sends anything once the stream is open; what it might send is thrown away).
fn gone(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut buf = [0u8; 512];
    let gone = loop {
        match (&*stream).read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break true,
        }
    };
    stream.set_nonblocking(false).is_err() || gone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hindsight-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("public/incidents/a")).unwrap();
        std::fs::write(
            d.join("public/index.html"),
            "<html><body>home</body></html>",
        )
        .unwrap();
        std::fs::write(d.join("public/incidents/a/index.html"), "a").unwrap();
        std::fs::write(d.join("public/.hindsight-output"), "x").unwrap();
        std::fs::write(d.join("secret.txt"), "secret").unwrap();
        d.canonicalize().unwrap()
    }

    #[test]
    fn resolves_inside_and_refuses_outside() {
        let d = site("resolve");
        let root = d.join("public");
        assert_eq!(resolve(&root, "/"), Target::File(root.join("index.html")));
        assert_eq!(
            resolve(&root, "/incidents/a/"),
            Target::File(root.join("incidents/a/index.html"))
        );
        assert_eq!(
            resolve(&root, "/incidents/a"),
            Target::Redirect("/incidents/a/".into())
        );
        assert_eq!(resolve(&root, "/nope"), Target::NotFound);
        assert_eq!(resolve(&root, "/.hindsight-output"), Target::NotFound);
        for evil in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/a\\..\\secret.txt",
            "/%00",
            "relative",
            "/%zz",
        ] {
            assert_eq!(resolve(&root, evil), Target::Forbidden, "{evil}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("secret.txt"), root.join("leak.txt")).unwrap();
            assert_eq!(resolve(&root, "/leak.txt"), Target::Forbidden);
        }
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn redirects_are_to_one_path_on_this_host() {
        let d = site("redirect");
        let root = d.join("public");
        for (asked, to) in [
            ("//incidents", "/incidents/"),
            ("///incidents//a", "/incidents/a/"),
            ("/%2Fincidents", "/incidents/"),
            ("//incidents/%61", "/incidents/a/"),
        ] {
            assert_eq!(
                resolve(&root, asked),
                Target::Redirect(to.into()),
                "{asked}"
            );
        }
        std::fs::create_dir_all(root.join("a b?#")).unwrap();
        assert_eq!(
            resolve(&root, "//a%20b%3F%23"),
            Target::Redirect("/a%20b%3F%23/".into())
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    fn parse(head: &str) -> Result<Request, &'static str> {
        parse_head(head.as_bytes())
    }

    #[test]
    fn request_heads_are_parsed_strictly() {
        let r =
            parse("GET /a/b?x=1 HTTP/1.1\r\nHost: localhost:1111\r\nIf-None-Match: \"e\"").unwrap();
        assert_eq!(
            r,
            Request {
                method: "GET".into(),
                path: "/a/b".into(),
                host: Some("localhost:1111".into()),
                if_none_match: Some("\"e\"".into()),
            }
        );
        // An absolute target names its host; HTTP/1.0 may have none.
        let r = parse("GET http://127.0.0.1:1111/x HTTP/1.1\r\nHost: other").unwrap();
        assert_eq!(
            (r.path.as_str(), r.host.as_deref()),
            ("/x", Some("127.0.0.1:1111"))
        );
        assert_eq!(parse("GET / HTTP/1.0").unwrap().host, None);
        for bad in [
            "",
            "HELLO",
            "\u{16}\u{3}\u{1}\u{2}",
            "GET /",
            "GET / HTTP/1.1 extra\r\nHost: x",
            "GET  / HTTP/1.1\r\nHost: x",
            "G(T / HTTP/1.1\r\nHost: x",
            "GET /a\u{7f}b HTTP/1.1\r\nHost: x",
            "GET relative HTTP/1.1\r\nHost: x",
            "GET https://x/ HTTP/1.1\r\nHost: x",
            "GET / HTTQ/1.1\r\nHost: x",
            "GET / HTTP/1.1",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b",
            "GET / HTTP/1.1\r\nHost: x\r\nno colon",
            "GET / HTTP/1.1\r\nHost: x\r\n folded: on",
            "GET / HTTP/1.1\r\nHost : x",
            "GET / HTTP/1.1\r\nHost: x\r\nX: a\u{1}b",
        ] {
            assert_eq!(parse(bad), Err(BAD_REQUEST), "{bad:?}");
        }
        assert_eq!(
            parse("GET / HTTP/2.0\r\nHost: x"),
            Err("505 HTTP Version Not Supported")
        );
    }

    #[test]
    fn only_hosts_naming_this_machine_are_answered() {
        let local: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for ok in [
            "localhost:1111",
            "LocalHost",
            "127.0.0.1:1111",
            "127.0.0.1",
            "[::1]:1111",
            "[::1]",
        ] {
            assert!(host_allowed(Some(ok), local), "{ok}");
        }
        assert!(host_allowed(None, local), "HTTP/1.0 without a host");
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost:2222",
            "localhost.evil.example:1111",
            "127.0.0.1.nip.io:1111",
            "localhost:",
            "localhost:1111:1111",
            "[::1",
            "::1",
            "",
            "10.0.0.1:1111",
        ] {
            assert!(!host_allowed(Some(bad), local), "{bad}");
        }
        // Bound to every interface: the address the connection came to is this machine.
        let lan: SocketAddr = "192.168.1.5:1111".parse().unwrap();
        assert!(host_allowed(Some("192.168.1.5:1111"), lan));
        assert!(!host_allowed(Some("192.168.1.6:1111"), lan));
        let v6: SocketAddr = "[fd00::5]:1111".parse().unwrap();
        assert!(host_allowed(Some("[fd00::5]:1111"), v6));
    }

    #[test]
    fn the_end_of_a_head_is_found_across_reads() {
        assert_eq!(head_end(b"GET / HTTP/1.0\r\n\r\nbody"), Some(14));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(14));
        assert_eq!(head_end(b"GET / HTTP/1.0\r\n"), None);
    }

    #[test]
    fn injects_the_script_and_the_overlay_before_body_end() {
        let out = String::from_utf8(inject(b"<html><BODY>x</BODY></html>", &[])).unwrap();
        assert!(out.contains("EventSource") && out.find("EventSource") < out.find("</BODY>"));
        let p = Problem {
            place: "content/x.md:3".into(),
            message: "front matter is <broken>".into(),
        };
        let out = String::from_utf8(inject(b"no body tag", &[p])).unwrap();
        assert!(out.contains("hindsight-overlay") && out.contains("content/x.md:3"));
        assert!(out.contains("&lt;broken&gt;"), "problem text is escaped");
    }

    #[test]
    fn falls_back_to_a_free_port() {
        let (taken, _) = bind("127.0.0.1".parse().unwrap(), 0).unwrap();
        let port = taken.local_addr().unwrap().port();
        let (other, fell_back) = bind("127.0.0.1".parse().unwrap(), port).unwrap();
        assert!(fell_back);
        assert_ne!(other.local_addr().unwrap().port(), port);
    }
}

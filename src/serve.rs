//! The preview server: serves the output folder over HTTP on the loopback interface,
//! tells open pages to reload after a rebuild (server-sent events), and lays a problem
//! overlay over pages while a file or template is broken.
//!
//! Deliberately small: HTTP/1.1 `GET`/`HEAD`, one thread per connection, no keep-alive
//! (but for the event stream). Only files inside the output folder are ever read: paths
//! with `..`, encoded or not, backslashes, hidden names or links that lead outside are
//! refused. The reload script and the overlay are added to HTML as it is sent; the
//! files on disk stay exactly what a build writes.

use crate::error::Error;
use crate::model::Diagnostic;
use crate::render::markdown::escape;
use std::hash::{DefaultHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Where open pages listen for reloads.
pub const EVENTS_PATH: &str = "/__hindsight/events";

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
        }
    }
}

struct Shared {
    /// The output folder, canonical.
    root: PathBuf,
    generation: AtomicU64,
    clients: Mutex<Vec<SyncSender<String>>>,
    problems: RwLock<Vec<Problem>>,
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
        });
        let accept = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = accept.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &shared);
                });
            }
        });
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

struct Request {
    method: String,
    path: String,
    if_none_match: Option<String>,
}

fn read_request(stream: &TcpStream) -> std::io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream.take(16 * 1024));
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let mut if_none_match = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':')
            && name.trim().eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
    }
    let path = target.split(['?', '#']).next().unwrap_or("/").to_owned();
    Ok(Some(Request {
        method: method.to_owned(),
        path,
        if_none_match,
    }))
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

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(req) = read_request(&stream)? else {
        return Ok(());
    };
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
/// keep the connection alive.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\nX-Content-Type-Options: nosniff\r\n\r\nretry: 1000\n: connected\n\n")?;
    stream.flush()?;
    let (tx, rx) = sync_channel::<String>(16);
    shared
        .clients
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    loop {
        let msg = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_owned(),
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        stream.write_all(msg.as_bytes())?;
        stream.flush()?;
    }
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

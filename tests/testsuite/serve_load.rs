//! `hindsight serve` under a bounded load on the loopback interface: a few thousand
//! requests from concurrent clients, slow clients that trickle their request a byte a
//! second, many open reload streams, and content edits (rebuilds) meanwhile.
//!
//! Asserts correctness only: every request answered as it should be, every stream told
//! of the rebuilds, every slow client dropped, the threads back to where they were. The
//! figures (latency percentiles, threads, memory) are printed; README.md's reliability
//! section records them, with the command that prints them.

use crate::common::{TestSite, good_postmortem};
use crate::serve::{Events, PATIENCE, Response, Server, threads_and_rss, threads_down_to};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const POSTMORTEMS: usize = 30;
const CLIENTS: usize = 16;
const REQUESTS_PER_CLIENT: usize = 250;
const STREAMS: usize = 40;
const SLOW_CLIENTS: usize = 20;
const EDITS: usize = 12;

/// One request on a connection of its own; an error instead of a panic.
fn fetch(addr: SocketAddr, path: &str) -> Result<Response, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(PATIENCE))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .map_err(|e| format!("receive: {e}"))?;
    Response::try_parse(&raw).ok_or_else(|| format!("not a response: {} bytes", raw.len()))
}

/// Sends a request a byte a second (bounded: at most 60 bytes); how long until the
/// server dropped it, or `None` if it waited for all of it.
fn slow_client(addr: SocketAddr) -> Option<Duration> {
    let head = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nX-Slow: {}\r\n\r\n",
        "z".repeat(20)
    );
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let started = Instant::now();
    let mut buf = [0u8; 512];
    for b in head.bytes().take(60) {
        if s.write_all(&[b]).is_err() {
            return Some(started.elapsed());
        }
        match s.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            // An answer (408), the end, or a reset: dropped.
            _ => return Some(started.elapsed()),
        }
    }
    None
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[test]
fn the_preview_server_holds_up_under_load() {
    let mut site = TestSite::new("serve-load").file("site.toml", "title = \"Load test\"\n");
    for i in 0..POSTMORTEMS {
        site = site.file(
            &format!("content/pm-{i:02}.md"),
            good_postmortem(&format!("Outage number {i}")),
        );
    }
    let server = Server::start(&site, &[]);
    let addr = server.addr;
    let pid = server.pid();
    for _ in 0..5 {
        assert_eq!(server.get("/").status, 200);
    }
    let (threads_before, rss_before) = threads_and_rss(pid);

    // The peak of threads and memory, sampled while the load runs.
    let stop = Arc::new(AtomicBool::new(false));
    let monitor = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut peak = (0, 0);
            while !stop.load(Ordering::SeqCst) {
                let (t, r) = threads_and_rss(pid);
                peak = (peak.0.max(t), peak.1.max(r));
                std::thread::sleep(Duration::from_millis(50));
            }
            peak
        })
    };

    let mut streams: Vec<Events> = (0..STREAMS).map(|_| server.events()).collect();
    let slow: Vec<_> = (0..SLOW_CLIENTS)
        .map(|_| std::thread::spawn(move || slow_client(addr)))
        .collect();
    let content = site.dir.join("content");
    let editor = std::thread::spawn(move || {
        for n in 0..EDITS {
            std::thread::sleep(Duration::from_millis(100));
            std::fs::write(
                content.join(format!("pm-{:02}.md", n % POSTMORTEMS)),
                good_postmortem(&format!("Outage number {n}, edit {n}")),
            )
            .unwrap();
        }
    });
    // What each client asks for, in turn, and the status it must get.
    let asks: [(&str, u16); 6] = [
        ("/", 200),
        ("/incidents/pm-03/", 200),
        ("/static/style.css", 200),
        ("/tags/", 200),
        ("/no/such/page/", 404),
        ("/incidents/pm-04", 301),
    ];
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                for i in 0..REQUESTS_PER_CLIENT {
                    let (path, want) = asks[(c + i) % asks.len()];
                    let t = Instant::now();
                    match fetch(addr, path) {
                        Ok(r)
                            if r.status == want
                                && (want != 301
                                    || r.header("location") == Some(&format!("{path}/"))) =>
                        {
                            latencies.push(t.elapsed())
                        }
                        Ok(r) => errors.push(format!("{path}: {}", r.status)),
                        Err(e) => errors.push(format!("{path}: {e}")),
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for c in clients {
        let (l, e) = c.join().unwrap();
        latencies.extend(l);
        errors.extend(e);
    }
    let load_time = started.elapsed();
    editor.join().unwrap();
    // The last edit is served once its rebuild is done (bounded wait).
    let deadline = Instant::now() + PATIENCE;
    let last = EDITS - 1;
    let edited = format!("/incidents/pm-{:02}/", last % POSTMORTEMS);
    while !server.get(&edited).body.contains(&format!("edit {last}")) {
        assert!(Instant::now() < deadline, "the last edit was never served");
        std::thread::sleep(Duration::from_millis(100));
    }
    for s in &mut streams {
        s.reload();
    }
    let dropped: Vec<Option<Duration>> = slow.into_iter().map(|s| s.join().unwrap()).collect();
    stop.store(true, Ordering::SeqCst);
    let (threads_peak, rss_peak) = monitor.join().unwrap();
    drop(streams);
    let threads_after = threads_down_to(pid, threads_before + 1);
    let (_, rss_after) = threads_and_rss(pid);

    latencies.sort();
    let drops: Vec<f64> = dropped.iter().flatten().map(|d| d.as_secs_f64()).collect();
    let requests = CLIENTS * REQUESTS_PER_CLIENT;
    println!(
        "serve load: {requests} requests from {CLIENTS} clients in {:.1} s ({:.0}/s), {} errors; latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        load_time.as_secs_f64(),
        requests as f64 / load_time.as_secs_f64(),
        errors.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    let range = match (
        drops.iter().cloned().reduce(f64::min),
        drops.iter().cloned().reduce(f64::max),
    ) {
        (Some(a), Some(b)) => format!("after {a:.1}–{b:.1} s"),
        _ => "at all".to_owned(),
    };
    println!(
        "serve load: {EDITS} edits rebuilt during the load, {STREAMS} reload streams each told; {} of {SLOW_CLIENTS} slow clients (1 byte/s) dropped {range}",
        drops.len(),
    );
    println!(
        "serve load: threads {threads_before} before, {threads_peak} at peak, {threads_after} after; VmRSS {} MiB before, {} MiB at peak, {} MiB after",
        rss_before / 1024,
        rss_peak / 1024,
        rss_after / 1024
    );
    assert!(
        errors.is_empty(),
        "{} errors: {:?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
    assert!(
        dropped.iter().all(Option::is_some),
        "slow clients that were never dropped: {dropped:?}"
    );
    assert!(
        threads_after <= threads_before + 1,
        "{threads_after} threads after the load, {threads_before} before"
    );
}

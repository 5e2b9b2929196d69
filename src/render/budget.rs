//! What rendering one page may cost, and what happens past it.
//!
//! A template can loop for ever (`{% for a in range(end=100000) %}{% for b in
//! range(end=100000) %}x{% endfor %}{% endfor %}` writes ten gigabytes). Every page is
//! rendered within [`Limits`]: its output goes through a writer that fails once the
//! page passes its size or its time, and `range()` (the usual way to loop without data)
//! checks the clock each time it is called. Either stops the page with an error that
//! names its template, and the line where Tera (or the text it was writing) tells it.
//!
//! A loop that neither writes nor calls anything cannot be stopped from inside: Rust
//! cannot kill a thread. [`guarded`] runs a build on a thread of its own and a
//! [`Watchdog`] follows every page being rendered; a page still running well past its
//! time is reported and its build is left behind, so `serve` keeps watching and the
//! next build starts afresh, on threads of its own.

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tera::{Kwargs, State};

/// What one page may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Wall time for rendering the page's template.
    pub time: Duration,
    /// Bytes of output.
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            bytes: 50 * 1024 * 1024,
        }
    }
}

/// How long past its time `limit` a page may still run before the watchdog gives up
/// on it: the checks inside rendering come first whenever the template writes or loops
/// with `range()`.
fn grace(limit: Duration) -> Duration {
    (limit / 2).max(Duration::from_secs(1))
}

/// Why a page was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    Size,
    Time,
    Cancelled,
}

/// Follows the pages being rendered by one build; cancels them on request.
#[derive(Default)]
pub struct Watchdog {
    cancelled: Arc<AtomicBool>,
    next: AtomicU64,
    /// id → (template, started, limit).
    flights: Mutex<BTreeMap<u64, (String, Instant, Duration)>>,
}

impl Watchdog {
    /// Makes every page of this build stop at its next check (and every later one
    /// stop at once).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// The page that has run longest past its time and grace, if one has.
    fn overdue(&self) -> Option<(String, Duration, Duration)> {
        let flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        flights
            .values()
            .map(|(name, started, limit)| (name, started.elapsed(), *limit))
            .filter(|(_, elapsed, limit)| *elapsed > *limit + grace(*limit))
            .max_by_key(|(_, elapsed, _)| *elapsed)
            .map(|(name, elapsed, limit)| (name.clone(), elapsed, limit))
    }

    fn take_off(&self, template: &str, limit: Duration) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, (template.to_owned(), Instant::now(), limit));
        id
    }

    fn land(&self, id: u64) {
        self.flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

/// One page being rendered: its clock and its build. Lives on the rendering thread
/// for `range()` to see.
#[derive(Clone)]
struct Page {
    limits: Limits,
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
}

impl Page {
    fn check_time(&self) -> Option<Stop> {
        if self.cancelled.load(Ordering::Relaxed) {
            Some(Stop::Cancelled)
        } else if Instant::now() > self.deadline {
            Some(Stop::Time)
        } else {
            None
        }
    }
}

thread_local! {
    /// The page this thread is rendering, and why it was stopped if it was.
    static CURRENT: RefCell<Option<(Page, Option<Stop>)>> = const { RefCell::new(None) };
}

/// The output of one page: fails once the page is over its budget.
struct PageWriter<'a> {
    out: Vec<u8>,
    page: &'a Page,
    writes: u32,
    stop: Option<Stop>,
    /// What was being written when the page was stopped.
    last: Vec<u8>,
}

impl std::io::Write for PageWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writes = self.writes.wrapping_add(1);
        let stop = if self.out.len() + buf.len() > self.page.limits.bytes {
            Some(Stop::Size)
        } else if self.writes.is_multiple_of(64) || buf.len() > 4096 {
            self.page.check_time()
        } else {
            None
        };
        if let Some(stop) = stop {
            self.stop = Some(stop);
            self.last = buf[..buf.len().min(200)].to_vec();
            return Err(std::io::Error::other("page over its budget"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What went wrong rendering a page within its budget.
pub(crate) enum Failure {
    /// Over budget: the message to show, with the place where it was, if known.
    Stopped(String),
    /// A template error of its own (or a budget stop Tera located), from Tera.
    Tera(tera::Error),
}

/// Renders with `render` into a capped writer, on this thread, followed by `watchdog`.
pub(crate) fn render_page(
    template: &str,
    limits: Limits,
    watchdog: &Watchdog,
    locate: impl Fn(&[u8]) -> Option<String>,
    render: impl FnOnce(&mut dyn std::io::Write) -> tera::TeraResult<()>,
) -> std::result::Result<String, Failure> {
    if watchdog.is_cancelled() {
        return Err(Failure::Stopped(CANCELLED.into()));
    }
    let page = Page {
        limits,
        deadline: Instant::now() + limits.time,
        cancelled: watchdog.cancelled.clone(),
    };
    let id = watchdog.take_off(template, limits.time);
    let previous = CURRENT.with(|c| c.replace(Some((page.clone(), None))));
    let mut w = PageWriter {
        out: Vec::new(),
        page: &page,
        writes: 0,
        stop: None,
        last: Vec::new(),
    };
    let result = render(&mut w);
    let in_range = CURRENT.with(|c| c.replace(previous)).and_then(|(_, s)| s);
    watchdog.land(id);
    // A page that finished after its build was given up on is not written.
    let stop = w
        .stop
        .or(in_range)
        .or_else(|| watchdog.is_cancelled().then_some(Stop::Cancelled));
    match (result, stop) {
        (Ok(()), None) => String::from_utf8(w.out).map_err(|_| {
            Failure::Stopped("the page is not valid UTF-8 (a filter cut a character?)".into())
        }),
        (_, Some(Stop::Cancelled)) => Err(Failure::Stopped(CANCELLED.into())),
        // `range()` stopped it: Tera's error says where.
        (Err(e), Some(_)) if w.stop.is_none() => Err(Failure::Tera(e)),
        (_, Some(stop)) => {
            let mut msg = stop_message(stop, limits);
            if let Some(at) = locate(&w.last) {
                msg.push_str(&format!(
                    "; it was writing {:?}, the text at {at}",
                    String::from_utf8_lossy(&w.last)
                ));
            }
            Err(Failure::Stopped(msg))
        }
        (Err(e), None) => Err(Failure::Tera(e)),
    }
}

fn stop_message(stop: Stop, limits: Limits) -> String {
    match stop {
        Stop::Size => format!(
            "rendering stopped: the page passed {}, the limit per page (a loop that does not end?)",
            megabytes(limits.bytes)
        ),
        Stop::Time => format!(
            "rendering stopped: the page took longer than {}, the limit per page (a loop that does not end?)",
            seconds(limits.time)
        ),
        Stop::Cancelled => CANCELLED.into(),
    }
}

fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    format!("{} MB", trim_number(mb))
}

fn seconds(d: Duration) -> String {
    format!("{} s", trim_number(d.as_secs_f64()))
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// True when `e` is the error of a page stopped because its build was cancelled (not
/// a problem with the site: a newer build took its place).
pub fn is_cancelled(e: &Error) -> bool {
    matches!(e, Error::Template { message, .. } if message == CANCELLED)
}

pub(crate) const CANCELLED: &str = "rendering was cancelled";

/// Tera's `range()`, checking the page's clock each time a loop starts. Same
/// arguments, limits and errors as the built-in one.
pub(crate) fn range(kwargs: Kwargs, _: &State) -> tera::TeraResult<Vec<i128>> {
    let stopped = CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        let (page, stopped) = c.as_mut()?;
        let stop = page.check_time()?;
        *stopped = Some(stop);
        Some(stop_message(stop, page.limits))
    });
    if let Some(message) = stopped {
        return Err(tera::Error::message(message));
    }
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step_by = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if start > end && step_by > 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step_by == 0 {
        return Err(tera::Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    let overflow =
        || tera::Error::message("Function `range` was called with arguments that overflow i128");
    let len = if step_by > 0 {
        let span = end.checked_sub(start).ok_or_else(overflow)?;
        span.checked_add(step_by - 1).ok_or_else(overflow)? / step_by
    } else if start <= end {
        0
    } else {
        let step = step_by.checked_neg().ok_or_else(overflow)?;
        let span = start.checked_sub(end).ok_or_else(overflow)?;
        span.checked_add(step - 1).ok_or_else(overflow)? / step
    };
    const MAX_RANGE_LEN: i128 = 100_000;
    if len > MAX_RANGE_LEN {
        return Err(tera::Error::message(format!(
            "Function `range` would produce {len} elements, which exceeds the limit of {MAX_RANGE_LEN}"
        )));
    }
    Ok((0..len).map(|i| start + i * step_by).collect())
}

/// How often a waiting [`guarded`] looks at the watchdog and at `supersede`.
const TICK: Duration = Duration::from_millis(25);

/// Runs `work` on a thread of its own, followed by a [`Watchdog`], and waits for it.
///
/// When `supersede` says newer work is waiting, the build is cancelled: its pages stop
/// at their next check and `work` returns early (with [`is_cancelled`] errors). When a
/// page runs well past its time (a loop no check can see), the thread is left behind
/// and the error names the page's template; the caller must not wait for that work
/// or reuse what it held.
pub fn guarded<T: Send + 'static>(
    work: impl FnOnce(&Watchdog) -> T + Send + 'static,
    mut supersede: impl FnMut() -> bool,
) -> Result<T> {
    let dog = Arc::new(Watchdog::default());
    let (tx, rx) = sync_channel(1);
    let worker = {
        let dog = dog.clone();
        std::thread::Builder::new()
            .name("hindsight-build".into())
            .spawn(move || {
                let _ = tx.send(work(&dog));
            })
            .map_err(|e| Error::Usage(format!("cannot start a build thread: {e}")))?
    };
    loop {
        match rx.recv_timeout(TICK) {
            Ok(done) => {
                let _ = worker.join();
                return Ok(done);
            }
            Err(RecvTimeoutError::Disconnected) => match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => return Err(Error::Usage("the build thread stopped".into())),
            },
            Err(RecvTimeoutError::Timeout) => {
                if let Some((template, elapsed, limit)) = dog.overdue() {
                    dog.cancel();
                    return Err(Error::Template {
                        name: template,
                        message: format!(
                            "rendering did not finish and was given up after {} (the limit per page is {}): a loop that does not end? It writes nothing, so where it loops cannot be told",
                            seconds(Duration::from_secs(elapsed.as_secs())),
                            seconds(limit)
                        ),
                    });
                }
                if !dog.is_cancelled() && supersede() {
                    dog.cancel();
                }
            }
        }
    }
}

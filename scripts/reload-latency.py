#!/usr/bin/env python3
"""Measures how long a save takes to reach an open page in `hindsight serve`.

usage: scripts/reload-latency.py [N_POSTMORTEMS] [EDITS]   (default: 1000 20)

Generates a gallery of N postmortems (the benchmark's, scripts/bench.py), starts the release
binary's `serve` on a free port, listens on the reload event stream like an open page
does, then edits EDITS different postmortems one after another. For each edit it times
from the moment the file is written and closed to the moment the reload event arrives,
and checks that the page then served shows the edit. Prints the median, the spread, and
what each rebuild wrote.
"""
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PATIENCE = 60  # seconds before a missing event counts as a failure


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    edits = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    site = tempfile.mkdtemp(prefix="hindsight-latency-")
    try:
        spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "bench.py"))
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        bench.generate(n, site)
        run(site, n, edits)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def run(site, n, edits):
    binary = os.environ.get("HINDSIGHT_BIN") or os.path.join(REPO, "target", "release", "hindsight")
    server = subprocess.Popen(
        [binary, "--root", site, "--color", "never", "serve", "--port", "0", "--output", os.path.join(site, "public")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        host = port = None
        startup = []
        for line in server.stdout:
            startup.append(line.rstrip())
            m = re.match(r"Serving http://([\d.]+):(\d+)/", line)
            if m:
                host, port = m.group(1), int(m.group(2))
            if line.startswith("Watching"):
                break
        if port is None:
            sys.exit("serve did not start:\n" + "\n".join(startup))
        print("\n".join(l for l in startup if l.startswith("Built")))

        events = socket.create_connection((host, port))
        events.settimeout(PATIENCE)
        events.sendall(f"GET /__hindsight/events HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        buf = read_until(events, b"", b": connected\n\n")

        files = sorted(
            os.path.join(dirpath, f)
            for dirpath, _, names in os.walk(os.path.join(site, "content"))
            for f in names
        )
        step = max(1, len(files) // edits)
        times = []
        reports = []
        for i in range(edits):
            path = files[(i * step) % len(files)]
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            marker = f"Latency probe number {i} was here."
            # A sentence added at the end: what a writer's save looks like.
            text = text.rstrip("\n") + f"\n\n{marker}\n"
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            t0 = time.perf_counter()
            buf = read_until(events, buf, b"event: reload\n")
            buf = buf.split(b"event: reload\n", 1)[1]
            times.append((time.perf_counter() - t0) * 1000)
            reports.append(next_report(server))
            if not served(host, port, site, marker):
                sys.exit(f"edit {i}: no page shows the edit to {path} after the reload event")
            time.sleep(0.2)  # let the file system settle: edits are a person's saves
        times.sort()
        print(f"save -> reload event, {edits} edits on a gallery of {n} postmortems ({os.cpu_count()} cores):")
        print(
            f"  median {statistics.median(times):.0f} ms, min {times[0]:.0f} ms, "
            f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms, max {times[-1]:.0f} ms"
        )
        print("  (includes the 20 ms the watcher waits for a save's events to settle)")
        spent = sorted(int(m.group(1)) for r in reports if (m := re.search(r" in (\d+) ms$", r)))
        if spent:
            print(f"  the rebuild itself, as serve reports it: median {statistics.median(spent):.0f} ms")
        typical = statistics.mode(
            re.sub(r" in \d+ ms$", "", r.split(": ", 1)[1]) for r in reports if ": " in r
        )
        print("  a typical rebuild: " + typical)
        return {
            "edits": edits,
            "median_ms": round(statistics.median(times)),
            "p90_ms": round(times[int(len(times) * 0.9) - 1]),
            "max_ms": round(times[-1]),
            "typical_rebuild": typical,
        }
    finally:
        server.kill()
        server.wait()


def read_until(sock, buf, needle):
    deadline = time.monotonic() + PATIENCE
    while needle not in buf:
        if time.monotonic() > deadline:
            sys.exit(f"no {needle!r} from the event stream")
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("the event stream closed")
        buf += chunk
    return buf


def next_report(server):
    for line in server.stdout:
        if " changed:" in line:
            return line.strip()
    return ""


def served(host, port, site, marker):
    """Whether the incident page that should now hold `marker` is served with it."""
    incidents = os.path.join(site, "public", "incidents")
    for slug in os.listdir(incidents):
        page = os.path.join(incidents, slug, "index.html")
        # The listing's own pages (`page/2/`) and files are not incidents.
        if slug == "page" or not os.path.isfile(page):
            continue
        with open(page, encoding="utf-8") as fh:
            if marker in fh.read():
                return marker in (fetch(host, port, f"/incidents/{slug}/") or "")
    return False


def fetch(host, port, path):
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=PATIENCE) as r:
            return r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError:
        return None


if __name__ == "__main__":
    main()

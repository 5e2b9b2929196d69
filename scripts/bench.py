#!/usr/bin/env python3
"""The project's benchmark: full builds, `check`, and save-to-reload, against Hugo.

usage: scripts/bench.py [--sizes 1000,10000] [--runs 5] [--json FILE] [--no-reload]
                        [--settings "preview_images = false"]

For each size N it generates a deterministic gallery of N synthetic postmortems (about
540 words each, 8-12 timeline entries in several time formats and zones, 4-6 tags of 25,
a code block in about 30%, one file in ten plain text), then times, as medians of RUNS
interleaved runs of whole processes (`/usr/bin/time`): a full `hindsight build` (wall,
CPU, peak memory, files and bytes written), a second `build` into the same folder after
one postmortem is edited, `hindsight check` (and its throughput in MB of text a second),
and, when `hugo` is installed, a full build of a minimal Hugo site
over the same markdown, with the ratios of both builds to it. At 10,000 (or the largest size below it) it
also measures save -> reload in `hindsight serve` (scripts/reload-latency.py, 20 edits).
Prints a table, and the figures as JSON to FILE (default target/bench.json). --settings
adds lines to the generated site.toml (to compare a setting on and off).
"""
import argparse
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BINARY = os.path.join(REPO, "target", "release", "hindsight")

TAGS = [
    "database", "dns", "tls", "nginx", "cache", "memory", "disk", "deploy", "config",
    "network", "load-balancer", "queue", "cron", "auth", "payments", "cdn", "kubernetes",
    "redis", "mysql", "monitoring", "capacity", "rate-limit", "backup", "storage", "email",
]
SERVICES = [
    "checkout API", "login service", "search", "student portal", "image uploads",
    "payment webhooks", "notification emails", "ride booking", "report exports", "chat",
]
CAUSES = [
    ("a database connection pool", "too small for the new worker count"),
    ("an expired TLS certificate", "not renewed because the renewal job had been disabled"),
    ("a full root disk", "filled by debug logs that were never rotated"),
    ("a memory leak in the worker", "introduced by a release that kept every session"),
    ("a DNS record", "pointed at a private address during a migration"),
    ("a cron job", "that ran twice and locked the orders table"),
]
ZONES = ["UTC", "GMT", "WAT", "EAT", "CET", "PST", "GMT+1", "UTC-5"]
WORDS = (
    "the team checked logs metrics dashboards servers requests errors latency traffic "
    "users customers engineers service database cache queue alerts graphs deploy release "
    "configuration timeout retries capacity load memory disk network upstream backend"
).split()


def clock(rng, minutes, style):
    h, m = divmod(minutes % (24 * 60), 60)
    if style == 0:
        return f"{(h % 12) or 12}:{m:02d} {'AM' if h < 12 else 'PM'}"
    if style == 1:
        return f"{h:02d}:{m:02d}"
    return f"{h:02d}{m:02d}hrs"


def filler(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def postmortem(i, rng):
    """One postmortem in the benchmark's shape: (file name, text)."""
    service = rng.choice(SERVICES)
    thing, why = rng.choice(CAUSES)
    zone = rng.choice(ZONES)
    style = rng.randrange(3)
    start = rng.randrange(0, 22 * 60)
    length = rng.randrange(20, 300)
    day = 1 + i % 28
    month = ["January", "March", "May", "July", "September", "November"][i % 6]
    year = 2022 + i % 4
    share = rng.choice([5, 10, 25, 30, 40, 60, 75, 100])
    tags = rng.sample(TAGS, rng.randint(4, 6))
    entries = rng.randint(8, 12)
    title = f"{service.capitalize()} outage {i}: {thing}"
    lines = [
        "---",
        f'title: "{title}"',
        f"date: {year}-{(i % 12) + 1:02d}-{day:02d}",
        f"tags: [{', '.join(tags)}]",
        "---",
        "",
        "## Issue Summary",
        "",
        f"From {clock(rng, start, style)} to {clock(rng, start + length, style)} {zone} on "
        f"{month} {day}, {year}, the {service} was down: users saw errors and timeouts. "
        f"About {share}% of users were affected. The root cause was {thing} {why}. "
        + filler(rng, 40) + ".",
        "",
        f"## Timeline (all times {zone})",
        "",
    ]
    step = max(1, length // entries)
    kinds = [
        "A monitoring alert fired for the error rate.",
        "The on-call engineer investigated the logs and assumed a bad deploy.",
        "Misleading path: the team rolled back the release, but errors did not stop.",
        "Escalated to the database team.",
    ]
    for k in range(entries):
        what = kinds[k] if k < len(kinds) else filler(rng, rng.randint(10, 18)).capitalize() + "."
        if k == entries - 1:
            what = "The fix was deployed and the service recovered; incident resolved."
        lines.append(f"- {clock(rng, start + k * step, style)} - {what}")
    lines += [
        "",
        "## Root Cause and Resolution",
        "",
        f"The root cause was {thing}, {why}. " + filler(rng, 90) + ".",
        "",
        "We fixed it by changing the configuration, restarting the servers one by one and "
        "watching the error rate. " + filler(rng, 80) + ".",
        "",
    ]
    if rng.random() < 0.3:
        lines += ["```sh", "sudo systemctl restart app", "tail -n 50 /var/log/app/error.log", "```", ""]
    lines += [
        "## Corrective and Preventative Measures",
        "",
        "We will improve monitoring and capacity planning. " + filler(rng, 40) + ".",
        "",
        "- Add an alert on connection pool usage above 80%.",
        "- Add a load test to the release checklist.",
        "- Document the recovery steps in the runbook.",
        "",
    ]
    text = "\n".join(lines)
    name = f"pm-{i:06d}"
    if i % 10 == 9:
        # Plain text: no front matter, the title as the first line.
        body = text.split("---\n", 2)[2].replace("## ", "").replace("```sh\n", "").replace("```\n", "")
        return f"{name}.txt", f"{title}\n\n{body}"
    return f"{name}.md", text


def generate(n, site, settings=""):
    rng = random.Random(20261201)
    content = os.path.join(site, "content")
    for i in range(n):
        name, text = postmortem(i, rng)
        folder = os.path.join(content, f"cohort-{i % 20:02d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    with open(os.path.join(site, "site.toml"), "w") as fh:
        fh.write('title = "Benchmark gallery"\nbase_url = "/"\npaginate_by = 24\n')
        if settings:
            fh.write(settings.replace("\\n", "\n").rstrip("\n") + "\n")


def hugo_site(site, hugo):
    """A minimal Hugo site over the same markdown (Hugo reads no .txt)."""
    shutil.copytree(os.path.join(site, "content"), os.path.join(hugo, "content"),
                    ignore=shutil.ignore_patterns("*.txt"))
    layouts = os.path.join(hugo, "layouts", "_default")
    os.makedirs(layouts)
    page = "<!doctype html><html><head><title>{{ .Title }}</title></head><body>"
    with open(os.path.join(layouts, "single.html"), "w") as fh:
        fh.write(page + "<h1>{{ .Title }}</h1>{{ .Content }}"
                 "{{ range .Params.tags }}<a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a> {{ end }}</body></html>\n")
    with open(os.path.join(layouts, "list.html"), "w") as fh:
        fh.write(page + "<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}"
                 "<article><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a><p>{{ .Summary }}</p></article>"
                 "{{ end }}</body></html>\n")
    with open(os.path.join(hugo, "config.toml"), "w") as fh:
        fh.write('baseURL = "/"\ntitle = "Benchmark gallery"\npaginate = 24\n'
                 'disableKinds = ["RSS", "sitemap", "robotsTXT"]\n')


def timed(cmd, cwd=None):
    """Wall seconds, CPU seconds and peak RSS in MiB of one whole process."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *cmd], cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    last = out.stderr.strip().splitlines()[-1].split()
    wall, user, sys_, rss = float(last[0]), float(last[1]), float(last[2]), int(last[3])
    return {"wall_s": wall, "cpu_s": round(user + sys_, 2), "peak_mib": round(rss / 1024)}


def written(folder):
    files = size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            if name.startswith(".hindsight"):
                continue
            files += 1
            size += os.path.getsize(os.path.join(root, name))
    return {"files": files, "mb": round(size / 1e6, 1)}


def median_of(runs):
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def content_mb(site):
    return written(os.path.join(site, "content"))["mb"]


def bench(n, runs, hugo_bin, settings=""):
    site = tempfile.mkdtemp(prefix=f"hindsight-bench-{n}-")
    try:
        generate(n, site, settings)
        out = os.path.join(site, "public")
        build = [BINARY, "--root", site, "--quiet", "build"]
        check = [BINARY, "--root", site, "--quiet", "check", "--format", "json"]
        hugo_dir = os.path.join(site, "hugo")
        hugo = None
        if hugo_bin:
            hugo_site(site, hugo_dir)
            hugo = [hugo_bin, "--quiet", "--source", hugo_dir, "--destination",
                    os.path.join(hugo_dir, "public")]
        sources = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
                         for f in fs)
        ours, again, theirs, checks = [], [], [], []
        for run in range(runs):
            # Full builds from nothing, interleaved, so both see the same machine state.
            shutil.rmtree(out, ignore_errors=True)
            ours.append(timed(build))
            # Then one postmortem edited, and the same folder built again.
            with open(sources[(run * 7919) % len(sources)], "a") as fh:
                fh.write(f"\nEdited for run {run}: the on-call engineer added a note.\n")
            again.append(timed(build))
            if hugo:
                shutil.rmtree(os.path.join(hugo_dir, "public"), ignore_errors=True)
                theirs.append(timed(hugo))
            checks.append(timed(check))
        result = {
            "postmortems": n,
            "content_mb": content_mb(site),
            "build": median_of(ours) | written(out),
            "after_one_edit": median_of(again),
            "check": median_of(checks),
        }
        result["check"]["mb_per_s"] = round(result["content_mb"] / max(result["check"]["wall_s"], 1e-3), 1)
        if hugo:
            result["hugo"] = median_of(theirs) | written(os.path.join(hugo_dir, "public"))
            result["wall_vs_hugo"] = round(result["build"]["wall_s"] / result["hugo"]["wall_s"], 2)
            result["edit_vs_hugo"] = round(result["after_one_edit"]["wall_s"] / result["hugo"]["wall_s"], 3)
        return result
    finally:
        shutil.rmtree(site, ignore_errors=True)


def reload_latency(n, settings=""):
    spec = importlib.util.spec_from_file_location("latency", os.path.join(HERE, "reload-latency.py"))
    latency = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(latency)
    site = tempfile.mkdtemp(prefix=f"hindsight-bench-reload-{n}-")
    try:
        generate(n, site, settings)
        return latency.run(site, n, 20)
    finally:
        shutil.rmtree(site, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(REPO, "target", "bench.json"))
    ap.add_argument("--no-reload", action="store_true")
    ap.add_argument("--settings", default="", help="lines added to site.toml (\\n between them)")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    hugo_bin = shutil.which("hugo")
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"cores": os.cpu_count(), "runs": args.runs, "hugo": bool(hugo_bin),
               "settings": args.settings, "sizes": []}
    print(f"{'N':>7} {'build s':>8} {'cpu s':>6} {'MiB':>5} {'files':>7} {'MB out':>7} "
          f"{'check s':>8} {'MB/s':>6} {'hugo s':>7} {'hugo MiB':>8} {'vs hugo':>7} "
          f"{'edit s':>7} {'vs hugo':>7}")
    for n in sizes:
        r = bench(n, args.runs, hugo_bin, args.settings)
        results["sizes"].append(r)
        b, c, h, e = r["build"], r["check"], r.get("hugo", {}), r["after_one_edit"]
        print(f"{n:>7} {b['wall_s']:>8} {b['cpu_s']:>6} {b['peak_mib']:>5} {b['files']:>7} {b['mb']:>7} "
              f"{c['wall_s']:>8} {c['mb_per_s']:>6} {h.get('wall_s', '-'):>7} {h.get('peak_mib', '-'):>8} "
              f"{r.get('wall_vs_hugo', '-'):>7} {e['wall_s']:>7} {r.get('edit_vs_hugo', '-'):>7}",
              flush=True)
    if not args.no_reload:
        n = max([s for s in sizes if s <= 10000] or [min(sizes)])
        results["reload"] = {"postmortems": n, **reload_latency(n, args.settings)}
        rl = results["reload"]
        print(f"save -> reload at {n}: median {rl['median_ms']} ms, p90 {rl['p90_ms']} ms")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(results, fh, indent=2)
    print(f"figures as JSON: {args.json}")


if __name__ == "__main__":
    main()

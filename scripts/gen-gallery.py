#!/usr/bin/env python3
"""Generates a gallery of N synthetic postmortems for benchmarks.

usage: gen-gallery.py N OUT_DIR

Each file is one of the bundled samples (content/) with its names, times and numbers
varied, spread over cohort folders, so the build sees realistic, distinct text.
"""
import os
import random
import re
import sys

def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    content = os.path.join(here, "..", "content")
    samples = []
    for root, _, files in os.walk(content):
        for f in sorted(files):
            p = os.path.join(root, f)
            with open(p, encoding="utf-8") as fh:
                text = fh.read()
            if "draft = true" in text or len(text) < 1500:
                continue
            samples.append((f, text))
    rng = random.Random(42)
    os.makedirs(os.path.join(out, "content"), exist_ok=True)
    with open(os.path.join(out, "site.toml"), "w") as fh:
        fh.write('title = "Benchmark gallery"\npaginate_by = 24\n')
    for i in range(n):
        name, text = samples[i % len(samples)]
        cohort = f"cohort-{i % 20:02d}"
        pct = rng.randint(5, 100)
        text = re.sub(r"\b\d{1,2}%", f"{pct}%", text)
        text = text.replace("the ", rng.choice(["the ", "our ", "the "]), 3)
        stem, ext = os.path.splitext(name)
        d = os.path.join(out, "content", cohort)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"{stem}-{i:05d}{ext}"), "w", encoding="utf-8") as fh:
            fh.write(text)

if __name__ == "__main__":
    main()

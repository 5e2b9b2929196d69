//! The near-duplicate pairs of a folder of postmortems, with their similarity and the
//! passages they share, and the time the search took:
//! `cargo run --release --example copies -- DIR [--all] [--threshold=0.3]` (`--all` prints
//! the passages).

use hindsight::analyze::Analyzer;
use hindsight::config::Config;
use hindsight::copies::{self, Doc};
use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("usage: copies DIR [--all]");
        std::process::exit(2);
    };
    let all = args.iter().any(|a| a == "--all");
    let threshold = args
        .iter()
        .find_map(|a| a.strip_prefix("--threshold="))
        .map_or(copies::THRESHOLD, |t| t.parse().expect("a number"));
    let config = Config::default();
    let analyzer = Analyzer::new(&config);
    let found = hindsight::source::discover::discover(std::path::Path::new(dir));
    let files: Vec<_> = found
        .sources
        .par_iter()
        .map(|s| analyzer.analyze(s))
        .collect();
    let docs: Vec<(usize, usize)> = files
        .iter()
        .enumerate()
        .flat_map(|(f, r)| (0..r.entries.len()).map(move |e| (f, e)))
        .collect();
    let list: Vec<Doc> = docs
        .iter()
        .map(|&(f, e)| Doc {
            file: &files[f].path,
            version: files[f].fingerprint,
            print: &files[f].entries[e].print,
        })
        .collect();
    // What the build spends on the prints while reading (here made again, the same way).
    let t = Instant::now();
    let again: usize = docs
        .par_iter()
        .map(|&(f, e)| {
            let p = &files[f].entries[e].print;
            let lines = p.lines.iter().flat_map(|&(a, b)| a..=b);
            copies::Print::new(&files[f].text.unpack(), lines)
                .sample
                .len()
        })
        .sum();
    let printing = t.elapsed();
    let t = Instant::now();
    let found = copies::detect_at(&list, |i| files[docs[i].0].text.unpack(), threshold);
    let took = t.elapsed();
    for p in &found.pairs {
        let (a, b) = (&files[docs[p.a].0], &files[docs[p.b].0]);
        println!(
            "{:>3}%  {}  {}  ({} shared)",
            p.percent(),
            a.path,
            b.path,
            p.shared
        );
        if all {
            for s in &p.passages {
                println!(
                    "       {}:{}-{} ~ {}:{}-{} ({} words) {}",
                    a.path,
                    s.a_lines.0,
                    s.a_lines.1,
                    b.path,
                    s.b_lines.0,
                    s.b_lines.1,
                    s.words,
                    s.text
                );
            }
        }
    }
    println!(
        "prints: {again} sampled shingles in {:.1} ms",
        printing.as_secs_f64() * 1000.0
    );
    println!(
        "{} postmortems, {} pairs in {} families, {} template shingles cut, in {:.1} ms",
        list.len(),
        found.pairs.len(),
        found.families().len(),
        found.common,
        took.as_secs_f64() * 1000.0
    );
}

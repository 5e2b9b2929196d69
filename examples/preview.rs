//! The link-preview image of each postmortem in a file, and what drawing it costs.
//! `cargo run --release --example preview -- content/expired-tls-certificate.md /tmp/p.png 200`
//! writes the first postmortem's image to /tmp/p.png and draws each one 200 times,
//! printing the time per image (and the size of its PNG).

use hindsight::analyze::Analyzer;
use hindsight::config::Config;
use hindsight::render::preview::Preview;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: preview FILE [OUT.png] [TIMES]");
        std::process::exit(2);
    };
    let times: usize = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(20);
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let config = Config::default();
    let read = Analyzer::new(&config).analyze_bytes(file, None, &bytes);
    for (i, entry) in read.entries.iter().enumerate() {
        let preview = Preview::incident(&config.title, &entry.postmortem);
        let started = Instant::now();
        let svg: usize = (0..times).map(|_| preview.svg().len()).sum();
        let drawing = started.elapsed() / times as u32;
        let started = Instant::now();
        let png: usize = (0..times).map(|_| preview.png().len()).sum();
        let each = started.elapsed() / times as u32;
        println!(
            "{}: {each:.2?} an image ({drawing:.2?} of it the SVG, {} bytes), {} bytes of PNG",
            entry.postmortem.title,
            svg / times,
            png / times
        );
        if i == 0
            && let Some(out) = args.get(1)
        {
            std::fs::write(out, preview.png()).unwrap_or_else(|e| panic!("{out}: {e}"));
        }
    }
}

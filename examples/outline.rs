//! How Hindsight reads one file, line by line: each line's kind (heading and what it
//! names, bullet, text...), whether it is course text, and the postmortems and sections
//! found. A tool for working on the reader: `cargo run --example outline -- FILE`.

use hindsight::document::{Document, LineKind};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("readable file");
        let loaded = match hindsight::source::load_bytes(&bytes) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{path}: {}", e.message);
                continue;
            }
        };
        let markdown = !path.ends_with(".txt");
        let doc = Document::parse(loaded.body(), loaded.body_line, markdown);
        println!("== {path} (markdown: {})", doc.markdown);
        for l in &doc.lines {
            let kind = match l.kind {
                LineKind::Heading(h) => format!("H{} {:?} {:?}", h.level, h.style, h.kind),
                LineKind::Bullet { depth, .. } => format!("bullet {depth}"),
                k => format!("{k:?}").to_lowercase(),
            };
            let course = if l.boilerplate { "course " } else { "" };
            let text: String = l.text.chars().take(90).collect();
            println!("{:>4} {course}{kind:<28} {text}", l.number);
        }
        for (i, p) in doc.parts().iter().enumerate() {
            let title = p.title.map(|t| doc.lines[t].text.clone());
            println!("-- part {i}: lines {}..{} title {title:?}", p.start, p.end);
            for s in &p.sections {
                let at = s.heading.unwrap_or(s.start);
                let number = doc.lines.get(at).map_or(0, |l| l.number);
                let subs: Vec<String> = s
                    .subs
                    .iter()
                    .map(|sub| format!("{:?}@{}", sub.kind, doc.lines[sub.line].number))
                    .collect();
                println!("   {:?} from line {number} {}", s.kind, subs.join(" "));
            }
        }
    }
}

//! Prints the times, ranges, dates and durations Hindsight reads in each argument:
//! `cargo run --example times -- "from 10 PM to 2 AM WAT"`.

use hindsight::extract::time;

fn main() {
    for text in std::env::args().skip(1) {
        println!("{text}");
        // Each argument is read as a document of its own.
        time::begin(&text);
        for m in time::scan_times(&text) {
            let zone = m.zone.as_ref().map(|z| z.text.as_str()).unwrap_or("-");
            println!(
                "  time {} zone {zone} [{}]",
                m.label(),
                &text[m.span.clone()]
            );
        }
        for r in time::scan_time_ranges(&text) {
            println!("  range {} .. {}", r.start.label(), r.end.label());
        }
        for d in time::scan_dates(&text) {
            println!(
                "  date {:?}-{}-{} [{}]",
                d.year,
                d.month,
                d.day,
                &text[d.span.clone()]
            );
        }
        for d in time::scan_durations(&text) {
            println!("  duration {} min [{}]", d.minutes, &text[d.span.clone()]);
        }
    }
}

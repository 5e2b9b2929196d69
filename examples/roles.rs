//! How Hindsight reads the role of each argument: escalation, misleading lead, task.
//! `cargo run --example roles -- "Escalated to the DBA team."`

use hindsight::extract::roles;

fn main() {
    for text in std::env::args().skip(1) {
        println!(
            "{text}\n  escalation {} lead {:?} task {}",
            roles::escalation(&text),
            roles::lead(&text),
            roles::task(&text)
        );
    }
}

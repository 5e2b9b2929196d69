//! The `hindsight` command: parse arguments, call the library, map results to exit codes.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}

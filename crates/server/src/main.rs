//! The `scimhub` binary: parses the command line and runs it; everything
//! else lives in the library crates.

use clap::Parser;

fn main() {
    std::process::exit(scimhub_server::cli::run(scimhub_server::cli::Cli::parse()));
}

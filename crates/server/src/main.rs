//! The `scimhub` binary: parses the command line and runs it; everything
//! else lives in the library crates.

use clap::Parser;

/// mimalloc: rendering a page of resources allocates many small maps and
/// strings, which it serves faster, and with less fragmentation, than the
/// system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(scimhub_server::cli::run(scimhub_server::cli::Cli::parse()));
}

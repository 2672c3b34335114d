//! Structure-aware filters: any AST the `arbitrary` feature builds prints
//! to text; text that parses prints again to itself (the printer's output
//! is a fixed point), and nothing panics or overflows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimhub_filter::{Filter, parse_filter};

fuzz_target!(|filter: Filter| {
    if filter.depth() > 24 {
        return;
    }
    let printed = filter.to_string();
    if let Ok(parsed) = parse_filter(&printed) {
        let again = parsed.to_string();
        let reparsed = parse_filter(&again).expect("canonical text parses");
        assert_eq!(
            reparsed, parsed,
            "print/parse is not a fixed point for {again:?}"
        );
    }
});

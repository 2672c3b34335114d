//! PATCH path parsing: any text either fails with an error or parses to a
//! path whose canonical print parses back to the same path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimhub_filter::parse_patch_path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(path) = parse_patch_path(text) {
        let printed = path.to_string();
        let reparsed = parse_patch_path(&printed)
            .unwrap_or_else(|e| panic!("canonical form {printed:?} does not parse: {e}"));
        assert_eq!(reparsed, path, "round trip changed {printed:?}");
    }
});

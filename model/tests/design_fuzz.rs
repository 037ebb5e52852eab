//! No input makes the design loader panic: arbitrary text, and real designs with bytes
//! changed, removed or repeated.

use std::path::Path;

use proptest::prelude::{ProptestConfig, any, prop_assert, proptest};
use stretchdr_model::design::load_design_str;

const SEEDS: &[&str] = &[
    include_str!("../../fixtures/design/all_fields.toml"),
    include_str!("../../fixtures/demo/design.toml"),
];

/// `text` with `len` bytes at `at` replaced by `insert`, cut back to a char boundary.
fn mutate(text: &str, at: usize, len: usize, insert: &str) -> String {
    let mut start = at % (text.len() + 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{insert}{}", &text[..start], &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = load_design_str(Path::new("fuzz.toml"), &text);
    }

    #[test]
    fn mutated_designs_never_panic(
        seed in 0..SEEDS.len(),
        at in any::<usize>(),
        len in 0usize..40,
        insert in "[-a-z0-9_{}.\\[\\]=\"*?, \n]{0,12}",
    ) {
        let text = mutate(SEEDS[seed], at, len, &insert);
        let result = load_design_str(Path::new("fuzz.toml"), &text);
        if let Err(e) = result {
            prop_assert!(e.path == Path::new("fuzz.toml") || e.line.is_none());
        }
    }
}

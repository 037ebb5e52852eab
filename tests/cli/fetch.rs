//! CLI tests of `stretchdr fetch` against a local fake engine.

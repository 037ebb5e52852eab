//! CLI tests of `stretchdr lint`.

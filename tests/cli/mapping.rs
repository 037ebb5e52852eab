//! CLI tests of `stretchdr mapping`.

//! CLI tests of `stretchdr sim`.

//! CLI tests of `stretchdr audit`.

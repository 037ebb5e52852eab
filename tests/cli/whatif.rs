//! CLI tests of `stretchdr whatif` and Monte Carlo runs of `stretchdr sim`.

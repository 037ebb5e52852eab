//! Records the commit the binary is built from, for `stretchdr --version`.
//!
//! `STRETCHDR_GIT_COMMIT` set in the environment wins (a build from a source tarball, such as
//! the RPM's, passes it); otherwise `git rev-parse --short HEAD` of this checkout; otherwise
//! "unknown". A build never fails for want of git.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that names the commit, read here and set for the compiler.
const COMMIT_VAR: &str = "STRETCHDR_GIT_COMMIT";

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={COMMIT_VAR}");
    // A new commit or a checkout moves HEAD or the branch it points to: rebuild then.
    for file in git_state_files(&manifest_dir) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let commit = commit(std::env::var(COMMIT_VAR).ok(), &manifest_dir);
    println!("cargo:rustc-env={COMMIT_VAR}={commit}");
}

/// The commit to report (also used by tests/packaging.rs): `from_env` when given and not blank, else the short HEAD of the
/// repository whose top level is `dir`, else "unknown".
pub(crate) fn commit(from_env: Option<String>, dir: &Path) -> String {
    from_env
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .or_else(|| git_head(dir))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// `git rev-parse --short HEAD` in `dir`, only when `dir` is the top level of its repository:
/// a source tarball unpacked inside some other repository (a home directory kept in git)
/// must not report that repository's commit.
fn git_head(dir: &Path) -> Option<String> {
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    if !prefix.is_empty() {
        return None;
    }
    let head = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let is_hex = !head.is_empty() && head.chars().all(|c| c.is_ascii_hexdigit());
    is_hex.then_some(head)
}

/// The files whose change means HEAD names another commit: HEAD itself, the branch it points
/// to and the packed refs. Only existing files: cargo reruns on every build for a missing one.
fn git_state_files(dir: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|path| dir.join(path))
        .filter(|path| path.is_file())
        .collect()
}

/// Runs git in `dir`: its trimmed stdout on success, `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout)
        .ok()
        .map(|s| s.trim().to_owned())
}

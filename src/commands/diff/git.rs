//! `diff --git REV`: BASE is HEAD's path as it was at revision REV, read with the `git` binary.
//!
//! A design alone is read with `git show REV:./FILE`. A design overlaying an export (or an
//! export directory itself) needs the export of the same revision: both are extracted with
//! `git archive REV` into a temporary directory, loaded, and the directory removed; reports
//! name the files `REV:path` as in the repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use miette::Report;
use stretchdr_model::design::load_design_str;
use stretchdr_model::{Inventory, SourceMap};

use crate::commands::fetch::EngineArgs;
use crate::{diagnostic, source};

/// Runs git in `dir`; stdout on success, git's message otherwise.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Report> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| miette::miette!("--git needs the git command: {e}"))?;
    if !output.status.success() {
        return Err(miette::miette!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(output.stdout)
}

/// The inventory of `head`'s path at revision `rev`.
pub fn load_at(rev: &str, head: &Path, connection: &EngineArgs) -> Result<Inventory, Report> {
    let dir = match head.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file = head
        .file_name()
        .ok_or_else(|| miette::miette!("{}: not a file or directory name", head.display()))?
        .to_string_lossy()
        .into_owned();
    let shown = PathBuf::from(format!("{rev}:{}", head.display()));
    if !head.is_dir() {
        let bytes = git(&dir, &["show", &format!("{rev}:./{file}")])?;
        let text = String::from_utf8(bytes)
            .map_err(|_| miette::miette!("{}: not UTF-8 text", shown.display()))?;
        let source: Option<toml_edit::DocumentMut> = text.parse().ok();
        let source = source.as_ref().and_then(|d| d.get("source").cloned());
        if source.as_ref().and_then(|s| s.get("engine")).is_some() {
            return Err(miette::miette!(
                "{}: reads a live engine, which has no history: diff two designs or exports instead",
                shown.display()
            ));
        }
        let export = source
            .as_ref()
            .and_then(|s| s.get("export"))
            .and_then(|e| e.as_str())
            .map(str::to_string);
        let Some(export) = export else {
            // The same path as HEAD: findings of both sides name the same file.
            return load_design_str(head, &text).map_err(diagnostic::load_error);
        };
        return from_archive(rev, &dir, &file, &[file.clone(), export], connection);
    }
    from_archive(rev, &dir, &file, std::slice::from_ref(&file), connection)
}

/// `prefix/path` with `.` and `..` resolved: a path in the repository.
fn in_repository(prefix: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in prefix.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// Extracts `paths` (relative to `dir`) at `rev` and loads `dir/file` from the extract.
fn from_archive(
    rev: &str,
    dir: &Path,
    file: &str,
    paths: &[String],
    connection: &EngineArgs,
) -> Result<Inventory, Report> {
    let prefix = String::from_utf8_lossy(&git(dir, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let temp = std::env::temp_dir().join(format!(
        "stretchdr-diff-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&temp)
        .map_err(|e| miette::miette!("cannot create {}: {e}", temp.display()))?;
    let top = String::from_utf8_lossy(&git(dir, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let paths: Vec<String> = paths.iter().map(|p| in_repository(&prefix, p)).collect();
    let result = extract(rev, Path::new(&top), &paths, &temp).and_then(|()| {
        let path = temp.join(&prefix).join(file);
        let inventory = source::load(&path, connection)?;
        Ok(rename_sources(inventory, &temp, rev))
    });
    let _ = std::fs::remove_dir_all(&temp);
    result
}

fn extract(rev: &str, dir: &Path, paths: &[String], into: &Path) -> Result<(), Report> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["archive", "--format=tar", rev, "--"])
        .args(paths)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| miette::miette!("--git needs the git command: {e}"))?;
    let stdout = archive.stdout.take().expect("piped");
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(stdout)
        .output()
        .map_err(|e| miette::miette!("--git reads an export with tar: {e}"))?;
    let git_output = archive
        .wait_with_output()
        .map_err(|e| miette::miette!("git archive: {e}"))?;
    if !git_output.status.success() {
        return Err(miette::miette!(
            "git archive {rev} -- {}: {}",
            paths.join(" "),
            String::from_utf8_lossy(&git_output.stderr).trim()
        ));
    }
    if !tar.status.success() {
        return Err(miette::miette!(
            "tar: {}",
            String::from_utf8_lossy(&tar.stderr).trim()
        ));
    }
    Ok(())
}

/// File names under the extract shown as `REV:path` (the path in the repository).
fn rename_sources(mut inventory: Inventory, temp: &Path, rev: &str) -> Inventory {
    let mut renamed = SourceMap::default();
    for file in inventory.sources.files() {
        let path = match file.path.strip_prefix(temp) {
            Ok(inner) => PathBuf::from(format!("{rev}:{}", inner.display())),
            Err(_) => file.path.clone(),
        };
        renamed.add(path, file.text.clone());
    }
    inventory.sources = renamed;
    inventory
}

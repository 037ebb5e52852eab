//! The fast reader against the `toml` crate: on every design in the repository, and on
//! mutations of designs written to use every form it takes. Where the fast reader gives a
//! value, the `toml` crate must give the same value with the same spans.

use std::path::{Path, PathBuf};

use super::{Document, Node, cuts, from_str_split, scan, structure_in};
use crate::design::raw::{RawDesign, RawVm};
use crate::generate::{GenParams, generate};

/// The fast reader as the loader uses it: the `[[vm]]` tables read apart.
fn from_str(text: &str) -> Option<RawDesign> {
    let (mut raw, vms) = from_str_split::<RawDesign>(text, "vm")?;
    if let Some(vms) = vms {
        raw.vm = vms.decode_all::<RawVm>()?;
    }
    Some(raw)
}

/// Both readers on `text`: `Some(same)` when the fast one takes it, `None` when it leaves it.
fn compare(text: &str) -> Option<bool> {
    let fast = from_str(text)?;
    let full = toml::from_str::<RawDesign>(text);
    Some(full.is_ok_and(|full| format!("{full:?}") == format!("{fast:?}")))
}

/// A design using every form the fast reader takes, and the `[slo]` table of any values.
const FORMS: &str = r#"# comment line
[engine]   # after a header
deployment = "self-hosted"
site = 'site-a'
version = "4.5"

[[site]]
name = "site-a"
role = "primary"
hosts = [
  "h1",   # a comment in an array
  'h2',
]

[[site]]
"name" = "site-b"
'role' = "secondary"

[[link]]
sites = ["site-a", "site-b"]
rtt_ms = 2
l2 = true
bandwidth = "10Gbps"

[[cluster]]
name = "c\u0031"
memory_overcommit = +1_50
fencing = { enabled = false, threshold = 50 }

[[cluster]]
name = "c2\t\"q\""

[cluster.fencing]
skip_if_connectivity_broken = true

[[storage_domain]]
name = "sd"
writable_at = []

[storage_domain.gluster]
volume = "v"
bricks = ["a:/b", "c:/d"]

[[storage_domain.georep]]
secondary_volume = "w"
change_rate_by_hour = [1.5, 2e1, -0.0, 3]

[[vm]]
name = "é-vm"
cpus = 0
ha = false

[[affinity_group]]
name = "g"
hosts_rule = { enabled = true, positive = false, enforcing = true }
vms_rule = {}
priority = 1.25E+1

[slo]
rto_p95 = "<=15m"
"lost vms" = 0
ratio = 0.5
list = [[1, 2], ["a"]]
nested = { a = { b = true } }
"#;

#[test]
fn every_form_reads_as_toml_reads_it() {
    assert_eq!(compare(FORMS), Some(true));
    let crlf = FORMS.replace('\n', "\r\n");
    assert_eq!(compare(&crlf), Some(true));
    // VMs as an array of inline tables rather than `[[vm]]` headers.
    let inline = "vm = [{ name = \"a\", cpus = 2 }, { name = \"b\" }]\n[[site]]\nname = \"s\"\n";
    assert_eq!(compare(inline), Some(true));
    assert_eq!(from_str(inline).map(|raw| raw.vm.len()), Some(2));
}

#[test]
fn generated_designs_read_as_toml_reads_them() {
    for (hosts, vms, seed) in [(12, 150, 1), (40, 600, 7)] {
        let text = generate(&GenParams {
            sites: 2,
            hosts,
            vms,
            affinity_groups: None,
            seed,
        });
        assert_eq!(compare(&text), Some(true), "{hosts} hosts, {vms} vms");
    }
}

/// Every `.toml` file under the repository's fixtures, examples and scenarios that the
/// `toml` crate reads as a design.
fn repository_designs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in [
        "fixtures",
        "scenarios",
        "examples",
        "docs",
        "model",
        "lint",
        "sim",
        "tests",
    ] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

#[test]
fn the_repository_designs_read_as_toml_reads_them() {
    let mut designs = 0;
    let mut taken = 0;
    for path in repository_designs() {
        let text = std::fs::read_to_string(&path).unwrap();
        if toml::from_str::<RawDesign>(&text).is_err() {
            // Not a design, or a design written to fail: the fast reader must leave it.
            assert!(from_str(&text).is_none(), "{}", path.display());
            continue;
        }
        designs += 1;
        if let Some(same) = compare(&text) {
            assert!(same, "{}", path.display());
            taken += 1;
        }
    }
    assert!(designs >= 20, "only {designs} designs found");
    // Designs are written in the subset: nearly all of them take the fast path.
    assert!(taken * 10 >= designs * 9, "{taken} of {designs} taken");
}

/// A small deterministic generator (xorshift), so the mutations are the same every run.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `text` with one to three edits: a byte inserted (from those TOML's syntax turns on),
    /// removed or replaced, or a line repeated.
    fn mutate(&mut self, text: &str) -> String {
        const BYTES: &[u8] = b"[]{}\"'=#,.\n\r\t\\ _-+0123456789eEabtrufls\x7f";
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..1 + self.below(3) {
            let at = self.below(bytes.len() + 1);
            match self.below(4) {
                0 => bytes.insert(at, BYTES[self.below(BYTES.len())]),
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                2 if at < bytes.len() => bytes[at] = BYTES[self.below(BYTES.len())],
                _ => {
                    let start = bytes[..at]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |n| n + 1);
                    let end = bytes[at..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |n| at + n + 1);
                    let line = bytes[start..end].to_vec();
                    bytes.splice(end..end, line);
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[test]
fn mutated_designs_are_read_as_toml_reads_them_or_left_to_it() {
    let mut mutator = Mutator(0x9e37_79b9_7f4a_7c15);
    let (mut taken, mut valid) = (0, 0);
    for round in 0..10_000 {
        let text = mutator.mutate(FORMS);
        valid += usize::from(toml::from_str::<RawDesign>(&text).is_ok());
        if let Some(same) = compare(&text) {
            assert!(same, "round {round}:\n{text}");
            taken += 1;
        }
    }
    // Most mutations break the design; of those that do not, the fast reader takes nearly
    // all (it leaves, for instance, a header with spaces in it).
    assert!(valid > 500 && taken * 10 >= valid * 9, "{taken} of {valid}");
}

#[test]
fn what_the_toml_crate_refuses_or_reads_otherwise_is_left_to_it() {
    for text in [
        // A key given twice: in a struct, in a map, in an inline table.
        "[[vm]]\nname = \"a\"\nname = \"b\"\n",
        "[slo]\nrto_p95 = \"<=1m\"\nrto_p95 = \"<=2m\"\n",
        "[[cluster]]\nname = \"c\"\nfencing = { enabled = true, enabled = false }\n",
        // A key and a header for the same table; a table named twice.
        "[[cluster]]\nname = \"c\"\nfencing = {}\n[cluster.fencing]\nenabled = true\n",
        "[engine]\nsite = \"a\"\n[engine]\nversion = \"4.5\"\n",
        // TOML the fast reader does not take.
        "[engine]\nsite.name = \"a\"\n",
        "[engine]\nsite = \"\"\"a\"\"\"\n",
        "[ engine ]\nsite = \"a\"\n",
        "[slo]\nwhen = 1979-05-27\n",
        "[slo]\nx = 0x10\n",
        "[slo]\nx = inf\n",
        "[slo]\nx = { a = 1,\n b = 2 }\n",
        "[slo.a]\nx = 1\n",
        // Wrong types and unknown keys.
        "[[vm]]\nname = 1\n",
        "[[vm]]\nname = \"a\"\ncpus = 1.5\n",
        "[[vm]]\nname = \"a\"\ncolour = \"red\"\n",
    ] {
        assert!(from_str(text).is_none(), "{text}");
    }
}

#[test]
fn deep_nesting_is_left_to_the_toml_crate() {
    let deep = 10_000;
    let arrays = format!("[slo]\nx = {}{}\n", "[".repeat(deep), "]".repeat(deep));
    let tables = format!("[slo]\nx = {}{}\n", "{ a = ".repeat(deep), "}".repeat(deep));
    let mut headers = String::from("[slo]\n");
    let mut path = String::from("slo");
    for _ in 0..deep {
        path.push_str(".a");
        headers.push_str(&format!("[{path}]\n"));
    }
    for text in [&arrays, &tables, &headers] {
        assert!(from_str(text).is_none());
    }
    // Which reports it as too deep, at its place.
    let error = crate::design::load_design_str(Path::new("deep.toml"), &arrays).unwrap_err();
    assert!(error.to_string().starts_with("deep.toml:2:"), "{error}");
    // Nesting up to the limit is read, as the toml crate reads it.
    let depth = super::cursor::MAX_DEPTH;
    let arrays = format!("[slo]\nx = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(compare(&arrays), Some(true));
}

/// The tables of a first pass, written out: what pieces read on all cores must give as the
/// whole text read at once does.
fn shape(document: &Document<'_>) -> String {
    let mut out = String::new();
    for (id, table) in document.tables.iter().enumerate() {
        out.push_str(&format!(
            "{id}: {:?} {:?} {:?}\n",
            table.header.range(),
            table.body.range(),
            table.name.map(|name| name.range())
        ));
        for child in &table.children {
            let node = match &child.node {
                Node::Table(table) => format!("table {table}"),
                Node::Array(items) => format!("array {items:?}"),
            };
            out.push_str(&format!("  {:?} {:?} {node}\n", child.key, child.key_span));
        }
    }
    out
}

/// The first pass in `pieces` pieces against the whole text at once: the same tables, or
/// both leave the text.
fn same_in_pieces(text: &str, pieces: usize) -> bool {
    let whole = structure_in(text, 1).ok().map(|document| shape(&document));
    let cut = structure_in(text, pieces)
        .ok()
        .map(|document| shape(&document));
    whole == cut
}

#[test]
fn a_text_read_in_pieces_gives_the_tables_read_whole() {
    let mut texts = vec![FORMS.to_string()];
    for path in repository_designs() {
        texts.push(std::fs::read_to_string(&path).unwrap());
    }
    texts.push(generate(&GenParams {
        sites: 2,
        hosts: 40,
        vms: 600,
        affinity_groups: Some(60),
        seed: 3,
    }));
    // Lines starting with `[` inside a multi-line array: a cut there does not read alone.
    texts.push(
        "a = 1\n\n[[vm]]\nname = \"v\"\nlist = [\n[1, 2],\n[\"x\"],\n]\n\n[[vm]]\nname = \"w\"\n[t]\nk = [\n[[1]]\n]\n"
            .to_string(),
    );
    // The generated design is read in pieces that each read alone; the multi-line arrays'
    // text is cut where a piece does not, and read whole.
    let reads_alone = |text: &str, pieces: usize| {
        let cuts = cuts(text, pieces);
        assert!(cuts.len() > 2, "{cuts:?}");
        cuts.windows(2).all(|w| scan(text, w[0]..w[1]).is_ok())
    };
    assert!(reads_alone(&texts[texts.len() - 2], 5));
    assert!(!reads_alone(&texts[texts.len() - 1], 64));
    for text in &texts {
        for pieces in [2, 3, 5, 16, 64] {
            assert!(same_in_pieces(text, pieces), "{pieces} pieces:\n{text}");
        }
    }
    let mut mutator = Mutator(0x2545_f491_4f6c_dd1d);
    for round in 0..2_000 {
        let text = mutator.mutate(FORMS);
        assert!(same_in_pieces(&text, 7), "round {round}:\n{text}");
    }
}

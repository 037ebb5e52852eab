//! Criterion benchmarks of the loaders and the human reporter on large inputs: each must
//! stay linear in the size of its input.
//!
//! - `export/10000-vms-xml`: a realistic 13 MB `vms.xml` of 10,000 VMs (each the `db01` of
//!   `fixtures/exports/stretch_small`, renamed), beside the rest of that export; generated
//!   into a temporary directory when the benchmark starts, never committed;
//! - `design/20000-vms`: the generated 2-site, 500-host, 20,000-VM design;
//! - `json/200000-keys` and `xml/160000-attributes`: one object or element that wide;
//! - `human/40000-findings`: the human report of 40,000 findings, each pointing at its own
//!   line of one 40,000-line file.
//!
//! `cargo bench --bench loaders -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_lint::report::human_sources;
use stretchdr_lint::{EntityKind, EntityRef, Finding, Level};
use stretchdr_model::design::load_design_str;
use stretchdr_model::export::{load_export, parse_json, parse_xml};
use stretchdr_model::generate::{GenParams, generate};
use stretchdr_model::{Origin, SourceMap};

const VMS: usize = 10_000;
const FINDINGS: usize = 40_000;

/// A temporary export directory, removed when dropped.
struct Export(PathBuf);

impl Drop for Export {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read fixture directory") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `stretch_small` with its `vms.xml` replaced by `VMS` copies of its first VM.
fn large_export() -> (Export, u64) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/exports/stretch_small");
    let dir = std::env::temp_dir().join(format!("stretchdr-bench-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture, &dir);
    let _ = std::fs::remove_dir_all(dir.join("api/vms"));
    let small = std::fs::read_to_string(fixture.join("api/vms.xml")).expect("fixture vms.xml");
    let start = small.find("    <vm ").expect("a vm element");
    let end = small.find("</vm>").expect("its end") + "</vm>\n".len();
    let template = &small[start..end];
    let id = "5d1e0000-0000-4000-8000-070000000001";
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<vms>\n");
    for n in 0..VMS {
        let vm_id = format!(
            "5d1e0000-0000-4000-8000-{:012}",
            900_000_000_000u64 + n as u64
        );
        xml.push_str(
            &template
                .replace(id, &vm_id)
                .replace("<name>db01</name>", &format!("<name>vm{n:05}</name>")),
        );
    }
    xml.push_str("</vms>\n");
    std::fs::write(dir.join("api/vms.xml"), &xml).expect("write vms.xml");
    (Export(dir), xml.len() as u64)
}

fn bench_export(c: &mut Criterion) {
    let (export, bytes) = large_export();
    let inventory = load_export(&export.0).expect("the generated export loads");
    assert_eq!(inventory.vms.len(), VMS);
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(bytes));
    group.bench_function("10000-vms-xml", |b| {
        b.iter(|| load_export(black_box(&export.0)).expect("loads"))
    });
    group.finish();
}

fn bench_design(c: &mut Criterion) {
    let text = generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: Some(2_000),
        seed: 1,
    });
    let path = Path::new("gen-2x500x20000.toml");
    let mut group = c.benchmark_group("design");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(text.len() as u64));
    group.bench_function("20000-vms", |b| {
        b.iter(|| load_design_str(path, black_box(&text)).expect("loads"))
    });
    group.finish();
}

fn bench_wide(c: &mut Criterion) {
    let members: Vec<String> = (0..200_000).map(|i| format!("\"k{i}\": \"{i}\"")).collect();
    let json: Arc<str> = format!("{{{}}}", members.join(",\n")).into();
    let attributes: Vec<String> = (0..160_000).map(|i| format!("a{i}=\"{i}\"")).collect();
    let xml: Arc<str> = format!("<vm {}/>", attributes.join(" ")).into();
    let mut group = c.benchmark_group("wide");
    group.sample_size(10);
    group.bench_function("json/200000-keys", |b| {
        b.iter(|| parse_json(black_box(Arc::clone(&json))).expect("parses"))
    });
    group.bench_function("xml/160000-attributes", |b| {
        b.iter(|| parse_xml(black_box(Arc::clone(&xml))).expect("parses"))
    });
    group.finish();
}

fn bench_human(c: &mut Criterion) {
    let text: String = (0..FINDINGS)
        .map(|i| format!("[[vms]]\nname = \"vm{i:05}\"\n"))
        .collect();
    let mut sources = SourceMap::default();
    let file = sources.add("design.toml", text.as_str());
    let mut offset = 0;
    let findings: Vec<Finding> = (0..FINDINGS)
        .map(|i| {
            // The `name = ...` line of the i-th table.
            offset += "[[vms]]\n".len();
            let len = format!("name = \"vm{i:05}\"").len();
            let origin = Origin {
                file,
                line: (2 * i + 2) as u32,
                offset: offset as u32,
                len: len as u32,
            };
            offset += len + 1;
            Finding {
                code: "AA002",
                name: "vm-not-highly-available",
                level: Level::Warning,
                message: format!("vm vm{i:05} is not highly available"),
                entity: EntityRef {
                    kind: EntityKind::Vm,
                    name: format!("vm{i:05}"),
                    id: None,
                },
                file: Some("design.toml".to_string()),
                line: Some(origin.line),
                help: "set ha = true".to_string(),
                origin: Some(origin),
                key: None,
                discriminator: None,
            }
        })
        .collect();
    let mut group = c.benchmark_group("human");
    group.sample_size(10);
    group.bench_function("40000-findings", |b| {
        b.iter(|| human_sources(black_box(&findings), &sources, false))
    });
    group.finish();
}

criterion_group!(benches, bench_export, bench_design, bench_wide, bench_human);
criterion_main!(benches);

//! Criterion benchmarks of the loaders at scale: the 20,000-VM synthetic design (4.5 MB of
//! TOML) and a 10,000-VM XML export made of a real engine's responses (the ManageIQ
//! recording in `fixtures/exports/miq_ovirt_lans_refresh`, each of its five VMs copied 2,000
//! times under new ids and names, with their disk attachments and NICs).
//!
//! `cargo bench --bench load -- --warm-up-time 1 --measurement-time 5`
//!
//! The export is written once to `$CARGO_TARGET_TMPDIR/export-10000-vms` and kept, so that
//! `stretchdr inventory` can be timed and its memory measured on the same files.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_model::design::load_design_str;
use stretchdr_model::export::load_export;
use stretchdr_model::generate::{GenParams, generate};

/// VMs in the export.
const EXPORT_VMS: usize = 10_000;

fn large_design() -> String {
    generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: Some(2_000),
        seed: 1,
    })
}

/// The recorded engine's VM ids, in `vms.xml` order.
fn recorded_vm_ids(vms: &str) -> Vec<String> {
    vms.split("<vm href=\"")
        .skip(1)
        .filter_map(|rest| rest.split("id=\"").nth(1)?.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Writes (once) the 10,000-VM export and returns its directory.
fn large_export() -> PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("export-{EXPORT_VMS}-vms"));
    let done = out.join("complete");
    if done.exists() {
        return out;
    }
    let source =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/exports/miq_ovirt_lans_refresh/api");
    let api = out.join("api");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&api).unwrap();
    for name in [
        "datacenters.xml",
        "clusters.xml",
        "hosts.xml",
        "storagedomains.xml",
        "networks.xml",
        "vnicprofiles.xml",
        "disks.xml",
    ] {
        std::fs::copy(source.join(name), api.join(name)).unwrap();
    }
    let vms = std::fs::read_to_string(source.join("vms.xml")).unwrap();
    let ids = recorded_vm_ids(&vms);
    let body_start = vms.find("<vm href=").unwrap();
    let body_end = vms.rfind("</vms>").unwrap();
    let (head, body, tail) = (
        &vms[..body_start],
        &vms[body_start..body_end],
        &vms[body_end..],
    );
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            let at = body.find(&format!("id=\"{id}\"")).unwrap();
            let name = &body[at..];
            let start = name.find("<name>").unwrap() + "<name>".len();
            let end = name.find("</name>").unwrap();
            name[start..end].to_string()
        })
        .collect();
    let subs: Vec<(String, String)> = ids
        .iter()
        .map(|id| {
            let read = |sub: &str| {
                std::fs::read_to_string(source.join(format!("vms/{id}/{sub}.xml"))).unwrap()
            };
            (read("diskattachments"), read("nics"))
        })
        .collect();
    let mut all = String::with_capacity(body.len() * EXPORT_VMS / ids.len() + 1024);
    all.push_str(head);
    for copy in 0..EXPORT_VMS / ids.len() {
        for (n, id) in ids.iter().enumerate() {
            let new_id = format!("{}{:012x}", &id[..24], copy * ids.len() + n);
            let renamed = body_of(body, id).replace(id, &new_id).replace(
                &format!("<name>{}</name>", names[n]),
                &format!("<name>{}-{copy:04}</name>", names[n]),
            );
            all.push_str(&renamed);
            let dir = api.join(format!("vms/{new_id}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("diskattachments.xml"),
                subs[n].0.replace(id, &new_id),
            )
            .unwrap();
            std::fs::write(dir.join("nics.xml"), subs[n].1.replace(id, &new_id)).unwrap();
        }
    }
    all.push_str(tail);
    std::fs::write(api.join("vms.xml"), all).unwrap();
    std::fs::write(&done, "").unwrap();
    out
}

/// The `<vm>` element of `id` in the collection body.
fn body_of<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("<vm href=\"/ovirt-engine/api/vms/{id}\""))
        .unwrap();
    let end = start + body[start..].find("</vm>").unwrap() + "</vm>".len();
    &body[start..end]
}

fn bench_load(c: &mut Criterion) {
    let text = large_design();
    let path = Path::new("gen-2x500x20000.toml");
    let export = large_export();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("design-20000-vms", |b| {
        b.iter(|| load_design_str(path, black_box(&text)).expect("loads"))
    });
    group.bench_function("export-xml-10000-vms", |b| {
        b.iter(|| load_export(black_box(&export)).expect("loads"))
    });
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);

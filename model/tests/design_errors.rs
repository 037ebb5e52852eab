//! Each validation error names the file, the line and what was expected; the snapshots show
//! the message with the offending line and a caret under the value.

use std::path::Path;

use stretchdr_model::LoadError;
use stretchdr_model::design::load_design_str;

/// A valid design the cases below extend.
const BASE: &str = r#"[[site]]
name = "site-a"
role = "primary"

[[site]]
name = "site-b"
role = "secondary"

[[site]]
name = "site-c"
role = "witness"

[[cluster]]
name = "prod"

[[cluster]]
name = "infra"

[[host]]
name = "a{1..2}"
site = "site-a"
cluster = "prod"
memory = "256GiB"
cpus = 32

[[host]]
name = "i1"
site = "site-b"
cluster = "infra"
memory = "256GiB"
cpus = 32

[[network]]
name = "vm-net"
sites = ["site-a", "site-b"]

[[storage_domain]]
name = "data1"
storage = "iscsi"
replication = "sync"
writable_at = ["site-a", "site-b"]

[[vm]]
name = "web-{01..03}"
cluster = "prod"
"#;

/// `message` at `path:line:column`, then the line with carets under the span.
fn render(err: &LoadError) -> String {
    let mut out = err.to_string();
    if let (Some(text), Some(span), Some(line)) = (&err.source_text, &err.span, err.line) {
        let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[span.start..]
            .find('\n')
            .map_or(text.len(), |i| span.start + i);
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let column = text[start..span.start].chars().count();
        let width = text[span.start..span.end.min(end)].chars().count().max(1);
        out.push_str(&format!(
            "\n{pad} |\n{number} | {}\n{pad} | {}{}",
            &text[start..end],
            " ".repeat(column),
            "^".repeat(width)
        ));
    }
    out
}

fn error_of(extra: &str) -> String {
    let text = format!("{BASE}{extra}");
    match load_design_str(Path::new("design.toml"), &text) {
        Ok(_) => panic!("expected an error for:\n{extra}"),
        Err(e) => render(&e),
    }
}

#[test]
fn base_is_valid() {
    let inv = load_design_str(Path::new("design.toml"), BASE).unwrap();
    assert_eq!((inv.hosts.len(), inv.vms.len()), (3, 3));
}

macro_rules! cases {
    ($($name:ident: $extra:expr;)*) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(error_of($extra));
        }
    )*};
}

cases! {
    syntax_error: "\n[[vm]]\nname = \"x\ncluster = \"prod\"\n";
    unknown_top_level_table: "\n[[virtual_machine]]\nname = \"x\"\n";
    unknown_key: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nmemroy = \"4GiB\"\n";
    wrong_type: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\ncpus = \"four\"\n";
    missing_name: "\n[[vm]]\ncluster = \"prod\"\n";
    missing_required_cluster: "\n[[vm]]\nname = \"x\"\n";
    unknown_vm_host: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nruns_on = \"a9\"\n";
    unknown_vm_cluster: "\n[[vm]]\nname = \"x\"\ncluster = \"stretch\"\n";
    unknown_vm_domain: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nlease = \"data9\"\n";
    unknown_vm_network: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nnetworks = [\"vm-net\", \"backup-net\"]\n";
    unknown_range_member: "\n[[affinity_group]]\nname = \"g\"\ncluster = \"prod\"\nvms = [\"web-{01..04}\"]\n";
    unknown_group_host: "\n[[affinity_group]]\nname = \"g\"\ncluster = \"prod\"\nhosts = [\"a1\", \"b1\"]\n";
    group_member_of_other_cluster: "\n[[affinity_group]]\nname = \"g\"\ncluster = \"prod\"\nhosts = [\"a1\", \"i1\"]\n";
    vm_runs_on_other_cluster: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nruns_on = \"i1\"\n";
    site_glob_matches_nothing: "\n[[site]]\nname = \"site-d\"\nrole = \"secondary\"\nhosts = [\"d*\"]\n";
    site_glob_conflict: "\n[[site]]\nname = \"site-d\"\nrole = \"secondary\"\nhosts = [\"a*\"]\n";
    site_label_unknown: "\n[[site]]\nname = \"site-d\"\nrole = \"secondary\"\nlabel = \"room-d\"\n";
    link_unknown_site: "\n[[link]]\nsites = [\"site-a\", \"site-x\"]\nrtt_ms = 3\n";
    link_one_site: "\n[[link]]\nsites = [\"site-a\"]\nrtt_ms = 3\n";
    link_duplicate: "\n[[link]]\nsites = [\"site-a\", \"site-b\"]\nrtt_ms = 3\n\n[[link]]\nsites = [\"site-b\", \"site-a\"]\nrtt_ms = 4\n";
    rtt_negative: "\n[[link]]\nsites = [\"site-a\", \"site-b\"]\nrtt_ms = -1.5\n";
    rtt_not_finite: "\n[[link]]\nsites = [\"site-a\", \"site-b\"]\nrtt_ms = nan\n";
    witness_not_witness: "\n[[storage_domain]]\nname = \"data2\"\nstorage = \"fcp\"\nwitness = \"site-b\"\n";
    witness_unknown: "\n[[storage_domain]]\nname = \"data2\"\nstorage = \"fcp\"\nwitness = \"site-z\"\n";
    duplicate_host: "\n[[host]]\nname = \"a2\"\ncluster = \"prod\"\nmemory = \"1TiB\"\ncpus = 8\n";
    duplicate_in_range: "\n[[vm]]\nname = \"web-{03..05}\"\ncluster = \"prod\"\n";
    spm_priority_out_of_range: "\n[[host]]\nname = \"a3\"\ncluster = \"prod\"\nmemory = \"1TiB\"\ncpus = 8\nspm_priority = 11\n";
    ha_priority_out_of_range: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nha_priority = 101\n";
    fencing_threshold_out_of_range: "\n[[cluster]]\nname = \"c\"\nfencing = { threshold = 150 }\n";
    cpus_zero: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\ncpus = 0\n";
    bad_size_unit: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nmemory = \"32 gigs\"\n";
    bad_bandwidth: "\n[[link]]\nsites = [\"site-a\", \"site-b\"]\nrtt_ms = 3\nbandwidth = \"fast\"\n";
    bad_role: "\n[[site]]\nname = \"site-d\"\nrole = \"backup\"\n";
    bad_deployment: "\n[engine]\ndeployment = \"hosted\"\n";
    bad_on_error: "\n[[cluster]]\nname = \"c\"\non_error = \"restart\"\n";
    bad_placement: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nplacement = \"anywhere\"\n";
    bad_resume_behaviour: "\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nresume_behaviour = \"resume\"\n";
    bad_storage: "\n[[storage_domain]]\nname = \"d\"\nstorage = \"ceph\"\n";
    bad_domain_type: "\n[[storage_domain]]\nname = \"d\"\nstorage = \"nfs\"\ntype = \"backup\"\n";
    bad_replication: "\n[[storage_domain]]\nname = \"d\"\nstorage = \"nfs\"\nreplication = \"semi-sync\"\n";
    bad_migration_policy: "\n[[cluster]]\nname = \"c\"\nmigration_policy = \"fast\"\n";
    bad_name_range: "\n[[vm]]\nname = \"x{5..1}\"\ncluster = \"prod\"\n";
    bad_compatibility: "\n[[cluster]]\nname = \"c\"\ncompatibility = \"four\"\n";
    affinity_rule_needs_positive: "\n[[affinity_group]]\nname = \"g\"\ncluster = \"prod\"\nhosts_rule = { enforcing = false }\n";
    external_ha_self_hosted: "\n[engine]\ndeployment = \"self-hosted\"\nexternal_ha = true\n";
    live_engine_source: "\n[source]\nengine = \"https://engine.example.com/ovirt-engine/api\"\n";
}

#[test]
fn errors_carry_line_and_span() {
    let text = format!("{BASE}\n[[vm]]\nname = \"x\"\ncluster = \"prod\"\nruns_on = \"a9\"\n");
    let err = load_design_str(Path::new("design.toml"), &text).unwrap_err();
    let line = BASE.lines().count() as u32 + 5;
    assert_eq!(err.line, Some(line));
    assert_eq!(err.column, Some(11));
    assert_eq!(&text[err.span.clone().unwrap()], "\"a9\"");
}

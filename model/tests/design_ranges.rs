//! Name ranges in names and reference lists, and site globs.

use std::path::Path;

use stretchdr_model::design::load_design_str;
use stretchdr_model::{Arena, EntityId, Named};

fn names<I: EntityId, T: Named>(arena: &Arena<I, T>, ids: &[I]) -> Vec<String> {
    ids.iter().map(|&i| arena[i].name().to_owned()).collect()
}

const DESIGN: &str = r#"
[[site]]
name = "east"
role = "primary"
hosts = ["e*", "spare-1"]

[[site]]
name = "west"
role = "secondary"
hosts = ["w?"]

[[cluster]]
name = "c"

[[host]]
name = "e{1..12}"
cluster = "c"
memory = "64GiB"
cpus = 8

[[host]]
name = "w{8..9}"
cluster = "c"
memory = "64GiB"
cpus = 8

[[host]]
name = "spare-{1..2}"
cluster = "c"
memory = "64GiB"
cpus = 8

[[vm]]
name = "web-{098..101}"
cluster = "c"

[[affinity_group]]
name = "g"
cluster = "c"
vms = ["web-{099..100}", "web-101"]
hosts = ["e{9..10}"]
hosts_rule = { positive = true, enforcing = false }
"#;

#[test]
fn ranges_expand_with_the_width_of_the_start() {
    let inv = load_design_str(Path::new("design.toml"), DESIGN).unwrap();
    let vm_names: Vec<&str> = inv.vms.values().map(|v| v.name.as_str()).collect();
    assert_eq!(vm_names, ["web-098", "web-099", "web-100", "web-101"]);
    let host_names: Vec<&str> = inv.hosts.values().map(|h| h.name.as_str()).collect();
    assert_eq!(host_names.len(), 16);
    assert_eq!(&host_names[..3], ["e1", "e2", "e3"]);
    assert_eq!(host_names[11], "e12");
    let g = inv.affinity_groups.values().next().unwrap();
    assert_eq!(names(&inv.vms, &g.vms), ["web-099", "web-100", "web-101"]);
    assert_eq!(names(&inv.hosts, &g.hosts), ["e9", "e10"]);
    // Every VM of a range points at the table that made it.
    assert!(inv.vms.values().all(|v| v.origin.unwrap().line == 33));
}

#[test]
fn globs_assign_hosts_to_sites() {
    let inv = load_design_str(Path::new("design.toml"), DESIGN).unwrap();
    let site_of = |host: &str| {
        let h = &inv.hosts[inv.hosts.find(host).unwrap()];
        h.site.map(|s| inv.sites[s].name.clone())
    };
    assert_eq!(site_of("e1").as_deref(), Some("east"));
    assert_eq!(site_of("e12").as_deref(), Some("east"));
    assert_eq!(site_of("w8").as_deref(), Some("west"));
    assert_eq!(site_of("spare-1").as_deref(), Some("east"));
    assert_eq!(site_of("spare-2"), None, "no glob names it");
}

#[test]
fn an_explicit_site_agreeing_with_a_glob_is_fine() {
    let text = DESIGN.replace(
        "name = \"w{8..9}\"\n",
        "name = \"w{8..9}\"\nsite = \"west\"\n",
    );
    assert!(load_design_str(Path::new("design.toml"), &text).is_ok());
    let text = DESIGN.replace(
        "name = \"w{8..9}\"\n",
        "name = \"w{8..9}\"\nsite = \"east\"\n",
    );
    let err = load_design_str(Path::new("design.toml"), &text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "design.toml:10:10: hosts: the glob \"w?\" puts host \"w8\" in site \"west\", but line 23 puts it in site \"east\""
    );
}

#[test]
fn an_invalid_glob_is_an_error() {
    let text = DESIGN.replace("[\"w?\"]", "[\"w[\"]");
    let err = load_design_str(Path::new("design.toml"), &text).unwrap_err();
    assert_eq!(err.line, Some(10));
    assert!(
        err.message.starts_with("hosts: invalid glob \"w[\""),
        "{err}"
    );
}

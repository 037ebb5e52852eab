//! A design of thousands of VMs has their fields read on all cores, then applied in file
//! order: the same inventory as one VM at a time, and every error the one the file order
//! gives.

use std::path::Path;

use stretchdr_model::design::load_design_str;

/// Enough VMs for the loader to read them on all cores.
const VMS: usize = 3_000;

/// A design of [`VMS`] VMs named `vm-0000` ..., each naming its cluster, domain and host.
fn design(vm: impl Fn(usize) -> String) -> String {
    let mut text = String::from(
        r#"[[site]]
name = "a"
role = "primary"

[[site]]
name = "b"
role = "secondary"

[[cluster]]
name = "c"

[[host]]
name = "h{1..4}"
site = "a"
cluster = "c"
memory = "1TiB"
cpus = 64

[[storage_domain]]
name = "d"
storage = "iscsi"
"#,
    );
    for n in 0..VMS {
        text.push_str(&vm(n));
    }
    text
}

fn plain(n: usize) -> String {
    format!(
        "\n[[vm]]\nname = \"vm-{n:04}\"\ncluster = \"c\"\nmemory = \"{}GiB\"\ndisks = [\"d\"]\nplacement_hosts = [\"h{{1..2}}\"]\nruns_on = \"h{}\"\n",
        1 + n % 8,
        1 + n % 4
    )
}

fn error(text: &str) -> String {
    load_design_str(Path::new("many.toml"), text)
        .expect_err("an error")
        .to_string()
}

#[test]
fn every_vm_is_read_with_its_fields_in_file_order() {
    let inventory = load_design_str(Path::new("many.toml"), &design(plain))
        .map_err(|e| e.to_string())
        .unwrap();
    assert_eq!(inventory.vms.len(), VMS);
    for (n, (_, vm)) in inventory.vms.iter().enumerate() {
        assert_eq!(vm.name, format!("vm-{n:04}"));
        assert_eq!(vm.memory_bytes, (1 + n as u64 % 8) << 30);
        assert_eq!(vm.placement_hosts.len(), 2);
        let host = vm.host.map(|h| inventory.hosts[h].name.clone());
        assert_eq!(host, Some(format!("h{}", 1 + n % 4)));
    }
}

#[test]
fn the_first_error_in_the_file_is_the_one_reported() {
    // A duplicate name (found when the VM is applied) before a bad reference (found when
    // its fields are read): the duplicate, as one VM at a time finds it.
    let text = design(|n| match n {
        10 => plain(5),
        2_900 => plain(n).replace("cluster = \"c\"", "cluster = \"nope\""),
        _ => plain(n),
    });
    let message = error(&text);
    assert!(message.contains("duplicate vm \"vm-0005\""), "{message}");
    // The bad reference alone.
    let text = design(|n| match n {
        2_900 => plain(n).replace("cluster = \"c\"", "cluster = \"nope\""),
        _ => plain(n),
    });
    let message = error(&text);
    assert!(message.contains("no cluster named \"nope\""), "{message}");
    // Two bad references: the earlier one.
    let text = design(|n| match n {
        700 => plain(n).replace("disks = [\"d\"]", "disks = [\"e\"]"),
        2_900 => plain(n).replace("cluster = \"c\"", "cluster = \"nope\""),
        _ => plain(n),
    });
    let message = error(&text);
    assert!(
        message.contains("no storage domain named \"e\""),
        "{message}"
    );
}

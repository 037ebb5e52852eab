//! A design of thousands of VMs has their fields read on all cores, then applied in file
//! order: the same inventory as one VM at a time, and every error the one the file order
//! gives. Its `[[vm]]` tables are decoded as they are reached, in chunks of a thousand (so
//! these designs span several); a table the fast reader leaves makes the loader read the
//! whole design with the `toml` crate, with the same result.

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

#[test]
fn tables_the_fast_reader_leaves_give_the_same_inventory() {
    // A hexadecimal number in the third chunk, which the fast reader leaves to the `toml`
    // crate once the first chunks are built, against the same number in decimal (as long,
    // so every place in the file is the same), which the fast reader reads; both with
    // escapes in a name, which the fast reader reads itself (owned, not borrowed).
    let with = |cpus: &'static str| {
        design(move |n| match n {
            2_500 => plain(n).replace("memory = ", &format!("cpus = {cpus}\nmemory = ")),
            7 => plain(n).replace("name = \"vm-0007\"", "name = \"vm-\\u00300007\""),
            _ => plain(n),
        })
    };
    let load = |text: &str| {
        load_design_str(Path::new("many.toml"), text)
            .map_err(|e| e.to_string())
            .unwrap()
    };
    let (left, read) = (load(&with("0x10")), load(&with("16  ")));
    assert_eq!(left.vms.len(), VMS);
    let vm = |inventory: &stretchdr_model::Inventory, n: usize| {
        let vm = inventory.vms.values().nth(n).unwrap();
        (vm.name.clone(), vm.cpus, vm.memory_bytes, vm.origin)
    };
    assert_eq!(vm(&left, 7).0, "vm-00007");
    assert_eq!(vm(&left, 2_500).1, 16);
    for n in 0..VMS {
        assert_eq!(vm(&left, n), vm(&read, n), "vm {n}");
    }
    let key = |inventory: &stretchdr_model::Inventory| {
        let origin = vm(inventory, 2_500).3.unwrap();
        inventory.sources.key_origin(origin, "cpus")
    };
    // The key's place: `cpus = 0x10` and `cpus = 16` (the spaces are not the value's).
    let (key_left, key_read) = (key(&left).unwrap(), key(&read).unwrap());
    assert_eq!(
        (key_left.line, key_left.offset),
        (key_read.line, key_read.offset)
    );
}

#[test]
fn the_vm_budget_counts_names_read_by_the_first_pass() {
    // Thousands of VMs, ten of them ranges of 100,000 names: counted before any VM is
    // built, from the names the fast reader's first pass saw.
    let text = design(|n| match n {
        1_500..1_510 => plain(n).replace("\"\ncluster", "-{1..100000}\"\ncluster"),
        _ => plain(n),
    });
    let message = error(&text);
    assert!(
        message.contains("more than the limit of 1000000"),
        "{message}"
    );
    // At the tenth range's name, where the count passes the limit.
    let line = 1 + text
        .lines()
        .position(|l| l == "name = \"vm-1509-{1..100000}\"")
        .unwrap();
    assert!(
        message.starts_with(&format!("many.toml:{line}:8:")),
        "{message}"
    );
}

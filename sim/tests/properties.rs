//! Property tests on random small designs and failure sequences: no VM runs on two hosts at
//! once, no host exceeds its memory, every VM ends with exactly one outcome, and the same
//! seed gives the same result.

use std::fmt::Write;
use std::path::Path;

use proptest::prelude::{Just, Strategy, any, prop_oneof, proptest};
use proptest::{collection, prop_assert, prop_assert_eq};
use stretchdr_model::design::load_design_str;
use stretchdr_sim::scenario::load_scenario_str;
use stretchdr_sim::{VmOutcome, report, simulate_observed};

#[derive(Debug, Clone)]
struct HostSpec {
    site: usize,
    memory_gib: u32,
    spm_priority: i32,
    power_management: bool,
    hosted_engine: bool,
}

#[derive(Debug, Clone)]
struct VmSpec {
    memory_gib: u32,
    ha: bool,
    priority: u32,
    lease: Option<usize>,
    disk: usize,
    network: usize,
    pinned_to: Option<usize>,
    resume: usize,
}

#[derive(Debug, Clone)]
struct GroupSpec {
    vms: Vec<usize>,
    hosts: Vec<usize>,
    enforcing: bool,
    positive: bool,
}

#[derive(Debug, Clone)]
struct Case {
    witness: bool,
    self_hosted: bool,
    engine_site: usize,
    external_ha: bool,
    overcommit: u32,
    skip_fencing: bool,
    hosts: Vec<HostSpec>,
    vms: Vec<VmSpec>,
    groups: Vec<GroupSpec>,
    events: Vec<(u32, String)>,
    seed: u64,
}

const SITES: [&str; 2] = ["site-a", "site-b"];
const DOMAINS: [&str; 2] = ["data1", "local-a"];
const NETWORKS: [&str; 2] = ["net-ab", "net-a"];
const RESUME: [&str; 3] = ["kill", "leave_paused", "auto_resume"];

fn host_spec() -> impl Strategy<Value = HostSpec> {
    (
        0..2usize,
        4..24u32,
        -1..=10i32,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(site, memory_gib, spm_priority, power_management, hosted_engine)| HostSpec {
                site,
                memory_gib,
                spm_priority,
                power_management,
                hosted_engine,
            },
        )
}

fn vm_spec() -> impl Strategy<Value = VmSpec> {
    (
        (1..6u32, any::<bool>(), 0..=100u32),
        proptest::option::of(0..2usize),
        (0..2usize, 0..2usize),
        proptest::option::weighted(0.2, 0..6usize),
        0..3usize,
    )
        .prop_map(
            |((memory_gib, ha, priority), lease, (disk, network), pinned_to, resume)| VmSpec {
                memory_gib,
                ha,
                priority,
                lease,
                disk,
                network,
                pinned_to,
                resume,
            },
        )
}

fn group_spec() -> impl Strategy<Value = GroupSpec> {
    (
        collection::vec(0..12usize, 1..4),
        collection::vec(0..6usize, 1..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(vms, hosts, enforcing, positive)| GroupSpec {
            vms,
            hosts,
            enforcing,
            positive,
        })
}

fn event(hosts: usize) -> impl Strategy<Value = (u32, String)> {
    let target = prop_oneof![
        (0..2usize).prop_map(|s| format!("fail = \"site:{}\"", SITES[s])),
        (0..2usize).prop_map(|s| format!("recover = \"site:{}\"", SITES[s])),
        (0..2usize).prop_map(|s| format!("maintenance = \"site:{}\"", SITES[s])),
        (0..hosts).prop_map(|h| format!("fail = \"host:h{h}\"")),
        (0..hosts).prop_map(|h| format!("recover = \"host:h{h}\"")),
        (0..hosts).prop_map(|h| format!("maintenance = \"host:h{h}\"")),
        Just("fail = \"link:site-a/site-b\"".to_string()),
        Just("recover = \"link:site-a/site-b\"".to_string()),
        Just("fail = \"replication:data1\"".to_string()),
        Just("recover = \"replication:data1\"".to_string()),
        Just("fail = \"engine\"".to_string()),
        Just("recover = \"engine\"".to_string()),
    ];
    (0..180u32, target)
}

/// The failure that starts every sequence, so that most cases exercise the engine.
fn first_failure(hosts: usize) -> impl Strategy<Value = (u32, String)> {
    let target = prop_oneof![
        (0..2usize).prop_map(|s| format!("fail = \"site:{}\"", SITES[s])),
        (0..2usize).prop_map(|s| format!("maintenance = \"site:{}\"", SITES[s])),
        (0..hosts).prop_map(|h| format!("fail = \"host:h{h}\"")),
        Just("fail = \"link:site-a/site-b\"".to_string()),
    ];
    (0..10u32, target)
}

fn case() -> impl Strategy<Value = Case> {
    collection::vec(host_spec(), 2..7).prop_flat_map(|hosts| {
        let n = hosts.len();
        (
            (any::<bool>(), any::<bool>(), 0..2usize, any::<bool>()),
            (prop_oneof![Just(100u32), Just(150u32)], any::<bool>()),
            Just(hosts),
            collection::vec(vm_spec(), 3..12),
            collection::vec(group_spec(), 0..3),
            (first_failure(n), collection::vec(event(n), 0..5))
                .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<_>>()),
            any::<u64>(),
        )
            .prop_map(
                |(
                    (witness, self_hosted, engine_site, external_ha),
                    (overcommit, skip_fencing),
                    hosts,
                    vms,
                    groups,
                    events,
                    seed,
                )| Case {
                    witness,
                    self_hosted,
                    engine_site,
                    external_ha,
                    overcommit,
                    skip_fencing,
                    hosts,
                    vms,
                    groups,
                    events,
                    seed,
                },
            )
    })
}

fn design(case: &Case) -> String {
    let mut d = String::new();
    let deployment = if case.self_hosted {
        "self-hosted"
    } else {
        "standalone"
    };
    let _ = writeln!(
        d,
        "[engine]\ndeployment = \"{deployment}\"\nsite = \"{}\"\nexternal_ha = {}\n",
        SITES[case.engine_site],
        case.external_ha && !case.self_hosted
    );
    d.push_str("[[site]]\nname = \"site-a\"\nrole = \"primary\"\n\n[[site]]\nname = \"site-b\"\nrole = \"secondary\"\n\n[[site]]\nname = \"site-c\"\nrole = \"witness\"\n\n");
    d.push_str("[[link]]\nsites = [\"site-a\", \"site-b\"]\nrtt_ms = 2.0\n\n[[data_center]]\nname = \"dc\"\n\n");
    let _ = writeln!(
        d,
        "[[cluster]]\nname = \"c\"\ndata_center = \"dc\"\nmemory_overcommit = {}\nfencing = {{ enabled = true, skip_if_connectivity_broken = {}, threshold = 50 }}\n",
        case.overcommit, case.skip_fencing
    );
    for (i, h) in case.hosts.iter().enumerate() {
        let _ = writeln!(
            d,
            "[[host]]\nname = \"h{i}\"\nsite = \"{}\"\ncluster = \"c\"\nmemory = \"{}GiB\"\ncpus = 8\nspm_priority = {}\npower_management = {}\nhosted_engine = {}\n",
            SITES[h.site], h.memory_gib, h.spm_priority, h.power_management, h.hosted_engine
        );
    }
    d.push_str("[[network]]\nname = \"net-ab\"\ndata_center = \"dc\"\nsites = [\"site-a\", \"site-b\"]\n\n");
    d.push_str("[[network]]\nname = \"net-a\"\ndata_center = \"dc\"\nsites = [\"site-a\"]\n\n");
    let witness = if case.witness {
        "witness = \"site-c\"\n"
    } else {
        ""
    };
    let _ = writeln!(
        d,
        "[[storage_domain]]\nname = \"data1\"\nstorage = \"iscsi\"\ntype = \"data\"\ndata_center = \"dc\"\nmaster = true\nreplication = \"sync\"\nwritable_at = [\"site-a\", \"site-b\"]\n{witness}"
    );
    d.push_str("[[storage_domain]]\nname = \"local-a\"\nstorage = \"nfs\"\ntype = \"data\"\ndata_center = \"dc\"\nreplication = \"none\"\nwritable_at = [\"site-a\"]\n\n");
    for (i, vm) in case.vms.iter().enumerate() {
        let _ = writeln!(
            d,
            "[[vm]]\nname = \"vm{i}\"\ncluster = \"c\"\nmemory = \"{}GiB\"\ncpus = 2\nha = {}\nha_priority = {}\nresume_behaviour = \"{}\"\ndisks = [\"{}\"]\nnetworks = [\"{}\"]",
            vm.memory_gib,
            vm.ha,
            vm.priority,
            RESUME[vm.resume],
            DOMAINS[vm.disk],
            NETWORKS[vm.network]
        );
        if let Some(lease) = vm.lease
            && vm.ha
        {
            let _ = writeln!(d, "lease = \"{}\"", DOMAINS[lease]);
        }
        if let Some(host) = vm.pinned_to
            && host < case.hosts.len()
        {
            let _ = writeln!(d, "placement = \"pinned\"\nplacement_hosts = [\"h{host}\"]");
        }
        d.push('\n');
    }
    for (i, g) in case.groups.iter().enumerate() {
        let mut vms: Vec<String> = g
            .vms
            .iter()
            .filter(|v| **v < case.vms.len())
            .map(|v| format!("\"vm{v}\""))
            .collect();
        vms.sort();
        vms.dedup();
        let mut hosts: Vec<String> = g
            .hosts
            .iter()
            .filter(|h| **h < case.hosts.len())
            .map(|h| format!("\"h{h}\""))
            .collect();
        hosts.sort();
        hosts.dedup();
        if vms.is_empty() || hosts.is_empty() {
            continue;
        }
        let _ = writeln!(
            d,
            "[[affinity_group]]\nname = \"g{i}\"\ncluster = \"c\"\nvms = [{}]\nhosts = [{}]\nhosts_rule = {{ enabled = true, positive = {}, enforcing = {} }}\n",
            vms.join(", "),
            hosts.join(", "),
            g.positive,
            g.enforcing
        );
    }
    d
}

fn scenario(case: &Case) -> String {
    let mut s = format!(
        "[scenario]\nname = \"random\"\ndesign = \"design.toml\"\nseed = {}\n\n",
        case.seed
    );
    for (minute, target) in &case.events {
        let _ = writeln!(s, "[[event]]\nat = \"{minute}m\"\n{target}\n");
    }
    s.push_str("[parameters]\nhorizon = \"3h\"\n");
    s
}

proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    #[test]
    fn invariants_hold_on_random_designs_and_failures(case in case()) {
        let design_text = design(&case);
        let scenario_text = scenario(&case);
        let load = || {
            load_scenario_str(Path::new("random.toml"), &scenario_text, |p| load_design_str(p, &design_text))
                .unwrap_or_else(|e| panic!("{e}\n{design_text}\n{scenario_text}"))
        };
        let (scenario, inventory) = load();
        let mut broken = None;
        let result = simulate_observed(&inventory, &scenario, 0, |model| {
            if broken.is_none() && let Err(e) = model.check_invariants() {
                broken = Some(e);
            }
        })
        .unwrap();
        prop_assert!(broken.is_none(), "{}\n{design_text}\n{scenario_text}", broken.unwrap_or_default());
        prop_assert_eq!(result.vms.len(), inventory.vms.len());
        for (vm, config) in result.vms.iter().zip(inventory.vms.values()) {
            prop_assert_eq!(&vm.name, &config.name);
            prop_assert_eq!(
                vm.reason.is_some(),
                matches!(vm.outcome, VmOutcome::NotRestarted | VmOutcome::NotMigrated),
                "{:?}",
                vm
            );
            if vm.outcome == VmOutcome::Restarted {
                prop_assert!(vm.up_at_s.is_some() && vm.down_at_s.is_some(), "{:?}", vm);
                prop_assert!(vm.up_at_s >= vm.down_at_s, "{:?}", vm);
            }
        }
        let s = &result.summary;
        prop_assert_eq!(
            s.restarted + s.not_restarted + s.unaffected + s.migrated + s.split_brain + s.resumed
                + s.not_migrated,
            s.vms
        );
        let again = stretchdr_sim::simulate(&inventory, &scenario).unwrap();
        prop_assert_eq!(report::json(&result), report::json(&again));
    }
}

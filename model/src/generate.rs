//! Synthetic designs for benchmarks and what-if studies (`stretchdr gen`).
//!
//! [`generate`] writes a design TOML that [`crate::design::load_design_str`] loads: data sites
//! (the first primary, the others secondary) plus a witness, several stretched clusters for
//! large host counts, VMs of a realistic size mix of which about 80 % are HA with a lease on
//! synchronously replicated storage, and soft site affinity groups. A few of each lint defect
//! are sprinkled in at low rates, each marked `# defect: AAxxx`, so a generated design
//! exercises every rule. The same parameters give the same bytes: the only randomness is
//! [`SplitMix64`] seeded from [`GenParams::seed`].

use std::fmt::Write;

use crate::budget::Budget;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenParams {
    /// Data sites holding hosts (at least 1); with 2 or more a witness site is added.
    pub sites: usize,
    /// Hosts in all; raised to one per site if lower.
    pub hosts: usize,
    pub vms: usize,
    /// Affinity groups; `None` for one per 10 VMs.
    pub affinity_groups: Option<usize>,
    pub seed: u64,
}

impl GenParams {
    /// Refuses parameters that would make more entities than `budget` allows, before any
    /// memory is spent on them: `gen --vms 10000000000` is a typo, not a design.
    pub fn check(&self, budget: &Budget) -> Result<(), String> {
        let groups = self.affinity_groups.unwrap_or(self.vms / 10);
        // Each data site has a site, the witness one more; sizes add without wrapping.
        let entities = [self.sites, 1, self.hosts, self.vms, groups]
            .into_iter()
            .map(|n| n as u128)
            .sum::<u128>();
        budget.check_entities(entities, "these parameters")
    }
}

/// The splitmix64 generator (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", 2014): tiny, fast, portable and good enough to vary a synthetic design.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift: no modulo bias worth noticing here.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Rates of the deliberate defects, per VM (or per group for AA005).
const HA_SHARE: f64 = 0.8;
const NO_LEASE_RATE: f64 = 0.01; // AA003
const HARD_GROUP_RATE: f64 = 0.02; // AA005
const LOOSE_RATE: f64 = 0.01; // AA006
const ASYNC_LEASE_RATE: f64 = 0.003; // AA012
const AUTO_RESUME_RATE: f64 = 0.005; // AA014
const ONE_SITE_NETWORK_RATE: f64 = 0.005; // AA016

/// Hosts per cluster before the generator adds another cluster.
const HOSTS_PER_CLUSTER: usize = 100;

/// VM sizes: (name prefix, memory GiB, CPUs, weight).
const SIZES: &[(&str, u64, u32, usize)] = &[
    ("web", 2, 1, 25),
    ("app", 4, 2, 35),
    ("svc", 8, 4, 22),
    ("db", 16, 8, 12),
    ("bigdb", 32, 8, 6),
];

/// Host memory sizes offered, GiB; larger needs are rounded up to 256 GiB steps.
const HOST_MEMORY_GIB: &[u64] = &[256, 384, 512, 768, 1024, 1536, 2048];

struct GenVm {
    name: String,
    cluster: usize,
    site: usize,
    memory_gib: u64,
    cpus: u32,
    ha: bool,
    ha_priority: u32,
    defect: Option<VmDefect>,
    host: usize,
    extra_network: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VmDefect {
    NoLease,
    Loose,
    AsyncLease,
    AutoResume,
    OneSiteNetwork,
}

impl VmDefect {
    fn comment(self) -> &'static str {
        match self {
            VmDefect::NoLease => "# defect: AA003 HA without a lease",
            VmDefect::Loose => "# defect: AA006 HA in no site affinity group",
            VmDefect::AsyncLease => "# defect: AA012 lease on asynchronously replicated storage",
            VmDefect::AutoResume => "# defect: AA014 leased but resumes automatically",
            VmDefect::OneSiteNetwork => "# defect: AA016 uses a network carried at one site",
        }
    }
}

/// The sites' short codes, used in site and host names: a, b, ... z, then 27, 28, ...
fn site_code(site: usize) -> String {
    if site < 26 {
        char::from(b'a' + site as u8).to_string()
    } else {
        (site + 1).to_string()
    }
}

/// Splits `total` into `parts` near-equal counts, the larger ones first.
fn split(total: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

/// Writes a design TOML for `params`; byte-identical for identical params.
pub fn generate(params: &GenParams) -> String {
    let sites = params.sites.max(1);
    let hosts = params.hosts.max(sites);
    let groups_wanted = params.affinity_groups.unwrap_or(params.vms / 10);
    let mut rng = SplitMix64::new(params.seed);

    let clusters = hosts.div_ceil(HOSTS_PER_CLUSTER).min(hosts / sites).max(1);
    // hosts_of[cluster][site] = number of hosts.
    let hosts_of: Vec<Vec<usize>> = split(hosts, clusters)
        .into_iter()
        .map(|n| split(n, sites))
        .collect();
    let width = hosts_of
        .iter()
        .flatten()
        .max()
        .map_or(3, |&n| n.to_string().len().max(3));
    let host_name =
        |c: usize, s: usize, n: usize| format!("c{}-{}-{:0width$}", c + 1, site_code(s), n + 1);

    // VMs: spread over clusters in proportion to their hosts, each with a home site.
    let cluster_hosts: Vec<usize> = hosts_of.iter().map(|h| h.iter().sum()).collect();
    let mut counters = vec![0usize; SIZES.len()];
    let total_weight: usize = SIZES.iter().map(|s| s.3).sum();
    let mut vms = Vec::with_capacity(params.vms);
    let mut cumulative = cluster_hosts.iter().scan(0, |acc, &n| {
        *acc += n;
        Some(*acc)
    });
    let mut cluster = 0;
    let mut cluster_end = cumulative.next().unwrap_or(hosts);
    for i in 0..params.vms {
        while i * hosts >= cluster_end * params.vms && cluster + 1 < clusters {
            cluster += 1;
            cluster_end = cumulative.next().unwrap_or(hosts);
        }
        let mut pick = rng.below(total_weight);
        let size = SIZES
            .iter()
            .position(|s| {
                let hit = pick < s.3;
                pick = pick.saturating_sub(s.3);
                hit
            })
            .unwrap_or(0);
        counters[size] += 1;
        let (prefix, memory_gib, cpus, _) = SIZES[size];
        let site = rng.below(sites);
        let ha = rng.chance(HA_SHARE);
        let defect = if !ha {
            None
        } else if rng.chance(NO_LEASE_RATE) {
            Some(VmDefect::NoLease)
        } else if sites > 1 && rng.chance(LOOSE_RATE) {
            Some(VmDefect::Loose)
        } else if sites > 1 && rng.chance(ASYNC_LEASE_RATE) {
            Some(VmDefect::AsyncLease)
        } else if rng.chance(AUTO_RESUME_RATE) {
            Some(VmDefect::AutoResume)
        } else if sites > 1 && site == 0 && rng.chance(ONE_SITE_NETWORK_RATE * sites as f64) {
            Some(VmDefect::OneSiteNetwork)
        } else {
            None
        };
        vms.push(GenVm {
            name: format!("{prefix}-{:05}", counters[size]),
            cluster,
            site,
            memory_gib,
            cpus,
            ha,
            ha_priority: [1, 50, 100][rng.below(3)],
            defect,
            host: rng.below(hosts_of[cluster][site]),
            extra_network: rng.chance(0.3),
        });
    }

    // Host memory: each site of a cluster can run all of the cluster's HA VMs plus its own
    // non-HA ones, with the cluster's memory overcommit.
    let overcommit = |c: usize| if c == 0 { 100 } else { 150 };
    let host_memory_gib: Vec<u64> = (0..clusters)
        .map(|c| {
            let ha: u64 = vms
                .iter()
                .filter(|v| v.cluster == c && v.ha)
                .map(|v| v.memory_gib)
                .sum();
            let need = (0..sites)
                .map(|s| {
                    let own: u64 = vms
                        .iter()
                        .filter(|v| v.cluster == c && v.site == s && !v.ha)
                        .map(|v| v.memory_gib)
                        .sum();
                    let per_host = (ha + own) * 100 / (overcommit(c) * hosts_of[c][s] as u64);
                    per_host + 1
                })
                .max()
                .unwrap_or(1);
            HOST_MEMORY_GIB
                .iter()
                .copied()
                .find(|&m| m >= need)
                .unwrap_or(need.div_ceil(256) * 256)
        })
        .collect();

    // Affinity groups: one bucket per (cluster, site) of grouped HA VMs, groups dealt out to
    // the buckets in proportion to their VMs, every bucket getting one while groups last.
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); clusters * sites];
    for (i, vm) in vms.iter().enumerate() {
        if vm.ha && vm.defect != Some(VmDefect::Loose) {
            buckets[vm.cluster * sites + vm.site].push(i);
        }
    }
    let filled: Vec<usize> = (0..buckets.len())
        .filter(|&b| !buckets[b].is_empty())
        .collect();
    let mut group_count = vec![0usize; buckets.len()];
    for &b in filled.iter().take(groups_wanted) {
        group_count[b] = 1;
    }
    let mut left = groups_wanted.saturating_sub(filled.len());
    let grouped: usize = filled.iter().map(|&b| buckets[b].len()).sum();
    if grouped > 0 {
        let shares: Vec<usize> = filled
            .iter()
            .map(|&b| left * buckets[b].len() / grouped)
            .collect();
        for (&b, share) in filled.iter().zip(&shares) {
            group_count[b] += share;
        }
        left -= shares.iter().sum::<usize>();
        for &b in filled.iter().cycle().take(left) {
            group_count[b] += 1;
        }
    }

    let mut out = String::with_capacity(params.vms * 300 + hosts * 200);
    let o = &mut out;
    let witness = sites > 1;
    let site_name = |s: usize| format!("site-{}", site_code(s));

    let _ = writeln!(
        o,
        "# Synthetic stretch cluster (generated: sites {}, hosts {}, vms {}, affinity groups {}, seed {}).",
        params.sites, params.hosts, params.vms, groups_wanted, params.seed
    );
    let _ = writeln!(
        o,
        "# {sites} data site(s){}, {clusters} cluster(s), {hosts} hosts, {} VMs; defects are marked `# defect:`.\n",
        if witness { " and a witness" } else { "" },
        params.vms
    );
    let _ = writeln!(
        o,
        "[engine]\ndeployment = \"self-hosted\"\nsite = \"site-a\"\nversion = \"4.5\"\n"
    );
    for s in 0..sites {
        let role = if s == 0 { "primary" } else { "secondary" };
        let _ = writeln!(
            o,
            "[[site]]\nname = \"{}\"\nrole = \"{role}\"\n",
            site_name(s)
        );
    }
    if witness {
        let _ = writeln!(o, "[[site]]\nname = \"site-witness\"\nrole = \"witness\"\n");
    }
    for a in 0..sites {
        for b in a + 1..sites {
            let rtt = 1.0 + rng.below(40) as f64 / 10.0;
            let _ = writeln!(
                o,
                "[[link]]\nsites = [\"{}\", \"{}\"]\nrtt_ms = {rtt:.1}\nl2 = true\nbandwidth = \"25Gbps\"\n",
                site_name(a),
                site_name(b)
            );
        }
        if witness {
            let rtt = 5.0 + rng.below(100) as f64 / 10.0;
            let _ = writeln!(
                o,
                "[[link]]\nsites = [\"{}\", \"site-witness\"]\nrtt_ms = {rtt:.1}\nbandwidth = \"1Gbps\"\n",
                site_name(a)
            );
        }
    }
    let _ = writeln!(
        o,
        "[[data_center]]\nname = \"dc1\"\ncompatibility = \"4.7\"\n"
    );
    for c in 0..clusters {
        let _ = writeln!(
            o,
            "[[cluster]]\nname = \"c{}\"\ndata_center = \"dc1\"\ncompatibility = \"4.7\"\non_error = \"migrate\"\n\
             fencing = {{ enabled = true, skip_if_connectivity_broken = false, threshold = 50 }}\n\
             migration_policy = \"minimal_downtime\"\nmemory_overcommit = {}\n",
            c + 1,
            overcommit(c)
        );
    }

    // Hosts: SPM priority 8 in the primary site, 3 elsewhere; one secondary host too high.
    let all_sites: Vec<String> = (0..sites)
        .map(|s| format!("\"{}\"", site_name(s)))
        .collect();
    let all_sites = all_sites.join(", ");
    for (c, per_site) in hosts_of.iter().enumerate() {
        let memory = host_memory_gib[c];
        let cpus = if memory >= 1024 {
            128
        } else if memory >= 512 {
            64
        } else {
            48
        };
        for (s, &n) in per_site.iter().enumerate() {
            for h in 0..n {
                let bad_spm = c == 0 && s == 1 && h + 1 == n.min(3);
                let spm = if s == 0 || bad_spm { 8 } else { 3 };
                if bad_spm {
                    let _ = writeln!(
                        o,
                        "# defect: AA007 a secondary host with the primary hosts' SPM priority"
                    );
                }
                let _ = writeln!(
                    o,
                    "[[host]]\nname = \"{}\"\nsite = \"{}\"\ncluster = \"c{}\"\nmemory = \"{memory}GiB\"\ncpus = {cpus}\n\
                     spm_priority = {spm}\npower_management = true",
                    host_name(c, s, h),
                    site_name(s),
                    c + 1
                );
                if c == 0 && h < 2 {
                    let _ = writeln!(o, "hosted_engine = true");
                }
                o.push('\n');
            }
        }
    }

    for name in ["ovirtmgmt", "migration", "vm-net"] {
        let _ = writeln!(
            o,
            "[[network]]\nname = \"{name}\"\ndata_center = \"dc1\"\nsites = [{all_sites}]\n"
        );
    }
    for c in 0..clusters {
        let _ = writeln!(
            o,
            "[[network]]\nname = \"c{}-net\"\ndata_center = \"dc1\"\nsites = [{all_sites}]\n",
            c + 1
        );
    }
    if sites > 1 {
        let _ = writeln!(
            o,
            "# defect: AA016 carried at site-a only\n[[network]]\nname = \"backup-a\"\ndata_center = \"dc1\"\nsites = [\"site-a\"]\n"
        );
    }

    let witness_line = if witness {
        "witness = \"site-witness\"\n"
    } else {
        ""
    };
    let replication = if witness { "sync" } else { "none" };
    let _ = writeln!(
        o,
        "[[storage_domain]]\nname = \"hosted_storage\"\nstorage = \"iscsi\"\ntype = \"hosted_engine\"\ndata_center = \"dc1\"\n\
         replication = \"{replication}\"\nwritable_at = [{all_sites}]\n{witness_line}"
    );
    for c in 0..clusters {
        let master = if c == 0 { "master = true\n" } else { "" };
        let _ = writeln!(
            o,
            "[[storage_domain]]\nname = \"c{}-data\"\nstorage = \"iscsi\"\ntype = \"data\"\ndata_center = \"dc1\"\n{master}\
             replication = \"{replication}\"\nwritable_at = [{all_sites}]\n{witness_line}",
            c + 1
        );
    }
    if sites > 1 {
        let _ = writeln!(
            o,
            "[[storage_domain]]\nname = \"archive-async\"\nstorage = \"fcp\"\ntype = \"data\"\ndata_center = \"dc1\"\n\
             replication = \"async\"\nwritable_at = [\"site-a\"]\n"
        );
    }

    for vm in &vms {
        let c = vm.cluster + 1;
        if let Some(defect) = vm.defect {
            let _ = writeln!(o, "{}", defect.comment());
        }
        let _ = writeln!(
            o,
            "[[vm]]\nname = \"{}\"\ncluster = \"c{c}\"\nmemory = \"{}GiB\"\ncpus = {}",
            vm.name, vm.memory_gib, vm.cpus
        );
        if vm.ha {
            let _ = writeln!(o, "ha = true\nha_priority = {}", vm.ha_priority);
            match vm.defect {
                Some(VmDefect::NoLease) => {}
                Some(VmDefect::AsyncLease) => {
                    let _ = writeln!(o, "lease = \"archive-async\"\nresume_behaviour = \"kill\"");
                }
                Some(VmDefect::AutoResume) => {
                    let _ = writeln!(
                        o,
                        "lease = \"c{c}-data\"\nresume_behaviour = \"auto_resume\""
                    );
                }
                _ => {
                    let _ = writeln!(o, "lease = \"c{c}-data\"\nresume_behaviour = \"kill\"");
                }
            }
        }
        let network = match (vm.defect, vm.extra_network) {
            (Some(VmDefect::OneSiteNetwork), _) => ", \"backup-a\"".to_owned(),
            (_, true) => format!(", \"c{c}-net\""),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "disks = [\"c{c}-data\"]\nnetworks = [\"vm-net\"{network}]\nruns_on = \"{}\"\n",
            host_name(vm.cluster, vm.site, vm.host)
        );
    }

    for (b, members) in buckets.iter().enumerate() {
        let (c, s) = (b / sites, b % sites);
        let n = group_count[b];
        if n == 0 {
            continue;
        }
        let last = hosts_of[c][s];
        let hosts = if last == 1 {
            format!("\"{}\"", host_name(c, s, 0))
        } else {
            format!(
                "\"c{}-{}-{{{:0width$}..{:0width$}}}\"",
                c + 1,
                site_code(s),
                1,
                last
            )
        };
        let mut start = 0;
        for (g, chunk) in split(members.len(), n).into_iter().enumerate() {
            let names: Vec<String> = members[start..start + chunk]
                .iter()
                .map(|&i| format!("\"{}\"", vms[i].name))
                .collect();
            let hard = rng.chance(HARD_GROUP_RATE);
            if hard {
                let _ = writeln!(
                    o,
                    "# defect: AA005 an enforcing rule confines these VMs to one site"
                );
            }
            let _ = writeln!(
                o,
                "[[affinity_group]]\nname = \"c{}-{}-{:04}\"\ncluster = \"c{}\"\nvms = [{}]\nhosts = [{hosts}]\n\
                 hosts_rule = {{ enabled = true, positive = true, enforcing = {hard} }}\nvms_rule = {{ enabled = false }}\n",
                c + 1,
                if hard { "pin" } else { "prefer" }.to_owned() + "-" + &site_code(s),
                g + 1,
                c + 1,
                names.join(", ")
            );
            start += chunk;
        }
    }
    out
}

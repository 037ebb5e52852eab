//! The gluster geo-replication fields of a storage domain (issue 8): what the design says
//! reaches the inventory, and every mistake is an error at its file and line.

use std::path::Path;

use stretchdr_model::design::{load_design, load_design_str};
use stretchdr_model::inventory::{
    ChangeRate, DAY_MS, GLUSTER_SHARD_BLOCK_SIZE_BYTES, HOUR_MS, SyncFrequency, SyncSchedule,
};

fn fixture() -> stretchdr_model::Inventory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/georep/design.toml");
    load_design(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn volumes_and_sessions_reach_the_inventory() {
    let inv = fixture();
    let vmstore = &inv.storage_domains[inv.storage_domains.find("vmstore").unwrap()];
    let volume = vmstore
        .gluster
        .as_ref()
        .expect("vmstore has a gluster volume");
    assert_eq!(volume.volume, "vmstore");
    assert!(volume.is_sharded());
    assert_eq!(volume.shard_block_size(), 64 << 20);
    assert_eq!(volume.capacity_bytes, Some(10 << 40));
    let [session] = volume.georep.as_slice() else {
        panic!("one session")
    };
    assert_eq!(session.secondary_volume, "vmstore-dr");
    assert_eq!(session.secondary_site, inv.sites.find("site-b"));
    assert_eq!(session.secondary_capacity_bytes, Some(12 << 40));
    assert!(session.secondary_is_sharded());
    assert_eq!(session.rpo_target_ms, Some(36 * HOUR_MS));
    let schedule = session.schedule.as_ref().unwrap();
    assert_eq!(schedule.frequency(), SyncFrequency::Daily);
    assert_eq!(
        schedule.fires_between(0, 2 * DAY_MS),
        vec![HOUR_MS, DAY_MS + HOUR_MS]
    );
    let Some(ChangeRate::ByHour { bytes_per_hour }) = &session.change_rate else {
        panic!("a rate per hour")
    };
    assert_eq!(bytes_per_hour[9], 25.0 * (1u64 << 30) as f64);
    // No bandwidth of its own: the link's 1 Gbps.
    assert_eq!(session.bandwidth(&inv, vmstore), Some(1_000_000_000));
    let line = session.origin.unwrap().line;
    assert_eq!(
        inv.sources.line_text(session.origin.unwrap().file, line),
        Some("[[storage_domain.georep]]")
    );

    let data = &inv.storage_domains[inv.storage_domains.find("data").unwrap()];
    let volume = data.gluster.as_ref().unwrap();
    assert_eq!(volume.shard_block_size(), GLUSTER_SHARD_BLOCK_SIZE_BYTES);
    let session = &volume.georep[0];
    assert_eq!(session.bandwidth(&inv, data), Some(500_000_000));
    assert_eq!(
        session.schedule.as_ref().unwrap().frequency(),
        SyncFrequency::Weekly
    );
}

#[test]
fn domains_without_gluster_fields_have_none() {
    let text = "[[storage_domain]]\nname = \"d\"\nstorage = \"glusterfs\"\n";
    let inv = load_design_str(Path::new("design.toml"), text).unwrap();
    assert!(inv.storage_domains.values().all(|d| d.gluster.is_none()));
}

#[test]
fn worst_case_rpo_by_arithmetic() {
    // Every 6 h, 20 GiB/h over 1 Gbps: 120 GiB ship in 120 * 2^30 * 8 / 1e9 s = 1030.79 s.
    let text = r#"
[[storage_domain]]
name = "d"
storage = "glusterfs"
gluster = { volume = "d" }

[[storage_domain.georep]]
secondary_volume = "d-dr"
schedule = "6h"
change_rate = "20GiB/h"
bandwidth = "1Gbps"
"#;
    let inv = load_design_str(Path::new("design.toml"), text).unwrap();
    let domain = inv.storage_domains.values().next().unwrap();
    let session = &domain.gluster.as_ref().unwrap().georep[0];
    assert_eq!(
        session.schedule,
        Some(SyncSchedule::Interval {
            every_ms: 6 * HOUR_MS
        })
    );
    let estimate = session
        .worst_case_rpo(session.bandwidth(&inv, domain))
        .unwrap();
    assert_eq!(estimate.sync_ms, 1_030_793);
    // The engine sees the sync complete at its next 300 s status refresh: 1200 s.
    assert_eq!(estimate.refresh_wait_ms, 1_200_000 - 1_030_793);
    assert_eq!(estimate.rpo_ms, 6 * HOUR_MS + 1_200_000);
    assert!(!estimate.overruns);
}

/// The error for a design with one gluster domain whose session carries `session` (and whose
/// volume is `gluster`), as `file:line:column: message`.
fn error_of(storage: &str, gluster: &str, session: &str) -> String {
    let text = format!(
        "[[site]]\nname = \"site-a\"\nrole = \"primary\"\n\n[[site]]\nname = \"site-b\"\nrole = \"secondary\"\n\n\
         [[storage_domain]]\nname = \"vmstore\"\nstorage = \"{storage}\"\n{gluster}\n\n\
         [[storage_domain.georep]]\nsecondary_volume = \"vmstore-dr\"\n{session}\n"
    );
    match load_design_str(Path::new("design.toml"), &text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

const GLUSTER: &str = "gluster = { volume = \"vmstore\" }";

macro_rules! cases {
    ($($name:ident: $storage:expr, $gluster:expr, $session:expr;)*) => {$(
        #[test]
        fn $name() {
            insta::assert_snapshot!(error_of($storage, $gluster, $session));
        }
    )*};
}

cases! {
    georep_unknown_key: "glusterfs", GLUSTER, "schedule = \"0 1 * * *\"\nrpo = \"8h\"";
    gluster_unknown_key: "glusterfs", "gluster = { volume = \"vmstore\", shards = true }", "";
    cron_bad_hour: "glusterfs", GLUSTER, "schedule = \"0 24 * * *\"";
    cron_day_of_month: "glusterfs", GLUSTER, "schedule = \"0 1 15 * *\"";
    cron_field_count: "glusterfs", GLUSTER, "schedule = \"0 1 * *\"";
    schedule_not_interval: "glusterfs", GLUSTER, "schedule = \"hourly\"";
    bad_change_rate: "glusterfs", GLUSTER, "change_rate = \"20GiB\"";
    both_change_rates: "glusterfs", GLUSTER, "change_rate = \"20GiB/h\"\nchange_rate_by_hour = [1, 2]";
    change_rate_by_hour_length: "glusterfs", GLUSTER, "change_rate_by_hour = [1, 2, 3]";
    change_rate_by_hour_negative: "glusterfs", GLUSTER, "change_rate_by_hour = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -4]";
    bad_bandwidth: "glusterfs", GLUSTER, "bandwidth = \"fast\"";
    bad_rpo_target: "glusterfs", GLUSTER, "rpo_target = \"8 hours\"";
    bad_secondary_capacity: "glusterfs", GLUSTER, "secondary_capacity = \"lots\"";
    unknown_secondary_site: "glusterfs", GLUSTER, "secondary_site = \"site-z\"";
    shard_block_size_too_small: "glusterfs", "gluster = { volume = \"vmstore\", sharding = true, shard_block_size = \"1MiB\" }", "";
    gluster_on_nfs: "nfs", GLUSTER, "";
    georep_without_gluster: "glusterfs", "", "";
    bad_mode: "glusterfs", GLUSTER, "mode = \"changelog\"";
    checkpoint_on_a_scheduled_session: "glusterfs", GLUSTER, "schedule = \"0 1 * * *\"\ncheckpoint = \"6h\"";
    replica_out_of_range: "glusterfs", "gluster = { volume = \"vmstore\", replica = 0 }", "";
    bad_secondary_status: "glusterfs", GLUSTER, "secondary_status = \"started\"";
    unknown_secondary_cluster: "glusterfs", GLUSTER, "secondary_cluster = \"gluster-z\"";
}

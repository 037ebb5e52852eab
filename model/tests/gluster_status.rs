//! gluster's `geo-replication status --xml` saved next to an export: the sessions it reports
//! join the domains whose gluster volume the overlay names.

use std::path::Path;

use stretchdr_model::design::load_design;
use stretchdr_model::inventory::GeoRepMode;

#[test]
fn sessions_come_from_the_saved_status() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/georep/export-overlay.toml");
    let inventory = load_design(&path).unwrap_or_else(|e| panic!("{e}"));
    let session = |domain: &str| {
        let id = inventory.storage_domains.find(domain).unwrap();
        let volume = inventory.storage_domains[id].gluster.as_ref().unwrap();
        assert_eq!(volume.georep.len(), 1, "{domain}");
        volume.georep[0].clone()
    };
    let vmstore = session("vmstore");
    assert_eq!(vmstore.secondary_volume, "vmstore-dr");
    // Active and Passive workers: created and started, so continuous.
    assert_eq!(vmstore.mode, GeoRepMode::Continuous);
    let data = session("data");
    assert_eq!(data.secondary_volume, "data-dr");
    assert_eq!(data.mode, GeoRepMode::Scheduled);
}

//! Export directories of oVirt REST API (v4) responses, in XML or JSON.
//!
//! An export holds one file per GET, as `stretchdr fetch` writes them or as `curl -o`
//! saves them: `api/vms.xml`, `api/hosts.json`, `api/clusters/<id>/affinitygroups.xml`,
//! `api/vms/<id>/diskattachments.xml`, and optionally the API root `api.xml`. The
//! collections read are
//!
//! | file under `api/` | gives |
//! |---|---|
//! | `datacenters` | data centers |
//! | `clusters` | clusters |
//! | `hosts` | hosts |
//! | `storagedomains`, `datacenters/<id>/storagedomains` | storage domains, their data center and master flag |
//! | `networks`, `vnicprofiles` | networks and vNIC profiles |
//! | `disks`, `vms/<id>/diskattachments` | the storage domains of each VM's disks |
//! | `vms`, `vms/<id>/nics` | VMs and the networks of their vNICs |
//! | `affinitylabels`, `affinitylabels/<id>/{hosts,vms}`, `{hosts,vms}/<id>/affinitylabels` | affinity labels |
//! | `clusters/<id>/affinitygroups` | affinity groups |
//! | `storagedomains` (`storage`), `datacenters/<id>/storagedomains` (`status`) | how each domain is reached, its status and settings |
//! | `disks` (`storage_type` lun) | direct LUN disks and their LUN |
//! | `roles`, `domains` | roles and AAA domains |
//! | `templates`, `templates/<id>/diskattachments` | templates and the storage domains of their disks |
//! | `vms/<id>/snapshots` | VM snapshots (a snapshot in preview blocks failback) |
//! | `clusters/<id>/glustervolumes`, `clusters/<id>/glustervolumes/<id>/glusterbricks` | the gluster volume of each `glusterfs` domain: sharding, replica, bricks |
//!
//! Each may be `.xml` or `.json`; when both exist the `.xml` file is read. Other files
//! (statistics, `@search=` queries, `_variants/`, notes) are not read. The output of
//! `gluster volume geo-replication status --xml` saved next to `api/` as
//! [`gluster::STATUS_FILE`] adds the sessions it reports to the domains of their volumes. An
//! export knows no sites, links or replication: those come from a design overlaid on it.

mod document;
pub mod gluster;
mod json;
mod layout;
mod mapping;
pub mod tree;
mod xml;

use std::path::Path;

use crate::budget::Budget;
use crate::error::LoadError;
use crate::escape::{QUOTE_CHARS, quote};
use crate::inventory::Inventory;
use crate::units::MAX_SIZE_BYTES;

pub use json::parse_json;
pub use xml::parse_xml;

use layout::Layout;

/// Loads an export directory: the export root (holding `api/`) or the `api/` directory.
///
/// Every file read is registered in the inventory's sources, and every entity keeps the
/// engine's id and the line of its element or object. A malformed file, or an entity
/// missing a required element, is an error naming the file and line; a reference to an
/// entity the export does not hold is skipped and counted in
/// [`Inventory::missing_references`].
pub fn load_export(dir: &Path) -> Result<Inventory, LoadError> {
    // Files are read and parsed on every core, in a pool of the loaders' own size.
    let mut inventory = crate::parallel::install(|| mapping::load(&Layout::locate(dir)?))?;
    gluster::apply_saved_status(dir, &mut inventory)?;
    Budget::current()
        .and_then(|budget| budget.check_inventory(&inventory, "this export"))
        .map_err(|e| LoadError::file(dir, e))?;
    check_sizes(&inventory)?;
    Ok(inventory)
}

/// Refuses memory sizes above [`MAX_SIZE_BYTES`], as the design loader does: sums over an
/// inventory then cannot wrap (a VM of 2^64 - 1 bytes would hide a capacity shortfall).
fn check_sizes(inventory: &Inventory) -> Result<(), LoadError> {
    let hosts = inventory
        .hosts
        .iter()
        .map(|(_, h)| ("host", &h.name, h.memory_bytes, h.origin));
    let vms = inventory
        .vms
        .iter()
        .map(|(_, v)| ("vm", &v.name, v.memory_bytes, v.origin));
    for (kind, name, bytes, origin) in hosts.chain(vms) {
        if bytes > MAX_SIZE_BYTES {
            let message = format!(
                "{kind} {} has <memory> {bytes}, above the most any input may give ({} bytes, 1 PiB)",
                quote(name, QUOTE_CHARS),
                MAX_SIZE_BYTES
            );
            return Err(match origin {
                Some(origin) => {
                    let file = inventory.sources.file(origin.file);
                    let start = origin.offset as usize;
                    LoadError::at(
                        &file.path,
                        &file.text,
                        start..start + origin.len as usize,
                        message,
                    )
                }
                None => LoadError::file("export", message),
            });
        }
    }
    Ok(())
}

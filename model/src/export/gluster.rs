//! Gluster volumes as the engine lists them, and geo-replication sessions as gluster
//! reports them.
//!
//! Volumes come from `clusters/<id>/glustervolumes` and their bricks from
//! `clusters/<id>/glustervolumes/<id>/glusterbricks` (ovirt-engine-api-model
//! `types/GlusterVolume.java`: `volume_type`, `replica_count`, `options`, `@Link bricks`;
//! `types/GlusterBrick.java`: `name` is `server:brick_dir`, as ovirt-engine's
//! `GlusterBrickMapper` writes the brick's qualified name). Each is attached to the
//! `glusterfs` storage domains whose connection path names it.
//!
//! The API has no geo-replication sessions: neither `GlusterVolume` nor `StorageDomain` links
//! to one in the API model, and ovirt-engine's REST layer (`restapi/jaxrs`) serves none; the
//! engine keeps them (`GetGlusterVolumeGeoRepSessionsQuery`) and the storage domains' remote
//! data sync (`GetStorageDomainDRQuery`, `storage/dr/GlusterStorageSyncCommand`) for its web
//! portal only. Sessions therefore come from gluster itself: the output of
//! `gluster volume geo-replication status --xml`, saved as [`STATUS_FILE`] at the root of an
//! export (next to `api/`), or from a design.
//!
//! The document is `cliOutput/geoRep/volume`, each volume with its `name` and
//! `sessions/session`, each session with `session_slave` (`<uuid>:ssh://<host>::<volume>:<uuid>`)
//! and one `pair` per primary brick (`master_node`, `master_brick`, `status`,
//! `checkpoint_completed`, ...), as vdsm's `gluster/cli.py` (`_parseGeoRepStatus`) reads it.
//! A session reported Active or Passive on some brick was created and started: it runs
//! continuously until the engine's remote data sync (if one is scheduled) stops it.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::error::LoadError;
use crate::export::tree::Node;
use crate::export::xml::parse_xml;
use crate::ids::ClusterId;
use crate::inventory::{GeoRepMode, GeoRepSession, GlusterVolume, Inventory, StorageType};
use crate::origin::Origin;

/// The file name of the saved status, at the export's root.
pub const STATUS_FILE: &str = "gluster-georep-status.xml";

/// One primary volume and its sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeStatus {
    pub volume: String,
    pub sessions: Vec<SessionStatus>,
}

/// One geo-replication session of a volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionStatus {
    pub secondary_host: Option<String>,
    pub secondary_volume: String,
    /// One per primary brick.
    pub workers: Vec<WorkerStatus>,
    /// The `session` element in the file.
    pub span: Range<usize>,
}

/// One gsyncd worker: a primary brick and its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerStatus {
    pub node: String,
    pub brick: String,
    /// `Active`, `Passive`, `Faulty`, `Initializing...`, `Created`, `Stopped`, `Paused`.
    pub status: String,
}

impl SessionStatus {
    /// Created and started: some worker is Active, Passive or initializing.
    pub fn is_started(&self) -> bool {
        self.workers.iter().any(|w| {
            let status = w.status.to_ascii_lowercase();
            status == "active" || status == "passive" || status.starts_with("initializing")
        })
    }
}

/// Parses a saved `gluster volume geo-replication status --xml`; errors name the file and line.
pub fn parse_status(path: &Path, text: &str) -> Result<Vec<VolumeStatus>, LoadError> {
    let source: Arc<str> = Arc::from(text);
    let at = |span: Range<usize>, message: String| LoadError::at(path, &source, span, message);
    let tree = parse_xml(Arc::clone(&source)).map_err(|e| at(e.span, e.message))?;
    let root = tree.root();
    if root.name() != "cliOutput" {
        return Err(at(
            root.span(),
            format!(
                "expected the <cliOutput> of `gluster volume geo-replication status --xml`, found <{}>",
                root.name()
            ),
        ));
    }
    if let Some(ret) = root.text_at(&["opRet"])
        && ret != "0"
    {
        let why = root.text_at(&["opErrstr"]).unwrap_or("no message");
        return Err(at(
            root.span(),
            format!("gluster reported an error (opRet {ret}): {why}"),
        ));
    }
    let mut volumes = Vec::new();
    for volume in root
        .child("geoRep")
        .into_iter()
        .flat_map(|g| g.children_named("volume"))
    {
        let name = required(&at, volume, "name")?;
        let mut sessions = Vec::new();
        for session in volume.list("sessions", "session") {
            let key = required(&at, session, "session_slave")?;
            let (host, secondary_volume) = split_session_key(key).ok_or_else(|| {
                at(
                    session.span(),
                    format!("session_slave {key:?}: expected <host>::<volume>"),
                )
            })?;
            let workers = session
                .children_named("pair")
                .map(|pair| WorkerStatus {
                    node: pair.text_at(&["master_node"]).unwrap_or("").to_string(),
                    brick: pair.text_at(&["master_brick"]).unwrap_or("").to_string(),
                    status: pair.text_at(&["status"]).unwrap_or("").to_string(),
                })
                .collect();
            sessions.push(SessionStatus {
                secondary_host: host,
                secondary_volume,
                workers,
                span: session.span(),
            });
        }
        volumes.push(VolumeStatus {
            volume: name.to_string(),
            sessions,
        });
    }
    Ok(volumes)
}

fn required<'n>(
    at: &impl Fn(Range<usize>, String) -> LoadError,
    node: Node<'n>,
    child: &str,
) -> Result<&'n str, LoadError> {
    node.text_at(&[child])
        .ok_or_else(|| at(node.span(), format!("<{}> lacks <{child}>", node.name())))
}

/// `<uuid>:ssh://[user@]host::volume:<uuid>` (or `host::volume`) to the host and the volume.
fn split_session_key(key: &str) -> Option<(Option<String>, String)> {
    let (before, after) = key.split_once("::")?;
    let volume = after.split(':').next().filter(|v| !v.is_empty())?;
    let host = before
        .rsplit('/')
        .next()
        .map(|h| h.rsplit('@').next().unwrap_or(h))
        .filter(|h| !h.is_empty() && !h.contains(':'))
        .map(str::to_string);
    Some((host, volume.to_string()))
}

/// Adds the reported sessions to the storage domains whose gluster volume they replicate (a
/// design or overlay names the volume), unless the domain already lists a session to that
/// secondary volume. Returns how many sessions were added.
pub fn apply_status(inventory: &mut Inventory, volumes: &[VolumeStatus]) -> usize {
    let mut added = 0;
    for (_, domain) in inventory.storage_domains.iter_mut() {
        let Some(gluster) = domain.gluster.as_mut() else {
            continue;
        };
        for status in volumes.iter().filter(|v| v.volume == gluster.volume) {
            for session in &status.sessions {
                if gluster
                    .georep
                    .iter()
                    .any(|s| s.secondary_volume == session.secondary_volume)
                {
                    continue;
                }
                gluster.georep.push(GeoRepSession {
                    secondary_volume: session.secondary_volume.clone(),
                    secondary_site: None,
                    secondary_capacity_bytes: None,
                    secondary_sharding: None,
                    secondary_shard_block_size_bytes: None,
                    schedule: None,
                    change_rate: None,
                    bandwidth_bps: None,
                    rpo_target_ms: None,
                    mode: if session.is_started() {
                        GeoRepMode::Continuous
                    } else {
                        GeoRepMode::Scheduled
                    },
                    checkpoint_every_ms: None,
                    secondary_cluster: None,
                    secondary_up: None,
                    secondary_empty: None,
                    secondary_servers_up: None,
                    origin: None,
                });
                added += 1;
            }
        }
    }
    added
}

/// Reads [`STATUS_FILE`] at the root of the export `dir` (or next to `dir` when `dir` is the
/// `api/` directory), when there is one, and applies it. Returns how many sessions were added.
pub fn apply_saved_status(dir: &Path, inventory: &mut Inventory) -> Result<usize, LoadError> {
    // The export root holds `api/`; given the `api/` directory, its parent is the root.
    let root = if dir.join("api").is_dir() {
        Some(dir)
    } else {
        dir.parent()
    };
    let Some(path) = root
        .map(|root| root.join(STATUS_FILE))
        .filter(|p| p.symlink_metadata().is_ok())
    else {
        return Ok(0);
    };
    let text = crate::read::read_text(&path, "gluster status file")?;
    let volumes = parse_status(&path, &text)?;
    Ok(apply_status(inventory, &volumes))
}

/// A gluster volume as the engine's API lists it, before it is matched to a domain.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ApiVolume {
    pub name: String,
    /// The cluster whose `glustervolumes` list it.
    pub cluster: Option<ClusterId>,
    pub sharding: Option<bool>,
    pub shard_block_size_bytes: Option<u64>,
    pub replica: Option<u32>,
    /// `server:/brick/dir`.
    pub bricks: Vec<String>,
    pub origin: Origin,
}

/// `features.shard` as gluster takes a boolean option (`on`, `off`, `enable`, `yes`, `1`,
/// ...); `None` for anything else.
pub(crate) fn shard_option(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "enable" | "yes" | "true" | "1" => Some(true),
        "off" | "disable" | "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// A size as gluster writes one in an option (`features.shard-block-size`: `64MB`,
/// `512MB`, `4MB`), in binary units as gluster reads them (`gf_string2bytesize`: KB is
/// 1024); `None` when it is not one.
pub(crate) fn gluster_size(value: &str) -> Option<u64> {
    let value = value.trim();
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let number: u64 = value[..digits].parse().ok()?;
    let shift = match value[digits..].trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" => 10,
        "M" | "MB" => 20,
        "G" | "GB" => 30,
        "T" | "TB" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

/// The bricks' volume replica: bricks per replicated subvolume. A plain distribute volume
/// keeps one copy (1); a dispersed volume's redundancy is not a replica (`None`).
pub(crate) fn replica(volume_type: Option<&str>, replica_count: Option<u32>) -> Option<u32> {
    match volume_type {
        Some(t) if t.contains("replicate") => replica_count.filter(|&n| n >= 1),
        Some("distribute") => Some(1),
        _ => None,
    }
}

/// Gives each `glusterfs` storage domain that has none yet the volume its connection path
/// names. Volumes of the same name in several gluster clusters are told apart by the
/// domain's server, which must hold a brick of the volume; a domain whose volume stays
/// ambiguous, or is not listed, is left without one. Returns how many domains got one.
pub(crate) fn attach_volumes(inventory: &mut Inventory, volumes: &[ApiVolume]) -> usize {
    let mut attached = 0;
    let ids: Vec<_> = inventory.storage_domains.iter().map(|(id, _)| id).collect();
    for id in ids {
        let domain = &inventory.storage_domains[id];
        if domain.storage != StorageType::Glusterfs || domain.gluster.is_some() {
            continue;
        }
        let Some(connection) = inventory
            .storage_details
            .get(&id)
            .and_then(|d| d.connection.as_ref())
        else {
            continue;
        };
        let Some(name) = connection.gluster_volume.as_deref() else {
            continue;
        };
        let named: Vec<&ApiVolume> = volumes.iter().filter(|v| v.name == name).collect();
        let chosen = match named.as_slice() {
            [only] => Some(*only),
            _ => {
                let server = connection.address.as_deref().unwrap_or("");
                let serving: Vec<&ApiVolume> = named
                    .into_iter()
                    .filter(|v| {
                        v.bricks
                            .iter()
                            .any(|b| b.split_once(':').is_some_and(|(host, _)| host == server))
                    })
                    .collect();
                match serving.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                }
            }
        };
        if let Some(volume) = chosen {
            inventory.storage_domains[id].gluster = Some(GlusterVolume {
                volume: volume.name.clone(),
                sharding: volume.sharding,
                shard_block_size_bytes: volume.shard_block_size_bytes,
                capacity_bytes: None,
                bricks: volume.bricks.clone(),
                replica: volume.replica,
                cluster: volume.cluster,
                georep: Vec::new(),
                origin: Some(volume.origin),
            });
            attached += 1;
        }
    }
    attached
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{gluster_size, parse_status, replica, shard_option, split_session_key};

    #[test]
    fn volume_options_as_gluster_writes_them() {
        assert_eq!(shard_option("on"), Some(true));
        assert_eq!(shard_option("Enable"), Some(true));
        assert_eq!(shard_option("off"), Some(false));
        assert_eq!(shard_option("maybe"), None);
        assert_eq!(gluster_size("64MB"), Some(64 << 20));
        assert_eq!(gluster_size("512MB"), Some(512 << 20));
        assert_eq!(gluster_size("4 mb"), Some(4 << 20));
        assert_eq!(gluster_size("1GB"), Some(1 << 30));
        assert_eq!(gluster_size("4096"), Some(4096));
        assert_eq!(gluster_size("64XB"), None);
        assert_eq!(gluster_size("MB"), None);
        assert_eq!(gluster_size("99999999999999TB"), None);
        assert_eq!(replica(Some("replicate"), Some(3)), Some(3));
        assert_eq!(replica(Some("distributed_replicate"), Some(3)), Some(3));
        assert_eq!(replica(Some("distribute"), Some(0)), Some(1));
        assert_eq!(replica(Some("disperse"), Some(0)), None);
        assert_eq!(replica(None, Some(3)), None);
    }

    const STATUS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cliOutput>
  <opRet>0</opRet>
  <opErrno>0</opErrno>
  <opErrstr/>
  <geoRep>
    <volume>
      <name>vmstore</name>
      <sessions>
        <session>
          <session_slave>5b3f:ssh://geoaccount@gluster-b1::vmstore-dr:9c2e</session_slave>
          <pair>
            <master_node>gluster-a1</master_node>
            <master_brick>/gluster_bricks/vmstore/vmstore</master_brick>
            <slave_user>geoaccount</slave_user>
            <slave_node>gluster-b1</slave_node>
            <status>Active</status>
            <crawl_status>Changelog Crawl</crawl_status>
            <checkpoint_completed>No</checkpoint_completed>
          </pair>
          <pair>
            <master_node>gluster-a2</master_node>
            <master_brick>/gluster_bricks/vmstore/vmstore</master_brick>
            <status>Passive</status>
          </pair>
        </session>
      </sessions>
    </volume>
    <volume>
      <name>data</name>
      <sessions>
        <session>
          <session_slave>gluster-b1::data-dr</session_slave>
          <pair>
            <master_node>gluster-a1</master_node>
            <master_brick>/gluster_bricks/data/data</master_brick>
            <status>Stopped</status>
          </pair>
        </session>
      </sessions>
    </volume>
  </geoRep>
</cliOutput>
"#;

    #[test]
    fn reads_volumes_sessions_and_workers() {
        let volumes = parse_status(Path::new("status.xml"), STATUS).unwrap();
        assert_eq!(volumes.len(), 2);
        let vmstore = &volumes[0].sessions[0];
        assert_eq!(volumes[0].volume, "vmstore");
        assert_eq!(vmstore.secondary_volume, "vmstore-dr");
        assert_eq!(vmstore.secondary_host.as_deref(), Some("gluster-b1"));
        assert_eq!(vmstore.workers.len(), 2);
        assert!(vmstore.is_started());
        // A stopped session waits for the engine's sync to start it.
        assert!(!volumes[1].sessions[0].is_started());
    }

    #[test]
    fn session_keys() {
        assert_eq!(
            split_session_key("uuid:ssh://root@host-b::vol-dr:uuid2"),
            Some((Some("host-b".to_string()), "vol-dr".to_string()))
        );
        assert_eq!(
            split_session_key("host-b::vol-dr"),
            Some((Some("host-b".to_string()), "vol-dr".to_string()))
        );
        assert_eq!(split_session_key("no-separator"), None);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = |text: &str| {
            parse_status(Path::new("status.xml"), text)
                .unwrap_err()
                .to_string()
        };
        assert!(err("<volStatus/>").starts_with("status.xml:1:1: expected the <cliOutput>"));
        assert!(
            err("<cliOutput><opRet>-1</opRet><opErrstr>Volume vmstore does not exist</opErrstr></cliOutput>")
                .contains("opRet -1): Volume vmstore does not exist")
        );
        assert!(
            err("<cliOutput>\n<geoRep>\n<volume><sessions/></volume></geoRep></cliOutput>")
                .starts_with("status.xml:3:1: <volume> lacks <name>")
        );
        assert!(err("<cliOutput><geoRep>").contains("status.xml:1"));
    }
}

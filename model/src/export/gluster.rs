//! Geo-replication sessions as gluster reports them: the output of
//! `gluster volume geo-replication status --xml`, saved as [`STATUS_FILE`] at the root of an
//! export (next to `api/`).
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
use crate::inventory::{GeoRepMode, GeoRepSession, Inventory};

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
    let root = parse_xml(text).map_err(|e| at(e.span, e.message))?;
    if root.name != "cliOutput" {
        return Err(at(
            root.span.clone(),
            format!(
                "expected the <cliOutput> of `gluster volume geo-replication status --xml`, found <{}>",
                root.name
            ),
        ));
    }
    if let Some(ret) = root.text_at(&["opRet"])
        && ret != "0"
    {
        let why = root.text_at(&["opErrstr"]).unwrap_or("no message");
        return Err(at(
            root.span.clone(),
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
                    session.span.clone(),
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
                span: session.span.clone(),
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
    node: &'n Node,
    child: &str,
) -> Result<&'n str, LoadError> {
    node.text_at(&[child]).ok_or_else(|| {
        at(
            node.span.clone(),
            format!("<{}> lacks <{child}>", node.name),
        )
    })
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
    let candidates = [
        Some(dir.join(STATUS_FILE)),
        dir.parent().map(|p| p.join(STATUS_FILE)),
    ];
    let Some(path) = candidates.into_iter().flatten().find(|p| p.is_file()) else {
        return Ok(0);
    };
    let text = crate::read::read_text(&path, "gluster status file")?;
    let volumes = parse_status(&path, &text)?;
    Ok(apply_status(inventory, &volumes))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{parse_status, split_session_key};

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

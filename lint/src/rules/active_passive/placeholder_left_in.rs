use stretchdr_model::Origin;
use stretchdr_model::mapping::keys::storage_fields_read;
use stretchdr_model::mapping::{Mapping, Side};

use super::ZERO_ID;
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds values still holding what a generator wrote for a person to fill in, and keys the
    /// role reads written with no value. A placeholder is a value containing `TODO` or
    /// `FIXME`, the all-zero id `00000000-0000-0000-0000-000000000000`, the role's
    /// `PLEASE_SET_PASSWORD_HERE`, or a site URL on an `example.com` / `example.org` /
    /// `example.net` host. A key with no value (its value commented out, as the role's
    /// `generate_mapping.py` writes every secondary field: `dr_secondary_name: # data1`) is
    /// reported where the role reads it: the storage fields of the entry's type, both names
    /// of a name mapping, the network and profile names and ids of a network mapping, and
    /// the LUN id and storage type of a LUN mapping. Site connection keys are AP005's.
    ///
    /// ## Why is this bad?
    /// The role passes every value to the engine as written: a storage domain is added from
    /// server `TODO`, a VM is registered into cluster `TODO`, a vNIC gets the all-zero
    /// profile id (no network). A key with no value reads as empty: the role's maps turn it
    /// into `EMPTY_ELEMENT` (`recover_engine.yml`), the storage tasks fail on it. Each such
    /// failure is skipped under the role's default `dr_ignore_error_recover: true`, so the
    /// failover "succeeds" without the entity.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_secondary_address: "TODO"   # TODO: the secondary storage server
    ///     dr_secondary_path:             # /export/data1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_secondary_address: "nfs-b.dc2.lab"
    ///     dr_secondary_path: "/export/data1"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/generate_mapping.py`
    ///   (`_add_secondary_mount`, `_write_vnic_profiles`: secondary values written as
    ///   comments; `PLEASE_SET_PASSWORD_HERE`), `tasks/recover_engine.yml` (maps default
    ///   to `EMPTY_ELEMENT` and the all-zero profile id), `defaults/main.yml`
    ///   (`dr_ignore_error_recover: True`).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    /// - RFC 2606, "Reserved Top Level DNS Names": `example.com` names no real host.
    pub struct PlaceholderLeftIn {
        code: "AP013",
        name: "placeholder-left-in",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let mapping = dr.mapping;
    for (key, field) in mapping.text_values() {
        if field.vault {
            continue;
        }
        let Some(what) = placeholder(&key, &field.value) else {
            continue;
        };
        sink.report_at(
            mapped(EntityKind::MappingKey, key.clone()),
            Some(field.origin),
            format!(
                "{key} is still {what} ({:?}): the role uses it as written",
                field.value
            ),
            format!("replace {key} with the real value"),
        )
        .discriminator = Some(field.origin.line.to_string());
    }
    for (key, origin) in empty_values_read(mapping) {
        sink.report_at(
            mapped(EntityKind::MappingKey, key.clone()),
            Some(origin),
            format!("{key} has no value (commented out?) but the role reads it"),
            format!("give {key} a value, or remove the entry"),
        )
        .discriminator = Some(origin.line.to_string());
    }
}

/// What kind of placeholder `value` is, if it is one.
fn placeholder(key: &str, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.contains("TODO") || value.contains("FIXME") {
        return Some("a TODO placeholder");
    }
    if value == ZERO_ID {
        return Some("the all-zero id");
    }
    if value == "PLEASE_SET_PASSWORD_HERE" {
        return Some("the role generator's password placeholder");
    }
    if key.ends_with("_url") && is_example_host(value) {
        return Some("a URL on a reserved example host");
    }
    None
}

/// True when the URL's host is `example.com`, `.org`, `.net` or one of their subdomains.
fn is_example_host(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest
        .split(['/', ':', '?'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|reserved| host == *reserved || host.ends_with(&format!(".{reserved}")))
}

/// Keys written with no value where the role reads one, in file order.
fn empty_values_read(mapping: &Mapping) -> Vec<(String, Origin)> {
    let mut found: Vec<(String, Origin)> = Vec::new();
    for entry in &mapping.storages {
        let Some(storage) = entry.storage_type() else {
            continue;
        };
        let mut read = storage_fields_read(storage, Side::Secondary);
        read.extend(storage_fields_read(storage, Side::Primary));
        read.push("dr_primary_name".to_string());
        read.push("dr_secondary_name".to_string());
        found.extend(
            entry
                .empty
                .iter()
                .filter(|(key, _)| read.contains(key))
                .cloned(),
        );
    }
    for (_, pairs) in mapping.name_pairs() {
        for pair in pairs {
            found.extend(pair.empty.iter().cloned());
        }
    }
    for network in &mapping.networks {
        found.extend(
            network
                .empty
                .iter()
                .filter(|(key, _)| !key.ends_with("_network_dc"))
                .cloned(),
        );
    }
    for lun in &mapping.luns {
        found.extend(
            lun.empty
                .iter()
                .filter(|(key, _)| {
                    key.ends_with("_logical_unit_id") || key.ends_with("_storage_type")
                })
                .cloned(),
        );
    }
    found.sort_by_key(|(_, origin)| origin.offset);
    found
}

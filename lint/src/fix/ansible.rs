//! Writes [`Edit`]s as an Ansible playbook for the `ovirt.ovirt` collection: one task per
//! change, named after the finding's code and entity, each idempotent (the modules compare
//! before they update; the SPM priority is read before it is written). The engine's URL and CA
//! file are variables; the password is the vault variable `engine_password`, never inline.
//! stretchdr stays read-only: it writes the playbook, the administrator runs it.
//!
//! Every module argument the playbook uses is listed in [`MODULE_ARGUMENTS`] with where the
//! collection documents it.

use std::fmt::Write as _;

use stretchdr_model::Inventory;

use super::{Edit, Plan, SiteGroup};

/// The arguments the playbook passes, per module, and the file that documents them
/// (`github.com/oVirt/ovirt-ansible-collection`, `ansible/ansible` for builtins).
pub static MODULE_ARGUMENTS: &[(&str, &[&str], &str)] = &[
    (
        "ovirt.ovirt.ovirt_auth",
        &[
            "url",
            "username",
            "password",
            "ca_file",
            "state",
            "ovirt_auth",
        ],
        "plugins/modules/ovirt_auth.py, DOCUMENTATION options",
    ),
    (
        "ovirt.ovirt.ovirt_vm",
        &[
            "auth",
            "name",
            "state",
            "lease",
            "storage_error_resume_behaviour",
        ],
        "plugins/modules/ovirt_vm.py, DOCUMENTATION options `lease` (4.1+), `storage_error_resume_behaviour` (collection 3.2.0+); `auth` from plugins/doc_fragments/ovirt.py",
    ),
    (
        "ovirt.ovirt.ovirt_affinity_group",
        &[
            "auth",
            "name",
            "cluster",
            "state",
            "vms",
            "hosts",
            "host_rule",
            "host_enforcing",
            "vm_rule",
        ],
        "plugins/modules/ovirt_affinity_group.py, DOCUMENTATION options; `vms` replaces the group's VM list (AffinityGroupsModule.update_vms), so every task lists all of them",
    ),
    (
        "ovirt.ovirt.ovirt_cluster",
        &[
            "auth",
            "name",
            "state",
            "fence_skip_if_connectivity_broken",
            "fence_connectivity_threshold",
            "resilience_policy",
        ],
        "plugins/modules/ovirt_cluster.py, DOCUMENTATION options",
    ),
    (
        "ansible.builtin.uri",
        &[
            "url",
            "method",
            "headers",
            "body_format",
            "body",
            "ca_path",
            "status_code",
        ],
        "ansible-core lib/ansible/modules/uri.py; the host's SPM priority through the REST API (`PUT /hosts/{id}` with `spm.priority`): ovirt_host's `spm_priority` skips 0 (HostsModule.build_entity tests it for truth) and `state: present` activates a host in maintenance",
    ),
    (
        "ansible.builtin.assert",
        &["that", "fail_msg"],
        "ansible-core lib/ansible/modules/assert.py",
    ),
];

/// A playbook applying `plan`'s edits to the engine `source` names.
pub fn playbook(inventory: &Inventory, plan: &Plan, source: &str) -> String {
    let mut out = String::new();
    let changes = plan.edits().len();
    let _ = writeln!(out, "# stretchdr fix for {source}: {changes} changes.");
    out.push_str(
        "# Run with the engine's password in a vault file, e.g.\n\
         #   ansible-vault create engine-vault.yml     # engine_password: ...\n\
         #   ansible-playbook fix.yml -e @engine-vault.yml --ask-vault-pass \\\n\
         #     -e engine_url=https://engine.example.com/ovirt-engine/api -e engine_ca_file=/etc/pki/ovirt-engine/ca.pem\n\
         # Needs the ovirt.ovirt collection (ansible-galaxy collection install ovirt.ovirt) and python3-ovirt-engine-sdk4.\n",
    );
    out.push_str("- name: \"stretchdr fixes\"\n");
    out.push_str("  hosts: localhost\n  connection: local\n  gather_facts: false\n");
    out.push_str("  vars:\n");
    out.push_str("    engine_url: \"https://engine.example.com/ovirt-engine/api\"\n");
    out.push_str("    engine_ca_file: \"/etc/pki/ovirt-engine/ca.pem\"\n");
    out.push_str("    engine_username: \"admin@internal\"\n");
    out.push_str("  tasks:\n");
    out.push_str("    - name: \"The engine password comes from the vault\"\n");
    out.push_str("      ansible.builtin.assert:\n");
    out.push_str("        that: \"engine_password is defined\"\n");
    out.push_str(
        "        fail_msg: \"set engine_password in a vault file and pass it with -e @FILE\"\n",
    );
    out.push_str("    - name: \"Log in to the engine\"\n");
    out.push_str("      ovirt.ovirt.ovirt_auth:\n");
    out.push_str("        url: \"{{ engine_url }}\"\n");
    out.push_str("        username: \"{{ engine_username }}\"\n");
    out.push_str("        password: \"{{ engine_password }}\"\n");
    out.push_str("        ca_file: \"{{ engine_ca_file }}\"\n");
    out.push_str("    - name: \"Changes\"\n      block:\n");
    let edits = plan.edits();
    let mut written: Vec<&Edit> = Vec::new();
    let mut tasks = 0;
    for fixed in &plan.fixed {
        let entity = format!(
            "{} {} {}",
            fixed.finding.code,
            fixed.finding.entity.kind.as_str(),
            fixed.finding.entity.name
        );
        for edit in &fixed.edits {
            if written.contains(&edit) {
                continue;
            }
            out.push_str(&task(inventory, &edits, edit, &entity, &mut written));
            tasks += 1;
        }
    }
    if tasks == 0 {
        out.push_str("        - name: \"Nothing to change\"\n");
        out.push_str("          ansible.builtin.assert:\n            that: \"true\"\n");
    }
    out.push_str("      always:\n");
    out.push_str("        - name: \"Log out of the engine\"\n");
    out.push_str("          ovirt.ovirt.ovirt_auth:\n");
    out.push_str("            state: \"absent\"\n");
    out.push_str("            ovirt_auth: \"{{ ovirt_auth }}\"\n");
    out
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn q(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// `- name: ...` and the module line of a task in the block.
fn header(out: &mut String, name: &str, module: &str) {
    let _ = writeln!(out, "        - name: {}", q(name));
    let _ = writeln!(out, "          {module}:");
    out.push_str("            auth: \"{{ ovirt_auth }}\"\n");
}

fn arg(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "            {key}: {value}");
}

fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(out, "            {key}: []");
        return;
    }
    let _ = writeln!(out, "            {key}:");
    for item in items {
        let _ = writeln!(out, "              - {}", q(item));
    }
}

/// The task of one change (and of the changes it carries along, added to `written`).
fn task<'p>(
    inventory: &Inventory,
    edits: &[&'p Edit],
    edit: &'p Edit,
    entity: &str,
    written: &mut Vec<&'p Edit>,
) -> String {
    let mut out = String::new();
    match edit {
        Edit::Lease { vm, domain } => {
            // One task per VM: its lease and, when the plan changes it too, its resume behaviour.
            let kill = edits
                .iter()
                .copied()
                .find(|e| matches!(e, Edit::ResumeKill { vm: v } if v == vm));
            let domain = &inventory.storage_domains[*domain].name;
            let what = if kill.is_some() {
                format!("lease on {domain}, resume behaviour kill")
            } else {
                format!("lease on {domain}")
            };
            header(
                &mut out,
                &format!("{entity}: {what}"),
                "ovirt.ovirt.ovirt_vm",
            );
            arg(&mut out, "name", &q(&inventory.vms[*vm].name));
            arg(&mut out, "state", "\"present\"");
            arg(&mut out, "lease", &q(domain));
            if let Some(kill) = kill {
                arg(&mut out, "storage_error_resume_behaviour", "\"kill\"");
                written.push(kill);
            }
        }
        Edit::ResumeKill { vm } => {
            header(
                &mut out,
                &format!("{entity}: resume behaviour kill"),
                "ovirt.ovirt.ovirt_vm",
            );
            arg(&mut out, "name", &q(&inventory.vms[*vm].name));
            arg(&mut out, "state", "\"present\"");
            arg(&mut out, "storage_error_resume_behaviour", "\"kill\"");
        }
        Edit::HostsRuleSoft { group } => {
            let g = &inventory.affinity_groups[*group];
            header(
                &mut out,
                &format!("{entity}: VM-to-host rule soft"),
                "ovirt.ovirt.ovirt_affinity_group",
            );
            arg(&mut out, "name", &q(&g.name));
            if let Some(cluster) = g.cluster {
                arg(&mut out, "cluster", &q(&inventory.clusters[cluster].name));
            }
            arg(&mut out, "host_rule", "\"positive\"");
            arg(&mut out, "host_enforcing", "false");
            let vms: Vec<String> = g
                .vms
                .iter()
                .map(|&v| inventory.vms[v].name.clone())
                .collect();
            list(&mut out, "vms", &vms);
        }
        Edit::JoinSiteGroup { group, .. } => {
            // One task per group: every VM the plan adds to it.
            let joining: Vec<&Edit> = edits
                .iter()
                .copied()
                .filter(|e| matches!(e, Edit::JoinSiteGroup { group: g, .. } if g == group))
                .collect();
            let names: Vec<String> = joining
                .iter()
                .filter_map(|e| match e {
                    Edit::JoinSiteGroup { vm, .. } => Some(inventory.vms[*vm].name.clone()),
                    _ => None,
                })
                .collect();
            let shown = crate::rules::active_active::name_list(
                names.iter().map(String::as_str),
                crate::rules::active_active::LIST_LIMIT,
            );
            header(
                &mut out,
                &format!(
                    "AA006 vm {shown}: join affinity group {}",
                    group.name(inventory)
                ),
                "ovirt.ovirt.ovirt_affinity_group",
            );
            arg(&mut out, "name", &q(group.name(inventory)));
            match group {
                SiteGroup::Existing(id) => {
                    let g = &inventory.affinity_groups[*id];
                    if let Some(cluster) = g.cluster {
                        arg(&mut out, "cluster", &q(&inventory.clusters[cluster].name));
                    }
                    let mut vms: Vec<String> = g
                        .vms
                        .iter()
                        .map(|&v| inventory.vms[v].name.clone())
                        .collect();
                    vms.extend(names);
                    list(&mut out, "vms", &vms);
                }
                SiteGroup::New { cluster, hosts, .. } => {
                    arg(&mut out, "cluster", &q(&inventory.clusters[*cluster].name));
                    arg(&mut out, "state", "\"present\"");
                    arg(&mut out, "host_rule", "\"positive\"");
                    arg(&mut out, "host_enforcing", "false");
                    arg(&mut out, "vm_rule", "\"disabled\"");
                    let hosts: Vec<String> = hosts
                        .iter()
                        .map(|&h| inventory.hosts[h].name.clone())
                        .collect();
                    list(&mut out, "hosts", &hosts);
                    list(&mut out, "vms", &names);
                }
            }
            written.extend(joining);
        }
        Edit::SpmPriority { host, from, to } => {
            let name = &inventory.hosts[*host].name;
            let _ = writeln!(
                out,
                "        - name: {}",
                q(&if entity.ends_with(&format!(" {name}")) {
                    format!("{entity}: SPM priority {from} -> {to}")
                } else {
                    format!("{entity}: host {name} SPM priority {from} -> {to}")
                })
            );
            out.push_str("          block:\n");
            out.push_str("            - name: \"Read the host\"\n");
            out.push_str("              ansible.builtin.uri:\n");
            let _ = writeln!(
                out,
                "                url: {}",
                q(&format!(
                    "{{{{ engine_url }}}}/hosts?search={{{{ {} | urlencode }}}}",
                    q_single(&format!("name={name}"))
                ))
            );
            out.push_str("                method: \"GET\"\n");
            uri_common(&mut out);
            out.push_str("              register: stretchdr_host\n");
            out.push_str(
                "              failed_when: \"stretchdr_host.json.host | default([]) | length != 1\"\n",
            );
            out.push_str("            - name: \"Set its SPM priority\"\n");
            out.push_str("              ansible.builtin.uri:\n");
            out.push_str(
                "                url: \"{{ engine_url }}/hosts/{{ stretchdr_host.json.host[0].id }}\"\n",
            );
            out.push_str("                method: \"PUT\"\n");
            uri_common(&mut out);
            out.push_str("                body_format: \"json\"\n");
            let _ = writeln!(
                out,
                "                body: {{\"spm\": {{\"priority\": {to}}}}}"
            );
            let _ = writeln!(
                out,
                "              when: \"(stretchdr_host.json.host[0].spm.priority | int) != {to}\""
            );
            out.push_str("              changed_when: true\n");
        }
        Edit::Fencing {
            cluster,
            skip_if_connectivity_broken,
            threshold,
        } => {
            let what = if *skip_if_connectivity_broken {
                format!("skip-if-connectivity-broken threshold {threshold}%")
            } else {
                "skip-if-connectivity-broken off".to_string()
            };
            header(
                &mut out,
                &format!("{entity}: {what}"),
                "ovirt.ovirt.ovirt_cluster",
            );
            arg(&mut out, "name", &q(&inventory.clusters[*cluster].name));
            arg(
                &mut out,
                "fence_skip_if_connectivity_broken",
                if *skip_if_connectivity_broken {
                    "true"
                } else {
                    "false"
                },
            );
            if *skip_if_connectivity_broken {
                arg(
                    &mut out,
                    "fence_connectivity_threshold",
                    &threshold.to_string(),
                );
            }
        }
        Edit::OnErrorMigrate { cluster } => {
            let policy = "migrate";
            header(
                &mut out,
                &format!("{entity}: resilience policy {policy}"),
                "ovirt.ovirt.ovirt_cluster",
            );
            arg(&mut out, "name", &q(&inventory.clusters[*cluster].name));
            arg(&mut out, "resilience_policy", &q(policy));
        }
    }
    written.push(edit);
    out
}

/// A Jinja single-quoted string literal.
fn q_single(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Arguments every REST call shares: the SSO token of `ovirt_auth`, JSON, the engine CA.
fn uri_common(out: &mut String) {
    out.push_str("                headers:\n");
    out.push_str("                  Authorization: \"Bearer {{ ovirt_auth.token }}\"\n");
    out.push_str("                  Accept: \"application/json\"\n");
    out.push_str("                ca_path: \"{{ engine_ca_file }}\"\n");
    out.push_str("                status_code: 200\n");
}

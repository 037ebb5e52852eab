//! Which sites are up, which links carry traffic, and where each storage domain can be
//! written: the physical world the engine acts in, recomputed after every scenario event.
//!
//! Reachability is a graph: the up data sites are its nodes, every pair of them whose link has
//! not failed an edge (a pair without a declared link counts as linked, as a routed WAN), and
//! two data sites reach each other when they are in the same connected component. So a design
//! of three data sites whose link a/b fails stays one side (a and b still reach each other
//! through c), and a site is cut off only when every path to it failed. A witness site holds a
//! quorum, not transit: it reaches a site only over their own link.

use std::collections::BTreeSet;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;

use stretchdr_model::inventory::{Replication, SiteRole};
use stretchdr_model::{EntityId, Inventory, SiteId, StorageDomainId};

/// Sites, links and storage replication as they are now.
#[derive(Clone, Debug)]
pub struct Topology {
    site_up: Vec<bool>,
    /// Failed links, as `(lower id, higher id)`.
    links_down: BTreeSet<(SiteId, SiteId)>,
    replication_broken: Vec<bool>,
    /// `access[domain][site]`: hosts of the site can read and write the domain.
    access: Vec<Vec<bool>>,
    /// `holders[domain]`: sites holding a writable copy (more than one apart: split brain).
    split: Vec<bool>,
    /// Connected component of each data site in the graph of up data sites and working links;
    /// a down site or a witness has none.
    component: Vec<Option<usize>>,
    /// Sites of role witness (never transit).
    witness: Vec<bool>,
}

fn pair(a: SiteId, b: SiteId) -> (SiteId, SiteId) {
    if a <= b { (a, b) } else { (b, a) }
}

impl Topology {
    pub fn new(inv: &Inventory) -> Topology {
        let mut topology = Topology {
            site_up: vec![true; inv.sites.len()],
            links_down: BTreeSet::new(),
            replication_broken: vec![false; inv.storage_domains.len()],
            access: vec![vec![true; inv.sites.len()]; inv.storage_domains.len()],
            split: vec![false; inv.storage_domains.len()],
            component: vec![Some(0); inv.sites.len()],
            witness: inv
                .sites
                .values()
                .map(|s| s.role == SiteRole::Witness)
                .collect(),
        };
        topology.recompute_components();
        topology.recompute(inv);
        topology
    }

    pub fn site_up(&self, site: Option<SiteId>) -> bool {
        site.is_none_or(|s| self.site_up[s.index()])
    }

    pub fn set_site_up(&mut self, site: SiteId, up: bool) {
        self.site_up[site.index()] = up;
        self.recompute_components();
    }

    pub fn set_link_up(&mut self, a: SiteId, b: SiteId, up: bool) {
        if up {
            self.links_down.remove(&pair(a, b));
        } else {
            self.links_down.insert(pair(a, b));
        }
        self.recompute_components();
    }

    /// The connected components of the up sites over the links that work.
    fn recompute_components(&mut self) {
        let sites = self.site_up.len();
        let mut graph: UnGraph<(), ()> = UnGraph::with_capacity(sites, sites * sites / 2);
        let nodes: Vec<NodeIndex> = (0..sites).map(|_| graph.add_node(())).collect();
        for a in 0..sites {
            for b in a + 1..sites {
                let (sa, sb) = (SiteId(a as u32), SiteId(b as u32));
                let transit = !self.witness[a] && !self.witness[b];
                if transit
                    && self.site_up[a]
                    && self.site_up[b]
                    && !self.links_down.contains(&pair(sa, sb))
                {
                    graph.add_edge(nodes[a], nodes[b], ());
                }
            }
        }
        let mut sets = UnionFind::new(graph.node_count());
        for edge in graph.edge_indices() {
            if let Some((a, b)) = graph.edge_endpoints(edge) {
                sets.union(a.index(), b.index());
            }
        }
        for site in 0..sites {
            self.component[site] =
                (self.site_up[site] && !self.witness[site]).then(|| sets.find(site));
        }
    }

    /// The sides of the site graph now: each connected component of up data sites, in site
    /// order.
    pub fn sides(&self) -> Vec<Vec<SiteId>> {
        let mut sides: std::collections::BTreeMap<usize, Vec<SiteId>> = Default::default();
        for (site, component) in self.component.iter().enumerate() {
            if let Some(c) = component {
                sides.entry(*c).or_default().push(SiteId(site as u32));
            }
        }
        sides.into_values().collect()
    }

    pub fn set_replication_broken(&mut self, domain: StorageDomainId, broken: bool) {
        self.replication_broken[domain.index()] = broken;
    }

    /// Both sites are up and can talk: the same site, or sites of one connected component of
    /// the site graph. A host without a site is reachable from everywhere.
    pub fn connected(&self, a: Option<SiteId>, b: Option<SiteId>) -> bool {
        if !self.site_up(a) || !self.site_up(b) {
            return false;
        }
        match (a, b) {
            (Some(a), Some(b)) if self.witness[a.index()] || self.witness[b.index()] => {
                a == b || !self.links_down.contains(&pair(a, b))
            }
            (Some(a), Some(b)) => a == b || self.component[a.index()] == self.component[b.index()],
            _ => true,
        }
    }

    /// Hosts of `site` can use `domain`.
    pub fn has_access(&self, domain: StorageDomainId, site: Option<SiteId>) -> bool {
        match site {
            Some(site) => self.access[domain.index()][site.index()],
            None => self.access[domain.index()].iter().any(|&a| a) || self.site_up.is_empty(),
        }
    }

    /// More than one isolated side writes the domain: nothing arbitrates.
    pub fn is_split(&self, domain: StorageDomainId) -> bool {
        self.split[domain.index()]
    }

    /// Recomputes storage access after sites, links or replication changed.
    pub fn recompute(&mut self, inv: &Inventory) {
        for (domain_id, domain) in inv.storage_domains.iter() {
            let holders = self.holders(inv, domain_id);
            self.split[domain_id.index()] = holders.len() > 1
                && holders.iter().enumerate().any(|(i, a)| {
                    holders[i + 1..]
                        .iter()
                        .any(|b| !self.connected(Some(*a), Some(*b)))
                });
            let unknown_placement = domain.writable_at.is_empty();
            for (site, _) in inv.sites.iter() {
                let access = if unknown_placement {
                    self.site_up[site.index()]
                } else {
                    holders.iter().any(|h| self.connected(Some(*h), Some(site)))
                };
                self.access[domain_id.index()][site.index()] = access;
            }
        }
    }

    /// Sites holding a writable copy of `domain` now.
    fn holders(&self, inv: &Inventory, domain_id: StorageDomainId) -> Vec<SiteId> {
        let domain = &inv.storage_domains[domain_id];
        let up: Vec<SiteId> = domain
            .writable_at
            .iter()
            .copied()
            .filter(|s| self.site_up[s.index()])
            .collect();
        let replicated = matches!(domain.replication, Some(Replication::Sync) | None);
        if !replicated || up.len() < 2 {
            return up;
        }
        let intact = !self.replication_broken[domain_id.index()]
            && up.iter().enumerate().all(|(i, a)| {
                up[i + 1..]
                    .iter()
                    .all(|b| self.connected(Some(*a), Some(*b)))
            });
        if intact {
            return up;
        }
        let preferred = |sites: &mut Vec<SiteId>| {
            sites.sort_by_key(|s| {
                let role = inv.sites[*s].role;
                let position = domain.writable_at.iter().position(|w| w == s);
                (role != SiteRole::Primary, position)
            });
        };
        let links_intact = up.iter().enumerate().all(|(i, a)| {
            up[i + 1..]
                .iter()
                .all(|b| self.connected(Some(*a), Some(*b)))
        });
        if links_intact {
            // Replication stopped with the sites still talking: the array keeps the preferred
            // copy writable and suspends the others.
            let mut sites = up;
            preferred(&mut sites);
            sites.truncate(1);
            return sites;
        }
        let Some(witness) = domain.witness else {
            // Nothing arbitrates: every side keeps writing its own copy.
            return up;
        };
        // The witness grants quorum to one side: the preferred of the sites still talking to it.
        let mut candidates: Vec<SiteId> = up
            .iter()
            .copied()
            .filter(|s| self.connected(Some(*s), Some(witness)))
            .collect();
        preferred(&mut candidates);
        match candidates.first() {
            Some(&winner) => up
                .iter()
                .copied()
                .filter(|s| *s == winner || self.connected(Some(*s), Some(winner)))
                .collect(),
            None => Vec::new(),
        }
    }
}

//! Typed ids and the arenas that own entities.
//!
//! Every entity lives in an [`Arena`] and is addressed by a small typed id such as
//! [`HostId`]; an id of one kind cannot be used to index another kind's arena.

use std::marker::PhantomData;

use serde::Serialize;

/// A typed index into an [`Arena`].
pub trait EntityId: Copy + Eq + Ord + std::hash::Hash + std::fmt::Debug {
    fn from_index(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! entity_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl EntityId for $name {
            fn from_index(index: usize) -> Self {
                $name(u32::try_from(index).expect("arena holds fewer than 2^32 entities"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

entity_id! {
    /// A site of the stretch cluster (from the design or overlay).
    SiteId;
    /// A data center.
    DataCenterId;
    /// A cluster.
    ClusterId;
    /// A hypervisor host.
    HostId;
    /// A logical network.
    NetworkId;
    /// A vNIC profile.
    VnicProfileId;
    /// A storage domain.
    StorageDomainId;
    /// A virtual machine.
    VmId;
    /// An affinity group.
    AffinityGroupId;
    /// An affinity label.
    AffinityLabelId;
}

/// A growable store of entities addressed by a typed id.
#[derive(Clone, Debug)]
pub struct Arena<I, T> {
    items: Vec<T>,
    _id: PhantomData<I>,
}

impl<I, T> Default for Arena<I, T> {
    fn default() -> Self {
        Arena {
            items: Vec::new(),
            _id: PhantomData,
        }
    }
}

impl<I: EntityId, T> Arena<I, T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entity and returns its id.
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.items.len());
        self.items.push(item);
        id
    }

    /// Makes room for `more` entities, so adding thousands (a design's VMs) allocates once
    /// instead of doubling, which holds the old and the new list at once.
    pub fn reserve(&mut self, more: usize) {
        self.items.reserve_exact(more);
    }

    pub fn get(&self, id: I) -> &T {
        &self.items[id.index()]
    }

    pub fn get_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Entities with their ids, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (I, &T)> + DoubleEndedIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, t)| (I::from_index(i), t))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (I, &mut T)> {
        self.items
            .iter_mut()
            .enumerate()
            .map(|(i, t)| (I::from_index(i), t))
    }

    pub fn ids(&self) -> impl ExactSizeIterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<I: EntityId, T> std::ops::Index<I> for Arena<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        self.get(id)
    }
}

impl<I: EntityId, T> std::ops::IndexMut<I> for Arena<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        self.get_mut(id)
    }
}

impl<I: EntityId, T: Named> Arena<I, T> {
    /// The first entity with this name (names are unique in a design; an export may
    /// repeat a name across data centers, e.g. `ovirtmgmt`).
    pub fn find(&self, name: &str) -> Option<I> {
        self.iter()
            .find(|(_, t)| t.name() == name)
            .map(|(id, _)| id)
    }
}

/// Entities that have a display name.
pub trait Named {
    fn name(&self) -> &str;
}

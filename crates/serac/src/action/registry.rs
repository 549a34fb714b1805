//! Id lookup: every registered action under every secret of the ring.
//!
//! Both maps are read on every call and every rendered form, so they use
//! foldhash's fixed-seed hasher instead of SipHash. That is safe here: the
//! keys are only ever the ids and paths registered at start-up; a request's
//! id is looked up, never inserted, so no one can fill the map with
//! colliding keys.

use std::collections::HashMap;

use super::def::{ActionDef, Registration};
use crate::seal::KeyRing;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The address of a definition: every definition is a `static`, so its
/// address names it, and hashing a word is cheaper than hashing its path
/// (ids are looked up for every form a page renders).
fn address(def: &ActionDef) -> usize {
    std::ptr::from_ref(def) as usize
}

/// Maps public ids to definitions, and definitions to their current ids.
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    by_id: FastMap<String, &'static ActionDef>,
    current: FastMap<usize, (&'static ActionDef, String)>,
}

impl Registry {
    /// Every action linked into the binary. Ids under older secrets of the
    /// ring stay valid so that pages rendered before a rotation still work.
    pub(crate) fn collect(keys: &KeyRing) -> Self {
        let mut by_id = FastMap::default();
        let mut current = FastMap::default();
        for Registration(def) in inventory::iter::<Registration> {
            for index in (0..keys.len()).rev() {
                by_id.insert(keys.action_id_with(index, def.path()), *def);
            }
            current.insert(address(def), (*def, keys.action_id(def.path())));
        }
        Self { by_id, current }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&'static ActionDef> {
        self.by_id.get(id).copied()
    }

    /// The current id of an action.
    ///
    /// # Panics
    /// Never for a registered `ActionDef`; every `ActionRef` comes from one.
    pub(crate) fn id_of(&self, def: &ActionDef) -> &str {
        self.current
            .get(&address(def))
            .map(|(_, id)| id.as_str())
            .unwrap_or_else(|| panic!("serac: action {} is not registered", def.path()))
    }

    /// The largest `#[action(body_limit = …)]`, or 0.
    pub(crate) fn max_body_limit(&self) -> usize {
        // Actions that spool their uploads read large bodies as a stream:
        // their limits do not make every form read into memory larger.
        self.current
            .values()
            .filter(|(def, _)| !def.spools_uploads())
            .filter_map(|(def, _)| def.body_limit())
            .max()
            .unwrap_or(0)
    }

    pub(crate) fn len(&self) -> usize {
        self.current.len()
    }
}

//! Collecting the TypeScript declarations an exported action needs.
//!
//! `ts-rs` knows how to write one type; an action's signature names several,
//! and those name others. [`Types`] walks them once each and keeps their
//! declarations by name, so the generated module declares every type it uses,
//! in a stable order.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{Config, TS, TypeVisitor};

/// The declarations collected so far, and the `ts-rs` configuration.
pub struct Types {
    config: Config,
    seen: HashSet<TypeId>,
    declarations: BTreeMap<String, String>,
}

impl std::fmt::Debug for Types {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Types").field("declarations", &self.declarations.keys()).finish_non_exhaustive()
    }
}

impl Default for Types {
    fn default() -> Self {
        Self::new()
    }
}

impl Types {
    /// An empty set. 64-bit integers are `number` in TypeScript, as
    /// `JSON.parse` reads them (not `bigint`, which JSON cannot carry).
    #[must_use]
    pub fn new() -> Self {
        Self {
            config: Config::new().with_large_int("number"),
            seen: HashSet::new(),
            declarations: BTreeMap::new(),
        }
    }

    /// The name of `T` in TypeScript, after collecting the declarations of `T`
    /// and of every type it refers to.
    pub fn name_of<T: TS + 'static + ?Sized>(&mut self) -> String {
        self.visit::<T>();
        T::name(&self.config)
    }

    /// Every collected declaration (`export type Name = …;`) with its name,
    /// sorted by name.
    pub fn declarations(&self) -> impl Iterator<Item = (&str, &str)> {
        self.declarations.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl TypeVisitor for Types {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Derived types are the ones with a declaration of their own; the
        // built-in ones (`Vec`, `Option`, numbers, …) are written inline.
        if T::output_path().is_some() {
            let name = T::ident(&self.config);
            if !self.declarations.contains_key(&name) {
                let docs = T::docs().unwrap_or_default();
                let decl = T::decl(&self.config);
                self.declarations.insert(name, format!("{docs}export {decl}"));
            }
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

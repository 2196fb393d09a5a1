//! Reading a JSON catalog straight into the resolver's flat index, building only the
//! controls a profile selects.
//!
//! A baseline selects a fraction of a large catalog (MODERATE: 287 of SP 800-53's 1,189
//! controls). Resolution therefore reads the catalog twice: once for its skeleton (ids and
//! structure, every other field skipped unbuilt), on which the selection is computed, and
//! once more building the selected controls in full and, for the others, only their
//! parameters (which selected controls may still refer to).

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::resolve::{Entry, Flat};

/// What to build of each control.
#[derive(Clone, Copy)]
pub(crate) enum Build<'a> {
    /// Ids and structure only.
    Skeleton,
    /// Selected controls in full; for the others, their parameters.
    Selected(&'a dyn Fn(&str) -> bool),
}

/// A catalog read into the flat index, with its own parameters and back-matter resources.
pub(crate) struct Read {
    pub flat: Flat,
    pub params: Vec<Value>,
    pub resources: Vec<Value>,
}

/// Reads `{"catalog": …}` text. `Ok(None)` when the root holds no catalog.
pub(crate) fn read(text: &str, build: Build<'_>) -> Result<Option<Read>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let out = RootSeed { build }.deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

struct RootSeed<'a> {
    build: Build<'a>,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = Option<Read>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = Option<Read>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OSCAL document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "catalog" {
                out = Some(map.next_value_seed(CatalogSeed { build: self.build })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

struct CatalogSeed<'a> {
    build: Build<'a>,
}

impl<'de> DeserializeSeed<'de> for CatalogSeed<'_> {
    type Value = Read;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CatalogSeed<'_> {
    type Value = Read;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a catalog object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut read = Read {
            flat: Flat::default(),
            params: Vec::new(),
            resources: Vec::new(),
        };
        let full = matches!(self.build, Build::Selected(_));
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "controls" => map.next_value_seed(ControlsSeed {
                    build: self.build,
                    flat: &mut read.flat,
                    parent: None,
                    groups: &[],
                })?,
                "groups" => map.next_value_seed(GroupsSeed {
                    build: self.build,
                    flat: &mut read.flat,
                    path: &[],
                })?,
                "params" if full => read.params = map.next_value()?,
                "back-matter" if full => {
                    let mut bm: Value = map.next_value()?;
                    if let Some(Value::Array(r)) =
                        bm.as_object_mut().and_then(|o| o.shift_remove("resources"))
                    {
                        read.resources = r;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(read)
    }
}

struct ControlsSeed<'s, 'a> {
    build: Build<'a>,
    flat: &'s mut Flat,
    parent: Option<&'s str>,
    groups: &'s [String],
}

impl<'de> DeserializeSeed<'de> for ControlsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ControlsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of controls")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(ControlSeed {
                build: self.build,
                flat: self.flat,
                parent: self.parent,
                groups: self.groups,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct ControlSeed<'s, 'a> {
    build: Build<'a>,
    flat: &'s mut Flat,
    parent: Option<&'s str>,
    groups: &'s [String],
}

impl<'de> DeserializeSeed<'de> for ControlSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ControlSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a control object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut obj = Map::new();
        let mut id: Option<String> = None;
        // Whether to build this control's fields; unknown until its id is read (OSCAL
        // writes `id` first; fields before it are built in case).
        let mut keep: Option<bool> = None;
        // The position this control takes in document order (parents before children).
        let at = self.flat.order.len();
        self.flat.order.push(String::new());
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => {
                    let value: String = map.next_value()?;
                    keep = Some(match self.build {
                        Build::Skeleton => false,
                        Build::Selected(selects) => selects(&value),
                    });
                    self.flat.order[at].clone_from(&value);
                    obj.insert(key, Value::String(value.clone()));
                    id = Some(value);
                }
                "controls" => {
                    let Some(me) = id.clone() else {
                        return Err(serde::de::Error::custom(
                            "a control lists child controls before its id",
                        ));
                    };
                    map.next_value_seed(ControlsSeed {
                        build: self.build,
                        flat: self.flat,
                        parent: Some(&me),
                        groups: self.groups,
                    })?;
                }
                "params" if matches!(self.build, Build::Selected(_)) => {
                    obj.insert(key, map.next_value()?);
                }
                _ if keep == Some(false) => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    obj.insert(key, map.next_value()?);
                }
            }
        }
        let Some(id) = id else {
            return Err(serde::de::Error::custom("a control without an id"));
        };
        self.flat.entries.insert(
            id,
            Entry {
                control: Value::Object(obj),
                parent: self.parent.map(str::to_owned),
                groups: self.groups.to_vec(),
            },
        );
        Ok(())
    }
}

struct GroupsSeed<'s, 'a> {
    build: Build<'a>,
    flat: &'s mut Flat,
    path: &'s [String],
}

impl<'de> DeserializeSeed<'de> for GroupsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GroupsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of groups")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(GroupSeed {
                build: self.build,
                flat: self.flat,
                path: self.path,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct GroupSeed<'s, 'a> {
    build: Build<'a>,
    flat: &'s mut Flat,
    path: &'s [String],
}

impl<'de> DeserializeSeed<'de> for GroupSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for GroupSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a group object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Groups without ids get a synthetic key (their position) so structure is kept.
        let mut gid = format!("#group-{}", self.flat.group_order.len());
        let at = self.flat.group_order.len();
        self.flat.group_order.push(gid.clone());
        let mut path = self.path.to_vec();
        path.push(gid.clone());
        let mut children_seen = false;
        let mut obj = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "id" => {
                    if children_seen {
                        return Err(serde::de::Error::custom(
                            "a group lists controls or groups before its id",
                        ));
                    }
                    let value: String = map.next_value()?;
                    self.flat.group_order[at].clone_from(&value);
                    if let Some(last) = path.last_mut() {
                        last.clone_from(&value);
                    }
                    gid.clone_from(&value);
                    obj.insert(key, Value::String(value));
                }
                "controls" => {
                    children_seen = true;
                    map.next_value_seed(ControlsSeed {
                        build: self.build,
                        flat: self.flat,
                        parent: None,
                        groups: &path,
                    })?;
                }
                "groups" => {
                    children_seen = true;
                    map.next_value_seed(GroupsSeed {
                        build: self.build,
                        flat: self.flat,
                        path: &path,
                    })?;
                }
                _ => {
                    obj.insert(key, map.next_value()?);
                }
            }
        }
        self.flat
            .group_parent
            .insert(gid.clone(), self.path.last().cloned());
        self.flat.groups.insert(gid, Value::Object(obj));
        Ok(())
    }
}

//! CISO Assistant's YAML libraries, read for import: the library's header, its framework
//! (requirement nodes with urn, ref_id, name, description, parent, assessable) and its
//! requirement mapping sets (source and target urns with a relationship). Only what an
//! import needs is read; translations, scores and the rest are ignored.

use serde::Deserialize;

/// A library file as read.
#[derive(Debug, Clone, Deserialize)]
pub struct Library {
    pub urn: String,
    #[serde(default)]
    pub ref_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub copyright: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub packager: String,
    #[serde(default, deserialize_with = "text")]
    pub version: String,
    #[serde(default, deserialize_with = "text")]
    pub publication_date: String,
    #[serde(default)]
    pub objects: Objects,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Objects {
    #[serde(default)]
    pub framework: Option<Framework>,
    #[serde(default)]
    pub requirement_mapping_sets: Vec<MappingSet>,
    /// Older libraries hold one set under this name.
    #[serde(default)]
    pub requirement_mapping_set: Option<MappingSet>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Framework {
    pub urn: String,
    #[serde(default)]
    pub ref_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requirement_nodes: Vec<Node>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub urn: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub ref_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parent_urn: Option<String>,
    #[serde(default)]
    pub assessable: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MappingSet {
    pub urn: String,
    #[serde(default)]
    pub ref_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub source_framework_urn: String,
    pub target_framework_urn: String,
    #[serde(default)]
    pub requirement_mappings: Vec<Mapping>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Mapping {
    pub source_requirement_urn: String,
    pub target_requirement_urn: String,
    pub relationship: String,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub strength_of_relationship: Option<i64>,
}

/// A scalar as text: YAML reads `1.1` and `2024-03-02` as numbers or dates otherwise.
fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: Option<serde_yaml::Value> = Option::deserialize(d)?;
    Ok(v.and_then(|v| match v {
        serde_yaml::Value::String(s) => Some(s),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }))
}

/// Reads a library file.
///
/// # Errors
/// Not YAML of that shape, with the line and column.
pub fn read(file: &str, text: &str) -> Result<Library, String> {
    let mut lib: Library = serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(l) => format!("{file}:{}:{}: {e}", l.line(), l.column()),
        None => format!("{file}: {e}"),
    })?;
    if let Some(one) = lib.objects.requirement_mapping_set.take() {
        lib.objects.requirement_mapping_sets.push(one);
    }
    if lib.objects.framework.is_none() && lib.objects.requirement_mapping_sets.is_empty() {
        return Err(format!(
            "{file}: the library holds neither a framework nor a requirement mapping set"
        ));
    }
    Ok(lib)
}

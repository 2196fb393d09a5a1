//! Conversions between OSCAL and crosswalk's model: catalogs to frameworks, frameworks
//! to catalogs, mapping sets to and from OSCAL 1.2 mapping collections.

use std::collections::{BTreeMap, HashMap, HashSet};

use crosswalk_core::framework::{Framework, FrameworkMeta, Requirement, RequirementKind};
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{
    Mapping, MappingSet, MappingSetMeta, ProvenanceKind, Rationale, Relationship,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{OSCAL_VERSION, arr, s};

fn prop<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    arr(v, "props")
        .iter()
        .find(|p| s(p, "name") == name && s(p, "class") != "zero-padded")
        .and_then(|p| p.get("value").and_then(Value::as_str))
}

/// How to turn a catalog into a framework.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub meta: FrameworkMeta,
    /// Copy the publisher's statement text into summaries (for a user's own installation).
    pub include_text: bool,
    /// Leave out controls marked `status: withdrawn`.
    pub skip_withdrawn: bool,
}

/// Framework metadata read from a catalog's `metadata`: title, version, publication date
/// and publisher (the party with the `publisher` role, else the first party), under `id`.
pub fn catalog_meta(catalog: &CatalogNode, id: FrameworkId) -> FrameworkMeta {
    let meta = &catalog.metadata;
    let publisher_uuid = meta
        .responsible_parties
        .iter()
        .find(|r| r.role_id == "publisher")
        .and_then(|r| r.party_uuids.first());
    let party = meta
        .parties
        .iter()
        .find(|p| Some(&p.uuid) == publisher_uuid)
        .or_else(|| meta.parties.first());
    let publisher = party.map_or("", |p| {
        if p.short_name.is_empty() {
            p.name.as_str()
        } else {
            p.short_name.as_str()
        }
    });
    let title = meta.title.trim();
    FrameworkMeta {
        family: id.clone(),
        id,
        current: true,
        name: if title.is_empty() {
            "Imported OSCAL catalog".into()
        } else {
            title.to_owned()
        },
        version: meta.version.clone(),
        publisher: if publisher.is_empty() {
            "unknown".into()
        } else {
            publisher.to_owned()
        },
        published: meta.published.clone(),
        aliases: Vec::new(),
        source: Some(format!(
            "Imported from the OSCAL catalog `{title}` (uuid {}).",
            catalog.uuid
        )),
        notes: Vec::new(),
    }
}

/// The title on a catalog's metadata.
impl CatalogNode {
    pub fn title(&self) -> &str {
        &self.metadata.title
    }
}

/// The parts of a catalog a framework is made from, read straight from JSON text or from
/// a document tree; everything else is skipped without being built.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CatalogNode {
    uuid: String,
    metadata: MetadataIn,
    id: String,
    class: String,
    title: String,
    props: Vec<PropIn>,
    parts: Vec<PartIn>,
    groups: Vec<CatalogNode>,
    controls: Vec<CatalogNode>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct MetadataIn {
    title: String,
    version: String,
    published: Option<String>,
    parties: Vec<PartyIn>,
    responsible_parties: Vec<ResponsibleIn>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct PartyIn {
    uuid: String,
    name: String,
    short_name: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct ResponsibleIn {
    role_id: String,
    party_uuids: Vec<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PropIn {
    name: String,
    value: String,
    class: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PartIn {
    name: String,
    prose: String,
    parts: Vec<PartIn>,
}

impl CatalogNode {
    /// Reads the catalog of an OSCAL JSON document's text (`{"catalog": …}`).
    ///
    /// # Errors
    /// Bad JSON (with line and column) or no catalog at the root.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Root {
            catalog: CatalogNode,
        }
        serde_json::from_str::<Root>(text).map(|r| r.catalog)
    }

    /// Reads a catalog body already held as a document tree.
    ///
    /// # Errors
    /// When a field has the wrong shape.
    pub fn from_value(catalog: &Value) -> Result<Self, serde_json::Error> {
        serde::Deserialize::deserialize(catalog)
    }

    fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|p| p.name == name && p.class != "zero-padded")
            .map(|p| p.value.as_str())
    }

    /// The prose of the `statement` part, all levels joined.
    fn statement(&self) -> String {
        fn prose(p: &PartIn, out: &mut Vec<String>) {
            if !p.prose.trim().is_empty() {
                out.push(p.prose.trim().to_owned());
            }
            p.parts.iter().for_each(|q| prose(q, out));
        }
        let mut out = Vec::new();
        for part in self.parts.iter().filter(|p| p.name == "statement") {
            prose(part, &mut out);
        }
        out.join(" ")
    }

    /// The identifier as the publisher prints it: the `label` (`AC-2(1)`, `GV.OC-01`), or
    /// the code of a descriptive label (`GOVERN (GV)` → `GV`), else the `sort-id` or `id`.
    fn printed_id(&self, is_group: bool) -> String {
        if let Some(label) = self.prop("label").map(str::trim) {
            if !label.contains(char::is_whitespace) {
                return label.to_owned();
            }
            if let Some(code) = label
                .strip_suffix(')')
                .and_then(|l| l.rsplit_once('('))
                .map(|(_, code)| code.trim())
                .filter(|c| !c.is_empty() && !c.contains(char::is_whitespace))
            {
                return code.to_owned();
            }
        }
        match self.prop("sort-id") {
            Some(sort) if !is_group => sort.trim().to_owned(),
            _ if is_group && self.class == "family" => self.id.to_uppercase(),
            _ => self.id.clone(),
        }
    }
}

/// Converts a catalog body into a framework: groups become group nodes, controls and
/// enhancements become assessable controls (CSF classes keep their kinds); ids use the
/// publisher's `label` where there is one (`AC-2(1)`, `GV.OC-01`).
///
/// # Errors
/// A field of the wrong shape, a duplicate or malformed identifier.
pub fn catalog_to_framework(catalog: &Value, opts: ImportOptions) -> Result<Framework, String> {
    let node = CatalogNode::from_value(catalog).map_err(|e| e.to_string())?;
    node_to_framework(&node, opts)
}

/// [`catalog_to_framework`] for a catalog read with [`CatalogNode`].
///
/// # Errors
/// A duplicate or malformed identifier.
pub fn node_to_framework(catalog: &CatalogNode, opts: ImportOptions) -> Result<Framework, String> {
    let mut reqs: Vec<Requirement> = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    fn walk(
        v: &CatalogNode,
        parent: Option<&str>,
        reqs: &mut Vec<Requirement>,
        used: &mut HashSet<String>,
        opts: &ImportOptions,
    ) -> Result<(), String> {
        for g in &v.groups {
            let id = g.printed_id(true);
            let summary = if opts.include_text {
                g.statement()
            } else {
                String::new()
            };
            push(
                reqs,
                used,
                &id,
                parent,
                &g.title,
                summary,
                RequirementKind::Group,
                false,
            )?;
            walk(g, Some(&id), reqs, used, opts)?;
        }
        for c in &v.controls {
            if c.class == "security_requirement" {
                continue;
            }
            if opts.skip_withdrawn && c.prop("status") == Some("withdrawn") {
                continue;
            }
            let id = c.printed_id(false);
            let (kind, assessable) = match c.class.as_str() {
                "function" => (RequirementKind::Group, false),
                "category" => (RequirementKind::Category, false),
                "subcategory" => (RequirementKind::Subcategory, true),
                _ => (RequirementKind::Control, true),
            };
            // SP 800-171 r3 puts each requirement's text in a child control of class
            // `security_requirement`: fold it into its requirement.
            let folded: Vec<&CatalogNode> = c
                .controls
                .iter()
                .filter(|k| k.class == "security_requirement")
                .collect();
            let summary = if !opts.include_text {
                String::new()
            } else if folded.is_empty() {
                c.statement()
            } else {
                folded
                    .iter()
                    .map(|k| k.statement())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            push(reqs, used, &id, parent, &c.title, summary, kind, assessable)?;
            walk(c, Some(&id), reqs, used, opts)?;
        }
        Ok(())
    }
    #[allow(clippy::too_many_arguments)]
    fn push(
        reqs: &mut Vec<Requirement>,
        used: &mut HashSet<String>,
        id: &str,
        parent: Option<&str>,
        title: &str,
        summary: String,
        kind: RequirementKind,
        assessable: bool,
    ) -> Result<(), String> {
        if !used.insert(id.to_owned()) {
            return Err(format!("identifier `{id}` appears twice in the catalog"));
        }
        let rid = RequirementId::parse(id).map_err(|e| e.to_string())?;
        let parent = parent
            .map(RequirementId::parse)
            .transpose()
            .map_err(|e| e.to_string())?;
        reqs.push(Requirement {
            id: rid,
            parent,
            title: if title.trim().is_empty() {
                id.to_owned()
            } else {
                title.trim().to_owned()
            },
            summary,
            kind,
            assessable,
            attributes: BTreeMap::new(),
            excludable: None,
        });
        Ok(())
    }
    walk(catalog, None, &mut reqs, &mut used, &opts)?;
    if let Some((i, depth)) = crosswalk_format::too_deep(
        reqs.iter()
            .map(|r| (r.id.as_str(), r.parent.as_ref().map(|p| p.as_str()))),
    ) {
        return Err(format!(
            "`{}` is nested {depth} levels deep; a framework's requirements nest at most {} levels",
            reqs[i].id,
            crosswalk_format::MAX_REQUIREMENT_DEPTH
        ));
    }
    Framework::new(opts.meta, reqs).map_err(|issues| {
        issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Settings for documents we write: the timestamp is a parameter, never read here.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// RFC 3339 timestamp for `last-modified`.
    pub now: String,
}

/// OSCAL control and group ids are tokens (a letter or `_` first; letters, digits, `.`, `-`,
/// `_`): derive one per requirement, unique within the framework.
pub(crate) fn token_ids(fw: &Framework) -> HashMap<&str, String> {
    let mut used = HashSet::new();
    let mut out = HashMap::new();
    for r in fw.requirements() {
        let mut t: String =
            r.id.as_str()
                .to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
        if !t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            t = format!("r-{t}");
        }
        let mut candidate = t.clone();
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{t}_{n}");
            n += 1;
        }
        out.insert(r.id.as_str(), candidate);
    }
    out
}

fn uuid_for(kind: &str, key: &str) -> String {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("crosswalk:{kind}:{key}").as_bytes(),
    )
    .to_string()
}

/// Exports a framework as an OSCAL catalog body. Non-assessable nodes that hold others
/// and sit outside any control become groups; everything else becomes a control. The
/// original identifier is kept as the `label` property.
pub fn framework_to_catalog(fw: &Framework, opts: &ExportOptions) -> Value {
    let tokens = token_ids(fw);
    let children = fw.children();
    let reqs = fw.requirements();
    fn node(
        fw: &Framework,
        i: usize,
        in_control: bool,
        tokens: &HashMap<&str, String>,
        children: &HashMap<Option<&RequirementId>, Vec<usize>>,
    ) -> (bool, Value) {
        let r = &fw.requirements()[i];
        let kids = children.get(&Some(&r.id)).cloned().unwrap_or_default();
        let is_group = !in_control && !r.assessable && !kids.is_empty();
        let id = tokens.get(r.id.as_str()).cloned().unwrap_or_default();
        let mut o = serde_json::Map::new();
        o.insert("id".into(), json!(id));
        o.insert("class".into(), json!(r.kind.as_str()));
        o.insert("title".into(), json!(r.title));
        o.insert(
            "props".into(),
            json!([{"name": "label", "value": r.id.as_str()}]),
        );
        if !r.summary.is_empty() {
            o.insert(
                "parts".into(),
                json!([{"id": format!("{id}_smt"), "name": "statement", "prose": r.summary}]),
            );
        }
        let mut controls = Vec::new();
        let mut groups = Vec::new();
        // An OSCAL group holds either groups or controls: when a heading has both kinds
        // of children, its sub-headings become controls too.
        let would_group = |k: &usize| {
            let r = &fw.requirements()[*k];
            !r.assessable && children.contains_key(&Some(&r.id))
        };
        let mixed = kids.iter().any(would_group) && !kids.iter().all(would_group);
        for k in kids {
            let (g, v) = node(fw, k, in_control || !is_group || mixed, tokens, children);
            if g { groups.push(v) } else { controls.push(v) }
        }
        if !groups.is_empty() {
            o.insert("groups".into(), Value::Array(groups));
        }
        if !controls.is_empty() {
            o.insert("controls".into(), Value::Array(controls));
        }
        (is_group, Value::Object(o))
    }
    let mut controls = Vec::new();
    let mut groups = Vec::new();
    for &i in children.get(&None).map_or(&[][..], Vec::as_slice) {
        let (g, v) = node(fw, i, false, &tokens, &children);
        if g { groups.push(v) } else { controls.push(v) }
    }
    let _ = reqs;
    let mut body = serde_json::Map::new();
    body.insert("uuid".into(), json!(uuid_for("catalog", fw.id().as_str())));
    body.insert(
        "metadata".into(),
        json!({
            "title": fw.meta.name,
            "last-modified": opts.now,
            "version": fw.meta.version,
            "oscal-version": OSCAL_VERSION,
            "props": [{"name": "crosswalk-framework", "value": fw.id().as_str()}],
            "remarks": format!("Exported by crosswalk. {}", fw.meta.source.clone().unwrap_or_default()),
        }),
    );
    if !groups.is_empty() {
        body.insert("groups".into(), Value::Array(groups));
    }
    if !controls.is_empty() {
        body.insert("controls".into(), Value::Array(controls));
    }
    Value::Object(body)
}

fn relationship_token(r: Relationship) -> &'static str {
    match r {
        Relationship::Equal => "equal-to",
        Relationship::Equivalent => "equivalent-to",
        Relationship::Subset => "subset-of",
        Relationship::Superset => "superset-of",
        Relationship::Intersects | Relationship::Related => "intersects-with",
        Relationship::NoRelationship => "no-relationship",
    }
}

fn resource_href(id: &FrameworkId) -> String {
    format!("urn:crosswalk:framework:{id}")
}

/// Exports a mapping set as an OSCAL 1.2 mapping-collection body. Source and target items
/// refer to the control ids of `framework_to_catalog`, with the original id as `label`.
pub fn mapping_collection(
    set: &MappingSet,
    from: &Framework,
    to: &Framework,
    opts: &ExportOptions,
) -> Value {
    let (tf, tt) = (token_ids(from), token_ids(to));
    let item = |tokens: &HashMap<&str, String>, id: &RequirementId| json!({"type": "control", "id-ref": tokens.get(id.as_str()).cloned().unwrap_or_else(|| id.to_string()), "props": [{"name": "label", "value": id.as_str()}]});
    let maps: Vec<Value> = set
        .mappings()
        .iter()
        .map(|m| {
            let mut o = serde_json::Map::new();
            o.insert(
                "uuid".into(),
                json!(uuid_for(
                    "map",
                    &format!("{}:{}:{}", set.meta.id, m.from, m.to)
                )),
            );
            if let Some(r) = m.rationale {
                o.insert("matching-rationale".into(), json!(rationale_token(r)));
            }
            o.insert(
                "relationship".into(),
                json!(relationship_token(m.relationship)),
            );
            o.insert("sources".into(), json!([item(&tf, &m.from)]));
            o.insert("targets".into(), json!([item(&tt, &m.to)]));
            let mut props =
                vec![json!({"name": "crosswalk-relationship", "value": m.relationship.as_str()})];
            if let Some(st) = m.strength {
                props.push(json!({"name": "crosswalk-strength", "value": st.to_string()}));
            }
            o.insert("props".into(), Value::Array(props));
            if let Some(n) = &m.note {
                o.insert("remarks".into(), json!(n));
            }
            Value::Object(o)
        })
        .collect();
    let meta = &set.meta;
    let provenance = meta.provenance.as_str();
    let mut mapping = json!({
        "uuid": uuid_for("mapping", meta.id.as_str()),
        "source-resource": {"type": "catalog", "href": resource_href(&meta.from)},
        "target-resource": {"type": "catalog", "href": resource_href(&meta.to)},
    });
    if !maps.is_empty() {
        mapping["maps"] = Value::Array(maps);
    }
    json!({
        "uuid": uuid_for("mapping-collection", meta.id.as_str()),
        "metadata": {
            "title": meta.title,
            "last-modified": opts.now,
            "version": meta.date.clone().unwrap_or_else(|| "1".into()),
            "oscal-version": OSCAL_VERSION,
            "props": [
                {"name": "crosswalk-mapping-set", "value": meta.id.as_str()},
                {"name": "crosswalk-provenance", "value": provenance},
            ],
            "remarks": format!("Publisher: {}. Source: {}. Review: {}.", meta.publisher, meta.source, meta.review),
        },
        "provenance": {
            "method": "human",
            "matching-rationale": "semantic",
            "status": "complete",
            "mapping-description": meta.method,
        },
        "mappings": [mapping],
    })
}

fn rationale_token(r: Rationale) -> &'static str {
    match r {
        Rationale::Syntactic => "syntactic",
        Rationale::Semantic => "semantic",
        Rationale::Functional => "functional",
    }
}

fn item_id(v: &Value) -> String {
    prop(v, "label").map_or_else(|| s(v, "id-ref").to_owned(), str::to_owned)
}

/// Reads the mappings of an OSCAL mapping-collection body: one mapping set per `mapping`,
/// framework ids from `urn:crosswalk:framework:` references or from `resolve_resource`
/// (which maps any other href to a framework id).
pub fn read_mapping_collection(
    body: &Value,
    resolve_resource: &dyn Fn(&str) -> Option<FrameworkId>,
) -> Result<Vec<MappingSet>, String> {
    let meta = body.get("metadata").cloned().unwrap_or(Value::Null);
    let title = s(&meta, "title").to_owned();
    let provenance = match prop(&meta, "crosswalk-provenance") {
        Some("official") => ProvenanceKind::Official,
        Some("tool") => ProvenanceKind::Tool,
        _ => ProvenanceKind::Curated,
    };
    let mut out = Vec::new();
    for (n, mapping) in arr(body, "mappings").iter().enumerate() {
        let fw = |key: &str| -> Result<FrameworkId, String> {
            let href = s(mapping.get(key).unwrap_or(&Value::Null), "href");
            match href.strip_prefix("urn:crosswalk:framework:") {
                Some(id) => FrameworkId::parse(id).map_err(|e| e.to_string()),
                None => resolve_resource(href).ok_or_else(|| {
                    format!("mappings[{n}].{key}: cannot tell which framework `{href}` is")
                }),
            }
        };
        let (from, to) = (fw("source-resource")?, fw("target-resource")?);
        let mut mappings = Vec::new();
        for (k, map) in arr(mapping, "maps").iter().enumerate() {
            let relationship = match prop(map, "crosswalk-relationship") {
                Some(r) => Relationship::ALL.into_iter().find(|x| x.as_str() == r),
                None => match s(map, "relationship") {
                    "equal-to" => Some(Relationship::Equal),
                    "equivalent-to" => Some(Relationship::Equivalent),
                    "subset-of" => Some(Relationship::Subset),
                    "superset-of" => Some(Relationship::Superset),
                    "intersects-with" => Some(Relationship::Intersects),
                    "no-relationship" => Some(Relationship::NoRelationship),
                    _ => None,
                },
            }
            .ok_or_else(|| {
                format!(
                    "mappings[{n}].maps[{k}]: unknown relationship `{}`",
                    s(map, "relationship")
                )
            })?;
            let strength = prop(map, "crosswalk-strength").and_then(|v| v.parse().ok());
            let rationale = match s(map, "matching-rationale") {
                "syntactic" => Some(Rationale::Syntactic),
                "semantic" => Some(Rationale::Semantic),
                "functional" => Some(Rationale::Functional),
                _ => None,
            };
            for src in arr(map, "sources") {
                for tgt in arr(map, "targets") {
                    mappings.push(Mapping {
                        from: RequirementId::parse(&item_id(src))
                            .map_err(|e| format!("mappings[{n}].maps[{k}].sources: {e}"))?,
                        to: RequirementId::parse(&item_id(tgt))
                            .map_err(|e| format!("mappings[{n}].maps[{k}].targets: {e}"))?,
                        relationship,
                        rationale,
                        strength,
                        confidence: None,
                        note: map
                            .get("remarks")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
            }
        }
        let id = prop(&meta, "crosswalk-mapping-set")
            .map_or_else(|| format!("{from}--{to}"), str::to_owned);
        let prov = body.get("provenance").cloned().unwrap_or(Value::Null);
        let set_meta = MappingSetMeta {
            id: FrameworkId::parse(&id).map_err(|e| e.to_string())?,
            from,
            to,
            title: title.clone(),
            provenance,
            publisher: "imported from OSCAL".into(),
            source: title.clone(),
            date: meta
                .get("last-modified")
                .and_then(Value::as_str)
                .map(str::to_owned),
            licence: None,
            method: s(&prov, "mapping-description").to_owned(),
            review: format!("status: {}", s(&prov, "status")),
            notes: Vec::new(),
        };
        out.push(MappingSet::new(set_meta, mappings).map_err(|e| {
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })?);
    }
    Ok(out)
}

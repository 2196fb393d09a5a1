//! Profile resolution (NIST's profile-resolution specification): import and select
//! controls, merge them into a structure, apply modifications, emit a catalog.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::{Kind, OscalError, arr, read, s};

type Obj = Map<String, Value>;

/// Resolves the profile at `path` into a catalog body. Imports are found relative to the
/// profile; `catalog_override` stands in for any import that cannot be loaded locally
/// (such as a catalog referenced by URL).
///
/// Each imported profile is resolved once, however many imports reach it, so the work
/// grows with the number of profiles, not the number of import paths; profiles may
/// import profiles at most [`crate::MAX_IMPORT_DEPTH`] levels deep.
pub fn resolve_profile(path: &Path, catalog_override: Option<&Path>) -> Result<Value, OscalError> {
    let mut r = Resolver {
        catalog_override,
        stack: Vec::new(),
        resolved: HashMap::new(),
    };
    r.resolve_file(path)
}

struct Resolver<'a> {
    catalog_override: Option<&'a Path>,
    /// The profiles being resolved, outermost first (canonical paths).
    stack: Vec<PathBuf>,
    /// Imported profiles already resolved, by canonical path.
    resolved: HashMap<PathBuf, Value>,
}

/// One control of an imported catalog with where it sits.
pub(crate) struct Entry {
    pub control: Value,
    pub parent: Option<String>,
    pub groups: Vec<String>,
}

/// An imported catalog flattened for selection.
#[derive(Default)]
pub(crate) struct Flat {
    pub order: Vec<String>,
    pub entries: HashMap<String, Entry>,
    pub groups: HashMap<String, Value>,
    pub group_order: Vec<String>,
    pub group_parent: HashMap<String, Option<String>>,
}

/// Every parameter id a value refers to through `{{ insert: param, ID }}`.
fn param_refs(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::String(text) => {
            for piece in text.split("{{").skip(1) {
                let inner = piece.split("}}").next().unwrap_or("");
                let mut words = inner.split(',').map(str::trim);
                if words.next() == Some("insert: param")
                    && let Some(id) = words.next()
                {
                    out.insert(id.to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| param_refs(i, out)),
        Value::Object(o) => o.values().for_each(|i| param_refs(i, out)),
        _ => {}
    }
}

/// Parameters defined outside the selected controls (on the catalog, on groups or on
/// controls left out) that selected controls refer to: the profile-resolution rule for
/// loose parameters. They go to the catalog level; unreferenced ones are dropped.
fn loose_params(flat: &Flat, catalog_params: &[Value], selected: &HashSet<&str>) -> Vec<Value> {
    let mut refs = HashSet::new();
    for id in selected {
        param_refs(&flat.entries[*id].control, &mut refs);
    }
    let defined: HashSet<&str> = selected
        .iter()
        .flat_map(|id| arr(&flat.entries[*id].control, "params"))
        .map(|p| s(p, "id"))
        .collect();
    let groups = flat.group_order.iter().map(|g| &flat.groups[g]);
    let left_out = flat
        .order
        .iter()
        .filter(|id| !selected.contains(id.as_str()))
        .map(|id| &flat.entries[id].control);
    let mut seen = HashSet::new();
    catalog_params
        .iter()
        .chain(groups.chain(left_out).flat_map(|v| arr(v, "params")))
        .filter(|p| {
            let id = s(p, "id");
            refs.contains(id) && !defined.contains(id) && seen.insert(id.to_owned())
        })
        .cloned()
        .collect()
}

/// Takes the array under `key` out of an object.
fn take(v: &mut Value, key: &str) -> Vec<Value> {
    match v.as_object_mut().and_then(|o| o.shift_remove(key)) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// Flattens a catalog, moving its controls and groups (without their children) into
/// the index: nothing is copied.
fn flatten(mut catalog: Value) -> Flat {
    let mut f = Flat {
        order: Vec::new(),
        entries: HashMap::new(),
        groups: HashMap::new(),
        group_order: Vec::new(),
        group_parent: HashMap::new(),
    };
    fn controls(f: &mut Flat, v: &mut Value, parent: Option<&str>, groups: &[String]) {
        for mut c in take(v, "controls") {
            let id = s(&c, "id").to_owned();
            f.order.push(id.clone());
            controls(f, &mut c, Some(&id), groups);
            if let Some(o) = c.as_object_mut() {
                o.shift_remove("groups");
            }
            f.entries.insert(
                id,
                Entry {
                    control: c,
                    parent: parent.map(str::to_owned),
                    groups: groups.to_vec(),
                },
            );
        }
    }
    fn groups(f: &mut Flat, v: &mut Value, path: &[String]) {
        for mut g in take(v, "groups") {
            // Groups without ids get a synthetic key so structure is kept.
            let id = match s(&g, "id") {
                "" => format!("#group-{}", f.group_order.len()),
                id => id.to_owned(),
            };
            f.group_order.push(id.clone());
            f.group_parent.insert(id.clone(), path.last().cloned());
            let mut p = path.to_vec();
            p.push(id.clone());
            controls(f, &mut g, None, &p);
            groups(f, &mut g, &p);
            f.groups.insert(id, g);
        }
    }
    controls(&mut f, &mut catalog, None, &[]);
    groups(&mut f, &mut catalog, &[]);
    f
}

/// `*` and `?` glob matching, as `matching` patterns use.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    wildmatch::WildMatch::new(pattern).matches(text)
}

impl Resolver<'_> {
    fn resolve_file(&mut self, path: &Path) -> Result<Value, OscalError> {
        let canon = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        if let Some(done) = self.resolved.get(&canon) {
            return Ok(done.clone());
        }
        if self.stack.contains(&canon) {
            let mut chain = self.stack.clone();
            chain.push(canon);
            return Err(OscalError::Cycle(chain));
        }
        let doc = read(path)?;
        match doc.kind {
            Kind::Catalog => Ok(doc.body),
            Kind::Profile => {
                if self.stack.len() >= crate::MAX_IMPORT_DEPTH {
                    return Err(OscalError::ImportDepth {
                        file: path.to_owned(),
                        limit: crate::MAX_IMPORT_DEPTH,
                    });
                }
                self.stack.push(canon.clone());
                let out = self.resolve_body(path, &doc.body);
                self.stack.pop();
                // Kept for other imports of the same profile (not for the outermost one).
                if let (Ok(v), false) = (&out, self.stack.is_empty()) {
                    self.resolved.insert(canon, v.clone());
                }
                out
            }
            Kind::MappingCollection => Err(OscalError::Invalid {
                file: path.to_owned(),
                message: "a mapping-collection cannot be imported by a profile".into(),
            }),
        }
    }

    fn import_path(&self, file: &Path, profile: &Value, href: &str) -> Result<PathBuf, OscalError> {
        let missing = |reason: String| OscalError::MissingImport {
            file: file.to_owned(),
            href: href.to_owned(),
            reason,
        };
        let mut target = href.to_owned();
        if let Some(uuid) = href.strip_prefix('#') {
            let resource = arr(
                profile.get("back-matter").unwrap_or(&Value::Null),
                "resources",
            )
            .iter()
            .find(|r| s(r, "uuid") == uuid)
            .ok_or_else(|| missing("no back-matter resource with that uuid".into()))?;
            let rlinks = arr(resource, "rlinks");
            let pick = rlinks
                .iter()
                .find(|l| s(l, "media-type").contains("json"))
                .or_else(|| rlinks.first())
                .ok_or_else(|| missing("the resource has no rlinks".into()))?;
            target = s(pick, "href").to_owned();
        }
        let remote = target.contains("://");
        let local = file.parent().unwrap_or(Path::new(".")).join(&target);
        if !remote && local.is_file() {
            return Ok(local);
        }
        match self.catalog_override {
            Some(c) => Ok(c.to_owned()),
            None if remote => Err(missing(format!(
                "`{target}` is remote; pass --catalog with a local copy"
            ))),
            None => Err(missing(format!("no file at {}", local.display()))),
        }
    }

    fn resolve_body(&mut self, file: &Path, profile: &Value) -> Result<Value, OscalError> {
        let imports = arr(profile, "imports");
        if imports.is_empty() {
            return Err(OscalError::Invalid {
                file: file.to_owned(),
                message: "the profile has no imports".into(),
            });
        }
        // Per import: the flattened catalog, the selected ids, the catalog's own
        // parameters and its back-matter resources.
        let mut selections = Vec::new();
        for import in imports {
            let href = s(import, "href");
            let target = self.import_path(file, profile, href)?;
            if let Some(found) = lazy_import(file, &target, import)? {
                selections.push(found);
                continue;
            }
            let mut catalog = self.resolve_file(&target)?;
            let params = take(&mut catalog, "params");
            let resources = catalog
                .get_mut("back-matter")
                .map(|b| take(b, "resources"))
                .unwrap_or_default();
            let flat = flatten(catalog);
            let selected = select(file, &flat, import)?;
            selections.push((flat, selected, params, resources));
        }
        let merge = profile.get("merge").cloned().unwrap_or(Value::Null);
        let mut out = Obj::new();
        let mut seen: HashSet<String> = HashSet::new();
        let as_is = merge.get("as-is").and_then(Value::as_bool).unwrap_or(false);
        let keep = merge
            .get("combine")
            .is_none_or(|c| matches!(s(c, "method"), "keep" | ""));
        let mut controls: Vec<Value> = Vec::new();
        let mut groups: Vec<Value> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        let mut resources: Vec<Value> = Vec::new();
        let mut leftovers = Vec::with_capacity(selections.len());
        for (mut flat, selected, catalog_params, catalog_resources) in selections {
            // `keep` keeps every copy; otherwise the first import to bring a control wins.
            let fresh: Vec<String> = selected
                .into_iter()
                .filter(|id| keep || seen.insert(id.clone()))
                .collect();
            let set: HashSet<&str> = fresh.iter().map(String::as_str).collect();
            params.extend(loose_params(&flat, &catalog_params, &set));
            let (c, g) = build_structure(&mut flat, &set, as_is);
            controls.extend(c);
            groups.extend(g);
            resources.extend(catalog_resources);
            leftovers.push(flat);
        }
        // What was not selected (most of a large catalog) is freed off the caller's path.
        std::thread::spawn(move || drop(leftovers));
        let mut body = Obj::new();
        body.insert("controls".into(), Value::Array(controls));
        body.insert("groups".into(), Value::Array(groups));
        let mut body = Value::Object(body);
        if let Some(modify) = profile.get("modify") {
            modify_catalog(file, &mut body, &mut params, modify)?;
        }
        let uuid = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("crosswalk:resolved:{}", s(profile, "uuid")).as_bytes(),
        );
        let meta = profile.get("metadata").cloned().unwrap_or(json!({}));
        let mut metadata = Obj::new();
        for key in [
            "title",
            "published",
            "last-modified",
            "version",
            "oscal-version",
        ] {
            if let Some(v) = meta.get(key) {
                metadata.insert(key.into(), v.clone());
            }
        }
        let mut props = arr(&meta, "props").to_vec();
        props.push(json!({"name": "resolution-tool", "value": "crosswalk"}));
        metadata.insert("props".into(), Value::Array(props));
        metadata.insert(
            "links".into(),
            json!([{"href": format!("#{}", s(profile, "uuid")), "rel": "source-profile"}]),
        );
        for key in ["roles", "parties", "responsible-parties"] {
            if let Some(v) = meta.get(key) {
                metadata.insert(key.into(), v.clone());
            }
        }
        out.insert("uuid".into(), Value::String(uuid.to_string()));
        out.insert("metadata".into(), Value::Object(metadata));
        if !params.is_empty() {
            out.insert("params".into(), Value::Array(params));
        }
        for key in ["controls", "groups"] {
            let items = take(&mut body, key);
            if !items.is_empty() {
                out.insert(key.into(), Value::Array(items));
            }
        }
        let mut seen_res = HashSet::new();
        let mut all_res: Vec<Value> = arr(
            profile.get("back-matter").unwrap_or(&Value::Null),
            "resources",
        )
        .to_vec();
        all_res.extend(resources);
        all_res.retain(|r| seen_res.insert(s(r, "uuid").to_owned()));
        if !all_res.is_empty() {
            out.insert("back-matter".into(), json!({ "resources": all_res }));
        }
        Ok(Value::Object(out))
    }
}

/// What an import contributes: the flattened catalog, the selected ids, the catalog's
/// own parameters and its back-matter resources.
type Selection = (Flat, Vec<String>, Vec<Value>, Vec<Value>);

/// Imports a JSON catalog file building only what the import selects (see [`crate::lazy`]);
/// `None` for anything else (profiles, XML), which takes the general path.
fn lazy_import(
    file: &Path,
    target: &Path,
    import: &Value,
) -> Result<Option<Selection>, OscalError> {
    let text = crate::read_text(target)?;
    if !text.trim_start().starts_with('{') {
        return Ok(None);
    }
    // Any JSON problem is left to the general reader, which reports it with its position.
    if let Some(rule) = IdRule::of(import) {
        // Decidable from the id alone: one pass, no skeleton.
        let build = crate::lazy::Build::Selected(&|id| rule.selects(id));
        let Ok(Some(full)) = crate::lazy::read(&text, build) else {
            return Ok(None);
        };
        if let Some(id) = rule
            .named
            .iter()
            .find(|id| !full.flat.entries.contains_key(**id))
        {
            return Err(OscalError::UnknownId {
                file: file.to_owned(),
                what: "control",
                id: (*id).to_owned(),
            });
        }
        let selected = full
            .flat
            .order
            .iter()
            .filter(|id| rule.selects(id))
            .cloned()
            .collect();
        return Ok(Some((full.flat, selected, full.params, full.resources)));
    }
    let Ok(Some(skeleton)) = crate::lazy::read(&text, crate::lazy::Build::Skeleton) else {
        return Ok(None);
    };
    let selected = select(file, &skeleton.flat, import)?;
    let set: HashSet<String> = selected.iter().cloned().collect();
    let Ok(Some(full)) =
        crate::lazy::read(&text, crate::lazy::Build::Selected(&|id| set.contains(id)))
    else {
        return Ok(None);
    };
    Ok(Some((full.flat, selected, full.params, full.resources)))
}

/// An import whose selection depends on each control's id alone (no child or parent
/// controls brought along): `include-all`, `with-ids` and `matching`, less exclusions.
struct IdRule<'a> {
    all: bool,
    include: (HashSet<&'a str>, Vec<wildmatch::WildMatch>),
    exclude: (HashSet<&'a str>, Vec<wildmatch::WildMatch>),
    /// Every id named by `with-ids`, which must exist.
    named: Vec<&'a str>,
}

impl<'a> IdRule<'a> {
    fn of(import: &'a Value) -> Option<Self> {
        let rules = |key| arr(import, key);
        let structural = |r: &Value| {
            s(r, "with-child-controls") == "yes" || s(r, "with-parent-controls") == "yes"
        };
        if rules("include-controls")
            .iter()
            .chain(rules("exclude-controls"))
            .any(structural)
        {
            return None;
        }
        let mut named = Vec::new();
        let mut side = |key| {
            let mut ids = HashSet::new();
            let mut patterns = Vec::new();
            for r in rules(key) {
                for id in arr(r, "with-ids").iter().filter_map(Value::as_str) {
                    ids.insert(id);
                    named.push(id);
                }
                for m in arr(r, "matching") {
                    patterns.push(wildmatch::WildMatch::new(s(m, "pattern")));
                }
            }
            (ids, patterns)
        };
        let include = side("include-controls");
        let exclude = side("exclude-controls");
        Some(IdRule {
            all: import.get("include-all").is_some(),
            include,
            exclude,
            named,
        })
    }

    fn selects(&self, id: &str) -> bool {
        let hit = |(ids, patterns): &(HashSet<&str>, Vec<wildmatch::WildMatch>)| {
            ids.contains(id) || patterns.iter().any(|p| p.matches(id))
        };
        (self.all || hit(&self.include)) && !hit(&self.exclude)
    }
}

fn select(file: &Path, flat: &Flat, import: &Value) -> Result<Vec<String>, OscalError> {
    let mut chosen: HashSet<String> = HashSet::new();
    let mut kids: HashMap<&str, Vec<&str>> = HashMap::new();
    for id in &flat.order {
        if let Some(p) = flat.entries.get(id).and_then(|e| e.parent.as_deref()) {
            kids.entry(p).or_default().push(id);
        }
    }
    let descendants = |id: &str, out: &mut HashSet<String>| {
        let mut stack = vec![id];
        while let Some(cur) = stack.pop() {
            for &k in kids.get(cur).into_iter().flatten() {
                if out.insert(k.to_owned()) {
                    stack.push(k);
                }
            }
        }
    };
    let apply = |rules: &[Value], out: &mut HashSet<String>| -> Result<(), OscalError> {
        for rule in rules {
            let children = s(rule, "with-child-controls") == "yes";
            let mut hits: Vec<String> = Vec::new();
            for id in arr(rule, "with-ids").iter().filter_map(Value::as_str) {
                if !flat.entries.contains_key(id) {
                    return Err(OscalError::UnknownId {
                        file: file.to_owned(),
                        what: "control",
                        id: id.to_owned(),
                    });
                }
                hits.push(id.to_owned());
            }
            for m in arr(rule, "matching") {
                let pattern = s(m, "pattern");
                hits.extend(flat.order.iter().filter(|id| glob(pattern, id)).cloned());
            }
            let parents = s(rule, "with-parent-controls") == "yes";
            for h in hits {
                if children {
                    descendants(&h, out);
                }
                if parents {
                    let mut p = flat.entries[&h].parent.clone();
                    while let Some(id) = p {
                        p = flat.entries[&id].parent.clone();
                        out.insert(id);
                    }
                }
                out.insert(h);
            }
        }
        Ok(())
    };
    if import.get("include-all").is_some() {
        chosen.extend(flat.order.iter().cloned());
    }
    apply(arr(import, "include-controls"), &mut chosen)?;
    let mut excluded = HashSet::new();
    apply(arr(import, "exclude-controls"), &mut excluded)?;
    chosen.retain(|id| !excluded.contains(id));
    Ok(flat
        .order
        .iter()
        .filter(|id| chosen.contains(*id))
        .cloned()
        .collect())
}

/// Rebuilds the structure around the selected controls: each control sits under its
/// nearest selected ancestor control; with `keep_groups` (merge `as-is`) the groups that
/// hold any selected control are kept too, otherwise top-level controls come in
/// document order with no groups (the `flat` and default structure).
fn build_structure(
    flat: &mut Flat,
    selected: &HashSet<&str>,
    keep_groups: bool,
) -> (Vec<Value>, Vec<Value>) {
    let nearest_parent = |id: &str| {
        let mut p = flat.entries[id].parent.clone();
        while let Some(pid) = p.clone() {
            if selected.contains(pid.as_str()) {
                return Some(pid);
            }
            p = flat.entries[&pid].parent.clone();
        }
        None
    };
    let mut children: HashMap<Option<String>, Vec<String>> = HashMap::new();
    let mut by_group: HashMap<Option<String>, Vec<String>> = HashMap::new();
    for id in flat
        .order
        .iter()
        .filter(|id| selected.contains(id.as_str()))
    {
        match nearest_parent(id) {
            Some(p) => children.entry(Some(p)).or_default().push(id.clone()),
            // As-is has no place for a control whose parent control was left out: NIST's
            // resolved baselines drop it (PRIVACY selects AC-3(14) without AC-3).
            None if keep_groups && flat.entries[id].parent.is_some() => {}
            None => {
                let group = flat.entries[id].groups.last().filter(|_| keep_groups);
                by_group.entry(group.cloned()).or_default().push(id.clone());
            }
        }
    }
    type Tree = HashMap<Option<String>, Vec<String>>;
    /// Moves a control out of the index with its selected descendants nested in it;
    /// `None` when it was moved already (an id listed twice, as a `keep` merge of the
    /// same control leaves it).
    fn control(entries: &mut HashMap<String, Entry>, id: &str, children: &Tree) -> Option<Value> {
        let mut c = entries.remove(id)?.control;
        if let Some(kids) = children.get(&Some(id.to_owned())) {
            let nested: Vec<Value> = kids
                .iter()
                .filter_map(|k| control(entries, k, children))
                .collect();
            if let Some(o) = c.as_object_mut() {
                o.insert("controls".into(), Value::Array(nested));
            }
        }
        Some(c)
    }
    struct Groups<'a> {
        order: &'a [String],
        parent: &'a HashMap<String, Option<String>>,
        body: &'a HashMap<String, Value>,
    }
    fn group(
        gs: &Groups<'_>,
        entries: &mut HashMap<String, Entry>,
        gid: &str,
        by_group: &Tree,
        children: &Tree,
    ) -> Option<Value> {
        let controls: Vec<Value> = by_group
            .get(&Some(gid.to_owned()))
            .into_iter()
            .flatten()
            .filter_map(|id| control(entries, id, children))
            .collect();
        let subgroups: Vec<Value> = gs
            .order
            .iter()
            .filter(|g| gs.parent.get(*g).cloned().flatten().as_deref() == Some(gid))
            .filter_map(|g| group(gs, entries, g, by_group, children))
            .collect();
        if controls.is_empty() && subgroups.is_empty() {
            return None;
        }
        let mut g = gs.body[gid].clone();
        if let Some(o) = g.as_object_mut() {
            if gid.starts_with("#group-") {
                o.shift_remove("id");
            }
            // Group parameters are loose: hoisted to the catalog when referenced.
            o.shift_remove("params");
            if !subgroups.is_empty() {
                o.insert("groups".into(), Value::Array(subgroups));
            }
            if !controls.is_empty() {
                o.insert("controls".into(), Value::Array(controls));
            }
        }
        Some(g)
    }
    let gs = Groups {
        order: &flat.group_order,
        parent: &flat.group_parent,
        body: &flat.groups,
    };
    let entries = &mut flat.entries;
    let top: Vec<Value> = by_group
        .get(&None)
        .into_iter()
        .flatten()
        .filter_map(|id| control(entries, id, &children))
        .collect();
    let groups: Vec<Value> = gs
        .order
        .iter()
        .filter(|g| gs.parent.get(*g).cloned().flatten().is_none())
        .filter_map(|g| group(&gs, entries, g, &by_group, &children))
        .collect();
    (top, groups)
}

fn for_each_control(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    for key in ["groups", "controls"] {
        if let Some(items) = v.get_mut(key).and_then(Value::as_array_mut) {
            for item in items {
                if key == "controls" {
                    f(item);
                }
                for_each_control(item, f);
            }
        }
    }
}

fn append(o: &mut Obj, key: &str, items: &[Value], at_start: bool) {
    if items.is_empty() {
        return;
    }
    let list = o
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(a) = list.as_array_mut() {
        if at_start {
            let mut new = items.to_vec();
            new.append(a);
            *a = new;
        } else {
            a.extend(items.iter().cloned());
        }
    }
}

fn set_param(param: &mut Value, set: &Value) {
    let Some(o) = param.as_object_mut() else {
        return;
    };
    for (k, v) in set.as_object().into_iter().flatten() {
        match k.as_str() {
            "param-id" => {}
            "props" | "links" | "constraints" | "guidelines" => {
                append(o, k, v.as_array().map_or(&[], Vec::as_slice), false);
            }
            _ => {
                o.insert(k.clone(), v.clone());
            }
        }
    }
}

fn modify_catalog(
    file: &Path,
    body: &mut Value,
    catalog_params: &mut [Value],
    modify: &Value,
) -> Result<(), OscalError> {
    for sp in arr(modify, "set-parameters") {
        let id = s(sp, "param-id");
        let mut found = false;
        for p in catalog_params.iter_mut().filter(|p| s(p, "id") == id) {
            set_param(p, sp);
            found = true;
        }
        for_each_control(body, &mut |c| {
            if let Some(params) = c.get_mut("params").and_then(Value::as_array_mut) {
                for p in params.iter_mut().filter(|p| s(p, "id") == id) {
                    set_param(p, sp);
                    found = true;
                }
            }
        });
        if !found {
            return Err(OscalError::UnknownId {
                file: file.to_owned(),
                what: "parameter",
                id: id.to_owned(),
            });
        }
    }
    for alter in arr(modify, "alters") {
        let id = s(alter, "control-id");
        let mut found = false;
        let mut error = None;
        for_each_control(body, &mut |c| {
            if s(c, "id") != id {
                return;
            }
            found = true;
            for rm in arr(alter, "removes") {
                remove_items(c, rm);
            }
            for add in arr(alter, "adds") {
                if let Err(e) = add_items(c, add) {
                    error = Some(e);
                }
            }
        });
        if let Some(target) = error {
            return Err(OscalError::UnknownId {
                file: file.to_owned(),
                what: "alter target",
                id: target,
            });
        }
        if !found {
            return Err(OscalError::UnknownId {
                file: file.to_owned(),
                what: "altered control",
                id: id.to_owned(),
            });
        }
    }
    Ok(())
}

fn remove_items(v: &mut Value, rm: &Value) {
    let matches = |item: &Value, kind: &str| {
        let mut ok = true;
        let mut any = false;
        for (crit, field) in [
            ("by-name", "name"),
            ("by-class", "class"),
            ("by-id", "id"),
            ("by-ns", "ns"),
        ] {
            if let Some(want) = rm.get(crit).and_then(Value::as_str) {
                any = true;
                ok &= s(item, field) == want;
            }
        }
        if let Some(want) = rm.get("by-item-name").and_then(Value::as_str) {
            any = true;
            ok &= want == kind;
        }
        any && ok
    };
    if let Some(o) = v.as_object_mut() {
        for (key, kind) in [
            ("props", "prop"),
            ("links", "link"),
            ("parts", "part"),
            ("params", "param"),
        ] {
            if let Some(a) = o.get_mut(key).and_then(Value::as_array_mut) {
                a.retain(|item| !matches(item, kind));
                for item in a.iter_mut() {
                    remove_items(item, rm);
                }
            }
        }
    }
}

/// Applies one `adds` entry; returns the missing `by-id` target on failure.
fn add_items(control: &mut Value, add: &Value) -> Result<(), String> {
    let position = match s(add, "position") {
        "" => "ending",
        p => p,
    };
    let by_id = s(add, "by-id");
    let contents: Vec<(&str, &[Value])> = ["params", "props", "links", "parts"]
        .into_iter()
        .map(|k| (k, arr(add, k)))
        .collect();
    if by_id.is_empty() || by_id == s(control, "id") {
        let Some(o) = control.as_object_mut() else {
            return Ok(());
        };
        if let Some(t) = add.get("title") {
            o.insert("title".into(), t.clone());
        }
        for (k, items) in contents {
            append(o, k, items, position == "starting" || position == "before");
        }
        return Ok(());
    }
    fn find_part<'a>(v: &'a mut Value, id: &str) -> Option<&'a mut Value> {
        let parts = v.get_mut("parts")?.as_array_mut()?;
        for p in parts {
            if s(p, "id") == id {
                return Some(p);
            }
            if let Some(hit) = find_part(p, id) {
                return Some(hit);
            }
        }
        None
    }
    match position {
        "before" | "after" => {
            fn sibling(v: &mut Value, id: &str, new: &[Value], after: bool) -> bool {
                let Some(parts) = v.get_mut("parts").and_then(Value::as_array_mut) else {
                    return false;
                };
                if let Some(i) = parts.iter().position(|p| s(p, "id") == id) {
                    let at = if after { i + 1 } else { i };
                    for (n, p) in new.iter().enumerate() {
                        parts.insert(at + n, p.clone());
                    }
                    return true;
                }
                parts.iter_mut().any(|p| sibling(p, id, new, after))
            }
            if sibling(control, by_id, arr(add, "parts"), position == "after") {
                Ok(())
            } else {
                Err(by_id.to_owned())
            }
        }
        _ => {
            let part = find_part(control, by_id).ok_or_else(|| by_id.to_owned())?;
            let Some(o) = part.as_object_mut() else {
                return Ok(());
            };
            if let Some(t) = add.get("title") {
                o.insert("title".into(), t.clone());
            }
            for (k, items) in contents {
                append(o, k, items, position == "starting");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("ac-*", "ac-2.1"));
        assert!(glob("ac-?", "ac-2"));
        assert!(!glob("ac-?", "ac-20"));
        assert!(glob("*", ""));
        assert!(!glob("au-*", "ac-1"));
    }

    #[test]
    fn adds_at_positions() {
        let mut c =
            json!({"id": "x-1", "parts": [{"id": "x-1_smt", "parts": [{"id": "a"}, {"id": "b"}]}]});
        add_items(
            &mut c,
            &json!({"position": "after", "by-id": "a", "parts": [{"id": "n"}]}),
        )
        .unwrap();
        add_items(
            &mut c,
            &json!({"position": "starting", "by-id": "b", "props": [{"name": "p", "value": "1"}]}),
        )
        .unwrap();
        add_items(&mut c, &json!({"props": [{"name": "end", "value": "2"}]})).unwrap();
        let ids: Vec<&str> = c["parts"][0]["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| s(p, "id"))
            .collect();
        assert_eq!(ids, ["a", "n", "b"]);
        assert_eq!(c["parts"][0]["parts"][2]["props"][0]["name"], "p");
        assert_eq!(c["props"][0]["name"], "end");
        assert_eq!(
            add_items(&mut c, &json!({"by-id": "zz", "props": []})),
            Err("zz".into())
        );
    }

    #[test]
    fn set_parameters_replace_and_append() {
        let mut p = json!({"id": "p1", "label": "old", "constraints": [{"description": "a"}]});
        set_param(
            &mut p,
            &json!({"param-id": "p1", "label": "new", "constraints": [{"description": "b"}], "values": ["v"]}),
        );
        assert_eq!(
            p,
            json!({"id": "p1", "label": "new", "constraints": [{"description": "a"}, {"description": "b"}], "values": ["v"]})
        );
    }
}

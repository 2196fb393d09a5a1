//! Command implementations: resolve ids, call the core, hand results to a renderer.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use crosswalk_core::compare::compare;
use crosswalk_core::framework::Framework;
use crosswalk_library::Catalog;
use serde::Serialize;

use crate::crosswalk_cmd;
use crate::render;
use crate::{Cli, Command, Format, FrameworksCommand, ImportArgs, LibraryCommand, MappingsCommand};

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Library {
        command: LibraryCommand::Validate { dir },
    } = &cli.command
    {
        return validate(dir);
    }
    let dirs: Vec<&Path> = cli.library.iter().map(PathBuf::as_path).collect();
    if let Command::Oscal { command } = cli.command {
        // OSCAL commands load the library only where they need it.
        crate::oscal_cmd::run(&dirs, command)?;
        return Ok(ExitCode::SUCCESS);
    }
    let catalog = crosswalk_library::load(&dirs)?;
    let db = cli
        .db
        .clone()
        .unwrap_or_else(crate::program_cmd::default_db);
    match cli.command {
        Command::Compare {
            a,
            b,
            format,
            output,
        } => {
            let (fa, fb) = (resolve(&catalog, &a)?, resolve(&catalog, &b)?);
            let cmp = compare(&catalog.library, fa, fb)?;
            let page = match format {
                Format::Text => render::text::comparison(&cmp, render::text::Style::detect()),
                Format::Md => render::markdown::comparison(&cmp),
                Format::Html => render::html::page(&cmp.title, &render::markdown::comparison(&cmp)),
                Format::Json => json(&cmp)?,
            };
            match output {
                Some(path) => std::fs::write(&path, page)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => emit(&page)?,
            }
        }
        Command::Frameworks { command } => match command {
            FrameworksCommand::List { json: true } => emit(&json(&list_json(&catalog))?)?,
            FrameworksCommand::List { json: false } => {
                emit(&render::text::framework_list(&catalog.library))?;
            }
            FrameworksCommand::Show {
                id,
                json: as_json,
                depth,
            } => {
                let fw = resolve(&catalog, &id)?;
                if as_json {
                    emit(&json(&show_json(&catalog, fw))?)?;
                } else {
                    let profile = catalog.library.profile(&fw.meta.family);
                    emit(&render::text::framework(
                        fw,
                        profile,
                        depth,
                        render::text::Style::detect(),
                    ))?;
                }
            }
        },
        Command::Search {
            text,
            framework,
            limit,
            json: as_json,
        } => {
            let query = text.join(" ");
            let only = match &framework {
                Some(id) => {
                    let fw = resolve(&catalog, id)?;
                    catalog
                        .library
                        .frameworks()
                        .iter()
                        .position(|f| f.id() == fw.id())
                }
                None => None,
            };
            let hits = catalog.index.search(&query, only, limit);
            let rows: Vec<SearchRow<'_>> = hits
                .iter()
                .map(|h| {
                    let fw = &catalog.library.frameworks()[h.framework];
                    let r = &fw.requirements()[h.requirement];
                    SearchRow {
                        framework: fw.id().as_str(),
                        id: r.id.as_str(),
                        title: &r.title,
                        summary: &r.summary,
                        score: (f64::from(h.score) * 1000.0).round() / 1000.0,
                    }
                })
                .collect();
            if as_json {
                emit(&json(&rows)?)?;
            } else {
                emit(&render::text::search(&query, &rows))?;
            }
        }
        Command::Map {
            target,
            to,
            depth,
            json: as_json,
        } => {
            let rows = crosswalk_cmd::map(&catalog, &target, to.as_deref(), depth)?;
            if as_json {
                emit(&json(&rows)?)?;
            } else {
                emit(&crosswalk_cmd::map_text(&rows, &target))?;
            }
        }
        Command::Overlap {
            a,
            b,
            matrix,
            inferred,
            json: as_json,
            output,
        } => {
            if matrix {
                let m = crosswalk_cmd::matrix(&catalog, inferred);
                std::fs::write(&output, crosswalk_cmd::matrix_svg(&m))
                    .with_context(|| format!("cannot write {}", output.display()))?;
                if as_json {
                    emit(&json(&m)?)?;
                } else {
                    emit(&crosswalk_cmd::matrix_text(&m))?;
                    emit(&format!("heatmap written to {}\n", output.display()))?;
                }
            } else {
                let (a, b) = a
                    .zip(b)
                    .ok_or_else(|| anyhow!("overlap needs two frameworks, or --matrix"))?;
                let o = crosswalk_cmd::overlap(&catalog, &a, &b, inferred)?;
                if as_json {
                    emit(&json(&o)?)?;
                } else {
                    emit(&crosswalk_cmd::overlap_text(&o))?;
                }
            }
        }
        Command::Mappings {
            command: MappingsCommand::List { json: as_json },
        } => {
            let rows: Vec<SetRow<'_>> = catalog
                .library
                .mapping_sets()
                .iter()
                .map(|s| SetRow {
                    id: s.meta.id.as_str(),
                    from: s.meta.from.as_str(),
                    to: s.meta.to.as_str(),
                    provenance: s.meta.provenance,
                    publisher: &s.meta.publisher,
                    mappings: s.mappings().len(),
                    title: &s.meta.title,
                })
                .collect();
            if as_json {
                emit(&json(&rows)?)?;
            } else {
                let mut out = String::new();
                for r in &rows {
                    out.push_str(&format!(
                        "{:<40} {:>5} mappings  {:?}  {}\n",
                        r.id, r.mappings, r.provenance, r.title
                    ));
                }
                emit(&out)?;
            }
        }
        Command::Mappings {
            command: MappingsCommand::Import(args),
        } => {
            let set = crosswalk_cmd::import_sheet(&catalog, import_spec(*args.clone())?)?;
            crosswalk_cmd::write_set(&set, &args.output)?;
            emit(&format!(
                "wrote {} mappings to {}\n",
                set.mappings().len(),
                args.output.display()
            ))?;
        }
        Command::Oscal { .. } => {}
        Command::Demo => {
            let db = cli.db.clone().unwrap_or_else(|| {
                std::path::Path::new(&crate::program_cmd::default_db())
                    .with_file_name("demo.db")
                    .display()
                    .to_string()
            });
            if cli.db.is_none() {
                // The default demo database is rebuilt on every run.
                let _ = std::fs::remove_file(&db);
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{db}{suffix}"));
                }
            }
            crate::demo::run(&catalog, &db, crate::program_cmd::today())?;
        }
        Command::Init {
            organization,
            scope,
            systems,
            json,
        } => crate::program_cmd::init(&db, &organization, &scope, &systems, json)?,
        Command::Program { command } => crate::program_cmd::program(&catalog, &db, command)?,
        Command::Control { command } => crate::program_cmd::control(&catalog, &db, command)?,
        Command::Evidence { command } => crate::program_cmd::evidence(&db, command)?,
        Command::Assess { command } => crate::program_cmd::assess(&catalog, &db, command)?,
        Command::Policy { command } => crate::program_cmd::policy(&db, command)?,
        Command::Gaps { limit, json } => crate::program_cmd::gaps(&catalog, &db, limit, json)?,
        Command::Export { what, json } => crate::export_cmd::run(&catalog, &db, what, json)?,
        Command::Plan { output, json } => {
            crate::program_cmd::plan(&catalog, &db, output.as_deref(), json)?
        }
        Command::Library {
            command: LibraryCommand::Validate { dir },
        } => return validate(&dir),
    }
    Ok(ExitCode::SUCCESS)
}

fn validate(dir: &Path) -> Result<ExitCode> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let diags = crosswalk_library::validate_dir(dir)?;
    if diags.is_empty() {
        let catalog = crosswalk_library::load(&[dir])?;
        let builtin = crosswalk_library::builtin()?;
        let added = catalog.library.frameworks().len() - builtin.library.frameworks().len();
        let profiles =
            catalog.library.parts().profiles.len() - builtin.library.parts().profiles.len();
        emit(&format!(
            "ok: {} is valid ({added} framework(s), {profiles} profile(s) added to the built-in library)\n",
            dir.display()
        ))?;
        Ok(ExitCode::SUCCESS)
    } else {
        let mut err = std::io::stderr().lock();
        for d in &diags {
            writeln!(err, "error: {d}")?;
        }
        writeln!(err, "{} problem(s) found in {}", diags.len(), dir.display())?;
        Ok(ExitCode::FAILURE)
    }
}

pub(crate) fn resolve<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Framework> {
    catalog.library.resolve(id).ok_or_else(|| {
        let known: Vec<&str> = catalog.library.frameworks().iter().map(|f| f.meta.family.as_str()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        anyhow!(
            "unknown framework `{id}`; known short ids: {} (see `crosswalk frameworks list` for editions)",
            known.join(", ")
        )
    })
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
/// Domain check failures (a `Vec` of displayable issues) as one error.
pub(crate) fn issues_error<T: std::fmt::Display>(issues: &[T]) -> anyhow::Error {
    anyhow!(
        "{}",
        issues
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    )
}

pub(crate) fn emit(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[derive(Serialize)]
pub struct SearchRow<'a> {
    pub framework: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub score: f64,
}

#[derive(Serialize)]
struct ListRow<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    publisher: &'a str,
    requirement_count: usize,
    family: &'a str,
    current: bool,
    assessable_count: usize,
}

fn list_json(catalog: &Catalog) -> Vec<ListRow<'_>> {
    catalog
        .library
        .frameworks()
        .iter()
        .map(|f| ListRow {
            id: f.id().as_str(),
            name: &f.meta.name,
            version: &f.meta.version,
            publisher: &f.meta.publisher,
            requirement_count: f.requirements().len(),
            family: f.meta.family.as_str(),
            current: f.meta.current,
            assessable_count: f.assessable_count(),
        })
        .collect()
}

#[derive(Serialize)]
struct ShowRequirement<'a> {
    id: &'a str,
    parent: Option<&'a str>,
    title: &'a str,
    summary: &'a str,
    kind: &'a str,
    assessable: bool,
    attributes: &'a std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct Show<'a> {
    id: &'a str,
    name: &'a str,
    version: &'a str,
    publisher: &'a str,
    family: &'a str,
    current: bool,
    published: Option<&'a str>,
    source: Option<&'a str>,
    notes: &'a [String],
    profile: Option<&'a crosswalk_core::profile::Profile>,
    requirements: Vec<ShowRequirement<'a>>,
}

fn show_json<'a>(catalog: &'a Catalog, f: &'a Framework) -> Show<'a> {
    Show {
        id: f.id().as_str(),
        name: &f.meta.name,
        version: &f.meta.version,
        publisher: &f.meta.publisher,
        family: f.meta.family.as_str(),
        current: f.meta.current,
        published: f.meta.published.as_deref(),
        source: f.meta.source.as_deref(),
        notes: &f.meta.notes,
        profile: catalog.library.profile(&f.meta.family),
        requirements: f
            .requirements()
            .iter()
            .map(|r| ShowRequirement {
                id: r.id.as_str(),
                parent: r.parent.as_ref().map(|p| p.as_str()),
                title: &r.title,
                summary: &r.summary,
                kind: r.kind.as_str(),
                assessable: r.assessable,
                attributes: &r.attributes,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct SetRow<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    provenance: crosswalk_core::mapping::ProvenanceKind,
    publisher: &'a str,
    mappings: usize,
    title: &'a str,
}

fn import_spec(a: ImportArgs) -> Result<crosswalk_cmd::ImportSpec> {
    use crosswalk_core::ids::FrameworkId;
    use crosswalk_core::mapping::{MappingSetMeta, ProvenanceKind};
    let provenance = match a.provenance.as_str() {
        "official" => ProvenanceKind::Official,
        "curated" => ProvenanceKind::Curated,
        other => bail!("--provenance `{other}`: use official or curated"),
    };
    let relationship =
        crosswalk_sheets::parse_relationship(&a.default_relationship).ok_or_else(|| {
            anyhow!(
                "--default-relationship `{}` is not a relationship",
                a.default_relationship
            )
        })?;
    let regex = |p: &Option<String>, flag: &str| -> Result<Option<regex::Regex>> {
        p.as_deref()
            .map(|p| regex::Regex::new(p).map_err(|e| anyhow!("{flag}: {e}")))
            .transpose()
    };
    let mut sheet = crosswalk_sheets::SheetOptions::new(
        crosswalk_cmd::column(&a.from_column)?,
        crosswalk_cmd::column(&a.to_column)?,
    );
    sheet.sheet = a.sheet.clone();
    sheet.header_row = a.header_row;
    sheet.relationship = a
        .relationship_column
        .as_deref()
        .map(crosswalk_cmd::column)
        .transpose()?;
    sheet.strength = a
        .strength_column
        .as_deref()
        .map(crosswalk_cmd::column)
        .transpose()?;
    sheet.note = a
        .note_column
        .as_deref()
        .map(crosswalk_cmd::column)
        .transpose()?;
    sheet.default_relationship = relationship;
    sheet.fill_down = a.fill_down;
    sheet.skip_empty_source = a.skip_empty_source;
    sheet.split = a.split.as_ref().map(|s| s.replace("\\n", "\n"));
    sheet.from_pattern = regex(&a.from_pattern, "--from-pattern")?;
    sheet.to_pattern = regex(&a.to_pattern, "--to-pattern")?;
    let id =
        a.id.clone()
            .unwrap_or_else(|| format!("{}--{}", a.from, a.to));
    let id = FrameworkId::parse(&id).map_err(|e| anyhow!("--id: {e}"))?;
    let placeholder = FrameworkId::parse("x").map_err(|e| anyhow!("{e}"))?;
    Ok(crosswalk_cmd::ImportSpec {
        file: a.file.clone(),
        from: a.from.clone(),
        to: a.to.clone(),
        meta: MappingSetMeta {
            id,
            from: placeholder.clone(),
            to: placeholder,
            title: a
                .title
                .clone()
                .unwrap_or_else(|| format!("{} to {}", a.from, a.to)),
            provenance,
            publisher: a.publisher.clone(),
            source: a
                .source
                .clone()
                .unwrap_or_else(|| a.file.display().to_string()),
            date: a.date.clone(),
            licence: a.licence.clone(),
            method: a.method.clone(),
            review: a.review.clone(),
            notes: Vec::new(),
        },
        sheet,
        skip_unknown: a.skip_unknown,
    })
}

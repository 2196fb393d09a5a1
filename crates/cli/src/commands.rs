//! Command dispatch: turn parsed arguments into `crosswalk-app` calls, and results into
//! terminal text, JSON or files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use crosswalk_app::standards::{self, MappingImport};
use serde::Serialize;

use crate::text;
use crate::{
    Cli, Command, Format, FrameworksCommand, ImportArgs, LibraryCommand, MappingsCommand,
    ProgramCommand,
};

/// Runs a command with the clock reading taken once by `main`.
pub fn run(cli: Cli, read_clock: crosswalk_server::Now) -> Result<ExitCode> {
    let clock = read_clock();
    let dirs: Vec<&Path> = cli.library.iter().map(PathBuf::as_path).collect();
    match cli.command {
        Command::Library {
            command: LibraryCommand::Validate { dir },
        } => return validate(&dir),
        Command::Library {
            command:
                LibraryCommand::Import {
                    files,
                    output,
                    include_text,
                    json: as_json,
                    ..
                },
        } => {
            import_library(&dirs, &files, &output, include_text, as_json)?;
            return Ok(ExitCode::SUCCESS);
        }
        // OSCAL commands load the library only where they need it.
        Command::Oscal { command } => {
            crate::program::oscal(&dirs, command, clock)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let catalog = crosswalk_library::load(&dirs)?;
    let db = cli.db.clone().unwrap_or_else(crate::program::default_db);
    match cli.command {
        Command::Compare {
            a,
            b,
            format,
            output,
        } => {
            let cmp = standards::compare(&catalog, &a, &b)?;
            let page = match format {
                Format::Text => text::comparison(&cmp, text::Style::detect()),
                Format::Md => crosswalk_report::markdown::comparison(&cmp),
                Format::Html => crosswalk_report::comparison_html(&cmp),
                Format::Json => json(&cmp)?,
            };
            match output {
                Some(path) => write_file(&path, page.as_bytes())?,
                None => emit(&page)?,
            }
        }
        Command::Frameworks { command } => match command {
            FrameworksCommand::List { json: true } => emit_json(&standards::frameworks(&catalog))?,
            FrameworksCommand::List { json: false } => {
                emit(&text::framework_list(&catalog.library))?
            }
            FrameworksCommand::Show {
                id,
                json: as_json,
                depth,
            } => {
                let fw = standards::resolve(&catalog, &id)?;
                if as_json {
                    emit_json(&standards::show(&catalog, fw))?;
                } else {
                    let profile = catalog.library.profile(&fw.meta.family);
                    emit(&text::framework(fw, profile, depth, text::Style::detect()))?;
                }
            }
        },
        Command::Search {
            text: words,
            framework,
            limit,
            json: as_json,
        } => {
            let query = words.join(" ");
            let rows = standards::search(&catalog, &query, framework.as_deref(), limit)?;
            if as_json {
                emit_json(&rows)?;
            } else {
                emit(&text::search(&query, &rows))?;
            }
        }
        Command::Map {
            target,
            to,
            depth,
            json: as_json,
        } => {
            let rows = standards::map(&catalog, &target, to.as_deref(), depth)?;
            if as_json {
                emit_json(&rows)?;
            } else {
                emit(&text::map(&rows, &target))?;
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
                let m = standards::matrix(&catalog, inferred);
                write_file(&output, standards::matrix_svg(&m).as_bytes())?;
                if as_json {
                    emit_json(&m)?;
                } else {
                    emit(&text::matrix(&m))?;
                    emit(&format!("heatmap written to {}\n", output.display()))?;
                }
            } else {
                let (a, b) = a
                    .zip(b)
                    .ok_or_else(|| anyhow!("overlap needs two frameworks, or --matrix"))?;
                let o = standards::overlap(&catalog, &a, &b, inferred)?;
                if as_json {
                    emit_json(&o)?;
                } else {
                    emit(&text::overlap(&o))?;
                }
            }
        }
        Command::Mappings {
            command: MappingsCommand::List { json: as_json },
        } => {
            let rows = standards::mapping_sets(&catalog);
            if as_json {
                emit_json(&rows)?;
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
            let (output, file) = (args.output.clone(), args.file.clone());
            let imported = match crate::program::spinning(&file, || {
                standards::import_mappings(&catalog, mapping_import(*args))
            })? {
                standards::Imported::Sheet(imported) => imported,
                standards::Imported::Prowler(p) => return write_prowler(&p, &output),
            };
            write_file(&output, standards::set_toml(&imported.set)?.as_bytes())?;
            emit(&format!(
                "read {} rows of {}: {}\nwrote {} mappings to {}\n",
                imported.rows,
                file.display(),
                imported.read.join("; "),
                imported.set.mappings().len(),
                output.display()
            ))?;
        }
        Command::Checks { command }
            if !matches!(command, crate::ChecksCommand::List { .. })
                || (cli.db.is_none() && !Path::new(&db).exists()) =>
        {
            crate::monitor::checks(None, command, clock.now)?;
        }
        command @ (Command::Serve { .. }
        | Command::Token { .. }
        | Command::Member { .. }
        | Command::Account { .. }
        | Command::Program {
            command: ProgramCommand::List { .. } | ProgramCommand::Create { .. },
        }) => {
            let given = cli.db.is_some();
            crate::serve::run(
                catalog,
                &db,
                given,
                cli.program.as_deref(),
                command,
                read_clock,
            )?;
        }
        command => crate::program::run(
            &catalog,
            &db,
            cli.db.is_some(),
            cli.program.as_deref(),
            command,
            clock,
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `library import ciso-assistant`: reads the files, converts them with what the library
/// (and DIR, from earlier imports) already holds, and writes only when all converted.
fn import_library(
    dirs: &[&Path],
    files: &[PathBuf],
    out: &Path,
    include_text: bool,
    as_json: bool,
) -> Result<()> {
    let mut texts = Vec::new();
    for f in files {
        let bytes = read_input(f, "library file", 256 << 20)?;
        let text =
            String::from_utf8(bytes).map_err(|_| anyhow!("{}: not UTF-8 text", f.display()))?;
        texts.push((f.display().to_string(), text));
    }
    let mut all: Vec<&Path> = dirs.to_vec();
    let earlier = out.is_dir()
        && std::fs::read_dir(out)?
            .any(|e| e.is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml")));
    if earlier {
        all.push(out);
    }
    let catalog = crosswalk_library::load(&all)?;
    let known: Vec<&crosswalk_core::framework::Framework> =
        catalog.library.frameworks().iter().collect();
    let done = crosswalk_app::import::import_ciso(
        &texts,
        out,
        &known,
        &|id| catalog.library.resolve(id).is_some(),
        include_text,
    )?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for f in &done.files {
        write_file(&f.path, f.text.as_bytes())?;
    }
    if as_json {
        return emit_json(&done);
    }
    let mut said = String::new();
    for f in &done.frameworks {
        said.push_str(&format!(
            "imported framework {}: {} requirements, {} assessable ({} ids from node urns){}\n",
            f.id,
            f.requirements,
            f.assessable,
            f.ids_from_urn,
            f.renamed_from
                .as_deref()
                .map(|r| format!("; named {} because the library already has `{r}`", f.id))
                .unwrap_or_default()
        ));
    }
    for m in &done.mapping_sets {
        said.push_str(&format!(
            "imported mapping set {}: {} → {}, {} mappings (provenance: tool){}\n",
            m.id,
            m.from,
            m.to,
            m.mappings,
            if m.repeated > 0 {
                format!(
                    "; {} pairs stated twice with the same relationship kept once",
                    m.repeated
                )
            } else {
                String::new()
            }
        ));
    }
    said.push_str(&format!("use them with --library {}\n", out.display()));
    emit(&said)
}

fn validate(dir: &Path) -> Result<ExitCode> {
    let v = standards::validate(dir)?;
    if v.problems.is_empty() {
        emit(&format!(
            "ok: {} is valid ({} framework(s), {} profile(s) added to the built-in library)\n",
            dir.display(),
            v.frameworks_added,
            v.profiles_added
        ))?;
        Ok(ExitCode::SUCCESS)
    } else {
        let mut err = std::io::stderr().lock();
        for d in &v.problems {
            writeln!(err, "error: {}", terminal_safe(d))?;
        }
        writeln!(
            err,
            "{} problem(s) found in {}",
            v.problems.len(),
            dir.display()
        )?;
        Ok(ExitCode::FAILURE)
    }
}

/// Writes a converted Prowler catalogue's two files into `dir` and says what they hold.
fn write_prowler(p: &crosswalk_app::prowler::ProwlerImported, dir: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut said = format!(
        "read Prowler's {} catalogue: {} requirements, {} listing {} checks\n",
        p.catalogue, p.requirements, p.with_checks, p.checks
    );
    if !p.skipped.is_empty() {
        said.push_str(&format!(
            "left out {} requirement(s) whose ids are not in {} (--skip-unknown): {}\n",
            p.skipped.len(),
            p.framework,
            p.skipped.join(", ")
        ));
    }
    for f in &p.files {
        write_file(&f.path, f.text.as_bytes())?;
        let what = if f.kind == "framework" {
            "checks"
        } else {
            "mappings"
        };
        said.push_str(&format!(
            "wrote {} {what} to {}\n",
            f.count,
            f.path.display()
        ));
    }
    emit(&said)?;
    Ok(ExitCode::SUCCESS)
}

fn mapping_import(a: ImportArgs) -> MappingImport {
    MappingImport {
        file: a.file,
        from: a.from,
        to: a.to,
        output: a.output,
        id: a.id,
        title: a.title,
        provenance: a.provenance,
        publisher: a.publisher,
        source: a.source,
        date: a.date,
        licence: a.licence,
        method: a.method,
        review: a.review,
        sheet: a.sheet,
        header_row: a.header_row,
        from_column: a.from_column,
        to_column: a.to_column,
        relationship_column: a.relationship_column,
        strength_column: a.strength_column,
        note_column: a.note_column,
        default_relationship: a.default_relationship,
        fill_down: a.fill_down,
        skip_empty_source: a.skip_empty_source,
        split: a.split,
        from_pattern: a.from_pattern,
        to_pattern: a.to_pattern,
        skip_unknown: a.skip_unknown,
        preset: a.preset,
    }
}

/// Writes a value as pretty JSON with a final newline to standard output, streamed (JSON
/// text never holds a raw control character, so nothing needs escaping); a closed pipe is
/// not an error.
pub fn emit_json<T: Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// Writes a file the user named.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Reads an input file the user named (`what` says which, for messages and the limit):
/// a regular file of at most `limit` bytes, refused without blocking when it is a pipe or
/// a device.
pub fn read_input(path: &Path, what: &'static str, limit: u64) -> Result<Vec<u8>> {
    use crosswalk_format::input::{InputError, Limit, read_bytes};
    read_bytes(path, Limit::new(limit, what)).map_err(|e| match e {
        InputError::Io { .. } => anyhow!("cannot read {what} {}", e),
        other => anyhow!("{what}: {other}"),
    })
}

/// Text safe to print on a terminal: control characters other than newline and tab are
/// shown escaped. With `colour`, SGR sequences (`ESC [ digits ; … m`, which only set
/// colours) pass, since the comparison pages colour their headings; nothing else does.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(s, false)
}

fn escape_controls(s: &str, colour: bool) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if colour && c == '\u{1b}' {
            let rest = &s[i + 1..];
            if let Some(body) = rest.strip_prefix('[') {
                let n = body
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ';')
                    .count();
                if body[n..].starts_with('m') {
                    out.push_str(&s[i..i + 2 + n + 1]);
                    for _ in 0..n + 2 {
                        chars.next();
                    }
                    continue;
                }
            }
        }
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes to standard output with control characters escaped; a closed pipe (`| head`)
/// is not an error.
pub fn emit(s: &str) -> Result<()> {
    let colour = text::Style::detect().color;
    let mut out = std::io::stdout().lock();
    match out
        .write_all(escape_controls(s, colour).as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

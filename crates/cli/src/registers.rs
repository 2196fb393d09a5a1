//! Registers and reviews: link review, the risk register and the management-system
//! records. Flags become `crosswalk-app` requests; results are shown as terminal text or
//! JSON.

use anyhow::{Result, anyhow, bail};
use crosswalk_app::links::LinkFilter;
use crosswalk_app::ms::{AuditInput, FindingInput, ImpactInput};
use crosswalk_app::program::{Session, date};
use crosswalk_app::risk::RiskInput;
use crosswalk_core::program::LinkState;

use crate::commands::{emit, emit_json, read_input};
use crate::program::spinning;
use crate::text;
use crate::{
    CollectCommand, FindingArgs, LinkFilterArgs, LinksCommand, MatrixCommand, MsCommand, RiskArgs,
    RiskCommand,
};

pub fn collect(s: &mut Session<'_>, command: CollectCommand) -> Result<()> {
    let (file, format, columns, json) = match command {
        CollectCommand::Import {
            file,
            format,
            columns,
            json,
        } => (file, format, columns, json),
        CollectCommand::Snapshot {
            file,
            dataset,
            source,
            collected_at,
            json,
        } => {
            let at = collected_at
                .map(|t| {
                    t.parse::<jiff::Timestamp>().map_err(|e| {
                        anyhow!("--collected-at `{t}`: {e} (write 2026-12-01T08:00:00Z)")
                    })
                })
                .transpose()?;
            let bytes = read_input(&file, "snapshot", crosswalk_app::monitor::SNAPSHOT_LIMIT)?;
            let name = file.display().to_string();
            let done = s.collect_snapshot(&name, &bytes, &dataset, source.as_deref(), at)?;
            if json {
                return emit_json(&done);
            }
            return emit(&format!(
                "{} snapshot of {} ({} items, collected {}), sha256:{}\n",
                if done.added {
                    "added the"
                } else {
                    "already had this, nothing changed:"
                },
                done.dataset,
                done.items,
                done.collected_at,
                done.sha256
            ));
        }
        CollectCommand::Map { check, controls } => {
            s.collect_map(&check, &controls)?;
            return emit(&format!(
                "mapped check {check} to {}\n",
                controls.join(", ")
            ));
        }
        CollectCommand::Except {
            check,
            resource,
            justification,
            approved_by,
            until,
        } => {
            let until = date(Some(&until), "--until")?.ok_or_else(|| anyhow!("--until"))?;
            s.collect_except(
                &check,
                resource.as_deref(),
                &justification,
                &approved_by,
                until,
            )?;
            return emit(&format!(
                "recorded the exception to {check} on {} until {until}\n",
                resource.as_deref().unwrap_or("every resource")
            ));
        }
        CollectCommand::Unmap { check, control } => {
            s.collect_unmap(&check, &control)?;
            return emit(&format!("unmapped check {check} from {control}\n"));
        }
        CollectCommand::Status { json } => {
            let rows = s.collect_status()?;
            if json {
                return emit_json(&rows);
            }
            let mut out = String::new();
            for r in &rows {
                out.push_str(&format!(
                    "{:<8} {} on {} ({}){}; controls {}\n",
                    r.status.as_str().to_uppercase(),
                    r.check,
                    r.resource,
                    r.at,
                    match (r.drift, r.previous) {
                        (true, Some(p)) => format!(" — DRIFT: was {}", p.as_str()),
                        _ => String::new(),
                    } + &r
                        .exception
                        .as_ref()
                        .map(|e| format!(" — EXCEPTION until {} ({})", e.until, e.approved_by))
                        .unwrap_or_default(),
                    r.controls.join(", ")
                ));
            }
            if rows.is_empty() {
                out.push_str(
                    "no mapped checks: map one with `crosswalk collect map CHECK --control ID`\n",
                );
            }
            return emit(&out);
        }
    };
    let format = crosswalk_app::collect::format(&format)?;
    let map: Vec<(String, String)> = columns
        .iter()
        .map(|c| {
            c.split_once('=')
                .map(|(f, h)| (f.trim().to_owned(), h.trim().to_owned()))
                .ok_or_else(|| anyhow!("--column `{c}`: write FIELD=HEADER (status=Outcome)"))
        })
        .collect::<Result<_>>()?;
    if !map.is_empty() && !matches!(format, None | Some(crosswalk_app::collect::Format::Csv)) {
        bail!("--column maps a CSV's columns: use it with --format csv (or auto)");
    }
    let bytes = read_input(&file, "results file", 512 << 20)?;
    let name = file.display().to_string();
    let done = if map.is_empty() {
        spinning(&file, || s.collect_import(&name, &bytes, format))?
    } else {
        spinning(&file, || s.collect_import_csv(&name, &bytes, &map))?
    };
    if json {
        return emit_json(&done);
    }
    let b = &done.by_status;
    if let Some(e) = &done.evidence {
        emit(&format!(
            "recorded the run as evidence {e} for {}\n",
            done.controls.join(", ")
        ))?;
    }
    emit(&format!(
        "{} {} results from {} {}{}: {} pass, {} fail, {} error, {} manual, {} muted, {} not applicable; {} checks on {} resources\n",
        if done.imported {
            "imported"
        } else {
            "already imported, nothing changed:"
        },
        done.results,
        done.tool,
        done.format,
        done.tool_version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        b.pass,
        b.fail,
        b.error,
        b.manual,
        b.muted,
        b.not_applicable,
        done.checks,
        done.resources
    ))
}

pub fn links(s: &mut Session<'_>, command: LinksCommand) -> Result<()> {
    let filter = |f: LinkFilterArgs| LinkFilter {
        framework: f.framework,
        state: f.state,
        origin: f.origin,
        control: f.control,
    };
    let (f, ids, as_json, state) = match command {
        LinksCommand::List { filter: f, json } => {
            let rows = s.links(&filter(f))?;
            return if json {
                emit_json(&rows)
            } else {
                emit(&text::links(&rows))
            };
        }
        LinksCommand::Accept { filter, ids, json } => (filter, ids, json, LinkState::Accepted),
        LinksCommand::Reject { filter, ids, json } => (filter, ids, json, LinkState::Rejected),
    };
    let done = s.review_links(&filter(f), &ids, state)?;
    if as_json {
        return emit_json(&done);
    }
    let mut out = format!("{} link(s) {}", done.changed.len(), state.as_str());
    if !done.changed.is_empty() && done.changed.len() <= 20 {
        out.push_str(&format!(": {}", done.changed.join(", ")));
    }
    if done.left_proposed > 0 {
        out.push_str(&format!(
            "\n{} proposal(s) left for review one by one (inferred or tool-stated): `crosswalk links list --state proposed`",
            done.left_proposed
        ));
    }
    emit(&format!("{out}\n"))
}

pub fn risk(s: &mut Session<'_>, command: RiskCommand) -> Result<()> {
    let (view, as_json) = match command {
        RiskCommand::List { json } => {
            let rows = s.risks()?;
            return if json {
                emit_json(&rows)
            } else {
                emit(&text::risks(&rows))
            };
        }
        RiskCommand::Show { id, json } => {
            let d = s.risk(&id)?;
            if json {
                return emit_json(&d);
            }
            return emit(&format!(
                "{}{} version(s) recorded\n",
                text::risks(std::slice::from_ref(&d.risk)),
                d.history.len()
            ));
        }
        RiskCommand::Import { file, sheet, json } => {
            let done = spinning(&file, || s.import_risks(&file, sheet.as_deref()))?;
            if json {
                return emit_json(&done);
            }
            let read: Vec<String> = done
                .columns
                .iter()
                .map(|(h, f)| format!("`{h}` → {f}"))
                .collect();
            let mut out = format!(
                "imported {} risks from {}\ncolumns read: {}\n",
                done.ids.len(),
                file.display(),
                read.join(", ")
            );
            if !done.ignored.is_empty() {
                out.push_str(&format!(
                    "columns not read (no such field): {}\n",
                    done.ignored.join(", ")
                ));
            }
            return emit(&out);
        }
        RiskCommand::Add(a) => {
            let json = a.json;
            (s.add_risk(risk_input(*a)?)?, json)
        }
        RiskCommand::Update { risk, args } => {
            if args.id.is_some() {
                bail!("a risk keeps its id; --id goes with `risk add`");
            }
            let json = args.json;
            (s.update_risk(&risk, risk_input(*args)?)?, json)
        }
        RiskCommand::Matrix {
            command: MatrixCommand::Show { json },
        } => {
            let m = s.risk_matrix()?;
            return if json {
                emit_json(&m)
            } else {
                emit(&text::matrix_grid(&m))
            };
        }
        RiskCommand::Matrix {
            command:
                MatrixCommand::Import {
                    file,
                    acceptable,
                    json,
                    ..
                },
        } => {
            let text = String::from_utf8(read_input(&file, "risk matrix", 16 << 20)?)
                .map_err(|_| anyhow!("{}: not UTF-8 text", file.display()))?;
            let m =
                s.import_risk_matrix(&file.display().to_string(), &text, acceptable.as_deref())?;
            return if json {
                emit_json(&m)
            } else {
                emit(&format!(
                    "imported risk matrix {} ({})\n{}",
                    m.id,
                    m.name,
                    text::matrix_grid(&m)
                ))
            };
        }
    };
    if as_json {
        emit_json(&view)
    } else {
        emit(&text::risks(std::slice::from_ref(&view)))
    }
}

pub fn ms(s: &mut Session<'_>, command: MsCommand) -> Result<()> {
    let finding = |f: FindingArgs, raise: bool, source: String| -> Result<FindingInput> {
        Ok(FindingInput {
            grade: f.grade,
            description: f.description,
            requirements: f.requirements,
            controls: f.controls,
            raise,
            root_cause: f.root_cause,
            owner: f.owner,
            due: date(f.due.as_deref(), "--due")?,
            source,
        })
    };
    let said = match command {
        MsCommand::List { json } => {
            let r = s.records()?;
            return if json {
                emit_json(&r)
            } else {
                emit(&text::records(&r))
            };
        }
        MsCommand::Audit {
            title,
            scope,
            criteria,
            auditor,
            planned,
            performed,
        } => format!(
            "recorded internal audit {}",
            s.add_audit(AuditInput {
                title,
                scope,
                criteria,
                auditor,
                planned: date(planned.as_deref(), "--planned")?,
                performed: date(performed.as_deref(), "--performed")?,
            })?
        ),
        MsCommand::Finding {
            audit,
            finding: f,
            no_nonconformity,
        } => match s.add_finding(&audit, finding(f, !no_nonconformity, String::new())?)? {
            Some(nc) => format!("recorded the finding on {audit} and raised {nc}"),
            None => format!("recorded the finding on {audit}"),
        },
        MsCommand::Nc { finding: f, source } => {
            format!("raised {}", s.add_nonconformity(finding(f, true, source)?)?)
        }
        MsCommand::Correct {
            nc,
            root_cause,
            action,
        } => {
            let action = match action {
                Some(a) => {
                    let mut p = a.splitn(3, '|');
                    let title = p.next().unwrap_or_default().trim().to_owned();
                    let owner = p.next().unwrap_or_default().trim().to_owned();
                    let due = date(
                        p.next().map(str::trim).filter(|d| !d.is_empty()),
                        "--action due date",
                    )?;
                    Some((title, owner, due))
                }
                None => None,
            };
            s.nonconformity_action(&nc, action, root_cause)?;
            format!("updated {nc}")
        }
        MsCommand::Check {
            nc,
            by,
            effective,
            note,
            ..
        } => {
            s.check_nonconformity(&nc, &by, effective, &note)?;
            if effective {
                format!("{nc} closed: its correction was found effective")
            } else {
                format!("{nc} stays open: its correction was found not effective")
            }
        }
        MsCommand::Impact {
            kind,
            subject,
            owner,
            performed,
            answers,
            findings,
            conclusion,
            approved_by,
            review,
        } => format!(
            "recorded impact assessment {}",
            s.add_impact(ImpactInput {
                kind,
                subject,
                owner,
                performed: date(performed.as_deref(), "--performed")?,
                answers,
                findings,
                conclusion,
                approved_by,
                review: date(review.as_deref(), "--review")?,
            })?
        ),
        MsCommand::Template { kind, json } => {
            let k = crosswalk_core::ms::ImpactKind::parse(kind.trim())
                .ok_or_else(|| anyhow!("`{kind}`: use ai-system or dpia"))?;
            if json {
                return emit_json(&k.questions());
            }
            k.questions()
                .iter()
                .map(|(key, q)| format!("{key:<20} {q}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        MsCommand::Processing {
            name,
            purposes,
            controller,
            data_subjects,
            personal_data,
            recipients,
            transfers,
            retention,
            security,
            lawful_basis,
        } => format!(
            "recorded processing activity {}",
            s.add_processing(crosswalk_core::ms::Processing {
                id: String::new(),
                name,
                controller,
                purposes,
                data_subjects,
                personal_data,
                recipients,
                transfers,
                retention,
                security,
                lawful_basis,
            })?
        ),
        MsCommand::Review {
            held_on,
            attendees,
            inputs,
            decisions,
        } => {
            let on = date(Some(&held_on), "--held-on")?.ok_or_else(|| anyhow!("--held-on"))?;
            format!(
                "recorded management review {}",
                s.add_review(on, attendees, &inputs, decisions)?
            )
        }
    };
    emit(&format!("{said}\n"))
}

/// Flags into a risk request: `L,I` ratings, `TITLE|OWNER|DATE` actions, dates.
fn risk_input(a: RiskArgs) -> Result<RiskInput> {
    let pair = |v: Option<String>, flag: &str| -> Result<Option<(String, String)>> {
        v.map(|v| {
            v.split_once(',')
                .map(|(l, i)| (l.trim().to_owned(), i.trim().to_owned()))
                .ok_or_else(|| anyhow!("{flag} `{v}`: expected LIKELIHOOD,IMPACT, e.g. 2,3"))
        })
        .transpose()
    };
    let mut actions = Vec::new();
    for x in &a.actions {
        let mut parts = x.splitn(3, '|');
        let title = parts.next().unwrap_or_default().trim().to_owned();
        let owner = parts.next().unwrap_or_default().trim().to_owned();
        let due = date(
            parts.next().map(str::trim).filter(|d| !d.is_empty()),
            "--action due date",
        )?;
        actions.push((title, owner, due));
    }
    Ok(RiskInput {
        id: a.id,
        title: a.title,
        scope: a.scope,
        threat: a.threat,
        vulnerability: a.vulnerability,
        owner: a.owner,
        category: a.category,
        likelihood: a.likelihood,
        impact: a.impact,
        current: pair(a.current, "--current")?,
        target: pair(a.target, "--target")?,
        treatment: a.treatment,
        controls: (!a.controls.is_empty()).then_some(a.controls),
        accepted_by: a.accepted_by,
        accepted_until: date(a.accepted_until.as_deref(), "--accepted-until")?,
        review: date(a.review.as_deref(), "--review")?,
        actions,
    })
}

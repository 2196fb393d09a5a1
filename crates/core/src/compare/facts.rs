//! "Which to choose" and "how to do both" lines computed from a pair's own mappings: how
//! much of each side the other already meets, where the shared ground lies, which optional
//! parts of a standard (SOC 2 categories) the other one calls for, and what is left over.

use std::collections::BTreeMap;

use super::{ChooseWhen, DomainRow, Finds, Linkage, Overlap, best, join_and, via_names};
use crate::crosswalk::OverlapCount;
use crate::framework::Framework;
use crate::library::Library;
use crate::mapping::Coverage;
use crate::profile::Profile;

/// Appends the computed lines to `choose` and `steps`.
pub(super) fn add(
    lib: &Library,
    (fa, fb): (&Framework, &Framework),
    (pa, pb): (&Profile, &Profile),
    link: &Linkage,
    choose: &mut ChooseWhen,
    steps: &mut Vec<String>,
) {
    let Some(o) = &link.overlap else {
        return;
    };
    let how = basis(lib, o);
    choose.a.push(already(&pa.name, &pb.name, &o.a_in_b, &how));
    choose.b.push(already(&pb.name, &pa.name, &o.b_in_a, &how));
    if let Some(s) = shared_ground(&pa.name, &pb.name, &link.domains.0) {
        steps.push(s);
    }
    for (f, p, other, finds) in [(fa, pa, pb, &link.ab), (fb, pb, pa, &link.ba)] {
        if let Some(s) = optional_category(f, &p.name, &other.name, finds) {
            steps.push(s);
        }
    }
    for (p, other, rows, n) in [
        (pb, pa, &link.domains.1, &o.b_in_a),
        (pa, pb, &link.domains.0, &o.a_in_b),
    ] {
        if let Some(s) = left_over(&p.name, &other.name, rows, n) {
            steps.push(s);
        }
    }
}

fn basis(lib: &Library, o: &Overlap) -> String {
    if !o.inferred {
        return String::new();
    }
    format!(
        " (inferred through {}, so an estimate)",
        via_names(lib, &o.via)
    )
}

fn pct(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}

fn already(x: &str, y: &str, n: &OverlapCount, how: &str) -> String {
    if n.full + n.partial == 0 {
        return format!(
            "You already meet {y}: it covers none of {x}'s {} assessable requirements{how}, so {x} is \
             a separate project.",
            n.total
        );
    }
    format!(
        "You already meet {y}: {:.0}% of {x}'s {} assessable requirements are fully met by it and \
         {:.0}% partly{how}; the other {} are new work.",
        n.full_pct(),
        n.total,
        pct(n.partial, n.total),
        n.none
    )
}

fn shared_ground(a: &str, b: &str, rows: &[DomainRow]) -> Option<String> {
    let mut mapped: Vec<(&DomainRow, usize)> = rows
        .iter()
        .map(|r| (r, r.count.full + r.count.partial))
        .filter(|(_, n)| *n > 0)
        .collect();
    if mapped.is_empty() {
        return None;
    }
    mapped.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.domain.cmp(&y.0.domain)));
    let top: Vec<String> = mapped
        .iter()
        .take(3)
        .map(|(r, n)| format!("{} {} ({n} of {})", r.domain, r.title, r.count.total))
        .collect();
    let top: Vec<&str> = top.iter().map(String::as_str).collect();
    Some(format!(
        "Build the shared ground once: in {a} it lies mostly in {}. Design those controls to \
         satisfy {b} as well and file the same evidence against both.",
        join_and(&top)
    ))
}

fn label(category: &str) -> String {
    category
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A SOC 2 category beyond Security (or any optional `category` a catalog tags) that the
/// other standard calls for: at least half of its requirements map to it.
fn optional_category(f: &Framework, name: &str, other: &str, finds: &Finds) -> Option<String> {
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (ri, found) in finds {
        let r = &f.requirements()[*ri];
        for c in r.attributes.get("category").into_iter().flatten() {
            if c == "security" {
                continue;
            }
            let e = by.entry(c.as_str()).or_default();
            e.1 += 1;
            if best(found) != Coverage::None {
                e.0 += 1;
            }
        }
    }
    let (cat, (mapped, total)) = by
        .into_iter()
        .filter(|(_, (m, t))| *m >= 2 && 2 * m >= *t)
        .max_by(|x, y| {
            (x.1.0 * y.1.1)
                .cmp(&(y.1.0 * x.1.1))
                .then(x.1.0.cmp(&y.1.0))
        })?;
    Some(format!(
        "Add the {} category to the {name} scope: {mapped} of its {total} criteria map to {other}, \
         ground the Security category alone would leave out.",
        label(cat)
    ))
}

fn left_over(x: &str, other: &str, rows: &[DomainRow], n: &OverlapCount) -> Option<String> {
    if n.none == 0 || n.none == n.total {
        return None;
    }
    let mut gaps: Vec<&DomainRow> = rows.iter().filter(|r| r.count.none > 0).collect();
    gaps.sort_by(|p, q| {
        q.count
            .none
            .cmp(&p.count.none)
            .then(p.domain.cmp(&q.domain))
    });
    let top: Vec<String> = gaps
        .iter()
        .take(3)
        .map(|r| format!("{} {} ({})", r.domain, r.title, r.count.none))
        .collect();
    let top: Vec<&str> = top.iter().map(String::as_str).collect();
    Some(format!(
        "Plan separately for the {} of {x}'s {} assessable requirements that {other} does not \
         reach ({:.0}%), most of them in {}.",
        n.none,
        n.total,
        pct(n.none, n.total),
        join_and(&top)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_labels() {
        assert_eq!(label("privacy"), "Privacy");
        assert_eq!(label("processing-integrity"), "Processing Integrity");
    }

    #[test]
    fn already_met_wording() {
        let n = OverlapCount {
            total: 10,
            full: 4,
            partial: 3,
            none: 3,
        };
        assert_eq!(
            already("SOC 2", "ISO/IEC 27001", &n, ""),
            "You already meet ISO/IEC 27001: 40% of SOC 2's 10 assessable requirements are fully \
             met by it and 30% partly; the other 3 are new work."
        );
    }
}

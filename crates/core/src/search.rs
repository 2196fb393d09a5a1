//! Ranked full-text search (BM25) over the ids, titles and summaries of every catalog.
//!
//! The index is plain data so the built-in one can be computed at build time and decoded
//! at start-up; a user library gets an index built the same way at load time.

use std::collections::BTreeMap;

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::framework::Framework;

/// Weight of a term occurring in a requirement's id, title and summary.
const ID_WEIGHT: u32 = 8;
const TITLE_WEIGHT: u32 = 3;
const SUMMARY_WEIGHT: u32 = 1;
const K1: f32 = 1.2;
const B: f32 = 0.75;

const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "its", "of",
    "on", "or", "that", "the", "their", "this", "to", "with",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Doc {
    framework: u32,
    requirement: u32,
    len: u32,
}

/// An inverted index over requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Sorted by term, for binary search. Postings are (doc, weighted term frequency).
    terms: Vec<(String, Vec<(u32, u32)>)>,
    avg_len: f32,
}

/// One search result: indices into the library's frameworks and their requirements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub framework: usize,
    pub requirement: usize,
    pub score: f32,
}

fn tokens(text: &str, stemmer: &Stemmer, out: &mut Vec<String>) {
    for word in text.unicode_words() {
        let lower = word.to_lowercase();
        if STOP_WORDS.contains(&lower.as_str()) {
            continue;
        }
        out.push(stemmer.stem(&lower).into_owned());
    }
}

/// The id itself is a token too, so `A.5.15` or `pr.aa-01` finds its requirement.
fn id_token(id: &str) -> String {
    format!("#{}", id.to_lowercase())
}

impl SearchIndex {
    pub fn build(frameworks: &[Framework]) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut docs = Vec::new();
        let mut postings: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let mut total_len: u64 = 0;
        let mut buf = Vec::new();
        for (fi, fw) in frameworks.iter().enumerate() {
            for (ri, r) in fw.requirements().iter().enumerate() {
                let doc = docs.len() as u32;
                let mut tf: BTreeMap<String, u32> = BTreeMap::new();
                *tf.entry(id_token(r.id.as_str())).or_default() += ID_WEIGHT;
                for (text, weight) in [
                    (r.id.as_str(), ID_WEIGHT),
                    (r.title.as_str(), TITLE_WEIGHT),
                    (r.summary.as_str(), SUMMARY_WEIGHT),
                ] {
                    buf.clear();
                    tokens(text, &stemmer, &mut buf);
                    for t in buf.drain(..) {
                        *tf.entry(t).or_default() += weight;
                    }
                }
                let len: u32 = tf.values().sum();
                total_len += u64::from(len);
                docs.push(Doc {
                    framework: fi as u32,
                    requirement: ri as u32,
                    len,
                });
                for (term, f) in tf {
                    postings.entry(term).or_default().push((doc, f));
                }
            }
        }
        let avg_len = if docs.is_empty() {
            1.0
        } else {
            total_len as f32 / docs.len() as f32
        };
        Self {
            docs,
            terms: postings.into_iter().collect(),
            avg_len,
        }
    }

    fn postings(&self, term: &str) -> &[(u32, u32)] {
        match self.terms.binary_search_by(|(t, _)| t.as_str().cmp(term)) {
            Ok(i) => &self.terms[i].1,
            Err(_) => &[],
        }
    }

    /// Ranks requirements for `query`. `only` restricts hits to one framework index.
    /// Ties break by library order, so results are deterministic.
    pub fn search(&self, query: &str, only: Option<usize>, limit: usize) -> Vec<Hit> {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut terms = Vec::new();
        tokens(query, &stemmer, &mut terms);
        terms.extend(query.split_whitespace().map(id_token));
        terms.sort();
        terms.dedup();
        let n = self.docs.len() as f32;
        let mut scores: BTreeMap<u32, f32> = BTreeMap::new();
        for term in &terms {
            let list = self.postings(term);
            if list.is_empty() {
                continue;
            }
            let df = list.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(doc, tf) in list {
                let d = self.docs[doc as usize];
                if only.is_some_and(|o| o != d.framework as usize) {
                    continue;
                }
                let tf = tf as f32;
                let norm = K1 * (1.0 - B + B * d.len as f32 / self.avg_len);
                *scores.entry(doc).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(doc, score)| {
                let d = self.docs[doc as usize];
                Hit {
                    framework: d.framework as usize,
                    requirement: d.requirement as usize,
                    score,
                }
            })
            .collect();
        hits.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then(x.framework.cmp(&y.framework))
                .then(x.requirement.cmp(&y.requirement))
        });
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{FrameworkMeta, Requirement, RequirementKind};
    use crate::ids::{FrameworkId, RequirementId};

    fn fw(id: &str, reqs: &[(&str, &str, &str)]) -> Framework {
        let meta = FrameworkMeta {
            id: FrameworkId::parse(id).unwrap(),
            family: FrameworkId::parse(id).unwrap(),
            current: true,
            name: id.into(),
            version: "1".into(),
            publisher: "Us".into(),
            published: None,
            aliases: vec![],
            source: None,
            notes: vec![],
        };
        let reqs = reqs
            .iter()
            .map(|(rid, title, summary)| Requirement {
                id: RequirementId::parse(rid).unwrap(),
                parent: None,
                title: (*title).into(),
                summary: (*summary).into(),
                kind: RequirementKind::Control,
                assessable: true,
                attributes: Default::default(),
                excludable: None,
            })
            .collect();
        Framework::new(meta, reqs).unwrap()
    }

    #[test]
    fn ranks_title_over_summary_and_finds_ids() {
        let lib = vec![
            fw(
                "one",
                &[
                    ("A.1", "Access control policy", "Rules for granting access."),
                    (
                        "A.2",
                        "Backups",
                        "Keep copies; test restoring them and control access.",
                    ),
                ],
            ),
            fw(
                "two",
                &[(
                    "PR.AA-01",
                    "Identities",
                    "Manage identities and credentials.",
                )],
            ),
        ];
        let idx = SearchIndex::build(&lib);
        let hits = idx.search("access controls", None, 10);
        assert_eq!(
            hits.iter()
                .map(|h| (h.framework, h.requirement))
                .collect::<Vec<_>>(),
            vec![(0, 0), (0, 1)]
        );
        let hits = idx.search("pr.aa-01", None, 10);
        assert_eq!((hits[0].framework, hits[0].requirement), (1, 0));
        assert!(idx.search("credential", Some(0), 10).is_empty());
        assert_eq!(idx.search("credential", Some(1), 10).len(), 1);
        assert!(idx.search("zebra", None, 10).is_empty());
    }
}

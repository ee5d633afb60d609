//! The job: one serde description of a whole machining job (model transform, cutter,
//! strategy, bounds, machine). The same JSON drives the CLI and the page. It is validated
//! once, at the edge, and every error names the field and the reason.
//!
//! All lengths are in the job's `units` (mm by default); the model is converted from the
//! file's units on import, and the G-code is written in the job's units.
//!
//! Map: the job's parts are declared in `spec` (model transform, tool, bounds, stock,
//! machine) and `strategy` (one spec per strategy); `validate` checks everything that does
//! not depend on the model; `resolve` checks the job against the model and fills in the
//! defaults a strategy runs with ([`Resolved`]).

mod choice;
mod resolve;
mod spec;
mod strategy;
mod twod;
mod validate;

pub use resolve::{Resolved, MAX_SAMPLES};
pub use spec::*;
pub use strategy::*;
pub use validate::MAX_FLUTES;

use crate::units::Units;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// A refused job value: which field, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct JobError {
    /// Dotted path of the field, e.g. `strategy.stepover`.
    pub field: String,
    /// Why, in a sentence that names the figure.
    pub message: String,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for JobError {}

pub(crate) fn err(field: &str, message: String) -> JobError {
    JobError {
        field: field.to_string(),
        message,
    }
}

/// The longest job text [`Job::from_json`] reads.
pub const MAX_JOB_BYTES: usize = 1 << 20;

/// The most operations one job may chain.
pub const MAX_OPERATIONS: usize = 100;

/// Shortens every `quoted` span of a message to a few dozen characters, so that an error
/// about a 100 MB key is one readable line, not the key.
fn shorten_quotes(m: &str) -> String {
    const KEEP: usize = 40;
    let mut out = String::with_capacity(m.len().min(400));
    for (k, part) in m.split('`').enumerate() {
        if k > 0 {
            out.push('`');
        }
        let n = part.chars().count();
        if k % 2 == 1 && n > KEEP {
            out.extend(part.chars().take(KEEP));
            out.push_str(&format!("… ({} characters)", n));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A whole job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Job {
    /// Units of every length in the job and of the G-code.
    pub units: Units,
    /// How the model is placed before machining.
    pub model: ModelTransform,
    /// The cutter of the single operation (when `operations` is empty).
    pub tool: ToolSpec,
    /// The strategy of the single operation (when `operations` is empty).
    pub strategy: StrategySpec,
    /// The machining area and floor.
    pub bounds: BoundsSpec,
    /// The raw material.
    pub stock: StockSpec,
    /// The machine and the program.
    pub machine: MachineSpec,
    /// Operations run in order, each with its own cutter (rough, then waterline, then
    /// parallel finishing, say). When empty, `tool` and `strategy` are the one operation.
    pub operations: Vec<Operation>,
}

impl Job {
    /// Parses job JSON, with serde's message (which names the field and line) on failure.
    /// A leading byte-order mark is skipped (editors on Windows write one). Text longer than
    /// [`MAX_JOB_BYTES`] is refused before it is parsed: a real job is a few kilobytes, and
    /// parsing hundreds of megabytes of operations would take gigabytes.
    pub fn from_json(text: &str) -> Result<Job, JobError> {
        if text.len() > MAX_JOB_BYTES {
            return Err(err(
                "job",
                format!(
                    "the job is {} bytes; a job is at most {MAX_JOB_BYTES} bytes",
                    text.len()
                ),
            ));
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        serde_json::from_str(text).map_err(|e| {
            err(
                "job",
                format!("invalid job JSON: {}", shorten_quotes(&e.to_string())),
            )
        })
    }

    /// Field path prefix of operation `k` in error messages (empty for the single
    /// `tool` + `strategy` operation).
    pub(crate) fn op_prefix(&self, k: usize) -> String {
        if self.operations.is_empty() {
            String::new()
        } else {
            format!("operations[{k}].")
        }
    }

    /// The operations to run in order: `operations` when given, else the one made of
    /// `tool` and `strategy`.
    pub fn operations(&self) -> Cow<'_, [Operation]> {
        if self.operations.is_empty() {
            Cow::Owned(vec![Operation::new(
                self.tool.clone(),
                self.strategy.clone(),
            )])
        } else {
            Cow::Borrowed(&self.operations)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::Aabb;

    #[test]
    fn defaults_validate_and_round_trip() {
        let j = Job::default();
        j.validate().unwrap();
        let text = serde_json::to_string(&j).unwrap();
        assert_eq!(Job::from_json(&text).unwrap(), j);
    }

    #[test]
    fn errors_name_the_field() {
        let mut j = Job::default();
        let StrategySpec::Parallel(p) = &mut j.strategy else {
            unreachable!()
        };
        p.stepover = 9.0;
        let e = j.validate().unwrap_err();
        assert_eq!(e.field, "strategy.stepover");
        assert!(e
            .message
            .contains("stepover 9 is larger than the cutter diameter 6"));

        let e = Job::from_json(r#"{"tool": {"type": "ball", "diameter": -1}}"#)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e.field, "tool.diameter");

        for (flutes, ok) in [(0, false), (1, true), (4, true), (32, true), (33, false)] {
            let mut j = Job::default();
            j.tool.flutes = Some(flutes);
            let r = j.validate();
            assert_eq!(r.is_ok(), ok, "{flutes} flutes: {r:?}");
            if let Err(e) = r {
                assert_eq!(e.field, "tool.flutes");
            }
        }
        let mut j = Job::from_json(r#"{"operations": [{}, {"tool": {"flutes": 0}}]}"#).unwrap();
        assert_eq!(j.validate().unwrap_err().field, "operations[1].tool.flutes");
        j.operations[1].tool.flutes = Some(2);
        j.validate().unwrap();

        let e = Job::from_json(r#"{"tool": {"typo": 1}}"#).unwrap_err();
        assert!(e.message.contains("typo"), "{e}");
    }

    #[test]
    fn hostile_json_gets_one_short_line() {
        // A byte-order mark is not an error.
        let j = Job::from_json("\u{feff}{\"units\": \"inch\"}").unwrap();
        assert_eq!(j.units, Units::Inch);
        // A huge unknown key is named, not echoed whole.
        let key = "k".repeat(100_000);
        let e = Job::from_json(&format!("{{\"{key}\": 1}}")).unwrap_err();
        assert!(e.message.len() < 400, "{} bytes", e.message.len());
        assert!(e.message.contains("100000 characters"), "{e}");
        // Too much text is refused before it is parsed.
        let ops = format!(
            "{{\"operations\": [{}{{}}]}}",
            "{},".repeat(MAX_JOB_BYTES / 3)
        );
        let e = Job::from_json(&ops).unwrap_err();
        assert!(e.message.contains("at most"), "{e}");
        // Many small operations are refused by count.
        let ops = format!("{{\"operations\": [{}{{}}]}}", "{},".repeat(MAX_OPERATIONS));
        let e = Job::from_json(&ops).unwrap().validate().unwrap_err();
        assert_eq!(e.field, "operations");
    }

    #[test]
    fn absurd_jobs_are_refused_before_running() {
        let mut j = Job::default();
        let StrategySpec::Parallel(p) = &mut j.strategy else {
            unreachable!()
        };
        p.stepover = 1e-5;
        p.sampling = 1e-5;
        let b = Aabb {
            min: [0.0; 3],
            max: [100.0, 100.0, 10.0],
        };
        let e = j.resolve(&b).unwrap_err();
        assert_eq!(e.field, "strategy.sampling");
    }
}

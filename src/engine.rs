//! The engine's front door, shared by the CLI and the page: a loaded [`Model`] (mesh plus
//! index) and [`generate`], which runs a job on it and posts the G-code.

use crate::job::{Job, JobError, Resolved, StrategySpec};
use crate::mesh::transform::TransformError;
pub use crate::model::{apply_transform, Model};
use crate::post::{self, PostError, PostSettings, Section};
use crate::strategy;
use crate::toolpath::Toolpath;
use std::fmt;

/// Why a job did not produce a program.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineError {
    /// A job value was refused.
    Job(JobError),
    /// The model transform was refused.
    Transform(TransformError),
    /// The G-code writer refused the program.
    Post(PostError),
    /// The progress callback asked to stop.
    Cancelled,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Job(e) => write!(f, "{e}"),
            EngineError::Transform(e) => write!(f, "model transform: {e}"),
            EngineError::Post(e) => write!(f, "G-code: {e}"),
            EngineError::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<TransformError> for EngineError {
    fn from(e: TransformError) -> Self {
        EngineError::Transform(e)
    }
}

impl From<JobError> for EngineError {
    fn from(e: JobError) -> Self {
        EngineError::Job(e)
    }
}

impl From<PostError> for EngineError {
    fn from(e: PostError) -> Self {
        EngineError::Post(e)
    }
}

/// Figures a maker wants after a job.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub triangles: usize,
    pub points: usize,
    pub feed_length: f64,
    pub plunge_length: f64,
    pub rapid_length: f64,
    pub estimated_seconds: f64,
    pub gcode_bytes: usize,
    pub operations: usize,
}

/// A finished job.
#[derive(Clone, Debug)]
pub struct Output {
    pub toolpath: Toolpath,
    pub gcode: String,
    pub summary: Summary,
    /// The resolved defaults, one per operation.
    pub resolved: Vec<Resolved>,
}

/// The post-processor settings a job asks for.
pub fn post_settings(job: &Job, res: &Resolved) -> PostSettings {
    let m = &job.machine;
    let ops = job.operations();
    let names: Vec<String> = ops
        .iter()
        .map(|o| {
            format!(
                "{} {:?} D{}",
                o.strategy.name(),
                o.tool.kind,
                o.tool.diameter
            )
        })
        .collect();
    PostSettings {
        safe_height: res.safe_height,
        tool_number: ops.first().map_or(1, |o| o.tool.number),
        comment: format!(
            "Swarf {}: {}",
            env!("CARGO_PKG_VERSION"),
            names.join(", then ")
        ),
        ..m.post_settings(job.units)
    }
}

/// Runs the job's operations on the model and writes one program. `progress` receives a
/// fraction in 0..=1 and returns `false` to cancel.
pub fn generate(
    model: &Model,
    job: &Job,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Output, EngineError> {
    let resolved = job.resolve(&model.mesh().bounds())?;
    let ops = job.operations();
    let n = ops.len() as f32;
    let mut paths = Vec::with_capacity(ops.len());
    for (k, (op, res)) in ops.iter().zip(&resolved).enumerate() {
        let mut part = |f: f32| progress((k as f32 + f.clamp(0.0, 1.0)) / n);
        let tp = match &op.strategy {
            StrategySpec::Parallel(p) => strategy::parallel::generate(model, p, res, &mut part),
            StrategySpec::Waterline(w) => strategy::waterline::generate(model, w, res, &mut part),
            StrategySpec::Rough(r) => strategy::rough::generate(model, r, res, &mut part),
        }
        .map_err(|_| EngineError::Cancelled)?;
        paths.push(tp);
    }
    let sections: Vec<Section> = ops
        .iter()
        .zip(&paths)
        .map(|(op, tp)| Section {
            toolpath: tp,
            tool_number: op.tool.number,
            comment: format!(
                "{} with {:?} D{}",
                op.strategy.name(),
                op.tool.kind,
                op.tool.diameter
            ),
        })
        .collect();
    let gcode = post::write_gcode_sections(&sections, &post_settings(job, &resolved[0]))?;
    let mut toolpath = Toolpath::new();
    for tp in &paths {
        toolpath.extend(tp);
    }
    let st = toolpath.stats();
    let summary = Summary {
        triangles: model.mesh().len(),
        points: st.points,
        feed_length: st.feed_length,
        plunge_length: st.plunge_length,
        rapid_length: st.rapid_length,
        estimated_seconds: toolpath.estimate_seconds(
            job.machine.feed,
            job.machine.plunge_feed,
            job.machine.rapid_rate,
        ),
        gcode_bytes: gcode.len(),
        operations: ops.len(),
    };
    Ok(Output {
        toolpath,
        gcode,
        summary,
        resolved,
    })
}

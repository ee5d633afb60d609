//! The engine's front door, shared by the CLI and the page: a loaded [`Model`] (mesh plus
//! index) and [`generate`], which runs a job on it and posts the G-code.

use crate::index::Index;
use crate::job::{Job, JobError, ModelTransform, Place, Resolved, StrategySpec};
use crate::mesh::transform::{Placement, TransformError};
use crate::mesh::Mesh;
use crate::post::{self, Blend, PostSettings, Units};
use crate::strategy;
use crate::toolpath::Toolpath;
use std::fmt;

/// Why a job did not produce a program.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineError {
    /// A job value was refused.
    Job(JobError),
    /// The model could not be prepared.
    Model(String),
    /// The progress callback asked to stop.
    Cancelled,
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Job(e) => write!(f, "{e}"),
            EngineError::Model(m) => f.write_str(m),
            EngineError::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for EngineError {}

impl From<JobError> for EngineError {
    fn from(e: JobError) -> Self {
        EngineError::Job(e)
    }
}

/// A mesh ready for machining: transformed, reordered and indexed.
#[derive(Clone, Debug)]
pub struct Model {
    mesh: Mesh,
    index: Index,
}

impl Model {
    /// Applies the import transform and builds the index.
    /// `units` are the job's units, which the model is converted to from the file's.
    pub fn new(
        mut mesh: Mesh,
        transform: &ModelTransform,
        units: Units,
    ) -> Result<Model, EngineError> {
        apply_transform(&mut mesh, transform, units)?;
        let index = Index::build(&mut mesh);
        Ok(Model { mesh, index })
    }

    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Bytes the engine holds for this model: the triangle buffer plus the index.
    pub fn engine_bytes(&self) -> usize {
        self.mesh.heap_bytes() + self.index.heap_bytes()
    }
}

/// Applies a [`ModelTransform`] in place.
///
/// The order is the one a maker reads in the job: file units, scale, rotations, mirrors,
/// translation, then placement on the bed.
pub fn apply_transform(
    mesh: &mut Mesh,
    t: &ModelTransform,
    job_units: Units,
) -> Result<(), EngineError> {
    let fail = |e: TransformError| EngineError::Model(format!("model transform: {e}"));
    if t.units != job_units {
        mesh.convert_units(t.units, job_units).map_err(fail)?;
    }
    if t.scale != [1.0; 3] {
        mesh.scale_xyz(t.scale.map(|s| s as f32)).map_err(fail)?;
    }
    for r in &t.rotate {
        mesh.rotate_quarter_turns(r.axis, r.turns);
    }
    for a in &t.mirror {
        mesh.mirror(*a);
    }
    if t.translate != [0.0; 3] {
        mesh.translate(t.translate.map(|v| v as f32))
            .map_err(fail)?;
    }
    match t.place {
        Place::None => {}
        Place::Center => mesh.place_on_bed(Placement::Center).map_err(fail)?,
        Place::Origin => mesh.place_on_bed(Placement::Origin).map_err(fail)?,
    }
    Ok(())
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
}

/// A finished job.
#[derive(Clone, Debug)]
pub struct Output {
    pub toolpath: Toolpath,
    pub gcode: String,
    pub summary: Summary,
    pub resolved: Resolved,
}

/// The post-processor settings a job asks for.
pub fn post_settings(job: &Job, res: &Resolved) -> PostSettings {
    let m = &job.machine;
    PostSettings {
        dialect: m.dialect,
        units: job.units,
        feed: m.feed,
        plunge_feed: m.plunge_feed,
        spindle_rpm: m.spindle,
        safe_height: res.safe_height,
        blend: if m.exact_stop {
            Blend::ExactStop
        } else {
            Blend::Tolerance(m.blend_tolerance)
        },
        decimals: if job.units == Units::Mm { 3 } else { 4 },
        tool_number: job.tool.number,
        comment: format!(
            "Swarf {} {:?} D{} {:?}",
            env!("CARGO_PKG_VERSION"),
            job.tool.kind,
            job.tool.diameter,
            job.strategy
        ),
    }
}

/// Runs the job's strategy on the model and writes the program. `progress` receives a
/// fraction in 0..=1 and returns `false` to cancel.
pub fn generate(
    model: &Model,
    job: &Job,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Output, EngineError> {
    let res = job.resolve(&model.mesh.bounds())?;
    let toolpath = match &job.strategy {
        StrategySpec::Parallel(p) => {
            strategy::parallel::generate(&model.mesh, &model.index, p, &res, progress)
        }
    }
    .map_err(|_| EngineError::Cancelled)?;
    let gcode = post::write_gcode(&toolpath, &post_settings(job, &res))
        .map_err(|e| EngineError::Model(format!("G-code: {e}")))?;
    let st = toolpath.stats();
    let summary = Summary {
        triangles: model.mesh.len(),
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
    };
    Ok(Output {
        toolpath,
        gcode,
        summary,
        resolved: res,
    })
}

//! The engine's front door, shared by the CLI and the page: a loaded [`Model`] (mesh plus
//! index) and [`generate`], which runs a job on it and posts the G-code.

use crate::drawing::{transform, Drawing};
use crate::gcode::read;
use crate::gcode::time::{plan, Machine, Timing};
use crate::geom::{Box3, DVec2, DVec3, Rect};
use crate::job::{Job, JobError, Operation, Resolved, StrategySpec};
use crate::mesh::transform::TransformError;
use crate::mesh::Aabb;
pub use crate::model::{apply_transform, Model};
use crate::post::{self, PostError, PostSettings, Section};
use crate::strategy;
use crate::toolpath::{Move, Toolpath};
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
    /// No operation of the job would cut anything: each says why.
    NothingToCut(Vec<NothingCut>),
}

/// An operation whose program would never touch the model or the stock, and why: which
/// field to change, in a sentence a maker can act on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NothingCut {
    /// Index of the operation in the job's chain.
    pub operation: usize,
    /// The job field that makes it so (`bounds.floor`, `stock`, ...).
    pub field: String,
    /// Why nothing is cut.
    pub reason: String,
}

impl fmt::Display for NothingCut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "operation {} cuts nothing: {}: {}",
            self.operation + 1,
            self.field,
            self.reason
        )
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Job(e) => write!(f, "{e}"),
            EngineError::Transform(e) => write!(f, "model transform: {e}"),
            EngineError::Post(e) => write!(f, "G-code: {e}"),
            EngineError::Cancelled => f.write_str("cancelled"),
            EngineError::NothingToCut(why) => {
                let why: Vec<String> = why.iter().map(|w| w.to_string()).collect();
                write!(f, "nothing to cut: {}", why.join("; "))
            }
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
    /// Triangles in the model.
    pub triangles: usize,
    /// Cutter locations in the program.
    pub points: usize,
    /// Length of the cutting moves, in the job's units.
    pub feed_length: f64,
    /// Length of the plunges.
    pub plunge_length: f64,
    /// Length of the rapid moves.
    pub rapid_length: f64,
    /// Machining time as a GRBL-style planner sees the program on the job's machine
    /// (`machine.rapid_rate`, `acceleration`, `junction_deviation`; see `gcode::time`):
    /// `timing.total`; for a program too large to plan, the time at the programmed rates
    /// (acceleration ignored, a lower bound).
    pub estimated_seconds: f64,
    /// Where the time goes: feed, rapid, per operation (`None` when the program is too
    /// large to plan, past `gcode::time::MAX_BLOCKS`).
    pub timing: Option<Timing>,
    /// Size of the G-code.
    pub gcode_bytes: usize,
    /// Lines of the G-code.
    pub lines: usize,
    /// Moves that arc fitting (`machine.arc_fitting`) merged into arcs, over all operations
    /// (the toolpath points it removed).
    pub moves_merged: usize,
    /// Lines of the program as it would be without arc fitting (equal to `lines` when
    /// fitting is off or changed nothing).
    pub lines_before: usize,
    /// Size of the program without arc fitting (equal to `gcode_bytes` when fitting is off
    /// or changed nothing).
    pub bytes_before: usize,
    /// Operations in the chain.
    pub operations: usize,
}

/// A finished job.
#[derive(Clone, Debug)]
pub struct Output {
    /// Every operation's moves, in order (for the preview).
    pub toolpath: Toolpath,
    /// Where each operation starts in `toolpath` (its first point's index), one per
    /// operation, nondecreasing; operation `k` owns points `op_starts[k]..op_starts[k + 1]`.
    pub op_starts: Vec<usize>,
    /// The program.
    pub gcode: String,
    /// Figures for the maker.
    pub summary: Summary,
    /// The resolved defaults, one per operation.
    pub resolved: Vec<Resolved>,
    /// Operations of a chain that cut nothing (when all of them would, the job fails with
    /// [`EngineError::NothingToCut`] instead).
    pub nothing_cut: Vec<NothingCut>,
}

/// Why an operation's toolpath would cut nothing, if it would not. A cutting move touches
/// material when the tool, at that point, reaches into the stock box or into the model's
/// box above the floor (its axis within a cutter radius of the box, seen from above, and
/// its tip below the box's top); a program with no such move only moves through air.
fn nothing_cut(
    k: usize,
    op: &Operation,
    res: &Resolved,
    tp: &Toolpath,
    model_box: &Box3,
    pre: &str,
) -> Option<NothingCut> {
    let r = res.cutter.radius();
    if let Some((top, _)) = crate::job::depth_range(&op.strategy) {
        // 2D: the material is a sheet whose top is the job's; any cut below it cuts.
        let cuts = (0..tp.len())
            .filter(|&i| tp.kind(i) != Move::Rapid)
            .any(|i| (tp.point(i)[2] as f64) < top - 1e-9);
        if cuts {
            return None;
        }
    }
    let near = |b: &Rect, p: DVec2| {
        let d = (b.min - p).max(p - b.max).max(DVec2::ZERO);
        d.length() < r - 1e-9
    };
    let touches = (0..tp.len())
        .filter(|&i| tp.kind(i) != Move::Rapid)
        .any(|i| {
            let p = tp.point(i).map(f64::from);
            let xy = DVec2::new(p[0], p[1]);
            let in_stock = p[2] < res.stock.top() - 1e-9 && near(&res.stock.rect(), xy);
            let in_model = p[2] < model_box.top() - 1e-9
                && p[2] > res.floor + 1e-6
                && near(&model_box.rect(), xy);
            in_stock || in_model
        });
    if touches {
        return None;
    }
    let (field, reason) = if op.rest {
        (
            format!("{pre}rest_threshold"),
            format!(
                "the earlier operations left no material thicker than {} where this cutter reaches",
                op.rest_threshold
            ),
        )
    } else if res.floor >= res.top {
        (
            "bounds.floor".to_string(),
            format!(
                "the floor Z {:.3} is at or above the model's top Z {:.3}: nothing of the model lies above it",
                res.floor, res.top
            ),
        )
    } else {
        match &op.strategy {
            StrategySpec::Rough(_) if res.stock.top() <= res.floor => (
                "stock".to_string(),
                format!(
                    "the stock's top Z {:.3} is not above the floor Z {:.3}",
                    res.stock.top(),
                    res.floor
                ),
            ),
            StrategySpec::Rough(r) => (
                format!("{pre}strategy.stock_to_leave"),
                format!(
                    "no stock lies outside the model grown by the stock to leave {} (stock top Z {:.3}, model top Z {:.3}): raise stock.margin or lower the stock to leave",
                    r.stock_to_leave,
                    res.stock.top(),
                    res.top
                ),
            ),
            StrategySpec::Waterline(_) => (
                format!("{pre}strategy.z_bottom"),
                "the cutter touches the model at none of the levels between z_top and z_bottom"
                    .to_string(),
            ),
            StrategySpec::Parallel(_) | StrategySpec::Scallop(_) => (
                "bounds".to_string(),
                "the cutter never reaches the model inside the machining area".to_string(),
            ),
            StrategySpec::Pencil(p) => (
                format!("{pre}strategy.min_angle"),
                format!(
                    "the cutter touches two surfaces at once nowhere in the machining area (no concave corner whose faces' normals differ by {}° or more)",
                    p.min_angle
                ),
            ),
            StrategySpec::Steep(_) => (
                "bounds".to_string(),
                "the cutter never reaches the model inside the machining area, neither on a raster line nor at a waterline level"
                    .to_string(),
            ),
            StrategySpec::Pocket(_) | StrategySpec::Vcarve(_) | StrategySpec::Profile(_) => (
                format!("{pre}tool.diameter"),
                format!(
                    "the cutter (diameter {}) fits inside none of the drawing's shapes",
                    2.0 * r
                ),
            ),
            StrategySpec::Engrave(_) => (
                format!("{pre}strategy.depth"),
                "no path of the drawing lies below the material's top".to_string(),
            ),
        }
    };
    Some(NothingCut {
        operation: k,
        field,
        reason,
    })
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
    generate_presampled(model, job, Vec::new(), progress)
}

/// The raster lines of every parallel-finishing operation of `job` on `model`, in batches
/// with the box of triangles each reaches: `(operation index, batch)`, in the order
/// [`generate_presampled`] takes their sampled lines. This is how the page spreads a job
/// over workers: each samples a batch on the triangles of its reach
/// ([`sample_batch`]), and the engine that holds the model links the lines.
pub fn parallel_batches(
    model: &Model,
    job: &Job,
) -> Result<Vec<(usize, strategy::parallel::Batch)>, EngineError> {
    wrong_kind(job, false)?;
    let resolved = job.resolve(&model.mesh().bounds())?;
    let mut out = Vec::new();
    for (k, (op, res)) in job.operations().iter().zip(&resolved).enumerate() {
        if let StrategySpec::Parallel(p) = &op.strategy {
            out.extend(
                strategy::parallel::batches(p, res)
                    .into_iter()
                    .map(|b| (k, b)),
            );
        }
    }
    Ok(out)
}

/// Samples the raster `lines` of operation `op` of `job` on `part`, some of a model's
/// triangles (those of a batch's reach, from [`Model::triangles_in`]); `bounds` is the
/// whole model's box, which the job's area, floor and heights are resolved from.
pub fn sample_batch(
    part: &Model,
    bounds: &Aabb,
    job: &Job,
    op: usize,
    lines: &[(DVec2, DVec2)],
) -> Result<Vec<Vec<DVec3>>, EngineError> {
    let resolved = job.resolve(bounds)?;
    let ops = job.operations();
    match (ops.get(op).map(|o| &o.strategy), resolved.get(op)) {
        (Some(StrategySpec::Parallel(p)), Some(res)) => {
            Ok(strategy::parallel::sample(part, p, res, lines))
        }
        _ => Err(EngineError::Job(crate::job::JobError {
            field: format!("{}strategy.type", job.op_prefix(op)),
            message: format!("operation {} is not parallel finishing", op + 1),
        })),
    }
}

/// As [`generate`], with the raster lines of some parallel-finishing operations already
/// sampled: `sampled[k]`, when present and not empty, holds operation `k`'s lines in the
/// order of [`parallel_batches`]. The program is the same bits as [`generate`]'s.
pub fn generate_presampled(
    model: &Model,
    job: &Job,
    mut sampled: Vec<Option<Vec<Vec<DVec3>>>>,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Output, EngineError> {
    let b = model.mesh().bounds();
    let resolved = job.resolve(&b)?;
    let ops = job.operations();
    wrong_kind(job, false)?;
    let n = ops.len() as f32;
    let mut paths = Vec::with_capacity(ops.len());
    for (k, (op, res)) in ops.iter().zip(&resolved).enumerate() {
        let mut whole = |f: f32| progress((k as f32 + f.clamp(0.0, 1.0)) / n);
        let own = if op.rest { REST_OWN } else { 1.0 };
        let mut part = |f: f32| whole(own * f);
        let given = sampled.get_mut(k).and_then(Option::take);
        let tp = match &op.strategy {
            StrategySpec::Parallel(p) => {
                if let Some(lines) = &given {
                    let want: usize = strategy::parallel::batches(p, res)
                        .iter()
                        .map(|b| b.lines.len())
                        .sum();
                    let bad = lines.iter().any(|l| l.is_empty());
                    if lines.len() != want || bad {
                        return Err(EngineError::Job(crate::job::JobError {
                            field: format!("{}strategy", job.op_prefix(k)),
                            message: format!(
                                "{} sampled raster lines given for {want} (or one empty)",
                                lines.len()
                            ),
                        }));
                    }
                }
                strategy::parallel::generate_from(model, p, res, given, &mut part)
            }
            StrategySpec::Waterline(w) => strategy::waterline::generate(model, w, res, &mut part),
            StrategySpec::Rough(r) => strategy::rough::generate(model, r, res, &mut part),
            StrategySpec::Pencil(p) => strategy::pencil::generate(model, p, res, &mut part),
            StrategySpec::Scallop(p) => strategy::scallop::generate(model, p, res, &mut part),
            StrategySpec::Steep(p) => strategy::steep::generate(model, p, res, &mut part),
            _ => unreachable!("wrong_kind refused 2D strategies"),
        }
        .map_err(|_| EngineError::Cancelled)?;
        let tp = rest_of(&ops, &resolved, &paths, tp, &mut whole)?;
        paths.push(tp);
    }
    finish(job, &b, resolved, paths, model.mesh().len())
}

/// The share of a rest operation's progress its strategy takes; simulating the earlier
/// operations and keeping what they left take the rest.
const REST_OWN: f32 = 0.6;

/// The toolpath `tp` of the next operation (`paths.len()` of `ops`), cut down to where the
/// earlier operations left material when it is rest machining (see [`strategy::rest`]);
/// `progress` is the operation's, past [`REST_OWN`].
fn rest_of(
    ops: &[Operation],
    resolved: &[Resolved],
    paths: &[Toolpath],
    tp: Toolpath,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, EngineError> {
    use strategy::rest::{self, RestError};
    let k = paths.len();
    let op = &ops[k];
    if !op.rest {
        return Ok(tp);
    }
    let res = &resolved[k];
    let earlier: Vec<(crate::cutter::Cutter, &Toolpath)> =
        resolved[..k].iter().map(|r| r.cutter).zip(paths).collect();
    let cell = rest::cell_size(&res.stock, res.cutter.radius());
    let span = 1.0 - REST_OWN;
    let stock = rest::stock_after(&res.stock, &earlier, cell, &mut |f| {
        progress(REST_OWN + 0.5 * span * f)
    })
    .map_err(|e| match e {
        RestError::Cancelled => EngineError::Cancelled,
        RestError::Stock(e) => EngineError::Job(crate::job::JobError {
            field: "stock".into(),
            message: format!("rest machining needs the stock: {e}"),
        }),
    })?;
    rest::keep(
        &tp,
        &res.cutter,
        &stock,
        op.rest_threshold,
        res.safe_height,
        &mut |f| progress(REST_OWN + span * (0.5 + 0.5 * f)),
    )
    .map_err(|_| EngineError::Cancelled)
}

/// Refuses operations whose strategy cuts the other kind of workpiece, naming the field.
fn wrong_kind(job: &Job, drawing: bool) -> Result<(), EngineError> {
    for (k, op) in job.operations().iter().enumerate() {
        if op.strategy.is_2d() != drawing {
            let what = if drawing {
                "a 3D model (STL); this is a 2D drawing: use engrave, profile, pocket or vcarve"
            } else {
                "a 2D drawing (SVG or DXF); this is a 3D model: use parallel, waterline, rough, pencil, scallop or steep"
            };
            return Err(EngineError::Job(crate::job::JobError {
                field: format!("{}strategy.type", job.op_prefix(k)),
                message: format!("{} cuts {what}", op.strategy.name()),
            }));
        }
    }
    Ok(())
}

/// The box a drawing job works in: the drawing's outline in XY, and from the deepest cut to
/// the highest material top of its operations in Z.
pub fn drawing_box(d: &Drawing, job: &Job) -> Aabb {
    let r = d.bounds().unwrap_or(Rect::new(DVec2::ZERO, DVec2::ZERO));
    let (mut top, mut bottom) = (f64::NEG_INFINITY, f64::INFINITY);
    for op in job.operations().iter() {
        if let Some((t, b)) = crate::job::depth_range(&op.strategy) {
            top = top.max(t);
            bottom = bottom.min(b);
        }
    }
    if !(top.is_finite() && bottom.is_finite()) {
        (top, bottom) = (0.0, 0.0);
    }
    Aabb {
        min: [r.min.x as f32, r.min.y as f32, bottom as f32],
        max: [r.max.x as f32, r.max.y as f32, top as f32],
    }
}

/// Places a drawing (read in mm) as the job's model transform says, in the job's units.
pub fn place_drawing(d: &mut Drawing, job: &Job) -> Result<(), EngineError> {
    let t = &job.model;
    let placing = transform::Placing {
        units: match job.units {
            crate::units::Units::Mm => 1.0,
            crate::units::Units::Inch => 1.0 / 25.4,
        },
        scale: t.scale,
        rotate: t.rotate.iter().map(|r| (r.axis, r.turns)).collect(),
        mirror: t.mirror.clone(),
        translate: t.translate,
        place: match t.place {
            crate::job::Place::None => None,
            crate::job::Place::Center => Some(crate::mesh::transform::Placement::Center),
            crate::job::Place::Origin => Some(crate::mesh::transform::Placement::Origin),
        },
    };
    transform::apply(d, &placing).map_err(|e| {
        EngineError::Job(crate::job::JobError {
            field: e.field.to_string(),
            message: e.message,
        })
    })
}

/// Runs the job's 2D operations on a drawing (already placed with [`place_drawing`]) and
/// writes one program.
pub fn generate_drawing(
    drawing: &Drawing,
    job: &Job,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Output, EngineError> {
    job.validate()?;
    wrong_kind(job, true)?;
    let b = drawing_box(drawing, job);
    let resolved = job.resolve(&b)?;
    let ops = job.operations();
    let n = ops.len() as f32;
    let mut paths = Vec::with_capacity(ops.len());
    for (k, (op, res)) in ops.iter().zip(&resolved).enumerate() {
        let mut whole = |f: f32| progress((k as f32 + f.clamp(0.0, 1.0)) / n);
        let own = if op.rest { REST_OWN } else { 1.0 };
        let tp = strategy::twod::generate(drawing, &op.strategy, res, &mut |f| whole(own * f))
            .map_err(|_| EngineError::Cancelled)?;
        let tp = rest_of(&ops, &resolved, &paths, tp, &mut whole)?;
        paths.push(tp);
    }
    let segments = drawing.paths().map(|p| p.vertices.len()).sum();
    finish(job, &b, resolved, paths, segments)
}

/// True when arc fitting may run on a strategy's toolpath: its feed runs lie in planes of
/// constant Z (waterline, roughing, the 2D strategies), and the strategy says on its
/// toolpath which side of them the part is on ([`crate::toolpath::Wall`]), so a fitted arc
/// strays only away from the part (or, where the moves are the cut itself, within the
/// tolerance either way; see `arcfit`). Parallel finishing's rasters climb and fall in a
/// vertical plane, pencil tracks climb and fall along the corners: never. Steep and
/// shallow marks its raster runs and links [`crate::toolpath::Wall::Fixed`], so only its
/// waterline pieces are fitted.
pub fn fits_arcs(strategy: &StrategySpec) -> bool {
    !matches!(
        strategy,
        StrategySpec::Parallel(_) | StrategySpec::Pencil(_) | StrategySpec::Scallop(_)
    )
}

/// Each operation's toolpath with arcs fitted where the job asks for it, with the number of
/// moves merged, or `None` when fitting is off or merged none.
fn fit_operations(
    job: &Job,
    ops: &[Operation],
    paths: &[Toolpath],
) -> Option<(Vec<Toolpath>, usize)> {
    if !job.machine.arc_fitting {
        return None;
    }
    let tol = job.machine.arc_tolerance();
    let mut made = 0;
    let fitted: Vec<Toolpath> = ops
        .iter()
        .zip(paths)
        .map(|(op, tp)| {
            if !fits_arcs(&op.strategy) {
                return tp.clone();
            }
            let f = crate::arcfit::fit_arcs(tp, tol);
            made += tp.len() - f.len();
            f
        })
        .collect();
    (made > 0).then_some((fitted, made))
}

/// The program of the operations' toolpaths.
fn post_all(
    job: &Job,
    ops: &[Operation],
    resolved: &[Resolved],
    paths: &[Toolpath],
) -> Result<String, EngineError> {
    let sections: Vec<Section> = ops
        .iter()
        .zip(paths)
        .map(|(op, tp)| Section {
            toolpath: tp,
            tool_number: op.tool.number,
            comment: format!(
                "{}{} with {:?} D{}",
                if op.rest { "rest " } else { "" },
                op.strategy.name(),
                op.tool.kind,
                op.tool.diameter
            ),
            feed: op.tool.feed,
            plunge_feed: op.tool.plunge_feed,
            spindle_rpm: op.tool.spindle,
        })
        .collect();
    Ok(post::write_gcode_sections(
        &sections,
        &post_settings(job, &resolved[0]),
    )?)
}

/// The program's time on the job's machine, by the same reader and planner as `swarf time`
/// (so the page, the CLI's summary and `swarf time` agree). `None` for a program past the
/// planner's limit.
fn estimate_time(gcode: &str, job: &Job) -> Option<Timing> {
    let mm = job.units.mm();
    let m = &job.machine;
    let machine = Machine {
        max_rate: [m.rapid_rate * mm; 3],
        acceleration: [m.acceleration * mm; 3],
        junction_deviation: m.junction_deviation * mm,
        ..Machine::default()
    };
    match read::read(gcode) {
        Ok(program) => plan(&program, &machine).ok(),
        Err(e) => {
            // The program is our own: the reader refusing it is a bug.
            debug_assert!(false, "reading back our own program: {e}");
            None
        }
    }
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// What every job does after its strategies: checks that something is cut, fits arcs where
/// the job asks for it, posts the program, sums up. `elements` is the model's triangles or
/// the drawing's segments.
///
/// The figures without arc fitting cost a second run of the post; it runs only when fitting
/// made an arc (otherwise the program is the same).
fn finish(
    job: &Job,
    b: &Aabb,
    resolved: Vec<Resolved>,
    paths: Vec<Toolpath>,
    elements: usize,
) -> Result<Output, EngineError> {
    let ops = job.operations();
    let model_box = Box3::new(
        DVec3::from(b.min.map(f64::from)),
        DVec3::from(b.max.map(f64::from)),
    );
    let nothing: Vec<NothingCut> = ops
        .iter()
        .zip(&resolved)
        .zip(&paths)
        .enumerate()
        .filter_map(|(k, ((op, res), tp))| {
            nothing_cut(k, op, res, tp, &model_box, &job.op_prefix(k))
        })
        .collect();
    if nothing.len() == ops.len() {
        return Err(EngineError::NothingToCut(nothing));
    }
    let (paths, moves_merged, before) = match fit_operations(job, &ops, &paths) {
        Some((fitted, made)) => {
            let plain = post_all(job, &ops, &resolved, &paths)?;
            (fitted, made, Some((count_lines(&plain), plain.len())))
        }
        None => (paths, 0, None),
    };
    let gcode = post_all(job, &ops, &resolved, &paths)?;
    let lines = count_lines(&gcode);
    let (lines_before, bytes_before) = before.unwrap_or((lines, gcode.len()));
    let mut toolpath = Toolpath::new();
    let mut op_starts = Vec::with_capacity(paths.len());
    for tp in &paths {
        op_starts.push(toolpath.len());
        toolpath.extend(tp);
    }
    let st = toolpath.stats();
    let timing = estimate_time(&gcode, job);
    let summary = Summary {
        triangles: elements,
        points: st.points,
        feed_length: st.feed_length,
        plunge_length: st.plunge_length,
        rapid_length: st.rapid_length,
        estimated_seconds: timing.as_ref().map_or_else(
            || {
                toolpath.estimate_seconds(
                    job.machine.feed,
                    job.machine.plunge_feed,
                    job.machine.rapid_rate,
                )
            },
            |t| t.total,
        ),
        timing,
        gcode_bytes: gcode.len(),
        lines,
        moves_merged,
        lines_before,
        bytes_before,
        operations: ops.len(),
    };
    Ok(Output {
        toolpath,
        op_starts,
        gcode,
        summary,
        resolved,
        nothing_cut: nothing,
    })
}

/// What the page asks of [`verify`]: the stock's resolution and the thresholds, in the
/// job's units.
#[derive(Clone, Copy, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct VerifyOptions {
    /// Cell size; `None`: the finest whose heights and owners fit `budget_bytes`.
    pub cell: Option<f64>,
    /// Memory for the stock when `cell` is `None` (8 bytes per cell: height and owner).
    pub budget_bytes: f64,
    /// Gouges, rapids into stock and collisions deeper than this are problems.
    pub tolerance: f64,
    /// Material thicker than this is reported.
    pub leftover: f64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            cell: None,
            budget_bytes: 16.0 * 1024.0 * 1024.0,
            tolerance: 0.01,
            leftover: 0.05,
        }
    }
}

/// Bytes a verified stock takes per cell: its height and the move that cut it.
pub const VERIFY_BYTES_PER_CELL: f64 = 8.0;

/// Verifies a finished job's program (the G-code as written, with its rounding) against
/// the model: every operation with its own cutter and holder, on the first operation's
/// stock box. See [`crate::sim::verify`].
pub fn verify(
    model: &Model,
    job: &Job,
    out: &Output,
    opts: &VerifyOptions,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<crate::sim::verify::Report, crate::sim::verify::VerifyError> {
    use crate::sim::verify::{self, Settings, VerifyError};
    let setting = |m: String| VerifyError::Setting(m);
    let mut program = read::read(&out.gcode)
        .map_err(|e| setting(format!("the program does not read back: {e}")))?;
    // The reader gives millimetres; the model is in the job's units.
    let k = 1.0 / job.units.mm();
    if k != 1.0 {
        for m in &mut program.moves {
            m.from *= k;
            m.to *= k;
            m.centre = m.centre.map(|c| c * k);
        }
    }
    let stock = out
        .resolved
        .first()
        .map(|r| r.stock)
        .ok_or_else(|| setting("the job has no operation".into()))?;
    let cell = match opts.cell {
        Some(c) => c,
        None => {
            let cells = (opts.budget_bytes / VERIFY_BYTES_PER_CELL).floor();
            let area = (stock.max.x - stock.min.x) * (stock.max.y - stock.min.y);
            if !(cells >= 1.0 && area > 0.0) {
                return Err(setting(format!(
                    "a verify budget of {} bytes holds no cell",
                    opts.budget_bytes
                )));
            }
            // The area rule, a little coarser for the grid's rounding up at its edges.
            (area / cells).sqrt() * 1.01
        }
    };
    let tools = job
        .operations()
        .iter()
        .map(|op| {
            let c = op.tool.cutter().map_err(|e| setting(e.to_string()))?;
            Ok((c, op.tool.holder_diameter.unwrap_or(op.tool.diameter)))
        })
        .collect::<Result<Vec<_>, VerifyError>>()?;
    let (cutter, holder_diameter) = tools[0];
    let s = Settings {
        cutter,
        holder_diameter,
        operation_tools: tools,
        cell,
        tolerance: opts.tolerance,
        leftover: opts.leftover,
    };
    verify::verify(model, &program, &stock, &s, progress)
}

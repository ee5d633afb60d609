//! The `#[wasm_bindgen]` surface the page's Web Worker holds: thin, no geometry of its own.
//!
//! One [`Engine`] per worker. The worker streams a `File` into it chunk by chunk
//! ([`Engine::begin_load`], [`Engine::push_chunk`], [`Engine::finish_load`]), so a large STL
//! never sits in memory twice; shows the triangle buffer to WebGL through a `Float32Array`
//! *view* of wasm memory ([`Engine::triangles`], no copy); and runs [`Engine::generate`] with a
//! progress callback that may return `false` to cancel.
//!
//! The engine holds either a 3D model or a 2D drawing. A drawing (SVG or DXF, told apart by
//! content: [`drawing_format`]) is read whole ([`Engine::load_drawing`]; drawings are small
//! next to meshes), placed by the job's model transform, shown to WebGL as flattened line
//! segments ([`Engine::drawing_lines`]) and cut by the 2D strategies; [`Engine::generate`]
//! runs whichever engine entry point fits what is loaded. Toolpaths with arc moves reach the
//! preview flattened into straight moves ([`Generated::points`]); the G-code keeps the arcs.
//!
//! Views over wasm memory are invalidated whenever the memory grows, so JavaScript re-fetches
//! a view after every call that may allocate and copies (`slice()`) what it wants to keep or
//! transfer to the main thread.
//!
//! Cancelling from the page: while `generate` runs the worker's event loop is blocked, so a
//! "cancel" message could not be seen until it returns. The page therefore terminates the
//! worker and starts a fresh one (re-streaming the model from its `File`), which stops the
//! work at once whatever the engine is doing. The progress callback's `false` is still
//! honoured for hosts that cancel on their own terms (a deadline, a budget).
//!
//! Every error crosses as a JS `Error` carrying the engine's message (and `field` for a job
//! validation error); no input reaches a panic, and `console_error_panic_hook` reports one
//! if it ever happens.

#![warn(missing_docs)]

mod sim;

pub use sim::Simulation;

use js_sys::{Float32Array, Float64Array, Function, Reflect, Uint32Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::demo::demo_mesh;
use crate::drawing::{self, Drawing, DrawingFormat, ImportOptions};
use crate::engine::{self, generate, EngineError, Model, Output};
use crate::geom::{Box3, DVec2, DVec3, Rect};
use crate::job::{Job, JobError, StrategySpec};
use crate::mesh::Aabb;
use crate::toolpath::Toolpath;
use crate::units::Units;

use crate::mesh::stl::{StlOptions, StlReader};
use crate::mesh::Mesh;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A JS `Error` with the engine's message.
fn js_error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

/// A JS `Error` that also names the job field at fault, so the page can put the message
/// next to the right control.
fn job_error(e: &JobError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    // Setting a plain data property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"field".into(), &e.field.as_str().into());
    err.into()
}

/// Plain JS objects (not `Map`s) for everything serialised to the page.
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

fn job_from_js(job: JsValue) -> Result<Job, JsValue> {
    serde_wasm_bindgen::from_value(job).map_err(|e| js_error(format!("job: {e}")))
}

/// [`job_from_js`], then the job's own checks: what every entry point that runs a job takes.
fn valid_job_from_js(job: JsValue) -> Result<Job, JsValue> {
    let job = job_from_js(job)?;
    job.validate().map_err(|e| job_error(&e))?;
    Ok(job)
}

/// Bytes of wasm linear memory currently reserved (what the browser charges for the engine).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map(|b| b.byte_length() as f64)
                .unwrap_or(0.0)
        })
        .unwrap_or(0.0)
}

/// The default job (the same JSON the CLI reads), as a plain object.
#[wasm_bindgen(js_name = defaultJob)]
pub fn default_job() -> Result<JsValue, JsValue> {
    to_js(&Job::default())
}

/// The default parameters of the strategy named `kind` in the job JSON (one of the
/// registry's), tagged by `type`; `null` for an unknown name.
#[wasm_bindgen(js_name = defaultStrategy)]
pub fn default_strategy(kind: &str) -> Result<JsValue, JsValue> {
    match StrategySpec::by_name(kind) {
        Some(s) => to_js(&s),
        None => Ok(JsValue::NULL),
    }
}

/// Everything the page lists instead of writing it down itself (see [`crate::registry`]):
/// `{ strategies: [{ name, label, short, summary, defaults }], tools, presets,
/// dialects: [{ name, label, extension, ... }], fields: [...] }`.
#[wasm_bindgen]
pub fn registry() -> Result<JsValue, JsValue> {
    to_js(&crate::registry::registry())
}

/// `"svg"` or `"dxf"` when the first bytes of a file look like that drawing format, else
/// `undefined` (an STL, or not a drawing at all). Reads only what it is given, so the page
/// can pass the first few hundred bytes of a large file.
#[wasm_bindgen(js_name = drawingFormat)]
pub fn drawing_format(head: &[u8]) -> Option<String> {
    drawing::sniff(head).map(|f| {
        match f {
            DrawingFormat::Svg => "svg",
            DrawingFormat::Dxf => "dxf",
        }
        .to_string()
    })
}

/// How closely the preview's lines follow arcs and curves, in millimetres: well under a
/// pixel at any zoom a maker uses, and few points (a 10 mm circle in about 23 segments).
const PREVIEW_TOLERANCE_MM: f64 = 0.05;

/// Move kinds the viewer colours the drawing's lines with (after the toolpath's 0-4 and the
/// box's): a closed path (outline or hole), an open path.
const LINE_CLOSED: u8 = 5;
const LINE_OPEN: u8 = 6;

/// Converts a job error from the engine, keeping the field at fault.
fn engine_error(e: EngineError) -> JsValue {
    match e {
        EngineError::Job(e) => job_error(&e),
        e => js_error(e),
    }
}

/// Checks a job without a model: `null` when valid, else `{ field, message }`.
#[wasm_bindgen(js_name = validateJob)]
pub fn validate_job(job: JsValue) -> Result<JsValue, JsValue> {
    let job = job_from_js(job)?;
    match job.validate() {
        Ok(()) => Ok(JsValue::NULL),
        Err(e) => {
            let o = js_sys::Object::new();
            Reflect::set(&o, &"field".into(), &e.field.as_str().into())?;
            Reflect::set(&o, &"message".into(), &e.message.as_str().into())?;
            Ok(o.into())
        }
    }
}

/// A drawing as loaded: placed in the job's units, with the box it was fitted to.
struct LoadedDrawing {
    drawing: Drawing,
    /// The drawing's outline in XY and the load job's depths in Z (for fitting the view).
    bounds: Aabb,
    /// The units it was placed in (the preview's tolerance is in them).
    units: Units,
}

/// Samples one batch of raster lines for a pool worker: `triangles` are the batch's reach
/// (from [`Engine::triangles_in`] of the engine holding the model), `bounds` that model's
/// box ([`Engine::model_bounds`]), `op` the operation and `lines` the batch's lines
/// (`x0, y0, x1, y1` each). Returns a `Float64Array`: the number of lines, each line's
/// point count, then every point's `x, y, z`. Holds nothing after it returns.
#[wasm_bindgen(js_name = sampleLines)]
pub fn sample_lines(
    triangles: Vec<f32>,
    bounds: &[f32],
    job: JsValue,
    op: usize,
    lines: &[f64],
) -> Result<Float64Array, JsValue> {
    let job = valid_job_from_js(job)?;
    if !triangles.len().is_multiple_of(9) || bounds.len() != 6 || !lines.len().is_multiple_of(4) {
        return Err(js_error("sampleLines: ragged triangles, bounds or lines"));
    }
    let bounds = Aabb {
        min: [bounds[0], bounds[1], bounds[2]],
        max: [bounds[3], bounds[4], bounds[5]],
    };
    let segs = segments(lines);
    let part = Model::from_placed(triangles);
    let sampled = engine::sample_batch(&part, &bounds, &job, op, &segs).map_err(engine_error)?;
    Ok(pack_lines(&sampled))
}

/// Raster lines from `x0, y0, x1, y1` each (a whole number of fours, checked by the caller).
fn segments(lines: &[f64]) -> Vec<(DVec2, DVec2)> {
    lines
        .chunks_exact(4)
        .map(|l| (DVec2::new(l[0], l[1]), DVec2::new(l[2], l[3])))
        .collect()
}

/// [`sample_lines`]' layout: the number of lines, each line's point count, then every
/// point's `x, y, z`.
fn pack_lines(sampled: &[Vec<DVec3>]) -> Float64Array {
    let mut out =
        Vec::with_capacity(1 + sampled.len() + 3 * sampled.iter().map(Vec::len).sum::<usize>());
    out.push(sampled.len() as f64);
    out.extend(sampled.iter().map(|l| l.len() as f64));
    for l in sampled {
        out.extend(l.iter().flat_map(|p| [p.x, p.y, p.z]));
    }
    Float64Array::from(&out[..])
}

/// The engine's progress callback for a JS `progress(fraction)`: only an explicit `false`
/// cancels (`undefined` means "go on"), and so does a callback that throws.
fn reporter(progress: &Function) -> impl FnMut(f32) -> bool + '_ {
    move |f: f32| match progress.call1(&JsValue::NULL, &JsValue::from_f64(f as f64)) {
        Ok(v) => v.as_bool() != Some(false),
        Err(_) => false,
    }
}

/// Reads [`sample_lines`]' layout back; `None` when it does not add up.
fn unpack_lines(flat: &[f64]) -> Option<Vec<Vec<DVec3>>> {
    let n = *flat.first()? as usize;
    let counts = flat.get(1..1 + n)?;
    let mut at = 1 + n;
    let mut out = Vec::with_capacity(n);
    for &c in counts {
        let c = c as usize;
        let pts = flat.get(at..at + 3 * c)?;
        out.push(
            pts.chunks_exact(3)
                .map(|p| DVec3::new(p[0], p[1], p[2]))
                .collect(),
        );
        at += 3 * c;
    }
    (at == flat.len()).then_some(out)
}

/// The engine held by one worker: at most one model or one drawing, one load in progress.
#[wasm_bindgen]
pub struct Engine {
    loader: Option<StlReader>,
    model: Option<Model>,
    drawing: Option<LoadedDrawing>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Engine {
    /// An engine with no model loaded.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        Engine {
            loader: None,
            model: None,
            drawing: None,
        }
    }

    /// Starts streaming an STL of `size` bytes (the `File.size`; pass a negative number when
    /// unknown). Drops the previous model first so its memory is reused.
    #[wasm_bindgen(js_name = beginLoad)]
    pub fn begin_load(&mut self, size: f64) {
        self.model = None;
        self.drawing = None;
        let hint = (size.is_finite() && size >= 0.0).then_some(size as u64);
        self.loader = Some(StlReader::new(hint, &StlOptions::default()));
    }

    /// Feeds the next chunk of the file (any length, any boundary).
    #[wasm_bindgen(js_name = pushChunk)]
    pub fn push_chunk(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let reader = self
            .loader
            .as_mut()
            .ok_or_else(|| js_error("pushChunk called before beginLoad"))?;
        if let Err(e) = reader.push(chunk) {
            self.loader = None;
            return Err(js_error(e));
        }
        Ok(())
    }

    /// Ends the stream, applies the job's import transform (`job.model`, converting to
    /// `job.units`) and builds the index. `job` may be `null` for the default. Returns `info()`.
    #[wasm_bindgen(js_name = finishLoad)]
    pub fn finish_load(&mut self, job: JsValue) -> Result<JsValue, JsValue> {
        let reader = self
            .loader
            .take()
            .ok_or_else(|| js_error("finishLoad called before beginLoad"))?;
        let job = import_job_from_js(job)?;
        let mesh = reader.finish().map_err(js_error)?;
        self.set_mesh(mesh, &job)
    }

    /// Loads the built-in demo model, transformed as for `finishLoad`. Returns `info()`.
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&mut self, job: JsValue) -> Result<JsValue, JsValue> {
        self.loader = None;
        self.model = None;
        self.drawing = None;
        let job = import_job_from_js(job)?;
        self.set_mesh(demo_mesh(), &job)
    }

    /// Loads a whole SVG or DXF file (told apart by content) and places it as the job's
    /// model transform says (`job.model`, in `job.units`; `null` for the default). Drops the
    /// previous model or drawing first. Returns `info()`; a file the readers refuse throws
    /// their one-line message.
    #[wasm_bindgen(js_name = loadDrawing)]
    pub fn load_drawing(&mut self, bytes: &[u8], job: JsValue) -> Result<JsValue, JsValue> {
        self.loader = None;
        self.model = None;
        self.drawing = None;
        let job = import_job_from_js(job)?;
        let mut d = drawing::import(bytes, &ImportOptions::default()).map_err(js_error)?;
        engine::place_drawing(&mut d, &job).map_err(engine_error)?;
        self.drawing = Some(LoadedDrawing {
            bounds: engine::drawing_box(&d, &job),
            drawing: d,
            units: job.units,
        });
        self.info()
    }

    /// The loaded drawing's paths for WebGL, flattened within 0.05 mm: `{ lines, kinds }`,
    /// `lines` a `Float32Array` of segments (two xyz points each, at Z 0: the viewer lifts
    /// them to the material's top) and `kinds` a `Uint8Array` with one entry per point,
    /// 5 for a closed path (outline or hole) and 6 for an open one. `null` without a drawing.
    #[wasm_bindgen(js_name = drawingLines)]
    pub fn drawing_lines(&self) -> Result<JsValue, JsValue> {
        let Some(ld) = &self.drawing else {
            return Ok(JsValue::NULL);
        };
        let tol = PREVIEW_TOLERANCE_MM / ld.units.mm();
        let d = &ld.drawing;
        let mut lines: Vec<f32> = Vec::new();
        let mut kinds: Vec<u8> = Vec::new();
        let closed = d
            .shapes
            .iter()
            .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes));
        for (path, kind) in closed
            .map(|p| (p, LINE_CLOSED))
            .chain(d.open.iter().map(|p| (p, LINE_OPEN)))
        {
            let pts = path.flatten(tol);
            let n = pts.len();
            let segments = if path.closed && n > 2 {
                n
            } else {
                n.saturating_sub(1)
            };
            for i in 0..segments {
                for p in [pts[i], pts[(i + 1) % n]] {
                    lines.extend_from_slice(&[p.x as f32, p.y as f32, 0.0]);
                    kinds.push(kind);
                }
            }
        }
        let o = js_sys::Object::new();
        Reflect::set(&o, &"lines".into(), &Float32Array::from(lines.as_slice()))?;
        Reflect::set(&o, &"kinds".into(), &Uint8Array::from(kinds.as_slice()))?;
        Ok(o.into())
    }

    fn set_mesh(&mut self, mesh: Mesh, job: &Job) -> Result<JsValue, JsValue> {
        let model =
            Model::new(mesh, &job.model, job.units).map_err(|e| js_error(EngineError::from(e)))?;
        self.model = Some(model);
        self.info()
    }

    /// For a model `{ kind: "model", triangles, bounds: {min, max}, engineBytes,
    /// bytesPerTriangle, wasmMemory, droppedDegenerate }`; for a drawing `{ kind: "drawing",
    /// outlines, holes, openPaths, segments, bounds, size: [w, h], units, notices,
    /// wasmMemory }` (`bounds` in Z spans the load job's depths; `size` in the job's units);
    /// `null` when nothing is loaded.
    pub fn info(&self) -> Result<JsValue, JsValue> {
        if let Some(ld) = &self.drawing {
            return drawing_info(ld);
        }
        let Some(model) = &self.model else {
            return Ok(JsValue::NULL);
        };
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Info {
            kind: &'static str,
            triangles: usize,
            bounds: crate::mesh::Aabb,
            engine_bytes: usize,
            bytes_per_triangle: f64,
            wasm_memory: f64,
            dropped_degenerate: usize,
        }
        let mesh = model.mesh();
        let n = mesh.len();
        to_js(&Info {
            kind: "model",
            triangles: n,
            bounds: mesh.bounds(),
            engine_bytes: model.engine_bytes(),
            bytes_per_triangle: model.engine_bytes() as f64 / n.max(1) as f64,
            wasm_memory: wasm_memory_bytes(),
            dropped_degenerate: mesh.dropped_degenerate,
        })
    }

    /// What the job will machine on the loaded model or drawing, for the preview: `{ stock:
    /// {min, max}, areas: [{min, max}], floor, top, safeHeight }`, the stock box roughing
    /// clears and each operation's machining area (cutter centre limits), as [`Job::resolve`]
    /// works them out (for a drawing, over the drawing's outline and the job's depths).
    /// `null` when nothing is loaded; a job the engine refuses throws its message.
    pub fn preview(&self, job: JsValue) -> Result<JsValue, JsValue> {
        let job = job_from_js(job)?;
        let bounds = match (&self.model, &self.drawing) {
            (Some(model), _) => model.mesh().bounds(),
            (None, Some(ld)) => engine::drawing_box(&ld.drawing, &job),
            (None, None) => return Ok(JsValue::NULL),
        };
        let resolved = job.resolve(&bounds).map_err(|e| job_error(&e))?;
        let Some(first) = resolved.first() else {
            return Ok(JsValue::NULL);
        };
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Preview {
            stock: Box3,
            areas: Vec<Rect>,
            floor: f64,
            top: f64,
            safe_height: f64,
        }
        to_js(&Preview {
            stock: first.stock,
            areas: resolved.iter().map(|r| r.area).collect(),
            floor: first.floor,
            top: first.top,
            safe_height: first.safe_height,
        })
    }

    /// A `Float32Array` view of the triangle buffer (nine floats per triangle) inside wasm
    /// memory: no copy. Valid only until the next call into the engine that allocates; copy
    /// it (`slice()`) to keep it or to transfer it to another thread.
    pub fn triangles(&self) -> Float32Array {
        let tris: &[f32] = self.model.as_ref().map_or(&[], |m| m.mesh().triangles());
        // SAFETY: the view is handed straight to JS, which is told (above and in worker.js)
        // not to hold it across calls that may grow memory or replace the model.
        unsafe { Float32Array::view(tris) }
    }

    /// Runs the job on the loaded model (3D strategies) or drawing (2D strategies; a job of
    /// the other kind throws the engine's message naming `strategy.type`).
    /// `progress(fraction)` is called between raster lines or paths; returning `false`
    /// cancels (the promise-free call then throws "cancelled").
    pub fn generate(&mut self, job: JsValue, progress: &Function) -> Result<Generated, JsValue> {
        let job = valid_job_from_js(job)?;
        let mut report = reporter(progress);
        let out = match (&self.model, &self.drawing) {
            (Some(model), _) => generate(model, &job, &mut report),
            (None, Some(ld)) => engine::generate_drawing(&ld.drawing, &job, &mut report),
            (None, None) => return Err(js_error("no model or drawing loaded")),
        }
        .map_err(engine_error)?;
        Ok(Generated::new(out, job.units))
    }

    /// A copy of the triangle buffer for the preview, decimated to at most `budget`
    /// triangles when the model has more (see `mesh::decimate`); the engine keeps the full
    /// model for machining. Empty with no model.
    #[wasm_bindgen(js_name = previewTriangles)]
    pub fn preview_triangles(&self, budget: usize) -> Float32Array {
        let tris: &[f32] = self.model.as_ref().map_or(&[], |m| m.mesh().triangles());
        if tris.len() / 9 <= budget {
            return Float32Array::from(tris);
        }
        Float32Array::from(&crate::mesh::decimate::decimate(tris, budget)[..])
    }

    /// The raster lines of the job's parallel-finishing operations in batches, for a pool of
    /// workers: `[{ op, lines: Float64Array (x0, y0, x1, y1 per line), reach: [x0, y0, x1,
    /// y1] }]` in the order [`Engine::generate_with`] takes their sampled lines. Empty when
    /// the job has none (or a drawing is loaded).
    #[wasm_bindgen(js_name = parallelBatches)]
    pub fn parallel_batches(&self, job: JsValue) -> Result<js_sys::Array, JsValue> {
        let job = valid_job_from_js(job)?;
        let out = js_sys::Array::new();
        let Some(model) = &self.model else {
            return Ok(out);
        };
        for (op, b) in engine::parallel_batches(model, &job).map_err(engine_error)? {
            let flat: Vec<f64> = b
                .lines
                .iter()
                .flat_map(|(a, c)| [a.x, a.y, c.x, c.y])
                .collect();
            let o = js_sys::Object::new();
            Reflect::set(&o, &"op".into(), &JsValue::from_f64(op as f64))?;
            Reflect::set(&o, &"lines".into(), &Float64Array::from(&flat[..]))?;
            let r = [b.reach.min.x, b.reach.min.y, b.reach.max.x, b.reach.max.y];
            Reflect::set(&o, &"reach".into(), &Float64Array::from(&r[..]))?;
            out.push(&o);
        }
        Ok(out)
    }

    /// A copy of the loaded model's triangles whose XY box meets `x0..x1 × y0..y1` (a
    /// batch's reach): what a pool worker samples the batch on.
    #[wasm_bindgen(js_name = trianglesIn)]
    pub fn triangles_in(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> Float32Array {
        let Some(m) = self.model.as_ref() else {
            return Float32Array::new_with_length(0);
        };
        // Run by run from the model's buffer into the JS array: the batch never takes room
        // in wasm memory (on 10M triangles a batch reaches about 1M of them, 36 MB).
        let runs = m.runs_in([x0, y0], [x1, y1]);
        let tris = m.mesh().triangles();
        let total: usize = runs.iter().map(|r| r.len()).sum();
        let out = Float32Array::new_with_length((9 * total) as u32);
        let mut at = 0u32;
        for r in runs {
            let part = &tris[9 * r.start..9 * r.end];
            out.subarray(at, at + part.len() as u32).copy_from(part);
            at += part.len() as u32;
        }
        out
    }

    /// Samples the raster `lines` (`x0, y0, x1, y1` each) of operation `op` of `job` on the
    /// loaded model itself: what [`sample_lines`] gives a pool worker for the same batch, the
    /// same layout and the same bits, with no copy of the model. The engine's own thread
    /// takes batches this way while its pool works.
    #[wasm_bindgen(js_name = sampleBatch)]
    pub fn sample_batch(
        &self,
        job: JsValue,
        op: usize,
        lines: &[f64],
    ) -> Result<Float64Array, JsValue> {
        let job = valid_job_from_js(job)?;
        if !lines.len().is_multiple_of(4) {
            return Err(js_error("sampleBatch: ragged lines"));
        }
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| js_error("no model loaded"))?;
        let segs = segments(lines);
        let bounds = model.mesh().bounds();
        let sampled =
            engine::sample_batch(model, &bounds, &job, op, &segs).map_err(engine_error)?;
        Ok(pack_lines(&sampled))
    }

    /// The loaded model's box `[x0, y0, z0, x1, y1, z1]`, which a pool worker resolves the
    /// job against.
    #[wasm_bindgen(js_name = modelBounds)]
    pub fn model_bounds(&self) -> Result<Float32Array, JsValue> {
        let m = self
            .model
            .as_ref()
            .ok_or_else(|| js_error("no model loaded"))?;
        let b = m.mesh().bounds();
        Ok(Float32Array::from(
            &[b.min[0], b.min[1], b.min[2], b.max[0], b.max[1], b.max[2]][..],
        ))
    }

    /// As [`Engine::generate`], with the lines of the batches of [`Engine::parallel_batches`]
    /// sampled elsewhere: `sampled[i]` is what [`sample_lines`] returned for batch `i`. The
    /// program is the same bytes as `generate`'s.
    #[wasm_bindgen(js_name = generateWith)]
    pub fn generate_with(
        &mut self,
        job: JsValue,
        sampled: js_sys::Array,
        progress: &Function,
    ) -> Result<Generated, JsValue> {
        let job = valid_job_from_js(job)?;
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| js_error("no model loaded"))?;
        let batches = engine::parallel_batches(model, &job).map_err(engine_error)?;
        if sampled.length() as usize != batches.len() {
            return Err(js_error(format!(
                "{} sampled batches given for {}",
                sampled.length(),
                batches.len()
            )));
        }
        let mut per_op: Vec<Option<Vec<Vec<DVec3>>>> = vec![None; job.operations().len()];
        for (i, (op, _)) in batches.iter().enumerate() {
            let flat = Float64Array::new(&sampled.get(i as u32)).to_vec();
            let lines = unpack_lines(&flat).ok_or_else(|| js_error("malformed sampled lines"))?;
            per_op[*op].get_or_insert_with(Vec::new).extend(lines);
        }
        let mut report = reporter(progress);
        let out =
            engine::generate_presampled(model, &job, per_op, &mut report).map_err(engine_error)?;
        Ok(Generated::new(out, job.units))
    }

    /// Checks `generated`'s program against the loaded model (see `sim::verify`): every
    /// operation with its own cutter and holder, on the first operation's stock box at
    /// `opts.cell` (pass the simulation's cell and the map lines up with its grid) or from
    /// `opts.budget_bytes`. Returns `{ nx, ny, origin, cell, deviation: Float32Array (per
    /// cell, mm in the job's units: negative inside the model, NaN beside it), problems,
    /// unlisted, deepestGouge, mostLeft, moves, failed }`. `progress` as for `generate`.
    pub fn verify(
        &self,
        generated: &Generated,
        job: JsValue,
        opts: JsValue,
        progress: &Function,
    ) -> Result<JsValue, JsValue> {
        let job = job_from_js(job)?;
        let opts: engine::VerifyOptions = if opts.is_undefined() || opts.is_null() {
            engine::VerifyOptions::default()
        } else {
            serde_wasm_bindgen::from_value(opts).map_err(|e| js_error(format!("verify: {e}")))?
        };
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| js_error("verify needs a model (a drawing has none to compare with)"))?;
        let mut report = reporter(progress);
        let r =
            engine::verify(model, &job, &generated.out, &opts, &mut report).map_err(js_error)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Found<'a> {
            nx: usize,
            ny: usize,
            origin: [f64; 2],
            cell: f64,
            problems: &'a [crate::sim::verify::Problem],
            unlisted: [usize; 4],
            deepest_gouge: Option<crate::sim::verify::Problem>,
            most_left: Option<crate::sim::verify::Problem>,
            moves: usize,
            failed: bool,
        }
        let found = Found {
            nx: r.stock.nx(),
            ny: r.stock.ny(),
            origin: r.stock.origin(),
            cell: r.stock.cell(),
            problems: &r.problems,
            unlisted: r.unlisted,
            deepest_gouge: r.deepest_gouge,
            most_left: r.most_left,
            moves: r.moves,
            failed: r.failed(opts.tolerance),
        };
        let v = to_js(&found)?;
        Reflect::set(
            &v,
            &"deviation".into(),
            &Float32Array::from(r.deviation.as_slice()),
        )?;
        Ok(v)
    }
}

/// `info()` of a drawing.
fn drawing_info(ld: &LoadedDrawing) -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Info<'a> {
        kind: &'static str,
        outlines: usize,
        holes: usize,
        open_paths: usize,
        segments: usize,
        bounds: Aabb,
        size: [f64; 2],
        units: &'static str,
        notices: &'a [String],
        wasm_memory: f64,
    }
    let d = &ld.drawing;
    let b = &ld.bounds;
    to_js(&Info {
        kind: "drawing",
        outlines: d.shapes.len(),
        holes: d.hole_count(),
        open_paths: d.open.len(),
        segments: d.paths().map(|p| p.segments().count()).sum(),
        bounds: *b,
        size: [
            f64::from(b.max[0] - b.min[0]),
            f64::from(b.max[1] - b.min[1]),
        ],
        units: ld.units.name(),
        notices: &d.notices,
        wasm_memory: wasm_memory_bytes(),
    })
}

/// The job for an import (its `model` transform and `units`); `null`/`undefined` is the default.
fn import_job_from_js(v: JsValue) -> Result<Job, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(Job::default());
    }
    job_from_js(v)
}

/// One generated result: toolpath, G-code and summary. Getters copy out of wasm memory into
/// JS-owned buffers so the worker can transfer them to the page.
#[wasm_bindgen]
pub struct Generated {
    out: Output,
    /// The toolpath with its arcs flattened, for the preview.
    preview: Toolpath,
    /// Where each point of the program's toolpath is in `preview`.
    ends: Vec<u32>,
}

impl Generated {
    /// A program with its preview: arcs flattened into feed moves within
    /// `PREVIEW_TOLERANCE_MM` (the preview draws straight segments).
    fn new(out: Output, units: Units) -> Generated {
        let (preview, ends) = out
            .toolpath
            .flattened_with_ends(PREVIEW_TOLERANCE_MM / units.mm());
        Generated { out, preview, ends }
    }
}

#[wasm_bindgen]
impl Generated {
    /// Cutter locations for the preview, xyz per point: the toolpath with each arc move
    /// replaced by feed moves within 0.05 mm of it.
    pub fn points(&self) -> Float32Array {
        Float32Array::from(self.preview.points.as_slice())
    }

    /// One move kind per point of [`Generated::points`]: 0 rapid, 1 plunge, 2 feed (no
    /// arcs: they are flattened).
    pub fn kinds(&self) -> Uint8Array {
        Uint8Array::from(self.preview.kinds.as_slice())
    }

    /// For each point of the program's toolpath (arcs whole, as the simulation and its
    /// slider count moves), its index in [`Generated::points`].
    pub fn ends(&self) -> Uint32Array {
        Uint32Array::from(self.ends.as_slice())
    }

    /// Where each operation starts in the program's toolpath (its first point's index).
    #[wasm_bindgen(js_name = opStarts)]
    pub fn op_starts(&self) -> Uint32Array {
        let s: Vec<u32> = self.out.op_starts.iter().map(|&i| i as u32).collect();
        Uint32Array::from(s.as_slice())
    }

    /// Arc moves (G2/G3) in the program's toolpath, before flattening.
    pub fn arcs(&self) -> usize {
        self.out.toolpath.kinds.iter().filter(|&&k| k >= 3).count()
    }

    /// The G-code program.
    pub fn gcode(&self) -> String {
        self.out.gcode.clone()
    }

    /// The engine's summary (points, lengths, estimated time) as a plain object.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js(&self.out.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::Det;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn pool_entry_points_refuse_bad_input_with_a_message() {
        let job = serde_wasm_bindgen::to_value(&Job::default()).unwrap();
        let msg = |e: JsValue| {
            e.dyn_into::<js_sys::Error>()
                .unwrap()
                .message()
                .as_string()
                .unwrap()
        };
        // Ragged triangles, bounds or lines.
        for (t, b, l) in [(8usize, 6usize, 4usize), (9, 5, 4), (9, 6, 3)] {
            let e = sample_lines(vec![0.0; t], &vec![0.0; b], job.clone(), 0, &vec![0.0; l])
                .unwrap_err();
            assert!(msg(e).contains("ragged"));
        }
        // sampleBatch: no model yet, then ragged lines, then an operation the job lacks.
        let mut engine = Engine::new();
        let e = engine.sample_batch(job.clone(), 0, &[0.0; 4]).unwrap_err();
        assert!(msg(e).contains("no model loaded"));
        engine.load_demo(job.clone()).unwrap();
        let e = engine.sample_batch(job.clone(), 0, &[0.0; 3]).unwrap_err();
        assert!(msg(e).contains("ragged"));
        let m = msg(engine.sample_batch(job.clone(), 5, &[0.0; 4]).unwrap_err());
        assert!(m.contains("operation 6"), "{m}");
        // Sampled batches that do not match the job's.
        let batches = engine.parallel_batches(job.clone()).unwrap();
        assert!(batches.length() > 1);
        let none = js_sys::Array::new();
        let e = engine
            .generate_with(job.clone(), none, &Function::new_no_args(""))
            .err()
            .unwrap();
        assert!(msg(e).contains("sampled batches given"));
        let junk = js_sys::Array::new();
        for _ in 0..batches.length() {
            junk.push(&Float64Array::from(&[3.0, 1.0][..]));
        }
        let e = engine
            .generate_with(job, junk, &Function::new_no_args(""))
            .err()
            .unwrap();
        assert!(msg(e).contains("malformed sampled lines"));
    }

    /// The engine's own share of a pooled job: `sampleBatch` on the whole model gives what
    /// `sampleLines` gives a pool worker on the batch's reach, bit for bit, and a mix of the
    /// two links to `generate`'s program.
    #[wasm_bindgen_test]
    fn sample_batch_equals_sample_lines_on_the_reach() {
        let job = serde_wasm_bindgen::to_value(&Job::default()).unwrap();
        let mut engine = Engine::new();
        engine.load_demo(job.clone()).unwrap();
        let bounds = engine.model_bounds().unwrap().to_vec();
        let batches = engine.parallel_batches(job.clone()).unwrap();
        assert!(batches.length() > 2);
        let sampled = js_sys::Array::new();
        for (i, b) in batches.iter().enumerate() {
            let get = |k: &str| Reflect::get(&b, &k.into()).unwrap();
            let op = get("op").as_f64().unwrap() as usize;
            let lines = Float64Array::from(get("lines")).to_vec();
            let reach = Float64Array::from(get("reach")).to_vec();
            let own = engine.sample_batch(job.clone(), op, &lines).unwrap();
            let tris = engine
                .triangles_in(reach[0], reach[1], reach[2], reach[3])
                .to_vec();
            let pooled = sample_lines(tris, &bounds, job.clone(), op, &lines).unwrap();
            let (own, pooled) = (own.to_vec(), pooled.to_vec());
            assert_eq!(own.len(), pooled.len(), "batch {i}");
            assert!(
                own.iter()
                    .zip(&pooled)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "batch {i}: sampleBatch and sampleLines differ"
            );
            let take = if i % 2 == 0 { own } else { pooled };
            sampled.push(&Float64Array::from(&take[..]));
        }
        let whole = engine
            .generate(job.clone(), &Function::new_no_args(""))
            .unwrap();
        let mixed = engine
            .generate_with(job, sampled, &Function::new_no_args(""))
            .unwrap();
        assert_eq!(whole.gcode(), mixed.gcode());
    }

    #[wasm_bindgen_test]
    fn demo_loads_and_views_without_copy() {
        let mut e = Engine::new();
        let info = e.load_demo(JsValue::UNDEFINED).unwrap();
        let n = Reflect::get(&info, &"triangles".into())
            .unwrap()
            .as_f64()
            .unwrap() as u32;
        assert!(n > 100);
        let view = e.triangles();
        assert_eq!(view.length(), 9 * n);
        // A view shares wasm memory's buffer; a copy would not.
        let memory: JsValue = wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer();
        assert_eq!(JsValue::from(view.buffer()), memory);
    }

    #[wasm_bindgen_test]
    fn streams_chunks_at_any_boundary() {
        let mut bytes = Vec::new();
        crate::mesh::stl::write_binary_stl(&demo_mesh(), &mut bytes).unwrap();
        let mut e = Engine::new();
        e.begin_load(bytes.len() as f64);
        for c in bytes.chunks(777) {
            e.push_chunk(c).unwrap();
        }
        e.finish_load(JsValue::NULL).unwrap();
        assert_eq!(e.triangles().length() as usize, (bytes.len() - 84) / 50 * 9);
    }

    #[wasm_bindgen_test]
    fn malformed_file_is_an_error_not_a_panic() {
        let mut e = Engine::new();
        e.begin_load(10.0);
        let r = e
            .push_chunk(b"not an stl")
            .and_then(|_| e.finish_load(JsValue::NULL));
        let err: js_sys::Error = r.unwrap_err().unchecked_into();
        assert!(!String::from(err.message()).is_empty());
        // The engine still works afterwards.
        e.load_demo(JsValue::NULL).unwrap();
    }

    #[wasm_bindgen_test]
    fn generates_and_cancels() {
        let mut e = Engine::new();
        e.load_demo(JsValue::NULL).unwrap();
        let job = default_job().unwrap();
        let go = Function::new_no_args("return true");
        let g = e.generate(job.clone(), &go).unwrap();
        assert!(g.points().length() > 0);
        assert_eq!(g.points().length(), 3 * g.kinds().length());
        assert!(g.gcode().contains("G1"));
        let stop = Function::new_no_args("return false");
        assert!(e.generate(job, &stop).is_err());
    }

    #[wasm_bindgen_test]
    fn default_strategies_are_tagged_by_type() {
        for kind in [
            "parallel",
            "waterline",
            "rough",
            "pencil",
            "scallop",
            "engrave",
            "profile",
            "pocket",
            "vcarve",
        ] {
            let s = default_strategy(kind).unwrap();
            let t = Reflect::get(&s, &"type".into()).unwrap();
            assert_eq!(t.as_string().unwrap(), kind);
        }
        let w = default_strategy("waterline").unwrap();
        assert!(Reflect::get(&w, &"z_top".into()).unwrap().is_null());
        assert!(default_strategy("trochoidal").unwrap().is_null());
    }

    #[wasm_bindgen_test]
    fn registry_lists_every_strategy_with_its_defaults() {
        let r = registry().unwrap();
        let list: js_sys::Array = Reflect::get(&r, &"strategies".into()).unwrap().into();
        assert_eq!(list.length() as usize, StrategySpec::KINDS.len());
        for (k, info) in StrategySpec::KINDS.iter().enumerate() {
            let d = Reflect::get(&list.get(k as u32), &"defaults".into()).unwrap();
            let t = Reflect::get(&d, &"type".into()).unwrap();
            assert_eq!(t.as_string().unwrap(), info.name);
        }
    }

    #[wasm_bindgen_test]
    fn preview_follows_the_explicit_stock() {
        let mut e = Engine::new();
        e.load_demo(JsValue::NULL).unwrap();
        let job = default_job().unwrap();
        let stock =
            js_sys::JSON::parse(r#"{"margin": 0, "min": [-70, -60, -1], "max": [70, 60, 40]}"#)
                .unwrap();
        Reflect::set(&job, &"stock".into(), &stock).unwrap();
        let p = e.preview(job).unwrap();
        let s = Reflect::get(&p, &"stock".into()).unwrap();
        let max: js_sys::Array = Reflect::get(&s, &"max".into()).unwrap().into();
        assert_eq!(max.get(2).as_f64(), Some(40.0));
        let areas: js_sys::Array = Reflect::get(&p, &"areas".into()).unwrap().into();
        assert_eq!(areas.length(), 1);
    }

    const SIGN: &[u8] = include_bytes!("../www/examples/sign.svg");

    fn get(o: &JsValue, k: &str) -> JsValue {
        Reflect::get(o, &k.into()).unwrap()
    }

    /// The default job with the strategy `kind` at its defaults.
    fn job_with(kind: &str) -> JsValue {
        let job = default_job().unwrap();
        Reflect::set(&job, &"strategy".into(), &default_strategy(kind).unwrap()).unwrap();
        job
    }

    #[wasm_bindgen_test]
    fn drawing_format_is_told_by_content() {
        assert_eq!(drawing_format(SIGN).as_deref(), Some("svg"));
        assert_eq!(drawing_format(b"0\nSECTION\n").as_deref(), Some("dxf"));
        let mut stl = Vec::new();
        crate::mesh::stl::write_binary_stl(&demo_mesh(), &mut stl).unwrap();
        assert_eq!(drawing_format(&stl[..256]), None);
    }

    #[wasm_bindgen_test]
    fn drawing_loads_draws_and_engraves_with_arcs() {
        let mut e = Engine::new();
        let info = e.load_drawing(SIGN, JsValue::NULL).unwrap();
        assert_eq!(get(&info, "kind").as_string().unwrap(), "drawing");
        assert_eq!(get(&info, "outlines").as_f64(), Some(1.0));
        assert_eq!(get(&info, "holes").as_f64(), Some(2.0));
        assert_eq!(get(&info, "openPaths").as_f64(), Some(1.0));
        let size: js_sys::Array = get(&info, "size").into();
        assert!((size.get(0).as_f64().unwrap() - 120.0).abs() < 1e-3);
        assert!((size.get(1).as_f64().unwrap() - 60.0).abs() < 1e-3);
        // No triangles for a drawing; its lines instead, two points per segment.
        assert_eq!(e.triangles().length(), 0);
        let l = e.drawing_lines().unwrap();
        let lines: Float32Array = get(&l, "lines").into();
        let kinds: Uint8Array = get(&l, "kinds").into();
        assert!(lines.length() > 100);
        assert_eq!(lines.length(), 3 * kinds.length());
        assert_eq!(kinds.length() % 2, 0);
        let k = kinds.to_vec();
        assert!(k.contains(&LINE_CLOSED) && k.contains(&LINE_OPEN));
        // A hole's circle (r 4 about (12, 30)) is flattened within 0.05 mm of it.
        let pts = lines.to_vec();
        let on_hole: Vec<f64> = pts
            .chunks(3)
            .map(|p| (f64::from(p[0]) - 12.0).dhypot(f64::from(p[1]) - 30.0))
            .filter(|r| (*r - 4.0).abs() < 0.5)
            .collect();
        assert!(on_hole.len() >= 16, "{}", on_hole.len());
        assert!(on_hole.iter().all(|r| *r <= 4.0 + 1e-3 && *r > 4.0 - 0.05));

        let go = Function::new_no_args("return true");
        let g = e.generate(job_with("engrave"), &go).unwrap();
        let gcode = g.gcode();
        assert!(
            gcode
                .lines()
                .any(|l| l.starts_with("G2 ") || l.starts_with("G3 ")),
            "{gcode}"
        );
        assert!(g.arcs() > 0);
        // The preview gets straight moves only, and more of them than the arcs had.
        let kinds = g.kinds().to_vec();
        assert!(kinds.iter().all(|&k| k <= 2));
        assert_eq!(g.points().length() as usize, 3 * kinds.len());
        // The cut runs at the engraving depth, below the drawing's plane.
        let min_z = g
            .points()
            .to_vec()
            .chunks(3)
            .map(|p| p[2])
            .fold(f32::INFINITY, f32::min);
        assert!((min_z + 0.5).abs() < 1e-4, "{min_z}");
        // The preview of the job spans the drawing.
        let p = e.preview(job_with("engrave")).unwrap();
        let area: js_sys::Array = get(&get(&get(&p, "areas"), "0"), "max").into();
        assert!(area.get(0).as_f64().unwrap() >= 120.0 - 1e-3);
    }

    #[wasm_bindgen_test]
    fn the_wrong_kind_of_strategy_names_the_field() {
        let mut e = Engine::new();
        e.load_drawing(SIGN, JsValue::NULL).unwrap();
        let go = Function::new_no_args("return true");
        let err: js_sys::Error = e
            .generate(job_with("parallel"), &go)
            .err()
            .unwrap()
            .unchecked_into();
        assert_eq!(
            get(&err, "field").as_string().as_deref(),
            Some("strategy.type")
        );
        // And the other way round, after a model replaced the drawing.
        e.load_demo(JsValue::NULL).unwrap();
        assert!(e.drawing_lines().unwrap().is_null());
        let err: js_sys::Error = e
            .generate(job_with("engrave"), &go)
            .err()
            .unwrap()
            .unchecked_into();
        assert!(String::from(err.message()).contains("engrave"));
    }

    #[wasm_bindgen_test]
    fn a_bad_drawing_is_one_line_and_the_engine_goes_on() {
        let mut e = Engine::new();
        for bad in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><path d='M 0 0"[..],
            b"hello",
        ] {
            let err: js_sys::Error = e
                .load_drawing(bad, JsValue::NULL)
                .err()
                .unwrap()
                .unchecked_into();
            let m = String::from(err.message());
            assert!(!m.is_empty() && !m.contains('\n'), "{m}");
            assert!(e.info().unwrap().is_null());
        }
        e.load_drawing(SIGN, JsValue::NULL).unwrap();
    }

    #[wasm_bindgen_test]
    fn invalid_job_names_the_field() {
        let job = default_job().unwrap();
        let tool = Reflect::get(&job, &"tool".into()).unwrap();
        Reflect::set(&tool, &"diameter".into(), &JsValue::from_f64(-1.0)).unwrap();
        let err = validate_job(job).unwrap();
        let field = Reflect::get(&err, &"field".into()).unwrap();
        assert_eq!(field.as_string().unwrap(), "tool.diameter");
    }
}

//! The `#[wasm_bindgen]` surface the page's Web Worker holds: thin, no geometry of its own.
//!
//! One [`Engine`] per worker. The worker streams a `File` into it chunk by chunk
//! ([`Engine::begin_load`], [`Engine::push_chunk`], [`Engine::finish_load`]), so a large STL
//! never sits in memory twice; shows the triangle buffer to WebGL through a `Float32Array`
//! *view* of wasm memory ([`Engine::triangles`], no copy); and runs [`Engine::generate`] with a
//! progress callback that may return `false` to cancel.
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

use js_sys::{Float32Array, Function, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::demo::demo_mesh;
use crate::engine::{generate, EngineError, Model, Output};
use crate::geom::{Box3, Rect};
use crate::job::{Job, JobError, StrategySpec};

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

/// The engine held by one worker: at most one model, one load in progress, one result.
#[wasm_bindgen]
pub struct Engine {
    loader: Option<StlReader>,
    model: Option<Model>,
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
        }
    }

    /// Starts streaming an STL of `size` bytes (the `File.size`; pass a negative number when
    /// unknown). Drops the previous model first so its memory is reused.
    #[wasm_bindgen(js_name = beginLoad)]
    pub fn begin_load(&mut self, size: f64) {
        self.model = None;
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
        let job = import_job_from_js(job)?;
        self.set_mesh(demo_mesh(), &job)
    }

    fn set_mesh(&mut self, mesh: Mesh, job: &Job) -> Result<JsValue, JsValue> {
        let model =
            Model::new(mesh, &job.model, job.units).map_err(|e| js_error(EngineError::from(e)))?;
        self.model = Some(model);
        self.info()
    }

    /// `{ triangles, bounds: {min, max}, engineBytes, bytesPerTriangle, wasmMemory,
    /// droppedDegenerate }` for the loaded model, or `null`.
    pub fn info(&self) -> Result<JsValue, JsValue> {
        let Some(model) = &self.model else {
            return Ok(JsValue::NULL);
        };
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Info {
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
            triangles: n,
            bounds: mesh.bounds(),
            engine_bytes: model.engine_bytes(),
            bytes_per_triangle: model.engine_bytes() as f64 / n.max(1) as f64,
            wasm_memory: wasm_memory_bytes(),
            dropped_degenerate: mesh.dropped_degenerate,
        })
    }

    /// What the job will machine on the loaded model, for the preview: `{ stock: {min, max},
    /// areas: [{min, max}], floor, top, safeHeight }`, the stock box roughing clears and each
    /// operation's machining area (cutter centre limits), as [`Job::resolve`] works them out.
    /// `null` when no model is loaded; a job the engine refuses throws its message.
    pub fn preview(&self, job: JsValue) -> Result<JsValue, JsValue> {
        let Some(model) = &self.model else {
            return Ok(JsValue::NULL);
        };
        let job = job_from_js(job)?;
        let resolved = job
            .resolve(&model.mesh().bounds())
            .map_err(|e| job_error(&e))?;
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

    /// Runs the job on the loaded model. `progress(fraction)` is called between raster
    /// lines; returning `false` cancels (the promise-free call then throws "cancelled").
    pub fn generate(&mut self, job: JsValue, progress: &Function) -> Result<Generated, JsValue> {
        let job = job_from_js(job)?;
        job.validate().map_err(|e| job_error(&e))?;
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| js_error("no model loaded"))?;
        let mut report = |f: f32| -> bool {
            match progress.call1(&JsValue::NULL, &JsValue::from_f64(f as f64)) {
                // Only an explicit `false` cancels; `undefined` means "go on".
                Ok(v) => v.as_bool() != Some(false),
                Err(_) => false,
            }
        };
        let out = generate(model, &job, &mut report).map_err(|e| match e {
            EngineError::Job(e) => job_error(&e),
            e => js_error(e),
        })?;
        Ok(Generated { out })
    }
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
}

#[wasm_bindgen]
impl Generated {
    /// Cutter locations, xyz per point.
    pub fn points(&self) -> Float32Array {
        Float32Array::from(self.out.toolpath.points.as_slice())
    }

    /// One move kind per point: 0 rapid, 1 plunge, 2 feed.
    pub fn kinds(&self) -> Uint8Array {
        Uint8Array::from(self.out.toolpath.kinds.as_slice())
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
    use wasm_bindgen_test::wasm_bindgen_test;

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
        for kind in ["parallel", "waterline", "rough"] {
            let s = default_strategy(kind).unwrap();
            let t = Reflect::get(&s, &"type".into()).unwrap();
            assert_eq!(t.as_string().unwrap(), kind);
        }
        let w = default_strategy("waterline").unwrap();
        assert!(Reflect::get(&w, &"z_top".into()).unwrap().is_null());
        assert!(default_strategy("pocket").unwrap().is_null());
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

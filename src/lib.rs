//! # Swarf — CAM engine: STL in, 3-axis G-code out
//!
//! One crate, compiled natively (library, `swarf` CLI, tests, benchmarks) and to
//! `wasm32-unknown-unknown` for the web page. Data flows one way:
//!
//! ```text
//! STL bytes ─▶ mesh::Mesh (Vec<f32>, 9 per triangle) ─▶ index::Index ─▶ strategy ─▶ toolpath::Toolpath ─▶ post ─▶ G-code
//! ```
//!
//! Map of the crate:
//! - [`mesh`]: the triangle buffer, STL import ([`mesh::stl`]), bounds and transforms.
//! - [`index`]: the bounding-volume hierarchy the cutters query (a few bytes per triangle).
//! - [`cutter`]: tool shapes (flat, ball, bull, cone), their exact drop-cutter contact
//!   (vertical) and push-cutter intervals (horizontal, along a fiber).
//! - [`strategy`]: turns a job into toolpaths: parallel finishing, waterline (level sets of
//!   the drop-cutter surface, [`strategy::contour`]), z-level roughing; the cutter-location
//!   surface they all read is [`strategy::surface`].
//! - [`toolpath`]: the compact move list every strategy emits and every consumer reads,
//!   with the side of the travel the part is on.
//! - [`arcfit`]: runs of feed moves at one height become arcs within a tolerance, straying
//!   only away from the part.
//! - [`post`]: G-code writers per controller dialect.
//! - [`sim`]: stock simulation: a height field lowered by each move's exact swept volume.
//! - [`replay`]: a program replayed on that stock for a slider: the run in slices, then the
//!   state after any move from checkpoints kept within a byte budget.
//! - [`gcode`]: programs read back (any CAM's LinuxCNC or GRBL G-code) and their cycle time.
//! - [`job`]: the serde job description, validated once, with errors naming the field;
//!   a job may chain operations, each with its own cutter.
//! - [`engine`]: the front door shared by the CLI and the page: a loaded model (mesh + index)
//!   and `generate`, which runs a job's operations and writes one program.
//! - [`schema`], [`registry`]: how a job field is described, and the registries of the
//!   extension points (strategies, cutters, dialects, the settings panel) the page reads.
//! - [`demo`]: deterministic models made in code (the page's demo, tests, benchmarks).
//! - `web` (wasm only): the `#[wasm_bindgen]` surface for the page.

pub mod arcfit;
pub mod cutter;
pub mod demo;
pub mod drawing;
pub mod engine;
pub mod gcode;
pub mod geom;
pub mod index;
pub mod job;
pub mod mesh;
pub mod model;
pub mod post;
pub mod registry;
pub mod replay;
pub mod schema;
pub mod sim;
pub mod strategy;
pub mod toolpath;
pub mod units;

#[cfg(target_arch = "wasm32")]
pub mod web;

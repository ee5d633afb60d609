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
//! - [`cutter`]: tool shapes (flat, ball, bull, cone) and their exact drop-cutter contact.
//! - [`strategy`]: turns a job into toolpaths, one module per strategy.
//! - [`toolpath`]: the compact move list every strategy emits and every consumer reads.
//! - [`post`]: G-code writers per controller dialect.
//! - [`job`]: the serde job description, validated once, with errors naming the field.
//! - `web` (wasm only): the `#[wasm_bindgen]` surface for the page.

pub mod cutter;
pub mod demo;
pub mod engine;
pub mod index;
pub mod job;
pub mod mesh;
pub mod post;
pub mod strategy;
pub mod toolpath;

#[cfg(target_arch = "wasm32")]
pub mod web;

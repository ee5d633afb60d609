//! The job: one serde description of a whole machining job (model transform, cutter,
//! strategy, bounds, machine). The same JSON drives the CLI and the page. It is validated
//! once, at the edge, and every error names the field and the reason.
//!
//! All lengths are in the job's `units` (mm by default); the model is converted from the
//! file's units on import, and the G-code is written in the job's units.

mod strategy;

pub use strategy::*;

use crate::cutter::{Cutter, Shape};
use crate::geom::{Box3, DVec2, DVec3, Rect};
use crate::mesh::Aabb;
use crate::post::Dialect;
use crate::units::Units;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A refused job value: which field, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct JobError {
    /// Dotted path of the field, e.g. `strategy.stepover`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for JobError {}

fn err(field: &str, message: String) -> JobError {
    JobError {
        field: field.to_string(),
        message,
    }
}

pub use crate::mesh::transform::Axis;

/// Where the model goes after the other transforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    /// Leave it where the file put it.
    #[default]
    None,
    /// Centred on the XY origin, bottom at Z = 0.
    Center,
    /// Minimum corner at the origin.
    Origin,
}

/// A rotation by quarter turns about an axis (right hand rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    pub axis: Axis,
    /// Quarter turns (90° each); negative turns the other way.
    pub turns: i32,
}

/// The import transform, applied in this order: units, scale, rotations, mirrors,
/// translate, place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelTransform {
    /// Units the STL file was written in (converted to the job's units).
    pub units: Units,
    /// Scale factor per axis.
    pub scale: [f64; 3],
    pub rotate: Vec<Rotation>,
    pub mirror: Vec<Axis>,
    pub translate: [f64; 3],
    pub place: Place,
}

impl Default for ModelTransform {
    fn default() -> Self {
        ModelTransform {
            units: Units::Mm,
            scale: [1.0; 3],
            rotate: Vec::new(),
            mirror: Vec::new(),
            translate: [0.0; 3],
            place: Place::None,
        }
    }
}

/// Cutter kind, as written in the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ToolKind {
    Flat,
    #[default]
    Ball,
    Bull,
    Cone,
}

/// The cutter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToolSpec {
    #[serde(rename = "type")]
    pub kind: ToolKind,
    pub diameter: f64,
    /// Bull nose only.
    pub corner_radius: f64,
    /// Cone only: included angle in degrees.
    pub angle: f64,
    pub flute_length: f64,
    /// Tool number for the tool change.
    pub number: u32,
}

impl Default for ToolSpec {
    fn default() -> Self {
        ToolSpec {
            kind: ToolKind::Ball,
            diameter: 6.0,
            corner_radius: 1.0,
            angle: 90.0,
            flute_length: 20.0,
            number: 1,
        }
    }
}

impl ToolSpec {
    /// The validated cutter.
    pub fn cutter(&self) -> Result<Cutter, JobError> {
        self.cutter_at("tool")
    }

    /// The validated cutter; errors name fields under `prefix` (e.g. `operations[1].tool`).
    pub fn cutter_at(&self, prefix: &str) -> Result<Cutter, JobError> {
        let shape = match self.kind {
            ToolKind::Flat => Shape::Flat,
            ToolKind::Ball => Shape::Ball,
            ToolKind::Bull => Shape::Bull {
                corner_radius: self.corner_radius,
            },
            ToolKind::Cone => Shape::Cone {
                angle_deg: self.angle,
            },
        };
        Cutter::new(shape, self.diameter, self.flute_length).map_err(|e| {
            let field = if e.0.starts_with("corner") {
                "corner_radius"
            } else if e.0.starts_with("cone") {
                "angle"
            } else if e.0.starts_with("flute") {
                "flute_length"
            } else {
                "diameter"
            };
            err(&format!("{prefix}.{field}"), e.0)
        })
    }
}

/// The machining area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BoundsSpec {
    /// Added around the model's XY box (or the explicit box). Default: the cutter radius, so
    /// the edges of the model are finished.
    pub margin: Option<f64>,
    /// Explicit XY box `[min_x, min_y]`..`[max_x, max_y]` instead of the model's.
    pub min: Option<[f64; 2]>,
    pub max: Option<[f64; 2]>,
    /// The tool tip never goes below this Z. Default: the model's lowest point.
    pub floor: Option<f64>,
}

/// The raw stock: the model's box grown by `margin` (sides and top), or an explicit box.
/// Roughing clears it; entries go down in air only outside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StockSpec {
    /// Added to the model's box on the four sides and on top.
    pub margin: f64,
    /// Explicit stock box `[x, y, z]` corners instead.
    pub min: Option<[f64; 3]>,
    pub max: Option<[f64; 3]>,
}

/// The machine and the program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MachineSpec {
    pub dialect: Dialect,
    /// Cutting feed, units per minute.
    pub feed: f64,
    /// Plunge feed, units per minute.
    pub plunge_feed: f64,
    /// Rapid rate for the time estimate, units per minute.
    pub rapid_rate: f64,
    /// Spindle speed, rpm.
    pub spindle: f64,
    /// Absolute Z for rapids. Default: 5 units above the model's top.
    pub safe_height: Option<f64>,
    /// LinuxCNC path blending tolerance (`G64 P`).
    pub blend_tolerance: f64,
    /// Exact stop (`G61`) instead of blending.
    pub exact_stop: bool,
}

impl Default for MachineSpec {
    fn default() -> Self {
        MachineSpec {
            dialect: Dialect::Linuxcnc,
            feed: 1000.0,
            plunge_feed: 300.0,
            rapid_rate: 3000.0,
            spindle: 12000.0,
            safe_height: None,
            blend_tolerance: 0.01,
            exact_stop: false,
        }
    }
}

/// One operation of a chained job: a cutter and what to do with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Operation {
    pub tool: ToolSpec,
    pub strategy: StrategySpec,
}

/// A whole job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Job {
    /// Units of every length in the job and of the G-code.
    pub units: Units,
    pub model: ModelTransform,
    pub tool: ToolSpec,
    pub strategy: StrategySpec,
    pub bounds: BoundsSpec,
    pub stock: StockSpec,
    pub machine: MachineSpec,
    /// Operations run in order, each with its own cutter (rough, then waterline, then
    /// parallel finishing, say). When empty, `tool` and `strategy` are the one operation.
    pub operations: Vec<Operation>,
}

/// The most cutter-location samples one job may ask for before refinement: a job larger
/// than this is a typo (a stepover of 0.0001), not a plan, and would freeze the page.
#[cfg(not(target_arch = "wasm32"))]
pub const MAX_SAMPLES: f64 = 2.0e8;
/// In the page a tab has at most 4 GB of wasm memory, and the toolpath and its G-code cost
/// about 40 bytes a sample: a tenth of the native limit keeps a job well inside it.
#[cfg(target_arch = "wasm32")]
pub const MAX_SAMPLES: f64 = 2.0e7;

/// Everything a strategy needs once the job has been checked against the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub cutter: Cutter,
    /// XY machining box (cutter centre limits).
    pub area: Rect,
    pub floor: f64,
    pub safe_height: f64,
    /// The model's top.
    pub top: f64,
    /// The stock box.
    pub stock: Box3,
    /// The area was given explicitly (`bounds.min`/`max`): never cut outside it.
    pub bounded: bool,
}

fn positive(field: &str, v: f64, max: f64) -> Result<(), JobError> {
    if !v.is_finite() || v <= 0.0 {
        return Err(err(field, format!("{v} must be a positive number")));
    }
    if v > max {
        return Err(err(field, format!("{v} is larger than {max}")));
    }
    Ok(())
}

/// An optional box given by its two corners: both or neither, finite, `max > min` on every
/// axis. `name` is the field (`bounds`, `stock`).
fn check_box<const N: usize>(
    name: &str,
    min: Option<[f64; N]>,
    max: Option<[f64; N]>,
) -> Result<(), JobError> {
    match (min, max) {
        (Some(lo), Some(hi)) => {
            for k in 0..N {
                finite(&format!("{name}.min"), lo[k])?;
                finite(&format!("{name}.max"), hi[k])?;
                if lo[k] >= hi[k] {
                    return Err(err(
                        &format!("{name}.max"),
                        format!(
                            "max {} must be greater than min {} on {}",
                            hi[k],
                            lo[k],
                            ["x", "y", "z"][k]
                        ),
                    ));
                }
            }
            Ok(())
        }
        (None, None) => Ok(()),
        _ => Err(err(
            name,
            format!("give both {name}.min and {name}.max, or neither"),
        )),
    }
}

fn finite(field: &str, v: f64) -> Result<(), JobError> {
    if !v.is_finite() || v.abs() > 1.0e6 {
        return Err(err(
            field,
            format!("{v} must be a finite number within ±1000000"),
        ));
    }
    Ok(())
}

impl Job {
    /// Parses job JSON, with serde's message (which names the field and line) on failure.
    pub fn from_json(text: &str) -> Result<Job, JobError> {
        serde_json::from_str(text).map_err(|e| err("job", format!("invalid job JSON: {e}")))
    }

    /// Checks every value that does not depend on the model.
    pub fn validate(&self) -> Result<(), JobError> {
        let m = &self.model;
        for (k, s) in m.scale.iter().enumerate() {
            if !s.is_finite() || *s == 0.0 || s.abs() > 1.0e4 {
                return Err(err(
                    &format!("model.scale[{k}]"),
                    format!("{s} must be a non-zero number within ±10000"),
                ));
            }
        }
        for (k, t) in m.translate.iter().enumerate() {
            finite(&format!("model.translate[{k}]"), *t)?;
        }
        for (k, op) in self.operations().iter().enumerate() {
            let pre = self.op_prefix(k);
            let cutter = op.tool.cutter_at(&format!("{pre}tool"))?;
            op.strategy.validate(&format!("{pre}strategy"), &cutter)?;
        }
        let b = &self.bounds;
        if let Some(mg) = b.margin {
            finite("bounds.margin", mg)?;
            if mg < 0.0 {
                return Err(err("bounds.margin", format!("{mg} must not be negative")));
            }
        }
        check_box("bounds", b.min, b.max)?;
        if let Some(f) = b.floor {
            finite("bounds.floor", f)?;
        }
        let st = &self.stock;
        if !st.margin.is_finite() || !(0.0..=1.0e4).contains(&st.margin) {
            return Err(err(
                "stock.margin",
                format!("{} must be between 0 and 10000", st.margin),
            ));
        }
        check_box("stock", st.min, st.max)?;
        let mc = &self.machine;
        positive("machine.feed", mc.feed, 1.0e5)?;
        positive("machine.plunge_feed", mc.plunge_feed, 1.0e5)?;
        positive("machine.rapid_rate", mc.rapid_rate, 1.0e6)?;
        if !mc.spindle.is_finite() || mc.spindle < 0.0 || mc.spindle > 1.0e5 {
            return Err(err(
                "machine.spindle",
                format!("{} rpm must be between 0 and 100000", mc.spindle),
            ));
        }
        if let Some(s) = mc.safe_height {
            finite("machine.safe_height", s)?;
        }
        positive("machine.blend_tolerance", mc.blend_tolerance, 10.0)?;
        Ok(())
    }

    /// Field path prefix of operation `k` in error messages (empty for the single
    /// `tool` + `strategy` operation).
    fn op_prefix(&self, k: usize) -> String {
        if self.operations.is_empty() {
            String::new()
        } else {
            format!("operations[{k}].")
        }
    }

    /// The operations to run in order: `operations` when given, else the one made of
    /// `tool` and `strategy`.
    pub fn operations(&self) -> Vec<Operation> {
        if self.operations.is_empty() {
            vec![Operation {
                tool: self.tool.clone(),
                strategy: self.strategy.clone(),
            }]
        } else {
            self.operations.clone()
        }
    }

    /// Checks the job against the (transformed) model's bounds and resolves the defaults,
    /// one [`Resolved`] per operation.
    pub fn resolve(&self, model: &Aabb) -> Result<Vec<Resolved>, JobError> {
        self.validate()?;
        let floor = self.bounds.floor.unwrap_or(model.min[2] as f64);
        let top = model.max[2] as f64;
        let st = &self.stock;
        let stock = match (st.min, st.max) {
            (Some(lo), Some(hi)) => Box3::new(DVec3::from(lo), DVec3::from(hi)),
            _ => {
                let m = st.margin;
                let (lo, hi) = (model.min.map(f64::from), model.max.map(f64::from));
                Box3::new(
                    DVec3::new(lo[0] - m, lo[1] - m, lo[2]),
                    DVec3::new(hi[0] + m, hi[1] + m, hi[2] + m),
                )
            }
        };
        let top_of_all = top.max(stock.top());
        let safe_height = self.machine.safe_height.unwrap_or(top_of_all + 5.0);
        if safe_height <= top_of_all {
            return Err(err(
                "machine.safe_height",
                format!(
                    "safe height {safe_height} is not above the top of the model and stock {top_of_all}"
                ),
            ));
        }
        if safe_height <= floor {
            return Err(err(
                "machine.safe_height",
                format!("safe height {safe_height} is not above the floor {floor}"),
            ));
        }
        let mut out = Vec::new();
        let mut total = 0.0;
        for (k, op) in self.operations().iter().enumerate() {
            let pre = self.op_prefix(k);
            let cutter = op.tool.cutter_at(&format!("{pre}tool"))?;
            let margin = self.bounds.margin.unwrap_or(cutter.radius);
            let (lo, hi) = match (self.bounds.min, self.bounds.max) {
                (Some(lo), Some(hi)) => (lo, hi),
                _ => (
                    [model.min[0] as f64, model.min[1] as f64],
                    [model.max[0] as f64, model.max[1] as f64],
                ),
            };
            let area = Rect::new(DVec2::from(lo), DVec2::from(hi)).inflate(margin);
            let (w, h) = (area.width(), area.height());
            // The Z range the levels really span: the operation's own top and bottom.
            // (Waterline starts at the model's top, roughing at the stock's, as the
            // strategies do.)
            let (z_top, z_bottom, default_top) = match &op.strategy {
                StrategySpec::Parallel(_) => (None, None, floor),
                StrategySpec::Waterline(s) => (s.z_top, s.z_bottom, top),
                StrategySpec::Rough(s) => (s.z_top, s.z_bottom, stock.top()),
            };
            let depth =
                (z_top.unwrap_or(default_top) - z_bottom.unwrap_or(floor).max(floor)).max(0.0);
            let stepdown = match &op.strategy {
                StrategySpec::Waterline(s) if s.levels.is_empty() => Some(s.stepdown),
                StrategySpec::Rough(s) => Some(s.stepdown),
                _ => None,
            };
            if let Some(sd) = stepdown {
                let n = (depth / sd).ceil();
                if n > MAX_LEVELS as f64 {
                    return Err(err(
                        &format!("{pre}strategy.stepdown"),
                        format!(
                            "stepdown {sd} over {depth:.1} of height makes {n:.0} levels (limit {MAX_LEVELS}): raise the stepdown or lower z_top"
                        ),
                    ));
                }
            }
            let samples = op.strategy.estimated_samples(w, h, depth);
            total += samples;
            if samples > MAX_SAMPLES || total > MAX_SAMPLES {
                return Err(err(
                    &format!("{pre}strategy.sampling"),
                    format!(
                        "this job needs about {:.2e} cutter-location samples over a {w:.1} × {h:.1} area (limit {MAX_SAMPLES:.0e}): raise the stepover, stepdown or sampling",
                        total.max(samples)
                    ),
                ));
            }
            out.push(Resolved {
                cutter,
                area,
                floor,
                safe_height,
                top,
                stock,
                bounded: self.bounds.min.is_some(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

        let e = Job::from_json(r#"{"tool": {"typo": 1}}"#).unwrap_err();
        assert!(e.message.contains("typo"), "{e}");
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

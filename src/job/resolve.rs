//! The job checked against the model: defaults filled in (margin, floor, safe height, stock),
//! and the work it would take bounded before any of it starts.

use super::{err, Job, JobError, StrategySpec, MAX_LEVELS};
use crate::cutter::Cutter;
use crate::geom::{Box3, DVec2, DVec3, Rect};
use crate::mesh::Aabb;

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
    /// The validated cutter.
    pub cutter: Cutter,
    /// XY machining box (cutter centre limits).
    pub area: Rect,
    /// The lowest Z the tool tip goes to.
    pub floor: f64,
    /// Absolute Z for rapids.
    pub safe_height: f64,
    /// The model's top.
    pub top: f64,
    /// The stock box.
    pub stock: Box3,
    /// The area was given explicitly (`bounds.min`/`max`): never cut outside it.
    pub bounded: bool,
}

impl Job {
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
            let margin = self.bounds.margin.unwrap_or(cutter.radius());
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

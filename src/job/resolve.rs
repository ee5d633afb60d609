//! The job checked against the model: defaults filled in (margin, floor, safe height, stock),
//! and the work it would take bounded before any of it starts.

use super::{err, Job, JobError, RoughSpec, StrategySpec, MAX_LEVELS};
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

/// The most toolpath points one job may make, as [`StrategySpec::estimated_points`] bounds
/// them (an upper bound: real programs have a fifth to a twentieth of it). A point costs
/// about 55 bytes by the time it is a toolpath entry, a G-code line and a preview vertex:
/// 1e7 is about half a gigabyte and a program of hundreds of hours, which no roughing job
/// means to be.
#[cfg(not(target_arch = "wasm32"))]
pub const MAX_POINTS: f64 = 1.0e7;
/// In the page, 40% of the native limit: at most about 220 MB, well inside a tab's memory.
#[cfg(target_arch = "wasm32")]
pub const MAX_POINTS: f64 = 4.0e6;

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
        let mut total_points = 0.0;
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
            let bounded = self.bounds.min.is_some();
            // The Z range the levels really span: the operation's own top and bottom.
            // (Waterline starts at the model's top, roughing at the stock's, as the
            // strategies do.)
            let (z_top, z_bottom, default_top) = match &op.strategy {
                StrategySpec::Parallel(_) | StrategySpec::Pencil(_) | StrategySpec::Scallop(_) => {
                    (None, None, floor)
                }
                StrategySpec::Waterline(s) => (s.z_top, s.z_bottom, top),
                StrategySpec::Steep(s) => (s.z_top, s.z_bottom, top),
                StrategySpec::Rough(s) => (Some(s.top(stock.top())), s.z_bottom, stock.top()),
                s => {
                    let (t, b) = super::depth_range(s).unwrap_or((0.0, 0.0));
                    (Some(t), Some(b), t)
                }
            };
            let asked_top = match &op.strategy {
                StrategySpec::Waterline(s) => s.z_top,
                StrategySpec::Steep(s) => s.z_top,
                StrategySpec::Rough(s) => s.z_top,
                StrategySpec::Parallel(_) | StrategySpec::Pencil(_) | StrategySpec::Scallop(_) => {
                    None
                }
                s => super::depth_range(s).map(|(t, _)| t),
            };
            if let Some(z) = asked_top {
                // A level above the safe height would feed up through the rapids' plane
                // (roughing's top is otherwise brought down to the stock's).
                if z >= safe_height {
                    return Err(err(
                        &format!("{pre}strategy.z_top"),
                        format!("z_top {z} is not below the safe height {safe_height}"),
                    ));
                }
            }
            if let StrategySpec::Rough(s) = &op.strategy {
                nothing_to_cut(&pre, s, model, &stock)?;
            }
            // The area the strategy samples: roughing's reaches past the stock.
            let sampled = match &op.strategy {
                StrategySpec::Rough(s) => {
                    s.sampled_area(area, stock.rect(), bounded, cutter.radius())
                }
                _ => area,
            };
            let (w, h) = (sampled.width(), sampled.height());
            let depth =
                (z_top.unwrap_or(default_top) - z_bottom.unwrap_or(floor).max(floor)).max(0.0);
            let stepdown = match &op.strategy {
                StrategySpec::Waterline(s) if s.levels.is_empty() => Some(s.stepdown),
                StrategySpec::Steep(s) => Some(s.stepdown),
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
                // Roughing's grid reaches past the stock: name the stock when it is what
                // makes the area large.
                let field = if sampled.area() > 4.0 * area.inflate(cutter.radius()).area() {
                    "stock".to_string()
                } else {
                    format!("{pre}strategy.sampling")
                };
                return Err(err(
                    &field,
                    format!(
                        "this job needs about {:.2e} cutter-location samples over a {w:.1} × {h:.1} area (limit {MAX_SAMPLES:.0e}): raise the stepover, stepdown or sampling, or make the stock smaller",
                        total.max(samples)
                    ),
                ));
            }
            if let StrategySpec::Scallop(s) = &op.strategy {
                let nodes = (w / s.sampling + 2.0) * (h / s.sampling + 2.0);
                let most = super::SCALLOP_MAX_NODES as f64;
                if nodes > most {
                    return Err(err(
                        &format!("{pre}strategy.sampling"),
                        format!(
                            "constant-scallop finishing keeps a height and a distance (16 bytes) for each of about {nodes:.2e} grid nodes over the {w:.1} × {h:.1} area, {:.0} MB (limit {most:.0} nodes): raise the sampling or make the area smaller",
                            nodes * 16.0 / 1e6
                        ),
                    ));
                }
            }
            let (layer, points) = op.strategy.estimated_points(w, h, depth, cutter.radius());
            total_points += points;
            if points > MAX_POINTS || total_points > MAX_POINTS {
                // One layer alone too many: the stepover; else the number of layers.
                let field = if layer > MAX_POINTS {
                    "stepover_ratio"
                } else {
                    "stepdown"
                };
                return Err(err(
                    &format!("{pre}strategy.{field}"),
                    format!(
                        "this roughing makes about {:.2e} toolpath points ({layer:.2e} a layer over a {w:.1} × {h:.1} area; limit {MAX_POINTS:.0e}), a program of hundreds of hours: raise the stepover_ratio or the stepdown",
                        total_points.max(points)
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
                bounded,
            });
        }
        Ok(out)
    }
}

/// Refuses roughing whose stock to leave is larger than the model: the tool would keep
/// more than the model's own size from it everywhere, so nothing inside the stock is cut,
/// yet the grown tool (wider than the model) makes every one of the grid's samples test
/// every triangle: minutes spent writing an empty program.
fn nothing_to_cut(pre: &str, s: &RoughSpec, model: &Aabb, stock: &Box3) -> Result<(), JobError> {
    let size = model.size().map(f64::from);
    let largest = size[0].max(size[1]).max(size[2]);
    let allowance = s.stock_to_leave.max(s.stock_to_leave_z.unwrap_or(0.0));
    if allowance < largest {
        return Ok(());
    }
    // Only refuse when the stock does not reach past the allowance either (a big stock
    // round a small part still has material to clear).
    let lo = DVec3::from(model.min.map(f64::from));
    let hi = DVec3::from(model.max.map(f64::from));
    let reach = (lo - stock.min).max(stock.max - hi).max_element();
    if reach
        > s.stock_to_leave
            .min(s.stock_to_leave_z.unwrap_or(s.stock_to_leave))
    {
        return Ok(());
    }
    Err(err(
        &format!("{pre}strategy.stock_to_leave"),
        format!(
            "stock to leave {allowance} is larger than the model itself ({:.1} × {:.1} × {:.1}) and the stock reaches only {reach:.1} beyond it: there is next to nothing to cut",
            size[0], size[1], size[2]
        ),
    ))
}

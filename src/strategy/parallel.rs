//! Parallel finishing: drop-cutter raster lines.
//!
//! Each line is sampled every `sampling` units; between two samples the cutter-location (CL)
//! height is assumed linear, so where the midpoint's true height departs from the chord by
//! more than `tolerance` the interval is split (down to [`MIN_STEP_FRACTION`](super::surface::MIN_STEP_FRACTION)
//! of the sampling). That is what keeps steep walls and sharp edges from being cut off by coarse
//! sampling. Then points that add less than the tolerance are removed — but only where the
//! simplified path stays at or above every removed point, so simplification never gouges.
//!
//! Climb or conventional, with the spindle turning clockwise seen from above (M3): climb
//! has the uncut material on the tool's right, as cutter compensation G41 does (each tooth
//! enters it at full chip thickness and leaves the cut surface at zero). Lines along X step
//! towards +Y, so the uncut material is on the +Y side: climb runs −X, conventional +X.
//! Lines along Y step towards +X: climb runs +Y.

use super::surface::Surface;
use super::Cancelled;
use crate::geom::{DVec2, DVec3, Rect};
use crate::job::{Direction, Milling, ParallelSpec, Pattern, Resolved};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath};

/// A raster line from its start to its end (XY).
type Segment = (DVec2, DVec2);

/// One raster pass set: lines along X (`along_x`) or Y covering `area`.
fn lines(area: &Rect, stepover: f64, along_x: bool) -> Vec<Segment> {
    let (c0, c1) = if along_x {
        (area.min.y, area.max.y)
    } else {
        (area.min.x, area.max.x)
    };
    let n = (((c1 - c0) / stepover).ceil() as usize).max(1);
    (0..=n)
        .map(|j| {
            let c = c0 + (c1 - c0) * j as f64 / n as f64;
            if along_x {
                (DVec2::new(area.min.x, c), DVec2::new(area.max.x, c))
            } else {
                (DVec2::new(c, area.min.y), DVec2::new(c, area.max.y))
            }
        })
        .collect()
}

/// Samples many lines, in parallel when the `parallel` feature is on.
fn sample_lines(s: &Surface, segs: &[Segment], step: f64, tol: f64) -> Vec<Vec<DVec3>> {
    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    {
        use rayon::prelude::*;
        segs.par_iter()
            .map(|(a, b)| s.line(*a, *b, step, tol))
            .collect()
    }
    #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
    {
        segs.iter()
            .map(|(a, b)| s.line(*a, *b, step, tol))
            .collect()
    }
}

/// A cutter location as the toolpath stores it. XY was sampled at points `f32` holds (see
/// `surface.rs`), so it is exact; Z is rounded up, so a location far from the origin, where
/// `f32` is coarse, is never below the height computed for it.
fn f32p(p: DVec3) -> [f32; 3] {
    let z = p.z as f32;
    let z = if (z as f64) < p.z { z.next_up() } else { z };
    [p.x as f32, p.y as f32, z]
}

/// Lines sampled per batch: between two batches `generate` reports progress, and the page
/// hands each batch to a worker with the triangles it reaches. Fewer lines a batch balance
/// a pool better; more copy fewer triangles twice (a batch reaches a cutter's width beyond
/// its lines).
pub const BATCH: usize = 4;

/// A batch of raster lines and the XY box its drop-cutter reads: every triangle that can
/// touch the cutter anywhere on these lines has its box inside `reach`.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The lines, each from its start to its end (XY), in the order `generate` cuts them
    /// before any reversal.
    pub lines: Vec<(DVec2, DVec2)>,
    /// The lines' box grown by the cutter's radius and a margin.
    pub reach: Rect,
}

/// Every pass's lines for `spec` over `res.area`, in batches of [`BATCH`], in the order
/// `generate` samples them.
pub fn batches(spec: &ParallelSpec, res: &Resolved) -> Vec<Batch> {
    let grow = res.cutter.radius() + 1e-3 * (1.0 + res.cutter.radius());
    passes(spec)
        .iter()
        .flat_map(|&ax| {
            let segs = lines(&res.area, spec.stepover, ax);
            segs.chunks(BATCH)
                .map(|c| {
                    let mut lo = DVec2::splat(f64::INFINITY);
                    let mut hi = DVec2::splat(f64::NEG_INFINITY);
                    for (a, b) in c {
                        lo = lo.min(a.min(*b));
                        hi = hi.max(a.max(*b));
                    }
                    // Coordinates far from the origin: a relative margin too.
                    let m = DVec2::splat(grow) + 1e-6 * lo.abs().max(hi.abs());
                    Batch {
                        lines: c.to_vec(),
                        reach: Rect::new(lo - m, hi + m),
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Samples `lines` of a parallel operation on `model`: the whole model, or the part of it
/// a [`Batch::reach`] takes in — the heights are the same bits either way, since no
/// triangle outside the reach touches the cutter on these lines.
pub fn sample(
    model: &Model,
    spec: &ParallelSpec,
    res: &Resolved,
    lines: &[(DVec2, DVec2)],
) -> Vec<Vec<DVec3>> {
    sample_lines(
        &Surface::new(model, res),
        lines,
        spec.sampling,
        spec.tolerance,
    )
}

fn passes(spec: &ParallelSpec) -> &'static [bool] {
    match spec.direction {
        Direction::X => &[true],
        Direction::Y => &[false],
        Direction::Xy => &[true, false],
    }
}

/// Builds the parallel-finishing toolpath. `progress(fraction)` is called between batches
/// of lines; returning `false` cancels.
pub fn generate(
    model: &Model,
    spec: &ParallelSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    generate_from(model, spec, res, None, progress)
}

/// As [`generate`], with the lines already sampled (by [`sample`], in the order of
/// [`batches`], possibly elsewhere: the page's workers) when `sampled` is given; the links
/// between lines are still sampled here, on `model`.
pub fn generate_from(
    model: &Model,
    spec: &ParallelSpec,
    res: &Resolved,
    sampled: Option<Vec<Vec<DVec3>>>,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let s = Surface::new(model, res);
    let all: Vec<(bool, Vec<Segment>)> = passes(spec)
        .iter()
        .map(|&ax| (ax, lines(&res.area, spec.stepover, ax)))
        .collect();
    let total: usize = all.iter().map(|(_, l)| l.len()).sum();
    let mut given = sampled.map(|v| {
        assert_eq!(v.len(), total, "one sampled line per raster line");
        v.into_iter()
    });
    let mut done = 0;
    let mut tp = Toolpath::new();
    let safe = res.safe_height as f32;
    let batch = BATCH;
    for (along_x, segs) in &all {
        // Climb direction per the module doc; zigzag alternates from it.
        let forward = (spec.milling == Milling::Climb) != *along_x;
        let mut first_in_pass = true;
        for (bi, chunk) in segs.chunks(batch).enumerate() {
            if !progress(done as f32 / total as f32) {
                return Err(Cancelled);
            }
            let sampled = match given.as_mut() {
                Some(it) => it.by_ref().take(chunk.len()).collect(),
                None => sample_lines(&s, chunk, spec.sampling, spec.tolerance),
            };
            for (k, mut pts) in sampled.into_iter().enumerate() {
                let j = bi * batch + k;
                let fwd = match spec.pattern {
                    Pattern::Oneway => forward,
                    Pattern::Zigzag => forward == j.is_multiple_of(2),
                };
                if !fwd {
                    pts.reverse();
                }
                let start = pts[0];
                let linked = spec.pattern == Pattern::Zigzag && !first_in_pass;
                if linked {
                    // Zigzag link along the boundary, itself drop-cutter sampled so it never
                    // gouges; the link runs from the last point to this line's start.
                    let last = tp.last().expect("a previous line exists");
                    let link = s.line(
                        DVec2::new(last[0] as f64, last[1] as f64),
                        start.truncate(),
                        spec.sampling,
                        spec.tolerance,
                    );
                    for p in link.iter().skip(1) {
                        tp.push(Move::Feed, f32p(*p));
                    }
                } else {
                    if let Some(last) = tp.last() {
                        if last[2] < safe {
                            tp.push(Move::Rapid, [last[0], last[1], safe]);
                        }
                    }
                    tp.push(Move::Rapid, [start.x as f32, start.y as f32, safe]);
                    tp.push(Move::Plunge, f32p(start));
                }
                for p in pts.iter().skip(1) {
                    tp.push(Move::Feed, f32p(*p));
                }
                first_in_pass = false;
            }
            done += chunk.len();
        }
    }
    if let Some(last) = tp.last() {
        tp.push(Move::Rapid, [last[0], last[1], safe]);
    }
    progress(1.0);
    Ok(tp)
}

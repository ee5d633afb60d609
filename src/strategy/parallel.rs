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
//!
//! The spiral (PyCAM's) is one rectangular spiral from the area's boundary inwards, its
//! rings a stepover apart, cut without a lift or a link. Going inwards the uncut material is
//! towards the centre, so climb (material on the right) runs clockwise seen from above and
//! conventional anticlockwise. Its sides are cut into pieces of at most [`spiral_piece`]
//! (each sampled as a line is), so that the page's batches of pieces reach a bounded box.

use super::surface::{f32p, plunge_to, retract, Surface};
use super::Cancelled;
use crate::geom::{DVec2, DVec3, Rect};
use crate::job::{Direction, Milling, ParallelSpec, Pattern, Resolved};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath};

/// A raster line from its start to its end (XY).
type Segment = (DVec2, DVec2);

/// One raster pass set: lines along X (`along_x`) or Y covering `area`, a `stepover` or
/// less apart, in order across the area, each from its low end to its high end.
pub(crate) fn lines(area: &Rect, stepover: f64, along_x: bool) -> Vec<Segment> {
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

/// The longest piece of a spiral side: sixteen stepovers (and at least four samples), so
/// a batch of [`BATCH`] pieces spans a bounded stretch of the path.
pub fn spiral_piece(spec: &ParallelSpec) -> f64 {
    (16.0 * spec.stepover).max(4.0 * spec.sampling)
}

/// The spiral over `area`: rings `stepover` apart from the boundary inwards, clockwise
/// seen from above (or anticlockwise), as consecutive pieces no longer than `piece`: each
/// piece starts where the last ended. Every point of the area is within a stepover of it.
fn spiral(area: &Rect, stepover: f64, clockwise: bool, piece: f64) -> Vec<Segment> {
    let (mut l, mut r, mut b, mut t) = (area.min.x, area.max.x, area.min.y, area.max.y);
    let mut corners = vec![DVec2::new(l, t)];
    // Clockwise from the top left corner: right along the top, down the right side, left
    // along the bottom, up the left side, each side then moved a stepover inwards. The
    // walk ends when the rectangle left is thinner than a stepover: its last side is then
    // within a stepover of everything inside.
    loop {
        corners.push(DVec2::new(r, t));
        t -= stepover;
        if t < b {
            break;
        }
        corners.push(DVec2::new(r, b));
        r -= stepover;
        if r < l {
            break;
        }
        corners.push(DVec2::new(l, b));
        b += stepover;
        if b > t {
            break;
        }
        corners.push(DVec2::new(l, t));
        l += stepover;
        if l > r {
            break;
        }
    }
    if !clockwise {
        // The mirror image across the area's middle X runs the other way round.
        let mx = area.min.x + area.max.x;
        for c in &mut corners {
            c.x = mx - c.x;
        }
    }
    let mut out = Vec::new();
    for w in corners.windows(2) {
        let (a, e) = (w[0], w[1]);
        let n = ((e - a).length() / piece).ceil().max(1.0) as usize;
        let mut from = a;
        for k in 1..=n {
            let to = if k == n {
                e
            } else {
                a + (e - a) * (k as f64 / n as f64)
            };
            out.push((from, to));
            from = to;
        }
    }
    out
}

/// The passes of `spec` over `area`, in cutting order: a set of raster lines along X or Y,
/// or the spiral's pieces.
fn pass_segments(spec: &ParallelSpec, area: &Rect) -> Vec<(Pass, Vec<Segment>)> {
    let raster = |ax: bool| (Pass::Lines { along_x: ax }, lines(area, spec.stepover, ax));
    match spec.direction {
        Direction::X => vec![raster(true)],
        Direction::Y => vec![raster(false)],
        Direction::Xy => vec![raster(true), raster(false)],
        Direction::Spiral => {
            let cw = spec.milling == Milling::Climb;
            vec![(
                Pass::Spiral,
                spiral(area, spec.stepover, cw, spiral_piece(spec)),
            )]
        }
    }
}

/// What a pass is: raster lines (linked by the pattern) or one continuous spiral.
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Lines { along_x: bool },
    Spiral,
}

/// Samples many lines, in parallel when the `parallel` feature is on.
fn sample_lines(s: &Surface, segs: &[Segment], step: f64, tol: f64) -> Vec<Vec<DVec3>> {
    super::map_all(segs, |(a, b)| s.line(*a, *b, step, tol))
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
    pass_segments(spec, &res.area)
        .into_iter()
        .flat_map(|(_, segs)| {
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
    let all = pass_segments(spec, &res.area);
    let total: usize = all.iter().map(|(_, l)| l.len()).sum();
    let mut given = sampled.map(|v| {
        assert_eq!(v.len(), total, "one sampled line per raster line");
        v.into_iter()
    });
    let mut done = 0;
    let mut tp = Toolpath::new();
    let safe = res.safe_height as f32;
    let batch = BATCH;
    for (pass, segs) in &all {
        // Climb direction per the module doc; zigzag alternates from it. The spiral's
        // pieces run as built, each from where the last ended.
        let (along_x, spiral) = match *pass {
            Pass::Lines { along_x } => (along_x, false),
            Pass::Spiral => (false, true),
        };
        let forward = spiral || (spec.milling == Milling::Climb) != along_x;
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
                    _ if spiral => true,
                    Pattern::Oneway => forward,
                    Pattern::Zigzag => forward == j.is_multiple_of(2),
                };
                if !fwd {
                    pts.reverse();
                }
                let start = pts[0];
                let linked = spec.pattern == Pattern::Zigzag && !first_in_pass;
                if spiral && !first_in_pass {
                    // The piece starts where the last ended (the same point, sampled the
                    // same): carry straight on.
                } else if linked {
                    // Zigzag link along the boundary, from the last point to this line's
                    // start.
                    s.feed_to(&mut tp, start.truncate(), spec.sampling, spec.tolerance);
                } else {
                    plunge_to(&mut tp, start, safe);
                }
                for p in pts.iter().skip(1) {
                    tp.push(Move::Feed, f32p(*p));
                }
                first_in_pass = false;
            }
            done += chunk.len();
        }
    }
    retract(&mut tp, safe);
    progress(1.0);
    Ok(tp)
}

#[cfg(test)]
mod spiral_tests {
    use super::*;

    fn area() -> Rect {
        Rect::new(DVec2::new(-3.0, 2.0), DVec2::new(47.3, 31.9))
    }

    /// Distance from `p` to the segment `a`-`b`.
    fn dist(p: DVec2, (a, b): Segment) -> f64 {
        let e = b - a;
        let t = ((p - a).dot(e) / e.length_squared().max(1e-300)).clamp(0.0, 1.0);
        (a + e * t - p).length()
    }

    #[test]
    fn spiral_is_one_path_inside_the_area_covering_it_a_stepover_apart() {
        for (stepover, cw) in [(1.5, true), (1.5, false), (4.0, true), (0.7, false)] {
            let a = area();
            let piece = 16.0 * stepover;
            let segs = spiral(&a, stepover, cw, piece);
            assert!(segs.len() > 4);
            for w in segs.windows(2) {
                assert_eq!(w[0].1, w[1].0, "pieces must join end to start");
            }
            for &(p, q) in &segs {
                assert!((q - p).length() <= piece + 1e-9);
                assert!(p.x == q.x || p.y == q.y, "sides are axis-parallel");
                for c in [p, q] {
                    assert!(c.x >= a.min.x - 1e-9 && c.x <= a.max.x + 1e-9);
                    assert!(c.y >= a.min.y - 1e-9 && c.y <= a.max.y + 1e-9);
                }
            }
            // Every point of the area is within a stepover of the path (the rings are a
            // stepover apart), and the path starts on the boundary.
            let (s0, _) = segs[0];
            assert!(s0.x == a.min.x || s0.x == a.max.x);
            assert_eq!(s0.y, a.max.y);
            let mut worst: f64 = 0.0;
            for i in 0..=60 {
                for j in 0..=40 {
                    let p = DVec2::new(
                        a.min.x + (a.max.x - a.min.x) * i as f64 / 60.0,
                        a.min.y + (a.max.y - a.min.y) * j as f64 / 40.0,
                    );
                    let d = segs
                        .iter()
                        .map(|&s| dist(p, s))
                        .fold(f64::INFINITY, f64::min);
                    worst = worst.max(d);
                }
            }
            assert!(
                worst <= stepover + 1e-9,
                "a point {worst} from the path (stepover {stepover})"
            );
            // Winding: about the area's centre every piece turns the same way, clockwise
            // (negative cross product) for climb.
            let c = (a.min + a.max) * 0.5;
            for (p, q) in &segs {
                let turn = (*p - c).perp_dot(*q - c);
                assert!(
                    turn.abs() < 1e-9 || (turn < 0.0) == cw,
                    "stepover {stepover}: winding"
                );
            }
        }
    }
}

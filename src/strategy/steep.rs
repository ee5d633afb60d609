//! Steep and shallow finishing: waterline on the steep areas, parallel raster lines on the
//! shallow ones, split at a slope `angle`, each half running `overlap` into the other's
//! area, in one operation.
//!
//! Parallel finishing leaves its widest scallops on steep walls (its lines are a stepover
//! apart in XY, so `stepover / cos slope` apart on the wall), waterline on shallow ground
//! (its levels are a stepdown apart in Z, so `stepdown / sin slope` apart on the surface).
//! Each is cut where it is good: at the split angle `a` the raster lines are `stepover /
//! cos a` apart along the surface and the levels `stepdown / sin a`, so with the default
//! 45° and stepover equal to stepdown neither half leaves a wider scallop than the other
//! at the seam.
//!
//! # The slope under the cutter
//!
//! The slope at a cutter location is that of the cutter-location (CL) surface, the
//! drop-cutter height: wherever the cutter touches the model at one point, the CL
//! surface's normal there is the contact normal, the model's own normal at the contact
//! (the CL surface is the model grown by the cutter, so it tilts as the surface under the
//! contact does). It is measured by central differences a quarter of the sampling either
//! side along X and Y: `|∇z| ≥ tan a` is steep. The differences are what make it work for
//! every cutter shape, and at a cliff: a flat end mill beside a vertical wall, or any
//! cutter at a waterline point, stands on the floor a micron off the wall, where the
//! contact normal is the floor's (upright) though the wall is right there. The difference
//! across the cliff is its height over half a quarter-sampling: steep.
//!
//! # The shallow half: raster lines clipped to the shallow ground
//!
//! Each raster line (as parallel finishing lays them, along X, Y or both) is classified
//! every `sampling`: a sample is steep or not, and so is the stretch between two samples
//! where the height climbs or falls faster than `tan a` (a cliff between them). Where two
//! neighbours disagree, or a stretch between two shallow samples is a cliff, the stretch is
//! bisected down to the tolerance. The shallow runs between the steep spans, each lengthened
//! by `overlap` at both ends into the steep side (runs that then meet become one), are cut
//! at drop-cutter height, sampled and refined as parallel finishing's lines are
//! ([`Surface::line`]). The runs are taken as a zigzag would take them: from the end of
//! one run, the nearest end of a run on the same or a neighbouring line, when it is within
//! a cutter diameter, reached by a feed over the surface (drop-cutter height along the
//! way, so free); otherwise the tool lifts to safe height and starts the first run left in
//! line order. The first run of a pass set runs the way climb or conventional says, as
//! parallel finishing's first line does.
//!
//! # The steep half: waterline pieces
//!
//! Waterline's contours at every `stepdown` from `z_top` to `z_bottom` (see
//! [`super::waterline`]: a contour is where the cutter with its tip at that level touches
//! the model) are classified along their length the same way, at a slope
//! [`HYSTERESIS`] degrees gentler than the split (so a wall along the split is not cut into
//! pieces by the slope's noise, and the level at the seam is cut by both halves). The
//! steep stretches, each lengthened by `overlap` along the contour both ways, are the
//! pieces cut; a contour steep all round stays a loop. Pieces are ordered and linked as
//! waterline links its contours (a straight feed at the level when it is short and free,
//! else through safe height).
//!
//! The steep half goes first, level by level top down, then the shallow half. Every move
//! is one of waterline's or of parallel finishing's, or a link either makes, so the
//! operation gouges no more than they do. The raster's moves are marked
//! [`Wall::Fixed`]: arc fitting takes only the waterline pieces (their one side is free).

use super::contour::{Contour, Pulse};
use super::map_all;
use super::parallel::lines;
use super::surface::{f32p, plunge_to, retract, Surface};
use super::waterline::{cut_levels, Levels};
use super::zlevel::levels;
use super::Cancelled;
use crate::geom::{DVec2, DVec3, Det};
use crate::job::{Direction, Milling, Resolved, SteepSpec};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath, Wall};

/// How much gentler than the split angle a wall may be, in degrees, for waterline to still
/// cut it.
pub const HYSTERESIS: f64 = 2.0;

/// Raster lines classified and sampled between two progress reports.
const LINES: usize = 8;

/// The slope test: a point is steep where the CL surface climbs at least `tan` per unit
/// of XY, measured by central differences `h` either side.
pub struct Slope<'s, 'a> {
    s: &'s Surface<'a>,
    h: f64,
    tan: f64,
    /// Bisection of a disagreeing stretch stops at this length.
    eps: f64,
    /// Whether a stretch whose ends climb faster than `tan` is steep (a raster line: the
    /// ends are heights along it) or not looked at (a contour: its ends are at one level).
    secant: bool,
}

/// A classified point along a segment: its distance from the start, its height (raster
/// lines only) and whether it is steep.
#[derive(Clone, Copy, Debug)]
struct Mark {
    t: f64,
    z: f64,
    steep: bool,
}

impl<'s, 'a> Slope<'s, 'a> {
    /// The test at `deg` degrees from horizontal, differences a quarter of `sampling`
    /// either side, bisection to `tol` (or a sixty-fourth of the sampling if coarser).
    pub fn new(s: &'s Surface<'a>, deg: f64, sampling: f64, tol: f64, secant: bool) -> Self {
        Slope {
            s,
            h: 0.25 * sampling,
            tan: deg.to_radians().dtan(),
            eps: tol.max(sampling / 64.0),
            secant,
        }
    }

    /// True where the CL surface at `p` is at least as steep as the test's angle.
    pub fn steep(&self, p: DVec2, hint: &mut Option<u32>) -> bool {
        let h = self.h;
        let mut z = |dx: f64, dy: f64| self.s.height(p.x + dx, p.y + dy, hint);
        let gx = z(h, 0.0) - z(-h, 0.0);
        let gy = z(0.0, h) - z(0.0, -h);
        let rise = 2.0 * h * self.tan;
        gx * gx + gy * gy >= rise * rise
    }

    fn mark(&self, a: DVec2, dir: DVec2, t: f64, hint: &mut Option<u32>) -> Mark {
        let p = a + dir * t;
        let z = if self.secant {
            self.s.height(p.x, p.y, hint)
        } else {
            0.0
        };
        Mark {
            t,
            z,
            steep: self.steep(p, hint),
        }
    }

    /// The steep spans of the segment `a → b`, as distances from `a`, in order and
    /// disjoint, classified every `step` or less and bisected where that disagrees. Returns
    /// the spans and the number of drop-cutter queries made.
    fn spans(&self, a: DVec2, b: DVec2, step: f64) -> (Vec<(f64, f64)>, u32) {
        let len = a.distance(b);
        let dir = if len > 0.0 {
            (b - a) / len
        } else {
            DVec2::ZERO
        };
        let n = ((len / step).ceil() as usize).max(1);
        let mut hint = None;
        let mut out = Vec::new();
        let mut queries = 0u32;
        let per = if self.secant { 5 } else { 4 };
        let mut lo = self.mark(a, dir, 0.0, &mut hint);
        queries += per;
        for i in 1..=n {
            let hi = self.mark(a, dir, len * i as f64 / n as f64, &mut hint);
            queries += per;
            queries = queries.saturating_add(self.split(a, dir, lo, hi, &mut hint, &mut out));
            lo = hi;
        }
        (merge(out, 0.0), queries)
    }

    /// Pushes the steep spans between two marks, bisecting where they disagree; returns
    /// the queries made.
    fn split(
        &self,
        a: DVec2,
        dir: DVec2,
        lo: Mark,
        hi: Mark,
        hint: &mut Option<u32>,
        out: &mut Vec<(f64, f64)>,
    ) -> u32 {
        if lo.steep && hi.steep {
            out.push((lo.t, hi.t));
            return 0;
        }
        let cliff = self.secant && (hi.z - lo.z).abs() >= self.tan * (hi.t - lo.t);
        if lo.steep == hi.steep && !cliff {
            return 0;
        }
        if hi.t - lo.t <= self.eps {
            out.push((lo.t, hi.t));
            return 0;
        }
        let m = self.mark(a, dir, 0.5 * (lo.t + hi.t), hint);
        let q = if self.secant { 5 } else { 4 };
        q + self.split(a, dir, lo, m, hint, out) + self.split(a, dir, m, hi, hint, out)
    }
}

/// Sorted spans joined where they overlap or are within `gap` of each other.
fn merge(mut spans: Vec<(f64, f64)>, gap: f64) -> Vec<(f64, f64)> {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match out.last_mut() {
            Some(l) if lo <= l.1 + gap => l.1 = l.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The shallow runs of a line of length `len` with the steep `spans`: the gaps between
/// them longer than `eps`, each lengthened by `overlap` at both ends (within the line),
/// joined where they then meet.
fn shallow_runs(spans: &[(f64, f64)], len: f64, overlap: f64, eps: f64) -> Vec<(f64, f64)> {
    let mut gaps = Vec::with_capacity(spans.len() + 1);
    let mut at = 0.0;
    for &(lo, hi) in spans {
        if lo - at > eps {
            gaps.push((at, lo));
        }
        at = at.max(hi);
    }
    if len - at > eps {
        gaps.push((at, len));
    }
    let grown = gaps
        .into_iter()
        .map(|(lo, hi)| ((lo - overlap).max(0.0), (hi + overlap).min(len)))
        .collect();
    merge(grown, 0.0)
}

/// The pieces of a contour (material on the left) where it is steep, each lengthened by
/// `overlap` along it both ways; a contour steep all round comes back whole. `pulse`
/// counts the queries.
fn steep_pieces(
    c: Contour,
    slope: &Slope,
    step: f64,
    overlap: f64,
    tol: f64,
    pulse: &mut Pulse,
) -> Result<Vec<Contour>, Cancelled> {
    let mut pts = c.points.clone();
    if c.closed {
        pts.push(pts[0]);
    }
    // Arc length at each vertex.
    let mut at = Vec::with_capacity(pts.len());
    let mut total = 0.0;
    at.push(0.0);
    for w in pts.windows(2) {
        total += w[0].distance(w[1]);
        at.push(total);
    }
    if total <= 0.0 {
        return Ok(Vec::new());
    }
    let mut spans = Vec::new();
    for (k, w) in pts.windows(2).enumerate() {
        let (s, q) = slope.spans(w[0], w[1], step);
        pulse.tick(q)?;
        spans.extend(s.into_iter().map(|(lo, hi)| (at[k] + lo, at[k] + hi)));
    }
    let spans = merge(spans, slope.eps);
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let grown: Vec<(f64, f64)> = spans
        .iter()
        .map(|&(lo, hi)| (lo - overlap, hi + overlap))
        .collect();
    let mut keep: Vec<(f64, f64)> = Vec::new();
    if c.closed {
        // Wrap what runs past either end of the loop to the other.
        for (lo, hi) in grown {
            if hi - lo >= total {
                return Ok(vec![c]);
            }
            if lo < 0.0 {
                keep.push((lo + total, total));
                keep.push((0.0, hi));
            } else if hi > total {
                keep.push((lo, total));
                keep.push((0.0, hi - total));
            } else {
                keep.push((lo, hi));
            }
        }
        keep = merge(keep, 0.0);
        if keep.len() == 1 && keep[0].0 <= 0.0 && keep[0].1 >= total {
            return Ok(vec![c]);
        }
    } else {
        keep = merge(
            grown
                .into_iter()
                .map(|(lo, hi)| (lo.max(0.0), hi.min(total)))
                .collect(),
            0.0,
        );
    }
    // A closed loop's piece that runs through its start: one piece across it.
    let mut pieces: Vec<Vec<DVec2>> = Vec::with_capacity(keep.len());
    let across =
        c.closed && keep.len() > 1 && keep[0].0 <= 0.0 && keep.last().is_some_and(|l| l.1 >= total);
    let (first, last) = if across {
        (1, keep.len() - 1)
    } else {
        (0, keep.len())
    };
    for &(lo, hi) in &keep[first..last] {
        pieces.push(cut_out(&pts, &at, lo, hi));
    }
    if across {
        let (lo, _) = keep[keep.len() - 1];
        let (_, hi) = keep[0];
        let mut p = cut_out(&pts, &at, lo, total);
        p.extend(cut_out(&pts, &at, 0.0, hi).into_iter().skip(1));
        pieces.push(p);
    }
    Ok(pieces
        .into_iter()
        .filter(|p| p.len() >= 2 && p.windows(2).map(|w| w[0].distance(w[1])).sum::<f64>() > tol)
        .map(|points| Contour {
            points,
            closed: false,
        })
        .collect())
}

/// The stretch of the polyline `pts` (arc length `at` at each vertex) from `lo` to `hi`.
fn cut_out(pts: &[DVec2], at: &[f64], lo: f64, hi: f64) -> Vec<DVec2> {
    let point = |s: f64| {
        let k = at.partition_point(|&a| a <= s).clamp(1, pts.len() - 1);
        let (a0, a1) = (at[k - 1], at[k]);
        let f = if a1 > a0 { (s - a0) / (a1 - a0) } else { 0.0 };
        pts[k - 1].lerp(pts[k], f.clamp(0.0, 1.0))
    };
    let mut out = vec![point(lo)];
    for (k, &a) in at.iter().enumerate() {
        if a > lo && a < hi {
            out.push(pts[k]);
        }
    }
    out.push(point(hi));
    out.dedup_by(|a, b| a.distance(*b) < 1e-9);
    out
}

/// A shallow run, sampled at drop-cutter height.
#[derive(Clone, Debug)]
pub struct Run {
    /// Its raster line's index in its pass set.
    pub line: usize,
    /// Its points, from the line's low end towards its high end.
    pub pts: Vec<DVec3>,
}

/// Classifies the raster lines `segs` and samples their shallow runs.
fn sample_runs(
    s: &Surface,
    spec: &SteepSpec,
    slope: &Slope,
    segs: &[(DVec2, DVec2)],
    first: usize,
) -> Vec<Run> {
    let idx: Vec<usize> = (0..segs.len()).collect();
    map_all(&idx, |&k| {
        let (a, b) = segs[k];
        let len = a.distance(b);
        let (spans, _) = slope.spans(a, b, spec.sampling);
        let runs = shallow_runs(&spans, len, spec.overlap, slope.eps);
        let at = |t: f64| {
            if len > 0.0 {
                a + (b - a) * (t / len)
            } else {
                a
            }
        };
        runs.into_iter()
            .map(|(lo, hi)| Run {
                line: first + k,
                pts: s.line(at(lo), at(hi), spec.sampling, spec.tolerance),
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Cuts the runs of one pass set (see the module doc for the order), starting the first
/// run `forward` (from its low end) or backwards.
fn cut_runs(
    tp: &mut Toolpath,
    s: &Surface,
    spec: &SteepSpec,
    res: &Resolved,
    runs: Vec<Run>,
    forward: bool,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<(), Cancelled> {
    let safe = res.safe_height as f32;
    let reach = 2.0 * res.cutter.radius();
    let lines = runs.iter().map(|r| r.line + 1).max().unwrap_or(0);
    let mut by_line: Vec<Vec<usize>> = vec![Vec::new(); lines];
    for (k, r) in runs.iter().enumerate() {
        by_line[r.line].push(k);
    }
    let mut done = vec![false; runs.len()];
    let mut left = runs.len();
    let mut cursor = 0;
    let mut line: Option<usize> = None;
    let xy = |p: DVec3| p.truncate();
    while left > 0 {
        if left.is_multiple_of(64) && !progress(1.0 - left as f32 / runs.len() as f32) {
            return Err(Cancelled);
        }
        let here = tp.last().map(|p| DVec2::new(p[0] as f64, p[1] as f64));
        // The nearest end of a run on this line or a neighbour, within reach.
        let near = match (line, here) {
            (Some(j), Some(h)) => (j.saturating_sub(1)..=(j + 1).min(lines - 1))
                .flat_map(|l| by_line[l].iter().copied())
                .filter(|&k| !done[k])
                .flat_map(|k| {
                    let p = &runs[k].pts;
                    [
                        (k, false, xy(p[0]).distance(h)),
                        (k, true, xy(p[p.len() - 1]).distance(h)),
                    ]
                })
                .filter(|&(_, _, d)| d <= reach)
                .min_by(|a, b| a.2.total_cmp(&b.2)),
            _ => None,
        };
        let (k, reversed, linked) = match near {
            Some((k, rev, _)) => (k, rev, true),
            None => {
                while by_line[cursor].iter().all(|&k| done[k]) {
                    cursor += 1;
                }
                let k = *by_line[cursor]
                    .iter()
                    .find(|&&k| !done[k])
                    .expect("a run is left on this line");
                let p = &runs[k].pts;
                let rev = match (line, here) {
                    (Some(_), Some(h)) => xy(p[p.len() - 1]).distance(h) < xy(p[0]).distance(h),
                    _ => !forward,
                };
                (k, rev, false)
            }
        };
        done[k] = true;
        left -= 1;
        line = Some(runs[k].line);
        let mut pts = runs[k].pts.clone();
        if reversed {
            pts.reverse();
        }
        if linked && tp.last().is_some_and(|l| l[2] < safe) {
            s.feed_to(tp, xy(pts[0]), spec.sampling, spec.tolerance);
        } else {
            plunge_to(tp, pts[0], safe);
        }
        for p in &pts[1..] {
            tp.push(Move::Feed, f32p(*p));
        }
    }
    Ok(())
}

/// The shallow runs of the raster lines along X (`along_x`) or Y, in line order.
/// `progress` gets 0..1 and returns `false` to cancel.
pub fn runs(
    s: &Surface,
    spec: &SteepSpec,
    res: &Resolved,
    along_x: bool,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<Run>, Cancelled> {
    let ground = Slope::new(s, spec.angle, spec.sampling, spec.tolerance, true);
    let segs = lines(&res.area, spec.stepover, along_x);
    let mut out = Vec::new();
    for (c, chunk) in segs.chunks(LINES).enumerate() {
        if !progress((c * LINES) as f32 / segs.len() as f32) {
            return Err(Cancelled);
        }
        out.extend(sample_runs(s, spec, &ground, chunk, c * LINES));
    }
    Ok(out)
}

/// The raster's pass sets: along X (`true`), Y, or both.
fn pass_sets(d: Direction) -> &'static [bool] {
    match d {
        Direction::X => &[true],
        Direction::Y => &[false],
        _ => &[true, false],
    }
}

/// The waterline levels of the steep half, top down (`cut_levels` lifts them off the
/// flats).
fn steep_levels(spec: &SteepSpec, res: &Resolved) -> Vec<f64> {
    let top = spec.z_top.unwrap_or(res.top);
    let bottom = spec.z_bottom.unwrap_or(res.floor).max(res.floor);
    levels(spec.stepdown, top, bottom, &[])
}

/// Cuts the steep half into `tp`: the waterline pieces, level by level; `keep` sees each
/// level's pieces before they are cut (and may take them).
fn cut_steep(
    tp: &mut Toolpath,
    s: &Surface,
    spec: &SteepSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
    seen: &mut dyn FnMut(f64, Vec<Contour>) -> Vec<Contour>,
) -> Result<(), Cancelled> {
    let zs = steep_levels(spec, res);
    let gentler = (spec.angle - HYSTERESIS).max(0.5 * spec.angle);
    let walls = Slope::new(s, gentler, spec.sampling, spec.tolerance, false);
    let cut = Levels {
        zs: &zs,
        sampling: spec.sampling,
        tolerance: spec.tolerance,
        milling: spec.milling,
    };
    let mut keep = |z: f64, cs: Vec<Contour>, pulse: &mut Pulse| {
        let mut out = Vec::new();
        for c in cs {
            out.extend(steep_pieces(
                c,
                &walls,
                spec.sampling,
                spec.overlap,
                spec.tolerance,
                pulse,
            )?);
        }
        Ok(seen(z, out))
    };
    cut_levels(tp, s, res, &cut, progress, &mut keep)
}

/// The waterline pieces of the steep half at every level, top down, as they are cut
/// (material on the left; not yet turned for climb).
pub fn pieces(
    model: &Model,
    spec: &SteepSpec,
    res: &Resolved,
) -> Result<Vec<(f64, Vec<Contour>)>, Cancelled> {
    let s = Surface::new(model, res);
    let mut out = Vec::new();
    let mut tp = Toolpath::new();
    cut_steep(&mut tp, &s, spec, res, &mut |_| true, &mut |z, cs| {
        out.push((z, cs));
        Vec::new()
    })?;
    Ok(out)
}

/// Every shallow run of the operation, pass set after pass set (as [`runs`]).
pub fn all_runs(model: &Model, spec: &SteepSpec, res: &Resolved) -> Result<Vec<Run>, Cancelled> {
    let s = Surface::new(model, res);
    let mut out = Vec::new();
    for &along_x in pass_sets(spec.direction) {
        out.extend(runs(&s, spec, res, along_x, &mut |_| true)?);
    }
    Ok(out)
}

/// Builds the steep-and-shallow toolpath. `progress` gets 0..1 and returns `false` to
/// cancel.
pub fn generate(
    model: &Model,
    spec: &SteepSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let s = Surface::new(model, res);
    let mut tp = Toolpath::new();
    cut_steep(
        &mut tp,
        &s,
        spec,
        res,
        &mut |f| progress(0.5 * f),
        &mut |_, cs| cs,
    )?;
    // The shallow half: the raster runs of every pass set.
    tp.set_wall(Wall::Fixed);
    let sets = pass_sets(spec.direction);
    let n = sets.len() as f32;
    for (k, &along_x) in sets.iter().enumerate() {
        let share = |lo: f32, hi: f32, f: f32| 0.5 + 0.5 * (k as f32 + lo + (hi - lo) * f) / n;
        let found = runs(&s, spec, res, along_x, &mut |f| {
            progress(share(0.0, 0.9, f))
        })?;
        // Climb runs lines along X towards −X and lines along Y towards +Y (see
        // `parallel`).
        let forward = (spec.milling == Milling::Climb) != along_x;
        cut_runs(&mut tp, &s, spec, res, found, forward, &mut |f| {
            progress(share(0.9, 1.0, f))
        })?;
    }
    retract(&mut tp, res.safe_height as f32);
    progress(1.0);
    Ok(tp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_the_gaps_grown_by_the_overlap() {
        let spans = [(2.0, 3.0), (3.5, 4.0), (8.0, 10.0)];
        assert_eq!(
            shallow_runs(&spans, 10.0, 0.0, 1e-3),
            vec![(0.0, 2.0), (3.0, 3.5), (4.0, 8.0)]
        );
        // Grown by 0.5 the first three meet.
        assert_eq!(shallow_runs(&spans, 10.0, 0.5, 1e-3), vec![(0.0, 8.5)]);
        assert_eq!(shallow_runs(&[(0.0, 10.0)], 10.0, 1.0, 1e-3), vec![]);
    }

    #[test]
    fn cut_out_interpolates_its_ends() {
        let pts = [
            DVec2::new(0.0, 0.0),
            DVec2::new(10.0, 0.0),
            DVec2::new(10.0, 10.0),
        ];
        let at = [0.0, 10.0, 20.0];
        assert_eq!(
            cut_out(&pts, &at, 5.0, 15.0),
            vec![
                DVec2::new(5.0, 0.0),
                DVec2::new(10.0, 0.0),
                DVec2::new(10.0, 5.0)
            ]
        );
    }
}

//! The cutter-location surface: drop-cutter heights over the model, never below the floor,
//! and lines sampled on it with refinement and simplification. Every strategy reads the
//! model through this. Also the moves the drop-cutter strategies write with its points:
//! plunging to a cut from safe height, feeding over the surface to the next, retracting.

use super::simplify::simplify;
use crate::cutter::Cutter;
use crate::geom::{DVec2, DVec3};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath};

/// Refinement of a sampled line stops at this fraction of the sampling distance.
pub const MIN_STEP_FRACTION: f64 = 1.0 / 64.0;

/// A cutter over the model, above a floor: what every strategy samples.
pub struct Surface<'a> {
    /// The model, indexed.
    pub model: &'a Model,
    /// The cutter whose tip the heights are for.
    pub cutter: &'a Cutter,
    /// No height is below this (the operation's floor).
    pub floor: f64,
}

impl<'a> Surface<'a> {
    /// The surface an operation works on: its cutter over the model, above its floor.
    pub fn new(model: &'a Model, res: &'a crate::job::Resolved) -> Surface<'a> {
        Surface {
            model,
            cutter: &res.cutter,
            floor: res.floor,
        }
    }

    /// CL height at `(x, y)`, never below the floor. `hint` carries the deciding triangle
    /// from one query to the next along a line (raster coherence).
    pub fn height(&self, x: f64, y: f64, hint: &mut Option<u32>) -> f64 {
        self.model
            .drop_cutter_hinted(self.cutter, x, y, self.floor, hint)
            .unwrap_or(self.floor)
    }

    /// Samples the straight segment `a → b` (XY) at about `step`, refining where the height
    /// departs from linear by more than `tol`, and simplifying within `tol` without ever
    /// going below a computed sample. Returns (x, y, z) points from `a` to `b` inclusive.
    ///
    /// # Refinement: five samples per accepted chord
    ///
    /// The cutter-location profile along a line is the upper envelope of one concave
    /// function per triangle (the drop onto one triangle is concave in the axis position,
    /// see `cutter/push.rs`): concave stretches joined by valleys (convex creases, where
    /// another triangle takes over). On one concave stretch the chord's shortfall anywhere
    /// is at most twice its shortfall at the midpoint, which is what a midpoint test relies
    /// on. A valley inside the interval breaks that: the profile can fall, kink and climb
    /// so that the midpoint lands on the chord while the climb bulges far above it (0.3 mm
    /// on a scanned relief with the chord through all three samples). So a chord is only
    /// accepted when the midpoint *and* both quarter points lie within `tol / 2` of it;
    /// otherwise both halves are refined (each already knowing its midpoint when the quarter
    /// points were computed). An accepted chord costs three queries where it cost one. A valley now has to
    /// fall between two of five samples that are collinear within `tol / 2`, on both sides
    /// of it stretches a concave function agrees with a line at three points. Refinement stops at [`MIN_STEP_FRACTION`] of the sampling, where a remaining
    /// jump is a wall crossed square.
    pub fn line(&self, a: DVec2, b: DVec2, step: f64, tol: f64) -> Vec<DVec3> {
        let len = a.distance(b);
        let n = ((len / step).ceil() as usize).max(1);
        let mut r = Refine {
            surface: self,
            a,
            b,
            len2: a.distance_squared(b),
            min_dt: MIN_STEP_FRACTION / n as f64,
            tol,
            hint: None,
            out: Vec::with_capacity(2 * n + 2),
        };
        let mut prev = r.sample(0.0);
        r.out.push(prev);
        for i in 1..=n {
            let next = r.sample(i as f64 / n as f64);
            r.interval(prev, next, None);
            prev = next;
        }
        simplify(&r.out, tol * 0.5)
            .into_iter()
            .map(|(t, z)| r.at(t).extend(z))
            .collect()
    }

    /// Feeds from the tool's last point to `to` along [`Surface::line`] between them (so
    /// the link never gouges).
    pub fn feed_to(&self, tp: &mut Toolpath, to: DVec2, step: f64, tol: f64) {
        let Some(l) = tp.last() else {
            return;
        };
        let from = DVec2::new(l[0] as f64, l[1] as f64);
        for p in self.line(from, to, step, tol).iter().skip(1) {
            tp.push(Move::Feed, f32p(*p));
        }
    }
}

/// A cutter location as the toolpath stores it. XY was sampled at points `f32` holds (see
/// `snap`), so it is exact; Z is rounded up, so a location far from the origin, where
/// `f32` is coarse, is never below the height computed for it.
pub fn f32p(p: DVec3) -> [f32; 3] {
    let z = p.z as f32;
    let z = if (z as f64) < p.z { z.next_up() } else { z };
    [p.x as f32, p.y as f32, z]
}

/// Up to `safe` from wherever the tool is (unless it is already there), across to above
/// `start`, and down to it.
pub fn plunge_to(tp: &mut Toolpath, start: DVec3, safe: f32) {
    if let Some(l) = tp.last() {
        if l[2] < safe {
            tp.push(Move::Rapid, [l[0], l[1], safe]);
        }
    }
    tp.push(Move::Rapid, [start.x as f32, start.y as f32, safe]);
    tp.push(Move::Plunge, f32p(start));
}

/// Where a path is entered from `here`: the index of its nearer end (open) or its
/// nearest vertex (closed), with the squared distance.
pub fn entry(p: &[DVec2], closed: bool, here: DVec2) -> (usize, f64) {
    let d = |k: usize| (k, p[k].distance_squared(here));
    if closed {
        (0..p.len())
            .map(d)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f64::INFINITY))
    } else {
        let (a, b) = (d(0), d(p.len() - 1));
        if b.1 < a.1 {
            b
        } else {
            a
        }
    }
}

/// Cuts the path `p` (XY) at drop-cutter height, sampled every `step` and refined within
/// `tol` ([`Surface::line`]): entered at its vertex nearest `from` (where the tool is) and
/// cut all the way round when `closed`, else from its nearer end; reached over the surface
/// ([`Surface::feed_to`]) when the entry is within `reach` of the tool at cutting depth,
/// else through the `safe` height.
#[allow(clippy::too_many_arguments)]
pub fn cut_along(
    s: &Surface,
    tp: &mut Toolpath,
    mut p: Vec<DVec2>,
    closed: bool,
    from: DVec2,
    step: f64,
    tol: f64,
    reach: f64,
    safe: f32,
) {
    if p.len() < 2 {
        return;
    }
    let (vi, _) = entry(&p, closed, from);
    if closed {
        p.rotate_left(vi);
        p.push(p[0]);
    } else if vi > 0 {
        p.reverse();
    }
    let start = p[0];
    let mut pts: Vec<DVec3> = Vec::new();
    for w in p.windows(2) {
        let l = s.line(w[0], w[1], step, tol);
        let skip = usize::from(!pts.is_empty());
        pts.extend(l.into_iter().skip(skip));
    }
    if pts.is_empty() {
        return;
    }
    match tp.last() {
        Some(l) if l[2] < safe && DVec2::new(l[0] as f64, l[1] as f64).distance(start) <= reach => {
            s.feed_to(tp, start, step, tol);
        }
        _ => plunge_to(tp, pts[0], safe),
    }
    for q in pts.iter().skip(1) {
        tp.push(Move::Feed, f32p(*q));
    }
}

/// The closing move of a toolpath: straight up to `safe` from its last point.
pub fn retract(tp: &mut Toolpath, safe: f32) {
    if let Some(l) = tp.last() {
        tp.push(Move::Rapid, [l[0], l[1], safe]);
    }
}

/// The XY point nearest to `p` that the toolpath's `f32` can hold exactly.
///
/// Far from the origin `f32` is coarse (1/32 mm at 3e5, 1/16 mm at 1e6): a point computed
/// in f64 and rounded on output lands beside the place its height was computed for, and
/// on a slope that is a gouge. Sampling only at points `f32` holds makes the emitted point
/// the very one that was checked. Near the origin it moves a point by less than 1e-6 mm.
fn snap(p: DVec2) -> DVec2 {
    p.as_vec2().as_dvec2()
}

/// The state of one line's refinement: (t, z) samples emitted in order of `t`, where `t`
/// is the parameter of the snapped point actually sampled.
struct Refine<'s, 'a> {
    surface: &'s Surface<'a>,
    a: DVec2,
    b: DVec2,
    len2: f64,
    min_dt: f64,
    tol: f64,
    hint: Option<u32>,
    out: Vec<(f64, f64)>,
}

impl Refine<'_, '_> {
    /// The point at parameter `t` of the line.
    fn at(&self, t: f64) -> DVec2 {
        self.a + (self.b - self.a) * t
    }

    /// The height at the snapped point nearest to parameter `t`, with that point's own
    /// parameter (its projection on the line, so the chord tests see where it really is).
    fn sample(&mut self, t: f64) -> (f64, f64) {
        let p = snap(self.at(t));
        let ts = if self.len2 > 0.0 {
            (p - self.a).dot(self.b - self.a) / self.len2
        } else {
            t
        };
        (ts, self.surface.height(p.x, p.y, &mut self.hint))
    }

    /// Emits the samples of the interval from `a` (already emitted) to `b`, refined until
    /// every chord holds its midpoint and quarter points within half the tolerance. `mid`
    /// is the midpoint's sample when the caller has it.
    fn interval(&mut self, (ta, za): (f64, f64), (tb, zb): (f64, f64), mid: Option<(f64, f64)>) {
        let (tm, zm) = if tb - ta <= self.min_dt {
            (ta, za)
        } else {
            match mid {
                Some(m) => m,
                None => self.sample(0.5 * (ta + tb)),
            }
        };
        if !(tm > ta && tm < tb) {
            // Finer than the finest step, or than `f32` can place a point here. A jump (a
            // wall, or the rim of the cutter meeting an edge) that remains is gone over
            // square — up before it, or down after it — so no part of the move is below
            // the higher side.
            if (zb - za).abs() > self.tol {
                if zb > za {
                    self.out.push((ta, zb));
                } else {
                    self.out.push((tb, za));
                }
            }
            self.out.push((tb, zb));
            return;
        }
        let chord = |t: f64| za + (zb - za) * ((t - ta) / (tb - ta));
        let half = 0.5 * self.tol;
        let off = |(t, z): (f64, f64)| (z - chord(t)).abs() > half;
        if off((tm, zm)) {
            // Split at once: the quarter points are only worth their queries on a chord
            // that might be accepted.
            self.interval((ta, za), (tm, zm), None);
            self.interval((tm, zm), (tb, zb), None);
            return;
        }
        let q1 = self.sample(0.5 * (ta + tm));
        let q3 = self.sample(0.5 * (tm + tb));
        if off(q1) || off(q3) {
            self.interval((ta, za), (tm, zm), Some(q1));
            self.interval((tm, zm), (tb, zb), Some(q3));
        } else {
            // The accepted inner samples are not kept: the simplified path lies on or above
            // every kept sample, hence above the chords between them (it is straight), and
            // the profile is within `tol / 2` of those chords.
            self.out.push((tb, zb));
        }
    }
}

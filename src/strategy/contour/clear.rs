//! What the grid's samples cannot see: a bound of the drop-cutter height over a whole disk,
//! and with it paths kept out of blocked spots narrower than the samples.
//!
//! # The bound
//!
//! The cutter with its axis anywhere within `e` of a point `c` lies inside the cutter
//! widened by `e` (its Minkowski sum with a horizontal disk of radius `e`) with its axis at
//! `c`: a point of the model at distance `r` from `c` is at least `r - e` from the axis, and
//! the profile only rises outwards. So the widened cutter's drop-cutter height at `c` bounds
//! the real one's over the whole disk, and it is an ordinary drop-cutter query (a ball
//! widened is a bull with the ball's radius as corner, see `rough::allowance::widen`). It is
//! tight: on a plane it is the real height at the disk's highest point.
//!
//! # How far a path may go unchecked
//!
//! A rigid tool moved by `d` from where it touches nothing can reach at most `d` into the
//! model, measured as the model's normal measures it. So a segment whose ends are free
//! cannot cut deeper than half its length, and a segment over which the bound is at most
//! `z + a` cannot cut deeper than `a` (lifting by the vertical deficit clears the tool, and
//! the normal depth is never more). Links and the peak search get [`ALLOWANCE`] of the
//! tolerance.
//!
//! Chords along a contour lie on the boundary, where every disk round them reaches into
//! the material: the bound cannot clear them, so they are probed instead (`keep_clear`).

use super::crossing::boundary;
use crate::geom::DVec2;
use crate::strategy::rough::allowance::{widen, Allowance};
use crate::strategy::surface::Surface;

/// The share of the tolerance a checked segment may cut into the model.
pub(super) const ALLOWANCE: f64 = 0.5;

/// Whether the drop-cutter height can be above `z` anywhere within `e` of `c` (XY); `false`
/// proves every point of that disk free at `z`.
pub(super) fn reaches_above(s: &Surface, c: DVec2, e: f64, z: f64) -> bool {
    if z < s.floor {
        return true;
    }
    let w = widen(
        Allowance {
            cutter: *s.cutter,
            lift: 0.0,
        },
        e * (1.0 + 1e-9),
    );
    s.model
        .drop_cutter_hinted(&w.cutter, c.x, c.y, z - w.lift, &mut None)
        .is_some()
}

/// The widened cutter's height at `c` (an upper bound of the height within `e` of it).
pub(super) fn top_within(s: &Surface, c: DVec2, e: f64, hint: &mut Option<u32>) -> f64 {
    let w = widen(
        Allowance {
            cutter: *s.cutter,
            lift: 0.0,
        },
        e * (1.0 + 1e-9),
    );
    s.model
        .drop_cutter_hinted(&w.cutter, c.x, c.y, s.floor - w.lift, hint)
        .map_or(s.floor, |h| (h + w.lift).max(s.floor))
}

/// True when the straight move `a → b` at height `z` cuts no deeper than
/// `ALLOWANCE · tol` into the model, by the bound, halving the move where it cannot tell;
/// the ends are checked too.
pub fn clear_link(s: &Surface, a: DVec2, b: DVec2, z: f64, tol: f64) -> bool {
    let free = |p: DVec2| s.height(p.x, p.y, &mut None) <= z + 1e-9;
    free(a) && free(b) && clear_between(s, a, b, z, ALLOWANCE * tol, 0)
}

fn clear_between(s: &Surface, a: DVec2, b: DVec2, z: f64, allow: f64, depth: u32) -> bool {
    let len = a.distance(b);
    if len <= 2.0 * allow || depth > 40 {
        return true;
    }
    let m = (a + b) * 0.5;
    if !reaches_above(s, m, 0.5 * len, z + allow) {
        return true;
    }
    if s.height(m.x, m.y, &mut None) > z + 1e-9 {
        return false;
    }
    clear_between(s, a, m, z, allow, depth + 1) && clear_between(s, m, b, z, allow, depth + 1)
}

/// The path `pts` (material on its left, every point free) with boundary points inserted
/// wherever a chord between two of its points crosses a blocked spot the samples missed (a
/// needle's tip by the boundary) by more than the tolerance. Chords are probed at their
/// midpoints, halving down to `max(4 tol, step / 8)`; a probe inside the material by more
/// than the tolerance (still blocked `tol` along the chord's right normal, away from the
/// material it keeps on its left) bends the chord through the boundary point found along
/// that normal. Refinement leaves a chord within three quarters of the tolerance of the
/// boundary, inside it on a convex one, so a probe finds nothing more on an ordinary path
/// and costs one query. Spots narrower than the probe spacing can still be crossed.
pub(super) fn keep_clear(
    s: &Surface,
    z: f64,
    pts: &[DVec2],
    closed: bool,
    tol: f64,
    step: f64,
) -> Vec<DVec2> {
    let n = pts.len();
    if n < 2 {
        return pts.to_vec();
    }
    let probe = Probe {
        s,
        z,
        tol,
        eps: tol / 16.0,
        min_len: (4.0 * tol).max(step / 8.0),
    };
    let segs = if closed { n } else { n - 1 };
    let mut out = Vec::with_capacity(n + 8);
    for k in 0..segs {
        let (a, b) = (pts[k], pts[(k + 1) % n]);
        out.push(a);
        probe.bend(a, b, 0, &mut out);
    }
    if !closed {
        out.push(pts[n - 1]);
    }
    out
}

struct Probe<'s, 'a> {
    s: &'s Surface<'a>,
    z: f64,
    tol: f64,
    eps: f64,
    min_len: f64,
}

impl Probe<'_, '_> {
    fn blocked(&self, p: DVec2, hint: &mut Option<u32>) -> bool {
        self.s.height(p.x, p.y, hint) > self.z
    }

    /// Emits the points to insert strictly between `a` and `b` (both free).
    fn bend(&self, a: DVec2, b: DVec2, depth: u32, out: &mut Vec<DVec2>) {
        let len = a.distance(b);
        if len <= self.min_len || depth > 24 {
            return;
        }
        let m = (a + b) * 0.5;
        let right = -(b - a).perp() / len;
        let mut hint = None;
        if !self.blocked(m, &mut hint) || !self.blocked(m + right * self.tol, &mut hint) {
            self.bend(a, m, depth + 1, out);
            self.bend(m, b, depth + 1, out);
            return;
        }
        // March out along the right normal to the first free point, then bisect.
        const MARCH: usize = 8;
        let mut prev = m + right * self.tol;
        let mut q = None;
        for _ in 0..MARCH {
            let p = prev + right * (len / MARCH as f64);
            if !self.blocked(p, &mut hint) {
                q = Some(boundary(self.s, self.z, p, prev, self.eps));
                break;
            }
            prev = p;
        }
        // Nothing free within a chord's length: no small spot, and nothing here can route
        // round it; leave the chord as it was.
        let Some(q) = q else {
            self.bend(a, m, depth + 1, out);
            self.bend(m, b, depth + 1, out);
            return;
        };
        self.bend(a, q, depth + 1, out);
        out.push(q);
        self.bend(q, b, depth + 1, out);
    }
}

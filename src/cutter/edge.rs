//! Edge contact: the cutter dropped onto a straight segment.
//!
//! Work in the vertical plane that holds the edge. Let `ê` be the edge's unit XY direction,
//! `d` the XY distance from the axis to the edge's line, and `τ` the XY coordinate along the
//! edge measured from the foot of the perpendicular from the axis. A point of the edge at
//! `τ` is `ρ = sqrt(d² + τ²)` from the axis and has height `z(τ)`, linear with slope `m`
//! (rise per unit XY length). The tip touching it is at
//!
//! ```text
//! f(τ) = z(τ) - h(sqrt(d² + τ²))
//! ```
//!
//! a concave function of `τ` (convex nondecreasing `h` of a convex `ρ`). The cutter reaches
//! the points with `|τ| ≤ w = sqrt(R² - d²)` (the chord of the disk), and the edge holds the
//! points between its end points; on the intersection `[lo, hi]` of both intervals, the
//! maximum of a concave function is its stationary point `τ*` if that lies inside, and
//! otherwise the nearer end. So every shape only supplies `τ*` (its file has the formula,
//! `±∞` when `f` is monotone), and clamping it to `[lo, hi]` gives the exact maximum.
//! The interval ends are the end points of the edge inside the disk (the vertex contact)
//! and the points where the edge crosses the rim.
//!
//! An edge with no XY length is vertical: only its top end can be touched first, so it is a
//! `vertex.rs` contact.

use super::{ball, bull, cone, flat, vertex, Cutter, Shape};
use crate::geom::DVec3;

/// Tip height for the edge from `a` to `b` (XY relative to the axis), or `None` when no
/// point of it is within the radius.
#[inline]
pub(super) fn drop(cutter: &Cutter, a: DVec3, b: DVec3) -> Option<f64> {
    drop_above(cutter, a, b, f64::NEG_INFINITY)
}

/// As [`drop`], but `None` also when the tip height is not above `best`. The edge's higher
/// end, at the edge's nearest XY distance from the axis, bounds every contact on it (the
/// profile only rises outwards): when that cannot beat `best` the edge is dismissed before
/// any square root.
#[inline]
pub(super) fn drop_above(cutter: &Cutter, a: DVec3, b: DVec3, best: f64) -> Option<f64> {
    let e = (b - a).truncate();
    let l2 = e.length_squared();
    if !(l2 > 0.0) {
        let top = if a.z >= b.z { a } else { b };
        return vertex::drop(cutter, top).filter(|&z| z > best);
    }
    // The axis is the origin: `-a` is the vector from `a` to the axis. Reject an edge out
    // of reach before any square root or division: the squared distance from the axis to
    // the segment, scaled by `l²`, against `R² l²`.
    let r = cutter.radius;
    let r2 = r * r;
    let proj = -a.truncate().dot(e);
    let cross = a.truncate().perp_dot(e);
    let out_of_reach = if proj <= 0.0 {
        a.truncate().length_squared() > r2
    } else if proj >= l2 {
        b.truncate().length_squared() > r2
    } else {
        cross * cross > r2 * l2
    };
    if out_of_reach {
        return None;
    }
    let near2 = if proj <= 0.0 {
        a.truncate().length_squared()
    } else if proj >= l2 {
        b.truncate().length_squared()
    } else {
        cross * cross / l2
    };
    if !cutter.reaches_above(a.z.max(b.z), near2, best) {
        return None;
    }
    let l = l2.sqrt();
    let t0 = proj / l;
    let d = (cross / l).abs();
    if !(d <= r) {
        return None;
    }
    let w = ((r - d) * (r + d)).sqrt();
    let lo = (-t0).max(-w);
    let hi = (l - t0).min(w);
    if !(lo <= hi) {
        return None;
    }
    let dz = b.z - a.z;
    let m = dz / l;
    let stationary = match cutter.shape {
        Shape::Flat => flat::edge_stationary(m),
        Shape::Ball => ball::edge_stationary(w, m),
        Shape::Bull { corner_radius } => {
            bull::edge_stationary(cutter.radius, corner_radius, d, w, m, lo, hi)
        }
        Shape::Cone { .. } => cone::edge_stationary(cutter.cone_rise, d, m),
    };
    // `max`/`min` rather than `clamp`: a NaN from odd input must not panic.
    let tau = stationary.max(lo).min(hi);
    // At an end point of the edge, the vertex contact from the vertex's own coordinates:
    // the two edges that share a vertex then give the same bits for it, so which of them
    // a search tries (see `facet.rs`) cannot change the answer.
    let z = if tau == -t0 {
        a.z - cutter.height_sq(a.truncate().length_squared())
    } else if tau == l - t0 {
        b.z - cutter.height_sq(b.truncate().length_squared())
    } else {
        a.z + dz * ((t0 + tau) / l) - cutter.height_sq(d * d + tau * tau)
    };
    (z > best).then_some(z)
}

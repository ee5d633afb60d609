//! Facet contact: the cutter dropped onto the plane of the triangle, touching inside it.
//!
//! Let the plane have upward unit normal `n`, tilt `θ` (`cos θ = n_z`, `sin θ = |n_xy|`) and
//! let `u = n_xy / |n_xy|`, the horizontal downhill direction. For a point at XY offset `δ`
//! from the axis the objective is `plane_z(axis) + tan θ · (-u · δ) - h(|δ|)`; at a given
//! distance `r = |δ|` the uphill point `δ = -r u` is best, so the maximum over the whole
//! disk is at `δ = -r* u` where `r*` maximises `tan θ · r - h(r)` on `[0, R]`. That `r*`,
//! the *tangent radius*, is the shape's business (see its file); each shape's `h` is convex
//! so `r*` solves `h'(r) = tan θ` or sits at an end of `[0, R]`.
//!
//! If the contact point lies inside the triangle (XY barycentric test), the tip
//! `plane_z(contact) - h(r*)` is the exact answer for the whole triangle: no point of the
//! triangle within reach can do better than the best point of the entire disk.
//!
//! A level plane has no downhill direction; the axis point represents the equally good
//! points (if it falls outside the triangle, an edge inside the disk reaches the same
//! height). A vertical facet has no contact of its own: above every XY point of it the
//! highest point is on its boundary, so its edges decide.
//!
//! The height at the contact point is interpolated with the XY barycentric weights; inside
//! the triangle they share one sign, so the result is a convex combination of the vertex
//! heights even on a nearly vertical facet where the weights themselves are ill-conditioned.
//!
//! # With a contact already in hand
//!
//! A search that holds a contact at `best` asks less ([`drop_above`]): only whether this
//! triangle beats it. Two facts make that cheaper than the contact itself.
//!
//! * The facet tip is the maximum over the whole disk for the triangle's plane, so if it is
//!   not above `best`, nothing of the triangle is. It is `z₀ + D`, with `z₀` the plane's
//!   height on the axis and `D = max(tan θ · r - h(r))` the shape's gain: `R tan θ` (flat),
//!   `R (1/cos θ - 1)` (ball), `max(0, R (tan θ - k))` (cone). With `n` the unnormalised
//!   normal, `tan θ = |n_xy| / |n_z|` and `1/cos θ = |n| / |n_z|`, so `D ≤ k` is a comparison
//!   of squares: no square root, no trigonometry. The bull's gain is at most the flat's
//!   (its profile is never below zero), and exact once its tangent radius is known.
//! * When the contact point misses the triangle, the maximum over the triangle sits on an
//!   edge whose line has the contact point on its far side. Walk from the maximiser `x*`
//!   towards the contact `q`: the objective is concave and `q` maximises it on the disk, so
//!   it never drops below its value at `x*` along the way, and inside the triangle it cannot
//!   rise above it either. The walk leaves the triangle across an edge line that `q` lies
//!   beyond, at a point of that edge, inside the disk, with the maximal value. So only
//!   those edges (one or two) need testing; a small margin keeps an edge whose line `q`
//!   nearly touches.
//!
//! The plane's height on the axis is only trusted when the triangle is not within about
//! 0.06° of vertical relative to its own size (`|n_z|` at least 1e-3 of the products that
//! make it); steeper ones skip the bound and take the exact path.

use super::plane::Plane;
use super::{Cutter, Shape};
use crate::geom::{DVec2, DVec3};

/// The tangent radius on `plane` and the contact point's XY relative to the axis: that far
/// uphill (on the axis for a level plane).
#[inline]
fn contact(plane: &Plane, cutter: &Cutter) -> (f64, DVec2) {
    let rho = plane.tangent_radius(cutter);
    let q = if plane.nxy > 0.0 {
        DVec2::new(
            -rho * plane.n_xy.x / plane.nxy,
            -rho * plane.n_xy.y / plane.nxy,
        )
    } else {
        DVec2::ZERO
    };
    (rho, q)
}

/// Tip height for the facet contact, or `None` when the contact point is not inside the
/// triangle `p` (XY relative to the axis) or the triangle is vertical or degenerate.
#[inline]
pub(super) fn drop(cutter: &Cutter, p: &[DVec3; 3]) -> Option<f64> {
    let plane = Plane::new(p)?;
    let (rho, q) = contact(&plane, cutter);
    let [w0, w1, w2] = plane.weights_inside(p, q)?;
    let sum = w0 + w1 + w2;
    if !(sum > 0.0) {
        return None;
    }
    let z = (w0 * p[0].z + w1 * p[1].z + w2 * p[2].z) / sum;
    Some(z - cutter.height_sq(rho * rho))
}

/// What the facet step says about a triangle, for a search holding a contact at `best`.
pub(super) enum Facet {
    /// The facet contact is inside the triangle: the triangle's exact tip height.
    Hit(f64),
    /// No point of the triangle can hold the tip above `best`.
    Below,
    /// The contact misses the triangle; the flagged edges (`p₀p₁`, `p₁p₂`, `p₂p₀`) decide.
    Miss([bool; 3]),
}

/// The facet step with a contact at `best` in hand (see the module notes). `Hit` carries the
/// same value [`drop`] returns.
#[inline]
pub(super) fn drop_above(cutter: &Cutter, p: &[DVec3; 3], best: f64) -> Facet {
    const ALL: Facet = Facet::Miss([true; 3]);
    let e1 = p[1] - p[0];
    let e2 = p[2] - p[0];
    let n = e1.cross(e2);
    let nz = n.z.abs();
    let big_r = cutter.radius;
    let tame = nz >= 1e-3 * ((e1.x.abs() + e1.y.abs()) * (e2.x.abs() + e2.y.abs()));
    let (z_axis, margin) = if tame {
        let z_axis = p[0].z + (n.x * p[0].x + n.y * p[0].y) / n.z;
        let slope = (n.x.abs() + n.y.abs()) / nz;
        let margin =
            1e-9 * (1.0 + p[0].z.abs() + (big_r + p[0].x.abs() + p[0].y.abs()) * (1.0 + slope));
        // The gain the plane may give for the tip to stay at or below `best`.
        let k = best - margin - z_axis;
        if k >= 0.0 {
            let n2xy = n.x * n.x + n.y * n.y;
            let r2 = big_r * big_r;
            let below = match cutter.shape {
                Shape::Flat | Shape::Bull { .. } => r2 * n2xy <= k * k * nz * nz,
                Shape::Ball => r2 * (n2xy + nz * nz) <= (k + big_r) * (k + big_r) * nz * nz,
                Shape::Cone { .. } => {
                    let c = k + big_r * cutter.cone_rise;
                    r2 * n2xy <= c * c * nz * nz
                }
            };
            if below {
                return Facet::Below;
            }
        }
        (z_axis, margin)
    } else {
        (f64::NAN, f64::NAN)
    };
    let Some(plane) = Plane::from_normal(n) else {
        return ALL;
    };
    let (rho, q) = contact(&plane, cutter);
    let w = plane.weights(p, q);
    if w[0] >= 0.0 && w[1] >= 0.0 && w[2] >= 0.0 {
        let sum = w[0] + w[1] + w[2];
        if !(sum > 0.0) {
            return ALL;
        }
        let z = (w[0] * p[0].z + w[1] * p[1].z + w[2] * p[2].z) / sum;
        return Facet::Hit(z - cutter.height_sq(rho * rho));
    }
    if tame && matches!(cutter.shape, Shape::Bull { .. }) {
        let gain = rho * plane.nxy / plane.nz - cutter.height_sq(rho * rho);
        if z_axis + gain + margin <= best {
            return Facet::Below;
        }
    }
    let slack = 1e-9 * (w[0].abs() + w[1].abs() + w[2].abs());
    let edges = [w[2] < slack, w[0] < slack, w[1] < slack];
    if edges == [false; 3] {
        ALL
    } else {
        Facet::Miss(edges)
    }
}

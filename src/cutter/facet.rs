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

use super::plane::Plane;
use super::Cutter;
use crate::geom::{DVec2, DVec3};

/// Tip height for the facet contact, or `None` when the contact point is not inside the
/// triangle `p` (XY relative to the axis) or the triangle is vertical or degenerate.
#[inline]
pub(super) fn drop(cutter: &Cutter, p: &[DVec3; 3]) -> Option<f64> {
    let plane = Plane::new(p)?;
    let rho = plane.tangent_radius(cutter);
    let q = if plane.nxy > 0.0 {
        DVec2::new(
            -rho * plane.n_xy.x / plane.nxy,
            -rho * plane.n_xy.y / plane.nxy,
        )
    } else {
        DVec2::ZERO
    };
    let [w0, w1, w2] = plane.weights_inside(p, q)?;
    let sum = w0 + w1 + w2;
    if !(sum > 0.0) {
        return None;
    }
    let z = (w0 * p[0].z + w1 * p[1].z + w2 * p[2].z) / sum;
    Some(z - cutter.height_sq(rho * rho))
}

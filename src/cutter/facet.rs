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

use super::Cutter;

/// Tip height for the facet contact, or `None` when the contact point is not inside the
/// triangle `p` (XY relative to the axis) or the triangle is vertical or degenerate.
#[inline]
pub(super) fn drop(cutter: &Cutter, p: &[[f64; 3]; 3]) -> Option<f64> {
    let [p0, p1, p2] = *p;
    let e1 = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
    let e2 = [p2[0] - p0[0], p2[1] - p0[1], p2[2] - p0[2]];
    let mut nx = e1[1] * e2[2] - e1[2] * e2[1];
    let mut ny = e1[2] * e2[0] - e1[0] * e2[2];
    // Signed XY area (times two): it also orients the barycentric test below.
    let area = e1[0] * e2[1] - e1[1] * e2[0];
    let nz = area.abs();
    if !(nz > 0.0) {
        return None;
    }
    if area < 0.0 {
        nx = -nx;
        ny = -ny;
    }
    let nxy = (nx * nx + ny * ny).sqrt();
    let len = (nxy * nxy + nz * nz).sqrt();
    let sin_tilt = nxy / len;
    let cos_tilt = nz / len;
    let rho = cutter.facet_radius(sin_tilt, cos_tilt);
    let (qx, qy) = if nxy > 0.0 {
        (-rho * nx / nxy, -rho * ny / nxy)
    } else {
        (0.0, 0.0)
    };
    // Barycentric weights of q: twice the signed areas of the sub-triangles opposite each
    // vertex, all with the sign of `area` when q is inside.
    let (ax, ay) = (p0[0] - qx, p0[1] - qy);
    let (bx, by) = (p1[0] - qx, p1[1] - qy);
    let (cx, cy) = (p2[0] - qx, p2[1] - qy);
    let mut w0 = bx * cy - by * cx;
    let mut w1 = cx * ay - cy * ax;
    let mut w2 = ax * by - ay * bx;
    if area < 0.0 {
        w0 = -w0;
        w1 = -w1;
        w2 = -w2;
    }
    if !(w0 >= 0.0 && w1 >= 0.0 && w2 >= 0.0) {
        return None;
    }
    let sum = w0 + w1 + w2;
    if !(sum > 0.0) {
        return None;
    }
    let z = (w0 * p0[2] + w1 * p1[2] + w2 * p2[2]) / sum;
    Some(z - cutter.height_sq(rho * rho))
}

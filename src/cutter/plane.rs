//! A triangle's plane seen by a cutter: its upward normal and tilt, the tangent radius of
//! the cutter against it, and the XY test of whether a contact point lies inside the
//! triangle. The drop-cutter's facet contact (`facet.rs`) and the push-cutter's
//! (`push.rs`) both start from here.
//!
//! With edges `e₁ = p₁ - p₀` and `e₂ = p₂ - p₀`, the normal is `e₁ × e₂`; its Z component is
//! twice the triangle's signed XY area, whose sign says how the vertices wind seen from
//! above. The normal is flipped to point up, and the same sign orients the barycentric
//! test, so one code path serves both windings.

use super::Cutter;
use crate::geom::{DVec2, DVec3};

/// The plane of a non-vertical triangle, normal pointing up (not normalised).
pub(super) struct Plane {
    /// Horizontal part of the upward normal (points downhill).
    pub n_xy: DVec2,
    /// Vertical part of the upward normal: twice the triangle's XY area.
    pub nz: f64,
    /// `|n_xy|`.
    pub nxy: f64,
    /// Twice the signed XY area (negative when the vertices wind clockwise from above).
    area: f64,
    sin_tilt: f64,
    cos_tilt: f64,
}

impl Plane {
    /// The plane of the triangle `p`, or `None` when it is vertical or degenerate (no XY
    /// area: its edges decide).
    #[inline]
    pub fn new(p: &[DVec3; 3]) -> Option<Plane> {
        Plane::from_normal((p[1] - p[0]).cross(p[2] - p[0]))
    }

    /// As [`Plane::new`], from the triangle's normal `(p₁ - p₀) × (p₂ - p₀)`.
    #[inline]
    pub fn from_normal(n: DVec3) -> Option<Plane> {
        let area = n.z;
        let nz = area.abs();
        if !(nz > 0.0) {
            return None;
        }
        let n_xy = if area < 0.0 {
            -n.truncate()
        } else {
            n.truncate()
        };
        let nxy = n_xy.length();
        let len = (nxy * nxy + nz * nz).sqrt();
        Some(Plane {
            n_xy,
            nz,
            nxy,
            area,
            sin_tilt: nxy / len,
            cos_tilt: nz / len,
        })
    }

    /// The radius at which `cutter` touches this plane, uphill of its axis.
    #[inline]
    pub fn tangent_radius(&self, cutter: &Cutter) -> f64 {
        cutter.facet_radius(self.sin_tilt, self.cos_tilt)
    }

    /// The XY barycentric weights of `q` in the triangle `p` (twice the signed areas of the
    /// sub-triangles opposite each vertex, oriented by the winding), when `q` is inside or
    /// on the boundary: all three are then nonnegative.
    #[inline]
    pub fn weights_inside(&self, p: &[DVec3; 3], q: DVec2) -> Option<[f64; 3]> {
        let w = self.weights(p, q);
        (w[0] >= 0.0 && w[1] >= 0.0 && w[2] >= 0.0).then_some(w)
    }

    /// The XY barycentric weights of `q` in the triangle `p`, as [`Plane::weights_inside`]
    /// but wherever `q` is: weight `i` is negative when `q` lies beyond the edge opposite
    /// vertex `i`.
    #[inline]
    pub fn weights(&self, p: &[DVec3; 3], q: DVec2) -> [f64; 3] {
        let a = p[0].truncate() - q;
        let b = p[1].truncate() - q;
        let c = p[2].truncate() - q;
        let w = [b.perp_dot(c), c.perp_dot(a), a.perp_dot(b)];
        if self.area < 0.0 {
            w.map(|v| -v)
        } else {
            w
        }
    }
}

//! Tool shapes and their exact drop-cutter contact.
//!
//! Every cutter is a surface of revolution about a vertical axis, described by its radius
//! `R` and its *profile* `h(r)`: the height of the cutting surface above the tip at radial
//! distance `r ∈ [0, R]`. A cutter location (CL) is the tip point on the axis.
//!
//! | shape | profile `h(r)` | file |
//! |---|---|---|
//! | flat (cylindrical end mill) | `0` | `flat.rs` |
//! | ball (spherical) | `R - sqrt(R² - r²)` | `ball.rs` |
//! | bull (toroidal, corner radius `c`) | `0` for `r ≤ R - c`, else `c - sqrt(c² - (r - R + c)²)` | `bull.rs` |
//! | cone (V-bit, included angle `2α`) | `r / tan α` | `cone.rs` |
//!
//! # Drop-cutter against a triangle
//!
//! With the axis through `c = (x, y)`, the cutter lowered onto a point `p` of the triangle
//! stops with its tip at `p_z - h(|p_xy - c|)`, provided `|p_xy - c| ≤ R`. It stops on the
//! triangle at the highest of these:
//!
//! ```text
//! tip = max { p_z - h(|p_xy - c|) : p ∈ T, |p_xy - c| ≤ R }
//! ```
//!
//! All four profiles are convex and nondecreasing on `[0, R]`, and `|p_xy - c|` is a convex
//! function of `p`, so `h(|p_xy - c|)` is convex; `p_z` is affine on the triangle. The
//! objective is therefore *concave* over the convex set `T ∩ cylinder`, and its maximum is
//! found exactly among a few candidates:
//!
//! * Facet (`facet.rs`): the maximum of the objective over the whole disk, for the
//!   triangle's plane. If that point lies inside the triangle it is the answer (nothing in
//!   `T ∩ disk` can beat the maximum over the disk), and no edge needs testing.
//! * Otherwise the maximum lies on the boundary of `T ∩ disk`: on the three edges clipped
//!   to the disk (`edge.rs`), whose interval ends are the vertices inside the disk
//!   (`vertex.rs`) and the rim crossings. A maximum on a rim arc strictly inside the
//!   triangle is ruled out: locally `T ∩ disk` is the disk there, so it would be a local,
//!   hence (concavity) global, maximum over the disk, which the facet step looked for.
//!   Where the disk maximum is not unique (a level plane, a cone flank parallel to the
//!   plane) the facet step tests one representative; if the set of maximisers meets the
//!   triangle elsewhere, the segment from the representative to it crosses an edge inside
//!   the disk at a point of the same height, so the edges still find the answer.
//!
//! Each shape file holds the three shape-specific facts: the profile, the facet tangent
//! radius and the stationary point along an edge.
//!
//! Precision: the triangle is `f32` (the mesh buffer), all contact maths is `f64`, done
//! relative to the cutter axis so large coordinates lose nothing.

// The contact code writes `!(x > 0.0)` on purpose: it is true for NaN too, so odd input
// (NaN, infinities) takes the reject path instead of reaching arithmetic that assumes order.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::geom::Det;

mod ball;
mod bull;
mod cone;
mod edge;
mod facet;
mod fiber;
mod flat;
mod plane;
mod push;
mod push_edge;
mod root;
mod vertex;

pub use fiber::{Fiber, FiberAxis};

use crate::geom::DVec3;
use std::fmt;

/// The geometric kind of a cutter, with its shape parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// Cylindrical end mill.
    Flat,
    /// Spherical (ball-nose) end mill.
    Ball,
    /// Toroidal (bull-nose) end mill.
    Bull {
        /// The corner radius `c`, `0 < c < R`.
        corner_radius: f64,
    },
    /// Conical V-bit.
    Cone {
        /// The included angle of the V in degrees, 1 to 179.
        angle_deg: f64,
    },
}

/// Why a cutter description was refused. Each variant carries the figure refused, and
/// [`CutterError::field`] names the tool field it came from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CutterError {
    /// The diameter is not a positive number.
    Diameter(f64),
    /// The diameter is over 1000 (units are mm or inch: no cutter is that large).
    DiameterTooLarge(f64),
    /// The flute length is not a positive number.
    FluteLength(f64),
    /// The bull-nose corner radius is not strictly between 0 and the cutter radius.
    CornerRadius {
        /// The corner radius asked for.
        corner_radius: f64,
        /// The cutter radius it must stay below.
        radius: f64,
    },
    /// The cone's included angle is not between 1° and 179°.
    ConeAngle(f64),
}

impl CutterError {
    /// The tool field the refused value belongs to, as the job names it.
    pub fn field(&self) -> &'static str {
        match self {
            CutterError::Diameter(_) | CutterError::DiameterTooLarge(_) => "diameter",
            CutterError::FluteLength(_) => "flute_length",
            CutterError::CornerRadius { .. } => "corner_radius",
            CutterError::ConeAngle(_) => "angle",
        }
    }
}

impl fmt::Display for CutterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CutterError::Diameter(d) => write!(f, "cutter diameter {d} must be a positive number"),
            CutterError::DiameterTooLarge(d) => write!(
                f,
                "cutter diameter {d} is larger than 1000 (units are mm or inch)"
            ),
            CutterError::FluteLength(l) => {
                write!(f, "flute length {l} must be a positive number")
            }
            CutterError::CornerRadius {
                corner_radius,
                radius,
            } => write!(
                f,
                "corner radius {corner_radius} must be greater than 0 and less than half the diameter ({radius}); use a flat or ball cutter for the limits"
            ),
            CutterError::ConeAngle(a) => write!(
                f,
                "cone angle {a}° must be between 1° and 179° (the included angle of the V)"
            ),
        }
    }
}

impl std::error::Error for CutterError {}

/// A validated cutter.
///
/// Built only through [`Cutter::new`] or a shape constructor, which validate the shape and
/// cache values derived from it (so the contact maths does no trigonometry per call). The
/// fields are private so the cache can never disagree with the shape: to change the tool,
/// build a new `Cutter`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cutter {
    shape: Shape,
    /// Radius `R` of the cutting part (half the diameter).
    radius: f64,
    /// Length of the cutting part (flutes), from the tip up.
    flute_length: f64,
    /// Cone: `1 / tan α` (α the half angle), the rise of the flank per unit radius.
    /// Zero for the other shapes.
    cone_rise: f64,
}

impl Cutter {
    /// Builds and validates a cutter from a diameter and shape.
    pub fn new(shape: Shape, diameter: f64, flute_length: f64) -> Result<Cutter, CutterError> {
        if !diameter.is_finite() || diameter <= 0.0 {
            return Err(CutterError::Diameter(diameter));
        }
        if diameter > 1000.0 {
            return Err(CutterError::DiameterTooLarge(diameter));
        }
        if !flute_length.is_finite() || flute_length <= 0.0 {
            return Err(CutterError::FluteLength(flute_length));
        }
        let radius = diameter / 2.0;
        let mut cone_rise = 0.0;
        match shape {
            Shape::Flat | Shape::Ball => {}
            Shape::Bull { corner_radius } => {
                if !corner_radius.is_finite() || corner_radius <= 0.0 || corner_radius >= radius {
                    return Err(CutterError::CornerRadius {
                        corner_radius,
                        radius,
                    });
                }
            }
            Shape::Cone { angle_deg } => {
                if !angle_deg.is_finite() || !(1.0..=179.0).contains(&angle_deg) {
                    return Err(CutterError::ConeAngle(angle_deg));
                }
                cone_rise = 1.0 / (angle_deg.to_radians() / 2.0).dtan();
            }
        }
        Ok(Cutter {
            shape,
            radius,
            flute_length,
            cone_rise,
        })
    }

    /// A flat end mill of this diameter, flutes four diameters long.
    pub fn flat(diameter: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Flat, diameter, 4.0 * diameter)
    }

    /// A ball-nose end mill of this diameter, flutes four diameters long.
    pub fn ball(diameter: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Ball, diameter, 4.0 * diameter)
    }

    /// A bull-nose end mill of this diameter and corner radius, flutes four diameters long.
    pub fn bull(diameter: f64, corner_radius: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Bull { corner_radius }, diameter, 4.0 * diameter)
    }

    /// A V-bit of this diameter and included angle (degrees), flutes four diameters long.
    pub fn cone(diameter: f64, angle_deg: f64) -> Result<Cutter, CutterError> {
        Cutter::new(Shape::Cone { angle_deg }, diameter, 4.0 * diameter)
    }

    /// The shape and its parameters.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Radius `R` of the cutting part (half the diameter).
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// Diameter of the cutting part.
    pub fn diameter(&self) -> f64 {
        2.0 * self.radius
    }

    /// Length of the cutting part (flutes), from the tip up.
    pub fn flute_length(&self) -> f64 {
        self.flute_length
    }

    /// Height of the cutting surface above the tip at radial distance `r` (clamped to `R`).
    pub fn profile(&self, r: f64) -> f64 {
        let r = r.max(0.0).min(self.radius);
        self.height_sq(r * r)
    }

    /// Radius at which the cutter touches a plane tilted by the angle whose sine and cosine
    /// are given (the facet contact of the drop- and push-cutter alike; derivations in the
    /// shape files).
    #[inline]
    fn facet_radius(&self, sin_tilt: f64, cos_tilt: f64) -> f64 {
        let r = self.radius;
        match self.shape {
            Shape::Flat => flat::facet_radius(r, sin_tilt),
            Shape::Ball => ball::facet_radius(r, sin_tilt),
            Shape::Bull { corner_radius } => bull::facet_radius(r, corner_radius, sin_tilt),
            Shape::Cone { .. } => cone::facet_radius(r, self.cone_rise, sin_tilt, cos_tilt),
        }
    }

    /// The profile from the squared radial distance `r²` (clamped to `[0, R²]`), which is
    /// what the contact code has at hand; the ball needs no square root for it.
    #[inline]
    fn height_sq(&self, r2: f64) -> f64 {
        let big_r = self.radius;
        let r2 = r2.max(0.0).min(big_r * big_r);
        match self.shape {
            Shape::Flat => flat::height(),
            Shape::Ball => ball::height_sq(big_r, r2),
            Shape::Bull { corner_radius } => bull::height(big_r, corner_radius, r2.sqrt()),
            Shape::Cone { .. } => cone::height(self.cone_rise, r2.sqrt()),
        }
    }

    /// A cheap estimate of `top - h(sqrt(r2))` with no square root, never below it: `top`
    /// less a lower bound of the profile (`r²/2R` under the ball, `k r²/R` under the cone).
    /// It orders a search's candidates; it decides nothing.
    #[inline]
    pub(crate) fn order_key(&self, top: f64, r2: f64) -> f64 {
        match self.shape {
            Shape::Flat | Shape::Bull { .. } => top,
            Shape::Ball => top - r2 / (2.0 * self.radius),
            Shape::Cone { .. } => top - self.cone_rise * r2 / self.radius,
        }
    }

    /// Whether a point at height `top`, at squared XY distance `r2 ≤ R²` from the axis, can
    /// hold the tip above `best`: `top - h(sqrt(r2)) > best`. The flat, ball and cone
    /// decide it without a square root (squared comparisons). A relative margin of 1e-9
    /// keeps it on the safe side of rounding: it may say yes when the answer is a hair
    /// below, never no when it is above. This is the test that prunes branch-and-bound
    /// searches, so it runs for nearly every box and edge they meet.
    #[inline]
    pub(crate) fn reaches_above(&self, top: f64, r2: f64, best: f64) -> bool {
        let big_r = self.radius;
        let r2 = r2.max(0.0).min(big_r * big_r);
        // The profile may rise by less than `g` for the tip to stay above `best`.
        let g = top - best + 1e-9 * (1.0 + top.abs() + big_r);
        match self.shape {
            Shape::Flat => g > 0.0,
            // R - sqrt(R² - r²) < g  <=>  sqrt(R² - r²) > R - g
            Shape::Ball => {
                let k = big_r - g;
                k < 0.0 || big_r * big_r - r2 > k * k
            }
            // k r < g  <=>  g > 0 and k² r² < g²
            Shape::Cone { .. } => g > 0.0 && self.cone_rise * self.cone_rise * r2 < g * g,
            Shape::Bull { .. } => !(self.height_sq(r2) >= g),
        }
    }

    /// The triangle's vertices relative to the axis through `(x, y)` (the contact maths
    /// then sees small numbers), or `None` when its XY box misses the disk's square (the
    /// cheapest reject) or `tri` holds fewer than nine floats.
    #[inline]
    fn near_axis(&self, x: f64, y: f64, tri: &[f32]) -> Option<[DVec3; 3]> {
        let t: &[f32; 9] = tri.get(..9)?.try_into().ok()?;
        let r = self.radius;
        let (x0, x1, x2) = (t[0] as f64, t[3] as f64, t[6] as f64);
        let (y0, y1, y2) = (t[1] as f64, t[4] as f64, t[7] as f64);
        if x0.min(x1).min(x2) > x + r
            || x0.max(x1).max(x2) < x - r
            || y0.min(y1).min(y2) > y + r
            || y0.max(y1).max(y2) < y - r
        {
            return None;
        }
        Some([
            DVec3::new(x0 - x, y0 - y, t[2] as f64),
            DVec3::new(x1 - x, y1 - y, t[5] as f64),
            DVec3::new(x2 - x, y2 - y, t[8] as f64),
        ])
    }

    /// Drop-cutter against one triangle (nine floats): the highest tip height at which the
    /// cutter, on the vertical axis through `(x, y)`, touches the triangle; `None` when the
    /// triangle is out of the cutter's reach (no point of it within `R` of the axis in XY),
    /// or when `tri` holds fewer than nine floats.
    pub fn drop_triangle(&self, x: f64, y: f64, tri: &[f32]) -> Option<f64> {
        let p = self.near_axis(x, y, tri)?;
        if let Some(z) = facet::drop(self, &p) {
            return Some(z);
        }
        let mut best = f64::NEG_INFINITY;
        for (a, b) in [(0, 1), (1, 2), (2, 0)] {
            if let Some(z) = edge::drop(self, p[a], p[b]) {
                best = best.max(z);
            }
        }
        (best > f64::NEG_INFINITY).then_some(best)
    }

    /// As [`drop_triangle`](Cutter::drop_triangle), for a search that already holds a
    /// contact at `best`: `Some(z)`, with `z` the very value `drop_triangle` gives, when
    /// that is above `best`, else `None`. Knowing `best` lets it stop early: a triangle
    /// whose plane cannot lift the cutter above `best` anywhere in the disk is dismissed
    /// with a cross product and a few products (no square root), and an edge whose highest
    /// end, at the edge's nearest distance, cannot is dismissed before its square roots.
    /// When the facet contact misses the triangle only the edges facing it are tried (see
    /// `facet.rs`).
    pub fn drop_triangle_above(&self, x: f64, y: f64, tri: &[f32], best: f64) -> Option<f64> {
        let p = self.near_axis(x, y, tri)?;
        let edges = match facet::drop_above(self, &p, best) {
            facet::Facet::Hit(z) => return (z > best).then_some(z),
            facet::Facet::Below => return None,
            facet::Facet::Miss(edges) => edges,
        };
        let mut top = best;
        let mut found = false;
        for (k, (a, b)) in [(0, 1), (1, 2), (2, 0)].into_iter().enumerate() {
            if edges[k] {
                if let Some(z) = edge::drop_above(self, p[a], p[b], top) {
                    top = z;
                    found = true;
                }
            }
        }
        found.then_some(top)
    }

    /// Push-cutter against one triangle (nine floats): the closed interval of the fiber
    /// parameter (`x` for an X fiber, `y` for a Y fiber) where the cutter, tip on the fiber,
    /// would cut into the triangle; the closure of the set where
    /// [`drop_triangle`](Cutter::drop_triangle) is above the fiber's `z` (the tool is
    /// everything above its tip, so a triangle over the cutter blocks it too). `None` when
    /// that set is empty or `tri` holds fewer than nine floats. See `push.rs`.
    pub fn push_triangle(&self, fiber: &Fiber, tri: &[f32]) -> Option<(f64, f64)> {
        let t: &[f32; 9] = tri.get(..9)?.try_into().ok()?;
        push::triangle(self, fiber, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_at_rim() {
        let r = 3.0;
        assert_eq!(Cutter::flat(6.0).unwrap().profile(r), 0.0);
        assert!((Cutter::ball(6.0).unwrap().profile(r) - 3.0).abs() < 1e-12);
        assert!((Cutter::bull(6.0, 1.0).unwrap().profile(r) - 1.0).abs() < 1e-12);
        assert!((Cutter::cone(6.0, 90.0).unwrap().profile(r) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn short_slice_is_none() {
        assert_eq!(
            Cutter::ball(6.0)
                .unwrap()
                .drop_triangle(0.0, 0.0, &[0.0; 8]),
            None
        );
    }
}

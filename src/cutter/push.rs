//! Push-cutter: the cutter moved horizontally along a fiber, against one triangle.
//!
//! A *fiber* is a horizontal line at height `z`, along X (at a fixed `y`) or along Y (at a
//! fixed `x`). With its tip on the fiber at parameter `t`, the cutter must not enter the
//! triangle. The tool is a 3-axis tool: everything above the cutting surface (flutes,
//! shank, holder) is tool too, modelled as the cylinder of radius `R` going up forever. A
//! point of the triangle is then inside the tool exactly when the drop-cutter, lowered onto
//! that point alone, would stop above `z`; so the push interval is
//!
//! ```text
//! I = closure { t : drop_triangle(fiber point at t) > z }
//! ```
//!
//! # It is one interval
//!
//! `drop(c) = max { p_z - H(p_xy - c) : p ∈ T }` with `H(v) = h(|v|)` for `|v| ≤ R` and
//! `+∞` beyond. `H` is convex (convex nondecreasing `h` of a norm, plus the disk's
//! indicator), so `p_z - H(p_xy - c)` is jointly concave in `(p, c)`, and its maximum over
//! the convex `T` is concave in `c`. Its superlevel sets are convex: along a line, one
//! interval (possibly empty or a single point).
//!
//! # The reach of a point
//!
//! The drop-cutter stops above `z` on a point `p` when `p_z - h(ρ) > z` with `ρ = |p_xy - c|
//! ≤ R`. With `dz = p_z - z`, that is `ρ < ρ(dz)`, the *reach*: the radius where the profile
//! climbs to `dz` (the inverse profile), or `R` once `dz ≥ h(R)` (the cylinder above the
//! cutting surface). The reach is concave and nondecreasing in `dz`:
//!
//! | shape | `ρ(dz)`, `0 < dz < h(R)` |
//! |---|---|
//! | flat | (`h(R) = 0`: always `R`) |
//! | ball | `sqrt(dz (2R - dz))` |
//! | bull | `a + sqrt(dz (2c - dz))` (`a = R - c`; `a` already at `dz → 0⁺`) |
//! | cone | `dz / k` |
//!
//! So `I` is the fiber's intersection with the union, over the points of `T` above `z`,
//! of the disks of radius `ρ(p_z - z)` around `p_xy`. Writing `p = (x, w, dz)` in fiber
//! coordinates (`x` along the fiber, `w` across it, `dz` above it), `I = [min φ₋, max φ₊]`
//! with `φ± = x ± sqrt(ρ(dz)² - w²)` over the points where `ρ ≥ |w|`. `φ₊` is concave
//! (`sqrt(ρ² - w²)` is concave and nondecreasing in `ρ` on `ρ ≥ |w|`, and `ρ` is concave),
//! `φ₋` convex: as with the drop-cutter, the extremes are found among a few candidates,
//! which all are real touching positions (so taking the extremes of all of them is exact):
//!
//! * the facet (`facet` below): a stationary point of `φ±` inside the triangle, which is the
//!   cutter tangent to the plane with its tip at `z`;
//! * the edges (`push_edge.rs`): each edge is cut where it crosses `z` and `z + h(R)` into
//!   a *profile zone* and a *cylinder zone*; on each piece the candidates are the piece's
//!   ends (the triangle's vertices and the crossing points) and the stationary point of
//!   `φ±` along it. An edge lying exactly at `z` is part of the closure with the reach
//!   `ρ(0⁺)` (`R`, `a`, or `0`) all along it, and is offered as such.
//!
//! A maximum on the line `p_z = z + h(R)` strictly inside the triangle (where `ρ` has its
//! kink) is a disk maximum of the plane objective, as in the drop-cutter's facet argument,
//! so the facet candidate covers it.
//!
//! Closed forms: vertices, the facet, the cylinder zone (all shapes, flat entirely), the
//! ball's and the cone's profile zone. Root finding: the bull's profile zone (a torus against
//! a line is a quartic), by the shared root finder on a monotone sign (see `push_edge.rs`).
//!
//! The ends are returned as a closed interval; where the set is open (its ends do not
//! themselves lift the cutter above `z`), that is its closure.

use super::fiber::{Fiber, FiberAxis, Span, P};
use super::plane::Plane;
use super::{push_edge, Cutter};
use crate::geom::{DVec2, DVec3};

/// Push interval of the triangle `t` (nine floats) along `fiber`, in fiber parameter.
#[inline]
pub(super) fn triangle(cutter: &Cutter, fiber: &Fiber, t: &[f32; 9]) -> Option<(f64, f64)> {
    let z = fiber.z;
    let top = (t[2] as f64).max(t[5] as f64).max(t[8] as f64);
    // Also refuses a NaN height.
    if !(top > z) {
        return None;
    }
    let (ia, ic) = match fiber.axis {
        FiberAxis::X => (0, 1),
        FiberAxis::Y => (1, 0),
    };
    let r = cutter.radius;
    let across = fiber.across;
    let w = [
        t[ic] as f64 - across,
        t[3 + ic] as f64 - across,
        t[6 + ic] as f64 - across,
    ];
    if !(w[0].min(w[1]).min(w[2]) <= r && w[0].max(w[1]).max(w[2]) >= -r) {
        return None;
    }
    // Relative to the first vertex along the fiber and to the fiber itself: small numbers.
    let o = t[ia] as f64;
    let p: [P; 3] = [
        [0.0, w[0], t[2] as f64 - z],
        [t[3 + ia] as f64 - o, w[1], t[5] as f64 - z],
        [t[6 + ia] as f64 - o, w[2], t[8] as f64 - z],
    ];
    let mut span = Span {
        lo: f64::INFINITY,
        hi: f64::NEG_INFINITY,
    };
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        push_edge::edge(cutter, p[a], p[b], &mut span);
    }
    facet(cutter, &p, &mut span);
    (span.lo <= span.hi).then_some((span.lo + o, span.hi + o))
}

/// Facet candidate: the cutter, tip on the fiber, tangent to the triangle's plane.
///
/// The drop-cutter onto the plane alone (`facet.rs`) stops with its tip at
/// `plane(axis) + ρ* tan θ - h(ρ*)`, touching at the tangent radius `ρ*` uphill of the
/// axis. Along the fiber `plane(axis)` is affine in `t`, so the plane's drop crosses the
/// fiber height at one `t` (none if the plane is level across the fiber direction). If the
/// contact point there lies inside the triangle, the cutter touches the triangle at that
/// `t` with its tip at `z`: a candidate. With the plane `n · (p - p₀) = 0` (`n_z > 0`,
/// unnormalised) and `|n_xy| = ν`, `tan θ = ν / n_z` and the crossing is
///
/// ```text
/// t = x₀ + (n_z z₀ + n_w w₀ + ρ* ν - n_z h(ρ*)) / n_x
/// ```
///
/// (fiber coordinates relative to the fiber; multiplied through by `n_z` so a nearly vertical
/// facet divides by nothing small). A level plane has no tangent direction and a vertical
/// one no facet contact: their edges decide, as in the drop-cutter.
fn facet(cutter: &Cutter, p: &[P; 3], span: &mut Span) {
    let p = p.map(DVec3::from_array);
    let Some(plane) = Plane::new(&p) else {
        return;
    };
    // Fiber coordinates: the normal's X is along the fiber, its Y across it.
    let (nx, nw, nz, nxy) = (plane.n_xy.x, plane.n_xy.y, plane.nz, plane.nxy);
    if nx == 0.0 {
        return;
    }
    let rho = plane.tangent_radius(cutter);
    let h = cutter.height_sq(rho * rho);
    let t = p[0].x + (nz * p[0].z + nw * p[0].y + rho * nxy - nz * h) / nx;
    if !t.is_finite() {
        return;
    }
    let q = DVec2::new(t - rho * nx / nxy, -rho * nw / nxy);
    // The same barycentric test as the drop-cutter's facet contact.
    if plane.weights_inside(&p, q).is_some() {
        span.lo = span.lo.min(t);
        span.hi = span.hi.max(t);
    }
}

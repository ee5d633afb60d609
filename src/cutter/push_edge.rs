//! Push-cutter against an edge: where along the fiber the cutter touches a segment.
//!
//! In fiber coordinates (`x` along the fiber, `w` across, `dz` above it) the edge is
//! `p(s) = a + s d`, `s ∈ [0, 1]`. The cutter with its tip at `(t, 0, 0)` touches `p(s)`
//! when `|x(s) - t| ≤ sqrt(ρ(dz(s))² - w(s)²)` (`ρ` the reach, see `push.rs`), so the edge
//! contributes `[min φ₋, max φ₊]` with `φ±(s) = x(s) ± sqrt(ρ² - w²)`; `φ₊` is concave in
//! `s` and `φ₋` convex, on the interval of `s` where `ρ ≥ |w|`.
//!
//! The reach has a different formula in two zones, so the edge is cut where it crosses the
//! fiber height (`dz = 0`) and the top of the cutting surface (`dz = h(R)`):
//!
//! * Cylinder zone (`dz ≥ h(R)`, every shape; all of the flat's edge above `z`): reach `R`,
//!   the disk of radius `R` swept along the piece's XY projection.
//! * Profile zone (`0 ≤ dz ≤ h(R)`): the shape's own reach.
//!
//! An edge lying exactly at the fiber height (`dz = 0` at both ends, so a mesh's vertex
//! ring at `z`) has no point above `z`, but the triangle rises above `z` from it (`triangle`
//! refuses a triangle whose top is not above `z`), so it lies in the closure: every one of
//! its points reaches `ρ(0⁺)` (`R` for the flat, `a = R - c` for the bull, `0` for the ball
//! and the cone, which then touch where the edge crosses the fiber). That is the cylinder
//! zone's stadium with radius `ρ(0⁺)`. Skipping it as "not above `z`" lost the stationary
//! point inside it: the flat's `R` (or the bull's `a`) square across the edge, the cone's
//! and the ball's crossing point. The facet candidate, whose contact then lies on that edge
//! exactly, cannot stand in for it: its barycentric test is decided by rounding there.
//!
//! On each piece the extremes of `φ±` are at the piece's ends (the triangle's vertices, and
//! the crossing points with their reach: `R` at `h(R)`; `ρ(0⁺)` at the fiber height, which is
//! `R` for the flat and `a` for the bull, nothing for ball and cone) or at a stationary point
//! inside. Every candidate is a real touching position, so offering a few extra ones (both
//! signs' stationary points, ends outside the domain are refused by `Span::offer`) is
//! harmless and saves sign bookkeeping.

use super::fiber::{Span, P};
use super::root;
use super::{Cutter, Shape};
use crate::geom::Det;

/// Offers the extremes of the edge from `a` to `b` (fiber coordinates) to `span`.
#[inline]
pub(super) fn edge(cutter: &Cutter, a: P, b: P, span: &mut Span) {
    let d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    if a[2] == 0.0 && b[2] == 0.0 {
        // Lying exactly at the fiber height: in the closure (the triangle rises above `z`
        // from it, see `triangle`), with the reach `ρ(0⁺)` all along.
        let rho0 = match cutter.shape {
            Shape::Flat => cutter.radius,
            Shape::Bull { corner_radius } => cutter.radius - corner_radius,
            Shape::Ball | Shape::Cone { .. } => 0.0,
        };
        cylinder(rho0, a, d, 0.0, 1.0, span);
        return;
    }
    if !(a[2].max(b[2]) > 0.0) {
        return;
    }
    let Some((s0, s1)) = above(a[2], d[2], 0.0, 0.0, 1.0) else {
        return;
    };
    // The reach is never more than R: the part above the fiber must come that close across.
    let r = cutter.radius;
    let (w0, w1) = (a[1] + s0 * d[1], a[1] + s1 * d[1]);
    if (w0 > r && w1 > r) || (w0 < -r && w1 < -r) {
        return;
    }
    let top = cutter.height_sq(r * r);
    if let Some((c0, c1)) = above(a[2], d[2], top, s0, s1) {
        cylinder(r, a, d, c0, c1, span);
    }
    match cutter.shape {
        Shape::Flat => {}
        // The whole sphere is inside the tool, so the whole edge may be tested against it.
        Shape::Ball => ball(r, a, d, span),
        Shape::Cone { .. } => {
            if let Some((c0, c1)) = below(a[2], d[2], top, s0, s1) {
                cone(cutter.cone_rise, a, d, c0, c1, span);
            }
        }
        Shape::Bull { corner_radius } => {
            if let Some((c0, c1)) = below(a[2], d[2], top, s0, s1) {
                bull(r - corner_radius, corner_radius, a, d, c0, c1, span);
            }
        }
    }
}

/// The part of `[lo, hi]` where `z0 + s dz ≥ level`.
#[inline]
fn above(z0: f64, dz: f64, level: f64, mut lo: f64, mut hi: f64) -> Option<(f64, f64)> {
    if dz > 0.0 {
        lo = lo.max((level - z0) / dz);
    } else if dz < 0.0 {
        hi = hi.min((level - z0) / dz);
    } else if !(z0 >= level) {
        return None;
    }
    (lo <= hi).then_some((lo, hi))
}

/// The part of `[lo, hi]` where `z0 + s dz ≤ level`.
#[inline]
fn below(z0: f64, dz: f64, level: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    above(-z0, -dz, -level, lo, hi)
}

/// Cylinder zone: the disk of radius `R` swept along the piece `[c0, c1]`.
///
/// `φ± = x ± sqrt(R² - w²)` with `w` linear in `s`. Stationary where the circle's tangent
/// is parallel to the edge's XY direction: `w = ±R d_x / |d_xy|` (the two sides of the
/// stadium; `w = 0` for an edge square to the fiber).
fn cylinder(r: f64, a: P, d: P, c0: f64, c1: f64, span: &mut Span) {
    let r2 = r * r;
    let mut offer = |s: f64| {
        let w = a[1] + s * d[1];
        span.offer(a[0] + s * d[0], r2 - w * w);
    };
    offer(c0);
    offer(c1);
    if d[1] != 0.0 {
        let w = r * d[0] / d[0].dhypot(d[1]);
        // The reach across at the stationary point is `R² - w²` by construction: taken
        // as such, not recomputed from `s`, so a zero radius (a level edge at the fiber
        // height for the ball and the cone) still offers the point where the edge crosses
        // the fiber, whatever the rounding of `s`.
        let q = r2 - w * w;
        for w in [w, -w] {
            let s = (w - a[1]) / d[1];
            if s > c0 && s < c1 {
                span.offer(a[0] + s * d[0], q);
            }
        }
    }
}

/// Ball zone: the sphere of radius `R` centred `R` above the tip.
///
/// `ρ(dz)² - w² = R² - |v|²` with `v(s) = (w(s), dz(s) - R)`, linear in `s`: the sphere's
/// centre must be within `R` of the edge in 3D. Write `v(s) = v(s_f) + (s - s_f) v₁`
/// with `s_f` the foot (`v(s_f) ⊥ v₁`) and `u = |v₁| (s - s_f)`; then
/// `φ± = x(s_f) + (d_x / |v₁|) u ± sqrt(W² - u²)` with `W² = R² - |v(s_f)|²`: the ball
/// drop-cutter's circle-line tangency again, stationary at `u = ± W d_x / |d|` (`|d|` the
/// edge's 3D length). The sphere's upper half is inside the tool's cylinder, so the whole
/// edge can be tested against the sphere (real contacts, the cylinder zone covers more).
fn ball(r: f64, a: P, d: P, span: &mut Span) {
    let r2 = r * r;
    let mut offer = |s: f64| {
        let v0 = a[1] + s * d[1];
        let v1 = a[2] + s * d[2] - r;
        span.offer(a[0] + s * d[0], r2 - v0 * v0 - v1 * v1);
    };
    offer(0.0);
    offer(1.0);
    let n1 = d[1] * d[1] + d[2] * d[2];
    if !(n1 > 0.0) {
        return;
    }
    let foot = -(a[1] * d[1] + (a[2] - r) * d[2]) / n1;
    let (f0, f1) = (a[1] + foot * d[1], a[2] + foot * d[2] - r);
    let w2 = r2 - f0 * f0 - f1 * f1;
    if !(w2 >= 0.0) {
        return;
    }
    let ds = w2.sqrt() * d[0] / ((d[0] * d[0] + n1).sqrt() * n1.sqrt());
    for s in [foot + ds, foot - ds] {
        if s > 0.0 && s < 1.0 {
            offer(s);
        }
    }
}

/// Cone zone (`0 ≤ dz ≤ k R`): the reach is `dz / k`.
///
/// With `ζ(s) = dz(s) / k` (slope `e = d_z / k`), `φ± = x ± sqrt(ζ² - w²)`; stationary
/// where `(ζ e - w d_w)² = d_x² (ζ² - w²)`, homogeneous in `(ζ, w)`: with `r = w / ζ`,
///
/// ```text
/// |d_xy|² r² - 2 e d_w r + (e² - d_x²) = 0,   r = (e d_w ± |d_x| sqrt(|d_xy|² - e²)) / |d_xy|²
/// ```
///
/// (no root when the edge is steeper than the flank: then `φ±` is monotone and an end
/// wins), and `w(s) = r ζ(s)` gives `s`. Squaring admits the lower nappe; `Span::offer`
/// and the `ζ > 0` test refuse what is not a contact.
fn cone(k: f64, a: P, d: P, c0: f64, c1: f64, span: &mut Span) {
    let z0 = a[2] / k;
    let e = d[2] / k;
    let mut offer = |s: f64| {
        let zeta = (z0 + s * e).max(0.0);
        let w = a[1] + s * d[1];
        span.offer(a[0] + s * d[0], zeta * zeta - w * w);
    };
    offer(c0);
    offer(c1);
    let lxy2 = d[0] * d[0] + d[1] * d[1];
    let disc = lxy2 - e * e;
    if !(disc >= 0.0 && lxy2 > 0.0) {
        return;
    }
    let root = d[0].abs() * disc.sqrt();
    for rr in [(e * d[1] + root) / lxy2, (e * d[1] - root) / lxy2] {
        let den = d[1] - rr * e;
        if den == 0.0 {
            continue;
        }
        let s = (rr * z0 - a[1]) / den;
        if s > c0 && s < c1 && z0 + s * e > 0.0 {
            offer(s);
        }
    }
}

/// Bull zone (`0 ≤ dz ≤ c`): reach `ρ = a + sqrt(dz (2c - dz))`, the torus.
///
/// A torus against a line is a quartic, so the stationary point of `φ±` is found by root
/// finding on a monotone sign rather than in closed form. `φ₊` is concave on the interval
/// `Ω` where `ρ ≥ |w|`, so `φ₊'` decreases; outside `Ω` the concave `u = ρ - |w|` increases
/// towards `Ω` on its left and decreases on its right. The sign "move right" is then
/// `sign φ₊'` inside `Ω` and `sign u'` outside: a step function with one change, at the
/// maximiser. Both are multiplied by `sqrt(dz (2c - dz)) ≥ 0` so there is no division
/// (`ρ' = (c - dz) / sqrt(dz (2c - dz))` is infinite at `dz = 0`), and the outside one also
/// by `ρ`: at the boundary of `Ω` (`ρ = |w|`) the two then agree, so the function is
/// continuous with one sign change and the shared root finder (`root.rs`, Illinois regula
/// falsi, safeguarded by its bracket) finds it. `φ₋` is the same with `d_x` negated.
///
/// The maximiser is stationary, so an error `δ` in `s` costs `O(δ²)` along the fiber; the
/// bracket stops at `1e-13` of the piece.
fn bull(flat: f64, c: f64, a: P, d: P, c0: f64, c1: f64, span: &mut Span) {
    let q_at = |s: f64| {
        let z = (a[2] + s * d[2]).max(0.0).min(c);
        let sq = (z * (2.0 * c - z)).sqrt();
        let rho = flat + sq;
        let w = a[1] + s * d[1];
        (z, sq, rho, w, rho * rho - w * w)
    };
    let mut offer = |s: f64| {
        let (.., q) = q_at(s);
        span.offer(a[0] + s * d[0], q);
    };
    offer(c0);
    offer(c1);
    for dx in [d[0], -d[0]] {
        let right = |s: f64| {
            let (z, sq, rho, w, q) = q_at(s);
            if q > 0.0 {
                sq * (dx * q.sqrt() - w * d[1]) + rho * (c - z) * d[2]
            } else {
                rho * ((c - z) * d[2] - w.signum() * d[1] * sq)
            }
        };
        let (flo, fhi) = (right(c0), right(c1));
        if fhi >= 0.0 || flo <= 0.0 {
            continue;
        }
        let (lo, hi) = root::illinois(right, c0, c1, flo, fhi, 1e-13 * (c1 - c0));
        offer(lo);
        offer(hi);
    }
}

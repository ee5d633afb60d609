//! Bull-nose (toroidal) end mill with corner radius `c` and flat radius `a = R - c`:
//! profile `h(r) = 0` for `r ≤ a`, else `c - sqrt(c² - (r - a)²)`. The corner is a torus
//! whose tube (radius `c`) is centred on a horizontal ring of radius `a`, `c` above the tip.
//! `h` is C¹ at `r = a` (slope 0 on both sides) and convex.

/// Profile at radial distance `r ≤ R`.
#[inline]
pub(super) fn height(radius: f64, corner: f64, r: f64) -> f64 {
    let s = r - (radius - corner);
    if s <= 0.0 {
        0.0
    } else {
        corner - (corner * corner - s * s).max(0.0).sqrt()
    }
}

/// Facet tangent radius.
///
/// Along the uphill ray the objective is `tan θ · r - h(r)`. On the flat part `h' = 0`, so
/// a sloped plane pushes the contact out into the corner, where
/// `h'(r) = s / sqrt(c² - s²)` (`s = r - a`) equals `tan θ` at `s = c sin θ`:
/// `r = a + c sin θ`, the point of the tube whose normal is the plane normal. For a level
/// plane (`sin θ = 0`) this gives `r = a`, one of the equally good points of the flat
/// bottom; the facet code puts it on the axis since the direction is undefined.
#[inline]
pub(super) fn facet_radius(radius: f64, corner: f64, sin_tilt: f64) -> f64 {
    (radius - corner) + corner * sin_tilt
}

/// Stationary point along an edge.
///
/// In the edge's vertical plane at XY distance `d` from the axis the torus cuts a quartic
/// curve, so there is no tidy closed form; the stationary point is still exact to floating
/// precision, by root finding rather than sampling.
///
/// With `ρ = sqrt(d² + τ²)` the objective is `m τ - h(ρ)` and the stationary condition is
/// `h'(ρ) τ / ρ = m`. Take `m > 0` (the other sign is the mirror image, `m = 0` is the foot
/// point). The left side is zero on the flat part and increases through the corner to `+∞`
/// at the rim (the objective is concave), so the root is unique and lies in the corner.
/// Write it in `s = ρ - a ∈ (max(d - a, 0), c)`, where `h'(ρ) = s / sqrt(c² - s²)` and
/// `τ² = ρ² - d²`; squaring (both sides are positive) leaves a quartic polynomial:
///
/// ```text
/// g(s) = s² ((a + s)² - d²) - m² (a + s)² (c² - s²) = 0
/// ```
///
/// `g` has the sign of `[h'(ρ) τ/ρ]² - m²`, negative below the root and positive above, so
/// the root is bracketed; we solve it with Newton steps that fall back to bisection whenever
/// a step leaves the bracket (no square roots inside the loop). The bracket starts at
/// `s₀ = c m / sqrt(1 + m²)`: since `τ/ρ ≤ 1` the root has `h' ≥ m`, i.e. `s ≥ s₀` (equality
/// when the edge line crosses the axis, `d = 0`). Then `τ* = sqrt((a + s)² - d²)`.
/// The caller clamps `τ*` to the edge's interval inside the disk.
pub(super) fn edge_stationary(radius: f64, corner: f64, d: f64, w: f64, m: f64) -> f64 {
    if m == 0.0 {
        return 0.0;
    }
    let mm = m.abs();
    if !(mm < 1e100) {
        // So steep that the contact is at the rim (and m² would overflow); NaN lands here too.
        return w.copysign(m);
    }
    let a = radius - corner;
    let c = corner;
    let m2 = mm * mm;
    let s0 = c * mm / (1.0 + m2).sqrt();
    let mut lo = (d - a).max(0.0).max(s0).min(c);
    let mut hi = c;
    let tol = 4.0 * f64::EPSILON * c;
    let mut s = lo;
    for _ in 0..100 {
        let q = a + s;
        let q2 = q * q;
        let s2 = s * s;
        let cs = c * c - s2;
        let p = q2 - d * d;
        let g = s2 * p - m2 * q2 * cs;
        if g == 0.0 {
            break;
        }
        if g < 0.0 {
            lo = s;
        } else {
            hi = s;
        }
        // g'(s) = 2 s p + 2 s² q - m² (2 q (c² - s²) - 2 s q²)
        let dg = 2.0 * (s * p + s2 * q - m2 * q * (cs - s * q));
        let mut next = s - g / dg;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        let step = (next - s).abs();
        s = next;
        if step <= tol || hi - lo <= tol {
            break;
        }
    }
    let q = a + s;
    (q * q - d * d).max(0.0).sqrt().copysign(m)
}

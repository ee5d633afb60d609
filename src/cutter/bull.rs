//! Bull-nose (toroidal) end mill with corner radius `c` and flat radius `a = R - c`:
//! profile `h(r) = 0` for `r ≤ a`, else `c - sqrt(c² - (r - a)²)`. The corner is a torus
//! whose tube (radius `c`) is centred on a horizontal ring of radius `a`, `c` above the tip.
//! `h` is C¹ at `r = a` (slope 0 on both sides) and convex.

use super::root;

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
/// Write it in `s = ρ - a`, on `s ≥ max(d - a, 0)` (where `ρ ≥ d`), with
/// `h'(ρ) = s / sqrt(c² - s²)` and `τ² = ρ² - d²`. Squaring (both sides are positive) and
/// dividing by `(c² - s²)`, `(a + s)²` and rearranging gives
///
/// ```text
/// G(s) = (1 + m²) s² - m² c² - d² s² / (a + s)² = 0
/// ```
///
/// On that domain `d ≤ a + s`, which makes `G` increasing and convex:
///
/// ```text
/// G'(s)  = 2 s [(1 + m²) - a d² / (a + s)³]           ≥ 2 s m² > 0
/// G''(s) = 2 (1 + m²) - 2 a d² (a - 2s) / (a + s)⁴     ≥ 2 m²  > 0
/// ```
///
/// (using `a d²/(a+s)³ ≤ a/(a+s) ≤ 1` and `a d² (a-2s)/(a+s)⁴ ≤ a (a-2s)/(a+s)² ≤ 1`).
/// So the root is unique, and bracketed: since `τ/ρ ≤ 1` the root has `h' ≥ m`, i.e.
/// `s ≥ s₀ = c m / sqrt(1 + m²)` (equality when the edge line crosses the axis, `d = 0`:
/// `G(s₀) = -d² s₀² / (a + s₀)² ≤ 0`), and at `s = c` (the rim) `G = c² (R² - d²)/R² ≥ 0`.
/// The shared root finder (`root.rs`, Illinois regula falsi) closes the bracket
/// `[max(s₀, d - a), c]` on the polynomial `g(s) = (a + s)² G(s)` (same root and sign, no
/// division) to `1e-9 c`; the objective is stationary at the root, so an error `δ` in `s`
/// costs `O(δ²/c)` in height, below rounding. Then `τ* = sqrt((a + s)² - d²)`; the caller clamps it to the edge's interval
/// `[lo, hi]` inside the disk.
///
/// Short edges (the usual case on a fine mesh) often have the stationary point outside
/// `[lo, hi]`. Since `g` below has the sign of `τ - τ*` (for `τ` in the corner), one
/// evaluation at an end of the interval, without division, settles that case and skips the
/// root finding.
pub(super) fn edge_stationary(
    radius: f64,
    corner: f64,
    d: f64,
    w: f64,
    m: f64,
    lo: f64,
    hi: f64,
) -> f64 {
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
    let k = 1.0 + m2;
    let mc2 = m2 * c * c;
    let d2 = d * d;
    // The mirror image for m < 0: the interval flips.
    let (lo, hi) = if m > 0.0 { (lo, hi) } else { (-hi, -lo) };
    let unmirror = |tau: f64| if m > 0.0 { tau } else { -tau };
    // `g` at the point τ of the corner, from ρ² = d² + τ²: same sign as τ - τ*.
    let g_at = |tau: f64| {
        let rho2 = d2 + tau * tau;
        let s = rho2.sqrt() - a;
        if s <= 0.0 {
            // On the flat bottom, where the objective still rises: τ < τ*.
            -1.0
        } else {
            rho2 * (k * s * s - mc2) - d2 * s * s
        }
    };
    if hi <= 0.0 || g_at(hi) <= 0.0 {
        return unmirror(hi);
    }
    if lo > 0.0 && g_at(lo) >= 0.0 {
        return unmirror(lo);
    }
    // The polynomial `g(s) = (a + s)² G(s)`: the same root and sign, no division.
    let g = |s: f64| {
        let q = a + s;
        q * q * (k * s * s - mc2) - d2 * s * s
    };
    let left = (c * mm / k.sqrt()).max(d - a).min(c);
    let (g_left, g_c) = (g(left), g(c));
    let s = if !(g_left < 0.0) {
        left
    } else if !(g_c > 0.0) {
        c
    } else {
        let (lo, hi) = root::illinois(g, left, c, g_left, g_c, 1e-9 * c);
        0.5 * (lo + hi)
    };
    let q = a + s;
    (q * q - d2).max(0.0).sqrt().copysign(m)
}

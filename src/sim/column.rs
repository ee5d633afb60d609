//! The lowest point of a straight move's swept tool over one column (a vertical line).
//!
//! Put the column at the origin of a frame whose first axis is the move's direction seen
//! from above. The cell is `p` to the side of the move's XY line (the perpendicular
//! distance, `|p| ≤ R`), and the tool's axis passes at signed distance `σ` along the line
//! from the foot of that perpendicular; its XY distance from the column is
//! `r = sqrt(σ² + p²)`. The tip's height is linear along the move, `z = z_foot + m σ` with
//! `m` the slope (rise per unit of XY travel). So the lowest tool point over the column is
//!
//! ```text
//! z_foot + min { f(σ) = m σ + h(sqrt(σ² + p²)) : σ ∈ [lo, hi] }
//! ```
//!
//! where `[lo, hi]` is the part of the move within reach (`|σ| ≤ R' = sqrt(R² - p²)`,
//! clipped to the segment's ends). Every profile `h` is convex and nondecreasing, so
//! `h(|·|)` is convex and `f` is convex: its minimum over `[lo, hi]` is its unconstrained
//! stationary point `σ*` (over `[-R', R']`) clamped to `[lo, hi]`. Take `m ≥ 0` (the other
//! sign is the mirror image `σ → -σ`); then `σ* ≤ 0`: the cut is made by the part of the tool
//! ahead of the axis, on its way down or behind it on its way up. Per shape:
//!
//! * flat, `h = 0`: `f` is linear, `σ* = -R'` (for `m = 0` any point; the clamp picks one).
//! * ball, `h = R - sqrt(R² - r²)`: `f = m σ - sqrt(R'² - σ²) + R`, the lower half of a
//!   circle of radius `R'` (the capsule's section) plus a line; `f' = 0` at
//!   `σ* = -m R' / sqrt(1 + m²)`. This is the capsule's lowest point over the column:
//!   either on the cylinder around the segment (the stationary point inside `[lo, hi]`) or on
//!   an end sphere (clamped to an end).
//! * cone, `h = k r` (`k = 1/tan α`): `f' = m + k σ / r = 0` at `σ* = -m |p| / sqrt(k² - m²)`
//!   when `m < k` (a hyperbola's vertex); when the move is as steep as the flank or steeper
//!   (`m ≥ k`) `f` is monotone and `σ* = -R'` (the tool's rim, the radius limit).
//! * bull (flat radius `a = R - c`, corner radius `c`): for a level move (`m = 0`) the
//!   minimum is the nearest approach, `σ* = 0`, so the sweep is the flat core swept plus the
//!   corner's circle swept, in closed form. For a sloped move the stationary point is on the
//!   corner, where `h' = s / sqrt(c² - s²)` (`s = r - a`), and `f' = 0` reads, squared and
//!   divided by `r²`,
//!
//!   ```text
//!   G(s) = (1 + m²) s² - m² c² - p² s² / (a + s)² = 0
//!   ```
//!
//!   a quartic once cleared of its denominator: no tidy closed form. `G` is increasing and
//!   convex where `a + s ≥ |p|` (the bull edge contact in `cutter/bull.rs` derives the
//!   same function and bounds), negative at `s₀ = max(c m / sqrt(1 + m²), |p| - a)` and
//!   nonnegative at the rim `s = c`. So this is the one place that is not closed form: a
//!   Newton iteration on a convex increasing function, started at `s₀` (its first step lands
//!   right of the root, after which the iterates fall monotonically onto it), converging
//!   quadratically to rounding; the height is stationary there, so an error `δ` in `s`
//!   costs only `O(δ²)`. Short moves often have `σ*` outside `[lo, hi]`: one evaluation of
//!   the sign of `G` at an interval end settles that without iterating.

use crate::cutter::{Cutter, Shape};
use crate::geom::Det;

/// A cutter reduced to the constants the column minimisation needs.
#[derive(Clone, Copy, Debug)]
pub(super) enum Tool {
    Flat { r: f64 },
    Ball { r: f64 },
    Cone { r: f64, k: f64 },
    Bull { r: f64, a: f64, c: f64 },
}

impl Tool {
    pub(super) fn new(cutter: &Cutter) -> Tool {
        let r = cutter.radius();
        match cutter.shape() {
            Shape::Flat => Tool::Flat { r },
            Shape::Ball => Tool::Ball { r },
            Shape::Cone { angle_deg } => Tool::Cone {
                r,
                k: 1.0 / (angle_deg.to_radians() / 2.0).dtan(),
            },
            Shape::Bull { corner_radius } => Tool::Bull {
                r,
                a: r - corner_radius,
                c: corner_radius,
            },
        }
    }

    /// Radius `R`.
    #[inline]
    pub(super) fn radius(&self) -> f64 {
        match *self {
            Tool::Flat { r } | Tool::Ball { r } | Tool::Cone { r, .. } | Tool::Bull { r, .. } => r,
        }
    }

    /// Profile from the squared radial distance (`r² ≤ R²`).
    #[inline]
    pub(super) fn height_sq(&self, r2: f64) -> f64 {
        match *self {
            Tool::Flat { .. } => 0.0,
            Tool::Ball { r } => r - (r * r - r2).max(0.0).sqrt(),
            Tool::Cone { k, .. } => k * r2.max(0.0).sqrt(),
            Tool::Bull { a, c, .. } => {
                let s = r2.max(0.0).sqrt() - a;
                if s <= 0.0 {
                    0.0
                } else {
                    c - (c * c - s * s).max(0.0).sqrt()
                }
            }
        }
    }

    /// The minimiser `σ ∈ [lo, hi]` of `m σ + h(sqrt(σ² + p²))` and the profile height there.
    /// The caller guarantees `|p| ≤ R` and `-R' ≤ lo ≤ hi ≤ R'` with `R'² = R² - p²`.
    #[inline]
    pub(super) fn lowest(&self, m: f64, p: f64, lo: f64, hi: f64) -> (f64, f64) {
        let sigma = if m < 0.0 {
            -self.stationary_clamped(-m, p, -hi, -lo)
        } else {
            self.stationary_clamped(m, p, lo, hi)
        };
        (sigma, self.height_sq(sigma * sigma + p * p))
    }

    /// The stationary point for `m ≥ 0`, clamped to `[lo, hi]`.
    #[inline]
    fn stationary_clamped(&self, m: f64, p: f64, lo: f64, hi: f64) -> f64 {
        if m == 0.0 {
            return 0.0f64.clamp(lo, hi);
        }
        match *self {
            Tool::Flat { .. } => lo,
            Tool::Ball { r } => {
                let rr = (r * r - p * p).max(0.0).sqrt();
                (-m * rr / (1.0 + m * m).sqrt()).clamp(lo, hi)
            }
            Tool::Cone { k, .. } => {
                if m < k {
                    (-m * p.abs() / (k * k - m * m).sqrt()).clamp(lo, hi)
                } else {
                    lo
                }
            }
            Tool::Bull { a, c, .. } => bull_stationary(a, c, m, p.abs(), lo, hi),
        }
    }
}

/// The bull's stationary point for `m > 0`, `p ≥ 0`, clamped to `[lo, hi]` (see the
/// module doc: Newton on the convex increasing `G(s)`).
fn bull_stationary(a: f64, c: f64, m: f64, p: f64, lo: f64, hi: f64) -> f64 {
    if !(m < 1e100) {
        // So steep that the cut is at the rim (and m² would overflow); NaN lands here too.
        return lo;
    }
    // With τ = -σ ≥ 0 the stationary point is τ* = sqrt((a + s*)² - p²) > 0, and the sign
    // of `G(s(τ))` is the sign of τ - τ* (the flat bottom, s ≤ 0, is short of it).
    let k = 1.0 + m * m;
    let mc2 = m * m * c * c;
    let p2 = p * p;
    let big_g = |s: f64| {
        let q = a + s;
        k * s * s - mc2 - p2 * s * s / (q * q)
    };
    let sign_at = |tau: f64| {
        let s = (p2 + tau * tau).sqrt() - a;
        if s <= 0.0 {
            -1.0
        } else {
            big_g(s)
        }
    };
    // τ ranges over [-hi, -lo].
    if -lo <= 0.0 || sign_at(-lo) <= 0.0 {
        return lo;
    }
    if -hi > 0.0 && sign_at(-hi) >= 0.0 {
        return hi;
    }
    let mut s = (c * m / k.sqrt()).max(p - a).clamp(0.0, c);
    for _ in 0..60 {
        let g = big_g(s);
        let q = a + s;
        let dg = 2.0 * s * (k - a * p2 / (q * q * q));
        if !(dg > 0.0) {
            break;
        }
        let next = (s - g / dg).clamp(0.0, c);
        let step = (next - s).abs();
        s = next;
        if !(step > 1e-13 * c) {
            break;
        }
    }
    let q = a + s;
    (-(q * q - p2).max(0.0).sqrt()).clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `m σ + h` sampled finely, as a reference for the closed forms.
    fn sampled(t: &Tool, m: f64, p: f64, lo: f64, hi: f64) -> f64 {
        let n = 200_000;
        (0..=n)
            .map(|i| {
                let s = lo + (hi - lo) * i as f64 / n as f64;
                m * s + t.height_sq(s * s + p * p)
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn every_shape_matches_sampling() {
        let tools = [
            Tool::Flat { r: 3.0 },
            Tool::Ball { r: 3.0 },
            Tool::Cone { r: 3.0, k: 1.0 },
            Tool::Cone { r: 3.0, k: 0.3 },
            Tool::Bull {
                r: 3.0,
                a: 2.0,
                c: 1.0,
            },
            Tool::Bull {
                r: 3.0,
                a: 0.5,
                c: 2.5,
            },
        ];
        for t in tools {
            for &m in &[0.0, 0.01, 0.2, -0.7, 1.5, -4.0, 30.0] {
                for &p in &[0.0, 0.4, -1.3, 2.1, 2.9] {
                    let rr = (9.0f64 - p * p).sqrt();
                    for &(lo, hi) in &[(-rr, rr), (-rr, 0.3), (-0.2, 0.9), (0.5, rr), (-rr, -2.0)] {
                        let (lo, hi) = (f64::max(lo, -rr), f64::min(hi, rr));
                        if lo > hi {
                            continue;
                        }
                        let (s, h) = t.lowest(m, p, lo, hi);
                        assert!(s >= lo - 1e-12 && s <= hi + 1e-12);
                        let got = m * s + h;
                        let want = sampled(&t, m, p, lo, hi);
                        assert!(
                            got <= want + 1e-9 && got >= want - 1e-4,
                            "{t:?} m {m} p {p} [{lo}, {hi}]: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}

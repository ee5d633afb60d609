//! Conical V-bit with half angle `α`: profile `h(r) = k r` with `k = 1 / tan α`, the flank's
//! rise per unit radius (cached in the cutter so nothing here does trigonometry).

/// Profile.
#[inline]
pub(super) fn height(rise: f64, r: f64) -> f64 {
    rise * r
}

/// Facet tangent radius.
///
/// Along the uphill ray the objective is `(tan θ - k) r`, linear: if the plane is steeper
/// than the flank (`tan θ > k`, i.e. `sin θ > k cos θ`) the cone touches it with its rim
/// (`r = R`), otherwise with its apex (`r = 0`). When the slopes are equal the whole
/// generator touches and both give the same tip.
#[inline]
pub(super) fn facet_radius(radius: f64, rise: f64, sin_tilt: f64, cos_tilt: f64) -> f64 {
    if sin_tilt > rise * cos_tilt {
        radius
    } else {
        0.0
    }
}

/// Stationary point along an edge.
///
/// In the edge's vertical plane at XY distance `d`, the cone's section is a hyperbola and the
/// objective is `m τ - k sqrt(d² + τ²)`. Its derivative `m - k τ / sqrt(d² + τ²)` vanishes
/// only when `|m| < k`, at
///
/// ```text
/// τ* = d m / sqrt(k² - m²)
/// ```
///
/// (square `τ / sqrt(d² + τ²) = m / k` and keep the root with the sign of `m`). When the edge
/// is at least as steep as the flank the objective is monotone and the end in the direction
/// of `m` wins (`±∞`, clamped by the caller).
#[inline]
pub(super) fn edge_stationary(rise: f64, d: f64, m: f64) -> f64 {
    if m.abs() < rise {
        d * m / ((rise - m) * (rise + m)).sqrt()
    } else if m > 0.0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    }
}

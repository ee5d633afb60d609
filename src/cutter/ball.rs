//! Ball-nose end mill: profile `h(r) = R - sqrt(R² - r²)`, a sphere of radius `R` whose
//! centre is `R` above the tip.

/// Profile from the squared radial distance `r² ≤ R²` (no square root of `r` needed).
#[inline]
pub(super) fn height_sq(radius: f64, r2: f64) -> f64 {
    radius - (radius * radius - r2).max(0.0).sqrt()
}

/// Facet tangent radius.
///
/// Let the plane rise with gradient `g` (|g| = tan θ, θ the tilt). Along the uphill ray from
/// the axis the objective is `|g| r - h(r)`, maximal where `h'(r) = r / sqrt(R² - r²) = tan θ`,
/// i.e. `r = R sin θ`, always strictly inside the disk. Equivalently: the sphere touches the
/// plane where its normal is the plane normal, `R sin θ` from the axis. The tip is then
/// `plane_z(axis) + R / cos θ - R`.
#[inline]
pub(super) fn facet_radius(radius: f64, sin_tilt: f64) -> f64 {
    radius * sin_tilt
}

/// Stationary point along an edge.
///
/// In the vertical plane of the edge, at XY distance `d` from the axis, the sphere cuts a
/// circle of radius `w = sqrt(R² - d²)` centred above the foot point: the objective is
/// `m τ + sqrt(w² - τ²)` plus constants (`τ` along the edge from the foot point, `m` the
/// edge slope). Its derivative `m - τ / sqrt(w² - τ²)` vanishes at
///
/// ```text
/// τ* = w m / sqrt(1 + m²)
/// ```
///
/// the point of the circle whose tangent has slope `m` (the standard circle-line tangency).
/// It is always inside the chord `|τ| < w`; the caller clamps it to the edge's end points,
/// which is the exact maximum of the concave objective on the clipped edge.
#[inline]
pub(super) fn edge_stationary(w: f64, m: f64) -> f64 {
    if m.abs() < 1e100 {
        w * m / (1.0 + m * m).sqrt()
    } else {
        // An edge steeper than 1e100 touches at the chord end (and m² would overflow).
        w.copysign(m)
    }
}

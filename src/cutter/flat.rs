//! Flat (cylindrical) end mill: profile `h(r) = 0`.
//!
//! The cutter bottom is a disk at the tip height, so the drop height on a point is just the
//! point's height; the answer is the highest point of the triangle inside the disk.

/// Profile: the bottom is flat.
#[inline]
pub(super) fn height() -> f64 {
    0.0
}

/// Facet tangent radius. On a sloped plane the objective `p_z` grows uphill without bound,
/// so within the disk it peaks on the rim, uphill of the axis: radius `R`. On a horizontal
/// plane every point of the disk is a maximum; the axis point (radius 0) represents them
/// (if it is outside the triangle, an edge inside the disk reaches the same height).
#[inline]
pub(super) fn facet_radius(radius: f64, sin_tilt: f64) -> f64 {
    if sin_tilt > 0.0 {
        radius
    } else {
        0.0
    }
}

/// Stationary point along an edge of slope `m`: the objective is `z(τ)`, linear, so the
/// maximum is at the upper end of whatever interval the edge keeps inside the disk
/// (`±∞`, clamped by the caller). A level edge is level everywhere: take the foot point.
#[inline]
pub(super) fn edge_stationary(m: f64) -> f64 {
    if m > 0.0 {
        f64::INFINITY
    } else if m < 0.0 {
        f64::NEG_INFINITY
    } else {
        0.0
    }
}

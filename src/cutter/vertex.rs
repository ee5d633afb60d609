//! Vertex contact: the cutter dropped onto a single point.
//!
//! A point `p` at XY distance `ρ ≤ R` from the axis meets the cutting surface where it is
//! `h(ρ)` above the tip, so the tip stops at `p_z - h(ρ)`. Points beyond `R` are out of
//! reach. Edges use this for their end points; on its own it serves edges with no XY
//! length (vertical edges, whose top end is the only one that matters).

use super::Cutter;
use crate::geom::DVec3;

/// Tip height for the point `p` (XY relative to the axis), or `None` beyond the radius.
#[inline]
pub(super) fn drop(cutter: &Cutter, p: DVec3) -> Option<f64> {
    let r2 = p.truncate().length_squared();
    if r2 <= cutter.radius * cutter.radius {
        Some(p.z - cutter.height_sq(r2))
    } else {
        None
    }
}

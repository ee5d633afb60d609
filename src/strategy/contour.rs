//! Level sets of the cutter-location surface: where the tool, with its tip at height `z`,
//! just touches the model.
//!
//! A 3-axis tool is everything above its tip (flutes, shank, holder), so the positions
//! where it may stand with its tip at `z` are exactly those whose drop-cutter height is at
//! most `z`: the *free* region. Its boundary is the waterline at `z`. Working from the
//! drop-cutter height rather than from horizontal pushes of the flutes alone is what keeps a
//! loop from ever passing under an overhang: under an overhang the drop-cutter height is the
//! overhang's, far above `z`, so that place is never free.
//!
//! The height is sampled once on a grid (it does not depend on `z`, so every level reuses
//! it). Per level, marching squares finds the grid edges whose ends disagree (free vs
//! blocked); each grid edge is a fiber, and the crossing on it is exact: where the first
//! push-cutter interval of the triangles near it begins (see `cutter::push`), a micron on
//! the free side, so a loop point is never inside the blocked region. Loops are then refined
//! where the boundary bulges away from the chord between two loop points by more than the
//! tolerance (searched along the chord's normal), so
//! curvature is followed to a stated tolerance rather than to the grid spacing.
//!
//! Orientation: segments run with the blocked region (material) on their left. With the
//! spindle turning clockwise (M3) the edge on the left moves with the feed, so this is
//! climb milling: islands are circled counter-clockwise, pockets clockwise.
//!
//! What the grid's nodes cannot see is looked for with a bound of the height over a whole
//! disk (`clear`): a chord is probed and bent round a blocked spot it would cross, and a blocked spot
//! that fits between four free nodes (a needle's tip) gets its own loop from a finer grid
//! over the cells round it (`peaks`). Both stop where what is left could not be cut deeper
//! than half the tolerance.
//!
//! One step a file: [`grid`] samples the heights, `crossing` finds where a level crosses a
//! grid edge, `march` links the crossings cell by cell, `refine` follows the true boundary
//! between them, `clear` keeps the chords out of what the samples missed, and `peaks` finds
//! the loops the grid missed.

mod clear;
mod crossing;
pub mod grid;
mod march;
mod peaks;
mod refine;

pub use clear::clear_link;
pub use grid::HeightGrid;
pub use peaks::CellTops;

use super::polyline::{dedup_close, drop_collinear};
use super::surface::Surface;
use crate::geom::DVec2;
use march::Crossing;
use refine::refine;

/// A waterline path at one level: closed, or open where it met the edge of the area.
#[derive(Clone, Debug, PartialEq)]
pub struct Contour {
    /// The path's points, material on their left; a closed path does not repeat its first.
    pub points: Vec<DVec2>,
    /// True for a loop, false for a path cut at the grid's edge.
    pub closed: bool,
}

/// The waterline contours at height `z` from the grid alone: blocked spots that fit
/// between four free nodes get no loop (see [`contours_seeing_peaks`]), though no chord
/// crosses one.
pub fn contours(s: &Surface, g: &HeightGrid, z: f64, tol: f64) -> Vec<Contour> {
    contours_with(s, g, z, tol, true)
}

/// The waterline contours at height `z`, with loops round blocked spots narrower than the
/// grid, found where `tops` (the bounds of `g`'s cells) says a cell may hide one.
pub fn contours_seeing_peaks(
    s: &Surface,
    g: &HeightGrid,
    tops: &CellTops,
    z: f64,
    tol: f64,
) -> Vec<Contour> {
    let mut out = contours_with(s, g, z, tol, true);
    let nested = |fine: &HeightGrid, depth: u32| nested(s, fine, z, tol, depth);
    let more = peaks::hidden(s, g, Some(tops), z, tol, &out, 0, &nested);
    out.extend(more);
    out
}

/// The contours of a nested grid, and of the grids nested in it in turn.
fn nested(s: &Surface, g: &HeightGrid, z: f64, tol: f64, depth: u32) -> Vec<Contour> {
    let mut out = contours_with(s, g, z, tol, true);
    let deeper = |fine: &HeightGrid, d: u32| nested(s, fine, z, tol, d);
    let more = peaks::hidden(s, g, None, z, tol, &out, depth, &deeper);
    out.extend(more);
    out
}

/// The contours as marching squares gives them (exact crossings on the grid edges, chords
/// between), without the refinement towards the true boundary. Unrefined contours never
/// cross themselves or each other, whatever the surface: each chord lies in its own cell.
/// Roughing uses them with a cutter widened by the grid's half-diagonal, which keeps every
/// chord outside the real blocked region (see `rough::allowance::widen`).
pub fn contours_unrefined(s: &Surface, g: &HeightGrid, z: f64, tol: f64) -> Vec<Contour> {
    contours_with(s, g, z, tol, false)
}
fn contours_with(s: &Surface, g: &HeightGrid, z: f64, tol: f64, refining: bool) -> Vec<Contour> {
    let (pts, next) = march::link(s, g, z, tol / 16.0);
    // A finished path: refined towards the true boundary and kept clear of what the
    // samples missed, or only cleaned up.
    let finish = |points: &[DVec2], closed: bool| Contour {
        points: if refining {
            let refined = refine(s, z, points, closed, tol, g.step);
            let cleared = clear::keep_clear(s, z, &refined, closed, tol, g.step);
            // Where a chord was bent round a spot, follow the boundary between the new
            // points too (rare: the pass costs nothing where nothing was bent).
            if cleared.len() > refined.len() {
                refine(s, z, &cleared, closed, tol, g.step)
            } else {
                cleared
            }
        } else {
            drop_collinear(&dedup_close(points, closed), closed, tol / 4.0)
        },
        closed,
    };
    trace(&pts, &next, finish)
}

/// Follows the links from every crossing into paths: closed loops, or open paths cut
/// wherever the contour leaves the grid (a virtual crossing). Each path is handed to
/// `finish`.
fn trace(
    pts: &[Crossing],
    next: &[usize],
    finish: impl Fn(&[DVec2], bool) -> Contour,
) -> Vec<Contour> {
    let mut seen = vec![false; pts.len()];
    let mut out = Vec::new();
    for start in 0..pts.len() {
        if seen[start] || next[start] == usize::MAX {
            continue;
        }
        let mut cyc = Vec::new();
        let mut k = start;
        while !seen[k] && k != usize::MAX {
            seen[k] = true;
            cyc.push(k);
            k = next[k];
        }
        let closed = k == start;
        if cyc.iter().all(|&k| !pts[k].virtual_) && closed {
            let loop_pts: Vec<DVec2> = cyc.iter().map(|&k| pts[k].p).collect();
            out.push(finish(&loop_pts, true));
        } else {
            // Rotate so a virtual point comes first, then cut at every virtual point.
            let first = cyc.iter().position(|&k| pts[k].virtual_).unwrap_or(0);
            cyc.rotate_left(first);
            let mut run: Vec<DVec2> = Vec::new();
            for &k in cyc.iter().chain(std::iter::once(&cyc[0])) {
                if pts[k].virtual_ {
                    if run.len() >= 2 {
                        out.push(finish(&run, false));
                    }
                    run.clear();
                } else {
                    run.push(pts[k].p);
                }
            }
            if run.len() >= 2 {
                out.push(finish(&run, false));
            }
        }
    }
    out
}

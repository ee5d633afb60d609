//! Peaks the grid cannot see: a blocked spot (round a needle's tip, say) that fits between
//! four free nodes makes no crossing, so marching squares draws no loop round it.
//!
//! Every cell carries an upper bound of the drop-cutter height anywhere over it ([`CellTops`],
//! the widened cutter of `clear` at the cell's centre, once per operation). At a level, a
//! cell whose corners are all free but whose bound is above the level may hide a blocked
//! spot: it is searched by quarters, each quarter skipped when its own bound proves it free,
//! until a blocked point is found or the quarters are within the allowed depth of their free
//! centres (see `clear`: a spot that thin cannot be cut deeper than that). Cells where a
//! blocked point turns up (and is not already inside a contour that refinement bent into the
//! cell) are gathered into 4-connected clusters; each cluster gets a grid four times finer
//! over its cells only, and the contours are found on it exactly as on the coarse grid
//! (crossings by the push-cutter, refinement, and this same search, recursively). Loops found
//! there therefore carry the same guarantees: every point a micron on the free side, the
//! material on the left.

use super::clear::{reaches_above, top_within, ALLOWANCE};
use super::grid::HeightGrid;
use super::Contour;
use crate::geom::DVec2;
use crate::strategy::surface::Surface;
use crate::strategy::Cancelled;
use std::collections::HashSet;
use std::f64::consts::FRAC_1_SQRT_2;

/// How much finer each nested grid is.
const SPLIT: usize = 4;
/// Nested grids at most this deep (a 2 mm grid reaches 0.5 µm).
const MAX_DEPTH: u32 = 6;

/// An upper bound of the drop-cutter height over each cell of a [`HeightGrid`].
#[derive(Clone, Debug)]
pub struct CellTops {
    /// Cells along X (nodes less one).
    nx: usize,
    /// Row-major bounds, `i + j * nx` for the cell whose lower-left node is `(i, j)`.
    top: Vec<f64>,
}

impl CellTops {
    /// The bound of every cell of `g`: the cutter widened by the cell's half-diagonal, at
    /// its centre. About as much work as sampling `g` itself.
    pub fn sample(
        s: &Surface,
        g: &HeightGrid,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<CellTops, Cancelled> {
        let nx = g.nx.saturating_sub(1);
        let ny = g.ny.saturating_sub(1);
        let e = g.step * FRAC_1_SQRT_2;
        let row = |j: usize| -> Vec<f64> {
            let mut hint = None;
            (0..nx)
                .map(|i| {
                    let c = g.point(i as i64, j as i64) + DVec2::splat(0.5 * g.step);
                    top_within(s, c, e, &mut hint)
                })
                .collect()
        };
        let top = super::grid::sample_rows(ny, row, progress)?;
        Ok(CellTops { nx, top })
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.top
            .get(i + j * self.nx)
            .copied()
            .unwrap_or(f64::INFINITY)
    }
}

/// The contours at `z` round blocked spots inside cells of `g` whose corners are all free,
/// that are not already inside one of `found` (the contours of `g` itself). `tops` bounds
/// the cells of `g`; without it (a nested grid) the bound is asked cell by cell.
#[allow(clippy::too_many_arguments)]
pub(super) fn hidden(
    s: &Surface,
    g: &HeightGrid,
    tops: Option<&CellTops>,
    z: f64,
    tol: f64,
    found: &[Contour],
    depth: u32,
    contours: &dyn Fn(&HeightGrid, u32) -> Vec<Contour>,
) -> Vec<Contour> {
    if depth >= MAX_DEPTH || g.nx < 2 || g.ny < 2 {
        return Vec::new();
    }
    let allow = ALLOWANCE * tol;
    let free = |i: usize, j: usize| g.at(i as i64, j as i64).is_some_and(|h| h <= z);
    let mut hits: HashSet<(usize, usize)> = HashSet::new();
    for j in 0..g.ny - 1 {
        for i in 0..g.nx - 1 {
            if !(free(i, j) && free(i + 1, j) && free(i, j + 1) && free(i + 1, j + 1)) {
                continue;
            }
            let lo = g.point(i as i64, j as i64);
            let c = lo + DVec2::splat(0.5 * g.step);
            let may = match tops {
                Some(t) => t.at(i, j) > z,
                None => reaches_above(s, c, g.step * FRAC_1_SQRT_2, z),
            };
            if !may {
                continue;
            }
            if let Some(p) = blocked_in(s, z, lo, g.step, allow) {
                if !inside_material(found, p) {
                    hits.insert((i, j));
                }
            }
        }
    }
    let mut out = Vec::new();
    for cluster in clusters(hits) {
        let fine = finer(s, g, &cluster);
        out.extend(contours(&fine, depth + 1));
    }
    out
}

/// A blocked point in the square `lo .. lo + size`, searched by quarters; `None` when the
/// bound clears every quarter or what is left is within `allow` of a free centre.
fn blocked_in(s: &Surface, z: f64, lo: DVec2, size: f64, allow: f64) -> Option<DVec2> {
    let half = 0.5 * size;
    let c = lo + DVec2::splat(half);
    if s.height(c.x, c.y, &mut None) > z {
        return Some(c);
    }
    if size * FRAC_1_SQRT_2 <= allow {
        return None;
    }
    for (dx, dy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        let q = lo + DVec2::new(dx, dy) * half;
        let qc = q + DVec2::splat(0.5 * half);
        if reaches_above(s, qc, half * FRAC_1_SQRT_2, z) {
            if let Some(p) = blocked_in(s, z, q, half, allow) {
                return Some(p);
            }
        }
    }
    None
}

/// Whether `p` is on the material side of the closed contours (their winding numbers sum
/// above zero: islands count +1, pockets -1).
fn inside_material(found: &[Contour], p: DVec2) -> bool {
    let mut w = 0i32;
    for c in found.iter().filter(|c| c.closed) {
        let n = c.points.len();
        for k in 0..n {
            let (a, b) = (c.points[k] - p, c.points[(k + 1) % n] - p);
            let left = a.perp_dot(b) > 0.0;
            if a.y <= 0.0 && b.y > 0.0 && left {
                w += 1;
            } else if a.y > 0.0 && b.y <= 0.0 && !left {
                w -= 1;
            }
        }
    }
    w > 0
}

/// The 4-connected groups of `cells`, each in a stable order.
fn clusters(cells: HashSet<(usize, usize)>) -> Vec<Vec<(usize, usize)>> {
    let mut left: Vec<(usize, usize)> = cells.iter().copied().collect();
    left.sort_unstable();
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut out = Vec::new();
    for &start in &left {
        if !seen.insert(start) {
            continue;
        }
        let mut group = vec![start];
        let mut k = 0;
        while k < group.len() {
            let (i, j) = group[k];
            k += 1;
            let near = [
                (i.wrapping_sub(1), j),
                (i + 1, j),
                (i, j.wrapping_sub(1)),
                (i, j + 1),
            ];
            for q in near {
                if cells.contains(&q) && seen.insert(q) {
                    group.push(q);
                }
            }
        }
        group.sort_unstable();
        out.push(group);
    }
    out
}

/// A grid `SPLIT` times finer over the cells of `cluster` only: nodes outside them are NaN,
/// which the marching treats as outside the grid.
fn finer(s: &Surface, g: &HeightGrid, cluster: &[(usize, usize)]) -> HeightGrid {
    let (i0, j0) = cluster
        .iter()
        .fold((usize::MAX, usize::MAX), |(a, b), &(i, j)| {
            (a.min(i), b.min(j))
        });
    let (i1, j1) = cluster
        .iter()
        .fold((0, 0), |(a, b), &(i, j)| (a.max(i), b.max(j)));
    let set: HashSet<(usize, usize)> = cluster.iter().copied().collect();
    let step = g.step / SPLIT as f64;
    let nx = (i1 - i0 + 1) * SPLIT + 1;
    let ny = (j1 - j0 + 1) * SPLIT + 1;
    let origin = g.point(i0 as i64, j0 as i64);
    // The coarse cells a fine index lies in along one axis (two on a coarse line).
    let cells = |k: usize, base: usize| -> [Option<usize>; 2] {
        let c = base + k / SPLIT;
        if k.is_multiple_of(SPLIT) {
            [c.checked_sub(1), Some(c)]
        } else {
            [Some(c), None]
        }
    };
    let mut h = vec![f64::NAN; nx * ny];
    for j in 0..ny {
        let mut hint = None;
        for i in 0..nx {
            let ours = cells(i, i0).iter().flatten().any(|&ci| {
                cells(j, j0)
                    .iter()
                    .flatten()
                    .any(|&cj| set.contains(&(ci, cj)))
            });
            if ours {
                let p = origin + DVec2::new(i as f64, j as f64) * step;
                h[i + j * nx] = s.height(p.x, p.y, &mut hint);
            }
        }
    }
    HeightGrid {
        x0: origin.x,
        y0: origin.y,
        step,
        nx,
        ny,
        h,
    }
}

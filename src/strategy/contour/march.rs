//! Marching squares over the height grid: in every cell whose corners disagree (free vs
//! blocked at the level), the contour enters on one edge and leaves on another; the
//! crossings are found once per grid edge and linked, cell by cell, into chains.

use super::crossing::grid_crossing;
use super::grid::HeightGrid;
use crate::geom::DVec2;
use crate::strategy::surface::Surface;
use std::collections::HashMap;

/// Crossing point on a grid edge, or a marker that it lies outside the grid.
#[derive(Clone, Copy, Debug)]
pub(super) struct Crossing {
    pub p: DVec2,
    /// One end is outside the grid: the contour leaves the area here.
    pub virtual_: bool,
}

/// The crossings of the level `z` with the grid's edges, and for each the one the contour
/// goes to next (`usize::MAX` where it leaves the grid). Material is on the left of every
/// link; saddle cells are decided by the drop-cutter at the cell's centre.
pub(super) fn link(s: &Surface, g: &HeightGrid, z: f64, eps: f64) -> (Vec<Crossing>, Vec<usize>) {
    let blocked = |i: i64, j: i64| g.at(i, j).is_some_and(|h| h > z);
    // Crossing ids per grid edge: (i, j, horizontal?).
    let mut ids: HashMap<(i64, i64, bool), usize> = HashMap::new();
    let mut pts: Vec<Crossing> = Vec::new();
    let mut next: Vec<usize> = Vec::new();
    let mut crossing =
        |i: i64, j: i64, horiz: bool, pts: &mut Vec<Crossing>, next: &mut Vec<usize>| -> usize {
            *ids.entry((i, j, horiz)).or_insert_with(|| {
                let (i2, j2) = if horiz { (i + 1, j) } else { (i, j + 1) };
                let (pa, pb) = (g.point(i, j), g.point(i2, j2));
                let outside = g.at(i, j).is_none() || g.at(i2, j2).is_none();
                let c = if outside {
                    // Put the exit on the grid's border node; the path is cut there.
                    let p = if g.at(i, j).is_some() { pa } else { pb };
                    Crossing { p, virtual_: true }
                } else if blocked(i, j) {
                    Crossing {
                        p: grid_crossing(s, z, pb, pa, eps),
                        virtual_: false,
                    }
                } else {
                    Crossing {
                        p: grid_crossing(s, z, pa, pb, eps),
                        virtual_: false,
                    }
                };
                pts.push(c);
                next.push(usize::MAX);
                pts.len() - 1
            })
        };
    for cj in -1..g.ny as i64 {
        for ci in -1..g.nx as i64 {
            let c = [
                blocked(ci, cj),
                blocked(ci + 1, cj),
                blocked(ci + 1, cj + 1),
                blocked(ci, cj + 1),
            ];
            if c.iter().all(|&b| b == c[0]) {
                continue;
            }
            // Edge k runs from corner k to corner k+1 counter-clockwise.
            let edge = |k: usize| match k {
                0 => (ci, cj, true),
                1 => (ci + 1, cj, false),
                2 => (ci, cj + 1, true),
                _ => (ci, cj, false),
            };
            let pairs = cell_links(c, || {
                // A saddle: the drop-cutter at the cell's centre decides which corners the
                // contour cuts off (outside the grid the centre counts as free).
                let p = g.point(ci, cj);
                let inside = ci >= 0 && cj >= 0 && ci + 1 < g.nx as i64 && cj + 1 < g.ny as i64;
                inside && s.height(p.x + 0.5 * g.step, p.y + 0.5 * g.step, &mut None) > z
            });
            for (ex, en) in pairs {
                let (i, j, hz) = edge(ex);
                let a = crossing(i, j, hz, &mut pts, &mut next);
                let (i, j, hz) = edge(en);
                let b = crossing(i, j, hz, &mut pts, &mut next);
                next[a] = b;
            }
        }
    }
    (pts, next)
}

/// The (exit edge, entry edge) pairs of a cell whose corners `c` (counter-clockwise from the
/// lower left, true where blocked) disagree; edge `k` runs from corner `k` to corner `k + 1`.
/// One pair, or two for a saddle (opposite corners alike), where `centre_blocked` decides
/// whether the two free corners or the two blocked ones are cut off.
fn cell_links(c: [bool; 4], centre_blocked: impl FnOnce() -> bool) -> Vec<(usize, usize)> {
    let mut pairs = Vec::with_capacity(2);
    if c[0] == c[2] && c[1] == c[3] {
        let centre_blocked = centre_blocked();
        for (k, &ck) in c.iter().enumerate() {
            if centre_blocked && !ck {
                // Cut off the free corner k: exit on edge k-1, entry on edge k.
                pairs.push(((k + 3) % 4, k));
            } else if !centre_blocked && ck {
                // Cut off the blocked corner k: exit on edge k, entry on edge k-1.
                pairs.push((k, (k + 3) % 4));
            }
        }
    } else {
        let exit = (0..4).find(|&k| c[k] && !c[(k + 1) % 4]).unwrap();
        let entry = (0..4).find(|&k| !c[k] && c[(k + 1) % 4]).unwrap();
        pairs.push((exit, entry));
    }
    pairs
}

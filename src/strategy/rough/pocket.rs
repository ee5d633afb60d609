//! Offset pocketing: the rings that clear a region, each a fixed distance (the stepover)
//! inside the one before.
//!
//! Ring 0 is the region's own boundary: where the grown tool touches the model (or the
//! machining area's edge), so following it leaves exactly the stock to leave. Ring `k` is
//! the boundary of the region eroded by `k · s` (`s` the stepover), computed by
//! `cavalier_contours`' shape offset, which keeps islands and splits the region where it
//! pinches. Erosion composes (eroding by `a` then `b` is eroding by `a + b`), so each ring
//! is offset from the previous one.
//!
//! Coverage: a point at distance `d` from the boundary, with `k s ≤ d < (k + 1) s` where `k`
//! is the last non-empty ring, is within `d - k s < s` of ring `k` (walk towards its
//! nearest boundary point: the walk crosses the level `k s`). With `s ≤ R` the tool's disk
//! therefore covers the whole region. For `s > R` one more ring at depth `k s + (s - R)`
//! closes the gap: what lies deeper is then within `R` of it.
//!
//! Offsets of straight edges have arcs at convex corners; they are flattened to chords
//! within a fraction of the tolerance. Chords lie inside their arcs, i.e. further from the
//! boundary, so a flattened ring is never closer to the model than its arcs.

use super::region::Region;
use cavalier_contours::polyline::{PlineCreation, PlineSource, PlineSourceMut, Polyline};
use cavalier_contours::shape_algorithms::{Shape, ShapeOffsetOptions};

/// One closed ring of a pocket.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    /// Counter-clockwise round a piece of area, clockwise round an island; the first point
    /// is not repeated.
    pub pts: Vec<[f64; 2]>,
    /// True for rings round islands (holes of the eroded region).
    pub hole: bool,
}

fn polyline(pts: &[[f64; 2]]) -> Polyline<f64> {
    let mut pl = Polyline::with_capacity(pts.len(), true);
    for p in pts {
        pl.add(p[0], p[1], 0.0);
    }
    pl
}

fn points(pl: &Polyline<f64>, tol: f64) -> Vec<[f64; 2]> {
    let lines = pl.arcs_to_approx_lines(tol).unwrap_or_else(|| pl.clone());
    lines.iter_vertexes().map(|v| [v.x, v.y]).collect()
}

fn rings_of(shape: &Shape<f64>, tol: f64) -> Vec<Ring> {
    let outer = shape.ccw_plines.iter().map(|p| (p, false));
    let holes = shape.cw_plines.iter().map(|p| (p, true));
    outer
        .chain(holes)
        .map(|(p, hole)| Ring {
            pts: points(&p.polyline, tol),
            hole,
        })
        .filter(|r| r.pts.len() >= 2)
        .collect()
}

/// The rings of `region`, level by level from the boundary inwards: `levels[0]` is the
/// boundary itself. `radius` is the tool's, `tol` the flattening tolerance.
pub fn rings(region: &Region, stepover: f64, radius: f64, tol: f64) -> Vec<Vec<Ring>> {
    let mut levels = vec![std::iter::once(Ring {
        pts: region.outer.clone(),
        hole: false,
    })
    .chain(region.holes.iter().map(|h| Ring {
        pts: h.clone(),
        hole: true,
    }))
    .collect::<Vec<_>>()];
    let opts = ShapeOffsetOptions::new();
    let plines = std::iter::once(&region.outer)
        .chain(&region.holes)
        .map(|p| {
            // `remove_repeat_pos` answers `None` when there is nothing to remove.
            let pl = polyline(p);
            pl.remove_repeat_pos(1e-9).unwrap_or(pl)
        })
        .filter(|p| p.vertex_count() >= 3);
    let mut shape = Shape::from_plines(plines);
    // No region is deeper than half its box's diagonal.
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &region.outer {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let max_levels = ((hi[0] - lo[0]).hypot(hi[1] - lo[1]) / stepover) as usize + 2;
    for _ in 0..max_levels {
        let next = shape.parallel_offset(stepover, &opts);
        if next.ccw_plines.is_empty() {
            if stepover > radius {
                let last = shape.parallel_offset(stepover - radius, &opts);
                let r = rings_of(&last, tol);
                if !r.is_empty() {
                    levels.push(r);
                }
            }
            break;
        }
        levels.push(rings_of(&next, tol));
        shape = next;
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_with_island() {
        let region = Region {
            outer: vec![[0.0, 0.0], [20.0, 0.0], [20.0, 20.0], [0.0, 20.0]],
            holes: vec![vec![[9.0, 9.0], [9.0, 11.0], [11.0, 11.0], [11.0, 9.0]]],
        };
        let lv = rings(&region, 2.0, 3.0, 0.01);
        // The deepest points (on the diagonals) are 5.3 from wall and island: rings at 2, 4.
        assert_eq!(lv.len(), 3);
        for (k, l) in lv.iter().enumerate().skip(1) {
            for r in l {
                for p in &r.pts {
                    // Every point of ring k is k·2 from the outer wall or from the island.
                    let wall = p[0].min(p[1]).min(20.0 - p[0]).min(20.0 - p[1]);
                    let dx = (p[0] - 10.0).abs() - 1.0;
                    let dy = (p[1] - 10.0).abs() - 1.0;
                    let island = dx.max(0.0).hypot(dy.max(0.0)) + dx.max(dy).min(0.0);
                    let d = wall.min(island);
                    assert!((d - 2.0 * k as f64).abs() < 0.02, "ring {k}: {p:?} {d}");
                }
            }
        }
    }

    #[test]
    fn wide_stepover_gets_a_last_ring() {
        let region = Region {
            outer: vec![[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]],
            holes: vec![],
        };
        // s = 2.5 > R = 1 on a 4 wide strip: no ring at 2.5 fits, and ring 0 only reaches
        // 1 in, so an extra ring at depth 1.5 covers the middle.
        let lv = rings(&region, 2.5, 1.0, 0.01);
        assert_eq!(lv.len(), 2);
        let ys: Vec<f64> = lv[1][0].pts.iter().map(|p| p[1]).collect();
        assert!(
            ys.iter()
                .all(|y| (y - 1.5).abs() < 1e-6 || (y - 2.5).abs() < 1e-6),
            "{ys:?}"
        );
    }
}

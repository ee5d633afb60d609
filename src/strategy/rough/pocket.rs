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
//! within a fraction of the tolerance. A chord lies on the arc's centre side: round the
//! outer wall's corners that is further from the wall, round an island's corners up to the
//! flattening tolerance closer to it, which the region's own tolerance holds.
//!
//! Every level is checked before it is used (see [`rings`]): the offset library can lose a
//! piece of a level, and a ring is cut only once it is known to lie inside the region.

use super::inside::Boundary;
use super::region::Region;
use crate::geom::DVec2;
use crate::geom::Det;
use cavalier_contours::polyline::{PlineCreation, PlineSource, PlineSourceMut, Polyline};
use cavalier_contours::shape_algorithms::{Shape, ShapeOffsetOptions};
use i_overlay::mesh::float::outline::offset::OutlineOffset;
use i_overlay::mesh::float::style::{LineJoin, OutlineStyle};

/// One closed ring of a pocket.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    /// Counter-clockwise round a piece of area, clockwise round an island; the first point
    /// is not repeated.
    pub pts: Vec<DVec2>,
    /// True for rings round islands (holes of the eroded region).
    pub hole: bool,
}

fn polyline(pts: &[DVec2]) -> Polyline<f64> {
    let mut pl = Polyline::with_capacity(pts.len(), true);
    for p in pts {
        pl.add(p.x, p.y, 0.0);
    }
    pl
}

fn points(pl: &Polyline<f64>, tol: f64) -> Vec<DVec2> {
    let lines = pl.arcs_to_approx_lines(tol).unwrap_or_else(|| pl.clone());
    lines
        .iter_vertexes()
        .map(|v| DVec2::new(v.x, v.y))
        .collect()
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
///
/// Each level is offset from the one before by `cavalier_contours`, and is accepted only
/// if every ring of it lies inside the level before and keeps a stepover from it (less the
/// flattening of both). Where it does not, the library's shape offset has lost a piece:
/// its stitcher closes a chain of offset slices with a straight segment when no slice
/// continues it (`stitch_slices_together`: "no slice starts here" closes the polyline as
/// it is), which happens where an island's offset pinches off a bay or meets another
/// island's. That chord cuts across the bay, and as the following levels translate it
/// inwards it sweeps through the island. From that level on the rings come from
/// [`eroded`], the region itself eroded by the level's depth with `i_overlay`, whose
/// integer arithmetic cannot lose a loop.
///
/// Every ring is finally checked against the region itself ([`Boundary::holds`]); one that
/// leaves it is not cut (it would cut into the stock to leave).
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
    let (lo, hi) = region
        .outer
        .iter()
        .fold((DVec2::INFINITY, DVec2::NEG_INFINITY), |(lo, hi), &p| {
            (lo.min(p), hi.max(p))
        });
    let max_levels = (lo.distance(hi) / stepover) as usize + 2;
    // Both rings are flattened within `tol`; a little more for rounding.
    let slack = 2.0 * tol + 1e-6 * stepover;
    let mut robust = false;
    for k in 1..=max_levels {
        let depth = k as f64 * stepover;
        let next = if robust {
            None
        } else {
            let next = shape.parallel_offset(stepover, &opts);
            let r = rings_of(&next, tol);
            if next.ccw_plines.is_empty() || sound(levels.last().unwrap(), &r, stepover - slack) {
                Some((next, r))
            } else {
                robust = true;
                None
            }
        };
        let (level, empty) = match &next {
            Some((n, r)) => (r.clone(), n.ccw_plines.is_empty()),
            None => {
                let r = eroded(region, depth, tol);
                let empty = r.iter().all(|r| r.hole);
                (r, empty)
            }
        };
        if empty {
            // Nothing left at this depth: with a stepover wider than the tool, one more
            // ring at `depth - radius` covers what the last ring's tool does not reach.
            if stepover > radius {
                let last = if robust {
                    eroded(region, depth - radius, tol)
                } else {
                    rings_of(&shape.parallel_offset(stepover - radius, &opts), tol)
                };
                if !last.is_empty() {
                    levels.push(last);
                }
            }
            break;
        }
        levels.push(level);
        if let Some((next, _)) = next {
            shape = next;
        }
    }
    // The last word: no ring leaves the region, whatever computed it.
    let inside = Boundary::new(region);
    for l in levels.iter_mut().skip(1) {
        l.retain(|r| inside.holds(&r.pts));
    }
    levels.retain(|l| !l.is_empty());
    levels
}

/// True when every ring of `next` lies inside the region bounded by the rings `prev` and
/// keeps at least `gap` from them (see [`Boundary::holds_clear`]).
fn sound(prev: &[Ring], next: &[Ring], gap: f64) -> bool {
    let loops: Vec<&[DVec2]> = prev.iter().map(|r| r.pts.as_slice()).collect();
    let b = Boundary::of_loops(&loops, gap);
    next.iter().all(|r| b.holds_clear(&r.pts, gap))
}

/// The region eroded by `depth`: the boundary of the points at least `depth` from its
/// outside, by `i_overlay`'s outline offset with round joins. Each join's chords stay
/// within `tol` of its arc: a chord of angle `θ` on radius `r` departs from the arc by
/// `r (1 - cos(θ / 2))`, so `θ = 2 acos(1 - tol / r)`.
pub fn eroded(region: &Region, depth: f64, tol: f64) -> Vec<Ring> {
    let shape: Vec<Vec<DVec2>> = std::iter::once(region.outer.clone())
        .chain(region.holes.iter().cloned())
        .collect();
    let angle = 2.0 * (1.0 - (tol / depth).min(1.0)).dacos();
    let style = OutlineStyle::new(-depth).line_join(LineJoin::Round(angle));
    let shapes: Vec<Vec<Vec<DVec2>>> = shape.outline(&style);
    shapes
        .into_iter()
        .flat_map(|s| {
            s.into_iter()
                .enumerate()
                .map(|(k, pts)| Ring { pts, hole: k > 0 })
        })
        .filter(|r| r.pts.len() >= 3)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[[f64; 2]]) -> Vec<DVec2> {
        v.iter().map(|&p| p.into()).collect()
    }

    #[test]
    fn square_with_island() {
        let region = Region {
            outer: pts(&[[0.0, 0.0], [20.0, 0.0], [20.0, 20.0], [0.0, 20.0]]),
            holes: vec![pts(&[[9.0, 9.0], [9.0, 11.0], [11.0, 11.0], [11.0, 9.0]])],
        };
        let lv = rings(&region, 2.0, 3.0, 0.01);
        // The deepest points (on the diagonals) are 5.3 from wall and island: rings at 2, 4.
        assert_eq!(lv.len(), 3);
        for (k, l) in lv.iter().enumerate().skip(1) {
            for r in l {
                for p in &r.pts {
                    // Every point of ring k is k·2 from the outer wall or from the island.
                    let wall = p.x.min(p.y).min(20.0 - p.x).min(20.0 - p.y);
                    let dx = (p.x - 10.0).abs() - 1.0;
                    let dy = (p.y - 10.0).abs() - 1.0;
                    let island = dx.max(0.0).dhypot(dy.max(0.0)) + dx.max(dy).min(0.0);
                    let d = wall.min(island);
                    assert!((d - 2.0 * k as f64).abs() < 0.02, "ring {k}: {p:?} {d}");
                }
            }
        }
    }

    #[test]
    fn wide_stepover_gets_a_last_ring() {
        let region = Region {
            outer: pts(&[[0.0, 0.0], [10.0, 0.0], [10.0, 4.0], [0.0, 4.0]]),
            holes: vec![],
        };
        // s = 2.5 > R = 1 on a 4 wide strip: no ring at 2.5 fits, and ring 0 only reaches
        // 1 in, so an extra ring at depth 1.5 covers the middle.
        let lv = rings(&region, 2.5, 1.0, 0.01);
        assert_eq!(lv.len(), 2);
        let ys: Vec<f64> = lv[1][0].pts.iter().map(|p| p.y).collect();
        assert!(
            ys.iter()
                .all(|y| (y - 1.5).abs() < 1e-6 || (y - 2.5).abs() < 1e-6),
            "{ys:?}"
        );
    }

    /// Three islands whose offsets meet (found by a random search over disjoint circles):
    /// at level 27 the library's shape offset closes a broken chain of slices with a chord
    /// across the bay between them, and later levels carry the chord into the islands.
    /// Every ring must keep its depth from the region's boundary.
    #[test]
    fn merging_islands_keep_every_ring_at_its_depth() {
        let circle = |c: [f64; 2], r: f64, n: usize| -> Vec<DVec2> {
            (0..n)
                .rev()
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    DVec2::new(c[0] + r * a.dcos(), c[1] + r * a.dsin())
                })
                .collect()
        };
        let region = Region {
            outer: pts(&[[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]]),
            holes: vec![
                circle([51.932, 36.116], 3.9744, 12),
                circle([64.032, 69.892], 6.708, 16),
                circle([64.104, 55.732], 6.7296, 19),
            ],
        };
        let (s, tol) = (0.45, 0.005);
        let lv = rings(&region, s, 0.75, tol);
        let inside = Boundary::new(&region);
        let edges: Vec<(DVec2, DVec2)> = std::iter::once(&region.outer)
            .chain(&region.holes)
            .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
            .collect();
        assert!(lv.len() > 40, "{} levels", lv.len());
        for (k, l) in lv.iter().enumerate().skip(1) {
            for r in l {
                assert!(inside.holds(&r.pts), "ring {k} leaves the region");
                for p in &r.pts {
                    let d = edges
                        .iter()
                        .map(|&(a, b)| super::super::inside::distance2_to_segment(*p, a, b))
                        .fold(f64::INFINITY, f64::min)
                        .sqrt();
                    // Flattening moves a ring towards an island by up to `tol` a level.
                    assert!(
                        d >= k as f64 * s * (1.0 - 1e-6) - k as f64 * tol,
                        "ring {k}: {p:?} only {d:.3} from the boundary"
                    );
                }
            }
        }
    }
}

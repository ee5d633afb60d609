//! The check every ring passes before it is cut: it lies inside the free region.
//!
//! The region (outer boundary and holes) is where the grown tool is free at the layer, so a
//! closed ring inside it keeps the stock to leave everywhere along it. A ring is inside when
//! none of its segments crosses or touches a boundary edge and one of its points is inside
//! the region (even-odd over all loops): a closed curve that meets no boundary stays in the
//! face of the plane where it starts. Offsets are computed by a library whose shape offset
//! can lose a loop where offset segments coincide (see [`super::pocket`]); this check is what
//! makes a lost island harmless rather than a gouge.
//!
//! The boundary's edges are bucketed in a square grid, so a segment is tested only against
//! edges in the cells its box covers.

use super::region::Region;
use crate::geom::DVec2;
use crate::strategy::polyline::project;

/// The region's boundary edges, bucketed for segment queries.
pub struct Boundary {
    edges: Vec<(DVec2, DVec2)>,
    lo: DVec2,
    cell: f64,
    nx: usize,
    ny: usize,
    /// Edge ids per cell, row-major.
    cells: Vec<Vec<u32>>,
}

impl Boundary {
    /// The boundary of `region`.
    pub fn new(region: &Region) -> Boundary {
        let loops: Vec<&[DVec2]> = std::iter::once(region.outer.as_slice())
            .chain(region.holes.iter().map(|h| h.as_slice()))
            .collect();
        Boundary::of_loops(&loops, 0.0)
    }

    /// The boundary made of closed `loops` (the region inside an odd number of them), its
    /// edges bucketed in cells at least `cell` wide and about four average edges (at most
    /// 512 × 512 cells, so the index stays small whatever the region).
    pub fn of_loops(loops: &[&[DVec2]], cell: f64) -> Boundary {
        let edges: Vec<(DVec2, DVec2)> = loops
            .iter()
            .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
            .collect();
        let (mut lo, mut hi) = (DVec2::INFINITY, DVec2::NEG_INFINITY);
        let mut total = 0.0;
        for (a, b) in &edges {
            lo = lo.min(a.min(*b));
            hi = hi.max(a.max(*b));
            total += a.distance(*b);
        }
        let span = (hi - lo).max_element().max(1e-9);
        let mean = total / edges.len().max(1) as f64;
        let cell = (4.0 * mean).max(cell).max(span / 512.0).max(1e-9);
        let nx = ((hi.x - lo.x) / cell) as usize + 1;
        let ny = ((hi.y - lo.y) / cell) as usize + 1;
        let mut b = Boundary {
            edges,
            lo,
            cell,
            nx,
            ny,
            cells: vec![Vec::new(); nx * ny],
        };
        for (k, &(p, q)) in b.edges.iter().enumerate() {
            let (i0, j0, i1, j1) = b.span(p, q);
            for j in j0..=j1 {
                for i in i0..=i1 {
                    b.cells[i + j * nx].push(k as u32);
                }
            }
        }
        b
    }

    /// The cells covered by the box of segment `p q`, clamped to the grid.
    fn span(&self, p: DVec2, q: DVec2) -> (usize, usize, usize, usize) {
        let c =
            |v: f64, o: f64, n: usize| (((v - o) / self.cell).floor().max(0.0) as usize).min(n - 1);
        let (lo, hi) = (p.min(q), p.max(q));
        (
            c(lo.x, self.lo.x, self.nx),
            c(lo.y, self.lo.y, self.ny),
            c(hi.x, self.lo.x, self.nx),
            c(hi.y, self.lo.y, self.ny),
        )
    }

    /// True when segment `p q` crosses or touches a boundary edge.
    fn meets(&self, p: DVec2, q: DVec2) -> bool {
        let (i0, j0, i1, j1) = self.span(p, q);
        (j0..=j1).any(|j| {
            (i0..=i1).any(|i| {
                self.cells[i + j * self.nx].iter().any(|&k| {
                    let (a, b) = self.edges[k as usize];
                    segments_meet(p, q, a, b)
                })
            })
        })
    }

    /// Even-odd: is `p` inside the region (inside the outer loop, outside every hole)?
    fn contains(&self, p: DVec2) -> bool {
        let mut inside = false;
        for &(a, b) in &self.edges {
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
                if x > p.x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// True when no boundary edge comes closer than `r` to `p`.
    fn clear(&self, p: DVec2, r: f64) -> bool {
        let (i0, j0, i1, j1) = self.span(p - DVec2::splat(r), p + DVec2::splat(r));
        let r2 = r * r;
        (j0..=j1).all(|j| {
            (i0..=i1).all(|i| {
                self.cells[i + j * self.nx].iter().all(|&k| {
                    let (a, b) = self.edges[k as usize];
                    distance2_to_segment(p, a, b) >= r2
                })
            })
        })
    }

    /// True when the closed ring `pts` lies inside the region and keeps at least `r` from
    /// its boundary at its vertices and every `r / 4` along each segment. Every point of a
    /// segment is within `r / 8` of a sample, so the whole ring keeps at least `7 r / 8`.
    pub fn holds_clear(&self, pts: &[DVec2], r: f64) -> bool {
        let n = pts.len();
        self.holds(pts)
            && (0..n).all(|k| {
                let (a, b) = (pts[k], pts[(k + 1) % n]);
                let m = ((4.0 * a.distance(b) / r).ceil() as usize).clamp(1, 1 << 16);
                (0..m).all(|i| self.clear(a.lerp(b, i as f64 / m as f64), r))
            })
    }

    /// True when the closed ring `pts` lies inside the region, meeting no boundary edge.
    pub fn holds(&self, pts: &[DVec2]) -> bool {
        let n = pts.len();
        n >= 2 && self.contains(pts[0]) && (0..n).all(|k| !self.meets(pts[k], pts[(k + 1) % n]))
    }
}

/// Squared distance from `p` to the segment `a b`.
pub(super) fn distance2_to_segment(p: DVec2, a: DVec2, b: DVec2) -> f64 {
    p.distance_squared(project(p, a, b).0)
}

/// Orientation of `c` seen from `a → b`: twice the signed area of the triangle.
fn orient(a: DVec2, b: DVec2, c: DVec2) -> f64 {
    (b - a).perp_dot(c - a)
}

/// True when the closed segments `p q` and `a b` share a point.
fn segments_meet(p: DVec2, q: DVec2, a: DVec2, b: DVec2) -> bool {
    let (d1, d2) = (orient(a, b, p), orient(a, b, q));
    let (d3, d4) = (orient(p, q, a), orient(p, q, b));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    let on = |a: DVec2, b: DVec2, c: DVec2, d: f64| {
        d == 0.0 && c.cmpge(a.min(b)).all() && c.cmple(a.max(b)).all()
    };
    on(a, b, p, d1) || on(a, b, q, d2) || on(p, q, a, d3) || on(p, q, b, d4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[[f64; 2]]) -> Vec<DVec2> {
        v.iter().map(|&p| p.into()).collect()
    }

    #[test]
    fn ring_through_an_island_is_refused() {
        let region = Region {
            outer: pts(&[[0.0, 0.0], [20.0, 0.0], [20.0, 20.0], [0.0, 20.0]]),
            holes: vec![pts(&[[9.0, 9.0], [9.0, 11.0], [11.0, 11.0], [11.0, 9.0]])],
        };
        let b = Boundary::new(&region);
        // Round the island: fine. Through it, or outside the outer loop: refused.
        assert!(b.holds(&pts(&[[2.0, 2.0], [18.0, 2.0], [18.0, 18.0], [2.0, 18.0]])));
        assert!(!b.holds(&pts(&[[2.0, 2.0], [18.0, 2.0], [18.0, 10.0], [2.0, 10.0]])));
        assert!(!b.holds(&pts(&[[-2.0, 2.0], [18.0, 2.0], [18.0, 5.0], [-2.0, 5.0]])));
        // Inside the island entirely: not in the region.
        assert!(!b.holds(&pts(&[[9.5, 9.5], [10.5, 9.5], [10.5, 10.5]])));
    }
}

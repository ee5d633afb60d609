//! The distance from a point to a shape's boundary, exact for lines and arcs, through a
//! uniform grid of the boundary's segments; and the check that a straight move of the cone
//! stays inside the shape.
//!
//! A query looks at the grid cells in rings of growing Chebyshev distance round the point's
//! cell and stops once the next ring cannot hold anything nearer than what was found (a ring
//! `k` cells out is at least `(k − 1)·cell` away), or than the caller's `limit`: V-carving
//! never needs a distance beyond the radius of the cone at its deepest cut.

use crate::drawing::{arc, Segment, Shape};
use crate::geom::DVec2;

/// A boundary segment in the form its distance is quickest to take.
enum Seg {
    Line {
        a: DVec2,
        d: DVec2,
        inv_l2: f64,
    },
    /// A counter-clockwise arc (a clockwise one is stored from its end): its points are
    /// those whose direction from the centre turns from `from` by at most `span` (in
    /// pseudo-angle, see [`turn`]).
    Arc {
        c: DVec2,
        r: f64,
        from: DVec2,
        span: f64,
        ends: [DVec2; 2],
    },
}

/// A pseudo-angle in `[0, 4)`: increases with the angle of `v` from the +x axis, as
/// `atan2` does, without trigonometry (enough to compare turns).
fn pseudo_angle(v: DVec2) -> f64 {
    let p = v.x / (v.x.abs() + v.y.abs()).max(1e-300);
    if v.y >= 0.0 {
        1.0 - p
    } else {
        3.0 + p
    }
}

/// The counter-clockwise turn from `u` to `v` in pseudo-angle, in `[0, 4)`.
fn turn(u: DVec2, v: DVec2) -> f64 {
    let t = pseudo_angle(v) - pseudo_angle(u);
    if t < 0.0 {
        t + 4.0
    } else {
        t
    }
}

impl Seg {
    fn new(s: &Segment) -> Seg {
        match *s {
            Segment::Line { a, b } => {
                let d = b - a;
                let l2 = d.length_squared();
                Seg::Line {
                    a,
                    d,
                    inv_l2: if l2 > 0.0 { 1.0 / l2 } else { 0.0 },
                }
            }
            Segment::Arc {
                a,
                b,
                centre,
                radius,
                ccw,
            } => {
                let (s0, s1) = if ccw { (a, b) } else { (b, a) };
                let from = s0 - centre;
                let span = if a.distance(b) <= 1e-12 * radius.max(1.0) {
                    4.0
                } else {
                    turn(from, s1 - centre)
                };
                Seg::Arc {
                    c: centre,
                    r: radius,
                    from,
                    span,
                    ends: [a, b],
                }
            }
        }
    }

    fn distance(&self, q: DVec2) -> f64 {
        match *self {
            Seg::Line { a, d, inv_l2 } => {
                let t = ((q - a).dot(d) * inv_l2).clamp(0.0, 1.0);
                q.distance(a + d * t)
            }
            Seg::Arc {
                c,
                r,
                from,
                span,
                ends,
            } => {
                let v = q - c;
                let l = v.length();
                if l < 1e-12 {
                    return r;
                }
                if turn(from, v) <= span {
                    (l - r).abs()
                } else {
                    q.distance(ends[0]).min(q.distance(ends[1]))
                }
            }
        }
    }
}

/// A shape's boundary (outline and holes) indexed for distance queries.
pub struct Boundary {
    segs: Vec<Seg>,
    origin: DVec2,
    cell: f64,
    nx: usize,
    ny: usize,
    /// Cell `c` holds `items[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Boundary {
    /// Indexes every segment of the shape's outline and holes.
    pub fn new(shape: &Shape) -> Boundary {
        let mut segs = Vec::new();
        let mut boxes = Vec::new();
        for p in std::iter::once(&shape.outline).chain(&shape.holes) {
            let n = p.vertices.len();
            for (i, s) in p.segments().enumerate() {
                let v = p.vertices[i];
                boxes.push(arc::bounds(v.p, p.vertices[(i + 1) % n].p, v.bulge));
                segs.push(Seg::new(&s));
            }
        }
        let (mut lo, mut hi) = (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY));
        for (a, b) in &boxes {
            lo = lo.min(*a);
            hi = hi.max(*b);
        }
        if segs.is_empty() {
            lo = DVec2::ZERO;
            hi = DVec2::ONE;
        }
        let size = (hi - lo).max(DVec2::splat(1e-9));
        // About one cell per segment: boundaries are thin, so most cells are empty and the
        // occupied ones hold a few segments.
        let cell = (size.x * size.y / segs.len().max(1) as f64)
            .sqrt()
            .max(size.max_element() / 2048.0)
            .max(1e-6);
        let nx = ((size.x / cell).floor() as usize + 1).min(4096);
        let ny = ((size.y / cell).floor() as usize + 1).min(4096);
        let cell_of = |p: DVec2| -> (usize, usize) {
            let q = (p - lo) / cell;
            (
                (q.x.max(0.0) as usize).min(nx - 1),
                (q.y.max(0.0) as usize).min(ny - 1),
            )
        };
        let mut count = vec![0u32; nx * ny + 1];
        let mut spans = Vec::with_capacity(boxes.len());
        for (a, b) in &boxes {
            let (i0, j0) = cell_of(*a);
            let (i1, j1) = cell_of(*b);
            for j in j0..=j1 {
                for i in i0..=i1 {
                    count[j * nx + i] += 1;
                }
            }
            spans.push((i0, j0, i1, j1));
        }
        let mut start = vec![0u32; nx * ny + 1];
        for c in 0..nx * ny {
            start[c + 1] = start[c] + count[c];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; start[nx * ny] as usize];
        for (k, &(i0, j0, i1, j1)) in spans.iter().enumerate() {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let c = j * nx + i;
                    items[fill[c] as usize] = k as u32;
                    fill[c] += 1;
                }
            }
        }
        Boundary {
            segs,
            origin: lo,
            cell,
            nx,
            ny,
            start,
            items,
        }
    }

    /// The distance from `q` to the boundary when it is under `limit`; otherwise some value
    /// of at least `limit`.
    pub fn distance(&self, q: DVec2, limit: f64) -> f64 {
        let g = (q - self.origin) / self.cell;
        let ci = (g.x.max(0.0) as usize).min(self.nx - 1) as isize;
        let cj = (g.y.max(0.0) as usize).min(self.ny - 1) as isize;
        let mut best = f64::INFINITY;
        let far = self.nx.max(self.ny) as isize;
        for k in 0..=far {
            let near = (k - 1).max(0) as f64 * self.cell;
            if near >= best || near >= limit {
                break;
            }
            let mut visit = |i: isize, j: isize| {
                if i < 0 || j < 0 || i >= self.nx as isize || j >= self.ny as isize {
                    return;
                }
                let c = j as usize * self.nx + i as usize;
                for &s in &self.items[self.start[c] as usize..self.start[c + 1] as usize] {
                    best = best.min(self.segs[s as usize].distance(q));
                }
            };
            if k == 0 {
                visit(ci, cj);
                continue;
            }
            for i in ci - k..=ci + k {
                visit(i, cj - k);
                visit(i, cj + k);
            }
            for j in cj - k + 1..=cj + k - 1 {
                visit(ci - k, j);
                visit(ci + k, j);
            }
        }
        best
    }

    /// Where a straight move of the cone first reaches out of the shape: the tool axis runs
    /// from `a` to `b` while the cone's radius at the material top runs linearly from `ra`
    /// to `rb`. Returns the parameter (0..=1) of the first point found where that radius
    /// exceeds the distance to the boundary by more than `slack / 2`, or `None` when it
    /// exceeds it nowhere along the move by more than `slack`.
    ///
    /// The margin `g = distance − radius` changes along the move by at most `1 + k` per unit
    /// of length (the distance is 1-Lipschitz, the radius has slope `k`), so from a point
    /// with margin `g` the next point that could fall below `−slack` is at least
    /// `(g + slack) / (1 + k)` away: the check steps by that (sphere tracing), which is long
    /// away from the walls and short only where the cone touches them.
    pub fn first_excess(&self, a: DVec2, ra: f64, b: DVec2, rb: f64, slack: f64) -> Option<f64> {
        let len = a.distance(b);
        let k = if len > 0.0 {
            (rb - ra).abs() / len
        } else {
            0.0
        };
        let limit = ra.max(rb) + 2.0 * slack;
        let mut s = 0.0;
        loop {
            let t = if len > 0.0 { (s / len).min(1.0) } else { 1.0 };
            let p = a + (b - a) * t;
            let r = ra + (rb - ra) * t;
            let g = self.distance(p, limit) - r;
            if g < -0.5 * slack {
                return Some(t);
            }
            if t >= 1.0 {
                return None;
            }
            s += ((g + slack) / (1.0 + k)).max(1e-9 * len.max(1.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drawing::{Path, Vertex};
    use crate::strategy::twod::geometry::distance_to_paths;

    fn v(x: f64, y: f64, bulge: f64) -> Vertex {
        Vertex {
            p: DVec2::new(x, y),
            bulge,
        }
    }

    /// A shape of lines and arcs both ways round, with a round hole.
    fn shape() -> Shape {
        Shape {
            outline: Path {
                vertices: vec![
                    v(0.0, 0.0, 0.0),
                    v(10.0, 0.0, 0.7),
                    v(10.0, 6.0, 0.0),
                    v(6.0, 6.0, -0.5),
                    v(2.0, 6.0, 0.0),
                ],
                closed: true,
            },
            holes: vec![Path {
                vertices: vec![v(5.0, 3.0, -1.0), v(3.0, 3.0, -1.0)],
                closed: true,
            }],
        }
    }

    #[test]
    fn grid_distance_is_the_exact_distance() {
        let s = shape();
        let b = Boundary::new(&s);
        let paths: Vec<&Path> = std::iter::once(&s.outline).chain(&s.holes).collect();
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..5000 {
            let q = DVec2::new(rnd() * 16.0 - 3.0, rnd() * 12.0 - 3.0);
            let want = distance_to_paths(paths.iter().copied(), q);
            let got = b.distance(q, f64::INFINITY);
            assert!((got - want).abs() < 1e-9, "{q:?}: {got} vs {want}");
            let capped = b.distance(q, 0.5);
            assert!(if want < 0.5 {
                (capped - want).abs() < 1e-9
            } else {
                capped >= 0.5
            });
        }
    }

    #[test]
    fn excess_is_found_along_a_move_not_only_at_its_ends() {
        let s = Shape {
            outline: Path {
                vertices: vec![
                    v(0.0, 0.0, 0.0),
                    v(10.0, 0.0, 0.0),
                    v(10.0, 3.0, 0.0),
                    v(5.5, 3.0, 0.0),
                    v(5.0, 1.2, 0.0),
                    v(4.5, 3.0, 0.0),
                    v(0.0, 3.0, 0.0),
                ],
                closed: true,
            },
            holes: vec![],
        };
        let b = Boundary::new(&s);
        // Both ends are 1 from the boundary; the middle passes 0.2 under the notch's tip.
        let (a, c) = (DVec2::new(1.0, 1.0), DVec2::new(9.0, 1.0));
        assert!((b.distance(a, 10.0) - 1.0).abs() < 1e-12);
        assert!((b.distance(c, 10.0) - 1.0).abs() < 1e-12);
        let t = b.first_excess(a, 0.7, c, 0.7, 0.01).expect("excess");
        assert!(t > 0.3 && t < 0.5, "{t}");
        assert!(b.first_excess(a, 0.18, c, 0.18, 0.01).is_none());
    }
}

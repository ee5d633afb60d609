//! The planner's pictures of a level: a grid of cells that are material or not, the
//! region's boundary in buckets for exact inside and crossing tests, and distance
//! transforms over the grid.

use crate::geom::{ceil_fast, floor_fast, DVec2};
use crate::strategy::twod::geometry::nearest_on_line;

/// A uniform grid of square cells; cell `(i, j)` has its centre at `o + h (i, j)`.
#[derive(Clone, Copy, Debug)]
pub struct Grid {
    pub o: DVec2,
    pub h: f64,
    pub nx: usize,
    pub ny: usize,
}

impl Grid {
    /// Cells of side `h` covering `[min, max]`.
    pub fn covering(min: DVec2, max: DVec2, h: f64) -> Grid {
        let nx = ((max.x - min.x) / h).ceil() as usize + 1;
        let ny = ((max.y - min.y) / h).ceil() as usize + 1;
        Grid {
            o: min,
            h,
            nx: nx.max(1),
            ny: ny.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn centre(&self, k: usize) -> DVec2 {
        self.o + DVec2::new((k % self.nx) as f64, (k / self.nx) as f64) * self.h
    }

    /// The cell whose centre is nearest `p`, clamped to the grid.
    pub fn cell(&self, p: DVec2) -> usize {
        let i = ((p.x - self.o.x) / self.h)
            .round()
            .clamp(0.0, (self.nx - 1) as f64) as usize;
        let j = ((p.y - self.o.y) / self.h)
            .round()
            .clamp(0.0, (self.ny - 1) as f64) as usize;
        j * self.nx + i
    }

    /// For each row `j` whose centres lie within `r` of `c`, the range of columns whose
    /// centres do: calls `f(j, i0..=i1)`.
    pub fn disk_rows(&self, c: DVec2, r: f64, mut f: impl FnMut(usize, usize, usize)) {
        let h = self.h;
        let j0 = ceil_fast((c.y - r - self.o.y) / h).max(0.0);
        let j1 = floor_fast((c.y + r - self.o.y) / h).min((self.ny - 1) as f64);
        if j1 < j0 {
            return;
        }
        for j in j0 as usize..=j1 as usize {
            let dy = self.o.y + j as f64 * h - c.y;
            let half = (r * r - dy * dy).max(0.0).sqrt();
            let i0 = ceil_fast((c.x - half - self.o.x) / h).max(0.0);
            let i1 = floor_fast((c.x + half - self.o.x) / h).min((self.nx - 1) as f64);
            if i1 >= i0 {
                f(j, i0 as usize, i1 as usize);
            }
        }
    }
}

/// Squared Euclidean distance, in cells, from every cell to the nearest cell where
/// `feature` is true (infinite when there is none): Felzenszwalb and Huttenlocher's two
/// passes of the lower envelope of parabolas, rows then columns.
pub fn distance_sq(g: &Grid, feature: impl Fn(usize) -> bool) -> Vec<f32> {
    const INF: f64 = 1e20;
    let mut d: Vec<f64> = (0..g.len())
        .map(|k| if feature(k) { 0.0 } else { INF })
        .collect();
    let n = g.nx.max(g.ny);
    let mut line = vec![0.0; n];
    let mut out = vec![0.0; n];
    let mut v = vec![0usize; n];
    let mut z = vec![0.0; n + 1];
    for j in 0..g.ny {
        let row = &mut d[j * g.nx..(j + 1) * g.nx];
        line[..g.nx].copy_from_slice(row);
        envelope(&line[..g.nx], &mut out[..g.nx], &mut v, &mut z);
        row.copy_from_slice(&out[..g.nx]);
    }
    for i in 0..g.nx {
        for j in 0..g.ny {
            line[j] = d[j * g.nx + i];
        }
        envelope(&line[..g.ny], &mut out[..g.ny], &mut v, &mut z);
        for j in 0..g.ny {
            d[j * g.nx + i] = out[j];
        }
    }
    d.into_iter()
        .map(|x| x.min(f32::MAX as f64) as f32)
        .collect()
}

/// One dimension of [`distance_sq`]: `out[q] = min_p (q - p)² + f[p]`.
fn envelope(f: &[f64], out: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    let mut k = 0usize;
    let mut first = None;
    for q in 0..n {
        if f[q] >= 1e19 {
            continue;
        }
        match first {
            None => {
                first = Some(q);
                v[0] = q;
                z[0] = f64::NEG_INFINITY;
                z[1] = f64::INFINITY;
            }
            Some(_) => loop {
                let p = v[k];
                let s = ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64))
                    / (2.0 * (q as f64 - p as f64));
                if s <= z[k] && k > 0 {
                    k -= 1;
                    continue;
                }
                if s <= z[k] {
                    // k == 0 and the new parabola is lower everywhere.
                    v[0] = q;
                    z[0] = f64::NEG_INFINITY;
                    z[1] = f64::INFINITY;
                    break;
                }
                k += 1;
                v[k] = q;
                z[k] = s;
                z[k + 1] = f64::INFINITY;
                break;
            },
        }
    }
    if first.is_none() {
        out.iter_mut().for_each(|o| *o = 1e20);
        return;
    }
    let mut k = 0;
    for (q, o) in out.iter_mut().enumerate() {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        let dq = q as f64 - p as f64;
        *o = dq * dq + f[p];
    }
}

/// The edges of closed loops in square buckets, for exact inside and crossing tests.
pub struct Edges {
    o: DVec2,
    size: f64,
    nx: usize,
    ny: usize,
    edges: Vec<(DVec2, DVec2)>,
    buckets: Vec<Vec<u32>>,
}

impl Edges {
    pub fn new(loops: &[Vec<DVec2>], min: DVec2, max: DVec2, size: f64) -> Edges {
        let nx = ((max.x - min.x) / size).floor() as usize + 1;
        let ny = ((max.y - min.y) / size).floor() as usize + 1;
        let edges: Vec<(DVec2, DVec2)> = loops
            .iter()
            .filter(|l| l.len() >= 2)
            .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
            .filter(|(a, b)| a != b)
            .collect();
        let mut e = Edges {
            o: min,
            size,
            nx,
            ny,
            edges,
            buckets: vec![Vec::new(); nx * ny],
        };
        for (k, &(a, b)) in e.edges.iter().enumerate() {
            let (i0, j0) = e.bucket(a.min(b));
            let (i1, j1) = e.bucket(a.max(b));
            for j in j0..=j1 {
                for i in i0..=i1 {
                    e.buckets[j * nx + i].push(k as u32);
                }
            }
        }
        e
    }

    fn bucket(&self, p: DVec2) -> (usize, usize) {
        let i = ((p.x - self.o.x) / self.size)
            .floor()
            .clamp(0.0, (self.nx - 1) as f64);
        let j = ((p.y - self.o.y) / self.size)
            .floor()
            .clamp(0.0, (self.ny - 1) as f64);
        (i as usize, j as usize)
    }

    /// Inside by crossing parity along a ray towards +X; each crossing is counted in the
    /// bucket that holds it.
    pub fn inside(&self, q: DVec2) -> bool {
        let (i0, j) = self.bucket(q);
        let mut odd = false;
        for i in i0..self.nx {
            let lo = self.o.x + i as f64 * self.size;
            let hi = lo + self.size;
            for &k in &self.buckets[j * self.nx + i] {
                let (a, b) = self.edges[k as usize];
                if (a.y > q.y) != (b.y > q.y) {
                    let x = a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x);
                    let own = (i == 0 || x >= lo) && (i == self.nx - 1 || x < hi);
                    if x > q.x && own {
                        odd = !odd;
                    }
                }
            }
        }
        odd
    }

    /// The first edge the segment `a`–`b` crosses (touching counts): its parameter along
    /// the segment and its ends.
    pub fn first_crossing(&self, a: DVec2, b: DVec2) -> Option<(f64, DVec2, DVec2)> {
        let (i0, j0) = self.bucket(a.min(b));
        let (i1, j1) = self.bucket(a.max(b));
        let ab = b - a;
        let mut best: Option<(f64, DVec2, DVec2)> = None;
        for j in j0..=j1 {
            for i in i0..=i1 {
                for &k in &self.buckets[j * self.nx + i] {
                    let (c, d) = self.edges[k as usize];
                    let cd = d - c;
                    let den = ab.perp_dot(cd);
                    if den.abs() < 1e-300 {
                        continue;
                    }
                    let t = (c - a).perp_dot(cd) / den;
                    let u = (c - a).perp_dot(ab) / den;
                    if (0.0..=1.0).contains(&t)
                        && (0.0..=1.0).contains(&u)
                        && best.is_none_or(|b| t < b.0)
                    {
                        best = Some((t, c, d));
                    }
                }
            }
        }
        best
    }

    /// True when the segment `a`–`b` properly crosses an edge.
    pub fn crosses(&self, a: DVec2, b: DVec2) -> bool {
        let (i0, j0) = self.bucket(a.min(b));
        let (i1, j1) = self.bucket(a.max(b));
        let e = 1e-12 * (1.0 + a.distance(b));
        let side = |p: DVec2, q: DVec2, x: DVec2| (q - p).perp_dot(x - p);
        for j in j0..=j1 {
            for i in i0..=i1 {
                for &k in &self.buckets[j * self.nx + i] {
                    let (c, d) = self.edges[k as usize];
                    let (d1, d2) = (side(c, d, a), side(c, d, b));
                    let (d3, d4) = (side(a, b, c), side(a, b, d));
                    if ((d1 > e && d2 < -e) || (d1 < -e && d2 > e))
                        && ((d3 > e && d4 < -e) || (d3 < -e && d4 > e))
                    {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Exact distance from `q` to the nearest edge (searched ring by ring of buckets).
    pub fn distance(&self, q: DVec2) -> f64 {
        let (ci, cj) = self.bucket(q);
        let mut best = f64::INFINITY;
        let rings = self.nx.max(self.ny);
        for ring in 0..=rings {
            // Every bucket of this ring is at least (ring - 1) sizes away.
            if ring >= 1 && (ring - 1) as f64 * self.size > best {
                break;
            }
            let (i0, i1) = (ci.saturating_sub(ring), (ci + ring).min(self.nx - 1));
            let (j0, j1) = (cj.saturating_sub(ring), (cj + ring).min(self.ny - 1));
            for j in j0..=j1 {
                for i in i0..=i1 {
                    if i.abs_diff(ci) != ring && j.abs_diff(cj) != ring {
                        continue;
                    }
                    for &k in &self.buckets[j * self.nx + i] {
                        let (a, b) = self.edges[k as usize];
                        best = best.min(seg_dist(q, a, b));
                    }
                }
            }
        }
        best
    }
}

fn seg_dist(q: DVec2, a: DVec2, b: DVec2) -> f64 {
    q.distance(nearest_on_line(q, a, b))
}

/// The cells whose centres lie inside the loops (even-odd), by scanlines.
pub fn rasterize(g: &Grid, loops: &[Vec<DVec2>]) -> Vec<bool> {
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); g.ny];
    for l in loops.iter().filter(|l| l.len() >= 3) {
        for k in 0..l.len() {
            let (a, b) = (l[k], l[(k + 1) % l.len()]);
            if a.y == b.y {
                continue;
            }
            let (lo, hi) = (a.y.min(b.y), a.y.max(b.y));
            let j0 = ((lo - g.o.y) / g.h).ceil().max(0.0);
            let j1 = ((hi - g.o.y) / g.h).ceil() - 1.0;
            let j1 = j1.min((g.ny - 1) as f64);
            if j1 < j0 {
                continue;
            }
            for (j, row) in rows
                .iter_mut()
                .enumerate()
                .take(j1 as usize + 1)
                .skip(j0 as usize)
            {
                let y = g.o.y + j as f64 * g.h;
                // Half-open in y ([lo, hi)) so a vertex on a row counts once.
                if (a.y > y) != (b.y > y) {
                    row.push(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x));
                }
            }
        }
    }
    let mut inside = vec![false; g.len()];
    for (j, xs) in rows.iter_mut().enumerate() {
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let i0 = ((pair[0] - g.o.x) / g.h).ceil().max(0.0);
            let i1 = ((pair[1] - g.o.x) / g.h).floor().min((g.nx - 1) as f64);
            if i1 >= i0 {
                for i in i0 as usize..=i1 as usize {
                    inside[j * g.nx + i] = true;
                }
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_transform_matches_brute_force() {
        let g = Grid {
            o: DVec2::ZERO,
            h: 1.0,
            nx: 23,
            ny: 17,
        };
        let feature = |k: usize| (k * 7919).is_multiple_of(37);
        let d = distance_sq(&g, feature);
        for (k, &dk) in d.iter().enumerate() {
            let brute = (0..g.len())
                .filter(|&m| feature(m))
                .map(|m| g.centre(k).distance_squared(g.centre(m)))
                .fold(f64::INFINITY, f64::min);
            assert_eq!(dk as f64, brute, "cell {k}");
        }
    }

    #[test]
    fn inside_crossing_and_distance_are_exact() {
        // A square with a square hole, small buckets so edges span several.
        let outer = vec![
            DVec2::new(0.0, 0.0),
            DVec2::new(10.0, 0.0),
            DVec2::new(10.0, 10.0),
            DVec2::new(0.0, 10.0),
        ];
        let hole = vec![
            DVec2::new(4.0, 4.0),
            DVec2::new(4.0, 6.0),
            DVec2::new(6.0, 6.0),
            DVec2::new(6.0, 4.0),
        ];
        let loops = vec![outer, hole];
        let e = Edges::new(&loops, DVec2::splat(-1.0), DVec2::splat(11.0), 0.7);
        assert!(e.inside(DVec2::new(1.0, 1.0)));
        assert!(e.inside(DVec2::new(9.9, 5.0)));
        assert!(!e.inside(DVec2::new(5.0, 5.0)));
        assert!(!e.inside(DVec2::new(10.5, 5.0)));
        assert!(!e.inside(DVec2::new(-0.5, 5.0)));
        assert!(e.crosses(DVec2::new(1.0, 5.0), DVec2::new(5.0, 5.0)));
        assert!(!e.crosses(DVec2::new(1.0, 1.0), DVec2::new(9.0, 2.0)));
        assert!((e.distance(DVec2::new(3.0, 5.0)) - 1.0).abs() < 1e-12);
        assert!((e.distance(DVec2::new(2.0, 2.0)) - 2.0).abs() < 1e-12);
        let g = Grid::covering(DVec2::splat(-1.0), DVec2::splat(11.0), 0.25);
        let inside = rasterize(&g, &loops);
        for (k, &ik) in inside.iter().enumerate() {
            let c = g.centre(k);
            if e.distance(c) > 1e-9 {
                assert_eq!(ik, e.inside(c), "cell at {c}");
            }
        }
    }
}

//! Deterministic models made in code: the page's built-in demo, and the shapes the tests and
//! benchmarks use, so the repository carries no model files.

use crate::geom::Det;
use crate::mesh::Mesh;

/// Appends a quad `a b c d` (counter-clockwise seen from outside) as two triangles.
fn quad(out: &mut Vec<f32>, a: [f32; 3], b: [f32; 3], c: [f32; 3], d: [f32; 3]) {
    out.extend_from_slice(&[a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]]);
    out.extend_from_slice(&[a[0], a[1], a[2], c[0], c[1], c[2], d[0], d[1], d[2]]);
}

/// A closed solid whose top is the height field `f(x, y)` over `[0, w] × [0, h]`, sampled on
/// an `nx × ny` grid, with vertical sides down to z = 0 and a flat bottom. It has
/// `2 nx ny + 4 (nx + ny) + 2` triangles.
pub fn height_field(nx: usize, ny: usize, w: f32, h: f32, f: impl Fn(f32, f32) -> f32) -> Mesh {
    let nx = nx.max(1);
    let ny = ny.max(1);
    let mut t = Vec::with_capacity(9 * (2 * nx * ny + 4 * (nx + ny) + 2));
    let px = |i: usize| w * i as f32 / nx as f32;
    let py = |j: usize| h * j as f32 / ny as f32;
    let top = |i: usize, j: usize| [px(i), py(j), f(px(i), py(j))];
    for j in 0..ny {
        for i in 0..nx {
            quad(
                &mut t,
                top(i, j),
                top(i + 1, j),
                top(i + 1, j + 1),
                top(i, j + 1),
            );
        }
    }
    let bot = |i: usize, j: usize| [px(i), py(j), 0.0];
    for i in 0..nx {
        quad(&mut t, bot(i, 0), bot(i + 1, 0), top(i + 1, 0), top(i, 0));
        quad(
            &mut t,
            bot(i + 1, ny),
            bot(i, ny),
            top(i, ny),
            top(i + 1, ny),
        );
    }
    for j in 0..ny {
        quad(&mut t, bot(0, j + 1), bot(0, j), top(0, j), top(0, j + 1));
        quad(
            &mut t,
            bot(nx, j),
            bot(nx, j + 1),
            top(nx, j + 1),
            top(nx, j),
        );
    }
    quad(&mut t, bot(0, 0), bot(0, ny), bot(nx, ny), bot(nx, 0));
    Mesh::from_triangles(t).expect("height field is finite")
}

/// A rolling terrain with a few ridges and a dome: the benchmark relief. About
/// `2 n²` triangles over 100 × 100 mm, heights between 2 and 22 mm.
pub fn terrain(n: usize) -> Mesh {
    height_field(n, n, 100.0, 100.0, terrain_height)
}

/// The terrain's height function (exposed so tests can check heights analytically).
pub fn terrain_height(x: f32, y: f32) -> f32 {
    let (u, v) = (x / 100.0, y / 100.0);
    let dome = {
        let d2 = (u - 0.62).powi(2) + (v - 0.4).powi(2);
        9.0 * (-d2 / 0.03).dexp()
    };
    let waves = 2.5 * (u * 11.0).dsin() * (v * 7.0).dcos() + 1.5 * ((u + v) * 17.0).dsin();
    let ridge = 4.0 * (-((v - 0.8 + 0.3 * u).powi(2)) / 0.004).dexp();
    10.0 + dome + waves + ridge
}

/// A UV sphere of radius `r` centred at `c` with `seg` segments around and `seg / 2` rings.
pub fn sphere(c: [f32; 3], r: f32, seg: usize) -> Mesh {
    let seg = seg.max(4);
    let rings = (seg / 2).max(2);
    let p = |i: usize, j: usize| {
        let th = std::f32::consts::PI * j as f32 / rings as f32;
        let ph = 2.0 * std::f32::consts::PI * i as f32 / seg as f32;
        [
            c[0] + r * th.dsin() * ph.dcos(),
            c[1] + r * th.dsin() * ph.dsin(),
            c[2] + r * th.dcos(),
        ]
    };
    let mut t = Vec::new();
    for j in 0..rings {
        for i in 0..seg {
            let (a, b, cc, d) = (p(i, j), p(i, j + 1), p(i + 1, j + 1), p(i + 1, j));
            if j > 0 {
                t.extend_from_slice(&[a[0], a[1], a[2], b[0], b[1], b[2], d[0], d[1], d[2]]);
            }
            if j + 1 < rings {
                t.extend_from_slice(&[b[0], b[1], b[2], cc[0], cc[1], cc[2], d[0], d[1], d[2]]);
            }
        }
    }
    Mesh::from_triangles(t).expect("sphere is finite")
}

/// A closed vertical cylinder (prism of `seg` sides) of radius `r` from `z0` to `z1`, its
/// axis through `(cx, cy)`. The facets' vertices lie on the circle.
pub fn cylinder(cx: f32, cy: f32, r: f32, z0: f32, z1: f32, seg: usize) -> Mesh {
    let seg = seg.max(3);
    let p = |i: usize, z: f32| {
        let a = 2.0 * std::f32::consts::PI * (i % seg) as f32 / seg as f32;
        [cx + r * a.dcos(), cy + r * a.dsin(), z]
    };
    let mut t = Vec::with_capacity(9 * 4 * seg);
    for i in 0..seg {
        quad(&mut t, p(i, z0), p(i + 1, z0), p(i + 1, z1), p(i, z1));
        let (c0, c1) = ([cx, cy, z0], [cx, cy, z1]);
        let (a, b) = (p(i, z0), p(i + 1, z0));
        t.extend_from_slice(&[c0[0], c0[1], c0[2], b[0], b[1], b[2], a[0], a[1], a[2]]);
        let (a, b) = (p(i, z1), p(i + 1, z1));
        t.extend_from_slice(&[c1[0], c1[1], c1[2], a[0], a[1], a[2], b[0], b[1], b[2]]);
    }
    Mesh::from_triangles(t).expect("cylinder is finite")
}

/// An axis-aligned box from `min` to `max` (12 triangles).
pub fn cuboid(min: [f32; 3], max: [f32; 3]) -> Mesh {
    height_field(1, 1, max[0] - min[0], max[1] - min[1], |_, _| {
        max[2] - min[2]
    })
    .translated([min[0], min[1], min[2]])
}

/// The page's built-in demo: a 100 × 100 mm relief of about 20,000 triangles.
pub fn demo_mesh() -> Mesh {
    terrain(100)
}

impl Mesh {
    /// A copy moved by `d` (for building test scenes; the transform module edits in place).
    pub fn translated(&self, d: [f32; 3]) -> Mesh {
        let mut t = self.triangles().to_vec();
        for v in t.chunks_exact_mut(3) {
            v[0] += d[0];
            v[1] += d[1];
            v[2] += d[2];
        }
        Mesh::from_checked(t, self.dropped_degenerate)
    }

    /// Concatenates meshes (for building test scenes).
    pub fn merged(parts: &[Mesh]) -> Mesh {
        let mut t = Vec::with_capacity(parts.iter().map(|m| m.triangles().len()).sum());
        for m in parts {
            t.extend_from_slice(m.triangles());
        }
        Mesh::from_checked(t, 0)
    }
}

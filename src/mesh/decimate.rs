//! A lighter copy of a mesh for the preview: the engine keeps every triangle, WebGL draws
//! at most a budget of them.
//!
//! Vertex clustering: space is cut into cubes of side `h`, every vertex moves to the first
//! vertex seen in its cube, and a triangle whose corners no longer lie in three different
//! cubes disappears. `h` starts from the mesh's area (a surface of area `A` cut into cubes
//! of side `h` keeps about `2A / h²` triangles) and grows until the copy fits the budget.
//! One pass over the buffer per try, and a map with one entry per occupied cube: the copy's
//! own size, not the model's. Shapes smaller than `h` are lost, as on any decimated
//! preview; the toolpath is computed on the full model.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::FLOATS_PER_TRIANGLE;

/// A multiply-shift hash for the cube keys (SipHash's care is for hostile keys).
#[derive(Default)]
struct CubeHasher(u64);

impl Hasher for CubeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (v ^ (v >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 ^= self.0 >> 32;
    }
}

/// At most `budget` triangles that look like `tris` (nine floats each) from a distance;
/// `tris` itself when it fits.
pub fn decimate(tris: &[f32], budget: usize) -> Vec<f32> {
    decimate_counting(tris, budget).0
}

/// [`decimate`], and how many clustering passes it took.
fn decimate_counting(tris: &[f32], budget: usize) -> (Vec<f32>, usize) {
    let n = tris.len() / FLOATS_PER_TRIANGLE;
    if n <= budget {
        return (tris.to_vec(), 0);
    }
    let budget = budget.max(1);
    let mut lo = [f32::INFINITY; 3];
    let mut area = 0.0f64;
    for t in tris.chunks_exact(FLOATS_PER_TRIANGLE) {
        for v in t.chunks_exact(3) {
            for k in 0..3 {
                lo[k] = lo[k].min(v[k]);
            }
        }
        let e1 = [t[3] - t[0], t[4] - t[1], t[5] - t[2]].map(f64::from);
        let e2 = [t[6] - t[0], t[7] - t[1], t[8] - t[2]].map(f64::from);
        let c = [
            e1[1] * e2[2] - e1[2] * e2[1],
            e1[2] * e2[0] - e1[0] * e2[2],
            e1[0] * e2[1] - e1[1] * e2[0],
        ];
        area += 0.5 * (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
    }
    let mut h = (2.0 * area / budget as f64).sqrt().max(1e-9);
    let mut passes = 0;
    loop {
        passes += 1;
        match cluster(tris, lo, h, budget) {
            Ok(out) => return (out, passes),
            // Over budget after `seen` of the triangles (in Morton order, so a fair sample
            // of the whole): grow the cubes by what the overshoot says, and at least 25 %.
            Err(seen) => {
                let total = budget as f64 * n as f64 / seen.max(1) as f64;
                h *= (1.1 * (total / budget as f64).sqrt()).max(1.25);
            }
        }
    }
}

/// The clustered copy at cube side `h`, or how many triangles it had read when it passed
/// `budget` (so the map never holds more than three cubes a kept triangle).
fn cluster(tris: &[f32], lo: [f32; 3], h: f64, budget: usize) -> Result<Vec<f32>, usize> {
    let inv = 1.0 / h;
    // 21 bits a coordinate: 2 million cubes a side, far more than any budget needs.
    let key = |v: &[f32]| -> u64 {
        let q = |k: usize| (((v[k] - lo[k]) as f64 * inv) as u64).min((1 << 21) - 1);
        q(0) | (q(1) << 21) | (q(2) << 42)
    };
    let mut rep: HashMap<u64, [f32; 3], BuildHasherDefault<CubeHasher>> = HashMap::default();
    let mut out =
        Vec::with_capacity(budget.min(tris.len() / FLOATS_PER_TRIANGLE) * FLOATS_PER_TRIANGLE);
    for (i, t) in tris.chunks_exact(FLOATS_PER_TRIANGLE).enumerate() {
        let k = [key(&t[0..3]), key(&t[3..6]), key(&t[6..9])];
        if k[0] == k[1] || k[1] == k[2] || k[0] == k[2] {
            continue;
        }
        if out.len() >= budget * FLOATS_PER_TRIANGLE {
            return Err(i);
        }
        for (j, &kj) in k.iter().enumerate() {
            let v = &t[3 * j..3 * j + 3];
            out.extend_from_slice(rep.entry(kj).or_insert([v[0], v[1], v[2]]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn a_dense_terrain_fits_the_budget_and_keeps_its_shape() {
        let m = demo::terrain(400);
        let tris = m.triangles();
        let n = tris.len() / 9;
        for budget in [n, 50_000, 5_000] {
            let d = decimate(tris, budget);
            let k = d.len() / 9;
            assert!(k <= budget, "{k} > {budget}");
            // Not far under the budget either (a preview that throws away detail it could
            // have drawn): within the 1.25 step of the cube size, squared, and some.
            assert!(k * 3 >= budget.min(n), "{k} for {budget}");
            // Every vertex is one of the model's, so the box is within the model's.
            let b = m.bounds();
            for v in d.chunks_exact(3) {
                for (a, x) in v.iter().enumerate() {
                    assert!(*x >= b.min[a] && *x <= b.max[a]);
                }
            }
        }
        assert_eq!(decimate(tris, n), tris.to_vec());
    }

    #[test]
    fn any_budget_is_met_in_a_few_passes() {
        let m = demo::terrain(300);
        for budget in [1, 10, 1_000, 30_000] {
            let (d, passes) = decimate_counting(m.triangles(), budget);
            assert!(d.len() / 9 <= budget, "{} for {budget}", d.len() / 9);
            assert!((1..=6).contains(&passes), "{passes} passes for {budget}");
        }
        // Needles thinner than any cube collapse: nothing to draw is a right answer.
        let mut tris = Vec::new();
        for i in 0..20_000u32 {
            let (x, y) = ((i % 100) as f32 * 10.0, (i / 100) as f32 * 5.0);
            tris.extend_from_slice(&[x, y, 0.0, x + 1e-5, y, 0.0, x, y + 100.0, 1.0]);
        }
        assert!(decimate(&tris, 1_000).len() / 9 <= 1_000);
    }
}

//! The index must give exactly the brute-force answer (every triangle scanned, no culling),
//! bit for bit.

use swarf::cutter::Cutter;
use swarf::demo;
use swarf::index::Index;
use swarf::mesh::Mesh;

/// The same contact, to the bit: the pruning bounds keep a margin for rounding, and the
/// edges a triangle skips give the same bits as those it tries (a vertex contact is
/// computed from the vertex itself), so the search finds the exhaustive scan's maximum.
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

/// Deterministic xorshift, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
}

fn cutters() -> Vec<Cutter> {
    vec![
        Cutter::flat(6.0).unwrap(),
        Cutter::ball(6.0).unwrap(),
        Cutter::bull(6.0, 1.5).unwrap(),
        Cutter::cone(6.0, 60.0).unwrap(),
        Cutter::ball(0.5).unwrap(),
    ]
}

/// A soup of random triangles of mixed sizes, including steep and vertical ones.
fn soup(rng: &mut Rng, n: usize) -> Mesh {
    let mut t = Vec::with_capacity(9 * n);
    for _ in 0..n {
        let c = [
            rng.range(0.0, 50.0),
            rng.range(0.0, 50.0),
            rng.range(0.0, 20.0),
        ];
        let s = if rng.next() < 0.1 { 15.0 } else { 3.0 };
        for _ in 0..3 {
            t.push((c[0] + rng.range(-s, s)) as f32);
            t.push((c[1] + rng.range(-s, s)) as f32);
            t.push((c[2] + rng.range(-s, s)) as f32);
        }
    }
    Mesh::from_triangles(t).unwrap()
}

fn check(mut mesh: Mesh, rng: &mut Rng, points: usize, lo: [f64; 2], hi: [f64; 2]) {
    let index = Index::build(&mut mesh);
    assert_eq!(index.len(), mesh.len());
    for c in cutters() {
        for _ in 0..points {
            let x = rng.range(lo[0], hi[0]);
            let y = rng.range(lo[1], hi[1]);
            let a = index.drop_cutter(&mesh, &c, x, y);
            let b = Index::drop_cutter_brute_force(&mesh, &c, x, y);
            assert!(same(a, b), "{c:?} at ({x}, {y}): {a:?} vs {b:?}");
        }
    }
}

#[test]
fn index_equals_brute_force_on_terrain() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    check(
        demo::terrain(40),
        &mut rng,
        1500,
        [-5.0, -5.0],
        [105.0, 105.0],
    );
}

#[test]
fn index_equals_brute_force_on_sphere_and_box() {
    let mut rng = Rng(42);
    let m = Mesh::merged(&[
        demo::sphere([20.0, 20.0, 10.0], 10.0, 48),
        demo::cuboid([35.0, 5.0, 0.0], [45.0, 30.0, 12.0]),
    ]);
    check(m, &mut rng, 1500, [-5.0, -5.0], [55.0, 45.0]);
}

#[test]
fn index_equals_brute_force_on_triangle_soup() {
    let mut rng = Rng(7);
    let m = soup(&mut rng, 3000);
    check(m, &mut rng, 1000, [-10.0, -10.0], [60.0, 60.0]);
}

#[test]
fn index_budget_and_reorder_keep_the_triangles() {
    let mut mesh = demo::terrain(100);
    let before = {
        let mut v: Vec<[u32; 9]> = mesh
            .triangles()
            .chunks_exact(9)
            .map(|t| std::array::from_fn(|k| t[k].to_bits()))
            .collect();
        v.sort();
        v
    };
    let index = Index::build(&mut mesh);
    let mut after: Vec<[u32; 9]> = mesh
        .triangles()
        .chunks_exact(9)
        .map(|t| std::array::from_fn(|k| t[k].to_bits()))
        .collect();
    after.sort();
    assert_eq!(before, after, "reordering must keep every triangle intact");
    let per_tri = index.heap_bytes() as f64 / mesh.len() as f64;
    assert!(per_tri <= 12.0, "index uses {per_tri} bytes per triangle");
    let total = (index.heap_bytes() + mesh.heap_bytes()) as f64 / mesh.len() as f64;
    assert!(total <= 48.0, "engine uses {total} bytes per triangle");
}

#[test]
fn empty_and_tiny_meshes() {
    let mut m = demo::cuboid([0.0; 3], [1.0, 1.0, 1.0]);
    let index = Index::build(&mut m);
    let c = Cutter::ball(2.0).unwrap();
    assert_eq!(index.drop_cutter(&m, &c, 50.0, 50.0), None);
    assert!(index.drop_cutter(&m, &c, 0.5, 0.5).is_some());
    assert_eq!(Index::default().drop_cutter(&m, &c, 0.5, 0.5), None);
}

#[test]
fn hinted_queries_along_lines_equal_brute_force() {
    let mut mesh = Mesh::merged(&[
        demo::terrain(30),
        demo::sphere([50.0, 50.0, 15.0], 12.0, 40),
    ]);
    let index = Index::build(&mut mesh);
    for c in cutters() {
        let mut hint = Some(u32::MAX); // a stale, out-of-range hint is harmless
        for i in 0..400 {
            let x = -4.0 + 108.0 * i as f64 / 399.0;
            let y = 47.3;
            let a = index.drop_cutter_hinted(&mesh, &c, x, y, f64::NEG_INFINITY, &mut hint);
            let b = Index::drop_cutter_brute_force(&mesh, &c, x, y);
            assert!(same(a, b), "{c:?} at x {x}: {a:?} vs {b:?}");
            // A floor hides everything at or below it.
            let f = index.drop_cutter_hinted(&mesh, &c, x, y, 12.0, &mut hint);
            assert!(
                same(f, b.filter(|z| *z > 12.0)),
                "{c:?} at x {x} above floor"
            );
        }
    }
}

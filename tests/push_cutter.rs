//! `Cutter::push_triangle` against known answers and against its definition: the push
//! interval is the closure of `{ t : drop_triangle(fiber point at t) > z }`, so the
//! drop-cutter (tested on its own elsewhere) is the oracle.

use swarf::cutter::{Cutter, Fiber, FiberAxis};

/// Seeded xorshift64*, so failures reproduce without a new dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [lo, hi).
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

const R: f64 = 3.0;

fn cutters() -> Vec<Cutter> {
    vec![
        Cutter::flat(2.0 * R).unwrap(),
        Cutter::ball(2.0 * R).unwrap(),
        Cutter::bull(2.0 * R, 1.0).unwrap(),
        Cutter::bull(2.0 * R, 2.5).unwrap(),
        Cutter::cone(2.0 * R, 60.0).unwrap(),
        Cutter::cone(2.0 * R, 90.0).unwrap(),
        Cutter::cone(2.0 * R, 150.0).unwrap(),
    ]
}

type Tri = [f32; 9];

fn tri(a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> Tri {
    let mut t = [0f32; 9];
    for (i, p) in [a, b, c].iter().enumerate() {
        for k in 0..3 {
            t[3 * i + k] = p[k] as f32;
        }
    }
    t
}

fn drop_at(cutter: &Cutter, fiber: &Fiber, t: f64, tri: &Tri) -> Option<f64> {
    let (x, y) = fiber.point(t);
    cutter.drop_triangle(x, y, tri)
}

fn inside(cutter: &Cutter, fiber: &Fiber, t: f64, tri: &Tri) -> bool {
    drop_at(cutter, fiber, t, tri).is_some_and(|h| h > fiber.z)
}

fn close(got: Option<(f64, f64)>, want: (f64, f64), tol: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: got None, want {want:?}"));
    assert!(
        (got.0 - want.0).abs() <= tol && (got.1 - want.1).abs() <= tol,
        "{what}: got {got:?}, want {want:?}"
    );
}

/// A random triangle of one of several kinds that stress different features.
fn random_triangle(rng: &mut Rng) -> Tri {
    let mut p = || [rng.range(-6.0, 6.0), 0.0, 0.0];
    let (mut a, mut b, mut c) = (p(), p(), p());
    for v in [&mut a, &mut b, &mut c] {
        v[1] = rng.range(-6.0, 6.0);
        v[2] = rng.range(-4.0, 4.0);
    }
    match rng.below(8) {
        // Vertical facet (shared XY line).
        0 => {
            let s = rng.range(-1.0, 2.0);
            c[0] = a[0] + s * (b[0] - a[0]);
            c[1] = a[1] + s * (b[1] - a[1]);
        }
        // Level facet.
        1 => {
            b[2] = a[2];
            c[2] = a[2];
        }
        // Tiny triangle.
        2 => {
            for v in [&mut b, &mut c] {
                for k in 0..3 {
                    v[k] = a[k] + 0.05 * (v[k] - a[k]);
                }
            }
        }
        // An edge along the fiber direction (X), or square to it.
        3 => {
            b[1] = a[1];
        }
        4 => {
            b[0] = a[0];
        }
        // A level edge.
        5 => {
            b[2] = a[2];
        }
        _ => {}
    }
    tri(a, b, c)
}

/// The oracle: dense samples along the fiber agree with the interval's membership away
/// from its ends, and just inside/outside each end the drop-cutter is on the right side.
#[test]
fn agrees_with_drop_cutter() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let cutters = cutters();
    let mut nonempty = 0;
    let eps = 1e-7;
    for case in 0..4000 {
        let t = random_triangle(&mut rng);
        let axis = if case % 2 == 0 {
            FiberAxis::X
        } else {
            FiberAxis::Y
        };
        let fiber = Fiber {
            axis,
            across: rng.range(-8.0, 8.0),
            z: rng.range(-6.0, 4.0),
        };
        for cutter in &cutters {
            let got = cutter.push_triangle(&fiber, &t);
            let what = format!("case {case} {:?} {fiber:?} {t:?}", cutter.shape);
            if let Some((lo, hi)) = got {
                nonempty += 1;
                assert!(lo <= hi, "{what}: {lo} > {hi}");
                assert!(
                    !inside(cutter, &fiber, lo - eps, &t),
                    "{what}: inside before {lo}"
                );
                assert!(
                    !inside(cutter, &fiber, hi + eps, &t),
                    "{what}: inside after {hi}"
                );
                if hi - lo > 4.0 * eps {
                    assert!(
                        inside(cutter, &fiber, lo + eps, &t),
                        "{what}: not inside after {lo} ({:?})",
                        drop_at(cutter, &fiber, lo + eps, &t)
                    );
                    assert!(
                        inside(cutter, &fiber, hi - eps, &t),
                        "{what}: not inside before {hi} ({:?})",
                        drop_at(cutter, &fiber, hi - eps, &t)
                    );
                }
            }
            // Dense samples over the reach of the triangle.
            let n = 400;
            for i in 0..=n {
                let s = -16.0 + 32.0 * i as f64 / n as f64;
                let want = inside(cutter, &fiber, s, &t);
                let near_end = got.is_some_and(|(lo, hi)| (s - lo).abs() < eps || (s - hi).abs() < eps);
                if near_end {
                    continue;
                }
                let have = got.is_some_and(|(lo, hi)| lo <= s && s <= hi);
                assert_eq!(have, want, "{what}: at {s} push says {have}, drop {:?}",
                    drop_at(cutter, &fiber, s, &t));
            }
        }
    }
    assert!(nonempty > 5000, "too few touching cases: {nonempty}");
}

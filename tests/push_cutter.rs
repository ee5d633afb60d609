//! `Cutter::push_triangle` against known answers and against its definition: the push
//! interval is the closure of `{ t : drop_triangle(fiber point at t) > z }`, so the
//! drop-cutter (tested on its own elsewhere) is the oracle.
#![allow(clippy::disallowed_methods)] // references computed with std maths

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
            let what = format!("case {case} {:?} {fiber:?} {t:?}", cutter.shape());
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
                let near_end =
                    got.is_some_and(|(lo, hi)| (s - lo).abs() < eps || (s - hi).abs() < eps);
                if near_end {
                    continue;
                }
                let have = got.is_some_and(|(lo, hi)| lo <= s && s <= hi);
                assert_eq!(
                    have,
                    want,
                    "{what}: at {s} push says {have}, drop {:?}",
                    drop_at(cutter, &fiber, s, &t)
                );
            }
        }
    }
    assert!(nonempty > 5000, "too few touching cases: {nonempty}");
}

/// Reach of the cutter at height `dz` above its tip (the radius where the profile climbs
/// to `dz`, or `R` above the cutting surface), from the public profile by bisection.
fn reach(cutter: &Cutter, dz: f64) -> f64 {
    if dz >= cutter.profile(R) {
        return R;
    }
    let (mut lo, mut hi) = (0.0, R);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cutter.profile(mid) < dz {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn vertical_wall_blocks_at_radius() {
    // The wall x = 0, tall above every fiber tested: every shape stops R from it.
    let wall = tri([0.0, -50.0, -10.0], [0.0, 50.0, -10.0], [0.0, 0.0, 30.0]);
    for cutter in cutters() {
        for y in [0.0, 1.0, -2.5] {
            for z in [-5.0, 0.0, 2.0] {
                let f = Fiber::along_x(y, z);
                close(cutter.push_triangle(&f, &wall), (-R, R), 1e-9, "wall");
            }
        }
        // Above its top the wall is out of the way; a Y fiber runs along it.
        assert_eq!(
            cutter.push_triangle(&Fiber::along_x(0.0, 30.0), &wall),
            None
        );
        assert_eq!(cutter.push_triangle(&Fiber::along_y(3.5, 0.0), &wall), None);
    }
    // Along the wall, 0.5 from it, a flat cutter at z = 0 is blocked by the part of the wall
    // above 0 (|y| <= 37.5, the top edge falls 40 over 50), widened by sqrt(R² - 0.25).
    let flat = Cutter::flat(2.0 * R).unwrap();
    let h = 37.5 + (R * R - 0.25f64).sqrt();
    close(
        flat.push_triangle(&Fiber::along_y(0.5, 0.0), &wall),
        (-h, h),
        1e-9,
        "along the wall",
    );
}

#[test]
fn level_triangle_blocks_with_its_reach() {
    // Level triangle at height 5 with a vertical-in-XY edge at x = 0 and a right-angled
    // corner at (100, 0): the fiber y = 0 is blocked from -ρ to 100 + ρ, ρ the reach at
    // the height difference (R once the plane is above the cutting surface: the shank).
    let t = tri([0.0, -100.0, 5.0], [0.0, 100.0, 5.0], [100.0, 0.0, 5.0]);
    for cutter in cutters() {
        for z in [-10.0, 0.0, 3.0, 4.0, 4.75] {
            let rho = reach(&cutter, 5.0 - z);
            for f in [Fiber::along_x(0.0, z), Fiber::along_y(0.0, z)] {
                let want = match f.axis {
                    FiberAxis::X => (-rho, 100.0 + rho),
                    // Along Y at x = 0 the fiber runs on the edge itself.
                    FiberAxis::Y => (-100.0 - rho, 100.0 + rho),
                };
                close(
                    cutter.push_triangle(&f, &t),
                    want,
                    1e-9,
                    &format!("{:?} z {z}", cutter.shape()),
                );
            }
        }
        for z in [5.0, 6.0] {
            assert_eq!(cutter.push_triangle(&Fiber::along_x(0.0, z), &t), None);
        }
    }
}

#[test]
fn vertical_edge_reach() {
    // A lone vertical edge (a triangle with a repeated vertex) up to z = 10 at the origin:
    // the top is the farthest-reaching point, ρ(10 - z), seen from a fiber at distance d.
    let e = tri([0.0, 0.0, -10.0], [0.0, 0.0, 10.0], [0.0, 0.0, 10.0]);
    for cutter in cutters() {
        for z in [-5.0, 5.0, 8.0, 9.5] {
            let rho = reach(&cutter, 10.0 - z);
            // (Not d = ρ exactly: a tangency may come back as a single point.)
            for d in [0.0, 0.25, 1.5, 2.75] {
                let f = Fiber::along_x(d, z);
                let got = cutter.push_triangle(&f, &e);
                if d < rho {
                    let h = (rho * rho - d * d).sqrt();
                    close(
                        got,
                        (-h, h),
                        1e-9,
                        &format!("{:?} z {z} d {d}", cutter.shape()),
                    );
                } else {
                    assert_eq!(got, None, "{:?} z {z} d {d}", cutter.shape());
                }
            }
        }
    }
}

#[test]
fn ball_around_sphere_is_offset_circle() {
    // A sphere of radius S, finely tessellated (inscribed, so the mesh is slightly inside).
    // The ball's centre is R above the tip; while it is below the sphere's centre, the
    // shank meets the equator and the reach is S + R; above, the centre keeps S + R from
    // the sphere's centre: sqrt((S + R)² - (z + R)²) across a fiber through the axis.
    let s = 10.0;
    let (nlon, nlat) = (360, 180);
    let pt = |i: usize, j: usize| {
        let lon = std::f64::consts::TAU * i as f64 / nlon as f64;
        let lat = std::f64::consts::PI * (j as f64 / nlat as f64 - 0.5);
        [
            s * lat.cos() * lon.cos(),
            s * lat.cos() * lon.sin(),
            s * lat.sin(),
        ]
    };
    let mut tris = Vec::new();
    for i in 0..nlon {
        for j in 0..nlat {
            tris.push(tri(pt(i, j), pt(i + 1, j), pt(i + 1, j + 1)));
            tris.push(tri(pt(i, j), pt(i + 1, j + 1), pt(i, j + 1)));
        }
    }
    let ball = Cutter::ball(2.0 * R).unwrap();
    for z in [-12.0, -8.0, -3.0, 0.0, 4.0, 9.0] {
        let want = if z + R <= 0.0 {
            s + R
        } else {
            ((s + R) * (s + R) - (z + R) * (z + R)).sqrt()
        };
        for f in [Fiber::along_x(0.0, z), Fiber::along_y(0.0, z)] {
            let got = tris
                .iter()
                .filter_map(|t| ball.push_triangle(&f, t))
                .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
            close(got, (-want, want), 2e-3, &format!("sphere z {z}"));
        }
    }
    assert_eq!(
        ball.push_triangle(&Fiber::along_x(0.0, 10.0), &tris[0]),
        None
    );
}

#[test]
fn cone_against_sloped_edge() {
    // 90° cone (flank slope 1) and the edge from (0, 0, 0) to (10, 0, 5), slope 1/2, seen
    // from the fiber y = 0 at z = -2: the cone's apex at t touches the edge when the edge
    // point at x has 0.5 x + 2 >= |x - t| (and the rim R = 3 caps the reach at dz = 3).
    // The right end is past the top vertex: 10 + min(7, 3) = 13. The left end is where
    // 0.5 x + 2 = x - t is still met at x = 0: t = -2.
    let cone = Cutter::cone(2.0 * R, 90.0).unwrap();
    let e = tri([0.0, 0.0, 0.0], [10.0, 0.0, 5.0], [10.0, 0.0, 5.0]);
    close(
        cone.push_triangle(&Fiber::along_x(0.0, -2.0), &e),
        (-2.0, 13.0),
        1e-9,
        "cone edge",
    );
    // From the side, fiber y = 1 at z = 0: a point at x has reach 0.5 x (≤ 3), touching
    // from t = x - sqrt(0.25 x² - 1). The extremes: x = 10 (reach 3 > 1... capped at 3):
    // right end 10 + sqrt(9 - 1); left end is the minimum of x - sqrt(0.25 x² - 1) over
    // x in [2, 6] (reach below the rim): stationary at x = 4 / sqrt(3), value sqrt(3).
    close(
        cone.push_triangle(&Fiber::along_x(1.0, 0.0), &e),
        (3f64.sqrt(), 10.0 + 8f64.sqrt()),
        1e-9,
        "cone edge from the side",
    );
}

/// The oracle with a tolerance on heights, for triangles with vertices exactly at the
/// fiber's height: there the drop-cutter itself may come out a few ulps above `z` on a
/// triangle whose top is `z` (no point above it), and a few below on one just touching.
/// Checks the ends (a missing piece next to an end is found there, however short) and
/// `n` samples over `[from, to]`.
fn check_tolerant(
    cutter: &Cutter,
    fiber: &Fiber,
    t: &Tri,
    from: f64,
    to: f64,
    n: usize,
    what: &str,
) {
    let (eps, tol) = (1e-7, 1e-9);
    let z = fiber.z;
    let above = |s: f64| drop_at(cutter, fiber, s, t).is_some_and(|h| h > z + tol);
    let touches = |s: f64| drop_at(cutter, fiber, s, t).is_some_and(|h| h > z - tol);
    let got = cutter.push_triangle(fiber, t);
    if let Some((lo, hi)) = got {
        assert!(lo <= hi, "{what}: {lo} > {hi}");
        assert!(!above(lo - eps), "{what}: inside before {lo}");
        assert!(!above(hi + eps), "{what}: inside after {hi}");
        if hi - lo > 4.0 * eps {
            assert!(touches(lo + eps), "{what}: not inside after {lo}");
            assert!(touches(hi - eps), "{what}: not inside before {hi}");
        }
    }
    for i in 0..=n {
        let s = from + (to - from) * i as f64 / n as f64;
        if got.is_some_and(|(lo, hi)| (s - lo).abs() < eps || (s - hi).abs() < eps) {
            continue;
        }
        let have = got.is_some_and(|(lo, hi)| lo <= s && s <= hi);
        assert!(
            if have { touches(s) } else { !above(s) },
            "{what}: at {s} push says {have} ({got:?}), drop {:?}",
            drop_at(cutter, fiber, s, t)
        );
    }
}

/// Regression: a UV sphere cut at its equator, where a ring of vertices (and the level
/// edges between them) lies exactly at the fiber's height. The triangles rising from such
/// an edge block the cutter out to the edge's reach `ρ(0⁺)` (the flat's `R`, the bull's
/// `R - c`, the point where the edge crosses the fiber for the ball and the cone); the
/// edge was skipped as "not above `z`", so the flat's interval started about 1e-3 late
/// (waterline: a grid crossing the drop-cutter then found blocked, at 20.12 > 20).
#[test]
fn sphere_equator_ring_at_fiber_height() {
    let mesh = swarf::demo::sphere([50.0, 50.0, 20.0], 15.0, 256);
    let tris: Vec<Tri> = mesh
        .triangles()
        .chunks_exact(9)
        .map(|c| c.try_into().unwrap())
        .collect();
    // The ring heights next to the equator too (a vertex ring at z is what matters).
    let mut rings: Vec<f32> = tris.iter().flat_map(|t| [t[2], t[5], t[8]]).collect();
    rings.sort_by(f32::total_cmp);
    rings.dedup();
    let eq = rings
        .iter()
        .position(|&z| z == 20.0)
        .expect("equator ring at 20");
    let cutters = [
        Cutter::flat(6.0).unwrap(),
        Cutter::ball(6.0).unwrap(),
        Cutter::bull(6.0, 1.0).unwrap(),
        Cutter::cone(6.0, 90.0).unwrap(),
    ];
    for cutter in &cutters {
        for z in [rings[eq], rings[eq - 20], rings[eq + 37]] {
            let z = z as f64;
            for x in [51.5, 50.0, 60.25] {
                let fiber = Fiber::along_y(x, z);
                let what = format!("{:?} z {z} x {x}", cutter.shape());
                let near: Vec<&Tri> = tris
                    .iter()
                    .filter(|t| {
                        let top = t[2].max(t[5]).max(t[8]) as f64;
                        let (x0, x1) = (t[0].min(t[3]).min(t[6]), t[0].max(t[3]).max(t[6]));
                        top >= z && x0 as f64 <= x + R && x1 as f64 >= x - R
                    })
                    .collect();
                for t in &near {
                    let y0 = t[1].min(t[4]).min(t[7]) as f64 - R - 0.01;
                    let y1 = t[1].max(t[4]).max(t[7]) as f64 + R + 0.01;
                    check_tolerant(cutter, &fiber, t, y0, y1, 100, &format!("{what} {t:?}"));
                }
                // What the waterline does: the first blocked y from below, just before it
                // the whole mesh lets the cutter through.
                let first = near
                    .iter()
                    .filter_map(|t| cutter.push_triangle(&fiber, *t))
                    .map(|(lo, _)| lo)
                    .fold(f64::INFINITY, f64::min);
                if z == 20.0 {
                    assert!(first < 50.0, "{what}: nothing blocks");
                }
                if !first.is_finite() {
                    continue;
                }
                let h = near
                    .iter()
                    .filter_map(|t| drop_at(cutter, &fiber, first - 1e-6, t))
                    .fold(f64::NEG_INFINITY, f64::max);
                assert!(h <= z + 1e-9, "{what}: blocked at {h} before {first}");
            }
        }
    }
}

/// Random triangles with vertices snapped exactly to the fiber's height: one vertex, or
/// two (an edge lying at `z`), sometimes also lying on the fiber across (`w = 0`), or
/// crossing it. The oracle is the drop-cutter with a tolerance of 1e-9 on heights.
#[test]
fn vertices_at_fiber_height_agree_with_drop_cutter() {
    let mut rng = Rng(0x5eed_cafe_f00d_0002);
    let cutters = cutters();
    let mut nonempty = 0;
    for case in 0..6000 {
        let mut t = random_triangle(&mut rng);
        let axis = if case % 2 == 0 {
            FiberAxis::X
        } else {
            FiberAxis::Y
        };
        let (ia, ic) = match axis {
            FiberAxis::X => (0, 1),
            FiberAxis::Y => (1, 0),
        };
        // A height and an across position exact in f32, so snapped vertices are exact.
        let z = rng.range(-4.0, 4.0) as f32;
        let mut across = rng.range(-8.0, 8.0) as f32;
        let first = rng.below(3) as usize;
        let snapped = [first, (first + 1) % 3];
        let count = 1 + rng.below(2) as usize;
        for &v in &snapped[..count] {
            t[3 * v + 2] = z;
        }
        // The third vertex above (most cases) or below.
        let other = (first + 2) % 3;
        if count == 2 && rng.below(4) != 0 {
            t[3 * other + 2] = z + rng.range(0.01, 4.0) as f32;
        }
        match rng.below(4) {
            // The snapped vertex (or the level edge's first end) on the fiber.
            0 => across = t[3 * first + ic],
            // The level edge along the fiber, on it.
            1 if count == 2 => {
                across = t[3 * first + ic];
                t[3 * snapped[1] + ic] = across;
            }
            // The level edge square to the fiber.
            2 if count == 2 => t[3 * snapped[1] + ia] = t[3 * first + ia],
            _ => {}
        }
        let fiber = Fiber {
            axis,
            across: across as f64,
            z: z as f64,
        };
        for cutter in &cutters {
            if cutter.push_triangle(&fiber, &t).is_some() {
                nonempty += 1;
            }
            let what = format!("case {case} {:?} {fiber:?} {t:?}", cutter.shape());
            check_tolerant(cutter, &fiber, &t, -16.0, 16.0, 400, &what);
        }
    }
    assert!(nonempty > 10000, "too few touching cases: {nonempty}");
}

/// Time per call on triangles near the fibers (run with `--release --ignored --nocapture`).
#[test]
#[ignore]
fn timing() {
    let mut rng = Rng(7);
    let tris: Vec<Tri> = (0..4096).map(|_| random_triangle(&mut rng)).collect();
    let fibers: Vec<Fiber> = (0..64)
        .map(|i| Fiber {
            axis: if i % 2 == 0 {
                FiberAxis::X
            } else {
                FiberAxis::Y
            },
            across: rng.range(-6.0, 6.0),
            z: rng.range(-4.0, 4.0),
        })
        .collect();
    for cutter in cutters() {
        let start = std::time::Instant::now();
        let mut hits = 0usize;
        let mut sum = 0.0;
        for f in &fibers {
            for t in &tris {
                if let Some((lo, hi)) = cutter.push_triangle(f, t) {
                    hits += 1;
                    sum += hi - lo;
                }
            }
        }
        let n = fibers.len() * tris.len();
        let ns = start.elapsed().as_nanos() as f64 / n as f64;
        println!(
            "{:?}: {ns:.1} ns/call, {hits} of {n} touch (sum {sum:.1})",
            cutter.shape()
        );
    }
}

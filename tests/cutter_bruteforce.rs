//! `Cutter::drop_triangle` against a brute-force reference that knows nothing of the contact
//! maths: it evaluates `p_z - h(|p_xy - c|)` (via the public `profile`) at many points of the
//! triangle and its edges and keeps the highest. The exact answer must never be below the
//! sampled maximum (every sample is a real contact), and must not exceed it by more than the
//! sampling can miss.
//!
//! The sampling is dense and then refined: a grid, then several zooms around the best sample.
//! That is valid because the objective is concave on the triangle ∩ disk, so the region near
//! the best sample holds the maximum (or values as good as it). Edges are first clipped to
//! the disk so short in-reach pieces are not missed.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::cutter::Cutter;

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
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next_u64() % items.len() as u64) as usize]
    }
}

type P = [f64; 3];

fn objective(cutter: &Cutter, x: f64, y: f64, p: P) -> Option<f64> {
    let rho = (p[0] - x).hypot(p[1] - y);
    (rho <= cutter.radius()).then(|| p[2] - cutter.profile(rho))
}

fn lerp(a: P, b: P, t: f64) -> P {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn better(best: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *best = Some(best.map_or(v, |b| b.max(v)));
    }
}

/// Edge `a`-`b`: clip the parameter to the disk, then sample and zoom.
fn brute_edge(cutter: &Cutter, x: f64, y: f64, a: P, b: P) -> Option<f64> {
    let r = cutter.radius();
    let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
    let (fx, fy) = (a[0] - x, a[1] - y);
    let qa = ex * ex + ey * ey;
    let (mut t_lo, mut t_hi) = (0.0f64, 1.0f64);
    if qa > 0.0 {
        // |f + t e|² = r²
        let qb = 2.0 * (fx * ex + fy * ey);
        let qc = fx * fx + fy * fy - r * r;
        let disc = qb * qb - 4.0 * qa * qc;
        if disc < 0.0 {
            return None;
        }
        let s = disc.sqrt();
        t_lo = t_lo.max((-qb - s) / (2.0 * qa));
        t_hi = t_hi.min((-qb + s) / (2.0 * qa));
        if t_lo > t_hi {
            return None;
        }
    }
    let eval = |t: f64| objective(cutter, x, y, lerp(a, b, t.clamp(t_lo, t_hi)));
    let mut best = None;
    better(&mut best, eval(t_lo));
    better(&mut best, eval(t_hi));
    let (mut lo, mut hi) = (t_lo, t_hi);
    let mut n = 2000;
    for _ in 0..6 {
        let mut best_t = lo;
        let mut best_v = f64::NEG_INFINITY;
        for i in 0..=n {
            let t = lo + (hi - lo) * i as f64 / n as f64;
            if let Some(v) = eval(t) {
                if v > best_v {
                    best_v = v;
                    best_t = t;
                }
            }
        }
        better(&mut best, (best_v > f64::NEG_INFINITY).then_some(best_v));
        let step = (hi - lo) / n as f64;
        lo = (best_t - 2.0 * step).max(t_lo);
        hi = (best_t + 2.0 * step).min(t_hi);
        n = 40;
    }
    best
}

/// Interior: a polar grid about the axis over the whole disk (so the axis point and the
/// rim are sampled exactly), keeping the points inside the triangle's XY projection, lifted
/// onto its plane; then zooms around the best sample in (ρ, φ). Polar coordinates suit the
/// thin ring where a bull's corner or a ball's rim touches a steep facet.
fn brute_disk(cutter: &Cutter, x: f64, y: f64, t: [P; 3]) -> Option<f64> {
    let r = cutter.radius();
    let eval = |rho: f64, phi: f64| {
        if !(0.0..=r).contains(&rho) {
            return None;
        }
        let (px, py) = (x + rho * phi.cos(), y + rho * phi.sin());
        let w = [0, 1, 2].map(|k| {
            let (a, b) = (t[(k + 1) % 3], t[(k + 2) % 3]);
            (a[0] - px) * (b[1] - py) - (a[1] - py) * (b[0] - px)
        });
        let sum = w[0] + w[1] + w[2];
        let inside = sum != 0.0 && w.iter().all(|&v| v * sum >= 0.0);
        inside
            .then(|| (w[0] * t[0][2] + w[1] * t[1][2] + w[2] * t[2][2]) / sum - cutter.profile(rho))
    };
    let mut best = None;
    let (mut rho0, mut rho_span) = (0.0, r);
    let (mut phi0, mut phi_span) = (0.0, std::f64::consts::TAU);
    let (mut nr, mut np) = (120, 240);
    for _ in 0..12 {
        let mut bs = (f64::NEG_INFINITY, rho0, phi0);
        for i in 0..=nr {
            let rho = rho0 + rho_span * i as f64 / nr as f64;
            for j in 0..=np {
                let phi = phi0 + phi_span * j as f64 / np as f64;
                if let Some(v) = eval(rho, phi) {
                    if v > bs.0 {
                        bs = (v, rho, phi);
                    }
                }
            }
        }
        if bs.0 == f64::NEG_INFINITY {
            break;
        }
        better(&mut best, Some(bs.0));
        let (sr, sp) = (rho_span / nr as f64, phi_span / np as f64);
        (rho0, rho_span) = (bs.1 - 2.0 * sr, 4.0 * sr);
        (phi0, phi_span) = (bs.2 - 2.0 * sp, 4.0 * sp);
        (nr, np) = (20, 20);
    }
    best
}

fn brute(cutter: &Cutter, x: f64, y: f64, tri: &[f32; 9]) -> Option<f64> {
    let v: Vec<P> = tri
        .chunks_exact(3)
        .map(|c| [c[0] as f64, c[1] as f64, c[2] as f64])
        .collect();
    let t = [v[0], v[1], v[2]];
    let mut best = None;
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        better(&mut best, brute_edge(cutter, x, y, t[a], t[b]));
    }
    better(&mut best, brute_disk(cutter, x, y, t));
    best
}

/// XY distance from (x, y) to the triangle (0 inside).
fn xy_distance(x: f64, y: f64, tri: &[f32; 9]) -> f64 {
    let p: Vec<(f64, f64)> = tri
        .chunks_exact(3)
        .map(|c| (c[0] as f64 - x, c[1] as f64 - y))
        .collect();
    let cross = |a: (f64, f64), b: (f64, f64)| a.0 * b.1 - a.1 * b.0;
    let w = [cross(p[1], p[2]), cross(p[2], p[0]), cross(p[0], p[1])];
    if w.iter().all(|&v| v >= 0.0) || w.iter().all(|&v| v <= 0.0) {
        return 0.0;
    }
    let mut best = f64::INFINITY;
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        let (ax, ay) = p[a];
        let (ex, ey) = (p[b].0 - ax, p[b].1 - ay);
        let l2 = ex * ex + ey * ey;
        let t = if l2 > 0.0 {
            (-(ax * ex + ay * ey) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        best = best.min((ax + t * ex).hypot(ay + t * ey));
    }
    best
}

fn cutters() -> Vec<Cutter> {
    let mut v = Vec::new();
    for d in [2.0, 6.0] {
        v.push(Cutter::flat(d).unwrap());
        v.push(Cutter::ball(d).unwrap());
        for frac in [0.02, 0.2, 0.5, 0.8, 0.98] {
            v.push(Cutter::bull(d, frac * d / 2.0).unwrap());
        }
        for angle in [10.0, 45.0, 90.0, 120.0, 170.0] {
            v.push(Cutter::cone(d, angle).unwrap());
        }
    }
    v
}

/// A random triangle near the axis at the origin, of one of several families.
fn triangle(rng: &mut Rng, r: f64, family: usize) -> [f32; 9] {
    let mut t = [0f32; 9];
    let span = 1.6 * r;
    for k in 0..3 {
        t[3 * k] = rng.range(-span, span) as f32;
        t[3 * k + 1] = rng.range(-span, span) as f32;
        t[3 * k + 2] = rng.range(-r, r) as f32;
    }
    match family {
        // General.
        0 => {}
        // Steep: large height range.
        1 => {
            for k in 0..3 {
                t[3 * k + 2] *= 20.0;
            }
        }
        // Level.
        2 => {
            t[5] = t[2];
            t[8] = t[2];
        }
        // Near vertical: third vertex almost above the line of the first two.
        3 => {
            let s = rng.range(0.0, 1.0) as f32;
            let eps = rng.pick(&[1e-2, 1e-3]) as f32 * r as f32;
            t[6] = t[0] + (t[3] - t[0]) * s + eps * rng.range(-1.0, 1.0) as f32;
            t[7] = t[1] + (t[4] - t[1]) * s + eps * rng.range(-1.0, 1.0) as f32;
            t[8] = t[2] + (rng.range(1.0, 4.0) * r) as f32;
        }
        // A vertical edge.
        4 => {
            t[3] = t[0];
            t[4] = t[1];
        }
        // Small triangle (fits inside the disk often).
        5 => {
            let (cx, cy) = (rng.range(-r, r), rng.range(-r, r));
            for k in 0..3 {
                t[3 * k] = (cx + 0.2 * r * rng.range(-1.0, 1.0)) as f32;
                t[3 * k + 1] = (cy + 0.2 * r * rng.range(-1.0, 1.0)) as f32;
            }
        }
        // Exactly vertical triangle.
        _ => {
            let s = rng.range(-0.5, 1.5) as f32;
            t[6] = t[0] + (t[3] - t[0]) * s;
            t[7] = t[1] + (t[4] - t[1]) * s;
        }
    }
    t
}

#[test]
fn exact_matches_brute_force() {
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let cutters = cutters();
    let mut worst_up = 0.0f64;
    let mut worst_low = 0.0f64;
    let mut compared = 0;
    for case in 0..3000 {
        let cutter = cutters[case % cutters.len()];
        let r = cutter.radius();
        let family = rng.next_u64() as usize % 7;
        let tri = triangle(&mut rng, r, family);
        let (x, y) = (rng.range(-0.3 * r, 0.3 * r), rng.range(-0.3 * r, 0.3 * r));
        let exact = cutter.drop_triangle(x, y, &tri);
        let reference = brute(&cutter, x, y, &tri);
        let what = || format!("case {case} family {family} {cutter:?} at ({x}, {y}) tri {tri:?}");
        match (exact, reference) {
            (Some(e), Some(b)) => {
                compared += 1;
                // Heights reach 20 R in the steep family; allow for f64 rounding on them.
                let low_tol = 1e-9 * (1.0 + b.abs());
                assert!(
                    e >= b - low_tol,
                    "exact {e} below sampled {b} by {}: {}",
                    b - e,
                    what()
                );
                let up_tol = 1e-6 * r.max(1.0);
                assert!(
                    e <= b + up_tol,
                    "exact {e} above sampled {b} by {}: {}",
                    e - b,
                    what()
                );
                worst_up = worst_up.max(e - b);
                worst_low = worst_low.max(b - e);
            }
            (None, None) => {}
            (Some(e), None) => {
                let dist = xy_distance(x, y, &tri);
                assert!(
                    dist >= r * (1.0 - 1e-9),
                    "exact {e}, but no sample in reach (distance {dist}): {}",
                    what()
                );
            }
            (None, Some(b)) => panic!("exact None, sampled {b}: {}", what()),
        }
    }
    eprintln!(
        "compared {compared}; worst exact - sampled {worst_up:e}, sampled - exact {worst_low:e}"
    );
    assert!(compared > 1500);
}

/// Edges alone, against a much tighter reference: on an edge clipped to the disk the
/// objective is a concave function of one parameter, so a long ternary search pins its
/// maximum to rounding. This checks the per-shape stationary points (the bull's root finder
/// above all) to ~1e-10, far below what the 2D sampling above can resolve.
#[test]
fn edges_match_ternary_search() {
    let mut rng = Rng(0xed6e);
    let cutters = cutters();
    let mut worst = 0.0f64;
    for case in 0..20000 {
        let cutter = cutters[case % cutters.len()];
        let r = cutter.radius();
        let slope = rng.pick(&[0.0, 0.05, 0.3, 1.0, 3.0, 30.0]);
        let mut e = [0f32; 9];
        for k in 0..2 {
            e[3 * k] = rng.range(-1.5 * r, 1.5 * r) as f32;
            e[3 * k + 1] = rng.range(-1.5 * r, 1.5 * r) as f32;
            e[3 * k + 2] = (slope * rng.range(-r, r)) as f32;
        }
        e.copy_within(3..6, 6);
        let (x, y) = (rng.range(-0.3 * r, 0.3 * r), rng.range(-0.3 * r, 0.3 * r));
        let exact = cutter.drop_triangle(x, y, &e);
        let (a, b) = (
            [e[0] as f64, e[1] as f64, e[2] as f64],
            [e[3] as f64, e[4] as f64, e[5] as f64],
        );
        // Clip to the disk, as in brute_edge.
        let (ex, ey) = (b[0] - a[0], b[1] - a[1]);
        let (fx, fy) = (a[0] - x, a[1] - y);
        let qa = ex * ex + ey * ey;
        let qb = 2.0 * (fx * ex + fy * ey);
        let qc = fx * fx + fy * fy - r * r;
        let disc = qb * qb - 4.0 * qa * qc;
        let (t_lo, t_hi) = if disc >= 0.0 {
            let s = disc.sqrt();
            (
                ((-qb - s) / (2.0 * qa)).max(0.0),
                ((-qb + s) / (2.0 * qa)).min(1.0),
            )
        } else {
            (1.0, 0.0)
        };
        if t_lo > t_hi {
            // Out of reach (up to the clipping's rounding).
            if let Some(z) = exact {
                let dist = xy_distance(x, y, &e);
                assert!(
                    dist >= r * (1.0 - 1e-12),
                    "case {case}: exact {z}, dist {dist}"
                );
            }
            continue;
        }
        let f = |t: f64| {
            let p = lerp(a, b, t.clamp(t_lo, t_hi));
            let rho = (p[0] - x).hypot(p[1] - y);
            p[2] - cutter.profile(rho)
        };
        let (mut lo, mut hi) = (t_lo, t_hi);
        for _ in 0..200 {
            let m1 = lo + (hi - lo) / 3.0;
            let m2 = hi - (hi - lo) / 3.0;
            if f(m1) < f(m2) {
                lo = m1;
            } else {
                hi = m2;
            }
        }
        let reference = f(0.5 * (lo + hi)).max(f(t_lo)).max(f(t_hi));
        let exact =
            exact.unwrap_or_else(|| panic!("case {case}: exact None, reference {reference}"));
        let err = (exact - reference).abs();
        worst = worst.max(err);
        assert!(
            err <= 1e-10 * (1.0 + reference.abs()),
            "case {case} {cutter:?} at ({x}, {y}) edge {e:?}: exact {exact}, reference {reference}"
        );
    }
    eprintln!("edges: worst |exact - reference| {worst:e}");
}

#[test]
fn no_panic_on_odd_input() {
    let mut rng = Rng(42);
    let specials = [
        0.0f32,
        -0.0,
        1e-30,
        -1e-30,
        1e30,
        -1e30,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        1.0,
    ];
    for cutter in cutters() {
        for _ in 0..300 {
            let mut t = [0f32; 9];
            for v in t.iter_mut() {
                *v = if rng.next_u64().is_multiple_of(3) {
                    rng.pick(&specials)
                } else {
                    rng.range(-2.0, 2.0) as f32
                };
            }
            // Collapse some vertices onto each other.
            if rng.next_u64().is_multiple_of(4) {
                t[3] = t[0];
                t[4] = t[1];
                t[5] = t[2];
            }
            let (x, y) = (rng.range(-1.0, 1.0), rng.range(-1.0, 1.0));
            let _ = cutter.drop_triangle(x, y, &t);
            let _ = cutter.drop_triangle(f64::NAN, y, &t);
            let mut nan = t;
            nan[4] = f32::NAN;
            let _ = cutter.drop_triangle(x, y, &nan);
            let mut inf = t;
            inf[2] = f32::INFINITY;
            let _ = cutter.drop_triangle(x, y, &inf);
        }
    }
}

#[test]
fn profile_matches_definition() {
    for cutter in cutters() {
        let r = cutter.radius();
        let mut prev = 0.0;
        for i in 0..=1000 {
            let rho = r * i as f64 / 1000.0;
            let h = cutter.profile(rho);
            assert!(h >= prev - 1e-15, "{cutter:?} profile decreasing at {rho}");
            prev = h;
        }
        assert_eq!(cutter.profile(0.0), 0.0);
        assert_eq!(cutter.profile(-1.0), 0.0);
        assert_eq!(cutter.profile(2.0 * r), cutter.profile(r));
    }
}

/// Throughput, for the report: `cargo test --release --test cutter_bruteforce -- --ignored
/// --nocapture`. Random nearby triangles (the general family: most are in reach, a few
/// rejected by the box test), one call per triangle, query point varying.
#[test]
#[ignore]
fn bench_drop_triangle() {
    use std::hint::black_box;
    use std::time::Instant;
    let mut rng = Rng(7);
    let shapes = [
        ("flat", Cutter::flat(6.0).unwrap()),
        ("ball", Cutter::ball(6.0).unwrap()),
        ("bull", Cutter::bull(6.0, 1.0).unwrap()),
        ("cone", Cutter::cone(6.0, 90.0).unwrap()),
    ];
    // Large triangles around the axis (family 0), and mesh-like small ones (family 5).
    for (workload, family) in [("large", 0), ("small", 5)] {
        let tris: Vec<[f32; 9]> = (0..4096).map(|_| triangle(&mut rng, 3.0, family)).collect();
        let points: Vec<(f64, f64)> = (0..4096)
            .map(|_| (rng.range(-1.0, 1.0), rng.range(-1.0, 1.0)))
            .collect();
        for (name, cutter) in shapes {
            let mut best = f64::INFINITY;
            let mut hits = 0;
            for _ in 0..5 {
                let start = Instant::now();
                let cpu_start = thread_cpu_ns();
                let mut sum = 0.0;
                hits = 0;
                for _ in 0..50 {
                    for (tri, &(x, y)) in tris.iter().zip(points.iter()) {
                        if let Some(z) =
                            cutter.drop_triangle(black_box(x), black_box(y), black_box(tri))
                        {
                            sum += z;
                            hits += 1;
                        }
                    }
                }
                black_box(sum);
                // Prefer this thread's CPU time (Linux): the machine is shared, and wall time
                // counts the time other processes had the core.
                let elapsed = match (cpu_start, thread_cpu_ns()) {
                    (Some(a), Some(b)) => (b - a) as f64,
                    _ => start.elapsed().as_nanos() as f64,
                };
                let ns = elapsed / (50.0 * tris.len() as f64);
                best = best.min(ns);
            }
            eprintln!(
                "{workload} {name}: {best:.1} ns per triangle ({hits} of {} in reach)",
                50 * tris.len()
            );
        }
    }
}

/// CPU time of the current thread in nanoseconds, from `/proc/thread-self/schedstat`.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// `drop_triangle_above` is `drop_triangle` filtered by `best`, bit for bit: its early
/// exits (the facet's disk bound, the edges facing the contact only, the edge's
/// nearest-point bound) may never drop a contact above `best` nor change its value. Bests
/// range from far below the answer to just under, at and just over it.
#[test]
fn drop_above_is_drop_filtered_to_the_bit() {
    let mut rng = Rng(0xabad_1dea_0000_0001);
    let cutters = cutters();
    let mut hits = 0;
    for case in 0..60_000 {
        let cutter = rng.pick(&cutters);
        let r = cutter.radius();
        let family = case % 7;
        let tri = triangle(&mut rng, r, family);
        let (x, y) = (rng.range(-0.3 * r, 0.3 * r), rng.range(-0.3 * r, 0.3 * r));
        let exact = cutter.drop_triangle(x, y, &tri);
        let z = exact.unwrap_or(0.0);
        let bests = [
            f64::NEG_INFINITY,
            z - 10.0 * r,
            z - rng.range(0.0, r),
            z - 1e-6,
            z - 1e-12,
            z,
            z + 1e-12,
            z + rng.range(0.0, r),
        ];
        for best in bests {
            let above = cutter.drop_triangle_above(x, y, &tri, best);
            let want = exact.filter(|&e| e > best);
            assert_eq!(
                above.map(f64::to_bits),
                want.map(f64::to_bits),
                "case {case} family {family} {cutter:?} at ({x}, {y}) best {best} tri {tri:?}: {above:?} vs {want:?}"
            );
            hits += above.is_some() as usize;
        }
    }
    assert!(hits > 100_000, "only {hits} contacts above best");
}

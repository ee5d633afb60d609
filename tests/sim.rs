//! Stock simulation checked cell by cell against analytic cuts, and against a brute-force
//! reference (the move sampled finely, then refined) for random moves of every cutter.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::cutter::Cutter;
use swarf::sim::{SimError, Stock, MAX_CELLS};
use swarf::toolpath::{Move, Toolpath};

fn stock() -> Stock {
    Stock::new([0.0, 0.0], [60.0, 50.0], 0.0, 0.1).unwrap()
}

/// XY distance from `q` to the segment `a`–`b`.
fn seg_dist(q: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let t = (((q[0] - a[0]) * dx + (q[1] - a[1]) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    (q[0] - a[0] - t * dx).hypot(q[1] - a[1] - t * dy)
}

/// Every cell against `want(centre)`; cells within `edge` of a reach boundary (where
/// `want` says so by returning `None`) are skipped.
fn check(s: &Stock, tol: f64, want: impl Fn([f64; 2]) -> Option<f64>) {
    let mut checked = 0;
    for j in 0..s.ny() {
        for i in 0..s.nx() {
            let Some(w) = want(s.centre(i, j)) else {
                continue;
            };
            let got = s.height(i, j) as f64;
            assert!(
                (got - w).abs() <= tol,
                "cell {i},{j} at {:?}: {got} vs {w}",
                s.centre(i, j)
            );
            checked += 1;
        }
    }
    assert!(checked > 1000);
}

/// A level straight groove: the profile at the distance from the segment.
fn level_groove(c: &Cutter, depth: f64) {
    let mut s = stock();
    let (a, b) = ([10.0, 20.0], [40.0, 20.0]);
    s.cut_line(c, [a[0], a[1], depth], [b[0], b[1], depth]);
    let r = c.radius();
    check(&s, 1e-5, |q| {
        let d = seg_dist(q, a, b);
        if (d - r).abs() < 1e-6 {
            return None;
        }
        Some(if d <= r {
            (depth + c.profile(d)).min(0.0)
        } else {
            0.0
        })
    });
}

#[test]
fn flat_slot_is_a_stadium_at_depth() {
    let c = Cutter::flat(6.0).unwrap();
    level_groove(&c, -2.0);
    // Spot values: inside the slot, beyond its round end, outside it.
    let mut s = stock();
    s.cut_line(&c, [10.0, 20.0, -2.0], [40.0, 20.0, -2.0]);
    assert_eq!(s.height(250, 220), -2.0);
    assert_eq!(s.height(70, 200), -2.0); // (7.05, 20.05): 2.95 behind the start
    assert_eq!(s.height(69, 200), 0.0);
    assert_eq!(s.height(250, 230), 0.0);
}

#[test]
fn ball_groove_has_a_circular_section() {
    let c = Cutter::ball(6.0).unwrap();
    let mut s = stock();
    s.cut_line(&c, [10.0, 20.0, -1.0], [40.0, 20.0, -1.0]);
    check(&s, 1e-5, |q| {
        if !(12.0..38.0).contains(&q[0]) {
            return None;
        }
        let d: f64 = (q[1] - 20.0).abs();
        Some(if d < 3.0 {
            (-1.0 + 3.0 - (9.0 - d * d).sqrt()).min(0.0)
        } else {
            0.0
        })
    });
    level_groove(&c, -1.0);
}

#[test]
fn v_groove_has_linear_flanks() {
    let c = Cutter::cone(6.0, 90.0).unwrap();
    level_groove(&c, -2.0);
    let mut s = stock();
    s.cut_line(&c, [10.0, 20.0, -2.0], [40.0, 20.0, -2.0]);
    // 1.05 off the line: 0.95 deep.
    assert!((s.height(250, 210) as f64 + 0.95).abs() < 1e-5);
}

#[test]
fn bull_slot_is_a_flat_core_with_round_flanks() {
    let c = Cutter::bull(6.0, 1.0).unwrap();
    level_groove(&c, -2.0);
    let mut s = stock();
    s.cut_line(&c, [10.0, 20.0, -2.0], [40.0, 20.0, -2.0]);
    // Core out to 2 off the line, then the corner: at 2.55 off, 1 - sqrt(1 - 0.55²) up.
    assert_eq!(s.height(250, 219), -2.0);
    let want = -2.0 + 1.0 - (1.0f64 - 0.55 * 0.55).sqrt();
    assert!((s.height(250, 225) as f64 - want).abs() < 1e-5);
}

/// The lowest point of a capsule over a column, the textbook way: the lower intersection of
/// the vertical line with the infinite cylinder if its projection falls on the segment, and
/// with the two end spheres.
fn capsule_bottom(q: [f64; 2], c0: [f64; 3], c1: [f64; 3], r: f64) -> Option<f64> {
    let mut best: Option<f64> = None;
    let mut take = |z: f64| best = Some(best.map_or(z, |b: f64| b.min(z)));
    for c in [c0, c1] {
        let d2 = (q[0] - c[0]).powi(2) + (q[1] - c[1]).powi(2);
        if d2 <= r * r {
            take(c[2] - (r * r - d2).sqrt());
        }
    }
    let d = [c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2]];
    let dl = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
    let u = [d[0] / dl, d[1] / dl, d[2] / dl];
    // Point (q, c0.z + ζ): |v × u|² = r² with v = (wx, wy, ζ).
    let (wx, wy) = (q[0] - c0[0], q[1] - c0[1]);
    let vu0 = wx * u[0] + wy * u[1];
    let qa = 1.0 - u[2] * u[2];
    let qb = -2.0 * vu0 * u[2];
    let qc = wx * wx + wy * wy - vu0 * vu0 - r * r;
    let disc = qb * qb - 4.0 * qa * qc;
    if disc >= 0.0 && qa > 1e-12 {
        for zeta in [
            (-qb - disc.sqrt()) / (2.0 * qa),
            (-qb + disc.sqrt()) / (2.0 * qa),
        ] {
            let t = (vu0 + zeta * u[2]) / dl;
            if (0.0..=1.0).contains(&t) {
                take(c0[2] + zeta);
            }
        }
    }
    best
}

#[test]
fn sloped_ball_move_cuts_a_capsule() {
    let c = Cutter::ball(6.0).unwrap();
    let mut s = stock();
    let (a, b) = ([10.0, 15.0, -4.0], [45.0, 32.0, 1.5]);
    s.cut_line(&c, a, b);
    let up = |p: [f64; 3]| [p[0], p[1], p[2] + 3.0];
    check(&s, 1e-5, |q| {
        Some(capsule_bottom(q, up(a), up(b), 3.0).map_or(0.0, |z| z.min(0.0)))
    });
}

#[test]
fn flat_arc_and_helix() {
    let c = Cutter::flat(4.0).unwrap();
    // A level half circle, radius 10, counter-clockwise from angle 0 to π.
    let mut s = stock();
    s.cut_arc(
        &c,
        [40.0, 25.0, -1.0],
        [20.0, 25.0, -1.0],
        [30.0, 25.0],
        true,
    );
    let arc_dist = |q: [f64; 2]| {
        let (x, y) = (q[0] - 30.0, q[1] - 25.0);
        if y >= 0.0 {
            (x.hypot(y) - 10.0).abs()
        } else {
            (x - 10.0).hypot(y).min((x + 10.0).hypot(y))
        }
    };
    check(&s, 0.0, |q| {
        let d = arc_dist(q);
        if (d - 2.0).abs() < 1e-6 {
            return None;
        }
        Some(if d <= 2.0 { -1.0 } else { 0.0 })
    });
    // A helix down from 0 to -2 over the same half circle: over a cell on the circle at
    // polar (ρ, ψ) the disk passes while the angle is within δ of ψ (cos δ =
    // (ρ² + r² - R²) / 2ρr), and the
    // cut is the depth at the last such angle.
    let mut s = stock();
    s.cut_arc(
        &c,
        [40.0, 25.0, 0.0],
        [20.0, 25.0, -2.0],
        [30.0, 25.0],
        true,
    );
    let pi = std::f64::consts::PI;
    let mut checked = 0;
    for k in 0..200 {
        let psi = -0.5 + (pi + 1.0) * k as f64 / 199.0;
        let q = [30.0 + 10.0 * psi.cos(), 25.0 + 10.0 * psi.sin()];
        let (i, j) = ((q[0] / 0.1).floor() as usize, (q[1] / 0.1).floor() as usize);
        let cq = s.centre(i, j);
        let (rho, ang) = (
            (cq[0] - 30.0).hypot(cq[1] - 25.0),
            (cq[1] - 25.0).atan2(cq[0] - 30.0),
        );
        let dl = ((rho * rho + 100.0 - 4.0) / (20.0 * rho))
            .clamp(-1.0, 1.0)
            .acos();
        let last = (ang + dl).min(pi);
        if last < 0.0 || ang - dl > pi {
            continue;
        }
        let want = -2.0 * last / pi;
        let got = s.height(i, j) as f64;
        assert!((got - want).abs() < 2e-3, "ψ {psi}: {got} vs {want}");
        checked += 1;
    }
    assert!(checked > 150);
}

/// A tiny deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn f(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Reference lowest tool point over `q` along `at(t)`: sampled at `n` points, then the best
/// sample refined by golden-section search (the function is unimodal along a line).
fn reference(c: &Cutter, q: [f64; 2], at: &dyn Fn(f64) -> [f64; 3], n: usize) -> Option<f64> {
    // Past the rim a steep penalty keeps the function unimodal for the search; only
    // points within reach count as answers.
    let pen = |t: f64| {
        let p = at(t);
        let d = (q[0] - p[0]).hypot(q[1] - p[1]);
        let v = p[2] + c.profile(d) + 1e6 * (d - c.radius()).max(0.0);
        (v, d <= c.radius())
    };
    let f = |t: f64| match pen(t) {
        (v, true) => v,
        _ => f64::INFINITY,
    };
    let (mut bt, mut bv) = (0.0, f64::INFINITY);
    for k in 0..=n {
        let t = k as f64 / n as f64;
        let v = f(t);
        if v < bv {
            (bt, bv) = (t, v);
        }
    }
    if !bv.is_finite() {
        return None;
    }
    let (mut lo, mut hi) = (
        (bt - 1.0 / n as f64).max(0.0),
        (bt + 1.0 / n as f64).min(1.0),
    );
    let g = 0.5 * (5f64.sqrt() - 1.0);
    for _ in 0..80 {
        let (x1, x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
        let ((f1, ok1), (f2, ok2)) = (pen(x1), pen(x2));
        if ok1 {
            bv = bv.min(f1);
        }
        if ok2 {
            bv = bv.min(f2);
        }
        if f1 < f2 {
            hi = x2;
        } else {
            lo = x1;
        }
    }
    Some(bv)
}

fn cutters() -> Vec<Cutter> {
    vec![
        Cutter::flat(6.0).unwrap(),
        Cutter::ball(6.0).unwrap(),
        Cutter::cone(6.0, 60.0).unwrap(),
        Cutter::cone(6.0, 120.0).unwrap(),
        Cutter::bull(6.0, 1.0).unwrap(),
        Cutter::bull(8.0, 3.0).unwrap(),
    ]
}

/// Compares every cell the move can reach with the reference.
/// `rim` skips cells whose nearest approach to the path is within it of the tool's reach (a
/// helix is swept as chords, at most a thousandth of a cell inside the curve).
fn compare(c: &Cutter, s: &Stock, top: f64, at: &dyn Fn(f64) -> [f64; 3], rim: f64, what: &str) {
    for j in 0..s.ny() {
        for i in 0..s.nx() {
            let q = s.centre(i, j);
            if rim > 0.0 {
                let near = (0..=2000)
                    .map(|k| {
                        let p = at(k as f64 / 2000.0);
                        (q[0] - p[0]).hypot(q[1] - p[1])
                    })
                    .fold(f64::INFINITY, f64::min);
                if (near - c.radius()).abs() < rim {
                    continue;
                }
            }
            let want = reference(c, q, at, 400).map_or(top, |z| z.min(top));
            let got = s.height(i, j) as f64;
            assert!(
                // A helix's chords may leave up to about their sagitta times the flank's
                // slope more or less material where the reach boundary decides the depth.
                got <= want + 2e-5 + rim / 25.0 && got >= want - 2e-4 - rim / 25.0,
                "{:?} {what} cell {q:?}: {got} vs reference {want}",
                c.shape()
            );
        }
    }
}

#[test]
fn random_lines_match_brute_force() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for c in cutters() {
        for _ in 0..12 {
            let mut s = Stock::new([0.0, 0.0], [20.0, 20.0], 5.0, 0.25).unwrap();
            let mut p = || {
                [
                    4.0 + 12.0 * rng.f(),
                    4.0 + 12.0 * rng.f(),
                    -3.0 + 6.0 * rng.f(),
                ]
            };
            let (a, mut b) = (p(), p());
            if rng.f() < 0.2 {
                // Short moves, and the odd level or vertical one.
                b = [
                    a[0] + 0.3 * (rng.f() - 0.5),
                    a[1] + 0.3 * (rng.f() - 0.5),
                    b[2],
                ];
            }
            if rng.f() < 0.15 {
                b[2] = a[2];
            }
            if rng.f() < 0.1 {
                b = [a[0], a[1], b[2]];
            }
            s.cut_line(&c, a, b);
            let at = |t: f64| [0, 1, 2].map(|k| a[k] + t * (b[k] - a[k]));
            compare(&c, &s, 5.0, &at, 0.0, &format!("line {a:?} {b:?}"));
        }
    }
}

#[test]
fn random_arcs_match_brute_force() {
    let mut rng = Rng(0x2545f4914f6cdd1d);
    for c in cutters() {
        for k in 0..6 {
            let mut s = Stock::new([0.0, 0.0], [20.0, 20.0], 5.0, 0.25).unwrap();
            let centre = [10.0 + 2.0 * rng.f(), 10.0 + 2.0 * rng.f()];
            let r = 1.0 + 5.0 * rng.f();
            let (a0, a1) = (
                std::f64::consts::TAU * rng.f(),
                std::f64::consts::TAU * rng.f(),
            );
            let z0 = -2.0 + 2.0 * rng.f();
            let z1 = if k % 2 == 0 { z0 } else { -3.0 + 3.0 * rng.f() };
            let from = [centre[0] + r * a0.cos(), centre[1] + r * a0.sin(), z0];
            let to = [centre[0] + r * a1.cos(), centre[1] + r * a1.sin(), z1];
            let ccw = rng.f() < 0.5;
            let mut tp = Toolpath::new();
            tp.push(Move::Feed, from.map(|v| v as f32));
            tp.push_arc(ccw, centre, to.map(|v| v as f32));
            let step = tp.steps().next().unwrap();
            s.run(&c, &tp, &mut |_| true).unwrap();
            let rim = if k % 2 == 0 { 1e-3 } else { 0.05 };
            compare(
                &c,
                &s,
                5.0,
                &|t| step.at(t),
                rim,
                &format!("arc {from:?} {to:?}"),
            );
        }
    }
}

#[test]
fn sizes_from_a_budget_and_refuses_absurd_grids() {
    use swarf::geom::{Box3, DVec3};
    let b = Box3::new(DVec3::new(0.0, 0.0, -5.0), DVec3::new(100.0, 50.0, 3.0));
    let s = Stock::with_budget(&b, 4_000_000).unwrap();
    assert!(
        s.bytes() <= 4_000_000 && s.bytes() > 3_900_000,
        "{}",
        s.bytes()
    );
    assert!((s.cell() - (5000.0f64 / 1e6).sqrt()).abs() < 1e-3);
    assert_eq!(s.top(), 3.0);
    assert!(s.heights().iter().all(|&h| h == 3.0));
    assert_eq!(Stock::with_budget(&b, 3), Err(SimError::Budget(3)));
    let e = Stock::new([0.0, 0.0], [1000.0, 1000.0], 0.0, 0.01).unwrap_err();
    assert!(matches!(e, SimError::TooManyCells { .. }));
    assert!(e.to_string().contains(&MAX_CELLS.to_string()));
    assert_eq!(
        Stock::new([0.0, 0.0], [1.0, 1.0], 0.0, 0.0),
        Err(SimError::Cell(0.0))
    );
}

#[test]
fn run_applies_every_move_and_can_be_cancelled() {
    let c = Cutter::flat(2.0).unwrap();
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, [5.0, 5.0, 5.0]);
    tp.push(Move::Plunge, [5.0, 5.0, -1.0]);
    tp.push(Move::Feed, [15.0, 5.0, -1.0]);
    tp.push_arc(true, [15.0, 10.0], [15.0, 15.0, -1.0]);
    let mut s = Stock::new([0.0, 0.0], [20.0, 20.0], 0.0, 0.1).unwrap();
    let mut by_hand = s.clone();
    s.run(&c, &tp, &mut |_| true).unwrap();
    by_hand.cut_line(&c, [5.0, 5.0, 5.0], [5.0, 5.0, -1.0]);
    by_hand.cut_line(&c, [5.0, 5.0, -1.0], [15.0, 5.0, -1.0]);
    by_hand.cut_arc(
        &c,
        [15.0, 5.0, -1.0],
        [15.0, 15.0, -1.0],
        [15.0, 10.0],
        true,
    );
    assert_eq!(s, by_hand);
    assert_eq!(s.height(199, 100), -1.0); // (19.95, 10.05): the arc's far side
    let mut fresh = Stock::new([0.0, 0.0], [20.0, 20.0], 0.0, 0.1).unwrap();
    assert!(fresh.run(&c, &tp, &mut |_| false).is_err());
}

/// The default finishing job on a ~70k-face terrain, simulated at 0.1 mm:
/// `cargo test --release --test sim -- --ignored --nocapture`.
#[test]
#[ignore]
fn speed_default_finishing_on_terrain() {
    use swarf::engine::{self, Model};
    use swarf::job::{Job, ModelTransform};
    use swarf::post::Units;
    let m = Model::new(
        swarf::demo::terrain(187),
        &ModelTransform::default(),
        Units::Mm,
    )
    .unwrap();
    let job = Job::default();
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    let res = &out.resolved[0];
    let b = res.stock;
    let mut s = Stock::new([b.min.x, b.min.y], [b.max.x, b.max.y], b.max.z, 0.1).unwrap();
    let t = std::time::Instant::now();
    s.run(&res.cutter, &out.toolpath, &mut |_| true).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "faces {}, moves {}, cells {} x {} ({} MB), simulated in {secs:.2} s",
        m.mesh().len(),
        out.toolpath.len(),
        s.nx(),
        s.ny(),
        s.bytes() / 1_000_000
    );
    // The program cut the stock (a timing test; correctness is checked above).
    assert!(s.heights().iter().any(|&h| (h as f64) < b.max.z));
}

//! Parallel finishing checked along whole moves against the model: no feed move may cut
//! into the surface deeper than the job's tolerance, measured along the surface normal.
//!
//! # The gouge measure
//!
//! The tests use a ball cutter, whose cutting surface is a sphere of radius `R` centred `R`
//! above the tip. With the tip at `c`, the tool penetrates the model by
//!
//! ```text
//! depth(c) = R - dist(c + R ẑ, model)
//! ```
//!
//! the distance the sphere would have to move along the contact normal (the direction from
//! the nearest surface point to its centre) to clear the surface. This is the depth along
//! the surface normal, independent of the engine's drop-cutter code (it is a plain
//! point-to-triangle distance here). The vertical deficit `drop(c_xy) - c_z` bounds it from
//! above (lifting the tool by it clears), so the exact distance is only computed where the
//! deficit exceeds the tolerance. Each feed move is sampled every [`STEP`] along its whole
//! length, ends included.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::demo;
use swarf::engine::{self, Model};
use swarf::geom::DVec3;
use swarf::job::{Direction, Job, Milling, ModelTransform, ParallelSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::toolpath::Move;
use swarf::units::Units;

/// Spacing of the samples along a feed move.
const STEP: f64 = 0.005;

/// A deterministic pseudo-random number in `[0, 1)` for the lattice point `(i, j)`.
fn hash01(i: i64, j: i64, seed: u64) -> f32 {
    let mut h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (j as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ seed.wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 29;
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// A scanned-looking relief over 16 × 16 mm: a smooth swell, a random bump of up to
/// `±amp / 2` at every vertex of a 0.2 mm grid (finer than the 0.5 mm sampling), and an
/// outlier `3 amp` high at a fraction `spikes` of them, as a scanner leaves. The
/// cutter-location profile then falls, kinks and climbs between samples.
fn scanned(amp: f32, spikes: f32, seed: u64) -> Mesh {
    let n = 80;
    let size = 16.0;
    let cell = size / n as f32;
    demo::height_field(n, n, size, size, move |x, y| {
        let (i, j) = ((x / cell).round() as i64, (y / cell).round() as i64);
        let swell = 6.0 + 3.0 * ((x - 12.0) * 0.25).sin() * ((y - 10.0) * 0.2).cos();
        let spike = if hash01(i, j, seed + 99) < spikes {
            3.0 * amp
        } else {
            0.0
        };
        swell + amp * (hash01(i, j, seed) - 0.5) + spike
    })
}

/// A hemisphere of radius `r` on a plinth, its centre at `(cx, cy)`: a dome made as a
/// height field (so its vertices are at the place given, computed in f64 then stored).
fn dome_at(cx: f64, cy: f64, r: f64) -> Mesh {
    let n = 64;
    let size = 2.0 * r + 4.0;
    let local = demo::height_field(n, n, size as f32, size as f32, |x, y| {
        let (u, v) = (x as f64 - size / 2.0, y as f64 - size / 2.0);
        let d2 = u * u + v * v;
        (2.0 + (r * r - d2).max(0.0).sqrt()) as f32
    });
    // Move it out in f64, rounding each coordinate once, as a file placed there would be.
    let (ox, oy) = (cx - size / 2.0, cy - size / 2.0);
    let tris: Vec<f32> = local
        .triangles()
        .chunks_exact(3)
        .flat_map(|p| [(p[0] as f64 + ox) as f32, (p[1] as f64 + oy) as f32, p[2]])
        .collect();
    Mesh::from_triangles(tris).expect("finite dome")
}

fn ball_job(diameter: f64, stepover: f64, sampling: f64, tolerance: f64) -> Job {
    let mut job = Job::default();
    job.tool.kind = ToolKind::Ball;
    job.tool.diameter = diameter;
    job.strategy = StrategySpec::Parallel(ParallelSpec {
        stepover,
        sampling,
        tolerance,
        ..ParallelSpec::default()
    });
    job
}

/// Distance from `p` to the triangle `a b c` (f64, Ericson's closest-point regions).
fn dist_to_triangle(p: DVec3, a: DVec3, b: DVec3, c: DVec3) -> f64 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return p.distance(a);
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return p.distance(b);
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return p.distance(a + ab * (d1 / (d1 - d3)));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return p.distance(c);
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return p.distance(a + ac * (d2 / (d2 - d6)));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return p.distance(b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6))));
    }
    let denom = 1.0 / (va + vb + vc);
    p.distance(a + ab * (vb * denom) + ac * (vc * denom))
}

/// Depth along the normal by which a ball of radius `r`, tip at `tip`, cuts into the
/// model (zero or negative when it does not).
fn ball_depth(model: &Model, r: f64, tip: DVec3) -> f64 {
    let centre = tip + DVec3::Z * r;
    let mut best = f64::INFINITY;
    let lo = [centre.x - r, centre.y - r];
    let hi = [centre.x + r, centre.y + r];
    model.for_each_in_box(lo, hi, f64::NEG_INFINITY, &mut |t| {
        let v = |k: usize| DVec3::new(t[k] as f64, t[k + 1] as f64, t[k + 2] as f64);
        best = best.min(dist_to_triangle(centre, v(0), v(3), v(6)));
    });
    r - best
}

/// The worst normal depth along every feed move of the job's program, and where.
fn worst_gouge(model: &Model, job: &Job, tol: f64) -> (f64, DVec3) {
    let out = engine::generate(model, job, &mut |_| true).expect("job runs");
    let cutter = out.resolved[0].cutter;
    let r = job.tool.diameter / 2.0;
    let tp = &out.toolpath;
    let mut worst = (f64::NEG_INFINITY, DVec3::ZERO);
    for i in 1..tp.len() {
        if tp.kind(i) != Move::Feed {
            continue;
        }
        let p = |k: usize| {
            let q = tp.point(k);
            DVec3::new(q[0] as f64, q[1] as f64, q[2] as f64)
        };
        let (a, b) = (p(i - 1), p(i));
        let n = ((a.distance(b) / STEP).ceil() as usize).max(1);
        for k in 0..=n {
            let c = a.lerp(b, k as f64 / n as f64);
            let deficit = model.drop_cutter(&cutter, c.x, c.y).unwrap_or(f64::MIN) - c.z;
            if deficit <= tol {
                worst.0 = worst.0.max(deficit.min(0.0));
                continue;
            }
            let d = ball_depth(model, r, c);
            if d > worst.0 {
                worst = (d, c);
            }
        }
    }
    worst
}

fn model(mesh: Mesh) -> Model {
    Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model")
}

/// Issue 8, part 7: on a scanned-like relief, ball 6, stepover 1, sampling 0.5, the
/// midpoint test accepted moves that dipped below the surface by more than the tolerance.
#[test]
fn scanned_relief_is_not_gouged_beyond_tolerance() {
    let tol = 0.01;
    let job = ball_job(6.0, 1.0, 0.5, tol);
    // Before the fix these cut 0.039 and 0.052 mm deep (0.34 mm vertically).
    for (amp, spikes, seed) in [(1.0, 0.02, 1), (2.0, 0.01, 2)] {
        let m = model(scanned(amp, spikes, seed));
        let (depth, at) = worst_gouge(&m, &job, tol);
        eprintln!("scanned seed {seed}: worst normal depth {depth:.4} at {at:?}");
        assert!(
            depth <= tol,
            "seed {seed}: a feed move cuts {depth:.4} mm into the model at {at:?} (tolerance {tol})"
        );
    }
}

/// Issue 8, part 7: a dome far from the origin must be cut as well as one near it.
#[test]
fn dome_far_from_origin_is_not_gouged() {
    let tol = 0.01;
    let job = ball_job(6.0, 1.0, 0.5, tol);
    // Before the fix the toolpath's f32 rounding of XY cut 0.015 mm deep at 3e5 and
    // 0.027 mm at 1e6.
    let worst: Vec<(f64, f64, DVec3)> = [0.0, 3e5, 1e6]
        .into_iter()
        .map(|c| {
            let (depth, at) = worst_gouge(&model(dome_at(c, c, 8.0)), &job, tol);
            eprintln!("dome at {c}: worst normal depth {depth:.4} at {at:?}");
            (c, depth, at)
        })
        .collect();
    for (c, depth, at) in worst {
        assert!(
            depth <= tol,
            "dome at {c}: a feed move cuts {depth:.4} mm into the model at {at:?} (tolerance {tol})"
        );
    }
}

/// Issue 12, part 4: the spiral, both ways round, on the scanned relief and on a dome: no
/// feed move cuts deeper than the tolerance along the normal, and the whole finish is one
/// cut: one plunge, no lift until the end.
#[test]
fn spiral_is_one_cut_and_never_gouges() {
    let tol = 0.01;
    for milling in [Milling::Climb, Milling::Conventional] {
        let mut job = ball_job(6.0, 1.0, 0.5, tol);
        if let StrategySpec::Parallel(p) = &mut job.strategy {
            p.direction = Direction::Spiral;
            p.milling = milling;
        }
        for (name, m) in [
            ("scanned", model(scanned(1.0, 0.02, 1))),
            ("dome", model(dome_at(0.0, 0.0, 8.0))),
        ] {
            let (depth, at) = worst_gouge(&m, &job, tol);
            eprintln!("spiral {milling:?} on {name}: worst normal depth {depth:.4} at {at:?}");
            assert!(
                depth <= tol,
                "{milling:?} {name}: cuts {depth:.4} mm at {at:?}"
            );
            let out = engine::generate(&m, &job, &mut |_| true).unwrap();
            let tp = &out.toolpath;
            let kinds: Vec<Move> = (0..tp.len()).map(|i| tp.kind(i)).collect();
            let plunges = kinds.iter().filter(|&&k| k == Move::Plunge).count();
            assert_eq!(plunges, 1, "{milling:?} {name}: one plunge");
            let first_feed = kinds.iter().position(|&k| k == Move::Feed).unwrap();
            let last_feed = kinds.iter().rposition(|&k| k == Move::Feed).unwrap();
            assert!(
                kinds[first_feed..=last_feed]
                    .iter()
                    .all(|&k| k == Move::Feed),
                "{milling:?} {name}: the spiral lifts"
            );
            assert!(last_feed - first_feed > 500);
        }
    }
}

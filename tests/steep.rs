//! Steep and shallow finishing (issue 12, part 4): waterline where the surface is steeper
//! than the split angle, raster lines where it is shallower, checked on shapes whose slope
//! is known everywhere, and the program against the model.
//!
//! Models, in mm, with a ball of radius `R = 3` unless said:
//! * a hemisphere of radius 15 on a 50 × 50 × 5 slab (its centre on the slab's top). The
//!   ball's tip over the sphere follows a sphere of radius `ρ = 15 + R` about the same
//!   centre, lowered by `R`: at a distance `r` from the axis its slope is `asin(r / ρ)`,
//!   up to where the ball also touches the slab (`r = √(ρ² − R²)`); beyond, on the slab,
//!   it is flat. So with a 45° split the steep ground is the ring `ρ sin 45° ≤ r ≤ √(ρ² −
//!   R²)`, and the slab's vertical sides.
//! * a box 20 × 14 × 10 on a 50 × 40 × 3 slab, cut with a flat end mill: its walls and the
//!   slab's sides are vertical (steep), its top and the slab's top flat.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, EngineError, Model};
use swarf::geom::{DVec2, DVec3};
use swarf::job::{Direction, Job, ModelTransform, Resolved, SteepSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::sim::verify;
use swarf::strategy::steep;
use swarf::toolpath::{Move, Toolpath};
use swarf::units::Units;

const R: f64 = 3.0;
const TOL: f64 = 0.01;
/// The hemisphere's radius and the top of its slab.
const RS: f64 = 15.0;
const SLAB: f64 = 5.0;

fn model(mesh: Mesh) -> Model {
    Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model")
}

fn hemisphere() -> Mesh {
    Mesh::merged(&[
        demo::cuboid([-25.0, -25.0, 0.0], [25.0, 25.0, SLAB as f32]),
        demo::sphere([0.0, 0.0, SLAB as f32], RS as f32, 128),
    ])
}

/// The box on its slab: the box 15..35 × 13..27 × 3..13, the slab 0..50 × 0..40 × 0..3.
fn box_on_slab() -> Mesh {
    Mesh::merged(&[
        demo::cuboid([0.0, 0.0, 0.0], [50.0, 40.0, 3.0]),
        demo::cuboid([15.0, 13.0, 3.0], [35.0, 27.0, 13.0]),
    ])
}

fn spec() -> SteepSpec {
    SteepSpec {
        tolerance: TOL,
        ..SteepSpec::default()
    }
}

fn steep_job(kind: ToolKind, spec: SteepSpec) -> Job {
    let mut job = Job::default();
    job.tool.kind = kind;
    job.tool.diameter = 2.0 * R;
    job.tool.corner_radius = 1.0;
    job.tool.angle = 90.0;
    job.strategy = StrategySpec::Steep(spec);
    // The hemisphere's model is a whole sphere whose lower half is inside (and below)
    // its slab: the slab's bottom is the floor.
    job.bounds.floor = Some(0.0);
    job
}

fn resolved(m: &Model, job: &Job) -> Resolved {
    job.resolve(&m.mesh().bounds())
        .expect("job resolves")
        .remove(0)
}

fn the_spec(job: &Job) -> &SteepSpec {
    match &job.strategy {
        StrategySpec::Steep(s) => s,
        _ => unreachable!(),
    }
}

/// The slope of the ball's tip surface over the hemisphere at `r` from the axis, in
/// degrees (0 on the slab).
fn hemisphere_slope(r: f64) -> f64 {
    let rho = RS + R;
    if r < (rho * rho - R * R).sqrt() {
        (r / rho).asin().to_degrees()
    } else {
        0.0
    }
}

/// The radius where the ball's tip surface over the hemisphere is `deg` steep.
fn radius_at(deg: f64) -> f64 {
    (RS + R) * deg.to_radians().sin()
}

/// The radius where the ball touches the sphere and the slab at once.
fn crease() -> f64 {
    let rho = RS + R;
    (rho * rho - R * R).sqrt()
}

/// The raster runs lie where the ground is shallow, or within the overlap of it; the
/// waterline pieces where it is steep, or within the overlap of it; the hemisphere's
/// contours in the steep ring are whole loops; the shallow cap and the slab are covered by
/// runs a stepover apart.
#[test]
fn hemisphere_is_split_at_the_angle() {
    let m = model(hemisphere());
    for (angle, overlap) in [(45.0, 0.5), (60.0, 1.0), (30.0, 0.0)] {
        let job = steep_job(
            ToolKind::Ball,
            SteepSpec {
                angle,
                overlap,
                ..spec()
            },
        );
        let res = resolved(&m, &job);
        let s = the_spec(&job);
        // Facets of the UV sphere are 1.4° of latitude: allow 3° of slope, and 0.05 mm.
        let slack = 3.0;
        let runs = steep::all_runs(&m, s, &res).unwrap();
        assert!(!runs.is_empty());
        let (steep_lo, steep_hi) = (radius_at(angle), crease());
        for run in &runs {
            for p in &run.pts {
                let r = p.truncate().length();
                let shallow_near = r <= radius_at(angle + slack) + overlap + 0.05
                    || r >= steep_hi - overlap - 0.05;
                assert!(
                    shallow_near,
                    "{angle}°: raster point {p:?} at r {r:.3} is in the steep ring {steep_lo:.3}..{steep_hi:.3} (overlap {overlap})"
                );
            }
        }
        // The cap and the slab are covered: every point there (slope under the angle less
        // the slack) is within half a stepover of a run, seen from above.
        let segs: Vec<(DVec2, DVec2)> = runs
            .iter()
            .flat_map(|r| r.pts.windows(2).map(|w| (w[0].truncate(), w[1].truncate())))
            .collect();
        let near_run = |q: DVec2| {
            segs.iter()
                .map(|&(a, b)| to_segment2(q, a, b))
                .fold(f64::INFINITY, f64::min)
        };
        for i in 0..=40 {
            for j in 0..=40 {
                let q = DVec2::new(-24.0 + 1.2 * i as f64, -24.0 + 1.2 * j as f64);
                let r = q.length();
                if hemisphere_slope(r) < angle - slack && (r < steep_lo - 0.1 || r > steep_hi + 0.1)
                {
                    let d = near_run(q);
                    assert!(
                        d <= 0.5 * s.stepover + 1e-6,
                        "{angle}°: shallow point {q:?} (r {r:.2}) is {d:.3} from every run"
                    );
                }
            }
        }
        // The pieces: in the steep ring (at the split less the hysteresis) or round the
        // slab's sides, within the overlap; the ring's levels are whole loops.
        let levels = steep::pieces(&m, s, &res).unwrap();
        let mut loops = 0;
        for (z, pieces) in &levels {
            for c in pieces {
                let in_ring = c.points.iter().all(|p| {
                    let r = p.length();
                    r >= radius_at(angle - steep::HYSTERESIS - slack) - overlap - 0.05
                        && r <= steep_hi + 0.05
                });
                // Round the slab's sides: outside its footprint (the ball rolls over its
                // top edge, so nearer it than R just below the top).
                let round_slab = c.points.iter().all(|p| {
                    let d = (p.abs() - DVec2::splat(25.0)).max(DVec2::ZERO);
                    let below = (SLAB - z).min(R);
                    d.length() >= (R * R - (R - below) * (R - below)).sqrt() - 0.05
                });
                assert!(
                    in_ring || round_slab,
                    "{angle}°: a piece at z {z} off the steep ground: {:?}",
                    &c.points[..3.min(c.points.len())]
                );
                if in_ring {
                    let (a, b) = (c.points[0], c.points[c.points.len() - 1]);
                    assert!(
                        c.closed || a.distance(b) < 1e-6,
                        "{angle}°: the ring at z {z} is cut into pieces"
                    );
                    loops += 1;
                }
            }
        }
        // Every level from the top of the steep ring down to the slab has its loop.
        let ring_top = SLAB - R + (RS + R) * (angle.to_radians().cos());
        let want = levels
            .iter()
            .filter(|(z, _)| *z < ring_top - 0.2 && *z > SLAB + 0.05)
            .count();
        assert!(
            loops >= want && want > 3,
            "{angle}°: {loops} loops for {want} levels in the ring"
        );
    }
}

fn to_segment2(p: DVec2, a: DVec2, b: DVec2) -> f64 {
    let d = b - a;
    let t = ((p - a).dot(d) / d.length_squared().max(1e-300)).clamp(0.0, 1.0);
    p.distance(a + d * t)
}

/// A box's walls are cut by waterline, its top and the slab by raster lines: with a flat
/// end mill every run is on the slab's top or the box's (the only heights there are, the
/// climb between them at the cliff), every piece between the slab and the box's top is
/// one loop `R` from the box's walls, and nothing of the raster runs along a wall.
#[test]
fn box_walls_by_waterline_top_and_floor_by_raster() {
    let m = model(box_on_slab());
    // Levels 11.5, 10.5, ..., 3.5 round the box, 2.5 to 0 round the slab.
    let job = steep_job(
        ToolKind::Flat,
        SteepSpec {
            z_top: Some(12.5),
            ..spec()
        },
    );
    let res = resolved(&m, &job);
    let s = the_spec(&job);
    let runs = steep::all_runs(&m, s, &res).unwrap();
    let mut on_top = 0;
    for run in &runs {
        for p in &run.pts {
            let z_ok = (p.z - 3.0).abs() < 1e-6 || (p.z - 13.0).abs() < 1e-6 || p.z <= 1e-6;
            assert!(z_ok, "raster point {p:?} off the flats");
            on_top += usize::from((p.z - 13.0).abs() < 1e-6);
        }
        // A run never runs along a wall: its points at the box's top height lie on the
        // box's top or within the overlap of the cliff R out from it.
    }
    assert!(on_top > 10, "the box's top is cut by the raster");
    // Distance from the box (15..35 × 13..27) seen from above.
    let to_box = |p: DVec2| {
        let d = (DVec2::new(15.0, 13.0) - p)
            .max(p - DVec2::new(35.0, 27.0))
            .max(DVec2::ZERO);
        d.length()
    };
    let levels = steep::pieces(&m, s, &res).unwrap();
    let mut box_levels = 0;
    for (z, pieces) in &levels {
        if *z > 3.0 + 1e-9 {
            // One loop round the box, R from it.
            assert_eq!(pieces.len(), 1, "z {z}: {} pieces", pieces.len());
            let c = &pieces[0];
            assert!(c.closed, "z {z}: the loop round the box is cut");
            for p in &c.points {
                let d = to_box(*p);
                assert!(
                    (d - R).abs() <= TOL,
                    "z {z}: loop point {p:?} is {d} from the box"
                );
            }
            box_levels += 1;
        } else {
            // Round the slab's sides only: nothing of the slab's top.
            for c in pieces {
                for p in &c.points {
                    let d = (-*p).max(*p - DVec2::new(50.0, 40.0)).max(DVec2::ZERO);
                    assert!(
                        d.length() >= R - TOL,
                        "z {z}: piece point {p:?} on the slab"
                    );
                }
            }
        }
    }
    assert_eq!(box_levels, 9);
}

/// Depth along the normal by which a ball of radius `R`, tip at `tip`, cuts into the
/// model.
fn ball_depth(m: &Model, tip: DVec3) -> f64 {
    let c = tip + DVec3::Z * R;
    let mut best = f64::INFINITY;
    m.for_each_in_box(
        [c.x - R, c.y - R],
        [c.x + R, c.y + R],
        f64::NEG_INFINITY,
        &mut |t| {
            let v = |k: usize| [t[k] as f64, t[k + 1] as f64, t[k + 2] as f64];
            best = best.min(verify::point_triangle_dist2(c.to_array(), v(0), v(3), v(6)));
        },
    );
    R - best.sqrt()
}

/// The deepest any cutting move (every 0.01 mm along it) goes below the cutter's surface:
/// for a ball along the normal; for other cutters the least vertical deficit within the
/// tolerance of the point seen from above (beside a vertical wall the deficit is the wall's
/// height however little the rim overlaps it: a chord of a waterline's corner, or the
/// rounding of a point, overlaps it by less than the tolerance).
fn worst_gouge(m: &Model, tp: &Toolpath, cutter: &Cutter, floor: f64) -> (f64, DVec3) {
    let mut worst = (f64::NEG_INFINITY, DVec3::ZERO);
    let ball = cutter.shape() == swarf::cutter::Shape::Ball;
    for i in 1..tp.len() {
        if tp.kind(i) == Move::Rapid {
            continue;
        }
        let p = |k: usize| DVec3::from(tp.point(k).map(f64::from));
        let (a, b) = (p(i - 1), p(i));
        let n = ((a.distance(b) / 0.01).ceil() as usize).max(1);
        for k in 0..=n {
            let c = a.lerp(b, k as f64 / n as f64);
            let deficit = m.drop_cutter(cutter, c.x, c.y).unwrap_or(floor).max(floor) - c.z;
            let d = if deficit <= TOL {
                deficit.min(0.0)
            } else if ball {
                ball_depth(m, c)
            } else {
                (0..16)
                    .map(|k| {
                        let (sn, cs) = (k as f64 * std::f64::consts::PI / 8.0).sin_cos();
                        let (x, y) = (c.x + TOL * cs, c.y + TOL * sn);
                        m.drop_cutter(cutter, x, y).unwrap_or(floor).max(floor) - c.z
                    })
                    .fold(deficit, f64::min)
            };
            if d > worst.0 {
                worst = (d, c);
            }
        }
    }
    worst
}

/// No cutting move goes below the cutter's surface by more than the tolerance (along the
/// normal for the ball), on every model here with every cutter; the verifier, simulating
/// the G-code as written, finds no gouge, rapid through stock or collision either.
#[test]
fn steep_and_shallow_never_gouges() {
    for (name, mesh) in [
        ("hemisphere", hemisphere()),
        ("box", box_on_slab()),
        ("relief", common::relief()),
    ] {
        let m = model(mesh);
        for (kind, direction) in [
            (ToolKind::Ball, Direction::X),
            (ToolKind::Flat, Direction::Y),
            (ToolKind::Bull, Direction::Xy),
            (ToolKind::Cone, Direction::X),
        ] {
            let job = steep_job(
                kind,
                SteepSpec {
                    direction,
                    stepover: 1.5,
                    stepdown: 1.5,
                    ..spec()
                },
            );
            let res = resolved(&m, &job);
            let tp = steep::generate(&m, the_spec(&job), &res, &mut |_| true).unwrap();
            let feeds = (0..tp.len()).filter(|&i| tp.kind(i) == Move::Feed).count();
            assert!(feeds > 100, "{name} {kind:?}: {feeds} feeds");
            let (depth, at) = worst_gouge(&m, &tp, &res.cutter, res.floor);
            eprintln!("{name} {kind:?}: {feeds} feeds, worst {depth:.4} at {at:?}");
            assert!(
                depth <= TOL,
                "{name} {kind:?}: cuts {depth:.4} into the model at {at:?}"
            );
            let out = engine::generate(&m, &job, &mut |_| true).expect("job runs");
            let opts = engine::VerifyOptions {
                cell: Some(0.1),
                tolerance: TOL,
                ..Default::default()
            };
            let r = engine::verify(&m, &job, &out, &opts, &mut |_| true).expect("verifies");
            let bad = common::faults(&r);
            assert!(!r.failed(TOL), "{name} {kind:?}: {bad:?}");
        }
    }
}

/// Between them the two halves leave no more than a scallop anywhere on the hemisphere
/// and its slab within reach: every surface point is within `bound` of the ball at some
/// cutter location of a cutting move (sampled every 0.1 mm), where the raster alone or the
/// waterline alone leaves far more.
#[test]
fn every_point_of_the_hemisphere_is_covered() {
    let m = model(hemisphere());
    let job = steep_job(ToolKind::Ball, spec());
    let res = resolved(&m, &job);
    let tp = steep::generate(&m, the_spec(&job), &res, &mut |_| true).unwrap();
    // Ball centres along the cutting moves.
    let mut centres: Vec<DVec3> = Vec::new();
    for i in 1..tp.len() {
        if tp.kind(i) == Move::Rapid {
            continue;
        }
        let p = |k: usize| DVec3::from(tp.point(k).map(f64::from));
        centres.extend(along(&[p(i - 1), p(i)]));
    }
    let (worst, at) = worst_gap(&centres);
    // Stepover and stepdown 1 on a 45° seam: passes at most 1.42 apart along the surface,
    // a scallop of about 1.42² / (8 R) = 0.084 on a flat; the sphere's own curve adds a
    // little.
    eprintln!("worst gap {worst:.4} at {at:?}");
    assert!(worst <= 0.12, "a gap of {worst:.4} at {at:?}");
    // The raster runs alone leave the steep ring.
    let runs = steep::all_runs(&m, the_spec(&job), &res).unwrap();
    let raster: Vec<DVec3> = runs.iter().flat_map(|r| along(&r.pts)).collect();
    let (alone, at) = worst_gap(&raster);
    assert!(
        alone > 1.0,
        "the raster alone leaves only {alone:.3} at {at:?}"
    );
}

/// Ball centres every 0.1 mm along a polyline of tips.
fn along(p: &[DVec3]) -> Vec<DVec3> {
    let mut out = vec![p[0] + DVec3::Z * R];
    for w in p.windows(2) {
        let n = ((w[0].distance(w[1]) / 0.1).ceil() as usize).max(1);
        out.extend((1..=n).map(|k| w[0].lerp(w[1], k as f64 / n as f64) + DVec3::Z * R));
    }
    out
}

/// The widest gap between the hemisphere (and its slab) and the balls at `centres`, over
/// the surface within the ball's reach, and where.
fn worst_gap(centres: &[DVec3]) -> (f64, DVec3) {
    let cell = 2.0;
    let key = |x: f64, y: f64| ((x / cell).floor() as i64, (y / cell).floor() as i64);
    let mut grid: std::collections::HashMap<(i64, i64), Vec<DVec3>> = Default::default();
    for c in centres {
        grid.entry(key(c.x, c.y)).or_default().push(*c);
    }
    let gap = |q: DVec3| {
        let (i, j) = key(q.x, q.y);
        let mut best = f64::INFINITY;
        for di in -2..=2 {
            for dj in -2..=2 {
                if let Some(v) = grid.get(&(i + di, j + dj)) {
                    for c in v {
                        best = best.min(c.distance(q) - R);
                    }
                }
            }
        }
        best
    };
    // Surface points: the sphere above the slab, every 2° of latitude down to where the
    // ball can reach (it touches the slab and the sphere at once at the crease), and the
    // slab's top from the crease outwards.
    let (mut worst, mut at) = (0.0f64, DVec3::ZERO);
    let reach_lat = (R / (RS + R)).asin().to_degrees();
    let mut surface = Vec::new();
    for lat in (0..=44)
        .map(|k| 2.0 * k as f64)
        .filter(|&l| l >= reach_lat + 0.5)
    {
        for lon in (0..36).map(|k| 10.0 * k as f64 + 3.0) {
            let (l, o) = (lat.to_radians(), lon.to_radians());
            surface.push(DVec3::new(
                RS * l.cos() * o.cos(),
                RS * l.cos() * o.sin(),
                SLAB + RS * l.sin(),
            ));
        }
    }
    for i in 0..=24 {
        for j in 0..=24 {
            let q = DVec3::new(-24.0 + 2.0 * i as f64, -24.0 + 2.0 * j as f64, SLAB);
            if q.truncate().length() >= crease() + 0.5 {
                surface.push(q);
            }
        }
    }
    for q in surface {
        let g = gap(q);
        if g > worst {
            (worst, at) = (g, q);
        }
    }
    (worst, at)
}

/// Absurd values are refused with the field named, never a panic.
#[test]
fn absurd_values_name_their_field() {
    let m = model(box_on_slab());
    let bad = [
        (
            SteepSpec {
                angle: 0.0,
                ..spec()
            },
            "strategy.angle",
        ),
        (
            SteepSpec {
                angle: 90.0,
                ..spec()
            },
            "strategy.angle",
        ),
        (
            SteepSpec {
                angle: -30.0,
                ..spec()
            },
            "strategy.angle",
        ),
        (
            SteepSpec {
                angle: f64::NAN,
                ..spec()
            },
            "strategy.angle",
        ),
        (
            SteepSpec {
                overlap: -1.0,
                ..spec()
            },
            "strategy.overlap",
        ),
        (
            SteepSpec {
                overlap: f64::INFINITY,
                ..spec()
            },
            "strategy.overlap",
        ),
        (
            SteepSpec {
                direction: Direction::Spiral,
                ..spec()
            },
            "strategy.direction",
        ),
        (
            SteepSpec {
                stepover: 0.0,
                ..spec()
            },
            "strategy.stepover",
        ),
        (
            SteepSpec {
                stepover: 100.0,
                ..spec()
            },
            "strategy.stepover",
        ),
        (
            SteepSpec {
                stepdown: -1.0,
                ..spec()
            },
            "strategy.stepdown",
        ),
        (
            SteepSpec {
                stepdown: 1e-7,
                ..spec()
            },
            "strategy.stepdown",
        ),
        (
            SteepSpec {
                sampling: 50.0,
                ..spec()
            },
            "strategy.sampling",
        ),
        (
            SteepSpec {
                tolerance: f64::NAN,
                ..spec()
            },
            "strategy.tolerance",
        ),
        (
            SteepSpec {
                z_top: Some(2.0),
                z_bottom: Some(5.0),
                ..spec()
            },
            "strategy.z_bottom",
        ),
        (
            SteepSpec {
                z_top: Some(1e9),
                ..spec()
            },
            "strategy.z_top",
        ),
    ];
    for (s, field) in bad {
        let job = steep_job(ToolKind::Ball, s.clone());
        match engine::generate(&m, &job, &mut |_| true) {
            Err(EngineError::Job(e)) => assert_eq!(e.field, field, "{s:?}: {}", e.message),
            other => panic!("{s:?}: {:?}", other.map(|o| o.summary)),
        }
    }
    let json = r#"{"strategy": {"type": "steep", "angle": 45, "slope": 3}}"#;
    assert!(Job::from_json(json).is_err(), "unknown keys are refused");
}

/// Progress runs from 0 to 1 without going back; returning `false` cancels, in the
/// waterline half and in the raster half.
#[test]
fn progress_and_cancel() {
    let m = model(hemisphere());
    let job = steep_job(ToolKind::Ball, spec());
    let mut seen = Vec::new();
    engine::generate(&m, &job, &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert!(seen.len() > 10, "{} reports", seen.len());
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));
    for stop in [0.0, 0.1, 0.3, 0.45, 0.55, 0.8, 0.95] {
        let mut calls_after = 0;
        let r = engine::generate(&m, &job, &mut |f| {
            if f >= stop {
                calls_after += 1;
            }
            f < stop
        });
        assert!(matches!(r, Err(EngineError::Cancelled)), "stop at {stop}");
        assert_eq!(
            calls_after, 1,
            "stop at {stop}: asked again after cancelling"
        );
    }
}

/// The CLI takes the strategy's flags.
#[test]
fn registry_and_defaults() {
    let d = StrategySpec::by_name("steep").expect("registered");
    assert_eq!(d, StrategySpec::Steep(SteepSpec::default()));
    let SteepSpec { angle, overlap, .. } = SteepSpec::default();
    assert_eq!((angle, overlap), (45.0, 0.5));
}

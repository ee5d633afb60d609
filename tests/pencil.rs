//! Pencil finishing (issue 12): the tracks where a ball touches two surfaces at once,
//! checked against the geometry they must follow, and the program against the model.
//!
//! Models, all in mm with a ball of radius `R = 3`:
//! * an open box (a pocket 20 × 14, 10 deep, in a 40 × 30 × 15 block): the ball touches
//!   floor and wall with its centre `R` from both, so the track is the rectangle inset by
//!   `R` from the pocket's walls with the tip on the floor (z = 5). In each corner of the
//!   pocket the ball, resting on the two rim edges at once, also finds the diagonal where it
//!   touches both: `(x0 + d, y0 + d, 15 − R + √(R² − d²))` from the place where the two
//!   contact normals differ by `min_angle` (`d = R √(1 − cos min_angle)`) to `d = R`, above
//!   the rectangle's corner.
//! * a V-groove between two planes sloping at ±30°: the ball's centre touches both planes,
//!   so the tip runs along the groove's line at `R / cos 30° − R` above its bottom.
//! * a plane, a sphere and a box standing on the floor: no track.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::demo;
use swarf::engine::{self, EngineError, Model};
use swarf::geom::DVec3;
use swarf::job::{Job, ModelTransform, PencilSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::sim::verify;
use swarf::strategy::pencil;
use swarf::toolpath::Move;
use swarf::units::Units;

const R: f64 = 3.0;
const TOL: f64 = 0.01;

/// Triangles of the quads given as four corners each (counter-clockwise seen from outside).
fn quads(qs: &[[[f32; 3]; 4]]) -> Mesh {
    let mut t = Vec::new();
    for q in qs {
        for tri in [[q[0], q[1], q[2]], [q[0], q[2], q[3]]] {
            for v in tri {
                t.extend_from_slice(&v);
            }
        }
    }
    Mesh::from_triangles(t).expect("finite mesh")
}

/// The block 0..40 × 0..30 × 0..15 with the pocket 10..30 × 8..22 down to z = 5.
fn open_box() -> Mesh {
    let (x0, x1, y0, y1) = (10.0, 30.0, 8.0, 22.0);
    let (top, floor) = (15.0, 5.0);
    let p = |x: f32, y: f32, z: f32| [x, y, z];
    quads(&[
        // The top around the pocket.
        [
            p(0., 0., top),
            p(40., 0., top),
            p(40., y0, top),
            p(0., y0, top),
        ],
        [
            p(0., y1, top),
            p(40., y1, top),
            p(40., 30., top),
            p(0., 30., top),
        ],
        [
            p(0., y0, top),
            p(x0, y0, top),
            p(x0, y1, top),
            p(0., y1, top),
        ],
        [
            p(x1, y0, top),
            p(40., y0, top),
            p(40., y1, top),
            p(x1, y1, top),
        ],
        // The pocket's floor and walls.
        [
            p(x0, y0, floor),
            p(x1, y0, floor),
            p(x1, y1, floor),
            p(x0, y1, floor),
        ],
        [
            p(x0, y0, floor),
            p(x0, y1, floor),
            p(x0, y1, top),
            p(x0, y0, top),
        ],
        [
            p(x1, y0, floor),
            p(x1, y0, top),
            p(x1, y1, top),
            p(x1, y1, floor),
        ],
        [
            p(x0, y0, floor),
            p(x0, y0, top),
            p(x1, y0, top),
            p(x1, y0, floor),
        ],
        [
            p(x0, y1, floor),
            p(x1, y1, floor),
            p(x1, y1, top),
            p(x0, y1, top),
        ],
        // Outside and bottom.
        [
            p(0., 0., 0.),
            p(0., 30., 0.),
            p(40., 30., 0.),
            p(40., 0., 0.),
        ],
        [
            p(0., 0., 0.),
            p(40., 0., 0.),
            p(40., 0., top),
            p(0., 0., top),
        ],
        [
            p(0., 30., 0.),
            p(0., 30., top),
            p(40., 30., top),
            p(40., 30., 0.),
        ],
        [
            p(0., 0., 0.),
            p(0., 0., top),
            p(0., 30., top),
            p(0., 30., 0.),
        ],
        [
            p(40., 0., 0.),
            p(40., 30., 0.),
            p(40., 30., top),
            p(40., 0., top),
        ],
    ])
}

fn model(mesh: Mesh) -> Model {
    Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model")
}

fn pencil_job(spec: PencilSpec) -> Job {
    let mut job = Job::default();
    job.tool.kind = ToolKind::Ball;
    job.tool.diameter = 2.0 * R;
    job.strategy = StrategySpec::Pencil(spec);
    job
}

fn spec() -> PencilSpec {
    PencilSpec {
        tolerance: TOL,
        ..PencilSpec::default()
    }
}

/// The tracks of `job` on `m` as 3D polylines (their vertices at drop-cutter height).
fn tracks(m: &Model, job: &Job) -> Vec<Vec<DVec3>> {
    let res = job.resolve(&m.mesh().bounds()).expect("job resolves");
    let StrategySpec::Pencil(spec) = &job.strategy else {
        unreachable!()
    };
    let found = pencil::find_tracks(m, spec, &res[0], &mut |_| true).expect("not cancelled");
    found
        .into_iter()
        .map(|(p, _)| {
            p.into_iter()
                .map(|q| {
                    let z = m.drop_cutter(&res[0].cutter, q.x, q.y).unwrap_or(f64::NAN);
                    q.extend(z)
                })
                .collect()
        })
        .collect()
}

/// 3D segments: an expected track.
type Segments = Vec<(DVec3, DVec3)>;

/// Distance from `p` to the segment `a b` (3D).
fn to_segment(p: DVec3, a: DVec3, b: DVec3) -> f64 {
    let d = b - a;
    let t = ((p - a).dot(d) / d.length_squared().max(1e-300)).clamp(0.0, 1.0);
    p.distance(a + d * t)
}

/// Points every `step` along a polyline, vertices included.
fn along(p: &[DVec3], step: f64) -> Vec<DVec3> {
    let mut out = vec![p[0]];
    for w in p.windows(2) {
        let n = ((w[0].distance(w[1]) / step).ceil() as usize).max(1);
        out.extend((1..=n).map(|k| w[0].lerp(w[1], k as f64 / n as f64)));
    }
    out
}

/// The open box's expected track as 3D segments: the floor rectangle inset by `R` with
/// the tip on the floor, the four corner diagonals from where the rim contacts' normals
/// differ by `min_angle` down to `d = R`, and the vertical step from there to the
/// rectangle's corner (a cliff in the drop-cutter heights, one point seen from above).
/// Second: the part every track must cover (the diagonals from two grid steps past their
/// start, where the first crease can be found; no vertical step).
fn open_box_track(min_angle: f64, sampling: f64) -> (Segments, Segments) {
    let (x0, x1, y0, y1, top, floor) = (10.0, 30.0, 8.0, 22.0, 15.0, 5.0);
    let d0 = R * (1.0 - min_angle.to_radians().cos()).sqrt();
    let (mut on, mut cover) = (Vec::new(), Vec::new());
    let corners = [
        (x0, y0, 1.0, 1.0),
        (x1, y0, -1.0, 1.0),
        (x1, y1, -1.0, -1.0),
        (x0, y1, 1.0, -1.0),
    ];
    for &(cx, cy, sx, sy) in &corners {
        let at = |d: f64| {
            DVec3::new(
                cx + sx * d,
                cy + sy * d,
                top - R + (R * R - d * d).max(0.0).sqrt(),
            )
        };
        // The diagonal as short chords of the quarter circle it follows in height.
        let n = 400;
        for i in 0..n {
            let (a, b) = (
                d0 + (R - d0) * i as f64 / n as f64,
                d0 + (R - d0) * (i + 1) as f64 / n as f64,
            );
            on.push((at(a), at(b)));
            if a >= d0 + 2.0 * sampling {
                cover.push((at(a), at(b)));
            }
        }
        on.push((DVec3::new(cx + sx * R, cy + sy * R, floor), at(R)));
    }
    let (a, b, c, d) = (
        DVec3::new(x0 + R, y0 + R, floor),
        DVec3::new(x1 - R, y0 + R, floor),
        DVec3::new(x1 - R, y1 - R, floor),
        DVec3::new(x0 + R, y1 - R, floor),
    );
    on.extend([(a, b), (b, c), (c, d), (d, a)]);
    cover.extend([(a, b), (b, c), (c, d), (d, a)]);
    (on, cover)
}

fn job_sampling(job: &Job) -> f64 {
    match &job.strategy {
        StrategySpec::Pencil(p) => p.sampling,
        _ => unreachable!(),
    }
}

fn distance_to(segs: &[(DVec3, DVec3)], p: DVec3) -> f64 {
    segs.iter()
        .map(|&(a, b)| to_segment(p, a, b))
        .fold(f64::INFINITY, f64::min)
}

/// Every point of the tracks (every 0.02 mm, at its drop-cutter height) lies on the
/// expected track within the tolerance, and every point of the expected track is within
/// the tolerance of a track (the four edges of the floor all round, and the corners).
fn assert_tracks_follow(m: &Model, job: &Job, (want, cover): &(Segments, Segments), name: &str) {
    let res = job.resolve(&m.mesh().bounds()).unwrap();
    let found = tracks(m, job);
    assert!(!found.is_empty(), "{name}: no track");
    let mut dense = Vec::new();
    for t in &found {
        for p in along(t, 0.02) {
            let z = m.drop_cutter(&res[0].cutter, p.x, p.y).unwrap();
            dense.push(DVec3::new(p.x, p.y, z));
        }
    }
    for &p in &dense {
        let d = distance_to(want, p);
        assert!(
            d <= TOL,
            "{name}: track point {p:?} is {d:.4} from the expected track"
        );
    }
    // Coverage: the expected track, every 0.1 mm, against the found tracks' segments.
    let mut got: Vec<(DVec3, DVec3)> = Vec::new();
    for t in &found {
        for w in t.windows(2) {
            got.push((w[0], w[1]));
        }
    }
    for &(a, b) in cover {
        for p in along(&[a, b], 0.1) {
            let d = got
                .iter()
                .map(|&(u, v)| {
                    to_segment(
                        p.truncate().extend(0.0),
                        u.truncate().extend(0.0),
                        v.truncate().extend(0.0),
                    )
                })
                .fold(f64::INFINITY, f64::min);
            assert!(
                d <= TOL,
                "{name}: expected track point {p:?} is {d:.4} from every track"
            );
        }
    }
}

#[test]
fn open_box_track_runs_round_the_floor_and_up_the_corners() {
    let m = model(open_box());
    for min_angle in [20.0, 45.0] {
        let job = pencil_job(PencilSpec {
            min_angle,
            ..spec()
        });
        let want = open_box_track(min_angle, job_sampling(&job));
        assert_tracks_follow(&m, &job, &want, "open box");
    }
}

/// A block 0..40 × 0..30 whose top is a V-groove along Y: planes sloping at ±`deg` down
/// to the line x = 20, z = 5; the block's bottom at z = 0.
fn v_groove(deg: f64) -> Mesh {
    let rise = (20.0 * deg.to_radians().tan()) as f32;
    let (zt, zb) = (5.0 + rise, 5.0f32);
    let p = |x: f32, y: f32, z: f32| [x, y, z];
    let m = quads(&[
        [
            p(0., 0., zt),
            p(20., 0., zb),
            p(20., 30., zb),
            p(0., 30., zt),
        ],
        [
            p(20., 0., zb),
            p(40., 0., zt),
            p(40., 30., zt),
            p(20., 30., zb),
        ],
        [
            p(0., 0., 0.),
            p(0., 30., 0.),
            p(40., 30., 0.),
            p(40., 0., 0.),
        ],
        [p(0., 0., 0.), p(0., 0., zt), p(0., 30., zt), p(0., 30., 0.)],
        [
            p(40., 0., 0.),
            p(40., 30., 0.),
            p(40., 30., zt),
            p(40., 0., zt),
        ],
    ]);
    let mut t = m.triangles().to_vec();
    // The end faces, notched as the groove is.
    for y in [0.0f32, 30.0] {
        for tri in [
            [p(0., y, 0.), p(40., y, 0.), p(20., y, zb)],
            [p(0., y, 0.), p(20., y, zb), p(0., y, zt)],
            [p(40., y, 0.), p(40., y, zt), p(20., y, zb)],
        ] {
            for v in tri {
                t.extend_from_slice(&v);
            }
        }
    }
    Mesh::from_triangles(t).unwrap()
}

/// The V-groove's track: the groove's line, the ball's centre touching both planes, so the
/// tip is `R / cos(deg) − R` above the groove's bottom, from one end of the block to the
/// other (past the ends the ball rests on the notch's two edges, still over x = 20).
#[test]
fn v_groove_track_runs_along_the_bottom_line() {
    for deg in [30.0, 15.0] {
        let m = model(v_groove(deg));
        let job = pencil_job(spec());
        let z = 5.0 + R / deg.to_radians().cos() - R;
        let line = (DVec3::new(20.0, 0.0, z), DVec3::new(20.0, 30.0, z));
        let res = job.resolve(&m.mesh().bounds()).unwrap();
        let found = tracks(&m, &job);
        assert!(!found.is_empty(), "{deg}°: no track");
        for t in &found {
            for p in along(t, 0.02) {
                assert!(
                    (p.x - 20.0).abs() <= TOL,
                    "{deg}°: track point {p:?} off the groove"
                );
                if (0.0..=30.0).contains(&p.y) {
                    let h = m.drop_cutter(&res[0].cutter, p.x, p.y).unwrap();
                    let d = to_segment(DVec3::new(p.x, p.y, h), line.0, line.1);
                    assert!(
                        d <= TOL,
                        "{deg}°: track point {p:?} at z {h} is {d:.4} from the groove's track"
                    );
                }
            }
        }
        // One track covers the whole groove.
        let covered = found.iter().any(|t| {
            let (lo, hi) = t
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                    (l.min(p.y), h.max(p.y))
                });
            lo <= 0.0 && hi >= 30.0
        });
        assert!(covered, "{deg}°: no track runs the groove's length");
    }
}

/// A 15° groove is a crease of 30° between the normals: with `min_angle` over that it is
/// no corner.
#[test]
fn min_angle_decides_what_is_a_corner() {
    let m = model(v_groove(15.0));
    assert!(!tracks(
        &m,
        &pencil_job(PencilSpec {
            min_angle: 25.0,
            ..spec()
        })
    )
    .is_empty());
    assert!(tracks(
        &m,
        &pencil_job(PencilSpec {
            min_angle: 35.0,
            ..spec()
        })
    )
    .is_empty());
}

/// No track on a plane (a slab), a sphere or a box standing on the floor (its outside
/// foot is on the operation's floor, not on the part); the engine says which field to
/// change.
#[test]
fn no_track_on_a_plane_a_sphere_or_a_box_outside() {
    for (name, mesh) in [
        ("plane", demo::cuboid([0.0, 0.0, 0.0], [30.0, 20.0, 0.5])),
        ("tilted plane", v_groove(0.0)),
        ("sphere", demo::sphere([0.0, 0.0, 10.0], 10.0, 48)),
        ("box", demo::cuboid([0.0, 0.0, 0.0], [20.0, 15.0, 10.0])),
    ] {
        let m = model(mesh);
        let job = pencil_job(spec());
        assert!(tracks(&m, &job).is_empty(), "{name}: a track");
        match engine::generate(&m, &job, &mut |_| true) {
            Err(EngineError::NothingToCut(why)) => {
                assert_eq!(why[0].field, "strategy.min_angle", "{name}")
            }
            other => panic!("{name}: {:?}", other.map(|o| o.summary)),
        }
    }
}

/// Depth along the normal by which a ball of radius `R`, tip at `tip`, cuts into the model
/// (`R` less the distance from its centre to the nearest triangle; negative when clear).
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

/// The deepest any cutting move (feed or plunge, every 0.005 mm along it) goes into the
/// model along the normal, and where.
fn worst_gouge(m: &Model, out: &engine::Output) -> (f64, DVec3) {
    let tp = &out.toolpath;
    let cutter = out.resolved[0].cutter;
    let mut worst = (f64::NEG_INFINITY, DVec3::ZERO);
    for i in 1..tp.len() {
        if tp.kind(i) == Move::Rapid {
            continue;
        }
        let p = |k: usize| DVec3::from(tp.point(k).map(f64::from));
        let (a, b) = (p(i - 1), p(i));
        let n = ((a.distance(b) / 0.005).ceil() as usize).max(1);
        for k in 0..=n {
            let c = a.lerp(b, k as f64 / n as f64);
            // The vertical deficit bounds the normal depth: only compute it where needed.
            let deficit = m.drop_cutter(&cutter, c.x, c.y).unwrap_or(f64::MIN) - c.z;
            let d = if deficit > TOL {
                ball_depth(m, c)
            } else {
                deficit.min(0.0)
            };
            if d > worst.0 {
                worst = (d, c);
            }
        }
    }
    worst
}

/// No cutting move goes into the model by more than the tolerance, along the normal, on
/// every model here, with and without passes either side; the verifier, simulating the
/// G-code as written on a 0.05 mm stock, finds no gouge past the tolerance either.
#[test]
fn pencil_never_gouges() {
    for (name, mesh, min_angle) in [
        ("open box", open_box(), 20.0),
        ("v-groove", v_groove(30.0), 20.0),
        ("relief", common::relief(), 20.0),
        // The demo's smooth terrain creases only between its facets: many short tracks.
        ("demo", demo::demo_mesh(), 5.0),
    ] {
        let m = model(mesh);
        let passes: &[u32] = if name == "demo" { &[0] } else { &[0, 2] };
        for &passes in passes {
            let job = pencil_job(PencilSpec {
                passes,
                stepover: 0.5,
                min_angle,
                ..spec()
            });
            let out = engine::generate(&m, &job, &mut |_| true).expect("job runs");
            let feeds = (0..out.toolpath.len())
                .filter(|&i| out.toolpath.kind(i) == Move::Feed)
                .count();
            assert!(feeds > 10, "{name}: {feeds} feed moves");
            let (depth, at) = worst_gouge(&m, &out);
            eprintln!(
                "{name}, {passes} passes: {feeds} feeds, worst normal depth {depth:.4} at {at:?}"
            );
            assert!(
                depth <= TOL,
                "{name}, {passes} passes: cuts {depth:.4} into the model at {at:?}"
            );
            // The check can fail: the same moves 2 tolerances lower do cut.
            let mut low = out.clone();
            low.toolpath = swarf::toolpath::Toolpath::new();
            for i in 0..out.toolpath.len() {
                let mut q = out.toolpath.point(i);
                q[2] -= (2.0 * TOL) as f32;
                low.toolpath.push(out.toolpath.kind(i), q);
            }
            assert!(
                worst_gouge(&m, &low).0 > 1.5 * TOL,
                "{name}: the lowered program passes"
            );
            let cell = if name == "demo" { 0.1 } else { 0.05 };
            let opts = engine::VerifyOptions {
                cell: Some(cell),
                tolerance: TOL,
                ..Default::default()
            };
            let r = engine::verify(&m, &job, &out, &opts, &mut |_| true).expect("verifies");
            let gouges = common::faults(&r);
            assert!(!r.failed(TOL), "{name}, {passes} passes: {gouges:?}");
        }
    }
}

/// Absurd values are refused with the field named, never a panic; cutters other than the
/// ball are refused naming the tool's kind.
#[test]
fn absurd_values_name_their_field() {
    let m = model(open_box());
    let bad = [
        (
            PencilSpec {
                stepover: -1.0,
                passes: 1,
                ..spec()
            },
            "strategy.stepover",
        ),
        (
            PencilSpec {
                stepover: f64::NAN,
                ..spec()
            },
            "strategy.stepover",
        ),
        (
            PencilSpec {
                stepover: 100.0,
                ..spec()
            },
            "strategy.stepover",
        ),
        (
            PencilSpec {
                passes: 1_000_000,
                ..spec()
            },
            "strategy.passes",
        ),
        (
            PencilSpec {
                min_angle: f64::NAN,
                ..spec()
            },
            "strategy.min_angle",
        ),
        (
            PencilSpec {
                min_angle: 0.0,
                ..spec()
            },
            "strategy.min_angle",
        ),
        (
            PencilSpec {
                min_angle: 180.0,
                ..spec()
            },
            "strategy.min_angle",
        ),
        (
            PencilSpec {
                sampling: -0.5,
                ..spec()
            },
            "strategy.sampling",
        ),
        (
            PencilSpec {
                sampling: 50.0,
                ..spec()
            },
            "strategy.sampling",
        ),
        (
            PencilSpec {
                tolerance: f64::INFINITY,
                ..spec()
            },
            "strategy.tolerance",
        ),
        (
            PencilSpec {
                tolerance: 1e-9,
                ..spec()
            },
            "strategy.tolerance",
        ),
    ];
    for (s, field) in bad {
        let job = pencil_job(s.clone());
        match engine::generate(&m, &job, &mut |_| true) {
            Err(EngineError::Job(e)) => assert_eq!(e.field, field, "{s:?}: {}", e.message),
            other => panic!("{s:?}: {:?}", other.map(|o| o.summary)),
        }
    }
    for kind in [ToolKind::Flat, ToolKind::Bull, ToolKind::Cone] {
        let mut job = pencil_job(spec());
        job.tool.kind = kind;
        match engine::generate(&m, &job, &mut |_| true) {
            Err(EngineError::Job(e)) => {
                assert_eq!(e.field, "tool.kind", "{kind:?}");
                assert!(e.message.contains("ball"), "{}", e.message);
            }
            other => panic!("{kind:?}: {:?}", other.map(|o| o.summary)),
        }
    }
    // Passes that are not a whole number do not read.
    let json = r#"{"strategy": {"type": "pencil", "passes": -1}}"#;
    assert!(Job::from_json(json).is_err());
}

/// Progress runs from 0 to 1, and returning `false` cancels at once.
#[test]
fn progress_and_cancel() {
    let m = model(open_box());
    let job = pencil_job(spec());
    let mut seen = Vec::new();
    engine::generate(&m, &job, &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert!(
        seen.len() > 3 && seen.windows(2).all(|w| w[0] <= w[1]),
        "{seen:?}"
    );
    assert_eq!(seen.last(), Some(&1.0));
    let mut calls = 0;
    let r = engine::generate(&m, &job, &mut |_| {
        calls += 1;
        calls < 3
    });
    assert!(
        matches!(r, Err(EngineError::Cancelled)),
        "{:?}",
        r.map(|o| o.summary)
    );
    assert_eq!(calls, 3);
}

/// The toolpath: tracks nearest-first, the tool lifting between two only when the next is
/// more than a cutter diameter away (otherwise a feed over the surface joins them); the
/// cut ends at safe height. In the open box the eight tracks (four floor edges, four
/// corners) take at most two plunges.
#[test]
fn lifts_only_between_distant_tracks() {
    let m = model(open_box());
    let out = engine::generate(&m, &pencil_job(spec()), &mut |_| true).unwrap();
    let tp = &out.toolpath;
    let plunges: Vec<usize> = (0..tp.len())
        .filter(|&i| tp.kind(i) == Move::Plunge)
        .collect();
    assert!(
        !plunges.is_empty() && plunges.len() <= 2,
        "{} plunges",
        plunges.len()
    );
    for &i in &plunges[1..] {
        // Back from the plunge: the rapid to above it, the lift, the last cutting point.
        let from = tp.point(i - 3);
        let to = tp.point(i);
        let d = (from[0] - to[0]).hypot(from[1] - to[1]) as f64;
        assert!(d > 2.0 * R, "a lift for a track {d:.3} away");
    }
    assert_eq!(tp.kind(tp.len() - 1), Move::Rapid);
    assert_eq!(
        tp.point(tp.len() - 1)[2] as f64,
        out.resolved[0].safe_height
    );
}

/// A round pin (radius 1, 64 facets, 8 high) on a plate: the track is the circle round its
/// foot, `R` from the wall with the tip on the plate — every point of it, between track
/// points too (no climb onto the boss's rim where a chord cuts inside the circle).
#[test]
fn boss_track_is_a_circle_round_its_foot() {
    let (r, seg, plate) = (1.0, 64, 2.0);
    let m = model(Mesh::merged(&[
        demo::cuboid([-15.0, -15.0, 0.0], [15.0, 15.0, plate as f32]),
        demo::cylinder(0.0, 0.0, r as f32, plate as f32, 10.0, seg),
    ]));
    let job = pencil_job(spec());
    let res = job.resolve(&m.mesh().bounds()).unwrap();
    let found = tracks(&m, &job);
    assert_eq!(found.len(), 1, "one closed track");
    let inner = r * (std::f64::consts::PI / seg as f64).cos() + R;
    let mut turned = 0.0;
    for t in &found {
        for p in along(t, 0.02) {
            let z = m.drop_cutter(&res[0].cutter, p.x, p.y).unwrap();
            let d = p.truncate().length();
            assert!(
                (inner - TOL..=r + R + TOL).contains(&d) && (z - plate).abs() <= TOL,
                "track point {p:?} at z {z}: {d:.4} from the axis"
            );
        }
        for w in t.windows(2) {
            turned += w[0].truncate().angle_to(w[1].truncate());
        }
    }
    assert!(
        (turned.abs() - std::f64::consts::TAU).abs() < 0.05,
        "turned {turned}"
    );
    // The whole program stays on the plate: no feed climbs the boss.
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    let tp = &out.toolpath;
    for i in 0..tp.len() {
        if tp.kind(i) == Move::Feed {
            assert!(
                (tp.point(i)[2] as f64 - plate).abs() <= TOL,
                "{:?}",
                tp.point(i)
            );
        }
    }
}

/// Jobs at the edges of what is accepted (a fine grid, a hundred passes, every facet a
/// corner) are refused naming a field, or report progress at least every 2 s and stop
/// when cancelled (here after 3 s).
#[test]
fn hostile_jobs_are_refused_or_report_progress() {
    use std::time::{Duration, Instant};
    let m = model(common::relief());
    for s in [
        PencilSpec {
            sampling: 0.001,
            tolerance: 0.0001,
            ..spec()
        },
        PencilSpec {
            sampling: 0.02,
            tolerance: 0.0001,
            min_angle: 1.0,
            ..spec()
        },
        PencilSpec {
            passes: 100,
            stepover: 0.01,
            min_angle: 1.0,
            ..spec()
        },
    ] {
        let job = pencil_job(s.clone());
        let start = Instant::now();
        let mut last = Instant::now();
        let mut longest = Duration::ZERO;
        let r = engine::generate(&m, &job, &mut |_| {
            longest = longest.max(last.elapsed());
            last = Instant::now();
            start.elapsed() < Duration::from_secs(3)
        });
        longest = longest.max(last.elapsed());
        eprintln!(
            "{s:?}: {:?} in {:?}, longest silence {longest:?}",
            r.as_ref().map(|o| o.summary.points),
            start.elapsed()
        );
        match r {
            Err(EngineError::Job(e)) => assert!(e.field.starts_with("strategy."), "{e:?}"),
            Ok(_) | Err(EngineError::Cancelled) => {
                assert!(
                    longest < Duration::from_secs(5),
                    "{longest:?} without a progress report"
                )
            }
            Err(e) => panic!("{e}"),
        }
    }
}

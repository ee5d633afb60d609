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
use swarf::geom::{DVec2, DVec3};
use swarf::job::{Job, ModelTransform, PencilSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
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
fn open_box_track(min_angle: f64, sampling: f64) -> (Vec<(DVec3, DVec3)>, Vec<(DVec3, DVec3)>) {
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
fn assert_tracks_follow(
    m: &Model,
    job: &Job,
    (want, cover): &(Vec<(DVec3, DVec3)>, Vec<(DVec3, DVec3)>),
    name: &str,
) {
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

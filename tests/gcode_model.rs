//! Generated programs, read back by LinuxCNC's own interpreter: every cutting move must stay
//! on or above the drop-cutter surface (no gouge) and above the floor, for every cutter.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274::{self, Kind};
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::index::Index;
use swarf::job::{
    Direction, Job, ModelTransform, Pattern, PencilSpec, ScallopSpec, SteepSpec, StrategySpec,
    ToolKind,
};
use swarf::mesh::Mesh;
use swarf::post::Units;

/// A scene with the features that make drop-cutters gouge: a vertical-walled box, a sphere,
/// a sharp ridge and a relief.
fn scene() -> Mesh {
    Mesh::merged(&[
        demo::height_field(24, 24, 60.0, 60.0, |x, y| {
            3.0 + 1.5 * (x * 0.3).sin() * (y * 0.2).cos()
                + if (x - 30.0).abs() < 2.5 { 4.0 } else { 0.0 }
        }),
        demo::cuboid([8.0, 8.0, 0.0], [20.0, 16.0, 12.0]),
        demo::sphere([42.0, 42.0, 6.0], 8.0, 32),
    ])
}

/// The highest the path sits below the drop-cutter surface, over all feed moves sampled every
/// `step` along each segment. With `beside` > 0, a point below it is measured by the least
/// deficit within `beside` of it seen from above: at a vertical wall a waterline point
/// rounded to the program's 0.001, or an arc fitted within the tolerance, is below the
/// drop-cutter surface by the wall's height however little it overlaps the wall.
fn worst_gouge(
    model: &Model,
    job: &Job,
    moves: &[rs274::CanonMove],
    step: f64,
    beside: f64,
) -> (f64, [f64; 3]) {
    let cutter = job.tool.cutter().unwrap();
    let floor = model.mesh().bounds().min[2] as f64;
    let mut worst = (f64::NEG_INFINITY, [0.0; 3]);
    for w in moves.windows(2) {
        if w[1].kind != Kind::Feed {
            continue;
        }
        let (a, b) = (w[0].xyz, w[1].xyz);
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let n = ((len / step).ceil() as usize).max(1);
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let p = [
                a[0] + (b[0] - a[0]) * t,
                a[1] + (b[1] - a[1]) * t,
                a[2] + (b[2] - a[2]) * t,
            ];
            let mut below = common::drop_within_rounding(model, &cutter, p[0], p[1], floor) - p[2];
            if beside > 0.0 && below > 0.0 {
                for k in 0..16 {
                    let (sn, cs) = (k as f64 * std::f64::consts::PI / 8.0).sin_cos();
                    let (x, y) = (p[0] + beside * cs, p[1] + beside * sn);
                    let h = common::drop_within_rounding(model, &cutter, x, y, floor);
                    below = below.min(h - p[2]);
                }
            }
            if below > worst.0 {
                worst = (below, p);
            }
        }
    }
    worst
}

fn check(kind: ToolKind, direction: Direction, pattern: Pattern) {
    let Some(rs) = rs274::available() else {
        return;
    };
    let mut job = Job::default();
    job.tool.kind = kind;
    job.tool.diameter = 6.0;
    job.tool.corner_radius = 1.5;
    job.tool.angle = 60.0;
    let StrategySpec::Parallel(p) = &mut job.strategy else {
        unreachable!()
    };
    p.stepover = 1.5;
    p.sampling = 0.5;
    p.tolerance = 0.01;
    p.direction = direction;
    p.pattern = pattern;
    check_job(
        &rs,
        &job,
        &format!("{kind:?} {direction:?} {pattern:?}"),
        0.0,
    );
}

/// Runs `job` on the scene through rs274 and checks its moves (`beside`: see
/// [`worst_gouge`]).
fn check_job(rs: &std::path::Path, job: &Job, name: &str, beside: f64) {
    let tolerance = match &job.strategy {
        StrategySpec::Parallel(p) => p.tolerance,
        StrategySpec::Pencil(p) => p.tolerance,
        StrategySpec::Scallop(p) => p.tolerance,
        StrategySpec::Steep(p) => p.tolerance,
        _ => unreachable!(),
    };
    let model = Model::new(scene(), &ModelTransform::default(), Units::Mm).unwrap();
    let out = engine::generate(&model, job, &mut |_| true).unwrap();
    let run = rs274::run(rs, &out.gcode).unwrap_or_else(|e| panic!("rs274 refused: {e}"));
    assert!(run.program_ended);
    let feeds = run.moves.iter().filter(|m| m.kind == Kind::Feed).count();
    assert!(feeds > 100, "only {feeds} feed moves");
    let safe = out.resolved[0].safe_height;
    let floor = out.resolved[0].floor;
    for m in &run.moves {
        assert!(
            m.xyz[2] >= floor - 1e-3,
            "{name}: below the floor at {:?}",
            m.xyz
        );
        if m.kind == Kind::Traverse {
            // Rapids only at safe height, or straight down towards it.
            assert!(m.xyz[2] >= safe - 1e-3 || m.xyz[2] > model.mesh().bounds().max[2] as f64);
        }
    }
    // Output rounds to 0.001 and the path is linear between samples refined to the
    // tolerance: allow the tolerance plus rounding.
    let (gouge, at) = worst_gouge(&model, job, &run.moves, 0.05, beside);
    assert!(
        gouge <= tolerance + 0.002,
        "{name}: path is {gouge:.4} below the cutter surface at {at:?}"
    );
}

/// Pencil finishing with two passes either side: the tracks round the box's foot and along
/// the ridge's, read back by the interpreter, never below the cutter surface.
#[test]
fn ball_pencil_never_gouges() {
    let Some(rs) = rs274::available() else {
        return;
    };
    let mut job = Job::default();
    job.tool.kind = ToolKind::Ball;
    job.tool.diameter = 6.0;
    job.strategy = StrategySpec::Pencil(PencilSpec {
        passes: 2,
        stepover: 0.75,
        ..PencilSpec::default()
    });
    check_job(&rs, &job, "pencil", 0.0);
}

/// Steep and shallow: waterline pieces on the box's walls, the sphere's flanks and the
/// ridge's sides, raster runs on the rest, with a ball and a flat end mill, read back by
/// the interpreter, never below the cutter surface.
#[test]
fn steep_and_shallow_never_gouges() {
    let Some(rs) = rs274::available() else {
        return;
    };
    for (kind, direction) in [
        (ToolKind::Ball, Direction::X),
        (ToolKind::Flat, Direction::Xy),
    ] {
        let mut job = Job::default();
        job.tool.kind = kind;
        job.tool.diameter = 6.0;
        job.strategy = StrategySpec::Steep(SteepSpec {
            direction,
            stepover: 1.5,
            stepdown: 1.5,
            ..SteepSpec::default()
        });
        // Its waterline pieces stand a micron off the walls, rounded to 0.001 and fitted
        // with arcs within the tolerance.
        check_job(&rs, &job, &format!("steep {kind:?} {direction:?}"), 0.01);
    }
}

/// Constant-scallop finishing: loops offset inwards along the surface, read back by the
/// interpreter, never below the cutter surface.
#[test]
fn ball_scallop_never_gouges() {
    let Some(rs) = rs274::available() else {
        return;
    };
    let mut job = Job::default();
    job.tool.kind = ToolKind::Ball;
    job.tool.diameter = 6.0;
    job.strategy = StrategySpec::Scallop(ScallopSpec {
        scallop: 0.05,
        sampling: 0.5,
        ..ScallopSpec::default()
    });
    check_job(&rs, &job, "scallop", 0.0);
}

#[test]
fn ball_zigzag_x_never_gouges() {
    check(ToolKind::Ball, Direction::X, Pattern::Zigzag);
}

#[test]
fn flat_oneway_y_never_gouges() {
    check(ToolKind::Flat, Direction::Y, Pattern::Oneway);
}

#[test]
fn bull_crosshatch_never_gouges() {
    check(ToolKind::Bull, Direction::Xy, Pattern::Zigzag);
}

#[test]
fn ball_spiral_never_gouges() {
    check(ToolKind::Ball, Direction::Spiral, Pattern::Zigzag);
}

#[test]
fn flat_spiral_conventional_never_gouges_and_never_lifts() {
    check(ToolKind::Flat, Direction::Spiral, Pattern::Oneway);
}

#[test]
fn cone_zigzag_y_never_gouges() {
    check(ToolKind::Cone, Direction::Y, Pattern::Zigzag);
}

#[test]
fn drop_cutter_is_the_same_through_the_engine() {
    // The engine's index answers as a brute-force scan of the same (reordered) mesh.
    let model = Model::new(scene(), &ModelTransform::default(), Units::Mm).unwrap();
    let c = swarf::cutter::Cutter::bull(6.0, 1.0).unwrap();
    for i in 0..200 {
        let (x, y) = (i as f64 * 0.31 % 60.0, i as f64 * 0.17 % 60.0);
        let a = model.index().drop_cutter(model.mesh(), &c, x, y).unwrap();
        let b = Index::drop_cutter_brute_force(model.mesh(), &c, x, y).unwrap();
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
}

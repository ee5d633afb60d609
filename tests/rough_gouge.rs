//! Roughing never cuts into the stock to leave, checked over whole moves.
//!
//! Every feed and plunge is sampled densely along its length (every 0.05 mm) and the tool at
//! each sample is compared with the drop-cutter height of the cutter grown by the stock to
//! leave (written out here independently of the engine). The vertical depth below that
//! height bounds the depth along the surface normal from above (the normal is never longer
//! than the vertical to the same surface), so a vertical depth within the tolerance means a
//! normal depth within it too. The bound asked for is the job's tolerance (0.02 mm):
//! region boundaries are chords of the true free region, within that.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::cutter::{Cutter, Shape};
use swarf::demo;
use swarf::engine::{self, Model, Output};
use swarf::job::{ClearPattern, Job, ModelTransform, RoughSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::post::Units;
use swarf::toolpath::Move;

/// The tool grown by `a`: ball and round shapes grow exactly; a cone by its parallel cone.
fn grown(tool: &Cutter, a: f64) -> (Cutter, f64) {
    let d = 2.0 * (tool.radius() + a);
    match tool.shape() {
        Shape::Ball => (Cutter::ball(d).unwrap(), a),
        Shape::Flat => (Cutter::bull(d, a).unwrap(), a),
        Shape::Bull { corner_radius } => (Cutter::bull(d, corner_radius + a).unwrap(), a),
        Shape::Cone { angle_deg } => (
            Cutter::cone(d, angle_deg).unwrap(),
            a / (angle_deg / 2.0).to_radians().sin(),
        ),
    }
}

/// The deepest a cutting move reaches below the grown tool's height, the point where it
/// does, and the length of cutting moves that go deeper than `tol` there.
fn worst_gouge(model: &Model, out: &Output, a: f64, tol: f64) -> (f64, [f64; 3], f64) {
    let res = &out.resolved[0];
    let (check, lift) = grown(&res.cutter, a);
    // Arcs (fitted by default) as the straight moves within a micron of them.
    let tp = &out.toolpath.flattened(1e-3);
    let step = std::env::var("SWARF_GOUGE_STEP")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.05);
    let mut worst = (f64::NEG_INFINITY, [0.0; 3]);
    let mut bad_len = 0.0;
    for i in 1..tp.len() {
        if tp.kind(i) == Move::Rapid {
            continue;
        }
        let (p0, p1) = (tp.point(i - 1).map(f64::from), tp.point(i).map(f64::from));
        let len = (p1[0] - p0[0]).hypot(p1[1] - p0[1]).hypot(p1[2] - p0[2]);
        let n = ((len / step).ceil() as usize).max(1);
        for k in 0..=n {
            let t = k as f64 / n as f64;
            let p = [0, 1, 2].map(|c| p0[c] + (p1[c] - p0[c]) * t);
            let drop = |x: f64, y: f64| {
                model
                    .drop_cutter(&check, x, y)
                    .unwrap_or(res.floor - lift)
                    .max(res.floor - lift)
                    + lift
            };
            let mut d = drop(p[0], p[1]) - p[2];
            if d > 0.0 {
                // Beside a vertical wall the G-code's XY rounding alone moves the height.
                d = common::drop_within_rounding(model, &check, p[0], p[1], res.floor - lift)
                    + lift
                    - p[2];
            }
            if d > worst.0 {
                worst = (d, p);
            }
            if d > tol && k > 0 {
                bad_len += len / n as f64;
            }
        }
    }
    (worst.0, worst.1, bad_len)
}

fn rough_job(kind: ToolKind, diameter: f64, spec: RoughSpec) -> Job {
    let mut job = Job::default();
    job.tool.kind = kind;
    job.tool.diameter = diameter;
    job.strategy = StrategySpec::Rough(spec);
    job
}

fn run(mesh: Mesh, job: &Job) -> (Model, Output) {
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
    let out = engine::generate(&model, job, &mut |_| true).unwrap();
    (model, out)
}

/// The benchmark terrain with a 3 mm ball, stepover ratio 0.15 (the bunny job):
/// round the dome the islands' offsets meet, the offset library lost a bay between them at
/// ring 25 and carried its closing chord through the dome island: 1.70 mm deep at
/// Z 16.72, over 536 mm of moves. Only the layers round that one are cut, to keep the test
/// short.
#[test]
fn rings_keep_out_of_islands_whose_offsets_merge() {
    let spec = RoughSpec {
        stock_to_leave: 0.2,
        stepdown: 0.5,
        stepover_ratio: 0.15,
        sampling: 0.5,
        z_bottom: Some(16.2),
        pattern: ClearPattern::Offset,
        ..RoughSpec::default()
    };
    let job = rough_job(ToolKind::Ball, 3.0, spec.clone());
    let (model, out) = run(demo::demo_mesh(), &job);
    assert!(out.summary.feed_length > 1000.0, "{:?}", out.summary);
    let (d, p, len) = worst_gouge(&model, &out, spec.stock_to_leave, spec.tolerance);
    assert!(
        d <= spec.tolerance,
        "{d:.4} into the stock to leave at {p:?} ({len:.1} mm of moves deeper than {})",
        spec.tolerance
    );
}

/// The benchmark terrain with a 12 mm ball, stepdown 0.3 and stepover ratio 0.1, on its
/// lowest layers, where the region is a band round the part: the rings must run outside
/// the part's edge, never along it inside.
#[test]
fn open_terrain_rings_stay_outside_the_part() {
    let spec = RoughSpec {
        stock_to_leave: 0.2,
        stepdown: 0.3,
        stepover_ratio: 0.1,
        z_top: Some(6.0),
        pattern: ClearPattern::Offset,
        ..RoughSpec::default()
    };
    let job = rough_job(ToolKind::Ball, 12.0, spec.clone());
    let (model, out) = run(demo::demo_mesh(), &job);
    assert!(out.summary.feed_length > 1000.0, "{:?}", out.summary);
    let (d, p, len) = worst_gouge(&model, &out, spec.stock_to_leave, spec.tolerance);
    assert!(
        d <= spec.tolerance,
        "{d:.4} into the stock to leave at {p:?} ({len:.1} mm of moves deeper than {})",
        spec.tolerance
    );
}

/// The same terrain cleared in zigzag rows, whose ends are now joined at feed along the
/// region's boundary where they can be (issue 12, part 5): no move, links included, cuts
/// into the stock to leave along the normal.
#[test]
fn open_terrain_zigzag_links_stay_outside_the_part() {
    let spec = RoughSpec {
        stock_to_leave: 0.2,
        stepdown: 0.3,
        stepover_ratio: 0.1,
        z_top: Some(6.0),
        pattern: ClearPattern::Zigzag,
        ..RoughSpec::default()
    };
    let job = rough_job(ToolKind::Ball, 12.0, spec.clone());
    let (model, out) = run(demo::demo_mesh(), &job);
    assert!(out.summary.feed_length > 1000.0, "{:?}", out.summary);
    eprintln!("zigzag on the terrain: {:?}", out.summary);
    let (d, p, len) = worst_gouge(&model, &out, spec.stock_to_leave, spec.tolerance);
    assert!(
        d <= spec.tolerance,
        "{d:.4} into the stock to leave at {p:?} ({len:.1} mm of moves deeper than {})",
        spec.tolerance
    );
}

/// The terrain cleared adaptively (issue 12, part 1): passes, links through cleared area,
/// helices and the wall rings keep the stock to leave along the normal.
#[test]
fn open_terrain_adaptive_stays_outside_the_part() {
    let spec = RoughSpec {
        stock_to_leave: 0.2,
        stepdown: 1.5,
        stepover_ratio: 0.2,
        z_top: Some(9.0),
        pattern: ClearPattern::Adaptive,
        ..RoughSpec::default()
    };
    let job = rough_job(ToolKind::Ball, 6.0, spec.clone());
    let (model, out) = run(demo::demo_mesh(), &job);
    assert!(out.summary.feed_length > 1000.0, "{:?}", out.summary);
    eprintln!("adaptive on the terrain: {:?}", out.summary);
    let (d, p, len) = worst_gouge(&model, &out, spec.stock_to_leave, spec.tolerance);
    assert!(
        d <= spec.tolerance,
        "{d:.4} into the stock to leave at {p:?} ({len:.1} mm of moves deeper than {})",
        spec.tolerance
    );
}

/// Checks any model and job by hand: `SWARF_PROBE_STL=m.stl SWARF_PROBE_JOB='{...}' cargo
/// test --release --test rough_gouge -- --ignored --nocapture probe`.
#[test]
#[ignore]
fn probe() {
    let path = std::env::var("SWARF_PROBE_STL").unwrap();
    let job = Job::from_json(&std::env::var("SWARF_PROBE_JOB").unwrap()).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let mesh = swarf::mesh::stl::parse_stl(&bytes, &Default::default()).unwrap();
    let model = Model::new(mesh, &job.model, job.units).unwrap();
    let t = std::time::Instant::now();
    let out = engine::generate(&model, &job, &mut |_| true).unwrap();
    eprintln!(
        "{:.2} s, {} points",
        t.elapsed().as_secs_f64(),
        out.toolpath.len()
    );
    let StrategySpec::Rough(sp) = &job.strategy else {
        panic!()
    };
    let (d, p, len) = worst_gouge(&model, &out, sp.stock_to_leave, sp.tolerance);
    eprintln!(
        "worst {d:.4} at {p:?}, {len:.2} mm deeper than {}",
        sp.tolerance
    );
}

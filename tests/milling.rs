//! Climb and conventional mean what a machinist means: with the spindle turning clockwise
//! (M3), climb milling has the material being cut on the tool's right (G41), so each tooth
//! enters at full chip thickness and leaves the finished surface at zero.

use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::{
    Direction, Job, Milling, ModelTransform, ParallelSpec, Pattern, StrategySpec, ToolKind,
    ToolSpec, WaterlineSpec,
};
use swarf::post::Units;
use swarf::toolpath::Move;

fn cylinder() -> Model {
    Model::new(
        demo::cylinder(50.0, 50.0, 15.0, 0.0, 20.0, 64),
        &ModelTransform::default(),
        Units::Mm,
    )
    .unwrap()
}

/// Signed area swept by the feed moves round (50, 50) at one level: negative clockwise.
fn turning(out: &engine::Output, z: f32) -> f64 {
    let tp = &out.toolpath;
    let mut a = 0.0;
    for i in 1..tp.len() {
        let (p, q) = (tp.point(i - 1), tp.point(i));
        // At the level (its contours are cut a millionth above it, off the flats).
        let at = |v: f32| (v - z).abs() < 1e-3;
        if tp.kind(i) == Move::Feed && at(p[2]) && at(q[2]) {
            let (px, py) = (p[0] as f64 - 50.0, p[1] as f64 - 50.0);
            let (qx, qy) = (q[0] as f64 - 50.0, q[1] as f64 - 50.0);
            a += px * qy - qx * py;
        }
    }
    a
}

#[test]
fn waterline_climb_runs_clockwise_round_the_part() {
    let m = cylinder();
    for (milling, sign) in [(Milling::Climb, -1.0), (Milling::Conventional, 1.0)] {
        let job = Job {
            tool: ToolSpec {
                kind: ToolKind::Flat,
                diameter: 6.0,
                ..ToolSpec::default()
            },
            strategy: StrategySpec::Waterline(WaterlineSpec {
                levels: vec![10.0],
                milling,
                ..WaterlineSpec::default()
            }),
            ..Job::default()
        };
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let t = turning(&out, 10.0);
        assert!(t * sign > 0.0, "{milling:?}: turning {t}");
    }
}

#[test]
fn parallel_one_way_climb_has_the_uncut_side_on_the_right() {
    let m = cylinder();
    // Lines along X step towards +Y: the uncut material is on +Y, so climb runs −X.
    for (dir, milling, want) in [
        (Direction::X, Milling::Climb, [-1.0, 0.0]),
        (Direction::X, Milling::Conventional, [1.0, 0.0]),
        (Direction::Y, Milling::Climb, [0.0, 1.0]),
    ] {
        let job = Job {
            strategy: StrategySpec::Parallel(ParallelSpec {
                direction: dir,
                pattern: Pattern::Oneway,
                milling,
                stepover: 3.0,
                ..ParallelSpec::default()
            }),
            ..Job::default()
        };
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let tp = &out.toolpath;
        let mut along = [0.0f64; 2];
        for i in 1..tp.len() {
            if tp.kind(i) == Move::Feed {
                let (p, q) = (tp.point(i - 1), tp.point(i));
                along[0] += (q[0] - p[0]) as f64;
                along[1] += (q[1] - p[1]) as f64;
            }
        }
        let dot = along[0] * want[0] + along[1] * want[1];
        assert!(dot > 0.0, "{dir:?} {milling:?}: feeds run {along:?}");
    }
}

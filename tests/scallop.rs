//! Constant-scallop finishing (issue 12, parts 4 and 6): the ridge left between passes on a
//! hemisphere stays within the scallop asked for, on its flat top and on its steep sides
//! alike, where parallel finishing at the same stepover leaves ridges many times higher.
//!
//! The part: a hemisphere of radius 20 (256 segments: its facets lie within 0.0015 of the
//! true sphere) standing on a slab. Each program is run on a height-field stock
//! (`sim::Stock`, exact swept volumes on 0.04 mm cells); the material left over every cell
//! centre on the hemisphere up to 65° of slope is measured along the sphere's normal, as
//! the distance from the centre minus the radius (plus the facets' sag, so the measure
//! errs high).
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::demo;
use swarf::engine::{self, EngineError, Model, Output};
use swarf::job::{Job, Milling, ModelTransform, ParallelSpec, ScallopSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::sim::Stock;
use swarf::strategy::scallop::chord;
use swarf::toolpath::Move;
use swarf::units::Units;

const RHO: f64 = 20.0;
const SEGMENTS: usize = 256;
const R: f64 = 3.0;
const H: f64 = 0.01;

/// The facets' largest distance inside the true sphere.
fn sag() -> f64 {
    RHO * (1.0 - (std::f64::consts::PI / SEGMENTS as f64).cos())
}

fn hemisphere() -> Model {
    let mesh = Mesh::merged(&[
        demo::cuboid([-30.0, -30.0, -5.0], [30.0, 30.0, 0.0]),
        demo::sphere([0.0, 0.0, 0.0], RHO as f32, SEGMENTS),
    ]);
    Model::new(mesh, &ModelTransform::default(), Units::Mm).expect("model")
}

fn job(strategy: StrategySpec) -> Job {
    let mut job = Job {
        strategy,
        ..Job::default()
    };
    job.tool.kind = ToolKind::Ball;
    job.tool.diameter = 2.0 * R;
    job.bounds.min = Some([-26.0, -26.0]);
    job.bounds.max = Some([26.0, 26.0]);
    job.bounds.margin = Some(0.0);
    job.bounds.floor = Some(0.0);
    job
}

fn scallop_job(milling: Milling) -> Job {
    job(StrategySpec::Scallop(ScallopSpec {
        scallop: H,
        milling,
        ..ScallopSpec::default()
    }))
}

/// The highest material left on the hemisphere up to `max_slope` degrees, measured along
/// the normal (see the module doc), with the slope where it is.
fn ridges(out: &Output, max_slope: f64) -> (f64, f64) {
    let c = swarf::cutter::Cutter::ball(2.0 * R).unwrap();
    let mut s = Stock::new([-22.0, -22.0], [22.0, 22.0], 25.0, 0.04).unwrap();
    s.run(&c, &out.toolpath, &mut |_| true).unwrap();
    let reach = RHO * max_slope.to_radians().sin();
    let mut worst = (0.0f64, 0.0);
    for j in 0..s.ny() {
        for i in 0..s.nx() {
            let [x, y] = s.centre(i, j);
            let r = x.hypot(y);
            if r > reach {
                continue;
            }
            let z = f64::from(s.height(i, j));
            let left = (r.hypot(z) - RHO) + sag();
            if left > worst.0 {
                worst = (left, (r / RHO).asin().to_degrees());
            }
        }
    }
    worst
}

#[test]
fn the_scallop_stays_within_its_height_on_flat_and_steep_alike() {
    let m = hemisphere();
    let out = engine::generate(&m, &scallop_job(Milling::Climb), &mut |_| true).unwrap();
    let (worst, slope) = ridges(&out, 65.0);
    eprintln!(
        "scallop {H}: highest ridge {worst:.4} at {slope:.0}° of slope, {} points, feed {:.0} mm",
        out.summary.points, out.summary.feed_length
    );
    assert!(
        worst <= H,
        "a ridge {worst:.4} high at {slope:.0}° of slope"
    );
    // Not vacuous: the ridges are there, most of the height asked for.
    assert!(worst > 0.5 * H, "{worst}");
}

#[test]
fn parallel_finishing_at_the_same_stepover_leaves_higher_ridges_on_the_sides() {
    let m = hemisphere();
    // Parallel at the chord itself: the spacing that leaves `H` on a flat.
    let step = chord(R, H);
    let par = job(StrategySpec::Parallel(ParallelSpec {
        stepover: step,
        sampling: 0.25,
        ..ParallelSpec::default()
    }));
    let out = engine::generate(&m, &par, &mut |_| true).unwrap();
    let (flat, _) = ridges(&out, 10.0);
    let (steep, slope) = ridges(&out, 65.0);
    eprintln!("parallel at {step:.4}: {flat:.4} on the top, {steep:.4} at {slope:.0}°");
    assert!(flat <= H, "{flat}");
    assert!(steep > 3.0 * H, "{steep} at {slope:.0}°");
}

#[test]
fn passes_never_gouge_and_run_through_rs274() {
    let m = hemisphere();
    for milling in [Milling::Climb, Milling::Conventional] {
        let job = scallop_job(milling);
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let report = engine::verify(&m, &job, &out, &Default::default(), &mut |_| true).unwrap();
        let bad = common::faults(&report);
        assert!(
            bad.is_empty(),
            "{milling:?}: {:?}",
            &bad[..bad.len().min(3)]
        );
        // Along every move, the tool is never below the drop-cutter height (checked every
        // 0.05 mm), within the refinement's tolerance.
        let c = swarf::cutter::Cutter::ball(2.0 * R).unwrap();
        let mut worst = 0.0f64;
        for s in out.toolpath.steps().filter(|s| s.kind == Move::Feed) {
            let n = (s.length() / 0.05).ceil().max(1.0) as usize;
            for k in 0..=n {
                let p = s.at(k as f64 / n as f64);
                let z = m.drop_cutter(&c, p[0], p[1]).unwrap_or(0.0).max(0.0);
                worst = worst.max(z - p[2]);
            }
        }
        assert!(
            worst <= 0.011,
            "{milling:?}: {worst} below the cutter surface"
        );
        // Loops run clockwise for climb: the first pass's signed area.
        let first: Vec<[f64; 2]> = out
            .toolpath
            .steps()
            .skip_while(|s| s.kind != Move::Plunge)
            .skip(1)
            .take_while(|s| s.kind == Move::Feed)
            .map(|s| [s.to[0], s.to[1]])
            .collect();
        let area: f64 = (0..first.len())
            .map(|k| {
                let (a, b) = (first[k], first[(k + 1) % first.len()]);
                a[0] * b[1] - a[1] * b[0]
            })
            .sum();
        match milling {
            Milling::Climb => assert!(area < 0.0, "climb runs clockwise: {area}"),
            Milling::Conventional => assert!(area > 0.0, "conventional anticlockwise: {area}"),
        }
        if let Some(rs) = common::rs274::available() {
            common::rs274::run(&rs, &out.gcode).expect("rs274 reads the scallop program");
        }
    }
}

#[test]
fn bad_values_are_refused_at_their_fields() {
    let m = hemisphere();
    let field = |j: &Job| match engine::generate(&m, j, &mut |_| true) {
        Err(EngineError::Job(e)) => e.field,
        other => panic!("{:?}", other.map(|o| o.summary)),
    };
    for bad in [0.0, -1.0, f64::NAN, 4.0] {
        let j = job(StrategySpec::Scallop(ScallopSpec {
            scallop: bad,
            ..ScallopSpec::default()
        }));
        assert_eq!(field(&j), "strategy.scallop", "{bad}");
    }
    // Passes closer than the sampling.
    let j = job(StrategySpec::Scallop(ScallopSpec {
        scallop: 1e-4,
        ..ScallopSpec::default()
    }));
    assert_eq!(field(&j), "strategy.scallop");
    let mut j = scallop_job(Milling::Climb);
    j.tool.kind = ToolKind::Flat;
    assert_eq!(field(&j), "tool.kind");
}

#[test]
fn progress_rises_and_cancel_stops() {
    let m = hemisphere();
    let job = scallop_job(Milling::Climb);
    let mut seen = Vec::new();
    engine::generate(&m, &job, &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert!(seen.windows(2).all(|w| w[1] >= w[0]), "never backwards");
    assert!(seen.len() > 10);
    for stop in [0.3, 0.6, 0.9] {
        let e = engine::generate(&m, &job, &mut |f| f < stop).unwrap_err();
        assert!(matches!(e, EngineError::Cancelled), "{stop}: {e}");
    }
}

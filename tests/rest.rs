//! Rest machining (issue 12, part 2): an operation of a chain cut only where the earlier
//! operations left material.
//!
//! The part is a block 40 × 30 × 15 with a pocket 20 × 14 down to z = 5 whose inside
//! corners are sharp: a 6 mm tool leaves a fillet of its radius in each, a 3 mm (or 2 mm) tool
//! takes most of it. Each test runs the same chain twice, with the second operation in full
//! and as rest machining, and simulates both on the stock (`sim::Stock`, exact swept volumes
//! on 0.1 mm cells) to check:
//! * nothing is lost: the stock after the rest chain is within the threshold of the stock
//!   after the full chain everywhere;
//! * nothing is cut twice: measured by brute force here (the tool's profile over every cell
//!   centre within its reach, every 0.05 mm along each move), every move of the rest program
//!   either removes material the first tool left or is a link through air, and the links are
//!   a small part of the feed;
//! * the rest program is a fraction of the full one.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, EngineError, Model, Output};
use swarf::job::{
    Job, ModelTransform, Operation, ParallelSpec, RoughSpec, StrategySpec, ToolKind, ToolSpec,
};
use swarf::mesh::Mesh;
use swarf::sim::Stock;
use swarf::toolpath::{Move, Step, Toolpath};
use swarf::units::Units;

const THRESHOLD: f64 = 0.05;
const CELL: f64 = 0.1;

/// The block with its pocket 10..30 × 8..22, floor at z = 5 (see the module doc).
fn pocket_block() -> Mesh {
    Mesh::merged(&[
        demo::cuboid([0.0, 0.0, 0.0], [40.0, 30.0, 5.0]),
        demo::cuboid([0.0, 0.0, 5.0], [40.0, 8.0, 15.0]),
        demo::cuboid([0.0, 22.0, 5.0], [40.0, 30.0, 15.0]),
        demo::cuboid([0.0, 8.0, 5.0], [10.0, 22.0, 15.0]),
        demo::cuboid([30.0, 8.0, 5.0], [40.0, 22.0, 15.0]),
    ])
}

fn model() -> Model {
    Model::new(pocket_block(), &ModelTransform::default(), Units::Mm).expect("model")
}

fn tool(kind: ToolKind, diameter: f64, number: u32) -> ToolSpec {
    ToolSpec {
        kind,
        diameter,
        number,
        ..ToolSpec::default()
    }
}

fn rough(stepdown: f64) -> StrategySpec {
    StrategySpec::Rough(RoughSpec {
        stepdown,
        stock_to_leave: 0.0,
        sampling: 0.25,
        tolerance: 0.01,
        ..RoughSpec::default()
    })
}

fn parallel(stepover: f64) -> StrategySpec {
    StrategySpec::Parallel(ParallelSpec {
        stepover,
        sampling: 0.25,
        ..ParallelSpec::default()
    })
}

/// A chain of the two operations, the second as rest machining when `rest`.
fn chain(first: Operation, mut second: Operation, rest: bool) -> Job {
    second.rest = rest;
    second.rest_threshold = THRESHOLD;
    let mut job = Job {
        operations: vec![first, second],
        ..Job::default()
    };
    // The moves as the strategies make them (arc fitting is tested in tests/arcfit.rs).
    job.machine.arc_fitting = false;
    job
}

fn op(tool: ToolSpec, strategy: StrategySpec) -> Operation {
    Operation::new(tool, strategy)
}

/// Operation `k`'s moves of a finished job.
fn part(out: &Output, k: usize) -> Toolpath {
    let tp = &out.toolpath;
    let end = out.op_starts.get(k + 1).copied().unwrap_or(tp.len());
    let mut arcs = (0..out.op_starts[k])
        .filter(|&i| tp.kind(i).is_arc())
        .count();
    let mut t = Toolpath::new();
    for i in out.op_starts[k]..end {
        let kind = tp.kind(i);
        if kind.is_arc() {
            t.push_arc(kind == Move::ArcCcw, tp.centres[arcs], tp.point(i));
            arcs += 1;
        } else {
            t.push(kind, tp.point(i));
        }
    }
    t
}

fn cutter(job: &Job, k: usize) -> Cutter {
    job.operations[k].tool.cutter().expect("cutter")
}

/// The stock box as the engine resolved it, simulated through the given toolpaths.
fn simulate(out: &Output, runs: &[(Cutter, &Toolpath)]) -> Stock {
    let b = out.resolved[0].stock;
    let mut s = Stock::new([b.min.x, b.min.y], [b.max.x, b.max.y], b.max.z, CELL).unwrap();
    for (c, tp) in runs {
        s.run(c, tp, &mut |_| true).unwrap();
    }
    s
}

fn feed_length(tp: &Toolpath) -> f64 {
    tp.steps()
        .filter(|s| s.kind != Move::Rapid)
        .map(|s| s.length())
        .sum()
}

/// The deepest material above the tool, by brute force: the tool's profile over every cell
/// centre within its radius, at points every 0.05 mm along the move.
fn removes(stock: &Stock, c: &Cutter, step: &Step) -> f64 {
    let r = c.radius();
    let n = (step.length() / 0.05).ceil().max(1.0) as usize;
    let mut deepest = 0.0f64;
    for k in 0..=n {
        let p = step.at(k as f64 / n as f64);
        let o = stock.origin();
        let i0 = (((p[0] - r - o[0]) / stock.cell()).floor().max(0.0)) as usize;
        let j0 = (((p[1] - r - o[1]) / stock.cell()).floor().max(0.0)) as usize;
        let i1 = (((p[0] + r - o[0]) / stock.cell()).ceil() as usize).min(stock.nx());
        let j1 = (((p[1] + r - o[1]) / stock.cell()).ceil() as usize).min(stock.ny());
        for j in j0..j1 {
            for i in i0..i1 {
                let q = stock.centre(i, j);
                let d = (q[0] - p[0]).hypot(q[1] - p[1]);
                if d > r {
                    continue;
                }
                let profile = c.profile(d);
                deepest = deepest.max(f64::from(stock.height(i, j)) - (p[2] + profile));
            }
        }
    }
    deepest
}

struct Figures {
    full_feed: f64,
    rest_feed: f64,
    cutting: f64,
    links: f64,
    worst_loss: f64,
}

/// Runs the chain on the pocketed block in full and with the second operation as rest, and
/// measures them (see the module doc).
fn compare(first: Operation, second: Operation) -> Figures {
    let m = model();
    compare_with(first, second, &mut |job| {
        engine::generate(&m, job, &mut |_| true).expect("chain")
    })
}

/// As [`compare`], with the chain run by `run`.
fn compare_with(
    first: Operation,
    second: Operation,
    run: &mut dyn FnMut(&Job) -> Output,
) -> Figures {
    let full_job = chain(first.clone(), second.clone(), false);
    let rest_job = chain(first, second, true);
    let full = run(&full_job);
    let rest = run(&rest_job);
    let (c0, c1) = (cutter(&full_job, 0), cutter(&full_job, 1));
    let first_tp = part(&full, 0);
    assert_eq!(first_tp, part(&rest, 0), "the first operation is the same");
    let (full_tp, rest_tp) = (part(&full, 1), part(&rest, 1));
    let after_first = simulate(&full, &[(c0, &first_tp)]);
    let after_full = simulate(&full, &[(c0, &first_tp), (c1, &full_tp)]);
    let after_rest = simulate(&full, &[(c0, &first_tp), (c1, &rest_tp)]);
    // Nothing lost.
    let mut worst_loss = 0.0f64;
    for (a, b) in after_rest.heights().iter().zip(after_full.heights()) {
        worst_loss = worst_loss.max(f64::from(a - b));
    }
    // Every move cuts what the first tool left, or is a link in air.
    let (mut cutting, mut links) = (0.0, 0.0);
    for s in rest_tp.steps().filter(|s| s.kind != Move::Rapid) {
        let depth = removes(&after_first, &c1, &s);
        if std::env::var("REST_DEBUG").is_ok() {
            eprintln!(
                "{:?} {:?} -> {:?} depth {depth:.3} len {:.2}",
                s.kind,
                s.from,
                s.to,
                s.length()
            );
        }
        if depth > 0.5 * THRESHOLD {
            cutting += s.length();
        } else {
            assert!(
                depth <= THRESHOLD + 0.005,
                "a link from {:?} to {:?} cuts {depth:.4} into what the first tool left",
                s.from,
                s.to
            );
            links += s.length();
        }
    }
    Figures {
        full_feed: feed_length(&full_tp),
        rest_feed: feed_length(&rest_tp),
        cutting,
        links,
        worst_loss,
    }
}

/// Reports the figures and checks them: nothing lost (within the threshold and a cell's
/// worth of the pieces' ends), the rest a third of the full program at most, and cutting.
fn check(name: &str, f: &Figures) {
    eprintln!(
        "{name}: full {:.0} mm, rest {:.0} mm ({:.0} cutting, {:.0} links), worst loss {:.4}",
        f.full_feed, f.rest_feed, f.cutting, f.links, f.worst_loss
    );
    assert!(f.worst_loss <= THRESHOLD + 0.02, "{name}: {}", f.worst_loss);
    assert!(
        f.rest_feed < 0.35 * f.full_feed,
        "{name}: {} of {}",
        f.rest_feed,
        f.full_feed
    );
    assert!(f.cutting > 0.0, "{name}");
}

#[test]
fn rest_roughing_cuts_only_what_the_larger_tool_left() {
    let f = compare(
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        op(tool(ToolKind::Flat, 3.0, 2), rough(5.0)),
    );
    check("rough 6 then rest 3", &f);
}

/// Adaptive roughing then adaptive rest roughing: the rest program keeps the pieces of the
/// smaller tool's adaptive passes that reach what the larger one left (its planner assumed
/// the whole stock, so each piece takes no more than planned).
#[test]
fn rest_adaptive_roughing_after_adaptive_roughing() {
    let adaptive = || {
        let mut s = rough(5.0);
        if let StrategySpec::Rough(r) = &mut s {
            r.pattern = swarf::job::ClearPattern::Adaptive;
        }
        s
    };
    let f = compare(
        op(tool(ToolKind::Flat, 6.0, 1), adaptive()),
        op(tool(ToolKind::Flat, 3.0, 2), adaptive()),
    );
    check("adaptive rough 6 then rest adaptive 3", &f);
}

#[test]
fn rest_finishing_cuts_the_corners_a_larger_ball_could_not_reach() {
    let f = compare(
        op(tool(ToolKind::Ball, 6.0, 1), parallel(0.3)),
        op(tool(ToolKind::Ball, 2.0, 2), parallel(0.3)),
    );
    check("ball 6 then rest ball 2", &f);
}

#[test]
fn rest_pocketing_cleans_the_corners_of_a_2d_pocket() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="50mm" height="30mm"
        viewBox="0 0 50 30"><path d="M5 5 H45 V25 H5 Z M20 12 H28 V18 H20 Z"
        fill-rule="evenodd"/></svg>"#;
    let mut d = swarf::drawing::import(svg, &Default::default()).unwrap();
    let pocket = |ratio: f64| -> StrategySpec {
        serde_json::from_str(&format!(
            r#"{{"type": "pocket", "depth": 2, "stepdown": 1, "stepover_ratio": {ratio}}}"#
        ))
        .unwrap()
    };
    let first = op(tool(ToolKind::Flat, 6.0, 1), pocket(0.5));
    let second = op(tool(ToolKind::Flat, 2.0, 2), pocket(0.5));
    engine::place_drawing(&mut d, &chain(first.clone(), second.clone(), true)).unwrap();
    let f = compare_with(first, second, &mut |job| {
        engine::generate_drawing(&d, job, &mut |_| true).expect("chain")
    });
    check("pocket 6 then rest pocket 2", &f);
}

#[test]
fn the_chain_with_rest_is_gouge_free_and_runs_through_rs274() {
    let m = model();
    let job = chain(
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        op(tool(ToolKind::Flat, 3.0, 2), rough(5.0)),
        true,
    );
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    assert!(
        out.gcode.contains("rest rough with Flat D3"),
        "the section says it is rest machining"
    );
    let report = engine::verify(&m, &job, &out, &Default::default(), &mut |_| true).unwrap();
    let bad = common::faults(&report);
    assert!(bad.is_empty(), "verify: {:?}", &bad[..bad.len().min(3)]);
    if let Some(rs) = common::rs274::available() {
        let run = common::rs274::run(&rs, &out.gcode).expect("rs274 reads the rest program");
        assert!(!run.moves.is_empty());
    } else {
        eprintln!("rs274 not installed: the interpreter check is skipped");
    }
}

#[test]
fn rest_on_the_first_operation_is_refused() {
    let mut job = chain(
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        op(tool(ToolKind::Flat, 3.0, 2), rough(5.0)),
        true,
    );
    job.operations[0].rest = true;
    let e = engine::generate(&model(), &job, &mut |_| true).unwrap_err();
    assert!(
        matches!(&e, EngineError::Job(j) if j.field == "operations[0].rest"),
        "{e}"
    );
    for bad in [0.0, -1.0, f64::NAN, 1e9] {
        let mut job = job.clone();
        job.operations[0].rest = false;
        job.operations[1].rest_threshold = bad;
        let e = engine::generate(&model(), &job, &mut |_| true).unwrap_err();
        assert!(
            matches!(&e, EngineError::Job(j) if j.field == "operations[1].rest_threshold"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn nothing_left_says_so() {
    // The same tool twice: the second finds nothing to cut, and says which field decides.
    let job = chain(
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        true,
    );
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    assert_eq!(out.nothing_cut.len(), 1, "{:?}", out.nothing_cut);
    assert_eq!(out.nothing_cut[0].field, "operations[1].rest_threshold");
}

#[test]
fn progress_rises_and_cancel_stops() {
    let job = chain(
        op(tool(ToolKind::Flat, 6.0, 1), rough(5.0)),
        op(tool(ToolKind::Flat, 3.0, 2), rough(5.0)),
        true,
    );
    let mut seen = Vec::new();
    engine::generate(&model(), &job, &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert!(
        seen.windows(2).all(|w| w[1] >= w[0] - 1e-6),
        "progress never goes back"
    );
    assert!(
        seen.iter().any(|&f| f > 0.8 && f < 1.0),
        "the rest pass reports progress"
    );
    for stop in [0.55, 0.85, 0.95] {
        let e = engine::generate(&model(), &job, &mut |f| f < stop).unwrap_err();
        assert!(matches!(e, EngineError::Cancelled), "{stop}: {e}");
    }
}

//! A job that chains operations, each with its own cutter, into one program: tool changes
//! where the dialect has them, a pause where it does not, every operation's moves in order.

mod common;

use common::rs274::{self, Kind};
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::{
    Job, ModelTransform, Operation, ParallelSpec, StrategySpec, ToolKind, ToolSpec, WaterlineSpec,
};
use swarf::post::{Dialect, Units};

fn chained() -> Job {
    Job {
        operations: vec![
            Operation {
                tool: ToolSpec {
                    kind: ToolKind::Flat,
                    diameter: 6.0,
                    number: 3,
                    ..ToolSpec::default()
                },
                strategy: StrategySpec::Waterline(WaterlineSpec {
                    stepdown: 4.0,
                    ..WaterlineSpec::default()
                }),
            },
            Operation {
                tool: ToolSpec {
                    kind: ToolKind::Ball,
                    diameter: 3.0,
                    number: 5,
                    ..ToolSpec::default()
                },
                strategy: StrategySpec::Parallel(ParallelSpec {
                    stepover: 1.5,
                    sampling: 0.5,
                    ..ParallelSpec::default()
                }),
            },
        ],
        ..Job::default()
    }
}

fn model() -> Model {
    Model::new(demo::terrain(30), &ModelTransform::default(), Units::Mm).unwrap()
}

#[test]
fn linuxcnc_changes_tools_between_operations() {
    let m = model();
    let job = chained();
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    assert_eq!(out.summary.operations, 2);
    assert_eq!(out.resolved.len(), 2);
    let g = &out.gcode;
    let t3 = g.find("T3 M6").expect("first tool change");
    let t5 = g.find("T5 M6").expect("second tool change");
    assert!(t3 < t5);
    assert!(g.contains("G43 H5"));
    // The spindle stops before the change and restarts after it.
    let between = &g[t3..t5];
    assert!(
        between.contains("M5"),
        "spindle stops before the second tool"
    );
    assert!(g[t5..].contains("M3"));
    let Some(rs) = rs274::available() else {
        return;
    };
    let run = rs274::run(&rs, g).unwrap();
    assert_eq!(run.tools_selected, vec![3, 5]);
    assert!(run.program_ended);
    // After the change the first move is a rapid at safe height.
    let safe = out.resolved[1].safe_height;
    let change = run
        .calls
        .iter()
        .rposition(|c| c.0 == "CHANGE_TOOL")
        .expect("rs274 reports the tool change");
    let next = run.moves.iter().find(|m| m.call > change).unwrap();
    assert_eq!(next.kind, Kind::Traverse);
    assert!((next.xyz[2] - safe).abs() < 1e-3);
}

#[test]
fn grbl_pauses_for_a_tool_change_by_hand() {
    let m = model();
    let mut job = chained();
    job.machine.dialect = Dialect::Grbl;
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    let g = &out.gcode;
    assert!(!g.contains("M6"), "GRBL has no M6");
    assert!(g.contains("M0"), "a pause for the change");
    assert!(g.contains("Change to tool 5"));
    assert!(g.lines().all(|l| l.len() <= 79));
}

#[test]
fn errors_name_the_operation() {
    let mut job = chained();
    if let StrategySpec::Waterline(w) = &mut job.operations[0].strategy {
        w.stepdown = -1.0;
    }
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[0].strategy.stepdown");
    let mut job = chained();
    job.operations[1].tool.diameter = 0.0;
    assert_eq!(
        job.validate().unwrap_err().field,
        "operations[1].tool.diameter"
    );
    let json = r#"{"operations": [{"tool": {"type": "ball", "diameter": 6},
        "strategy": {"type": "waterline", "stepdown": 2}},
        {"strategy": {"type": "parallel", "stepover": 0.5}}]}"#;
    let j = Job::from_json(json).unwrap();
    j.validate().unwrap();
    assert_eq!(j.operations().len(), 2);
}

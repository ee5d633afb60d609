//! A job that chains operations, each with its own cutter, into one program: tool changes
//! where the dialect has them, a pause where it does not, every operation's moves in order.

mod common;

use common::rs274::{self, Kind};
use swarf::demo;
use swarf::engine::{self, EngineError, Model};
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
                ..Default::default()
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
                ..Default::default()
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

// ---------------------------------------------------------------------------------------
// Tool numbers (issue 8): a different cutter under a number already used, or under 0 after
// another cutter, made the machine keep the wrong tool; numbers past 2^31 made rs274 refuse.

/// Ball 6 finishing then flat 3 finishing, with these tool numbers.
fn ball_then_flat(first: u32, second: u32) -> Job {
    let op = |kind, diameter, number| Operation {
        tool: ToolSpec {
            kind,
            diameter,
            number,
            ..ToolSpec::default()
        },
        strategy: StrategySpec::Parallel(ParallelSpec {
            stepover: 2.0,
            sampling: 0.6,
            ..ParallelSpec::default()
        }),
        ..Default::default()
    };
    Job {
        operations: vec![
            op(ToolKind::Ball, 6.0, first),
            op(ToolKind::Flat, 3.0, second),
        ],
        ..Job::default()
    }
}

/// For each operation (counted by its `Operation:` comment), the tools loaded in the
/// spindle while its feed moves ran, as rs274 executed them: `None` before any change.
fn tools_cutting(run: &rs274::Run) -> Vec<Vec<Option<u32>>> {
    let mut per_op: Vec<Vec<Option<u32>>> = Vec::new();
    let (mut selected, mut loaded) = (None, None);
    for (name, args) in &run.calls {
        match name.as_str() {
            "COMMENT" if args.trim_matches('"').starts_with("Operation: ") => {
                per_op.push(Vec::new())
            }
            "SELECT_TOOL" => selected = Some(args.trim().parse::<u32>().unwrap()),
            "CHANGE_TOOL" => loaded = selected,
            "STRAIGHT_FEED" | "ARC_FEED" => {
                let op = per_op.last_mut().expect("a feed move before any operation");
                if !op.contains(&loaded) {
                    op.push(loaded);
                }
            }
            _ => {}
        }
    }
    per_op
}

#[test]
fn different_cutters_under_one_number_are_refused() {
    // The issue's job: both numbers left at their default.
    let json = r#"{"operations": [
        {"tool": {"type": "ball", "diameter": 6}, "strategy": {"type": "parallel"}},
        {"tool": {"type": "flat", "diameter": 3}, "strategy": {"type": "parallel"}}]}"#;
    let job = Job::from_json(json).unwrap();
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[1].tool.number");
    for part in ["T1", "ball D6", "operations[0]", "flat D3", "T2 is free"] {
        assert!(e.message.contains(part), "{part:?} missing: {e}");
    }
    match engine::generate(&model(), &job, &mut |_| true) {
        Err(EngineError::Job(g)) => assert_eq!(g, e),
        other => panic!("{:?}", other.map(|o| o.gcode)),
    }
    // A bull differing only in its corner radius is another cutter too, and so is a ball
    // with longer flutes.
    let mut job = ball_then_flat(4, 4);
    job.operations[1].tool = ToolSpec {
        number: 4,
        flute_length: 35.0,
        ..job.operations[0].tool.clone()
    };
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[1].tool.number");
    assert!(e.message.contains("flute 35"), "{e}");
}

#[test]
fn each_operation_cuts_with_its_own_tool() {
    let job = ball_then_flat(1, 2);
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    let Some(rs) = rs274::available() else {
        return;
    };
    let run = rs274::run(&rs, &out.gcode).unwrap();
    assert_eq!(run.tools_selected, vec![1, 2]);
    assert_eq!(tools_cutting(&run), vec![vec![Some(1)], vec![Some(2)]]);
}

#[test]
fn the_same_cutter_may_keep_its_number() {
    let mut job = ball_then_flat(7, 7);
    job.operations[1].tool = job.operations[0].tool.clone();
    job.validate().unwrap();
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    let Some(rs) = rs274::available() else {
        return;
    };
    let run = rs274::run(&rs, &out.gcode).unwrap();
    assert_eq!(tools_cutting(&run), vec![vec![Some(7)], vec![Some(7)]]);
}

#[test]
fn tool_zero_keeps_the_cutter_in_the_spindle_and_nothing_else() {
    // 0 after another cutter would write no change: the flat's moves cut with the ball.
    let job = ball_then_flat(1, 0);
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[1].tool.number");
    assert!(
        e.message.contains("no tool change") && e.message.contains("ball D6"),
        "{e}"
    );
    // 0 again after a numbered cutter in between is caught the same way.
    let mut job = ball_then_flat(0, 2);
    job.operations.push(job.operations[0].clone());
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[2].tool.number");
    assert!(e.message.contains("operations[1]"), "{e}");

    // 0 for the cutter already in the spindle: no change is written, none is needed.
    let mut job = ball_then_flat(3, 0);
    job.operations[1].tool = ToolSpec {
        number: 0,
        ..job.operations[0].tool.clone()
    };
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    assert_eq!(out.gcode.matches(" M6").count(), 1, "{}", out.gcode);
    let Some(rs) = rs274::available() else {
        return;
    };
    let run = rs274::run(&rs, &out.gcode).unwrap();
    assert_eq!(run.tools_selected, vec![3]);
    assert_eq!(tools_cutting(&run), vec![vec![Some(3)], vec![Some(3)]]);
}

#[test]
fn tool_numbers_beyond_the_controller_are_refused() {
    let big = i32::MAX as u32;
    let job = ball_then_flat(1, big + 1);
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "operations[1].tool.number");
    assert!(
        e.message.contains("2147483648") && e.message.contains("2147483647"),
        "{e}"
    );
    let mut grbl = ball_then_flat(1, 256);
    grbl.machine.dialect = Dialect::Grbl;
    let e = grbl.validate().unwrap_err();
    assert_eq!(e.field, "operations[1].tool.number");
    assert!(
        e.message.contains("255") && e.message.contains("GRBL"),
        "{e}"
    );
    let mut single = Job::default();
    single.tool.number = big + 1;
    assert_eq!(single.validate().unwrap_err().field, "tool.number");

    // The largest LinuxCNC takes is written, and rs274 changes to it.
    let job = ball_then_flat(1, big);
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    assert!(out.gcode.contains("\nT2147483647 M6\nG43 H2147483647\n"));
    let Some(rs) = rs274::available() else {
        return;
    };
    let run = rs274::run(&rs, &out.gcode).unwrap();
    assert_eq!(tools_cutting(&run), vec![vec![Some(1)], vec![Some(big)]]);
}

#[test]
fn grbl_names_each_change_before_its_operation() {
    let mut job = ball_then_flat(1, 2);
    job.machine.dialect = Dialect::Grbl;
    let out = engine::generate(&model(), &job, &mut |_| true).unwrap();
    let g = &out.gcode;
    let pause = g
        .find("(Change to tool 2: then resume)\nM0\n")
        .expect("pause");
    let op2 = g
        .find("(Operation: parallel with Flat D3)")
        .expect("second op");
    assert!(pause < op2 && !g[..pause].contains("Change to tool"));
    let Some(rs) = rs274::available() else {
        return;
    };
    // rs274 runs the GRBL program too: it stops once, between the operations.
    let run = rs274::run(&rs, g).unwrap();
    let stops: Vec<usize> = (0..run.calls.len())
        .filter(|&i| run.calls[i].0 == "PROGRAM_STOP")
        .collect();
    assert_eq!(stops.len(), 1, "{:?}", run.calls);
    let ops = tools_cutting(&run);
    assert_eq!(ops.len(), 2);
}

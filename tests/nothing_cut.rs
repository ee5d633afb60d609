//! Jobs that would cut nothing say why, naming the field to change, instead of writing a
//! program that moves through air (or exiting quietly with an empty one).

use swarf::demo;
use swarf::engine::{self, EngineError, Model};
use swarf::job::Job;

fn run(mesh: swarf::mesh::Mesh, json: &str) -> Result<engine::Output, EngineError> {
    let job = Job::from_json(json).unwrap();
    let model = Model::new(mesh, &job.model, job.units).unwrap();
    engine::generate(&model, &job, &mut |_| true)
}

fn why(r: Result<engine::Output, EngineError>) -> (String, String) {
    match r {
        Err(EngineError::NothingToCut(w)) => {
            assert_eq!(w.len(), 1);
            (w[0].field.clone(), w[0].reason.clone())
        }
        Err(e) => panic!("expected nothing to cut, got {e}"),
        Ok(o) => panic!(
            "expected nothing to cut, got a program of {} bytes",
            o.gcode.len()
        ),
    }
}

#[test]
fn floor_above_the_model() {
    let (field, reason) = why(run(
        demo::terrain(20),
        r#"{"bounds": {"floor": 40}, "machine": {"safe_height": 60}}"#,
    ));
    assert_eq!(field, "bounds.floor");
    assert!(reason.contains("at or above the model's top"), "{reason}");
}

#[test]
fn stock_below_the_floor() {
    let (field, reason) = why(run(
        demo::terrain(20),
        r#"{"strategy": {"type": "rough"}, "stock": {"min": [0, 0, -20], "max": [100, 100, -10]}}"#,
    ));
    assert_eq!(field, "stock");
    assert!(reason.contains("not above the floor"), "{reason}");
}

#[test]
fn roughing_a_plate_with_no_stock_above_it() {
    let plate = demo::cuboid([0.0, 0.0, 0.0], [60.0, 40.0, 6.0]);
    let (field, reason) = why(run(plate, r#"{"strategy": {"type": "rough"}}"#));
    assert_eq!(field, "strategy.stock_to_leave");
    assert!(reason.contains("raise stock.margin"), "{reason}");
}

#[test]
fn waterline_levels_that_miss_the_model() {
    let (field, _) = why(run(
        demo::terrain(20),
        r#"{"strategy": {"type": "waterline", "z_top": 60, "z_bottom": 50}, "machine": {"safe_height": 70}}"#,
    ));
    assert_eq!(field, "strategy.z_bottom");
}

#[test]
fn a_chain_reports_the_idle_operation_and_still_cuts_the_rest() {
    let plate = demo::cuboid([0.0, 0.0, 0.0], [60.0, 40.0, 6.0]);
    let out = run(
        plate,
        r#"{"operations": [
            {"tool": {"type": "flat", "diameter": 6, "number": 1}, "strategy": {"type": "rough"}},
            {"tool": {"type": "ball", "diameter": 3, "number": 2}, "strategy": {"type": "parallel", "stepover": 1.5}}
        ]}"#,
    )
    .unwrap();
    assert_eq!(out.nothing_cut.len(), 1);
    assert_eq!(out.nothing_cut[0].operation, 0);
    assert_eq!(
        out.nothing_cut[0].field,
        "operations[0].strategy.stock_to_leave"
    );
}

//! Golden programs: the G-code for a fixed set of jobs on the demo models, by length and
//! FNV-1a hash, so a refactor shows at once whether it changed a single byte of output.
//!
//! A change that means to alter output (a bug fix) regenerates the file with
//! `SWARF_GOLDEN_WRITE=1 cargo test --release --test golden` and says why in its commit.

use std::fmt::Write as _;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::Job;

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/gcode.txt");

/// (name, model, job JSON overriding the defaults)
fn cases() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("default", "demo", "{}"),
        (
            "parallel-x-ball",
            "demo",
            r#"{"tool":{"type":"ball","diameter":6},"strategy":{"type":"parallel","direction":"x","stepover":1.5,"sampling":0.5}}"#,
        ),
        (
            "parallel-xy-bull-oneway-conventional",
            "demo",
            r#"{"tool":{"type":"bull","diameter":6,"corner_radius":1},"strategy":{"type":"parallel","direction":"xy","stepover":2,"sampling":0.7,"pattern":"oneway","milling":"conventional"}}"#,
        ),
        (
            "parallel-y-cone-grbl",
            "sphere",
            r#"{"tool":{"type":"cone","diameter":6,"angle":60},"strategy":{"type":"parallel","direction":"y","stepover":1,"sampling":0.4},"machine":{"dialect":"grbl"}}"#,
        ),
        (
            "parallel-flat-exact-stop",
            "sphere",
            r#"{"tool":{"type":"flat","diameter":4},"strategy":{"type":"parallel","stepover":1,"sampling":0.5},"machine":{"exact_stop":true}}"#,
        ),
        (
            "waterline-ball",
            "demo",
            r#"{"tool":{"type":"ball","diameter":6},"strategy":{"type":"waterline","stepdown":2,"sampling":0.5}}"#,
        ),
        (
            "waterline-flat-conventional-grbl",
            "sphere",
            r#"{"tool":{"type":"flat","diameter":6},"strategy":{"type":"waterline","stepdown":3,"milling":"conventional"},"machine":{"dialect":"grbl"}}"#,
        ),
        (
            "rough-offset",
            "demo",
            r#"{"tool":{"type":"flat","diameter":6},"strategy":{"type":"rough","stepdown":3,"stock_to_leave":0.5},"stock":{"margin":2}}"#,
        ),
        (
            "rough-zigzag-ball-grbl",
            "sphere",
            r#"{"tool":{"type":"ball","diameter":6},"strategy":{"type":"rough","stepdown":4,"pattern":"zigzag","stock_to_leave":0.3},"machine":{"dialect":"grbl"}}"#,
        ),
        (
            "inch",
            "demo",
            r#"{"units":"inch","model":{"units":"mm"},"tool":{"type":"ball","diameter":0.25},"strategy":{"type":"parallel","stepover":0.08,"sampling":0.04,"tolerance":0.001}}"#,
        ),
        (
            "chain",
            "demo",
            r#"{"operations":[{"tool":{"type":"flat","diameter":6,"number":2},"strategy":{"type":"rough","stepdown":4}},{"tool":{"type":"ball","diameter":3,"number":5},"strategy":{"type":"parallel","stepover":1.5,"sampling":0.6}}]}"#,
        ),
        (
            "chain-grbl",
            "sphere",
            r#"{"machine":{"dialect":"grbl"},"operations":[{"tool":{"type":"flat","diameter":6,"number":2},"strategy":{"type":"waterline","stepdown":4}},{"tool":{"type":"ball","diameter":3,"number":5},"strategy":{"type":"parallel","stepover":1.5,"sampling":0.6}}]}"#,
        ),
    ]
}

fn model(name: &str, job: &Job) -> Model {
    let mesh = match name {
        "demo" => demo::demo_mesh(),
        "sphere" => demo::sphere([0.0, 0.0, 0.0], 15.0, 48),
        _ => unreachable!("unknown golden model {name}"),
    };
    Model::new(mesh, &job.model, job.units).expect("model")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn golden_programs_are_unchanged() {
    let mut now = String::new();
    for (name, model_name, json) in cases() {
        let job: Job = serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let m = model(model_name, &job);
        let out =
            engine::generate(&m, &job, &mut |_| true).unwrap_or_else(|e| panic!("{name}: {e}"));
        writeln!(
            now,
            "{name} {} {:016x}",
            out.gcode.len(),
            fnv1a(out.gcode.as_bytes())
        )
        .unwrap();
    }
    if std::env::var_os("SWARF_GOLDEN_WRITE").is_some() {
        std::fs::write(FILE, &now).unwrap();
        return;
    }
    let want = std::fs::read_to_string(FILE).expect("tests/golden/gcode.txt");
    let diff: Vec<String> = want
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  was {a}\n  now {b}"))
        .collect();
    assert!(
        diff.is_empty() && want.lines().count() == now.lines().count(),
        "G-code changed:\n{}",
        diff.join("\n")
    );
}

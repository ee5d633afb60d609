//! Absurd job values, thrown at the engine: every job is either refused with a message that
//! names a field, or runs to the end quickly on a small model. Never a panic, never a hang.

use std::time::{Duration, Instant};
use swarf::demo;
use swarf::engine::{self, EngineError, Model};
use swarf::job::{Job, ModelTransform};
use swarf::post::Units;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e-300",
    "1e-9",
    "0.001",
    "0.05",
    "0.3",
    "1",
    "2",
    "3",
    "6",
    "9",
    "45",
    "90",
    "179",
    "180",
    "1000",
    "1e6",
    "1e300",
    "-1e300",
    "123456789012",
    "0.5",
];

fn field(rng: &mut Rng, name: &str) -> String {
    format!("\"{name}\": {}", rng.pick(NUMBERS))
}

fn random_job(rng: &mut Rng) -> String {
    let strategy = rng.pick(&["parallel", "waterline", "rough", "steep"]);
    let mut s = vec![format!("\"type\": \"{strategy}\"")];
    let names: &[&str] = match strategy {
        "parallel" => &["stepover", "sampling", "tolerance"],
        "waterline" => &["stepdown", "sampling", "tolerance", "z_top", "z_bottom"],
        // Its sampling, tolerance and levels are checked as parallel's and waterline's.
        "steep" => &["angle", "overlap", "stepover", "stepdown"],
        _ => &[
            "stepdown",
            "stepover_ratio",
            "stock_to_leave",
            "sampling",
            "tolerance",
            "ramp_angle",
            "z_top",
            "z_bottom",
        ],
    };
    for n in names {
        if rng.next().is_multiple_of(2) {
            s.push(field(rng, n));
        }
    }
    let tool = rng.pick(&["flat", "ball", "bull", "cone"]);
    let mut t = vec![format!("\"type\": \"{tool}\"")];
    for n in ["diameter", "corner_radius", "angle", "flute_length"] {
        if rng.next().is_multiple_of(3) {
            t.push(field(rng, n));
        }
    }
    let mut m = Vec::new();
    for n in [
        "feed",
        "plunge_feed",
        "spindle",
        "safe_height",
        "blend_tolerance",
    ] {
        if rng.next().is_multiple_of(4) {
            m.push(field(rng, n));
        }
    }
    let mut b = Vec::new();
    for n in ["margin", "floor"] {
        if rng.next().is_multiple_of(4) {
            b.push(field(rng, n));
        }
    }
    if rng.next().is_multiple_of(8) {
        b.push(format!(
            "\"min\": [{}, {}], \"max\": [{}, {}]",
            rng.pick(NUMBERS),
            rng.pick(NUMBERS),
            rng.pick(NUMBERS),
            rng.pick(NUMBERS)
        ));
    }
    let stock = if rng.next().is_multiple_of(6) {
        format!(", \"stock\": {{{}}}", field(rng, "margin"))
    } else {
        String::new()
    };
    format!(
        "{{\"tool\": {{{}}}, \"strategy\": {{{}}}, \"machine\": {{{}}}, \"bounds\": {{{}}}{stock}}}",
        t.join(", "),
        s.join(", "),
        m.join(", "),
        b.join(", ")
    )
}

fn small_model() -> Model {
    Model::new(
        swarf::mesh::Mesh::merged(&[
            demo::cuboid([0.0, 0.0, 0.0], [20.0, 15.0, 6.0]),
            demo::sphere([30.0, 8.0, 4.0], 5.0, 16),
        ]),
        &ModelTransform::default(),
        Units::Mm,
    )
    .unwrap()
}

/// Runs a job with the fuzzer's rule: progress at least every 5 s, cancelled after 8 s.
fn run_watched(model: &Model, job: &Job, text: &str) -> Result<engine::Output, EngineError> {
    let start = Instant::now();
    let mut last = Instant::now();
    let mut longest = Duration::ZERO;
    let r = engine::generate(model, job, &mut |_| {
        longest = longest.max(last.elapsed());
        last = Instant::now();
        start.elapsed() < Duration::from_secs(8)
    });
    longest = longest.max(last.elapsed());
    assert!(
        longest < Duration::from_secs(5),
        "{longest:?} without a progress report: {text}"
    );
    r
}

/// The runaways found by hand, each refused up front naming its field, or run to the end
/// within the fuzzer's time.
#[test]
fn runaway_shapes_are_refused_naming_the_field() {
    let model = small_model();
    let refused = [
        // A stepover of a few nanometres: millions of rings a layer.
        (
            r#"{"strategy": {"type": "rough", "stepover_ratio": 1e-6}, "stock": {"margin": 50}}"#,
            "strategy.stepover_ratio",
        ),
        // A stock 1e6 wide: a grid of 4e12 samples.
        (
            r#"{"strategy": {"type": "rough"}, "stock": {"min": [-5e5, -5e5, 0], "max": [5e5, 5e5, 20]}}"#,
            "stock",
        ),
        // More stock to leave than the model is large.
        (
            r#"{"strategy": {"type": "rough", "stock_to_leave": 100}}"#,
            "strategy.stock_to_leave",
        ),
        // Levels above the safe height.
        (
            r#"{"strategy": {"type": "rough", "z_top": 1e5}}"#,
            "strategy.z_top",
        ),
        (
            r#"{"strategy": {"type": "waterline", "z_top": 40}, "machine": {"safe_height": 30}}"#,
            "strategy.z_top",
        ),
        // Scallop passes closer than the grid they are found on.
        (
            r#"{"tool": {"type": "ball"}, "strategy": {"type": "scallop", "scallop": 1e-9}}"#,
            "strategy.scallop",
        ),
        // A scallop grid of 25M nodes: its distances would take 400 MB.
        (
            r#"{"tool": {"type": "ball"}, "strategy": {"type": "scallop", "sampling": 0.05, "scallop": 0.05},
                "bounds": {"min": [0, 0], "max": [250, 250], "margin": 0}}"#,
            "strategy.sampling",
        ),
        // A program of hundreds of hours: many layers of fine stepover.
        (
            r#"{"strategy": {"type": "rough", "stepdown": 0.001, "stepover_ratio": 0.01}}"#,
            "strategy.stepdown",
        ),
    ];
    for (text, field) in refused {
        let job = Job::from_json(text).unwrap();
        match run_watched(&model, &job, text) {
            Err(EngineError::Job(e)) => {
                assert_eq!(e.field, field, "{text}: {e}");
                assert!(
                    e.message.chars().any(|c| c.is_ascii_digit()),
                    "no figure in {e}"
                );
            }
            other => panic!("{text}: not refused: {:?}", other.map(|o| o.summary)),
        }
    }
}

/// `z_top` above the stock but below the safe height starts at the stock's top: no feed
/// climbs, none is above the stock, and the program ends.
#[test]
fn z_top_above_the_stock_starts_at_the_stock() {
    let model = small_model();
    let text = r#"{"strategy": {"type": "rough", "z_top": 9}, "machine": {"safe_height": 12}}"#;
    let job = Job::from_json(text).unwrap();
    let out = run_watched(&model, &job, text).unwrap();
    let tp = &out.toolpath;
    let stock_top = out.resolved[0].stock.max.z as f32;
    for i in 1..tp.len() {
        if tp.kind(i) != swarf::toolpath::Move::Rapid {
            let (a, b) = (tp.point(i - 1), tp.point(i));
            assert!(b[2] <= a[2] + 1e-6, "cutting move climbs to {b:?}");
            assert!(b[2] <= stock_top + 1e-4, "cutting above the stock at {b:?}");
        }
    }
}

#[test]
fn absurd_jobs_are_refused_or_run_quickly() {
    let model = small_model();
    let mut rng = Rng(0x5eed_1234_abcd_9876);
    let (mut refused, mut ran, mut cancelled) = (0, 0, 0);
    // SWARF_FUZZ_ITERS runs a longer campaign by hand; CI runs 400.
    let iters = std::env::var("SWARF_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    for _ in 0..iters {
        let text = random_job(&mut rng);
        let job = match Job::from_json(&text) {
            Ok(j) => j,
            Err(e) => {
                assert!(!e.message.is_empty());
                refused += 1;
                continue;
            }
        };
        // A job the engine accepts may be long (a fine stepdown on a tall part), but it
        // must report progress often, so the page's bar moves and Cancel is honoured: a
        // silent stretch of more than 5 s means something runs unbounded between reports.
        let start = Instant::now();
        let mut last = Instant::now();
        let mut longest = Duration::ZERO;
        let r = engine::generate(&model, &job, &mut |_| {
            longest = longest.max(last.elapsed());
            last = Instant::now();
            start.elapsed() < Duration::from_secs(8)
        });
        longest = longest.max(last.elapsed());
        assert!(
            longest < Duration::from_secs(5),
            "{longest:?} without a progress report: {text}"
        );
        match r {
            Ok(out) => {
                ran += 1;
                assert!(out.gcode.ends_with("M2\n") || out.gcode.ends_with("M30\n"));
            }
            Err(EngineError::Job(e)) => {
                assert!(!e.field.is_empty() && !e.message.is_empty(), "{text}");
                refused += 1;
            }
            // Cancelled by the budget above: long, but responsive.
            Err(EngineError::Cancelled) => cancelled += 1,
            Err(EngineError::Transform(_)) => refused += 1,
            Err(EngineError::Post(e)) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
            Err(EngineError::NothingToCut(why)) => {
                assert!(why
                    .iter()
                    .all(|w| !w.field.is_empty() && !w.reason.is_empty()));
                refused += 1;
            }
        }
    }
    eprintln!("{ran} ran, {refused} refused, {cancelled} cancelled after 8 s");
    // A job cancelled at the 8 s budget ran too (and honoured the cancel): on a loaded
    // machine a few of the longer ones are.
    assert!(
        ran + cancelled > 20 && refused > 20,
        "ran {ran}, cancelled {cancelled}, refused {refused}"
    );
}

/// A roughing or waterline job built from the shapes that found the runaways: tiny
/// stepover ratios and stepdowns, allowances as large as the model or larger, stock boxes
/// from a few mm to a million wide, tops far above the model.
fn hostile_job(rng: &mut Rng) -> String {
    let strategy = rng.pick(&["rough", "rough", "waterline"]);
    let mut s = vec![format!("\"type\": \"{strategy}\"")];
    let mut pick = |name: &str, values: &[&str], s: &mut Vec<String>| {
        if rng.next().is_multiple_of(2) {
            s.push(format!("\"{name}\": {}", rng.pick(values)));
        }
    };
    pick("stepdown", &["0.003", "0.01", "0.1", "2"], &mut s);
    pick("z_top", &["8", "20", "100", "1e5"], &mut s);
    if strategy == "rough" {
        pick("stepover_ratio", &["1e-6", "1e-4", "0.01", "0.4"], &mut s);
        pick("stock_to_leave", &["0.5", "30", "60", "100"], &mut s);
    }
    let stock = match rng.next() % 4 {
        0 => {
            let w = rng.pick(&["1", "50", "1000", "1e5", "1e6"]);
            format!(", \"stock\": {{\"min\": [-{w}, -{w}, 0], \"max\": [{w}, {w}, 10]}}")
        }
        1 => format!(
            ", \"stock\": {{\"margin\": {}}}",
            rng.pick(&["0", "50", "1000", "1e4"])
        ),
        _ => String::new(),
    };
    format!("{{\"strategy\": {{{}}}{stock}}}", s.join(", "))
}

#[test]
fn hostile_shapes_are_refused_or_run_quickly() {
    let model = small_model();
    let mut rng = Rng(0x0bad_cafe_f00d_1234);
    let (mut refused, mut ran, mut cancelled) = (0, 0, 0);
    for _ in 0..120 {
        let text = hostile_job(&mut rng);
        let job = Job::from_json(&text).unwrap();
        match run_watched(&model, &job, &text) {
            Ok(out) => {
                ran += 1;
                assert!(out.gcode.ends_with("M2\n") || out.gcode.ends_with("M30\n"));
            }
            Err(EngineError::Job(e)) => {
                assert!(!e.field.is_empty() && !e.message.is_empty(), "{text}");
                refused += 1;
            }
            // Long (thousands of waterline levels), but reporting progress: cancelled by
            // the 8 s budget.
            Err(EngineError::Cancelled) => cancelled += 1,
            // Ran, and said why nothing was cut.
            Err(EngineError::NothingToCut(why)) => {
                assert!(why
                    .iter()
                    .all(|w| !w.field.is_empty() && !w.reason.is_empty()));
                refused += 1;
            }
            Err(e) => panic!("{text}: {e}"),
        }
    }
    eprintln!("hostile: {ran} ran, {refused} refused, {cancelled} cancelled after 8 s");
    assert!(ran > 10 && refused > 10, "ran {ran}, refused {refused}");
}

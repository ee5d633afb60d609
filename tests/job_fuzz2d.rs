//! Absurd 2D job values on a small drawing: every job is refused with a message that names
//! a field, or runs to the end within the fuzzer's time. Never a panic, never a hang.

use std::time::{Duration, Instant};
use swarf::drawing::{import, Drawing, ImportOptions};
use swarf::engine::{generate_drawing, place_drawing, EngineError};
use swarf::job::Job;

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
    "0", "-0", "-1", "1e-300", "1e-9", "0.001", "0.05", "0.3", "1", "2", "3", "6", "45", "90",
    "180", "1000", "1e6", "1e300", "-1e300", "0.5", "7",
];

fn drawing() -> Drawing {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="40mm" viewBox="0 0 60 40">
      <path fill-rule="evenodd" d="M5 5 H35 V35 H5 Z M12 12 H28 V28 H12 Z"/>
      <circle cx="48" cy="20" r="7"/>
      <path d="M5 38 L55 38" fill="none" stroke="black"/></svg>"#;
    import(svg.as_bytes(), &ImportOptions::default()).unwrap()
}

fn random_job(rng: &mut Rng) -> String {
    let strategy = rng.pick(&["engrave", "profile", "pocket", "vcarve"]);
    let mut s = vec![format!("\"type\": \"{strategy}\"")];
    let names: &[&str] = match strategy {
        "engrave" => &["depth", "stepdown", "z_top"],
        "profile" => &[
            "depth",
            "stepdown",
            "allowance",
            "finish",
            "lead",
            "tabs",
            "tab_spacing",
            "tab_width",
            "tab_height",
            "z_top",
        ],
        "pocket" => &[
            "depth",
            "stepdown",
            "stepover_ratio",
            "allowance",
            "ramp_angle",
            "z_top",
        ],
        _ => &["max_depth", "tolerance", "z_top"],
    };
    for n in names {
        if rng.next().is_multiple_of(2) {
            let v = if *n == "tabs" {
                rng.pick(&["0", "1", "3", "7", "1000", "5000"])
            } else {
                rng.pick(NUMBERS)
            };
            s.push(format!("\"{n}\": {v}"));
        }
    }
    if strategy == "profile" && rng.next().is_multiple_of(2) {
        s.push(format!(
            "\"side\": \"{}\"",
            rng.pick(&["outside", "inside", "on"])
        ));
    }
    if strategy == "pocket" && rng.next().is_multiple_of(2) {
        s.push(format!(
            "\"pattern\": \"{}\"",
            rng.pick(&["offset", "zigzag", "adaptive"])
        ));
    }
    let tool = rng.pick(&["flat", "flat", "ball", "cone"]);
    let mut t = vec![format!("\"type\": \"{tool}\"")];
    for n in ["diameter", "angle"] {
        if rng.next().is_multiple_of(3) {
            t.push(format!("\"{n}\": {}", rng.pick(NUMBERS)));
        }
    }
    let mut m = Vec::new();
    if rng.next().is_multiple_of(4) {
        m.push(format!("\"safe_height\": {}", rng.pick(NUMBERS)));
    }
    let units = if rng.next().is_multiple_of(5) {
        ", \"units\": \"inch\""
    } else {
        ""
    };
    format!(
        "{{\"tool\": {{{}}}, \"strategy\": {{{}}}, \"machine\": {{{}}}{units}}}",
        t.join(", "),
        s.join(", "),
        m.join(", ")
    )
}

#[test]
fn random_2d_jobs_are_refused_by_field_or_run() {
    let base = drawing();
    let mut rng = Rng(0x2d2d_f00d);
    let (mut ran, mut refused) = (0, 0);
    for _ in 0..400 {
        let text = random_job(&mut rng);
        let job = match Job::from_json(&text) {
            Ok(j) => j,
            Err(e) => {
                assert!(!e.field.is_empty(), "{text}: {e}");
                refused += 1;
                continue;
            }
        };
        let mut d = base.clone();
        if let Err(e) = place_drawing(&mut d, &job) {
            assert!(e.to_string().contains("model."), "{text}: {e}");
            continue;
        }
        let start = Instant::now();
        let mut last = Instant::now();
        let mut longest = Duration::ZERO;
        let r = generate_drawing(&d, &job, &mut |_| {
            longest = longest.max(last.elapsed());
            last = Instant::now();
            start.elapsed() < Duration::from_secs(8)
        });
        longest = longest.max(last.elapsed());
        assert!(
            longest < Duration::from_secs(5),
            "{longest:?} without progress: {text}"
        );
        match r {
            Ok(o) => {
                assert!(!o.gcode.is_empty());
                ran += 1;
            }
            Err(EngineError::Job(e)) => {
                assert!(!e.field.is_empty(), "{text}: {e}");
                refused += 1;
            }
            Err(EngineError::NothingToCut(why)) => {
                assert!(why.iter().all(|w| !w.field.is_empty()), "{text}");
                refused += 1;
            }
            Err(EngineError::Cancelled) => panic!("took over 8 s: {text}"),
            Err(e) => panic!("{text}: {e}"),
        }
    }
    assert!(ran > 20 && refused > 20, "ran {ran}, refused {refused}");
}

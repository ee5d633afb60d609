//! Programs read back and timed: another CAM's program (written here in its style) is read,
//! and `swarf time` prints the planner's estimate and its breakdown.

use std::process::Command;
use swarf::gcode::{read::read, time};

/// A program in the style of a commercial post: line numbers, `%`, `;` comments, G28,
/// tool length offset, R-form arcs, inch units, incremental moves.
const OTHER_CAM: &str = "%
O1001 (a program number)
N10 G90 G94 G17 G20 ; inch
N20 G28 G91 Z0.
N30 G90
N40 T1 M6
N50 S10000 M3
N60 G54 G0 X0. Y0.
N70 G43 Z0.6 H1
N80 G1 Z-0.05 F20.
N90 X2. F40.
N100 G3 X3. Y1. R1.
N110 G2 X4. Y2. I1. J0. ; quarter the other way
N120 G91 G1 Y-2.
N130 G90 G0 Z0.6
N140 M30
%
";

#[test]
fn another_cams_program_is_read_and_timed() {
    // The O program number and N line numbers are read past.
    let text = OTHER_CAM.to_string();
    let p = read(&text).unwrap();
    let feeds: Vec<_> = p
        .moves
        .iter()
        .filter(|m| m.kind != swarf::gcode::read::Kind::Rapid)
        .collect();
    assert_eq!(feeds.len(), 5);
    // Inches to mm, F in inch/min to mm/min.
    assert!((feeds[1].to.x - 50.8).abs() < 1e-9);
    assert!((feeds[1].feed - 40.0 * 25.4).abs() < 1e-9);
    // R1 from (2, 0) to (3, 1) counter-clockwise: centre (2, 1).
    let c = feeds[2].centre.unwrap();
    assert!(
        (c.x - 50.8).abs() < 1e-9 && (c.y - 25.4).abs() < 1e-9,
        "{c:?}"
    );
    // The incremental Y-2 ends at Y0.
    assert!(feeds[4].to.y.abs() < 1e-9);
    let t = time::plan(&p, &time::Machine::default()).unwrap();
    // At least the cutting length at the programmed feeds.
    assert!(t.feed > 60.0 * (25.4 * 0.05 + 0.0) / (20.0 * 25.4));
    assert!(t.total > t.feed && t.rapid > 0.0);

    let path = std::env::temp_dir().join(format!("swarf-time-{}.nc", std::process::id()));
    std::fs::write(&path, &text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_swarf"))
        .args([
            "time",
            path.to_str().unwrap(),
            "--max-rate",
            "3000",
            "--accel",
            "500",
            "--junction-deviation",
            "0.01",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let first = out.lines().next().unwrap();
    let secs: f64 = first
        .strip_prefix("estimated time: ")
        .and_then(|s| s.strip_suffix(" s"))
        .unwrap()
        .parse()
        .unwrap();
    assert!((secs - t.total).abs() < 0.06, "{out}");
    assert!(
        out.contains("feed (G1/G2/G3)") && out.contains("rapid (G0)"),
        "{out}"
    );
}

#[test]
fn mangled_programs_are_refused_by_line_or_read() {
    let base = OTHER_CAM.to_string();
    let bytes = base.as_bytes();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"GXYZIJRF0123456789.-+ ;()%\n";
    for _ in 0..3000 {
        let mut v = bytes.to_vec();
        for _ in 0..(next() % 6 + 1) {
            let i = (next() as usize) % v.len();
            match next() % 3 {
                0 => v[i] = alphabet[(next() as usize) % alphabet.len()],
                1 => {
                    v.remove(i);
                }
                _ => v.insert(i, alphabet[(next() as usize) % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&v);
        match read(&text) {
            Ok(p) => {
                if let Ok(t) = time::plan(&p, &time::Machine::default()) {
                    assert!(t.total.is_finite() && t.total >= 0.0, "{text}");
                }
            }
            Err(e) => assert!(e.line >= 1 && !e.message.is_empty()),
        }
    }
    // An arc of a kilometre's radius, a thousand times: refused before planning, by line.
    let mut big = String::from("G0 X1000000 Y0\n");
    for _ in 0..1000 {
        big.push_str("G3 X1000000 Y0 I-1000000 J0 F100\n");
    }
    let p = read(&big).unwrap();
    let e = time::plan(&p, &time::Machine::default()).unwrap_err();
    assert!(e.to_string().contains("too large to time"), "{e}");
}

/// The machines of the comparison with GRBL's own planner: A alike on every axis, B with a
/// slower, gentler Z. Junction deviation and arc tolerance as GRBL 1.1 ships them.
fn grbl_machine(b: bool) -> time::Machine {
    time::Machine {
        max_rate: if b {
            [3000.0, 3000.0, 1000.0]
        } else {
            [3000.0; 3]
        },
        acceleration: if b { [500.0, 500.0, 200.0] } else { [500.0; 3] },
        junction_deviation: 0.01,
        arc_tolerance: 0.002,
        planner_blocks: 15,
    }
}

/// Seconds of motion GRBL 1.1h takes on each fixture, measured with grbl-sim: program,
/// machine B?, grbl-sim seconds. How (BENCHMARKS.md, "Cycle time against GRBL's planner"):
/// gnea/grbl bfb67f0c (1.1h) with grbl/grbl-sim 9bdd1654 built in /tmp, its clock run in
/// lockstep with GRBL's main loop (`-t 0`), the program streamed after `$1=255`, `$110`–`$112`,
/// `$120`–`$122`, `$11=0.01`, `$12=0.002` set to the machine; the figure is the simulated
/// time the stepper interrupt is enabled (first step to last).
const GRBL_SIM: [(&str, bool, f64); 12] = [
    ("square.nc", false, 18.050282),
    ("zigzag.nc", false, 14.965020),
    ("arcs.nc", false, 23.872562),
    ("rapids.nc", false, 75.813897),
    ("fine.nc", false, 11.234854),
    ("waterline.nc", false, 235.777339),
    ("square.nc", true, 18.518644),
    ("zigzag.nc", true, 15.403314),
    ("arcs.nc", true, 24.829470),
    ("rapids.nc", true, 88.835886),
    ("fine.nc", true, 11.649926),
    ("waterline.nc", true, 242.888881),
];

fn fixture(name: &str) -> swarf::gcode::read::Program {
    let path = format!(
        "{}/tests/fixtures/gcode_time/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    read(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn estimates_agree_with_grbl_sim_within_five_percent() {
    for (name, b, grbl) in GRBL_SIM {
        let t = time::plan(&fixture(name), &grbl_machine(b)).unwrap().total;
        let off = (t - grbl) / grbl;
        // `--nocapture` prints the table of BENCHMARKS.md.
        println!(
            "| {name} | {} | {grbl:.2} | {t:.2} | {:+.2} |",
            if b { "B" } else { "A" },
            100.0 * off
        );
        assert!(
            off.abs() < 0.05,
            "{name} on machine {}: swarf {t:.3} s, grbl-sim {grbl:.3} s ({:+.2} %)",
            if b { "B" } else { "A" },
            100.0 * off
        );
    }
}

#[test]
fn the_block_buffer_is_what_makes_fine_segments_agree() {
    // fine.nc is 0.1 mm chords at 3000 mm/min: planned over the whole program at once its
    // estimate is far from GRBL's, which never sees more than 15 blocks ahead.
    let (_, b, grbl) = GRBL_SIM.iter().find(|c| c.0 == "fine.nc").unwrap();
    let m = time::Machine {
        planner_blocks: usize::MAX,
        ..grbl_machine(*b)
    };
    let whole = time::plan(&fixture("fine.nc"), &m).unwrap().total;
    assert!((whole - grbl) / grbl < -0.05, "{whole} {grbl}");
}

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

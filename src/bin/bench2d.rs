//! `swarf-bench-2d`: import and 2D operations on a dense drawing it writes itself.
//!
//! ```sh
//! cargo run --release --bin swarf-bench-2d              # 10,000 glyph-like shapes
//! cargo run --release --bin swarf-bench-2d -- --shapes 2000
//! ```
//!
//! The drawing is an SVG "page of text as paths": rows of glyph-like shapes 4 mm high made
//! the way fonts come out of an editor — cubic Bézier bowls (flattened on import), straight
//! stems, counters (holes), and round dots (arcs). Each case runs in a child process so its
//! peak memory is its own: SVG import alone, then import plus each operation. Prints a
//! Markdown table.

use std::fmt::Write as _;
use std::process::Command;
use std::time::Instant;
use swarf::drawing::{import, ImportOptions};
use swarf::engine::{generate_drawing, place_drawing};
use swarf::job::{
    EngraveSpec, Job, PocketSpec, ProfileSpec, StrategySpec, ToolKind, ToolSpec, VcarveSpec,
};

/// Peak resident set of this process, bytes (Linux).
fn peak_rss() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// One glyph at (x, y), 4 mm high, of kind `k`.
fn glyph(out: &mut String, k: usize, x: f64, y: f64) {
    let h = 4.0;
    match k % 5 {
        // "o": a Bézier ring with its counter.
        0 => {
            let (cx, cy, rx, ry) = (x + 1.4, y + 2.0, 1.4, 2.0);
            let (ix, iy) = (0.8, 1.3);
            let ring = |rx: f64, ry: f64, s: &mut String| {
                let c = 0.5523;
                let _ = write!(
                    s,
                    "M{:.3} {:.3} C{:.3} {:.3} {:.3} {:.3} {:.3} {:.3} C{:.3} {:.3} {:.3} {:.3} {:.3} {:.3} C{:.3} {:.3} {:.3} {:.3} {:.3} {:.3} C{:.3} {:.3} {:.3} {:.3} {:.3} {:.3} Z ",
                    cx + rx, cy,
                    cx + rx, cy + c * ry, cx + c * rx, cy + ry, cx, cy + ry,
                    cx - c * rx, cy + ry, cx - rx, cy + c * ry, cx - rx, cy,
                    cx - rx, cy - c * ry, cx - c * rx, cy - ry, cx, cy - ry,
                    cx + c * rx, cy - ry, cx + rx, cy - c * ry, cx + rx, cy
                );
            };
            let mut d = String::new();
            ring(rx, ry, &mut d);
            ring(ix, iy, &mut d);
            let _ = writeln!(out, r#"<path fill-rule="evenodd" d="{d}"/>"#);
        }
        // "l": a stem with rounded ends (arcs).
        1 => {
            let _ = writeln!(
                out,
                r#"<rect x="{:.3}" y="{y:.3}" width="0.8" height="{h}" rx="0.4"/>"#,
                x + 0.3
            );
        }
        // "i": a stem and a dot.
        2 => {
            let _ = writeln!(
                out,
                r#"<rect x="{:.3}" y="{:.3}" width="0.8" height="2.8"/><circle cx="{:.3}" cy="{:.3}" r="0.5"/>"#,
                x + 0.3,
                y + 1.2,
                x + 0.7,
                y + 0.4
            );
        }
        // "L": a polygon with a sharp inside corner.
        3 => {
            let _ = writeln!(
                out,
                r#"<path d="M{x:.3} {y:.3} h0.9 v3.1 h1.8 v0.9 h-2.7 Z"/>"#
            );
        }
        // "D": a stem and a bowl with a counter.
        _ => {
            let _ = writeln!(
                out,
                r#"<path fill-rule="evenodd" d="M{x:.3} {y:.3} h1.2 a2 2 0 0 1 0 4 h-1.2 Z M{:.3} {:.3} v2.4 h0.4 a1.2 1.2 0 0 0 0 -2.4 Z"/>"#,
                x + 0.8,
                y + 0.8
            );
        }
    }
}

/// A page of `n` glyphs in rows, as SVG text (millimetres).
fn page(n: usize) -> String {
    let per_row = 60;
    let rows = n.div_ceil(per_row);
    let (w, h) = (per_row as f64 * 3.5 + 10.0, rows as f64 * 6.0 + 10.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}">"#
    );
    s.push('\n');
    for i in 0..n {
        let (r, c) = (i / per_row, i % per_row);
        glyph(
            &mut s,
            i * 7 + r,
            5.0 + c as f64 * 3.5,
            5.0 + r as f64 * 6.0,
        );
    }
    s.push_str("</svg>\n");
    s
}

fn job(strategy: StrategySpec, kind: ToolKind, d: f64) -> Job {
    Job {
        tool: ToolSpec {
            kind,
            diameter: d,
            angle: 60.0,
            ..ToolSpec::default()
        },
        strategy,
        ..Job::default()
    }
}

/// Child: import (and run `op` unless "import"), print one JSON line.
fn child(path: &str, op: &str) {
    let bytes = std::fs::read(path).expect("read drawing");
    let t = Instant::now();
    let mut d = import(&bytes, &ImportOptions::default()).expect("import");
    let import_s = t.elapsed().as_secs_f64();
    let shapes = d.shapes.len();
    let holes = d.hole_count();
    let segments: usize = d.paths().map(|p| p.vertices.len()).sum();
    let (mut op_s, mut points, mut gcode) = (0.0, 0, 0);
    if op != "import" {
        let j = match op {
            "engrave" => job(
                StrategySpec::Engrave(EngraveSpec::default()),
                ToolKind::Cone,
                3.0,
            ),
            "profile" => job(
                StrategySpec::Profile(ProfileSpec {
                    depth: 1.0,
                    stepdown: 1.0,
                    ..ProfileSpec::default()
                }),
                ToolKind::Flat,
                0.5,
            ),
            "pocket" => job(
                StrategySpec::Pocket(PocketSpec {
                    depth: 1.0,
                    stepdown: 1.0,
                    ..PocketSpec::default()
                }),
                ToolKind::Flat,
                0.3,
            ),
            _ => job(
                StrategySpec::Vcarve(VcarveSpec {
                    max_depth: 1.0,
                    ..VcarveSpec::default()
                }),
                ToolKind::Cone,
                3.0,
            ),
        };
        place_drawing(&mut d, &j).expect("place");
        let t = Instant::now();
        match generate_drawing(&d, &j, &mut |_| true) {
            Ok(out) => {
                op_s = t.elapsed().as_secs_f64();
                points = out.summary.points;
                gcode = out.gcode.len();
            }
            Err(e) => {
                eprintln!("{op}: {e}");
                op_s = f64::NAN;
            }
        }
    }
    println!(
        "{{\"import_s\":{import_s},\"op_s\":{op_s},\"shapes\":{shapes},\"holes\":{holes},\"segments\":{segments},\"points\":{points},\"gcode\":{gcode},\"peak\":{}}}",
        peak_rss()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], &args[3]);
        return;
    }
    let n = args
        .iter()
        .position(|a| a == "--shapes")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000usize);
    let svg = page(n);
    let path = std::env::temp_dir().join(format!("swarf-page-{n}.svg"));
    std::fs::write(&path, &svg).expect("write page");
    println!(
        "page of {n} glyphs, {:.1} MB of SVG ({})\n",
        svg.len() as f64 / 1e6,
        path.display()
    );
    println!("| case | tool | shapes | holes | segments | import s | operation s | points | G-code MB | peak RSS MB |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("exe");
    for (op, tool) in [
        ("import", "-"),
        ("engrave", "V 60°"),
        ("profile", "flat 0.5"),
        ("pocket", "flat 0.3"),
        ("vcarve", "V 60°"),
    ] {
        let out = Command::new(&exe)
            .args(["--child", &path.to_string_lossy(), op])
            .output()
            .expect("run child");
        let line = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = match serde_json::from_str(line.trim()) {
            Ok(v) => v,
            Err(_) => {
                println!(
                    "| {op} | {tool} | failed: {} |",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                continue;
            }
        };
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        println!(
            "| {op} | {tool} | {} | {} | {} | {:.3} | {} | {} | {:.2} | {:.0} |",
            f("shapes"),
            f("holes"),
            f("segments"),
            f("import_s"),
            if op == "import" {
                "-".to_string()
            } else {
                format!("{:.3}", f("op_s"))
            },
            f("points"),
            f("gcode") / 1e6,
            f("peak") / 1e6
        );
    }
}

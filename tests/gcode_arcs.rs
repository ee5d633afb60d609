//! Arcs and helices (G2/G3) in every dialect and unit, run through LinuxCNC's interpreter:
//! the path the interpreter traces must lie on the toolpath's arcs within the output
//! precision, both ways round, and arcs that cannot survive rounding become feed moves.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274::{self, Kind, Run};
use swarf::post::{write_gcode, Dialect, PostSettings, ProgramStats, Units};
use swarf::toolpath::{Move, Toolpath};

fn settings(dialect: Dialect, units: Units) -> PostSettings {
    let mut s = PostSettings::for_units(units);
    s.dialect = dialect;
    s.tool_number = 1;
    s
}

/// A program of awkward arcs, in mm scaled by `k` (1 for mm, 1/25.4 for inch).
fn arcs(k: f64) -> Toolpath {
    let p = |x: f64, y: f64, z: f64| [(x * k) as f32, (y * k) as f32, (z * k) as f32];
    let c = |x: f64, y: f64| [x * k, y * k];
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, p(10.0, 0.0, 10.0));
    tp.push(Move::Rapid, p(10.0, 0.0, 1.0));
    tp.push(Move::Plunge, p(10.0, 0.0, -1.0));
    // A quarter counter-clockwise, then back clockwise.
    tp.push_arc(true, c(0.0, 0.0), p(0.0, 10.0, -1.0));
    tp.push_arc(false, c(0.0, 0.0), p(10.0, 0.0, -1.0));
    // A whole helical turn down by 2.
    tp.push_arc(true, c(0.0, 0.0), p(10.0, 0.0, -3.0));
    // Seven pieces of a circle whose centre and radius have no short decimal form.
    let (cx, cy, r) = (1.0 / 3.0, 2.0 / 7.0, 10.0 / 3.0);
    tp.push(Move::Feed, p(cx + r, cy, -3.0));
    for i in 1..=7 {
        let a = i as f64 * std::f64::consts::TAU / 7.0;
        tp.push_arc(
            false,
            c(cx, cy),
            p(cx + r * a.cos(), cy - r * a.sin(), -3.0),
        );
    }
    // A tiny arc (radius 0.4 µm): below the precision, written as a feed move.
    tp.push(Move::Feed, p(20.0, 0.0, -3.0));
    tp.push_arc(true, c(20.0, 0.0004), p(20.0, 0.0008, -3.0));
    // A nearly straight arc (radius 100 m over 5 mm): its sagitta rounds away.
    tp.push(Move::Feed, p(20.0, 5.0, -3.0));
    let big = 100_000.0;
    let end_y = 10.0;
    tp.push_arc(false, c(20.0 + big, 7.5), {
        let (ax, ay) = (-big, 5.0 - 7.5);
        let rr = ax.hypot(ay);
        let bx = -(rr * rr - (end_y - 7.5f64).powi(2)).sqrt();
        p(20.0 + big + bx, end_y, -3.0)
    });
    // A 300° counter-clockwise arc around a centre off the grid, with a little ramp.
    tp.push(Move::Feed, p(30.0, 10.0, -3.0));
    let (cx, cy) = (30.0 - 4.123_456_7, 10.0);
    let a = 300f64.to_radians();
    tp.push_arc(
        true,
        c(cx, cy),
        p(cx + 4.123_456_7 * a.cos(), cy + 4.123_456_7 * a.sin(), -2.5),
    );
    tp.push(Move::Rapid, p(0.0, 0.0, 10.0));
    tp
}

/// Samples every cutting move the interpreter made, with arcs traced as circles (radius
/// blending linearly from start to end, as LinuxCNC does for a spiral).
fn trace(run: &Run) -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    let mut prev = run.moves[0].xyz;
    for m in &run.moves[1..] {
        match (m.kind, m.arc) {
            (Kind::Arc, Some((c, rot))) => {
                let a0 = (prev[1] - c[1]).atan2(prev[0] - c[0]);
                let a1 = (m.xyz[1] - c[1]).atan2(m.xyz[0] - c[0]);
                let r0 = (prev[0] - c[0]).hypot(prev[1] - c[1]);
                let r1 = (m.xyz[0] - c[0]).hypot(m.xyz[1] - c[1]);
                let tau = std::f64::consts::TAU;
                let mut d = a1 - a0;
                if rot > 0 {
                    while d <= 1e-12 {
                        d += tau;
                    }
                    d += tau * (rot - 1) as f64;
                } else {
                    while d >= -1e-12 {
                        d -= tau;
                    }
                    d -= tau * (-rot - 1) as f64;
                }
                for i in 0..=400 {
                    let t = i as f64 / 400.0;
                    let r = r0 + t * (r1 - r0);
                    let a = a0 + t * d;
                    out.push([
                        c[0] + r * a.cos(),
                        c[1] + r * a.sin(),
                        prev[2] + t * (m.xyz[2] - prev[2]),
                    ]);
                }
            }
            (Kind::Feed, _) => {
                for i in 0..=40 {
                    let t = i as f64 / 40.0;
                    out.push(std::array::from_fn(|k| prev[k] + t * (m.xyz[k] - prev[k])));
                }
            }
            _ => {}
        }
        prev = m.xyz;
    }
    out
}

fn seg_dist(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let ab: [f64; 3] = std::array::from_fn(|k| b[k] - a[k]);
    let ap: [f64; 3] = std::array::from_fn(|k| p[k] - a[k]);
    let l2: f64 = ab.iter().map(|v| v * v).sum();
    let t = if l2 > 0.0 {
        (ab.iter().zip(&ap).map(|(x, y)| x * y).sum::<f64>() / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (0..3)
        .map(|k| (ap[k] - t * ab[k]).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn dist_to(p: [f64; 3], poly: &[[f64; 3]]) -> f64 {
    poly.windows(2)
        .map(|w| seg_dist(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

/// The cutting moves of a toolpath as one polyline per run of cutting moves, arcs
/// flattened finely.
fn cutting_polylines(tp: &Toolpath, tol: f64) -> Vec<Vec<[f64; 3]>> {
    let f = tp.flattened(tol);
    let mut out: Vec<Vec<[f64; 3]>> = Vec::new();
    for s in f.steps() {
        if s.kind == Move::Rapid {
            continue;
        }
        match out.last_mut() {
            Some(l) if *l.last().unwrap() == s.from => l.push(s.to),
            _ => out.push(vec![s.from, s.to]),
        }
    }
    out
}

fn check(dialect: Dialect, units: Units) -> ProgramStats {
    let k = match units {
        Units::Mm => 1.0,
        Units::Inch => 1.0 / 25.4,
    };
    let tp = arcs(k);
    let s = settings(dialect, units);
    let text = write_gcode(&tp, &s).unwrap();
    let mut stats_sink = String::new();
    let stats = swarf::post::write_gcode_to(&tp, &s, &mut stats_sink).unwrap();
    assert_eq!(stats_sink, text);
    // 2 + 1 + 7 + 1 arcs stay arcs; the tiny and the flat one do not.
    assert_eq!(stats.arc_blocks, 11, "{text}");
    assert_eq!(stats.arcs_flattened, 2, "{text}");
    // Every arc line (with its G word or modal) states X, Y, I and J.
    for line in text.lines().filter(|l| !l.starts_with('(')) {
        let words: Vec<&str> = line.split(' ').collect();
        let is_arc = words
            .iter()
            .any(|w| *w == "G2" || *w == "G3" || w.starts_with('I') || w.starts_with('J'));
        if is_arc {
            for l in ['X', 'Y', 'I', 'J'] {
                assert!(
                    words.iter().any(|w| w.starts_with(l)),
                    "arc line without {l}: {line}"
                );
            }
        }
    }
    if dialect == Dialect::Grbl {
        assert!(text.lines().all(|l| l.len() <= 79));
    }
    let Some(bin) = rs274::available() else {
        return stats;
    };
    let run = rs274::run(&bin, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let arcs_run = run.moves.iter().filter(|m| m.kind == Kind::Arc).count();
    assert_eq!(arcs_run, 11);
    let quantum = 10f64.powi(-(s.decimals as i32));
    let traced = trace(&run);
    let polys = cutting_polylines(&tp, quantum * 0.01);
    // The interpreter's path lies on the toolpath within two quanta (rounding of the ends
    // and of the centre), and the toolpath lies on the interpreter's path.
    for p in &traced {
        let d = polys
            .iter()
            .map(|l| dist_to(*p, l))
            .fold(f64::INFINITY, f64::min);
        assert!(
            d <= 2.5 * quantum,
            "{dialect:?} {units:?}: {p:?} is {d} off the toolpath"
        );
    }
    let traced_poly = traced;
    for l in &polys {
        for p in l.iter().step_by(7) {
            let d = dist_to(*p, &traced_poly);
            assert!(
                d <= 2.5 * quantum,
                "{dialect:?} {units:?}: toolpath point {p:?} is {d} off the program"
            );
        }
    }
    stats
}

#[test]
fn arcs_linuxcnc_mm() {
    check(Dialect::Linuxcnc, Units::Mm);
}

#[test]
fn arcs_linuxcnc_inch() {
    check(Dialect::Linuxcnc, Units::Inch);
}

#[test]
fn arcs_grbl_mm() {
    check(Dialect::Grbl, Units::Mm);
}

#[test]
fn arcs_grbl_inch() {
    check(Dialect::Grbl, Units::Inch);
}

#[test]
fn arc_words_are_modal_and_exact() {
    let mut tp = Toolpath::new();
    tp.push(Move::Rapid, [5.0, 0.0, 1.0]);
    tp.push(Move::Plunge, [5.0, 0.0, -1.0]);
    tp.push_arc(true, [0.0, 0.0], [-5.0, 0.0, -1.0]);
    tp.push_arc(true, [0.0, 0.0], [5.0, 0.0, -1.0]);
    tp.push(Move::Feed, [6.0, 0.0, -1.0]);
    let text = write_gcode(&tp, &settings(Dialect::Grbl, Units::Mm)).unwrap();
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("G1 Z-1"))
        .take(4)
        .collect();
    assert_eq!(
        body,
        [
            "G1 Z-1 F200",
            "G3 X-5 Y0 I-5 J0 F800",
            "X5 Y0 I5 J0",
            "G1 X6"
        ],
        "{text}"
    );
}

//! Arc fitting: sampled circles become arcs of their radius and centre; on any polyline
//! (straight, zigzag, spiral, noisy) every fitted arc stays within the tolerance of the
//! polyline and the polyline within the tolerance of the fitted path; whole jobs get shorter
//! programs that LinuxCNC's interpreter runs; with fitting off nothing changes.

mod common;

use swarf::arcfit::fit_arcs;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::Job;
use swarf::toolpath::{Move, Toolpath};

/// Distance from `p` to the segment `a`–`b` (3D).
fn seg_dist(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let w = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
    let dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    let t = if dd > 0.0 {
        ((w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / dd).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = [w[0] - t * d[0], w[1] - t * d[1], w[2] - t * d[2]];
    (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]).sqrt()
}

/// Points along every move of `tp` (arcs sampled finely), with the move kind.
fn samples(tp: &Toolpath) -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    for s in tp.steps() {
        let n = if s.arc.is_some() { 64 } else { 8 };
        for k in 0..=n {
            out.push(s.at(k as f64 / n as f64));
        }
    }
    out
}

/// The greatest distance from a sample of `a` to the path of `b` (both flattened finely).
fn one_way(a: &Toolpath, b: &Toolpath) -> f64 {
    let fb = b.flattened(1e-5);
    let segs: Vec<([f64; 3], [f64; 3])> = fb.steps().map(|s| (s.from, s.to)).collect();
    samples(a)
        .into_iter()
        .map(|p| {
            segs.iter()
                .map(|&(x, y)| seg_dist(p, x, y))
                .fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max)
}

/// Fits `tp` and checks the fitted path against the polyline both ways; returns the fit.
fn fit_checked(tp: &Toolpath, tol: f64) -> Toolpath {
    let f = fit_arcs(tp, tol);
    // f32 points: allow their rounding on top of the tolerance.
    let slack = 1e-4;
    let there = one_way(&f, tp);
    let back = one_way(tp, &f);
    assert!(
        there <= tol + slack,
        "fitted path {there} from the polyline"
    );
    assert!(back <= tol + slack, "polyline {back} from the fitted path");
    assert_eq!(f.point(0), tp.point(0));
    assert_eq!(f.last(), tp.last());
    f
}

fn arc_count(tp: &Toolpath) -> usize {
    (0..tp.len()).filter(|&i| tp.kind(i).is_arc()).count()
}

#[test]
fn sampled_arcs_become_arcs_of_their_radius() {
    for &(ccw, r, n) in &[(true, 10.0, 100), (false, 3.5, 60), (true, 120.0, 400)] {
        let (cx, cy) = (7.25, -3.5);
        let mut tp = Toolpath::new();
        tp.push(Move::Rapid, [0.0, 0.0, 5.0]);
        let sweep: f64 = if ccw { 2.5 } else { -2.5 };
        for k in 0..=n {
            let a = 0.3 + sweep * k as f64 / n as f64;
            let p = [(cx + r * a.cos()) as f32, (cy + r * a.sin()) as f32, -1.0];
            tp.push(if k == 0 { Move::Plunge } else { Move::Feed }, p);
        }
        let tol = 0.01;
        let f = fit_checked(&tp, tol);
        assert!(f.len() <= 6, "r {r}: {} points left", f.len());
        let want = if ccw { Move::ArcCcw } else { Move::ArcCw };
        assert!(arc_count(&f) >= 1);
        for s in f.steps().filter(|s| s.kind.is_arc()) {
            assert_eq!(s.kind, want);
            let (c, _) = s.arc.unwrap();
            let rr = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
            assert!((rr - r).abs() <= tol, "radius {rr} for {r}");
            assert!((c[0] - cx).hypot(c[1] - cy) <= tol, "centre {c:?}");
        }
    }
}

/// A little deterministic noise in -1..1.
fn noise(k: usize) -> f64 {
    let x = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((x >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

#[test]
fn any_polyline_stays_within_the_tolerance_both_ways() {
    let mut cases: Vec<(&str, Vec<[f64; 2]>)> = Vec::new();
    cases.push(("straight", (0..60).map(|k| [k as f64 * 0.5, 1.0]).collect()));
    cases.push((
        "zigzag",
        (0..60)
            .map(|k| [k as f64 * 0.5, if k % 2 == 0 { 0.0 } else { 0.3 }])
            .collect(),
    ));
    for dir in [1.0, -1.0] {
        cases.push((
            "spiral",
            (0..400)
                .map(|k| {
                    let a = dir * k as f64 * 0.05;
                    let r = 2.0 + 0.04 * k as f64;
                    [r * a.cos(), r * a.sin()]
                })
                .collect(),
        ));
        cases.push((
            "noisy circle",
            (0..300)
                .map(|k| {
                    let a = dir * k as f64 * 0.03;
                    let r = 8.0 + 0.004 * noise(k);
                    [r * a.cos(), r * a.sin()]
                })
                .collect(),
        ));
        cases.push((
            "wave",
            (0..300)
                .map(|k| {
                    let x = k as f64 * 0.1;
                    [x, dir * 2.0 * (x / 3.0).sin()]
                })
                .collect(),
        ));
    }
    for tol in [0.002, 0.01, 0.05] {
        for (name, pts) in &cases {
            let mut tp = Toolpath::new();
            for (k, p) in pts.iter().enumerate() {
                let kind = if k == 0 { Move::Plunge } else { Move::Feed };
                tp.push(kind, [p[0] as f32, p[1] as f32, -2.0]);
            }
            let f = fit_checked(&tp, tol);
            if *name == "straight" || *name == "zigzag" {
                assert_eq!(f, tp, "{name} changed");
            }
            // A spiral's radius runs away from any circle and the noise is 0.004: only the
            // coarser tolerances merge them.
            if (name.contains("circle") || *name == "spiral") && tol >= 0.01 {
                assert!(
                    f.len() * 3 < tp.len(),
                    "{name} tol {tol}: {} of {}",
                    f.len(),
                    tp.len()
                );
            }
        }
    }
}

fn linuxcnc_and_grbl(job: &mut Job, run: impl Fn(&Job) -> engine::Output) {
    let rs = common::rs274::available();
    for dialect in ["linuxcnc", "grbl"] {
        job.machine.dialect = serde_json::from_str(&format!("\"{dialect}\"")).unwrap();
        job.machine.arc_fitting = true;
        let on = run(job);
        job.machine.arc_fitting = false;
        let off = run(job);
        let s = &on.summary;
        assert!(s.moves_merged > 0, "{dialect}: nothing merged");
        assert!(s.lines < s.lines_before && s.gcode_bytes < s.bytes_before);
        // The figures without fitting are the program with fitting off, byte for byte.
        assert_eq!(off.summary.gcode_bytes, s.bytes_before);
        assert_eq!(off.summary.lines, s.lines_before);
        assert_eq!(off.summary.lines, off.gcode.lines().count());
        assert_eq!(s.lines, on.gcode.lines().count());
        assert_eq!(off.summary.moves_merged, 0);
        assert!(on.gcode.contains("G2 ") || on.gcode.contains("G3 "));
        eprintln!(
            "{dialect}: {} lines / {} bytes, {} / {} without",
            s.lines, s.gcode_bytes, s.lines_before, s.bytes_before
        );
        if let Some(rs) = &rs {
            common::rs274::run(rs, &on.gcode).unwrap_or_else(|e| panic!("{dialect}: {e}"));
        }
    }
}

#[test]
fn waterline_around_a_sphere_is_shorter_and_runs() {
    let mut job: Job = serde_json::from_str(
        r#"{"tool":{"type":"flat","diameter":6},"strategy":{"type":"waterline","stepdown":2,"sampling":0.5}}"#,
    )
    .unwrap();
    let mesh = demo::sphere([0.0, 0.0, 0.0], 15.0, 48);
    let model = Model::new(mesh, &job.model, job.units).unwrap();
    linuxcnc_and_grbl(&mut job, |j| {
        engine::generate(&model, j, &mut |_| true).unwrap()
    });
}

const SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120mm" height="80mm" viewBox="0 0 120 80">
<path d="M10,40 C10,10 50,10 50,40 C50,70 10,70 10,40 Z"/>
<path d="M70,40 C75,20 105,20 110,40 C105,60 75,60 70,40 Z"/>
</svg>"#;

#[test]
fn profile_and_pocket_of_beziers_are_shorter_and_run() {
    for strategy in ["profile", "pocket"] {
        let mut job: Job = serde_json::from_str(&format!(
            r#"{{"tool":{{"type":"flat","diameter":3}},"strategy":{{"type":"{strategy}","depth":2,"stepdown":1}}}}"#
        ))
        .unwrap();
        let mut d = swarf::drawing::import(SVG.as_bytes(), &Default::default()).unwrap();
        engine::place_drawing(&mut d, &job).unwrap();
        linuxcnc_and_grbl(&mut job, |j| {
            engine::generate_drawing(&d, j, &mut |_| true).unwrap()
        });
    }
}

#[test]
fn parallel_finishing_is_never_fitted() {
    let mut job: Job = serde_json::from_str(
        r#"{"tool":{"type":"ball","diameter":6},"strategy":{"type":"parallel","stepover":2,"sampling":0.5}}"#,
    )
    .unwrap();
    let mesh = demo::sphere([0.0, 0.0, 0.0], 15.0, 48);
    let model = Model::new(mesh, &job.model, job.units).unwrap();
    let on = engine::generate(&model, &job, &mut |_| true).unwrap();
    job.machine.arc_fitting = false;
    let off = engine::generate(&model, &job, &mut |_| true).unwrap();
    assert_eq!(on.gcode, off.gcode);
    assert_eq!(on.summary.moves_merged, 0);
}

#[test]
fn arc_tolerance_is_checked_by_field() {
    let mut job = Job::default();
    job.machine.arc_tolerance = Some(-1.0);
    assert_eq!(job.validate().unwrap_err().field, "machine.arc_tolerance");
    job.machine.arc_tolerance = Some(1e-5);
    let e = job.validate().unwrap_err();
    assert_eq!(e.field, "machine.arc_tolerance");
    assert!(e.message.contains("precision"), "{e}");
    job.machine.arc_tolerance = Some(0.02);
    job.validate().unwrap();
}

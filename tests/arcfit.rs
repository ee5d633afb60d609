//! Arc fitting: sampled circles become arcs of their radius and centre; on any polyline
//! (straight, zigzag, spiral, noisy) every fitted arc stays within the tolerance of the
//! polyline and the polyline within the tolerance of the fitted path; whole jobs get shorter
//! programs that LinuxCNC's interpreter runs; with fitting off nothing changes.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::arcfit::{fit_arcs, EPS};
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::Job;
use swarf::toolpath::{Move, Toolpath, Wall};

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

/// Polylines to fit: straight, zigzag, spirals, noisy circles and waves, both ways round.
fn polylines() -> Vec<(&'static str, Vec<[f64; 2]>)> {
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
    cases
}

#[test]
fn any_polyline_stays_within_the_tolerance_both_ways() {
    let cases = polylines();
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

/// Signed distance from `p` to the polyline `pts`, positive on its left. At a vertex the
/// side is taken against the mean of its two segments' directions, which is right for
/// every point whose nearest point is that vertex.
fn signed_distance(p: [f64; 2], pts: &[[f64; 2]]) -> f64 {
    let unit = |u: [f64; 2]| {
        let l = u[0].hypot(u[1]).max(1e-300);
        [u[0] / l, u[1] / l]
    };
    let mut best = (f64::INFINITY, 0.0);
    for k in 0..pts.len() - 1 {
        let (a, b) = (pts[k], pts[k + 1]);
        let d = [b[0] - a[0], b[1] - a[1]];
        let dd = d[0] * d[0] + d[1] * d[1];
        let t = if dd > 0.0 {
            (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / dd).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let q = [a[0] + t * d[0], a[1] + t * d[1]];
        let dist = (p[0] - q[0]).hypot(p[1] - q[1]);
        if dist >= best.0 {
            continue;
        }
        let mut dir = unit(d);
        if t == 0.0 && k > 0 {
            let o = unit([a[0] - pts[k - 1][0], a[1] - pts[k - 1][1]]);
            dir = [dir[0] + o[0], dir[1] + o[1]];
        } else if t == 1.0 && k + 2 < pts.len() {
            let o = unit([pts[k + 2][0] - b[0], pts[k + 2][1] - b[1]]);
            dir = [dir[0] + o[0], dir[1] + o[1]];
        }
        let left = dir[0] * (p[1] - q[1]) - dir[1] * (p[0] - q[0]) >= 0.0;
        best = (dist, if left { dist } else { -dist });
    }
    best.1
}

/// For every arc of `fitted` that replaced moves of `plain` (a polyline of feeds): the
/// farthest it passes on each side of them, (left, right), sampled every micron or so.
fn sides(plain: &Toolpath, fitted: &Toolpath) -> (f64, f64) {
    let xy = |t: &Toolpath, i: usize| {
        let p = t.point(i);
        [p[0] as f64, p[1] as f64]
    };
    let (mut left, mut right) = (0.0f64, 0.0f64);
    let mut k = 0;
    for s in fitted.steps() {
        let from = k;
        while plain.point(k) != fitted.point(s.index) {
            k += 1;
        }
        let Some((c, sweep)) = s.arc else {
            continue;
        };
        let pts: Vec<[f64; 2]> = (from..=k).map(|i| xy(plain, i)).collect();
        let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
        let n = ((r * sweep.abs() / 1e-3) as usize).max(256);
        for j in 0..=n {
            let q = s.at(j as f64 / n as f64);
            let d = signed_distance([q[0], q[1]], &pts);
            left = left.max(d);
            right = right.max(-d);
        }
    }
    (left, right)
}

/// With the part on one side, no fitted arc passes on that side of the moves it replaces
/// by more than `arcfit::EPS`, and none strays more than the tolerance on the other; with
/// room given, none strays further than the room either way; fixed moves stay.
#[test]
fn one_sided_fits_never_cross_to_the_part() {
    for tol in [0.002, 0.01, 0.05] {
        for (name, pts) in &polylines() {
            // Less than a turn: a second lap within the noise of the first would be another
            // pass along the wall, which one-sided arcs must not cross.
            let pts = if name.contains("circle") {
                &pts[..200]
            } else {
                &pts[..]
            };
            for wall in [Wall::Left, Wall::Right, Wall::Room(0.003), Wall::Fixed] {
                let mut tp = Toolpath::new();
                tp.push(Move::Plunge, [pts[0][0] as f32, pts[0][1] as f32, -2.0]);
                tp.set_wall(wall);
                for p in &pts[1..] {
                    tp.push(Move::Feed, [p[0] as f32, p[1] as f32, -2.0]);
                }
                let f = fit_checked(&tp, tol);
                let (left, right) = sides(&tp, &f);
                let (part, free) = match wall {
                    Wall::Left => (left, right),
                    Wall::Right => (right, left),
                    _ => (0.0, left.max(right)),
                };
                let limit = match wall {
                    Wall::Room(room) => tol.min(room as f64),
                    _ => tol,
                };
                assert!(
                    part <= EPS,
                    "{name} tol {tol} {wall:?}: {part} on the part's side"
                );
                assert!(
                    free <= limit + 1e-9,
                    "{name} tol {tol} {wall:?}: {free} on the free side"
                );
                if wall == Wall::Fixed {
                    assert_eq!(f, tp, "{name}: fixed moves changed");
                }
                if wall.eq(&Wall::Left) || wall.eq(&Wall::Right) {
                    assert!(f.walls == tp.walls, "{name}: walls not kept");
                    // A noisy circle's points spread 0.008 across, and a tolerance wider
                    // than that still merges them: round the outside of the points the
                    // arcs are long; inside all the chords, from ends that are noisy
                    // points, they are shorter.
                    if name.contains("circle") && tol >= 0.05 {
                        let ccw = pts[1][0] * pts[2][1] - pts[1][1] * pts[2][0] > 0.0;
                        let outside = ccw == (wall == Wall::Left);
                        let (n, m) = (f.len(), tp.len());
                        if outside {
                            assert!(n * 10 < m, "{name} {wall:?}: {n} of {m} points left");
                        } else {
                            assert!(n * 2 < m, "{name} {wall:?}: {n} of {m} points left");
                        }
                    }
                }
            }
        }
    }
}

/// Two passes at one height 5 µm apart with the part beyond each (a slot in the
/// cutter-location region narrower than the tolerance): the noisy one's arcs, which must
/// pass outside all its points, would reach 2.9e-3 past the other pass without the check
/// that they cross no other pass along a wall.
#[test]
fn arcs_do_not_reach_past_a_pass_along_the_other_wall() {
    let ring = |n: usize, r: &dyn Fn(usize) -> f64| -> Vec<[f64; 2]> {
        (0..=n)
            .map(|k| {
                let a = k as f64 * 6.0 / n as f64;
                [r(k) * a.cos(), r(k) * a.sin()]
            })
            .collect()
    };
    // Counter-clockwise with the part inside (on the left); the other wall's pass runs
    // back clockwise with the part outside (on its left too), finely sampled so that its
    // chords stay within 10 µm of its circle.
    let inner = ring(200, &|k| 8.0 + 0.004 * noise(k));
    let mut outer = ring(2000, &|_| 8.005);
    outer.reverse();
    let mut tp = Toolpath::new();
    tp.push(Move::Plunge, [inner[0][0] as f32, inner[0][1] as f32, -1.0]);
    tp.set_wall(Wall::Left);
    for p in &inner[1..] {
        tp.push(Move::Feed, [p[0] as f32, p[1] as f32, -1.0]);
    }
    tp.push(Move::Rapid, [outer[0][0] as f32, outer[0][1] as f32, 5.0]);
    tp.push(Move::Plunge, [outer[0][0] as f32, outer[0][1] as f32, -1.0]);
    for p in &outer[1..] {
        tp.push(Move::Feed, [p[0] as f32, p[1] as f32, -1.0]);
    }
    let f = fit_checked(&tp, 0.01);
    assert!(f.len() < tp.len(), "nothing fitted");
    let outer: Vec<[f64; 2]> = outer
        .iter()
        .map(|p| [p[0] as f32 as f64, p[1] as f32 as f64])
        .collect();
    let (mut arcs, mut past) = (0, f64::NEG_INFINITY);
    // The inner pass's arcs: the moves before the rapid.
    let inner_moves = f.steps().take_while(|s| s.kind != Move::Rapid);
    for s in inner_moves.filter(|s| s.kind.is_arc()) {
        arcs += 1;
        for j in 0..=1000 {
            let q = s.at(j as f64 / 1000.0);
            // The free side of the outer pass is its right: past it is its left.
            past = past.max(signed_distance([q[0], q[1]], &outer));
        }
    }
    assert!(arcs > 0);
    assert!(past <= 0.0, "an arc reaches {past} past the other pass");
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

/// Distance from `p` to the boundary of the closed polygon `poly`, and whether `p` is
/// inside it.
fn polygon_distance(p: [f64; 2], poly: &[[f64; 2]]) -> (f64, bool) {
    let n = poly.len();
    let mut best = f64::INFINITY;
    let mut inside = false;
    for k in 0..n {
        let (a, b) = (poly[k], poly[(k + 1) % n]);
        best = best.min(seg_dist(
            [p[0], p[1], 0.0],
            [a[0], a[1], 0.0],
            [b[0], b[1], 0.0],
        ));
        if (a[1] > p[1]) != (b[1] > p[1])
            && a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]) > p[0]
        {
            inside = !inside;
        }
    }
    (best, inside)
}

/// How deep the tool of radius `reach` goes into the part along the cutting moves of `tp`
/// (feeds and arcs, sampled every 2 µm), the part being the polygon (`part_inside`) or
/// everything outside it; negative when it keeps clear all along.
fn worst_gouge(tp: &Toolpath, poly: &[[f64; 2]], reach: f64, part_inside: bool) -> f64 {
    let mut worst = f64::NEG_INFINITY;
    for s in tp.steps() {
        if !(s.kind == Move::Feed || s.kind.is_arc()) {
            continue;
        }
        let n = ((s.length() / 0.002).ceil() as usize).clamp(1, 1_000_000);
        for k in 0..=n {
            let q = s.at(k as f64 / n as f64);
            let (d, inside) = polygon_distance([q[0], q[1]], poly);
            let into = if inside == part_inside { d } else { -d };
            worst = worst.max(reach + into);
        }
    }
    worst
}

/// An elliptic prism (a cylinder of 256 facets stretched twice along X), whose curvature
/// changes along every level: the depth of the tool in it is known exactly. With fitting,
/// no cutting move goes deeper into it than the waterline's own moves do, climb or
/// conventional (the model on the right, or on the left). Arcs that may stray both ways
/// cut 8.5e-3 into it where the moves go 5.7e-3.
#[test]
fn waterline_arcs_never_cut_into_the_model() {
    let seg = 256;
    let mesh = demo::cylinder(0.0, 0.0, 15.0, 0.0, 10.0, seg);
    // The prism's outline, as `demo::cylinder` computes it and the job's scale stretches
    // it (exactly: by a power of two).
    let poly: Vec<[f64; 2]> = (0..seg)
        .map(|i| {
            let a = 2.0 * std::f32::consts::PI * i as f32 / seg as f32;
            [2.0 * (15.0 * a.cos()) as f64, (15.0 * a.sin()) as f64]
        })
        .collect();
    for milling in ["climb", "conventional"] {
        let mut job: Job = serde_json::from_str(&format!(
            r#"{{"model":{{"scale":[2,1,1]}},"tool":{{"type":"flat","diameter":6}},"strategy":{{"type":"waterline","stepdown":3,"milling":"{milling}"}}}}"#
        ))
        .unwrap();
        let model = Model::new(mesh.clone(), &job.model, job.units).unwrap();
        let on = engine::generate(&model, &job, &mut |_| true).unwrap();
        job.machine.arc_fitting = false;
        let off = engine::generate(&model, &job, &mut |_| true).unwrap();
        assert!(on.summary.moves_merged > 0, "{milling}: nothing fitted");
        let g_on = worst_gouge(&on.toolpath, &poly, 3.0, true);
        let g_off = worst_gouge(&off.toolpath, &poly, 3.0, true);
        eprintln!("{milling}: deepest {g_on:.2e} with arcs, {g_off:.2e} without");
        assert!(
            g_on <= g_off.max(0.0) + 1e-6,
            "{milling}: arcs cut {g_on} into the model, the moves {g_off}"
        );
    }
}

/// A circle drawn as a polygon of `n` sides of radius 20 round (50, 40), and the drawing.
fn polygon_drawing(n: usize, job: &Job) -> (swarf::drawing::Drawing, Vec<[f64; 2]>) {
    let pts: Vec<String> = (0..n)
        .map(|k| {
            let a = std::f64::consts::TAU * k as f64 / n as f64;
            format!("{:.6},{:.6}", 50.0 + 20.0 * a.cos(), 40.0 + 20.0 * a.sin())
        })
        .collect();
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="80mm" viewBox="0 0 100 80"><polygon points="{}"/></svg>"#,
        pts.join(" ")
    );
    let mut d = swarf::drawing::import(svg.as_bytes(), &Default::default()).unwrap();
    engine::place_drawing(&mut d, job).unwrap();
    let poly = d.shapes[0]
        .outline
        .vertices
        .iter()
        .map(|v| [v.p.x, v.p.y])
        .collect();
    (d, poly)
}

/// The program of a 2D job with fitting on and off.
fn both_ways(job: &mut Job, d: &swarf::drawing::Drawing) -> (engine::Output, engine::Output) {
    job.machine.arc_fitting = true;
    let on = engine::generate_drawing(d, job, &mut |_| true).unwrap();
    job.machine.arc_fitting = false;
    let off = engine::generate_drawing(d, job, &mut |_| true).unwrap();
    (on, off)
}

/// Profiles of a circle drawn as a polygon: the offset is exact (straight edges and arcs
/// round the corners), so the arcs fitted to it must not cut into the polygon at all,
/// outside (the part inside, climb and conventional) or inside (the part outside). Arcs
/// that may stray both ways cut 5.6e-3 into it outside. Inside, an arc through two corners
/// of the offset (a polygon of 96 sides) that keeps inside all of its edges strays more
/// than 0.01 from the corners between: none is fitted.
#[test]
fn profile_arcs_never_cut_into_the_drawing() {
    for (side, n) in [("outside", 128), ("inside", 96)] {
        for milling in ["climb", "conventional"] {
            let mut job: Job = serde_json::from_str(&format!(
                r#"{{"tool":{{"type":"flat","diameter":6}},"strategy":{{"type":"profile","side":"{side}","milling":"{milling}","depth":1,"stepdown":1}}}}"#
            ))
            .unwrap();
            let (d, poly) = polygon_drawing(n, &job);
            let (on, off) = both_ways(&mut job, &d);
            let part_inside = side == "outside";
            let g_on = worst_gouge(&on.toolpath, &poly, 3.0, part_inside);
            let g_off = worst_gouge(&off.toolpath, &poly, 3.0, part_inside);
            eprintln!(
                "{side} {milling}: {} moves merged, deepest {g_on:.2e} with arcs, {g_off:.2e} without",
                on.summary.moves_merged
            );
            if side == "outside" {
                assert!(
                    on.summary.moves_merged > 0,
                    "{side} {milling}: nothing fitted"
                );
            }
            assert!(
                g_on <= g_off.max(0.0) + 1e-6,
                "{side} {milling}: arcs cut {g_on} into the part, the moves {g_off}"
            );
        }
    }
}

/// Distance from `p` to one move (XY): a segment, or an arc by the angle of `p` seen from
/// its centre.
fn step_distance(p: [f64; 2], s: &swarf::toolpath::Step) -> f64 {
    match s.arc {
        None => seg_dist(
            [p[0], p[1], 0.0],
            [s.from[0], s.from[1], 0.0],
            [s.to[0], s.to[1], 0.0],
        ),
        Some((c, sweep)) => {
            let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
            let a0 = (s.from[1] - c[1]).atan2(s.from[0] - c[0]);
            let a = (p[1] - c[1]).atan2(p[0] - c[0]);
            let along = (a - a0).rem_euclid(std::f64::consts::TAU);
            let along = if sweep < 0.0 {
                std::f64::consts::TAU - along
            } else {
                along
            };
            let ends = (p[0] - s.from[0])
                .hypot(p[1] - s.from[1])
                .min((p[0] - s.to[0]).hypot(p[1] - s.to[1]));
            if along <= sweep.abs() {
                ((p[0] - c[0]).hypot(p[1] - c[1]) - r).abs().min(ends)
            } else {
                ends
            }
        }
    }
}

/// The points of a grid `h` apart inside the polygon and at least `margin` from its edge
/// that no cutting move at height `z` comes within `reach` of.
fn uncovered(tp: &Toolpath, poly: &[[f64; 2]], z: f64, reach: f64, margin: f64) -> usize {
    let steps: Vec<_> = tp
        .steps()
        .filter(|s| {
            (s.kind == Move::Feed || s.kind.is_arc())
                && (s.from[2] - z).abs() < 1e-4
                && (s.to[2] - z).abs() < 1e-4
        })
        .collect();
    // Moves by grid cell of the reach, each in every cell its box (grown by the reach)
    // touches.
    let cell = reach;
    let key = |x: f64, y: f64| ((x / cell).floor() as i64, (y / cell).floor() as i64);
    let mut cells: std::collections::HashMap<(i64, i64), Vec<usize>> = Default::default();
    for (i, s) in steps.iter().enumerate() {
        let (mut lo, mut hi) = (
            [s.from[0].min(s.to[0]), s.from[1].min(s.to[1])],
            [s.from[0].max(s.to[0]), s.from[1].max(s.to[1])],
        );
        if let Some((c, _)) = s.arc {
            let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
            lo = [c[0] - r, c[1] - r];
            hi = [c[0] + r, c[1] + r];
        }
        let (a, b) = (
            key(lo[0] - reach, lo[1] - reach),
            key(hi[0] + reach, hi[1] + reach),
        );
        for x in a.0..=b.0 {
            for y in a.1..=b.1 {
                cells.entry((x, y)).or_default().push(i);
            }
        }
    }
    let h = 0.05;
    let mut missed = 0;
    for i in 0..=(100.0 / h) as usize {
        for j in 0..=(80.0 / h) as usize {
            let p = [i as f64 * h, j as f64 * h];
            let (d, inside) = polygon_distance(p, poly);
            if !inside || d < margin {
                continue;
            }
            let near = cells.get(&key(p[0], p[1])).is_some_and(|v| {
                v.iter()
                    .any(|&k| step_distance(p, &steps[k]) <= reach + 1e-9)
            });
            if !near {
                missed += 1;
            }
        }
    }
    missed
}

/// Pocketing a circle drawn as a polygon: the wall ring's arcs stay off the wall (arcs
/// that may stray both ways cut 9.1e-3 into it), and the inner rings, which fit both ways
/// within their room, still reach every point of the floor (a stepover just short of the
/// radius leaves them almost no room).
#[test]
fn pocket_arcs_keep_off_the_wall_and_clear_the_floor() {
    for ratio in [0.4, 0.495] {
        let mut job: Job = serde_json::from_str(&format!(
            r#"{{"tool":{{"type":"flat","diameter":6}},"strategy":{{"type":"pocket","depth":1,"stepdown":1,"stepover_ratio":{ratio}}}}}"#
        ))
        .unwrap();
        let (d, poly) = polygon_drawing(96, &job);
        let (on, off) = both_ways(&mut job, &d);
        assert!(on.summary.moves_merged > 0, "ratio {ratio}: nothing fitted");
        let g_on = worst_gouge(&on.toolpath, &poly, 3.0, false);
        let g_off = worst_gouge(&off.toolpath, &poly, 3.0, false);
        assert!(
            g_on <= g_off.max(0.0) + 1e-6,
            "ratio {ratio}: arcs cut {g_on} into the wall, the moves {g_off}"
        );
        // The wall may be left up to the tolerance thicker (the wall ring only moves
        // inwards); everything deeper in is cut.
        let margin = 2.0 * job.machine.arc_tolerance();
        let missed_off = uncovered(&off.toolpath, &poly, -1.0, 3.0, margin);
        let missed_on = uncovered(&on.toolpath, &poly, -1.0, 3.0, margin);
        eprintln!(
            "ratio {ratio}: {} moves merged, deepest {g_on:.2e} with arcs, {g_off:.2e} without, {missed_on} / {missed_off} floor points missed",
            on.summary.moves_merged
        );
        assert_eq!(
            missed_off, 0,
            "ratio {ratio}: the pattern itself misses the floor"
        );
        assert_eq!(
            missed_on, 0,
            "ratio {ratio}: the fitted rings miss the floor"
        );
    }
}

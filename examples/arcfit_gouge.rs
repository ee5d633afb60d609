//! How far fitted arcs stray from the moves they replace, and to which side: runs a job with
//! arc fitting off, fits each operation's toolpath, and samples every new arc densely
//! against the polyline it replaced. A sample on the part's side of that polyline (the side
//! the toolpath's [`Wall`] names) is a deviation towards the part; on a [`Wall::Both`] run
//! both sides count, on a [`Wall::Room`] run what goes past the room.
//!
//! ```text
//! cargo run --release --example arcfit_gouge -- MODEL.stl|DRAWING.svg [JOB.json]
//! ```
//!
//! Prints, per operation: arcs made, points before and after, the worst deviation towards
//! the part and the worst either way (job units), and how many arcs stray towards the part
//! by more than `arcfit::EPS`.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::arcfit::{fit_arcs, EPS};
use swarf::engine::{self, Model};
use swarf::job::Job;
use swarf::toolpath::{Move, Toolpath, Wall};

/// Worst deviations of the new arcs of `fitted` from the moves of `plain` they replace.
#[derive(Debug, Default)]
pub struct Deviation {
    /// Arcs in `fitted` that replace moves of `plain`.
    pub arcs: usize,
    /// The farthest any of them passes on the part's side of what it replaced.
    pub toward: f64,
    /// The farthest any of them passes from what it replaced, either side.
    pub either: f64,
    /// Arcs that pass more than `EPS` on the part's side.
    pub straying: usize,
}

/// The point of segment `a`–`b` nearest `p`, and its parameter in 0..=1.
fn nearest(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> ([f64; 2], f64) {
    let d = [b[0] - a[0], b[1] - a[1]];
    let dd = d[0] * d[0] + d[1] * d[1];
    let t = if dd > 0.0 {
        (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / dd).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ([a[0] + t * d[0], a[1] + t * d[1]], t)
}

/// Signed distance from `p` to the polyline `pts`: positive on its left. At a vertex the
/// side is taken against the mean of the two segments' directions, which is right for every
/// point whose nearest point is that vertex.
fn signed(p: [f64; 2], pts: &[[f64; 2]]) -> f64 {
    let mut best = (f64::INFINITY, 0.0);
    for k in 0..pts.len() - 1 {
        let (a, b) = (pts[k], pts[k + 1]);
        let (q, t) = nearest(p, a, b);
        let dist = (p[0] - q[0]).hypot(p[1] - q[1]);
        if dist >= best.0 {
            continue;
        }
        let unit = |u: [f64; 2]| {
            let l = u[0].hypot(u[1]).max(1e-300);
            [u[0] / l, u[1] / l]
        };
        let mut dir = unit([b[0] - a[0], b[1] - a[1]]);
        let other = if t == 0.0 && k > 0 {
            Some(unit([a[0] - pts[k - 1][0], a[1] - pts[k - 1][1]]))
        } else if t == 1.0 && k + 2 < pts.len() {
            Some(unit([pts[k + 2][0] - b[0], pts[k + 2][1] - b[1]]))
        } else {
            None
        };
        if let Some(o) = other {
            dir = [dir[0] + o[0], dir[1] + o[1]];
        }
        let side = dir[0] * (p[1] - q[1]) - dir[1] * (p[0] - q[0]);
        best = (dist, if side >= 0.0 { dist } else { -dist });
    }
    best.1
}

/// Compares every arc of `fitted` that `plain` does not have with the moves it replaced.
/// `fitted` must keep a subsequence of `plain`'s points, as `fit_arcs` does.
pub fn deviation(plain: &Toolpath, fitted: &Toolpath) -> Deviation {
    let mut out = Deviation::default();
    let flat = |i: usize| {
        let p = plain.point(i);
        [p[0] as f64, p[1] as f64]
    };
    let steps: Vec<_> = plain.steps().collect();
    let mut k = 0;
    for s in fitted.steps() {
        let from = k;
        k += 1;
        while plain.point(k) != fitted.point(s.index) {
            k += 1;
        }
        let Some((c, sweep)) = s.arc else {
            continue;
        };
        if k == from + 1 && plain.kind(k) == s.kind {
            continue;
        }
        out.arcs += 1;
        // The replaced moves, existing arcs among them flattened within a micron.
        let mut pts = vec![flat(from)];
        for st in &steps[from..k] {
            match st.arc {
                Some((c2, sw)) => {
                    let r2 = (st.from[0] - c2[0]).hypot(st.from[1] - c2[1]);
                    let n = swarf::toolpath::arc_pieces(r2, sw, 1e-6);
                    for j in 1..=n {
                        let q = st.at(j as f64 / n as f64);
                        pts.push([q[0], q[1]]);
                    }
                }
                None => pts.push([st.to[0], st.to[1]]),
            }
        }
        let wall = plain.wall(k);
        let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
        let n = ((r * sweep.abs() / 1e-3) as usize).clamp(256, 20_000);
        let mut worst = 0.0f64;
        for j in 0..=n {
            let q = s.at(j as f64 / n as f64);
            let d = signed([q[0], q[1]], &pts);
            let toward = match wall {
                Wall::Left => d.max(0.0),
                Wall::Right => (-d).max(0.0),
                // No part within the room: only what goes past it counts.
                Wall::Room(room) => (d.abs() - room as f64).max(0.0),
                Wall::Both | Wall::Fixed => d.abs(),
            };
            worst = worst.max(toward);
            out.either = out.either.max(d.abs());
        }
        out.toward = out.toward.max(worst);
        if worst > EPS {
            out.straying += 1;
        }
    }
    out
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: arcfit_gouge MODEL.stl|DRAWING.svg|DRAWING.dxf [JOB.json]");
        std::process::exit(2);
    };
    let mut job = match args.get(1) {
        Some(j) => Job::from_json(&std::fs::read_to_string(j).expect("job file")).expect("job"),
        None => Job::default(),
    };
    let bytes = std::fs::read(path).expect("input file");
    let stl = path.to_ascii_lowercase().ends_with(".stl");
    let run = |job: &Job| -> engine::Output {
        if stl {
            let mesh = swarf::mesh::stl::read_stl(
                std::io::Cursor::new(&bytes),
                Some(bytes.len() as u64),
                &Default::default(),
            )
            .expect("STL");
            let model = Model::new(mesh, &job.model, job.units).expect("model");
            engine::generate(&model, job, &mut |_| true).expect("job")
        } else {
            let mut d = swarf::drawing::import(&bytes, &Default::default()).expect("drawing");
            engine::place_drawing(&mut d, job).expect("placing");
            engine::generate_drawing(&d, job, &mut |_| true).expect("job")
        }
    };
    job.machine.arc_fitting = false;
    let plain = run(&job);
    job.machine.arc_fitting = true;
    let on = run(&job);
    let tol = job.machine.arc_tolerance();
    // Each operation's own moves, walls included.
    let whole = &plain.toolpath;
    let ops = job.operations();
    let mut parts = vec![Toolpath::new(); ops.len()];
    let op_of = |i: usize| plain.op_starts.partition_point(|&s| s <= i).max(1) - 1;
    if !whole.is_empty() {
        parts[op_of(0)].push(whole.kind(0), whole.point(0));
    }
    for s in whole.steps() {
        let t = &mut parts[op_of(s.index)];
        t.set_wall(whole.wall(s.index));
        match s.arc {
            Some((c, _)) => t.push_arc(s.kind == Move::ArcCcw, c, whole.point(s.index)),
            None => t.push(s.kind, whole.point(s.index)),
        }
    }
    for (k, (op, tp)) in ops.iter().zip(&parts).enumerate() {
        let fitted = if engine::fits_arcs(&op.strategy) {
            fit_arcs(tp, tol)
        } else {
            tp.clone()
        };
        let d = deviation(tp, &fitted);
        println!(
            "op {} {}: {} arcs, {} -> {} points, toward the part {:.2e}, either way {:.2e}, {} arcs past EPS",
            k + 1,
            op.strategy.name(),
            d.arcs,
            tp.len(),
            fitted.len(),
            d.toward,
            d.either,
            d.straying
        );
    }
    let s = &on.summary;
    println!(
        "program: {} lines / {} bytes, {} / {} without arcs ({} moves merged)",
        s.lines, s.gcode_bytes, s.lines_before, s.bytes_before, s.moves_merged
    );
}

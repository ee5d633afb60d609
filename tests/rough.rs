//! Z-level roughing through the public engine: the stock to leave is kept, open areas are
//! cleared without islands, layers and entries are respected, and the G-code runs.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274;
use swarf::cutter::{Cutter, Shape};
use swarf::demo;
use swarf::engine::{self, EngineError, Model, Output};
use swarf::job::{ClearPattern, Job, ModelTransform, RoughSpec, StrategySpec, ToolKind};
use swarf::mesh::Mesh;
use swarf::post::{Dialect, Units};
use swarf::toolpath::Move;

/// A box with vertical walls and a sphere standing on the floor, a pocket-like gap between.
fn scene() -> Mesh {
    Mesh::merged(&[
        demo::cuboid([0.0, 0.0, 0.0], [14.0, 30.0, 9.0]),
        demo::sphere([32.0, 15.0, 7.0], 7.0, 32),
    ])
}

fn job(kind: ToolKind, pattern: ClearPattern) -> Job {
    let mut job = Job::default();
    job.tool.kind = kind;
    job.tool.diameter = 6.0;
    job.tool.corner_radius = 1.0;
    job.tool.angle = 90.0;
    job.strategy = StrategySpec::Rough(RoughSpec {
        stepdown: 2.5,
        stock_to_leave: 0.6,
        pattern,
        sampling: 0.5,
        tolerance: 0.02,
        ..RoughSpec::default()
    });
    job
}

fn spec(job: &Job) -> &RoughSpec {
    match &job.strategy {
        StrategySpec::Rough(r) => r,
        _ => unreachable!(),
    }
}

fn run(mesh: Mesh, job: &Job) -> (Model, Output) {
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
    // These check the roughing strategy's own moves; arc fitting is tested in tests/arcfit.rs.
    let mut job = job.clone();
    job.machine.arc_fitting = false;
    let out = engine::generate(&model, &job, &mut |_| true).unwrap();
    (model, out)
}

/// The tool grown by `a`, written out here independently of the engine's own: ball and
/// round shapes grow exactly; a cone by its parallel cone, whose apex is `a / sin α` down.
fn grown(tool: &Cutter, a: f64) -> (Cutter, f64) {
    let d = 2.0 * (tool.radius() + a);
    match tool.shape() {
        Shape::Ball => (Cutter::ball(d).unwrap(), a),
        Shape::Flat => (Cutter::bull(d, a).unwrap(), a),
        Shape::Bull { corner_radius } => (Cutter::bull(d, corner_radius + a).unwrap(), a),
        Shape::Cone { angle_deg } => (
            Cutter::cone(d, angle_deg).unwrap(),
            a / (angle_deg / 2.0).to_radians().sin(),
        ),
    }
}

/// Every cutting move (feed or plunge), sampled every `step`: (point, kind).
fn cutting_points(out: &Output, step: f64) -> Vec<([f64; 3], Move)> {
    // Helix entries (adaptive) as the straight moves within a micron of them.
    let tp = &out.toolpath.flattened(1e-3);
    let mut v = Vec::new();
    for i in 1..tp.len() {
        let kind = tp.kind(i);
        if kind == Move::Rapid {
            continue;
        }
        let (a, b) = (tp.point(i - 1), tp.point(i));
        let (a, b) = (a.map(|c| c as f64), b.map(|c| c as f64));
        let len = (b[0] - a[0]).hypot(b[1] - a[1]).hypot(b[2] - a[2]);
        let n = ((len / step).ceil() as usize).max(1);
        for k in 0..=n {
            let t = k as f64 / n as f64;
            v.push((
                [
                    a[0] + (b[0] - a[0]) * t,
                    a[1] + (b[1] - a[1]) * t,
                    a[2] + (b[2] - a[2]) * t,
                ],
                kind,
            ));
        }
    }
    v
}

fn check_allowance(kind: ToolKind, pattern: ClearPattern) {
    let job = job(kind, pattern);
    let sp = spec(&job).clone();
    let (model, out) = run(scene(), &job);
    let tool = out.resolved[0].cutter;
    let a = sp.stock_to_leave - sp.tolerance;
    let (check, lift) = grown(&tool, a);
    let floor = out.resolved[0].floor;
    let pts = cutting_points(&out, 0.05);
    assert!(pts.len() > 1000, "{kind:?}: only {} points", pts.len());
    let mut worst = (f64::NEG_INFINITY, [0.0; 3]);
    for (p, _) in &pts {
        let h = model
            .index()
            .drop_cutter(model.mesh(), &check, p[0], p[1])
            .map_or(floor, |h| h + lift);
        if h - p[2] > worst.0 {
            worst = (h - p[2], *p);
        }
    }
    // f32 coordinates in the toolpath: a few micrometres.
    assert!(
        worst.0 <= 1e-4,
        "{kind:?} {pattern:?}: {:.4} closer than the allowance minus the tolerance at {:?}",
        worst.0,
        worst.1
    );
}

/// A needle (2 × 2 mm, 20 high) and a thin ridge, with the grid as coarse as validation
/// allows (sampling = the cutter radius): their blocked spots fit between grid nodes, and
/// must still not be cut through.
#[test]
fn needles_between_grid_nodes_keep_the_allowance() {
    for kind in [
        ToolKind::Ball,
        ToolKind::Flat,
        ToolKind::Cone,
        ToolKind::Bull,
    ] {
        let mut job = job(kind, ClearPattern::Offset);
        if let StrategySpec::Rough(r) = &mut job.strategy {
            r.sampling = 3.0;
            r.tolerance = 0.02;
            r.stepdown = 0.7;
            r.z_top = Some(20.0);
        }
        let mesh = Mesh::merged(&[
            demo::cuboid([0.0, 0.0, 0.0], [40.0, 40.0, 1.0]),
            demo::cuboid([19.3, 18.6, 0.0], [21.3, 20.6, 20.0]),
            demo::cuboid([8.0, 30.2, 0.0], [32.0, 30.6, 12.0]),
        ]);
        let (model, out) = run(mesh, &job);
        let sp = spec(&job).clone();
        let tool = out.resolved[0].cutter;
        let (check, lift) = grown(&tool, sp.stock_to_leave - sp.tolerance);
        let floor = out.resolved[0].floor;
        for (p, mv) in cutting_points(&out, 0.05) {
            let h = model
                .index()
                .drop_cutter(model.mesh(), &check, p[0], p[1])
                .map_or(floor, |h| h + lift);
            assert!(
                h - p[2] <= 1e-4,
                "{kind:?}: {:.4} into the allowance at {p:?} ({mv:?})",
                h - p[2]
            );
        }
    }
}

/// Stock bigger than the model: the first layer is just under the stock's top, and every
/// plunge that is not onto a layer already cut goes down a radius outside the stock, not
/// just outside the model (where the stock's real material is).
#[test]
fn stock_margin_moves_the_entries_out() {
    let mut job = job(ToolKind::Flat, ClearPattern::Offset);
    job.stock.margin = 8.0;
    let (model, out) = run(scene(), &job);
    let res = &out.resolved[0];
    let b = model.mesh().bounds();
    assert_eq!(res.stock.max.z, b.max[2] as f64 + 8.0);
    assert_eq!(res.stock.min.x, b.min[0] as f64 - 8.0);
    let tp = &out.toolpath;
    let r = res.cutter.radius();
    let top_feed = (0..tp.len())
        .filter(|&i| tp.kind(i) == Move::Feed)
        .map(|i| tp.point(i)[2] as f64)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        top_feed > b.max[2] as f64,
        "the stock above the model is cleared too"
    );
    let mut outside = 0;
    for i in 1..tp.len() {
        if tp.kind(i) != Move::Plunge {
            continue;
        }
        let p = tp.point(i);
        let dx = (res.stock.min.x - p[0] as f64)
            .max(p[0] as f64 - res.stock.max.x)
            .max(0.0);
        let dy = (res.stock.min.y - p[1] as f64)
            .max(p[1] as f64 - res.stock.max.y)
            .max(0.0);
        let beside = dx.hypot(dy) >= r - 1e-3;
        if beside {
            outside += 1;
        } else {
            // Inside the stock a plunge only goes down to air (a layer cut before, or the
            // stock's top) and a ramp follows: the next move is a descending feed.
            let next = tp.point(i + 1);
            assert!(
                tp.kind(i + 1) == Move::Feed && next[2] < p[2],
                "straight plunge into the stock at {p:?}"
            );
        }
    }
    assert!(
        outside > 0,
        "open layers are entered from outside the stock"
    );
}

#[test]
fn flat_leaves_the_allowance() {
    check_allowance(ToolKind::Flat, ClearPattern::Offset);
}

#[test]
fn ball_leaves_the_allowance() {
    check_allowance(ToolKind::Ball, ClearPattern::Offset);
}

#[test]
fn bull_leaves_the_allowance() {
    check_allowance(ToolKind::Bull, ClearPattern::Offset);
}

#[test]
fn cone_leaves_the_allowance() {
    check_allowance(ToolKind::Cone, ClearPattern::Offset);
}

#[test]
fn adaptive_leaves_the_allowance() {
    for kind in [
        ToolKind::Flat,
        ToolKind::Ball,
        ToolKind::Bull,
        ToolKind::Cone,
    ] {
        check_allowance(kind, ClearPattern::Adaptive);
    }
}

#[test]
fn zigzag_leaves_the_allowance() {
    check_allowance(ToolKind::Flat, ClearPattern::Zigzag);
    check_allowance(ToolKind::Bull, ClearPattern::Zigzag);
}

/// Ball cutter, checked by plain geometry: the ball's centre stays `R + a - tol` from every
/// triangle.
#[test]
fn ball_centre_keeps_its_distance() {
    let job = job(ToolKind::Ball, ClearPattern::Offset);
    let sp = spec(&job).clone();
    let (model, out) = run(scene(), &job);
    let r = out.resolved[0].cutter.radius();
    let tris = model.mesh().triangles();
    let mut worst = f64::INFINITY;
    for (p, _) in cutting_points(&out, 0.25) {
        let c = [p[0], p[1], p[2] + r];
        for t in tris.chunks_exact(9) {
            let v = |k: usize| [t[3 * k] as f64, t[3 * k + 1] as f64, t[3 * k + 2] as f64];
            worst = worst.min(point_triangle(c, v(0), v(1), v(2)));
        }
    }
    assert!(
        worst >= r + sp.stock_to_leave - sp.tolerance - 1e-4,
        "ball centre {worst:.4} from the model"
    );
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn seg_dist(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = sub(b, a);
    let t = (dot(sub(p, a), d) / dot(d, d).max(1e-300)).clamp(0.0, 1.0);
    let q = [a[0] + t * d[0], a[1] + t * d[1], a[2] + t * d[2]];
    dot(sub(p, q), sub(p, q)).sqrt()
}
/// Distance from `p` to the triangle `abc`.
fn point_triangle(p: [f64; 3], a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> f64 {
    let (ab, ac) = (sub(b, a), sub(c, a));
    let n = [
        ab[1] * ac[2] - ab[2] * ac[1],
        ab[2] * ac[0] - ab[0] * ac[2],
        ab[0] * ac[1] - ab[1] * ac[0],
    ];
    let nn = dot(n, n);
    if nn > 1e-18 {
        let ap = sub(p, a);
        let dist = dot(ap, n) / nn.sqrt();
        // Barycentric test of the projection.
        let q = sub(ap, n.map(|x| x * dot(ap, n) / nn));
        let (d00, d01, d11) = (dot(ab, ab), dot(ab, ac), dot(ac, ac));
        let (d20, d21) = (dot(q, ab), dot(q, ac));
        let den = d00 * d11 - d01 * d01;
        let v = (d11 * d20 - d01 * d21) / den;
        let w = (d00 * d21 - d01 * d20) / den;
        if v >= 0.0 && w >= 0.0 && v + w <= 1.0 {
            return dist.abs();
        }
    }
    seg_dist(p, a, b)
        .min(seg_dist(p, b, c))
        .min(seg_dist(p, c, a))
}

/// The layer heights, top down, as the spec defines them.
fn layers(sp: &RoughSpec, top: f64, floor: f64) -> Vec<f64> {
    let bottom = sp.z_bottom.unwrap_or(floor).max(floor);
    let n = ((top - bottom) / sp.stepdown).ceil() as usize;
    (1..=n)
        .map(|k| (top - k as f64 * sp.stepdown).max(bottom))
        .collect()
}

fn check_coverage(pattern: ClearPattern) {
    let job = job(ToolKind::Flat, pattern);
    let sp = spec(&job).clone();
    let (model, out) = run(scene(), &job);
    let res = &out.resolved[0];
    let tool = res.cutter;
    let r = tool.radius();
    let s = sp.stepover_ratio * 2.0 * r;
    let (check, lift) = grown(&tool, sp.stock_to_leave);
    let pts = cutting_points(&out, 0.1);
    for &z in &layers(&sp, res.top, res.floor) {
        // The path at this layer, bucketed by cells of the tool's radius.
        let at: Vec<[f64; 2]> = pts
            .iter()
            .filter(|(p, k)| *k == Move::Feed && (p[2] - z).abs() < 1e-3)
            .map(|(p, _)| [p[0], p[1]])
            .collect();
        let cell = |v: f64, o: f64| ((v - o) / r).floor() as i64;
        let mut buckets = std::collections::HashMap::<(i64, i64), Vec<[f64; 2]>>::new();
        for p in &at {
            buckets
                .entry((cell(p[0], res.area.min.x), cell(p[1], res.area.min.y)))
                .or_default()
                .push(*p);
        }
        let covered = |q: [f64; 2]| {
            let (ci, cj) = (cell(q[0], res.area.min.x), cell(q[1], res.area.min.y));
            (ci - 1..=ci + 1).any(|i| {
                (cj - 1..=cj + 1).any(|j| {
                    buckets.get(&(i, j)).is_some_and(|v| {
                        v.iter()
                            .any(|p| (p[0] - q[0]).hypot(p[1] - q[1]) <= r + 1e-6)
                    })
                })
            })
        };
        // Where the tool may be with the stock left, more than a stepover from anywhere
        // it may not (the model, or outside the area).
        let free = |x: f64, y: f64| {
            x >= res.area.min.x
                && x <= res.area.max.x
                && y >= res.area.min.y
                && y <= res.area.max.y
                && model
                    .index()
                    .drop_cutter(model.mesh(), &check, x, y)
                    .is_none_or(|h| h + lift <= z)
        };
        let band = s;
        let mut missed = Vec::new();
        let g = 0.5;
        let nx = ((res.area.max.x - res.area.min.x) / g) as usize;
        let ny = ((res.area.max.y - res.area.min.y) / g) as usize;
        for j in 0..=ny {
            for i in 0..=nx {
                let (x, y) = (res.area.min.x + i as f64 * g, res.area.min.y + j as f64 * g);
                let interior = (0..12).all(|k| {
                    let t = std::f64::consts::TAU * k as f64 / 12.0;
                    free(x + band * t.cos(), y + band * t.sin())
                }) && free(x, y);
                if interior && !covered([x, y]) {
                    missed.push([x, y]);
                }
            }
        }
        assert!(
            missed.is_empty(),
            "{pattern:?} layer {z}: {} uncut points in open area, e.g. {:?}",
            missed.len(),
            &missed[..missed.len().min(5)]
        );
    }
}

#[test]
fn offset_leaves_no_island_in_open_areas() {
    check_coverage(ClearPattern::Offset);
}

#[test]
fn adaptive_leaves_no_island_in_open_areas() {
    check_coverage(ClearPattern::Adaptive);
}

#[test]
fn zigzag_leaves_no_island_in_open_areas() {
    check_coverage(ClearPattern::Zigzag);
}

/// Tips stay on their layers (or on a ramp between two), never below the floor, and no
/// plunge ends in material: it ends beside the stock, or at a layer already cleared there
/// and a ramp follows.
fn check_layers_and_entries(kind: ToolKind, pattern: ClearPattern) {
    let job = job(kind, pattern);
    let sp = spec(&job).clone();
    let (model, out) = run(scene(), &job);
    let res = &out.resolved[0];
    let r = res.cutter.radius();
    let zs = layers(&sp, res.top, res.floor);
    let b = model.mesh().bounds();
    let outside = |p: [f32; 3]| {
        let dx = (b.min[0] - p[0]).max(p[0] - b.max[0]).max(0.0) as f64;
        let dy = (b.min[1] - p[1]).max(p[1] - b.max[1]).max(0.0) as f64;
        dx.hypot(dy) >= r - 1e-3
    };
    // Helix entries (adaptive) as feeds within a micron of them.
    let tp = &out.toolpath.flattened(1e-3);
    let adaptive = pattern == ClearPattern::Adaptive;
    let on_layer = |z: f64| zs.iter().any(|l| (l - z).abs() < 1e-4);
    let mut plunges = 0;
    let mut ramps = 0;
    // What the level feeds of the current layer have swept, on 0.1 mm cells over the
    // stock: adaptive's entries from above must land where it is all swept already.
    let mut swept_here = Swept::new(&b, r);
    let mut entries_from_above = (0, 0.0f64);
    for i in 1..tp.len() {
        let (a, p) = (tp.point(i - 1), tp.point(i));
        if tp.kind(i) == Move::Feed && a[2] == p[2] {
            swept_here.at_layer(p[2]);
            swept_here.sweep(a, p);
        }
        assert!(p[2] as f64 >= res.floor - 1e-4, "below the floor at {p:?}");
        assert!(
            p[2] as f64 >= *zs.last().unwrap() - 1e-4,
            "below the last layer at {p:?}"
        );
        match tp.kind(i) {
            Move::Feed => {
                if (a[2] - p[2]).abs() < 1e-6 {
                    // Level moves only on a layer.
                    assert!(on_layer(p[2] as f64), "level feed off the layers at {p:?}");
                } else {
                    // A ramp: descending, at no more than the ramp angle.
                    assert!(p[2] < a[2], "feed climbs at {p:?}");
                    let run = ((p[0] - a[0]) as f64).hypot((p[1] - a[1]) as f64);
                    let drop = (a[2] - p[2]) as f64;
                    assert!(
                        drop <= run * sp.ramp_angle.to_radians().tan() * 1.01 + 1e-4,
                        "ramp steeper than {}° at {p:?}",
                        sp.ramp_angle
                    );
                }
            }
            Move::Plunge => {
                plunges += 1;
                assert_eq!((a[0], a[1]), (p[0], p[1]), "plunge not vertical at {p:?}");
                if outside(p) {
                    continue;
                }
                // Inside the stock: at the stock's top or at a layer cut before, over ground
                // that layer swept, then a ramp.
                let z = p[2] as f64;
                let top = (z - res.top).abs() < 1e-4;
                assert!(top || on_layer(z), "plunge into material at {p:?}");
                let next = tp.point(i + 1);
                if adaptive && (next[2] - p[2]).abs() < 1e-6 {
                    // Adaptive enters from above where this layer has cleared already,
                    // then moves on at the level: no stock under the tool is left uncut
                    // (within the planner's cells at the edge of its reach).
                    assert_eq!(swept_here.z, p[2], "plunge to {p:?} before its layer cut");
                    let left = swept_here.uncut_under(p);
                    assert!(left <= 0.3, "plunge to {p:?} with stock {left:.3} mm in");
                    entries_from_above = (entries_from_above.0 + 1, entries_from_above.1.max(left));
                    continue;
                }
                if !top {
                    let swept = (1..i).any(|k| {
                        let (q0, q1) = (tp.point(k - 1), tp.point(k));
                        tp.kind(k) == Move::Feed
                            && (q0[2] - p[2]).abs() < 1e-4
                            && (q1[2] - p[2]).abs() < 1e-4
                            && seg_dist(
                                [p[0] as f64, p[1] as f64, 0.0],
                                [q0[0] as f64, q0[1] as f64, 0.0],
                                [q1[0] as f64, q1[1] as f64, 0.0],
                            ) <= r
                    });
                    assert!(swept, "plunge to {p:?} where that layer did not cut");
                }
                assert!(
                    tp.kind(i + 1) == Move::Feed && next[2] < p[2],
                    "no ramp after the plunge to {p:?}"
                );
                ramps += 1;
            }
            Move::Rapid => {
                // Rapids: up, across at safe height, or down to above the layer above.
                if a[2] >= p[2] && (a[0], a[1]) == (p[0], p[1]) {
                    continue;
                }
                assert!(
                    (p[2] as f64) >= res.safe_height - 1e-3,
                    "rapid across below safe height at {p:?}"
                );
            }
            Move::ArcCw | Move::ArcCcw => panic!("roughing writes no arcs yet, at {p:?}"),
        }
    }
    assert!(plunges > 0);
    let _ = ramps;
    if adaptive {
        eprintln!(
            "{kind:?}: {} entries from above at a layer, reaching at most {:.3} mm into uncut stock",
            entries_from_above.0, entries_from_above.1
        );
        assert!(entries_from_above.0 > 0);
    }
}

/// The cells of the stock's box a layer's level feeds have swept with the tool.
struct Swept {
    min: [f64; 2],
    nx: usize,
    ny: usize,
    r: f64,
    z: f32,
    cells: Vec<bool>,
}

impl Swept {
    const H: f64 = 0.1;

    fn new(b: &swarf::mesh::Aabb, r: f64) -> Swept {
        let min = [b.min[0] as f64, b.min[1] as f64];
        let nx = ((b.max[0] as f64 - min[0]) / Self::H).ceil() as usize + 1;
        let ny = ((b.max[1] as f64 - min[1]) / Self::H).ceil() as usize + 1;
        Swept {
            min,
            nx,
            ny,
            r,
            z: f32::NAN,
            cells: vec![false; nx * ny],
        }
    }

    fn at_layer(&mut self, z: f32) {
        if z != self.z {
            self.z = z;
            self.cells.fill(false);
        }
    }

    /// Cells whose centres lie within `reach` of `p`, as (index, distance).
    fn around(&self, p: [f64; 2], q: [f64; 2], reach: f64) -> Vec<(usize, f64)> {
        let lo = |v: f64, o: f64| (((v - o) / Self::H).floor() as isize).max(0) as usize;
        let (i0, i1) = (
            lo(p[0].min(q[0]) - reach, self.min[0]),
            lo(p[0].max(q[0]) + reach, self.min[0]).min(self.nx - 1),
        );
        let (j0, j1) = (
            lo(p[1].min(q[1]) - reach, self.min[1]),
            lo(p[1].max(q[1]) + reach, self.min[1]).min(self.ny - 1),
        );
        let mut out = Vec::new();
        for j in j0..=j1 {
            for i in i0..=i1 {
                let c = [
                    self.min[0] + i as f64 * Self::H,
                    self.min[1] + j as f64 * Self::H,
                ];
                let d = seg_dist([c[0], c[1], 0.0], [p[0], p[1], 0.0], [q[0], q[1], 0.0]);
                if d <= reach {
                    out.push((j * self.nx + i, d));
                }
            }
        }
        out
    }

    fn sweep(&mut self, a: [f32; 3], b: [f32; 3]) {
        let (a, b) = ([a[0] as f64, a[1] as f64], [b[0] as f64, b[1] as f64]);
        for (k, _) in self.around(a, b, self.r) {
            self.cells[k] = true;
        }
    }

    /// How far into stock not yet swept at this layer the tool at `p` reaches.
    fn uncut_under(&self, p: [f32; 3]) -> f64 {
        let p = [p[0] as f64, p[1] as f64];
        self.around(p, p, self.r)
            .into_iter()
            .filter(|&(k, _)| !self.cells[k])
            .map(|(_, d)| self.r - d)
            .fold(0.0, f64::max)
    }
}

#[test]
fn layers_and_entries_offset() {
    for kind in [ToolKind::Flat, ToolKind::Cone] {
        check_layers_and_entries(kind, ClearPattern::Offset);
    }
}

#[test]
fn layers_and_entries_adaptive() {
    for kind in [ToolKind::Flat, ToolKind::Bull] {
        check_layers_and_entries(kind, ClearPattern::Adaptive);
    }
}

#[test]
fn layers_and_entries_zigzag() {
    check_layers_and_entries(ToolKind::Flat, ClearPattern::Zigzag);
}

/// A closed pocket (a box with a hole from the top) is entered by ramps only, and roughing
/// between `z_top` and `z_bottom` stays between them.
#[test]
fn closed_pocket_is_ramped_into() {
    // A 40 × 40 block with a 20 × 20 pocket 8 deep.
    let mesh = demo::height_field(40, 40, 40.0, 40.0, |x, y| {
        if (10.0..=30.0).contains(&x) && (10.0..=30.0).contains(&y) {
            4.0
        } else {
            12.0
        }
    });
    let mut j = job(ToolKind::Flat, ClearPattern::Offset);
    // Keep to the pocket: a box inside the block's walls.
    j.bounds.min = Some([8.0, 8.0]);
    j.bounds.max = Some([32.0, 32.0]);
    j.bounds.margin = Some(0.0);
    if let StrategySpec::Rough(r) = &mut j.strategy {
        r.z_bottom = Some(5.0);
    }
    let (_, out) = run(mesh, &j);
    let tp = &out.toolpath;
    let mut ramps = 0;
    for i in 1..tp.len() {
        let p = tp.point(i);
        assert!(p[2] >= 5.0 - 1e-4, "below z_bottom at {p:?}");
        if tp.kind(i) == Move::Plunge {
            assert_eq!(tp.kind(i + 1), Move::Feed);
            assert!(tp.point(i + 1)[2] < p[2], "plunge without a ramp at {p:?}");
            ramps += 1;
        }
    }
    assert!(ramps >= 3, "{ramps} ramped entries");
    let feeds_at_bottom = (0..tp.len())
        .filter(|&i| tp.kind(i) == Move::Feed && (tp.point(i)[2] - 5.0).abs() < 1e-4)
        .count();
    assert!(feeds_at_bottom > 10);
}

#[test]
fn gcode_runs_in_linuxcnc_and_grbl_words_are_allowed() {
    for pattern in [
        ClearPattern::Offset,
        ClearPattern::Zigzag,
        ClearPattern::Adaptive,
    ] {
        let mut j = job(ToolKind::Bull, pattern);
        let (_, out) = run(scene(), &j);
        if let Some(bin) = rs274::available() {
            let r = rs274::run(&bin, &out.gcode).unwrap_or_else(|e| panic!("rs274 refused: {e}"));
            assert!(r.program_ended);
            assert!(r.moves.len() > 100);
        }
        j.machine.dialect = Dialect::Grbl;
        let (_, out) = run(scene(), &j);
        for line in out.gcode.lines() {
            assert!(line.len() <= 79, "GRBL line too long: {line:?}");
            let code: String = line
                .split('(')
                .next()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mut it = code.chars().peekable();
            while let Some(c) = it.next() {
                assert!(c.is_ascii_alphabetic(), "number first in {line:?}");
                let mut v = String::new();
                while let Some(&d) = it.peek() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                    v.push(d);
                    it.next();
                }
                match c {
                    // Adaptive's helix entries are arcs, with I and J (GRBL 1.1 takes both).
                    'G' => assert!(
                        ["0", "1", "17", "20", "21", "90", "94"].contains(&v.as_str())
                            || (pattern == ClearPattern::Adaptive && (v == "2" || v == "3")),
                        "G{v} in {line:?}"
                    ),
                    'I' | 'J' if pattern == ClearPattern::Adaptive => {}
                    'M' => assert!(
                        ["2", "3", "5", "30"].contains(&v.as_str()),
                        "M{v} in {line:?}"
                    ),
                    'F' | 'S' | 'X' | 'Y' | 'Z' => {}
                    _ => panic!("{c} word for GRBL in {line:?}"),
                }
            }
        }
    }
}

#[test]
fn cancel_mid_way() {
    let model = Model::new(scene(), &ModelTransform::default(), Units::Mm).unwrap();
    for pattern in [ClearPattern::Offset, ClearPattern::Adaptive] {
        let j = job(ToolKind::Flat, pattern);
        let mut calls = 0;
        let mut last = 0.0f32;
        let r = engine::generate(&model, &j, &mut |f| {
            calls += 1;
            assert!(
                f >= last - 1e-6,
                "{pattern:?}: progress went back from {last} to {f}"
            );
            last = f;
            f < 0.7
        });
        assert!(
            matches!(r, Err(EngineError::Cancelled)),
            "{pattern:?}: {r:?}"
        );
        assert!(calls > 2, "{pattern:?}: {calls} calls");
    }
}

/// Roughing time on the benchmark terrain (release build):
/// `cargo test --release --test rough -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing() {
    for n in [224, 707] {
        let mesh = demo::terrain(n);
        let tris = mesh.len();
        let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
        for pattern in [ClearPattern::Offset, ClearPattern::Zigzag] {
            let mut j = job(ToolKind::Flat, pattern);
            j.tool.diameter = 6.0;
            if let StrategySpec::Rough(r) = &mut j.strategy {
                r.stepdown = 2.0;
                r.stock_to_leave = 0.5;
            }
            let t = std::time::Instant::now();
            let out = engine::generate(&model, &j, &mut |_| true).unwrap();
            let dt = t.elapsed().as_secs_f64();
            let tp = &out.toolpath;
            let entries = (0..tp.len())
                .filter(|&i| tp.kind(i) == Move::Plunge)
                .count();
            println!(
                "rough {pattern:?}: {tris} triangles, {:.2} s, {} points, {:.0} mm of feed, \
                 {:.0} mm of rapids, {entries} entries",
                dt, out.summary.points, out.summary.feed_length, out.summary.rapid_length
            );
        }
    }
}

/// Adaptive roughing in 3D (issue 12, part 1): on a block with an L-shaped pocket (sharp
/// inside corners, 90° and 270°) and a step down at one end (an open region on the upper
/// layers), the engagement measured by removing material along the program level by level
/// (`sim::engagement`, a finer grid than the planner's; the material is the stock's box)
/// never exceeds the stepover, while offset rings at the same stepover take more in their
/// corners. Path length and time are printed for the comparison.
#[test]
fn adaptive_engagement_stays_within_the_stepover_in_3d() {
    use swarf::geom::{DVec2, Rect};
    use swarf::sim::engagement::{measure, Engagement};
    let pocket = |x: f32, y: f32| {
        ((8.0..=32.0).contains(&x) && (6.0..=14.0).contains(&y))
            || ((22.0..=32.0).contains(&x) && (6.0..=24.0).contains(&y))
    };
    let mesh = demo::height_field(160, 120, 40.0, 30.0, |x, y| {
        if pocket(x, y) {
            3.0
        } else if x < 4.0 {
            8.0
        } else {
            12.0
        }
    });
    let ratio = 0.15;
    let r = 3.0;
    let limit = ratio * 2.0 * r;
    let area = Rect {
        min: DVec2::new(0.0, 0.0),
        max: DVec2::new(40.0, 30.0),
    };
    let inside = |p: DVec2| p.x >= 0.0 && p.x <= 40.0 && p.y >= 0.0 && p.y <= 30.0;
    let mut widest = Vec::new();
    for pattern in [ClearPattern::Adaptive, ClearPattern::Offset] {
        for conventional in [false, true] {
            if pattern == ClearPattern::Offset && conventional {
                continue;
            }
            let mut job = job(ToolKind::Flat, pattern);
            if let StrategySpec::Rough(s) = &mut job.strategy {
                s.stepdown = 3.0;
                s.stepover_ratio = ratio;
                s.stock_to_leave = 0.3;
                s.sampling = 0.25;
                if conventional {
                    s.milling = swarf::job::Milling::Conventional;
                }
            }
            let (_, out) = run(mesh.clone(), &job);
            let e = measure(&out.toolpath, r, area, 0.025, r / 4.0, &inside);
            assert!(e.len() >= 3, "{pattern:?}: {} levels", e.len());
            let worst = e
                .iter()
                .max_by(|a, b| a.max_width.total_cmp(&b.max_width))
                .unwrap();
            let mean = e.iter().map(|e| e.mean_width * e.length).sum::<f64>()
                / e.iter().map(|e| e.length).sum::<f64>();
            eprintln!(
                "{pattern:?} conventional={conventional}: engagement max {:.3} mm ({:.1}°) at z {} {:?}, mean {mean:.3} mm; feed {:.0} mm, rapid {:.0} mm, {:.1} min",
                worst.max_width,
                Engagement::angle(worst.max_width, r),
                worst.z,
                worst.at,
                out.summary.feed_length,
                out.summary.rapid_length,
                out.summary.estimated_seconds / 60.0,
            );
            widest.push(worst.max_width);
        }
    }
    assert!(
        widest[0] <= limit,
        "adaptive climb takes {} > {limit}",
        widest[0]
    );
    assert!(
        widest[1] <= limit,
        "adaptive conventional takes {} > {limit}",
        widest[1]
    );
    assert!(
        widest[2] > 1.3 * limit,
        "offset rings take only {}",
        widest[2]
    );
}

/// Adaptive against offset roughing on the demo terrain, flat Ø6 (BENCHMARKS.md): time,
/// path, lifts and the engagement measured on 0.05 mm cells, per pattern.
/// `cargo test --release --test rough -- --ignored --nocapture adaptive_against_offset`.
#[test]
#[ignore]
fn adaptive_against_offset_on_the_demo() {
    use swarf::geom::{DVec2, Rect};
    use swarf::sim::engagement::{measure, Engagement};
    let model = Model::new(demo::demo_mesh(), &ModelTransform::default(), Units::Mm).unwrap();
    let b = model.mesh().bounds();
    let (lo, hi) = (
        DVec2::new(b.min[0] as f64, b.min[1] as f64),
        DVec2::new(b.max[0] as f64, b.max[1] as f64),
    );
    let inside = |p: DVec2| p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y;
    for ratio in [0.4, 0.15] {
        for pattern in [ClearPattern::Offset, ClearPattern::Adaptive] {
            let mut j = Job::default();
            j.tool.kind = ToolKind::Flat;
            j.tool.diameter = 6.0;
            j.strategy = StrategySpec::Rough(RoughSpec {
                pattern,
                stepover_ratio: ratio,
                ..RoughSpec::default()
            });
            let t = std::time::Instant::now();
            let out = engine::generate(&model, &j, &mut |_| true).unwrap();
            let dt = t.elapsed().as_secs_f64();
            let tp = &out.toolpath;
            let lifts = (0..tp.len())
                .filter(|&i| tp.kind(i) == Move::Plunge)
                .count();
            let r = 3.0;
            let area = Rect {
                min: lo - DVec2::splat(2.0 * r),
                max: hi + DVec2::splat(2.0 * r),
            };
            let e = measure(tp, r, area, 0.05, r / 4.0, &inside);
            let worst = e.iter().map(|e| e.max_width).fold(0.0, f64::max);
            let mean = e.iter().map(|e| e.mean_width * e.length).sum::<f64>()
                / e.iter().map(|e| e.length).sum::<f64>();
            println!(
                "stepover {ratio} {pattern:?}: {dt:.1} s, feed {:.1} m, rapid {:.1} m, {lifts} entries, \
                 about {:.0} min; engagement max {worst:.2} mm ({:.0}°), mean {mean:.2} mm (limit {:.2})",
                out.summary.feed_length / 1000.0,
                out.summary.rapid_length / 1000.0,
                out.summary.estimated_seconds / 60.0,
                Engagement::angle(worst, r),
                ratio * 2.0 * r,
            );
            if pattern == ClearPattern::Adaptive {
                assert!(worst <= ratio * 2.0 * r, "adaptive at {ratio}: {worst}");
            }
        }
    }
}

/// A layer at a flat's height (issue 12, part 5; waterline had noise there): a box on a slab
/// with no stock to leave, stepdown 1, so one layer is at the slab's top. That layer clears
/// the ring round the box like the layers above it, with no loops of noise over the flat.
#[test]
fn a_layer_at_a_flats_height_is_like_the_others() {
    let mesh = Mesh::merged(&[
        demo::cuboid([0.0, 0.0, 0.0], [60.0, 60.0, 5.0]),
        demo::cuboid([20.0, 20.0, 5.0], [40.0, 40.0, 15.0]),
    ]);
    for pattern in [ClearPattern::Offset, ClearPattern::Zigzag] {
        let mut job = job(ToolKind::Flat, pattern);
        if let StrategySpec::Rough(s) = &mut job.strategy {
            s.stepdown = 1.0;
            s.stock_to_leave = 0.0;
        }
        let (_, out) = run(mesh.clone(), &job);
        let tp = &out.toolpath;
        let at = |z: f32| {
            (1..tp.len())
                .filter(|&i| {
                    tp.kind(i) == Move::Feed && tp.point(i)[2] == z && tp.point(i - 1)[2] == z
                })
                .count()
        };
        let (flat, above) = (at(5.0), at(6.0));
        assert!(
            flat > 10 && above > 10,
            "{pattern:?}: {flat} moves at 5, {above} at 6"
        );
        assert!(
            flat as f64 <= 1.5 * above as f64,
            "{pattern:?}: {flat} level moves at the slab's top against {above} a layer above"
        );
    }
}

/// Adaptive keeps its limit where the region narrows to a spike (issue 12, part 1): on the
/// demo terrain's top three layers at stepover 0.15 × Ø6 (limit 0.90), the region at 12.2
/// reaches between two hills (near X96 Y39) where the tool centre can only go along a line.
/// The wall ring used to go in and take what was there (1.71 mm); it now ends where a
/// window would take more than the limit and goes on from the first clear spot beyond,
/// leaving that material for a smaller tool. Measured on 0.05 mm cells, the stock's box as
/// the material.
#[test]
fn adaptive_keeps_the_limit_where_the_region_narrows() {
    use swarf::geom::{DVec2, Rect};
    use swarf::sim::engagement::measure;
    let model = Model::new(demo::demo_mesh(), &ModelTransform::default(), Units::Mm).unwrap();
    let job = Job::from_json(
        r#"{"tool": {"type": "flat", "diameter": 6.0},
            "strategy": {"type": "rough", "pattern": "adaptive", "stepover_ratio": 0.15,
                         "z_bottom": 12.2}}"#,
    )
    .unwrap();
    let out = engine::generate(&model, &job, &mut |_| true).unwrap();
    let b = model.mesh().bounds();
    let (lo, hi) = (
        DVec2::new(b.min[0] as f64, b.min[1] as f64),
        DVec2::new(b.max[0] as f64, b.max[1] as f64),
    );
    let inside = |p: DVec2| p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y;
    let area = Rect {
        min: lo - DVec2::splat(6.0),
        max: hi + DVec2::splat(6.0),
    };
    let e = measure(&out.toolpath, 3.0, area, 0.05, 0.75, &inside);
    assert!(e.len() >= 3, "{} levels", e.len());
    for l in &e {
        eprintln!(
            "z {:.3}: max {:.3} at {:?}, mean {:.3}",
            l.z, l.max_width, l.at, l.mean_width
        );
    }
    let worst = e.iter().map(|l| l.max_width).fold(0.0, f64::max);
    assert!(worst <= 0.9, "{worst} > 0.9");
}

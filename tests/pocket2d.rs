//! The 2D pocket strategy, checked by what it cuts: the flat tool's disk stamped along every
//! cutting move on a fine grid must clear everything the tool can reach in each shape (its
//! opening: shrunk by the radius, grown back), and nothing outside the shape or inside its
//! islands; entries must ramp or spiral down, never plunge into material; passes must step
//! down evenly to the depth; and programs must run through LinuxCNC's interpreter with arcs.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use common::rs274::{self, Kind};
use swarf::drawing::{Drawing, Path, Shape, Vertex};
use swarf::geom::DVec2;
use swarf::job::{Job, Resolved, StrategySpec};
use swarf::post::{write_gcode, Dialect, PostSettings, Units};
use swarf::strategy::twod::geometry::distance_to_paths;
use swarf::strategy::twod::pocket;
use swarf::toolpath::{Move, Toolpath};

const R: f64 = 1.5;
const DEPTH: f64 = 3.0;
const STEPDOWN: f64 = 1.0;

fn poly(pts: &[(f64, f64)]) -> Path {
    Path {
        vertices: pts
            .iter()
            .map(|&(x, y)| Vertex::line(DVec2::new(x, y)))
            .collect(),
        closed: true,
    }
}

/// A circle as two half arcs, counter-clockwise (clockwise when `hole`).
fn circle(cx: f64, cy: f64, r: f64, hole: bool) -> Path {
    let k = if hole { -1.0 } else { 1.0 };
    Path {
        vertices: vec![
            Vertex {
                p: DVec2::new(cx + r, cy),
                bulge: k,
            },
            Vertex {
                p: DVec2::new(cx - r, cy),
                bulge: k,
            },
        ],
        closed: true,
    }
}

fn shapes() -> Vec<(&'static str, Shape)> {
    let rect = poly(&[(0.0, 0.0), (20.0, 0.0), (20.0, 12.0), (0.0, 12.0)]);
    let ring = Shape {
        outline: circle(0.0, 0.0, 10.0, false),
        holes: vec![circle(1.0, 0.5, 3.0, true)],
    };
    let ell = poly(&[
        (0.0, 0.0),
        (18.0, 0.0),
        (18.0, 8.0),
        (8.0, 8.0),
        (8.0, 18.0),
        (0.0, 18.0),
    ]);
    // A slot 5 wide with round ends: the tool-centre region is a strip 2 wide.
    let slot = Path {
        vertices: vec![
            Vertex {
                p: DVec2::new(0.0, 0.0),
                bulge: 0.0,
            },
            Vertex {
                p: DVec2::new(20.0, 0.0),
                bulge: 1.0,
            },
            Vertex {
                p: DVec2::new(20.0, 5.0),
                bulge: 0.0,
            },
            Vertex {
                p: DVec2::new(0.0, 5.0),
                bulge: 1.0,
            },
        ],
        closed: true,
    };
    vec![
        (
            "rectangle",
            Shape {
                outline: rect,
                holes: vec![],
            },
        ),
        ("circle with island", ring),
        (
            "L",
            Shape {
                outline: ell,
                holes: vec![],
            },
        ),
        (
            "slot",
            Shape {
                outline: slot,
                holes: vec![],
            },
        ),
    ]
}

fn job(pattern: &str, milling: &str, ratio: f64) -> Job {
    Job::from_json(&format!(
        r#"{{"tool": {{"type": "flat", "diameter": {}}},
            "strategy": {{"type": "pocket", "depth": {DEPTH}, "stepdown": {STEPDOWN},
              "stepover_ratio": {ratio}, "pattern": "{pattern}", "milling": "{milling}",
              "ramp_angle": 3}}}}"#,
        2.0 * R
    ))
    .unwrap()
}

fn run(d: &Drawing, job: &Job) -> (Toolpath, Resolved) {
    let res = job.resolve(&swarf::engine::drawing_box(d, job)).unwrap();
    let StrategySpec::Pocket(s) = &job.operations()[0].strategy else {
        panic!("not a pocket job")
    };
    let tp = pocket::generate(d, s, &res[0], &mut |_| true).unwrap();
    (tp, res.into_iter().next().unwrap())
}

fn drawing(s: &Shape) -> Drawing {
    Drawing {
        shapes: vec![s.clone()],
        ..Drawing::default()
    }
}

/// A grid over a box, row-major.
struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
}

impl Grid {
    fn new(lo: DVec2, hi: DVec2, cell: f64) -> Grid {
        Grid {
            x0: lo.x,
            y0: lo.y,
            cell,
            nx: ((hi.x - lo.x) / cell).ceil() as usize + 1,
            ny: ((hi.y - lo.y) / cell).ceil() as usize + 1,
        }
    }
    fn at(&self, i: usize, j: usize) -> DVec2 {
        DVec2::new(
            self.x0 + (i as f64 + 0.5) * self.cell,
            self.y0 + (j as f64 + 0.5) * self.cell,
        )
    }
    /// Cells whose centres lie within `r` of the segment `a`-`b`.
    fn capsule(&self, a: DVec2, b: DVec2, r: f64, mut f: impl FnMut(usize)) {
        let lo = a.min(b) - DVec2::splat(r);
        let hi = a.max(b) + DVec2::splat(r);
        let i0 = (((lo.x - self.x0) / self.cell).floor().max(0.0)) as usize;
        let j0 = (((lo.y - self.y0) / self.cell).floor().max(0.0)) as usize;
        let i1 = (((hi.x - self.x0) / self.cell).ceil() as usize).min(self.nx);
        let j1 = (((hi.y - self.y0) / self.cell).ceil() as usize).min(self.ny);
        let d = b - a;
        let l2 = d.length_squared();
        for j in j0..j1 {
            for i in i0..i1 {
                let q = self.at(i, j);
                let t = if l2 > 0.0 {
                    ((q - a).dot(d) / l2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                if q.distance_squared(a + d * t) <= r * r {
                    f(j * self.nx + i);
                }
            }
        }
    }
}

/// The moves as short straight pieces (arcs split finely), each with its kind.
fn pieces(tp: &Toolpath) -> Vec<(Move, [f64; 3], [f64; 3])> {
    let mut out = Vec::new();
    for s in tp.steps() {
        let n = match s.arc {
            Some((c, sweep)) => {
                let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
                // Chords within 1 µm of the arc (inside it: what they stamp, the arc
                // cuts too): a chord of angle φ strays by r φ² / 8.
                let phi = (8.0 * 1e-3 / r.max(1e-9)).sqrt();
                ((sweep.abs() / phi).ceil() as usize).max(1)
            }
            None => 1,
        };
        let mut prev = s.from;
        for k in 1..=n {
            let q = s.at(k as f64 / n as f64);
            out.push((s.kind, prev, q));
            prev = q;
        }
    }
    out
}

/// Inside the shape (in its outline, in none of its holes), by crossing parity over its
/// finely flattened loops.
fn inside(loops: &[Vec<DVec2>], q: DVec2) -> bool {
    let mut odd = false;
    for pts in loops {
        let n = pts.len();
        for k in 0..n {
            let (a, b) = (pts[k], pts[(k + 1) % n]);
            if (a.y > q.y) != (b.y > q.y) && a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x) > q.x {
                odd = !odd;
            }
        }
    }
    odd
}

/// A shape sampled on the grid: inside or not, and the distance to its walls, per cell.
struct Field {
    g: Grid,
    ins: Vec<bool>,
    wall: Vec<f64>,
    /// Within `R - 0.05` of a point where the tool fits (at least `R` from every wall):
    /// more than 0.05 inside the tool's reach.
    must: Vec<bool>,
}

fn field(shape: &Shape) -> Field {
    let b = shape.outline.bounds();
    let g = Grid::new(b.min - DVec2::splat(1.0), b.max + DVec2::splat(1.0), 0.02);
    let paths: Vec<&Path> = std::iter::once(&shape.outline)
        .chain(&shape.holes)
        .collect();
    let loops: Vec<Vec<DVec2>> = paths.iter().map(|p| p.flatten(1e-5)).collect();
    let n = g.nx * g.ny;
    let mut wall = vec![0.0; n];
    let mut ins = vec![false; n];
    for j in 0..g.ny {
        for i in 0..g.nx {
            let q = g.at(i, j);
            let k = j * g.nx + i;
            ins[k] = inside(&loops, q);
            wall[k] = distance_to_paths(paths.iter().copied(), q);
        }
    }
    // The fitting cells, grown by R - 0.05: stamping from the fitting cells on their own
    // edge is enough, the inner ones are covered by those stamps or fit themselves.
    let fits: Vec<bool> = (0..n).map(|k| ins[k] && wall[k] >= R).collect();
    let mut must = fits.clone();
    for j in 1..g.ny - 1 {
        for i in 1..g.nx - 1 {
            let k = j * g.nx + i;
            if fits[k] && !(fits[k - 1] && fits[k + 1] && fits[k - g.nx] && fits[k + g.nx]) {
                let q = g.at(i, j);
                g.capsule(q, q, R - 0.05, |c| must[c] = true);
            }
        }
    }
    Field { g, ins, wall, must }
}

/// Rasterises the cut at the final depth and checks coverage and containment.
fn check_cut(name: &str, f: &Field, tp: &Toolpath, bottom: f64) {
    let (g, ins) = (&f.g, &f.ins);
    let cell = g.cell;
    assert!(
        f.must.iter().filter(|&&m| m).count() > 1000,
        "{name}: nothing to reach"
    );
    let n = g.nx * g.ny;
    let at_depth = check_contained(name, f, tp, bottom);
    // Every cell more than 0.05 inside the opening is cut.
    let mut uncut = 0;
    for k in 0..n {
        if !ins[k] || at_depth[k] {
            continue;
        }
        uncut += 1;
        assert!(
            !f.must[k],
            "{name}: {:?} is uncut, yet within the tool's reach",
            g.at(k % g.nx, k / g.nx)
        );
    }
    // The uncut corners are small: at most the fillets the round tool leaves.
    let area = uncut as f64 * cell * cell;
    assert!(area < 5.0, "{name}: {area:.2} mm² left uncut");
}

/// Checks that nothing is cut outside the shape or in its islands; the cells cut at the
/// final depth.
fn check_contained(name: &str, f: &Field, tp: &Toolpath, bottom: f64) -> Vec<bool> {
    let (g, ins, wall) = (&f.g, &f.ins, &f.wall);
    let n = g.nx * g.ny;
    let mut at_depth = vec![false; n];
    let mut any = vec![false; n];
    for (kind, a, c) in pieces(tp) {
        if kind == Move::Rapid || a[2].min(c[2]) >= 0.0 {
            continue;
        }
        let (pa, pc) = (DVec2::new(a[0], a[1]), DVec2::new(c[0], c[1]));
        g.capsule(pa, pc, R, |k| any[k] = true);
        if a[2] <= bottom + 1e-4 && c[2] <= bottom + 1e-4 {
            g.capsule(pa, pc, R, |k| at_depth[k] = true);
        }
    }
    for k in 0..n {
        if any[k] && !ins[k] {
            assert!(
                wall[k] <= 0.01,
                "{name}: cut {:.3} outside the shape at {:?}",
                wall[k],
                g.at(k % g.nx, k / g.nx)
            );
        }
    }
    at_depth
}

#[test]
fn pockets_clear_everything_the_tool_reaches_and_nothing_else() {
    for (name, shape) in shapes() {
        let d = drawing(&shape);
        let f = field(&shape);
        for pattern in ["offset", "zigzag", "adaptive"] {
            for milling in ["climb", "conventional"] {
                for ratio in [0.4, 0.7, 0.9] {
                    let (tp, _) = run(&d, &job(pattern, milling, ratio));
                    let label = format!("{name} {pattern} {milling} {ratio}");
                    assert!(!tp.is_empty(), "{label}: nothing cut");
                    check_cut(&label, &f, &tp, -DEPTH);
                }
            }
        }
    }
}

#[test]
fn circle_pocket_keeps_its_arcs_and_wide_rings_cut_climb_or_conventional() {
    let (_, shape) = shapes().remove(1);
    let d = drawing(&shape);
    for (milling, ccw) in [("climb", true), ("conventional", false)] {
        let (tp, _) = run(&d, &job("offset", milling, 0.4));
        // Outer rings (not round the island) turn one way, rings round the island the
        // other: for climb the outer ones counter-clockwise.
        let mut outer = 0;
        let mut island = 0;
        for s in tp.steps() {
            let Some((c, sweep)) = s.arc else { continue };
            if s.from[2] != s.to[2] {
                continue;
            }
            let r = (s.from[0] - c[0]).hypot(s.from[1] - c[1]);
            if (c[0].hypot(c[1]) < 1e-6) && r > 5.0 {
                assert_eq!(
                    sweep > 0.0,
                    ccw,
                    "outer ring turns the wrong way ({milling})"
                );
                outer += 1;
            } else if ((c[0] - 1.0).hypot(c[1] - 0.5) < 1e-6) && r > 3.0 {
                assert_eq!(
                    sweep < 0.0,
                    ccw,
                    "island ring turns the wrong way ({milling})"
                );
                island += 1;
            }
        }
        assert!(
            outer > 0 && island > 0,
            "{milling}: {outer} outer, {island} island arcs"
        );
    }
}

/// The material left as a height field (cells of `cell`), cut by the flat tool in order.
/// Returns the first entry into material that is steeper than the ramp angle, a plunge, or
/// a rapid through material.
fn first_bad_entry(tp: &Toolpath, shape: &Shape, ramp_deg: f64) -> Option<String> {
    let b = shape.outline.bounds();
    let cell = 0.05;
    let g = Grid::new(b.min - DVec2::splat(1.0), b.max + DVec2::splat(1.0), cell);
    let mut h = vec![0.0f64; g.nx * g.ny];
    let slope = ramp_deg.to_radians().tan();
    for s in tp.steps() {
        let (a, c) = (s.from, s.to);
        let len = match s.arc {
            Some((ctr, sweep)) => (a[0] - ctr[0]).hypot(a[1] - ctr[1]) * sweep.abs(),
            None => (c[0] - a[0]).hypot(c[1] - a[1]),
        };
        let n = ((len / (0.5 * cell)).ceil() as usize).max(1);
        let descends = c[2] < a[2] - 1e-9 && c[2] < -1e-6;
        let steep = descends && (a[2] - c[2]) > slope * len * (1.0 + 1e-6) + 1e-6;
        let mut prev = a;
        for k in 1..=n {
            let q = s.at(k as f64 / n as f64);
            let (pa, pq) = (DVec2::new(prev[0], prev[1]), DVec2::new(q[0], q[1]));
            // The material the tool meets (cells well inside its disk).
            let mut meets = f64::NEG_INFINITY;
            g.capsule(pa, pq, R - 1.5 * cell, |k| meets = meets.max(h[k]));
            let lowest = prev[2].min(q[2]);
            if meets > lowest + 1e-4 {
                if s.kind == Move::Rapid {
                    return Some(format!("rapid through material at {q:?}"));
                }
                if s.kind == Move::Plunge {
                    return Some(format!("plunge into material at {q:?} (top {meets})"));
                }
                if steep {
                    return Some(format!("entry steeper than {ramp_deg}° at {q:?}"));
                }
            }
            if s.kind != Move::Rapid {
                g.capsule(pa, pq, R, |k| h[k] = h[k].min(lowest));
            }
            prev = q;
        }
    }
    None
}

#[test]
fn entries_spiral_or_ramp_and_never_plunge_into_material() {
    for (name, shape) in shapes() {
        let d = drawing(&shape);
        for pattern in ["offset", "zigzag", "adaptive"] {
            for ratio in [0.4, 0.9] {
                let (tp, _) = run(&d, &job(pattern, "climb", ratio));
                if let Some(e) = first_bad_entry(&tp, &shape, 3.0) {
                    panic!("{name} {pattern} {ratio}: {e}");
                }
                // A helix (a descending arc) enters every roomy shape; the slot's tool
                // region is 2 wide, room for a helix of a quarter of the radius.
                let helices = tp
                    .steps()
                    .filter(|s| s.arc.is_some() && s.to[2] < s.from[2])
                    .count();
                assert!(helices > 0, "{name} {pattern}: no helix");
            }
        }
    }
}

#[test]
fn a_region_too_narrow_for_a_helix_is_ramped_into() {
    // A slot 3.3 wide: the tool-centre strip is 0.3 wide, no circle of R/4 fits.
    let slot = poly(&[(0.0, 0.0), (20.0, 0.0), (20.0, 3.3), (0.0, 3.3)]);
    let shape = Shape {
        outline: slot,
        holes: vec![],
    };
    let (tp, _) = run(&drawing(&shape), &job("offset", "climb", 0.4));
    assert!(
        tp.steps()
            .all(|s| !(s.arc.is_some() && s.to[2] < s.from[2])),
        "a helix in a 0.3 wide strip"
    );
    let ramps = tp
        .steps()
        .filter(|s| s.kind == Move::Feed && s.to[2] < s.from[2] - 1e-6)
        .count();
    assert!(ramps > 0, "no ramp");
    if let Some(e) = first_bad_entry(&tp, &shape, 3.0) {
        panic!("narrow slot: {e}");
    }
    check_cut("narrow slot", &field(&shape), &tp, -DEPTH);
}

#[test]
fn passes_step_down_evenly_to_the_depth() {
    for (name, shape) in shapes() {
        let (tp, _) = run(&drawing(&shape), &job("offset", "climb", 0.5));
        let mut zs: Vec<f64> = tp
            .steps()
            .filter(|s| s.kind != Move::Rapid && s.from[2] == s.to[2] && s.to[2] < 0.0)
            .map(|s| s.to[2])
            .collect();
        zs.sort_by(|a, b| b.total_cmp(a));
        zs.dedup();
        assert!(
            (zs.last().unwrap() + DEPTH).abs() < 1e-6,
            "{name}: deepest {zs:?}"
        );
        let deepest = tp.steps().map(|s| s.to[2]).fold(f64::INFINITY, f64::min);
        assert!((deepest + DEPTH).abs() < 1e-6, "{name}: {deepest}");
        let mut prev = 0.0;
        for z in &zs {
            assert!(prev - z <= STEPDOWN + 1e-6, "{name}: passes {zs:?}");
            prev = *z;
        }
        assert_eq!(zs.len(), 3, "{name}: passes {zs:?}");
    }
}

/// The program in each dialect, as written and as LinuxCNC's interpreter ran it.
fn through_rs274(
    rs: &std::path::Path,
    tp: &Toolpath,
    res: &Resolved,
) -> Vec<(Dialect, String, rs274::Run)> {
    [Dialect::Linuxcnc, Dialect::Grbl]
        .into_iter()
        .map(|dialect| {
            let mut s = PostSettings::for_units(Units::Mm);
            s.dialect = dialect;
            s.tool_number = 1;
            s.safe_height = res.safe_height;
            let text = write_gcode(tp, &s).unwrap();
            let out = rs274::run(rs, &text).unwrap_or_else(|e| panic!("{dialect:?}: {e}"));
            (dialect, text, out)
        })
        .collect()
}

#[test]
fn programs_run_through_rs274_with_arcs() {
    let Some(rs) = rs274::available() else {
        return;
    };
    let (_, shape) = shapes().remove(1);
    let (tp, res) = run(&drawing(&shape), &job("offset", "climb", 0.4));
    for (dialect, text, out) in through_rs274(&rs, &tp, &res) {
        assert!(text.contains("G2") && text.contains("G3"), "{dialect:?}");
        let arcs = out.moves.iter().filter(|m| m.kind == Kind::Arc).count();
        assert!(arcs > 20, "{dialect:?}: {arcs} arcs");
        let lowest = out.moves.iter().map(|m| m.xyz[2]).fold(f64::MAX, f64::min);
        assert!((lowest + DEPTH).abs() < 1e-3, "{dialect:?}: {lowest}");
        // Every arc the interpreter ran stays inside the circle (within the program's
        // rounding of ends and centres to 0.001).
        for m in &out.moves {
            if let Some((c, _)) = m.arc {
                let r = (m.xyz[0] - c[0]).hypot(m.xyz[1] - c[1]);
                let far = c[0].hypot(c[1]) + r;
                assert!(far <= 10.0 - R + 5e-3, "{dialect:?}: arc reaches {far}");
            }
        }
    }
}

/// A page of text stands in: 100 × 100 small glyphs (rings like an "o" and L-shapes),
/// pocketed with a 0.8 mm tool.
#[test]
fn ten_thousand_shapes_pocket_in_seconds() {
    let mut shapes = Vec::new();
    for j in 0..100 {
        for i in 0..100 {
            let (x, y) = (i as f64 * 6.0, j as f64 * 8.0);
            if (i + j) % 2 == 0 {
                shapes.push(Shape {
                    outline: circle(x + 2.5, y + 3.0, 2.5, false),
                    holes: vec![circle(x + 2.5, y + 3.0, 0.8, true)],
                });
            } else {
                shapes.push(Shape {
                    outline: poly(&[
                        (x, y),
                        (x + 4.0, y),
                        (x + 4.0, y + 1.5),
                        (x + 1.5, y + 1.5),
                        (x + 1.5, y + 6.0),
                        (x, y + 6.0),
                    ]),
                    holes: vec![],
                });
            }
        }
    }
    let d = Drawing {
        shapes,
        ..Drawing::default()
    };
    let job = Job::from_json(
        r#"{"tool": {"type": "flat", "diameter": 0.8},
            "strategy": {"type": "pocket", "depth": 1, "stepdown": 0.5,
              "stepover_ratio": 0.45}}"#,
    )
    .unwrap();
    let t = std::time::Instant::now();
    let (tp, _) = run(&d, &job);
    let secs = t.elapsed().as_secs_f64();
    let entries = tp
        .steps()
        .filter(|s| s.arc.is_some() && s.to[2] < s.from[2])
        .count();
    eprintln!(
        "10,000 shapes: {secs:.2} s, {} points, {entries} helix arcs",
        tp.len()
    );
    assert!(tp.len() > 100_000);
    assert!(secs < 60.0, "{secs:.1} s");
}

#[test]
fn cancelling_stops_the_work() {
    let (_, shape) = shapes().remove(0);
    let d = drawing(&shape);
    let job = job("offset", "climb", 0.4);
    let res = job.resolve(&swarf::engine::drawing_box(&d, &job)).unwrap();
    let StrategySpec::Pocket(s) = &job.operations()[0].strategy else {
        unreachable!()
    };
    assert!(pocket::generate(&d, s, &res[0], &mut |_| false).is_err());
    let mut seen = Vec::new();
    pocket::generate(&d, s, &res[0], &mut |f| {
        seen.push(f);
        true
    })
    .unwrap();
    assert_eq!(seen.last(), Some(&1.0));
}

#[test]
fn a_job_chains_pocket_and_engrave_from_an_svg() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="40mm"
        viewBox="0 0 60 40"><path d="M2 2 H40 V38 H2 Z M14 20 a6 6 0 1 0 12 0 a6 6 0 1 0 -12 0"
        fill-rule="evenodd"/><circle cx="50" cy="20" r="8"/></svg>"#;
    let d = swarf::drawing::import(svg, &Default::default()).unwrap();
    assert_eq!(d.shapes.len(), 2);
    assert_eq!(d.hole_count(), 1);
    let job = Job::from_json(
        r#"{"operations": [
            {"tool": {"type": "flat", "diameter": 3, "number": 1},
             "strategy": {"type": "pocket", "depth": 2, "stepdown": 1, "stepover_ratio": 0.5}},
            {"tool": {"type": "flat", "diameter": 1, "number": 2},
             "strategy": {"type": "engrave", "depth": 0.5, "stepdown": 1}}]}"#,
    )
    .unwrap();
    let out = swarf::engine::generate_drawing(&d, &job, &mut |_| true).unwrap();
    assert!(out.nothing_cut.is_empty(), "{:?}", out.nothing_cut);
    assert!(out.gcode.contains("G2") || out.gcode.contains("G3"));
    // The pocket reaches its depth; nothing goes deeper.
    let lowest = out
        .toolpath
        .steps()
        .map(|s| s.to[2])
        .fold(f64::MAX, f64::min);
    assert!((lowest + 2.0).abs() < 1e-6, "{lowest}");
    if let Some(rs) = rs274::available() {
        let run = rs274::run(&rs, &out.gcode).unwrap();
        assert!(run.moves.iter().any(|m| m.kind == Kind::Arc));
        assert_eq!(run.tools_selected, vec![1, 2]);
    }
}

#[test]
fn allowance_and_material_top_are_kept() {
    let (_, shape) = shapes().remove(2);
    let d = drawing(&shape);
    let job = Job::from_json(&format!(
        r#"{{"tool": {{"type": "flat", "diameter": {}}},
            "strategy": {{"type": "pocket", "depth": 2, "stepdown": 0.75, "z_top": 5,
              "allowance": 0.4, "stepover_ratio": 0.6}}}}"#,
        2.0 * R
    ))
    .unwrap();
    let (tp, _) = run(&d, &job);
    let lowest = tp.steps().map(|s| s.to[2]).fold(f64::MAX, f64::min);
    assert!((lowest - 3.0).abs() < 1e-6, "{lowest}");
    let paths: Vec<&Path> = std::iter::once(&shape.outline).collect();
    let mut closest = f64::MAX;
    for (kind, a, _) in pieces(&tp) {
        if kind == Move::Rapid || a[2] >= 5.0 {
            continue;
        }
        let q = DVec2::new(a[0], a[1]);
        closest = closest.min(distance_to_paths(paths.iter().copied(), q));
    }
    // The tool centre keeps the radius plus the allowance from the walls, and goes there.
    assert!((closest - (R + 0.4)).abs() < 2e-3, "{closest}");
}

/// Adaptive clearing (issue 12): on a pocket with sharp inside corners and an island, the
/// engagement measured by removing material along the program (`sim::engagement`, a finer
/// grid than the planner's) never exceeds the stepover, while offset rings at the same
/// stepover take more in their corners. Path lengths are printed for the comparison.
#[test]
fn adaptive_engagement_stays_within_the_stepover_in_sharp_corners() {
    use swarf::geom::Rect;
    use swarf::sim::engagement::{measure, Engagement};
    // An L with a notch and a square island: inside corners of 90° and 270°.
    let shape = Shape {
        outline: poly(&[
            (0.0, 0.0),
            (40.0, 0.0),
            (40.0, 30.0),
            (22.0, 30.0),
            (22.0, 14.0),
            (0.0, 14.0),
        ]),
        holes: vec![poly(&[
            (28.0, 6.0),
            (28.0, 12.0),
            (34.0, 12.0),
            (34.0, 6.0),
        ])],
    };
    let d = drawing(&shape);
    let f = field(&shape);
    let ratio = 0.15;
    let limit = ratio * 2.0 * R;
    let area = Rect {
        min: DVec2::new(0.0, 0.0),
        max: DVec2::new(40.0, 30.0),
    };
    let loops: Vec<Vec<DVec2>> = std::iter::once(&shape.outline)
        .chain(&shape.holes)
        .map(|p| p.flatten(1e-3))
        .collect();
    let material = |p: DVec2| inside(&loops, p);
    let mut widest = Vec::new();
    for (pattern, milling) in [
        ("adaptive", "climb"),
        ("adaptive", "conventional"),
        ("offset", "climb"),
    ] {
        let mut job = job(pattern, milling, ratio);
        if let StrategySpec::Pocket(p) = &mut job.strategy {
            p.stepdown = DEPTH;
        }
        let (tp, _) = run(&d, &job);
        check_cut(&format!("{pattern} {milling}"), &f, &tp, -DEPTH);
        let e = measure(&tp, R, area, 0.025, R / 4.0, &material);
        let e = e
            .iter()
            .find(|e| (e.z + DEPTH).abs() < 1e-6)
            .expect("the floor level");
        let feed: f64 = tp
            .steps()
            .filter(|s| s.kind != Move::Rapid)
            .map(|s| s.length())
            .sum();
        eprintln!(
            "{pattern} {milling}: engagement max {:.3} mm ({:.1}°) at {:?}, mean {:.3} mm; feed path {feed:.0} mm",
            e.max_width,
            Engagement::angle(e.max_width, R),
            e.at,
            e.mean_width,
        );
        widest.push(e.max_width);
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

/// The adaptive pocket of the ring-shaped circle through LinuxCNC's interpreter, both
/// dialects: it reaches the depth, enters by helices (G2/G3 going down), and no move the
/// interpreter ran leaves the tool region (the circle less the radius, outside the island
/// plus the radius).
#[test]
fn adaptive_programs_run_through_rs274() {
    let Some(rs) = rs274::available() else {
        return;
    };
    let (_, shape) = shapes().remove(1);
    let (tp, res) = run(&drawing(&shape), &job("adaptive", "climb", 0.25));
    for (dialect, _, out) in through_rs274(&rs, &tp, &res) {
        let lowest = out.moves.iter().map(|m| m.xyz[2]).fold(f64::MAX, f64::min);
        assert!((lowest + DEPTH).abs() < 1e-3, "{dialect:?}: {lowest}");
        assert!(
            out.moves.iter().any(|m| m.arc.is_some()),
            "{dialect:?}: no helix arcs"
        );
        for m in out.moves.iter().filter(|m| m.xyz[2] < 0.0) {
            let from_centre = m.xyz[0].hypot(m.xyz[1]);
            let from_island = (m.xyz[0] - 1.0).hypot(m.xyz[1] - 0.5);
            assert!(from_centre <= 10.0 - R + 5e-3, "{dialect:?}: {:?}", m.xyz);
            assert!(from_island >= 3.0 + R - 5e-3, "{dialect:?}: {:?}", m.xyz);
        }
    }
}

/// Adaptive clearing at an 11° wedge (issue 12, part 1): the passes reach into the tip, so
/// the wall ring, which now stops where a window would take more than the limit, has
/// nothing to leave there: the limit holds and nothing within the tool's reach is left.
#[test]
fn adaptive_keeps_the_limit_in_a_wedge_and_leaves_nothing() {
    let wedge = Shape {
        outline: poly(&[(0.0, 0.0), (60.0, 0.0), (0.0, 12.0)]),
        holes: vec![],
    };
    check_limit_kept("wedge", &wedge);
}

fn check_limit_kept(name: &str, shape: &Shape) {
    use swarf::geom::Rect;
    use swarf::sim::engagement::measure;
    let d = drawing(shape);
    let f = field(shape);
    let ratio = 0.15;
    let limit = ratio * 2.0 * R;
    let b = shape.outline.bounds();
    let area = Rect {
        min: b.min,
        max: b.max,
    };
    let loops: Vec<Vec<DVec2>> = vec![shape.outline.flatten(1e-3)];
    let material = |p: DVec2| inside(&loops, p);
    for milling in ["climb", "conventional"] {
        let mut job = job("adaptive", milling, ratio);
        if let StrategySpec::Pocket(p) = &mut job.strategy {
            p.stepdown = DEPTH;
        }
        let (tp, _) = run(&d, &job);
        let at_depth = check_contained(&format!("{name} {milling}"), &f, &tp, -DEPTH);
        // What the tool could reach and did not: the tip it left.
        let left = (0..at_depth.len())
            .filter(|&k| f.must[k] && !at_depth[k])
            .count() as f64
            * f.g.cell
            * f.g.cell;
        let e = measure(&tp, R, area, 0.025, R / 4.0, &material);
        let widest = e.iter().map(|e| e.max_width).fold(0.0, f64::max);
        eprintln!(
            "{name} {milling}: engagement max {widest:.3} mm (limit {limit}), {left:.2} mm² within reach left"
        );
        assert!(widest <= limit, "{name} {milling}: {widest} > {limit}");
        assert!(left < 0.5, "{name} {milling}: {left:.2} mm² left");
    }
}

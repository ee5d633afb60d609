//! V-carving: known answers (a long rectangle's V, a circle's cone, a capped flat floor),
//! a height-field check of the carved surface against the ideal one over letter-like
//! shapes, the program through LinuxCNC's interpreter, cancelling, and the time a dense
//! drawing takes.
//!
//! The height field rasterises the cone along every move (arcs through `Step::at`) on a
//! fine grid and compares it with the ideal surface `top − min(d, r_cap) / tan(α)`: nowhere
//! deeper than ideal by more than the tolerance (no gouge into the walls or the floor, no
//! cut outside the shape), nowhere shallower by more than the tolerance plus the ridges the
//! floor passes may leave (at most the tolerance, as the module documents).
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::drawing::{Drawing, Path, Shape, Vertex};
use swarf::engine::{generate_drawing, EngineError, Output};
use swarf::geom::DVec2;
use swarf::job::{Job, StrategySpec, ToolKind, VcarveSpec};
use swarf::strategy::twod::geometry::{contains, distance_to_paths};
use swarf::toolpath::{Move, Toolpath};

fn poly(pts: &[(f64, f64)]) -> Path {
    let mut p = Path {
        vertices: pts
            .iter()
            .map(|&(x, y)| Vertex::line(DVec2::new(x, y)))
            .collect(),
        closed: true,
    };
    if p.signed_area() < 0.0 {
        p.reverse();
    }
    p
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Path {
    poly(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
}

/// A counter-clockwise circle of two half arcs.
fn circle(cx: f64, cy: f64, r: f64) -> Path {
    Path {
        vertices: vec![
            Vertex {
                p: DVec2::new(cx + r, cy),
                bulge: 1.0,
            },
            Vertex {
                p: DVec2::new(cx - r, cy),
                bulge: 1.0,
            },
        ],
        closed: true,
    }
}

fn hole(mut p: Path) -> Path {
    if p.signed_area() > 0.0 {
        p.reverse();
    }
    p
}

fn drawing(shapes: Vec<Shape>) -> Drawing {
    Drawing {
        shapes,
        ..Default::default()
    }
}

fn solid(outline: Path) -> Shape {
    Shape {
        outline,
        holes: vec![],
    }
}

struct Setup {
    angle: f64,
    diameter: f64,
    max_depth: f64,
    tol: f64,
}

impl Setup {
    fn job(&self) -> Job {
        let mut j = Job::default();
        j.tool.kind = ToolKind::Cone;
        j.tool.angle = self.angle;
        j.tool.diameter = self.diameter;
        j.strategy = StrategySpec::Vcarve(VcarveSpec {
            max_depth: self.max_depth,
            tolerance: self.tol,
            z_top: None,
        });
        j
    }

    fn t(&self) -> f64 {
        (self.angle.to_radians() / 2.0).tan()
    }

    fn r_cap(&self) -> f64 {
        (self.max_depth * self.t()).min(self.diameter / 2.0)
    }

    fn run(&self, d: &Drawing) -> Output {
        generate_drawing(d, &self.job(), &mut |_| true).expect("vcarve")
    }
}

/// The cutting moves' points (feeds, plunges, arcs) below the top.
fn cut_points(tp: &Toolpath) -> Vec<[f64; 3]> {
    (0..tp.len())
        .filter(|&i| tp.kind(i) != Move::Rapid)
        .map(|i| tp.point(i).map(f64::from))
        .collect()
}

/// The carved surface on a grid, from the cone stamped along every move.
struct Field {
    lo: DVec2,
    step: f64,
    nx: usize,
    ny: usize,
    z: Vec<f64>,
}

impl Field {
    fn carve(tp: &Toolpath, lo: DVec2, hi: DVec2, step: f64, t: f64, radius: f64) -> Field {
        let nx = ((hi.x - lo.x) / step).ceil() as usize + 1;
        let ny = ((hi.y - lo.y) / step).ceil() as usize + 1;
        let mut f = Field {
            lo,
            step,
            nx,
            ny,
            z: vec![0.0; nx * ny],
        };
        for s in tp.steps() {
            let n = (s.length() / (step * 0.2)).ceil().max(1.0) as usize;
            for k in 0..=n {
                let c = s.at(k as f64 / n as f64);
                if c[2] >= 0.0 {
                    continue;
                }
                // The part of the cone below the top.
                let reach = (-c[2] * t).min(radius);
                let i0 = (((c[0] - reach - lo.x) / step).floor().max(0.0)) as usize;
                let i1 = (((c[0] + reach - lo.x) / step).ceil() as usize).min(nx - 1);
                let j0 = (((c[1] - reach - lo.y) / step).floor().max(0.0)) as usize;
                let j1 = (((c[1] + reach - lo.y) / step).ceil() as usize).min(ny - 1);
                for j in j0..=j1 {
                    for i in i0..=i1 {
                        let x = lo.x + i as f64 * step;
                        let y = lo.y + j as f64 * step;
                        let r = (x - c[0]).hypot(y - c[1]);
                        if r <= radius {
                            let z = c[2] + r / t;
                            let cell = &mut f.z[j * nx + i];
                            if z < *cell {
                                *cell = z;
                            }
                        }
                    }
                }
            }
        }
        f
    }

    fn at(&self, i: usize, j: usize) -> (DVec2, f64) {
        (
            DVec2::new(
                self.lo.x + i as f64 * self.step,
                self.lo.y + j as f64 * self.step,
            ),
            self.z[j * self.nx + i],
        )
    }
}

/// The ideal carved height at `p`.
fn ideal(shapes: &[Shape], p: DVec2, r_cap: f64, t: f64) -> f64 {
    for s in shapes {
        if contains(&s.outline, p) && !s.holes.iter().any(|h| contains(h, p)) {
            let paths = std::iter::once(&s.outline).chain(&s.holes);
            return -distance_to_paths(paths, p).min(r_cap) / t;
        }
    }
    0.0
}

/// The worst gouge (deeper than ideal) and the worst shortfall (shallower than ideal) over
/// the drawing's box, with where they are.
fn compare(set: &Setup, d: &Drawing, out: &Output, step: f64) -> ((f64, DVec2), (f64, DVec2)) {
    let b = d.bounds().unwrap();
    let lo = b.min - DVec2::splat(1.0);
    let hi = b.max + DVec2::splat(1.0);
    let t = set.t();
    let f = Field::carve(&out.toolpath, lo, hi, step, t, set.diameter / 2.0);
    let (mut gouge, mut short) = ((0.0, lo), (0.0, lo));
    for j in 0..f.ny {
        for i in 0..f.nx {
            let (p, z) = f.at(i, j);
            let want = ideal(&d.shapes, p, set.r_cap(), t);
            if want - z > gouge.0 {
                gouge = (want - z, p);
            }
            if z - want > short.0 {
                short = (z - want, p);
            }
        }
    }
    (gouge, short)
}

fn check_surface(set: &Setup, d: &Drawing, step: f64) {
    let out = set.run(d);
    let ((gouge, gp), (short, sp)) = compare(set, d, &out, step);
    eprintln!(
        "gouge {gouge:.4} at {gp:?}, shortfall {short:.4} at {sp:?}, {} points",
        out.toolpath.len()
    );
    // A little for the f32 toolpath and the grid's sampling of the moves.
    let eps = 2e-3;
    assert!(
        gouge <= set.tol + eps,
        "cut {gouge} below the ideal surface at {gp:?}"
    );
    let ridge = set.tol;
    assert!(
        short <= set.tol + ridge + eps,
        "left {short} above the ideal surface at {sp:?}"
    );
}

#[test]
fn long_rectangle_carves_a_v_along_its_centre_line() {
    let set = Setup {
        angle: 60.0,
        diameter: 6.0,
        max_depth: 10.0,
        tol: 0.01,
    };
    let w = 4.0;
    let d = drawing(vec![solid(rect(0.0, 0.0, 40.0, w))]);
    let out = set.run(&d);
    let want = w / 2.0 / set.t();
    let pts = cut_points(&out.toolpath);
    let deepest = pts.iter().map(|p| p[2]).fold(f64::INFINITY, f64::min);
    assert!(
        (deepest + want).abs() <= set.tol,
        "deepest {deepest}, want {}",
        -want
    );
    // Everything at that depth is on the centre line, and the centre line is cut at that
    // depth from one end of the V to the other (2 from each end, where the corners' bisectors
    // meet).
    let mut xs = Vec::new();
    for p in &pts {
        if p[2] < -want + set.tol {
            assert!((p[1] - w / 2.0).abs() <= set.tol * set.t(), "{p:?}");
            xs.push(p[0]);
        }
    }
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(
        (lo - w / 2.0).abs() < 0.05 && (hi - (40.0 - w / 2.0)).abs() < 0.05,
        "{lo}..{hi}"
    );
    check_surface(&set, &d, 0.05);
}

#[test]
fn circle_carves_a_cone_to_its_centre() {
    let set = Setup {
        angle: 90.0,
        diameter: 6.0,
        max_depth: 10.0,
        tol: 0.01,
    };
    let r = 2.5;
    let d = drawing(vec![solid(circle(5.0, 3.0, r))]);
    let out = set.run(&d);
    let pts = cut_points(&out.toolpath);
    let deepest = pts
        .iter()
        .min_by(|a, b| a[2].total_cmp(&b[2]))
        .copied()
        .unwrap();
    assert!((deepest[2] + r / set.t()).abs() <= set.tol, "{deepest:?}");
    assert!(
        (deepest[0] - 5.0).hypot(deepest[1] - 3.0) <= set.tol,
        "{deepest:?}"
    );
    check_surface(&set, &d, 0.04);

    // Shallower than the cone: capped at max_depth, with a flat floor inside.
    let capped = Setup {
        max_depth: 1.0,
        ..set
    };
    let out = capped.run(&d);
    let deepest = cut_points(&out.toolpath)
        .iter()
        .map(|p| p[2])
        .fold(f64::INFINITY, f64::min);
    assert!((deepest + 1.0).abs() < 1e-4, "{deepest}");
    check_surface(&capped, &d, 0.04);
}

#[test]
fn wide_shape_has_a_flat_floor_at_max_depth() {
    let set = Setup {
        angle: 90.0,
        diameter: 6.0,
        max_depth: 0.5,
        tol: 0.05,
    };
    let d = drawing(vec![solid(rect(0.0, 0.0, 10.0, 8.0))]);
    let out = set.run(&d);
    let t = set.t();
    let f = Field::carve(
        &out.toolpath,
        DVec2::new(-1.0, -1.0),
        DVec2::new(11.0, 9.0),
        0.05,
        t,
        3.0,
    );
    // Everywhere more than r_cap inside is the floor, within the ridge height.
    let inset = set.r_cap();
    let mut cells = 0;
    for j in 0..f.ny {
        for i in 0..f.nx {
            let (p, z) = f.at(i, j);
            if p.x > inset && p.x < 10.0 - inset && p.y > inset && p.y < 8.0 - inset {
                assert!(z >= -0.5 - 1e-3 && z <= -0.5 + set.tol + 1e-3, "{p:?} {z}");
                cells += 1;
            }
        }
    }
    assert!(cells > 1000);
    check_surface(&set, &d, 0.05);
}

/// An "L" of two rectangles, a "T", and a square with a round hole: letter-like shapes.
fn letters() -> Drawing {
    let l = poly(&[
        (0.0, 0.0),
        (6.0, 0.0),
        (6.0, 1.6),
        (1.8, 1.6),
        (1.8, 9.0),
        (0.0, 9.0),
    ]);
    let t = poly(&[
        (8.0, 7.4),
        (11.2, 7.4),
        (11.2, 0.0),
        (12.8, 0.0),
        (12.8, 7.4),
        (16.0, 7.4),
        (16.0, 9.0),
        (8.0, 9.0),
    ]);
    let o = Shape {
        outline: rect(18.0, 0.0, 26.0, 9.0),
        holes: vec![hole(circle(22.0, 4.5, 2.5))],
    };
    // A "C": half an annulus (arcs kept as arcs), outer radius 4, inner 2.6.
    let c = Path {
        vertices: vec![
            Vertex {
                p: DVec2::new(32.0, 0.5),
                bulge: -1.0,
            },
            Vertex::line(DVec2::new(32.0, 8.5)),
            Vertex {
                p: DVec2::new(32.0, 7.1),
                bulge: 1.0,
            },
            Vertex::line(DVec2::new(32.0, 1.9)),
        ],
        closed: true,
    };
    // A sharp wedge: a corner of about 14°.
    let v = poly(&[(34.0, 0.0), (42.0, 0.5), (34.0, 2.5)]);
    let mut c = c;
    if c.signed_area() < 0.0 {
        c.reverse();
    }
    drawing(vec![solid(l), solid(t), o, solid(c), solid(v)])
}

#[test]
fn letters_match_the_ideal_surface() {
    let set = Setup {
        angle: 60.0,
        diameter: 6.0,
        max_depth: 1.2,
        tol: 0.02,
    };
    check_surface(&set, &letters(), 0.04);
}

#[test]
fn letters_with_a_small_wide_cone() {
    // A 120° cone of diameter 2: its own radius caps the depth before max_depth does.
    let set = Setup {
        angle: 120.0,
        diameter: 2.0,
        max_depth: 3.0,
        tol: 0.02,
    };
    check_surface(&set, &letters(), 0.04);
}

#[test]
fn program_runs_in_linuxcnc() {
    let set = Setup {
        angle: 60.0,
        diameter: 6.0,
        max_depth: 1.2,
        tol: 0.02,
    };
    let out = set.run(&letters());
    let Some(bin) = common::rs274::available() else {
        return;
    };
    let run = common::rs274::run(&bin, &out.gcode).unwrap_or_else(|e| panic!("{e}"));
    assert!(run.program_ended);
    let tp_min = cut_points(&out.toolpath)
        .iter()
        .map(|p| p[2])
        .fold(f64::INFINITY, f64::min);
    let run_min = run
        .moves
        .iter()
        .map(|m| m.xyz[2])
        .fold(f64::INFINITY, f64::min);
    assert!((tp_min - run_min).abs() < 2e-3, "{tp_min} vs {run_min}");
    // Every cutting point the interpreter reached is one of the toolpath's.
    let feeds = run.moves.iter().filter(|m| m.xyz[2] < 0.0).count();
    assert!(feeds > 10);
    for m in run.moves.iter().filter(|m| m.xyz[2] < -1e-3) {
        assert!(
            letters()
                .shapes
                .iter()
                .any(|s| contains(&s.outline, DVec2::new(m.xyz[0], m.xyz[1]))),
            "{m:?} outside every letter"
        );
    }
}

#[test]
fn cancelling_stops_it() {
    let set = Setup {
        angle: 60.0,
        diameter: 6.0,
        max_depth: 1.2,
        tol: 0.02,
    };
    let mut calls = 0;
    let r = generate_drawing(&letters(), &set.job(), &mut |_| {
        calls += 1;
        calls < 2
    });
    assert!(matches!(r, Err(EngineError::Cancelled)), "{r:?}");
}

#[test]
fn a_page_of_letters_in_seconds() {
    // 40 lines of 60 letters (L, T, O), 4.5 mm tall: 2400 shapes.
    let base = letters();
    let mut shapes = Vec::new();
    let k = 0.5;
    for row in 0..40 {
        for col in 0..20 {
            let off = DVec2::new(col as f64 * 14.0, row as f64 * 6.0);
            for s in &base.shapes {
                let mv = |p: &Path| Path {
                    vertices: p
                        .vertices
                        .iter()
                        .map(|v| Vertex {
                            p: v.p * k + off,
                            bulge: v.bulge,
                        })
                        .collect(),
                    closed: true,
                };
                shapes.push(Shape {
                    outline: mv(&s.outline),
                    holes: s.holes.iter().map(mv).collect(),
                });
            }
        }
    }
    let d = drawing(shapes);
    let set = Setup {
        angle: 60.0,
        diameter: 6.0,
        max_depth: 1.0,
        tol: 0.02,
    };
    let t0 = std::time::Instant::now();
    let out = set.run(&d);
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "{} shapes: {secs:.2} s, {} points, {} bytes of G-code",
        d.shapes.len(),
        out.toolpath.len(),
        out.gcode.len()
    );
    assert!(secs < 60.0, "{secs} s");
}

#[test]
fn connected_axis_is_cut_in_one_pass() {
    // No floor to clear (the cone's radius, 1.2, caps the depth beyond these letters' half
    // widths): each letter's axis is one tree, walked without a lift.
    let set = Setup {
        angle: 120.0,
        diameter: 2.4,
        max_depth: 3.0,
        tol: 0.02,
    };
    let all = letters();
    for k in [0, 1, 3, 4] {
        let d = drawing(vec![all.shapes[k].clone()]);
        let tp = set.run(&d).toolpath;
        let plunges = (0..tp.len())
            .filter(|&i| tp.kind(i) == Move::Plunge)
            .count();
        assert_eq!(plunges, 1, "letter {k}");
    }
}

#[test]
fn material_top_shifts_every_cut() {
    let set = Setup {
        angle: 90.0,
        diameter: 6.0,
        max_depth: 1.0,
        tol: 0.02,
    };
    let d = letters();
    let low = cut_points(&set.run(&d).toolpath);
    let mut job = set.job();
    if let StrategySpec::Vcarve(s) = &mut job.strategy {
        s.z_top = Some(5.0);
    }
    let out = generate_drawing(&d, &job, &mut |_| true).expect("vcarve");
    let high = cut_points(&out.toolpath);
    assert_eq!(low.len(), high.len());
    for (a, b) in low.iter().zip(&high) {
        assert!((a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6);
        if a[2] < 0.0 {
            assert!((b[2] - a[2] - 5.0).abs() < 1e-5, "{a:?} {b:?}");
        }
    }
}

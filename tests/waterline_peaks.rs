//! Waterline must not miss peaks narrower than its grid (issue 12).
//!
//! A needle (a thin square frustum, 0.3 mm wide at its top) stands at the centre of a grid
//! cell at a coarse sampling (2 mm). Near its top the blocked region round it (the tool
//! positions whose drop-cutter height is above the level) is a small disk that fits between
//! the four nodes, which all say free. Every level through the needle must still have a loop
//! round it, and the whole program, simulated by the verifier on a fine stock, must not cut
//! into the model deeper than the tolerance (measured along the normal). A wall stands a
//! cutter radius beside the needle so that the wall's own contour runs right over the needle:
//! a missed needle is cut through, not merely left alone.

use swarf::cutter::Cutter;
use swarf::engine::{self, Model, Output};
use swarf::geom::{Box3, DVec2, DVec3, Rect};
use swarf::job::{Job, ModelTransform, StrategySpec, ToolKind, WaterlineSpec};
use swarf::mesh::Mesh;
use swarf::post::Units;
use swarf::sim::verify::{self, Settings};
use swarf::strategy::contour::{contours_seeing_peaks, CellTops, Contour, HeightGrid};
use swarf::strategy::surface::Surface;
use swarf::toolpath::Move;

const TOL: f64 = 0.01;
const STEP: f64 = 2.0;
/// The needle's top.
const TOP: f32 = 10.0;
/// Levels through the needle's top, where its blocked region is smaller than a cell.
const LEVELS: [f64; 7] = [9.99, 9.95, 9.9, 9.85, 9.8, 9.7, 9.6];

/// A closed axis-aligned box, 12 triangles.
fn cuboid(lo: [f32; 3], hi: [f32; 3]) -> Vec<f32> {
    frustum(
        [lo[0], lo[1]],
        [hi[0], hi[1]],
        [lo[0], lo[1]],
        [hi[0], hi[1]],
        lo[2],
        hi[2],
    )
}

/// A closed frustum between the rectangle `b0..b1` at `z0` and `t0..t1` at `z1`.
fn frustum(b0: [f32; 2], b1: [f32; 2], t0: [f32; 2], t1: [f32; 2], z0: f32, z1: f32) -> Vec<f32> {
    let ring = |lo: [f32; 2], hi: [f32; 2], z: f32| {
        [
            [lo[0], lo[1], z],
            [hi[0], lo[1], z],
            [hi[0], hi[1], z],
            [lo[0], hi[1], z],
        ]
    };
    let (b, t) = (ring(b0, b1, z0), ring(t0, t1, z1));
    let mut v = Vec::new();
    let mut tri = |p: [[f32; 3]; 3]| v.extend(p.iter().flatten());
    for k in 0..4 {
        let n = (k + 1) % 4;
        tri([b[k], b[n], t[n]]);
        tri([b[k], t[n], t[k]]);
    }
    tri([t[0], t[1], t[2]]);
    tri([t[0], t[2], t[3]]);
    tri([b[0], b[2], b[1]]);
    tri([b[0], b[3], b[2]]);
    v
}

/// A needle centred at `c`: 1 mm square at its foot (z 1), 0.3 mm square at its top.
fn needle(c: DVec2) -> Vec<f32> {
    let (x, y) = (c.x as f32, c.y as f32);
    frustum(
        [x - 0.5, y - 0.5],
        [x + 0.5, y + 0.5],
        [x - 0.15, y - 0.15],
        [x + 0.15, y + 0.15],
        1.0,
        TOP,
    )
}

fn model(parts: &[Vec<f32>]) -> Model {
    let mesh = Mesh::from_triangles(parts.concat()).unwrap();
    Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap()
}

fn cutters() -> Vec<(&'static str, Cutter)> {
    vec![
        ("flat", Cutter::flat(6.0).unwrap()),
        ("ball", Cutter::ball(6.0).unwrap()),
        ("bull", Cutter::bull(6.0, 1.5).unwrap()),
        ("cone", Cutter::cone(6.0, 90.0).unwrap()),
    ]
}

/// How many times the closed polyline `pts` winds round `c`.
fn winding(pts: &[DVec2], c: DVec2) -> i32 {
    let n = pts.len();
    let mut w = 0;
    for k in 0..n {
        let (a, b) = (pts[k] - c, pts[(k + 1) % n] - c);
        let left = a.perp_dot(b) > 0.0;
        if a.y <= 0.0 && b.y > 0.0 && left {
            w += 1;
        } else if a.y > 0.0 && b.y <= 0.0 && !left {
            w -= 1;
        }
    }
    w
}

/// The contours themselves: on a plate with the needle at a cell's centre, every level
/// through the needle has a closed loop round it (counter-clockwise: an island), and every
/// loop point is free.
#[test]
fn every_level_through_a_needle_has_a_loop_round_it() {
    let c = DVec2::new(11.0, 11.0); // nodes every 2 mm from the origin: a cell's centre
    let m = model(&[cuboid([0.0, 0.0, 0.0], [22.0, 22.0, 1.0]), needle(c)]);
    for (name, cutter) in cutters() {
        let s = Surface {
            model: &m,
            cutter: &cutter,
            floor: 0.0,
        };
        let area = Rect::new(DVec2::new(0.0, 0.0), DVec2::new(22.0, 22.0));
        let g = HeightGrid::sample(&s, area, STEP, &mut |_| true).unwrap();
        let tops = CellTops::sample(&s, &g, &mut |_| true).unwrap();
        for z in LEVELS {
            let cs: Vec<Contour> = contours_seeing_peaks(&s, &g, &tops, z, TOL);
            let round: Vec<&Contour> = cs
                .iter()
                .filter(|ct| ct.closed && winding(&ct.points, c) != 0)
                .collect();
            assert_eq!(
                round.len(),
                1,
                "{name} z {z}: {} loops round it",
                round.len()
            );
            assert_eq!(
                winding(&round[0].points, c),
                1,
                "{name} z {z}: not an island"
            );
            for ct in &cs {
                for p in &ct.points {
                    let h = s.height(p.x, p.y, &mut None);
                    assert!(h <= z + 1e-9, "{name} z {z}: {p:?} is blocked ({h})");
                }
            }
        }
    }
}

/// The model of the program test: a plate, a wall 14 high whose waterline at the needle's
/// levels is a ball radius (3) from it, and the needle on that waterline at `c`.
fn walled(c: DVec2) -> Model {
    let wall = (c.x - 3.0) as f32;
    model(&[
        cuboid([0.0, 0.0, 0.0], [30.0, 30.0, 1.0]),
        cuboid([2.0, 5.0, 0.0], [wall, 25.0, 14.0]),
        needle(c),
    ])
}

fn job(levels: Vec<f64>) -> Job {
    let mut job = Job::default();
    job.tool.diameter = 6.0;
    job.strategy = StrategySpec::Waterline(WaterlineSpec {
        levels,
        sampling: STEP,
        tolerance: TOL,
        ..WaterlineSpec::default()
    });
    job
}

/// The feed moves at height `z` (arcs as the lines within a micron of them), as one
/// polyline per run of consecutive feeds.
fn runs_at(out: &Output, z: f64) -> Vec<Vec<DVec2>> {
    let tp = &out.toolpath.flattened(1e-3);
    let mut runs: Vec<Vec<DVec2>> = Vec::new();
    let mut open = false;
    for i in 1..tp.len() {
        let (a, b) = (tp.point(i - 1), tp.point(i));
        let level = |p: [f32; 3]| (p[2] as f64 - z).abs() < 1e-4;
        if tp.kind(i) == Move::Feed && level(a) && level(b) {
            if !open {
                runs.push(vec![DVec2::new(a[0] as f64, a[1] as f64)]);
                open = true;
            }
            runs.last_mut()
                .unwrap()
                .push(DVec2::new(b[0] as f64, b[1] as f64));
        } else {
            open = false;
        }
    }
    runs
}

/// The whole program: each level through the needle circles it, and the stock the program
/// leaves, simulated on 0.02 mm cells round the needle, is nowhere inside the model by more
/// than the tolerance along the normal. The needle stands at a cell's centre, and half a
/// millimetre off it (where the wall's contour runs over it between the points refinement
/// looks at: before the fix 0.012 mm deep with the ball, 0.15 mm with the cone).
#[test]
fn waterline_program_does_not_cut_through_a_needle() {
    for (kind, dy) in [
        (ToolKind::Ball, 0.0),
        (ToolKind::Ball, -0.5),
        (ToolKind::Cone, -0.5),
    ] {
        // Find where the job's grid puts its nodes (its area follows the model's XY
        // bounds, which the plate fixes), then stand the needle by a cell's centre.
        let mut job = job(vec![5.0]);
        job.tool.kind = kind;
        let probe = walled(DVec2::new(14.0, 15.0));
        let out = engine::generate(&probe, &job, &mut |_| true).unwrap();
        let res = &out.resolved[0];
        let surface = Surface {
            model: &probe,
            cutter: &res.cutter,
            floor: res.floor,
        };
        let g = HeightGrid::sample(&surface, res.area.inflate(STEP), STEP, &mut |_| true).unwrap();
        let mid = |v: f64, o: f64| o + ((v - o) / g.step).floor() * g.step + 0.5 * g.step;
        let c = DVec2::new(mid(14.0, g.x0), mid(15.0, g.y0) + dy);
        let m = walled(c);
        job.strategy = StrategySpec::Waterline(WaterlineSpec {
            levels: LEVELS.to_vec(),
            sampling: STEP,
            tolerance: TOL,
            ..WaterlineSpec::default()
        });
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let p = swarf::gcode::read::read(&out.gcode).unwrap();
        let s = Settings {
            cutter: job.tool.cutter().unwrap(),
            holder_diameter: job.tool.diameter,
            operation_tools: Vec::new(),
            cell: 0.02,
            tolerance: TOL,
            leftover: 0.05,
        };
        let stock = Box3::new(
            DVec3::new(c.x - 2.0, c.y - 2.0, 0.0),
            DVec3::new(c.x + 2.0, c.y + 2.0, 14.0),
        );
        let r = verify::verify(&m, &p, &stock, &s, &mut |_| true).unwrap();
        let g = r.deepest_gouge.map_or(0.0, |g| g.depth);
        eprintln!("{kind:?}, needle at {c:?}: deepest gouge {g:.4}");
        assert!(g <= TOL, "{kind:?}: gouge {:?}", r.deepest_gouge);
        for z in LEVELS {
            let round = runs_at(&out, z)
                .iter()
                .filter(|r| r.len() > 2 && r[0].distance(r[r.len() - 1]) < 1e-3)
                .any(|r| winding(&r[..r.len() - 1], c) != 0);
            assert!(
                round,
                "{kind:?} z {z}: no closed cut round the needle at {c:?}"
            );
        }
    }
}

//! The complaints users make about the tools in this field (../shared/FIELD.md), each as a
//! test Swarf must pass. Most have fuller tests elsewhere; these name the complaint.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::job::{Job, Milling, ModelTransform, StrategySpec, ToolKind, WaterlineSpec};
use swarf::mesh::stl::{parse_stl, StlOptions};
use swarf::post::{Dialect, Units};
use swarf::strategy::contour::contours;
use swarf::strategy::surface::Surface;

/// grid-apps#113, #216: big models crash the tab. A million triangles load and index within
/// the engine's budget of 48 bytes per triangle (OpenCAMLib: ~1,300, PyCAM: ~1,000).
#[test]
fn a_million_triangles_fit_the_budget() {
    let mesh = demo::terrain(707);
    assert!(mesh.len() > 1_000_000);
    let mut bytes = Vec::with_capacity(84 + 50 * mesh.len());
    swarf::mesh::stl::write_binary_stl(&mesh, &mut bytes).unwrap();
    drop(mesh);
    let mesh = parse_stl(&bytes, &StlOptions::default()).unwrap();
    let model = Model::new(mesh, &ModelTransform::default(), Units::Mm).unwrap();
    let per_tri = model.engine_bytes() as f64 / model.mesh().len() as f64;
    assert!(per_tri <= 48.0, "{per_tri} bytes per triangle");
}

/// pycam#131, #147: waterline ignored the model unless the milling style was toggled.
/// Climb and conventional give the same loops, one reversed.
#[test]
fn waterline_is_the_same_for_either_milling_direction() {
    let m = Model::new(
        demo::cylinder(50.0, 50.0, 15.0, 0.0, 20.0, 64),
        &ModelTransform::default(),
        Units::Mm,
    )
    .unwrap();
    let mut feeds = Vec::new();
    for milling in [Milling::Climb, Milling::Conventional] {
        let job = Job {
            strategy: StrategySpec::Waterline(WaterlineSpec {
                stepdown: 5.0,
                milling,
                ..WaterlineSpec::default()
            }),
            ..Job::default()
        };
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let mut pts: Vec<[i64; 3]> = (0..out.toolpath.len())
            .filter(|&i| out.toolpath.kind(i) == swarf::toolpath::Move::Feed)
            .map(|i| out.toolpath.point(i).map(|v| (v * 1000.0).round() as i64))
            .collect();
        assert!(pts.len() > 50, "{milling:?}: the model was ignored");
        pts.sort();
        pts.dedup();
        feeds.push(pts);
    }
    assert_eq!(feeds[0], feeds[1]);
}

/// opencamlib#93: the cone cutter's singularity (apex exactly on a vertex, an edge through
/// the axis, a level facet under the apex). FreeCAD#6160: a bad tool size aborts the program.
#[test]
fn cone_apex_cases_and_bad_tools_are_values_not_crashes() {
    let tri = [0.0f32, 0.0, 5.0, 10.0, 0.0, 5.0, 0.0, 10.0, 5.0];
    let slope = [0.0f32, 0.0, 5.0, 10.0, 0.0, 7.0, 0.0, 10.0, 3.0];
    for angle in [1.0, 30.0, 90.0, 179.0] {
        let c = Cutter::cone(6.0, angle).unwrap();
        for (x, y) in [(0.0, 0.0), (5.0, 0.0), (2.0, 2.0), (10.0, 0.0)] {
            for t in [&tri, &slope] {
                let z = c.drop_triangle(x, y, t).unwrap();
                assert!(z.is_finite(), "angle {angle} at ({x},{y})");
                assert!(z <= 7.0 + 1e-9);
            }
        }
        // The apex on a level facet rests on it.
        assert!((c.drop_triangle(2.0, 2.0, &tri).unwrap() - 5.0).abs() < 1e-12);
    }
    // Zero, negative, NaN diameters; a corner radius of half the diameter (a ball).
    for (d, r) in [(0.0, 0.5), (-1.0, 0.5), (f64::NAN, 0.5), (6.0, 3.0)] {
        assert!(Cutter::bull(d, r).is_err());
    }
    assert!(Cutter::cone(6.0, 0.0).is_err());
    assert!(Cutter::cone(6.0, 180.0).is_err());
    assert!(Cutter::cone(6.0, f64::INFINITY).is_err());
    let mut job = Job::default();
    job.tool.kind = ToolKind::Bull;
    job.tool.corner_radius = 4.0;
    assert_eq!(job.validate().unwrap_err().field, "tool.corner_radius");
}

/// grid-apps#411: GRBL rejects G2/G3 without X/Y (error 26); GRBL also has no M6 and short
/// lines. No GRBL program Swarf writes has an M6, a G64, a long line, or (once arcs are
/// written) an arc without XY; a chained job pauses with M0 for each change instead.
#[test]
fn grbl_programs_use_only_what_grbl_accepts() {
    // A chained job (rough, waterline, parallel) exercises the tool changes too.
    let m = Model::new(demo::terrain(20), &ModelTransform::default(), Units::Mm).unwrap();
    let op = |kind: ToolKind, number: u32, strategy: StrategySpec| swarf::job::Operation {
        tool: swarf::job::ToolSpec {
            kind,
            number,
            ..Default::default()
        },
        strategy,
        ..Default::default()
    };
    let mut job = Job {
        operations: vec![
            op(ToolKind::Flat, 1, StrategySpec::Rough(Default::default())),
            op(
                ToolKind::Ball,
                2,
                StrategySpec::Waterline(Default::default()),
            ),
            op(
                ToolKind::Ball,
                3,
                StrategySpec::Parallel(Default::default()),
            ),
        ],
        ..Job::default()
    };
    job.machine.dialect = Dialect::Grbl;
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    for line in out.gcode.lines() {
        assert!(line.len() <= 79, "{line}");
        assert!(!line.contains("M6") && !line.contains("G64"), "{line}");
        let words: Vec<&str> = line.split_whitespace().collect();
        if words
            .iter()
            .any(|w| matches!(*w, "G2" | "G3" | "G02" | "G03"))
        {
            assert!(line.contains('X') || line.contains('Y'), "{line}");
        }
    }
}

/// pycam#144, grid-apps#505: moves that plunge into or cut across the part. The link between
/// two waterline contours is a feed only when the whole link is free at its height.
#[test]
fn waterline_links_never_cross_the_part() {
    let m = Model::new(
        swarf::mesh::Mesh::merged(&[
            demo::cylinder(30.0, 50.0, 8.0, 0.0, 20.0, 48),
            demo::cylinder(70.0, 50.0, 8.0, 0.0, 20.0, 48),
        ]),
        &ModelTransform::default(),
        Units::Mm,
    )
    .unwrap();
    let job = Job {
        strategy: StrategySpec::Waterline(WaterlineSpec {
            stepdown: 4.0,
            ..WaterlineSpec::default()
        }),
        ..Job::default()
    };
    let out = engine::generate(&m, &job, &mut |_| true).unwrap();
    let c = job.tool.cutter().unwrap();
    let tp = &out.toolpath;
    for i in 1..tp.len() {
        if tp.kind(i) != swarf::toolpath::Move::Feed {
            continue;
        }
        let (a, b) = (tp.point(i - 1), tp.point(i));
        for k in 0..=50 {
            let t = k as f32 / 50.0;
            let p = [
                a[0] + (b[0] - a[0]) * t,
                a[1] + (b[1] - a[1]) * t,
                a[2] + (b[2] - a[2]) * t,
            ];
            // Free within the tolerance (0.01): beside a wall the drop-cutter height jumps,
            // so the vertical measure says nothing; the sideways distance is what counts.
            let cl = (0..9)
                .map(|k| {
                    let (dx, dy) = if k == 8 {
                        (0.0, 0.0)
                    } else {
                        let a = k as f64 * std::f64::consts::FRAC_PI_4;
                        (0.01 * a.cos(), 0.01 * a.sin())
                    };
                    m.index()
                        .drop_cutter(m.mesh(), &c, p[0] as f64 + dx, p[1] as f64 + dy)
                        .unwrap_or(0.0)
                })
                .fold(f64::INFINITY, f64::min);
            assert!(
                cl <= p[2] as f64 + 1e-3,
                "feed {i} crosses the part at {p:?} (cl {cl})"
            );
        }
    }
    // The contours themselves, for the record: two islands at every level.
    let s = Surface::new(&m, &out.resolved[0]);
    let g = swarf::strategy::zlevel::level_grid(&s, &out.resolved[0], 0.5, &mut |_| true).unwrap();
    assert_eq!(contours(&s, &g, 10.0, 0.01).len(), 2);
}

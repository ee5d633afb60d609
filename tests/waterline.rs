//! Waterline loops against shapes whose sections are known, for every cutter; every loop
//! point is at the contact (free, and blocked just beyond); loops never pass under an
//! overhang; G-code through rs274.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::cutter::Cutter;
use swarf::demo;
use swarf::engine::{self, Model};
use swarf::geom::{DVec2, Rect};
use swarf::index::Index;
use swarf::job::{Job, ModelTransform, StrategySpec, ToolKind, WaterlineSpec};
use swarf::mesh::Mesh;
use swarf::post::Units;
use swarf::strategy::contour::{contours, Contour, HeightGrid};
use swarf::strategy::surface::Surface;

const TOL: f64 = 0.005;

fn cutters() -> Vec<(&'static str, Cutter)> {
    vec![
        ("flat", Cutter::flat(6.0).unwrap()),
        ("ball", Cutter::ball(6.0).unwrap()),
        ("bull", Cutter::bull(6.0, 1.5).unwrap()),
        ("cone", Cutter::cone(6.0, 90.0).unwrap()),
    ]
}

fn loops(model: &Model, c: &Cutter, z: f64, step: f64) -> Vec<Contour> {
    let b = model.mesh().bounds();
    let s = Surface {
        model,
        cutter: c,
        floor: b.min[2] as f64,
    };
    let pad = c.radius() + 2.0 * step;
    let area = Rect::new(
        DVec2::new(b.min[0] as f64 - pad, b.min[1] as f64 - pad),
        DVec2::new(b.max[0] as f64 + pad, b.max[1] as f64 + pad),
    );
    let g = HeightGrid::sample(&s, area, step, &mut |_| true).unwrap();
    contours(&s, &g, z, TOL)
}

fn model(m: Mesh) -> Model {
    Model::new(m, &ModelTransform::default(), Units::Mm).unwrap()
}

/// Every point: the drop-cutter there is at most z (no gouge), and a little further towards
/// the material (the loop's left) it is above z (touching, not floating).
fn assert_at_contact(model: &Model, c: &Cutter, z: f64, cs: &[Contour], what: &str) {
    let floor = model.mesh().bounds().min[2] as f64;
    let cl = |x: f64, y: f64| {
        model
            .index()
            .drop_cutter(model.mesh(), c, x, y)
            .unwrap_or(floor)
            .max(floor)
    };
    for ct in cs {
        let n = ct.points.len();
        for k in 0..n {
            let p = ct.points[k];
            let h = cl(p[0], p[1]);
            assert!(
                h <= z + 1e-9,
                "{what}: gouge at {p:?}: drop-cutter {h} above z {z}"
            );
            // Left normal of the chord through the neighbours.
            let (a, b) = if ct.closed {
                (ct.points[(k + n - 1) % n], ct.points[(k + 1) % n])
            } else {
                (
                    ct.points[k.saturating_sub(1)],
                    ct.points[(k + 1).min(n - 1)],
                )
            };
            let d = [b[0] - a[0], b[1] - a[1]];
            let l = d[0].hypot(d[1]);
            if l == 0.0 {
                continue;
            }
            // Within two tolerances towards the material the cutter is blocked.
            let q = [p[0] - d[1] / l * 2.0 * TOL, p[1] + d[0] / l * 2.0 * TOL];
            assert!(
                cl(q[0], q[1]) > z,
                "{what}: floating at {p:?} (free at {q:?})"
            );
            // Every tenth point again against a scan of every triangle (no index).
            if k % 10 == 0 {
                let brute = Index::drop_cutter_brute_force(model.mesh(), c, p[0], p[1])
                    .unwrap_or(floor)
                    .max(floor);
                assert!(
                    (brute - h).abs() < 1e-9,
                    "{what}: index {h} vs brute force {brute}"
                );
            }
        }
    }
}

fn radii(cs: &[Contour], c: [f64; 2]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi: f64 = 0.0;
    for ct in cs {
        for p in &ct.points {
            let r = (p[0] - c[0]).hypot(p[1] - c[1]);
            lo = lo.min(r);
            hi = hi.max(r);
        }
    }
    (lo, hi)
}

#[test]
fn cylinder_sections_for_every_cutter() {
    // A 256-sided prism: its facets are within 20 * (1 - cos(pi/256)) = 0.0015 of the circle.
    let rc = 20.0;
    let m = model(demo::cylinder(50.0, 50.0, rc as f32, 0.0, 30.0, 256));
    for (name, c) in cutters() {
        for &z in &[5.0, 15.0, 29.5] {
            let cs = loops(&m, &c, z, 0.5);
            assert_eq!(cs.len(), 1, "{name} z {z}: {} loops", cs.len());
            assert!(cs[0].closed);
            assert_at_contact(&m, &c, z, &cs, name);
            // Below the top minus the profile's full height the cutter's side (radius R)
            // meets the wall; above it the profile meets the top edge at h(r) = 30 - z.
            let dz = 30.0 - z;
            let r = if dz >= c.profile(c.radius()) {
                c.radius()
            } else {
                // invert the profile by bisection
                let (mut lo, mut hi) = (0.0, c.radius());
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if c.profile(mid) < dz {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                lo
            };
            let want = rc + r;
            let (lo, hi) = radii(&cs, [50.0, 50.0]);
            assert!(
                lo > want - 0.003 - 2.0 * TOL && hi < want + 2.0 * TOL,
                "{name} z {z}: radii {lo}..{hi}, expected {want}"
            );
            // Counter-clockwise around the island: the contours' own orientation, the model on
            // their left (climb runs them backwards).
            let area: f64 = cs[0]
                .points
                .iter()
                .zip(cs[0].points.iter().cycle().skip(1))
                .map(|(a, b)| a[0] * b[1] - b[0] * a[1])
                .sum();
            assert!(area > 0.0, "{name}: island loop must be counter-clockwise");
        }
    }
}

#[test]
fn sphere_sections_for_every_cutter() {
    let (rs, cz) = (15.0, 20.0);
    let m = model(demo::sphere([50.0, 50.0, cz as f32], rs as f32, 256));
    // UV sphere of 256 segments: facets sit up to rs * (1 - cos(pi/128)) = 0.0045 inside.
    let facet = 0.0046;
    for &z in &[8.0, 20.0, 26.0, 31.0] {
        let ball = Cutter::ball(6.0).unwrap();
        let cs = loops(&m, &ball, z, 0.5);
        assert_at_contact(&m, &ball, z, &cs, "ball");
        let dz = z + 3.0 - cz;
        let want = if dz > 0.0 {
            ((rs + 3.0) * (rs + 3.0) - dz * dz).sqrt()
        } else {
            rs + 3.0 // below the equator the widest section decides: a 3-axis tool
        };
        let (lo, hi) = radii(&cs, [50.0, 50.0]);
        assert!(
            lo > want - facet * 1.3 - 2.0 * TOL && hi < want + 2.0 * TOL,
            "ball z {z}: radii {lo}..{hi}, expected {want}"
        );

        let flat = Cutter::flat(6.0).unwrap();
        let cs = loops(&m, &flat, z, 0.5);
        assert_at_contact(&m, &flat, z, &cs, "flat");
        let want = if z > cz {
            (rs * rs - (z - cz) * (z - cz)).sqrt() + 3.0
        } else {
            rs + 3.0
        };
        let (lo, hi) = radii(&cs, [50.0, 50.0]);
        assert!(
            lo > want - 0.05 && hi < want + 2.0 * TOL,
            "flat z {z}: radii {lo}..{hi}, expected {want}"
        );

        // Bull (torus c = 1.5 round a ring of radius a = 1.5) and cone (90°): the contact
        // normal n on the sphere puts the sphere's centre at distance rs from the point of
        // the cutter touching it. For the bull, the torus's tube centre is at rs + c from
        // the sphere's centre, horizontally a + sqrt((rs + c)² - (z + c - cz)²) from the
        // axis while the tube centre stays above the equator; below it the widest section
        // decides (rs + R). The cone touches where its flank is tangent: distance from the
        // sphere's centre to the flank line equals rs.
        let bull = Cutter::bull(6.0, 1.5).unwrap();
        let cs = loops(&m, &bull, z, 0.5);
        assert_at_contact(&m, &bull, z, &cs, "bull");
        let dzb = z + 1.5 - cz;
        let want = if dzb > 0.0 {
            1.5 + ((rs + 1.5) * (rs + 1.5) - dzb * dzb).sqrt()
        } else {
            rs + 3.0
        };
        let (lo, hi) = radii(&cs, [50.0, 50.0]);
        assert!(
            lo > want - facet * 1.3 - 2.0 * TOL && hi < want + 2.0 * TOL,
            "bull z {z}: radii {lo}..{hi}, expected {want}"
        );

        let cone = Cutter::cone(6.0, 90.0).unwrap();
        let cs = loops(&m, &cone, z, 0.5);
        assert_at_contact(&m, &cone, z, &cs, "cone");
        // 90° cone, tip at (x, z) in the plane through both axes: its flank facing the
        // sphere is the line x' + z' = x + z, tangent to the sphere (centre (0, cz)) when
        // x + z - cz = rs sqrt 2; the tangent point (rs / sqrt 2, cz + rs / sqrt 2) is on the
        // flank if its distance t from the cutter's axis is within 0..R. Otherwise the apex
        // (t < 0) or the rim at height z + R (t > R; below the equator the shank meets the
        // widest section, rs + R) touches.
        let x_flank = cz + rs * 2f64.sqrt() - z;
        let t = x_flank - rs / 2f64.sqrt();
        let want = if (0.0..=3.0).contains(&t) {
            x_flank
        } else if t < 0.0 {
            (rs * rs - (z - cz) * (z - cz)).max(0.0).sqrt()
        } else if z + 3.0 > cz {
            3.0 + (rs * rs - (z + 3.0 - cz) * (z + 3.0 - cz)).max(0.0).sqrt()
        } else {
            rs + 3.0
        };
        if want.is_finite() {
            let (lo, hi) = radii(&cs, [50.0, 50.0]);
            assert!(
                lo > want - 0.01 - 2.0 * TOL && hi < want + 2.0 * TOL,
                "cone z {z}: radii {lo}..{hi}, expected {want}"
            );
        }
    }
}

#[test]
fn box_offset_is_a_rounded_rectangle() {
    let m = model(demo::cuboid([20.0, 30.0, 0.0], [60.0, 50.0, 10.0]));
    for (name, c) in cutters() {
        let cs = loops(&m, &c, 4.0, 0.5);
        assert_eq!(cs.len(), 1, "{name}");
        assert_at_contact(&m, &c, 4.0, &cs, name);
        for p in &cs[0].points {
            // Distance from the rectangle must be R.
            let dx = (20.0 - p[0]).max(p[0] - 60.0).max(0.0);
            let dy = (30.0 - p[1]).max(p[1] - 50.0).max(0.0);
            let d = dx.hypot(dy);
            assert!(
                (d - c.radius()).abs() < 2.0 * TOL,
                "{name}: point {p:?} is {d} from the box, expected {}",
                c.radius()
            );
        }
    }
}

#[test]
fn loops_never_pass_under_an_overhang() {
    // A mushroom: a thin stem (radius 4, to z 10) under a wide cap (radius 15, z 10..14).
    let m = model(Mesh::merged(&[
        demo::cylinder(50.0, 50.0, 4.0, 0.0, 10.0, 64),
        demo::cylinder(50.0, 50.0, 15.0, 10.0, 14.0, 128),
    ]));
    for (name, c) in cutters() {
        // At z 5 the stem is the section, but a 3-axis tool is stopped by the cap: the loop
        // is the cap's outline offset by R, never around the stem.
        let cs = loops(&m, &c, 5.0, 0.5);
        assert_eq!(cs.len(), 1, "{name}");
        assert_at_contact(&m, &c, 5.0, &cs, name);
        let (lo, _) = radii(&cs, [50.0, 50.0]);
        assert!(
            lo > 15.0 + c.radius() - 0.05,
            "{name}: loop at radius {lo} is under the cap"
        );
    }
}

#[test]
fn waterline_job_through_rs274() {
    let Some(rs) = common::rs274::available() else {
        return;
    };
    let m = model(Mesh::merged(&[
        demo::cylinder(30.0, 30.0, 10.0, 0.0, 12.0, 96),
        demo::sphere([60.0, 40.0, 5.0], 9.0, 64),
    ]));
    for kind in [
        ToolKind::Flat,
        ToolKind::Ball,
        ToolKind::Bull,
        ToolKind::Cone,
    ] {
        let mut job = Job::default();
        job.tool.kind = kind;
        job.strategy = StrategySpec::Waterline(WaterlineSpec {
            stepdown: 2.0,
            ..WaterlineSpec::default()
        });
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        let run = common::rs274::run(&rs, &out.gcode).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(run.program_ended);
        // Every cutting move is at one of the levels, at the contact or in free space.
        let c = job.tool.cutter().unwrap();
        let floor = m.mesh().bounds().min[2] as f64;
        for mv in run
            .moves
            .iter()
            .filter(|mv| mv.kind == common::rs274::Kind::Feed)
        {
            let cl = common::drop_within_rounding(&m, &c, mv.xyz[0], mv.xyz[1], floor);
            assert!(
                cl <= mv.xyz[2] + 0.002,
                "{kind:?}: gouge at {:?} (cl {cl})",
                mv.xyz
            );
        }
    }
}

#[test]
fn cancel_stops_waterline() {
    let m = model(demo::terrain(60));
    let job = Job {
        strategy: StrategySpec::Waterline(WaterlineSpec::default()),
        ..Job::default()
    };
    let mut calls = 0;
    let r = engine::generate(&m, &job, &mut |_| {
        calls += 1;
        calls < 3
    });
    assert!(matches!(r, Err(engine::EngineError::Cancelled)));
}

/// Between two loop points the chord stays within the tolerance of the true boundary: at
/// each chord's midpoint, the boundary (searched along the chord's normal with the
/// drop-cutter) is within the tolerance, on a curved relief, for every cutter.
#[test]
fn chords_follow_the_boundary_within_the_tolerance() {
    let m = model(demo::terrain(60));
    let floor = m.mesh().bounds().min[2] as f64;
    for (name, c) in cutters() {
        for &z in &[9.0, 12.0, 15.0] {
            let cs = loops(&m, &c, z, 0.5);
            let cl = |x: f64, y: f64| {
                m.index()
                    .drop_cutter(m.mesh(), &c, x, y)
                    .unwrap_or(floor)
                    .max(floor)
            };
            let mut worst: f64 = 0.0;
            for ct in &cs {
                let n = ct.points.len();
                let segs = if ct.closed { n } else { n - 1 };
                for k in 0..segs {
                    let (a, b) = (ct.points[k], ct.points[(k + 1) % n]);
                    let d = [b[0] - a[0], b[1] - a[1]];
                    let l = d[0].hypot(d[1]);
                    if l < 1e-6 {
                        continue;
                    }
                    let nrm = [-d[1] / l, d[0] / l];
                    let mid = [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])];
                    // Distance to the boundary along the normal, up to 3 tolerances away.
                    let at = |t: f64| cl(mid[0] + nrm[0] * t, mid[1] + nrm[1] * t) > z;
                    let blocked_mid = at(0.0);
                    let mut dist = f64::INFINITY;
                    for i in 1..=60 {
                        let t = i as f64 * 0.0005;
                        if at(t) != blocked_mid || at(-t) != blocked_mid {
                            dist = t;
                            break;
                        }
                    }
                    worst = worst.max(dist);
                }
            }
            assert!(
                worst <= TOL,
                "{name} z {z}: a chord is {worst} from the boundary (tolerance {TOL})"
            );
        }
    }
}

/// A level at a flat's height (a box standing on a slab, the slab's top at a round Z that
/// the stepdown lands on): the level's boundary is where the box's walls rise, a loop per
/// level round the box, not noise all over the flat (which was 228,488 points and 50 m of
/// feed for this part before the levels were lifted an eighth of the tolerance).
#[test]
fn a_level_at_a_flats_height_finds_only_the_walls() {
    let m = model(Mesh::merged(&[
        demo::cuboid([0.0, 0.0, 0.0], [60.0, 60.0, 5.0]),
        demo::cuboid([20.0, 20.0, 5.0], [40.0, 40.0, 15.0]),
    ]));
    for kind in [
        ToolKind::Ball,
        ToolKind::Flat,
        ToolKind::Bull,
        ToolKind::Cone,
    ] {
        let mut job = Job {
            strategy: StrategySpec::Waterline(WaterlineSpec {
                stepdown: 1.0,
                ..WaterlineSpec::default()
            }),
            ..Job::default()
        };
        job.tool.kind = kind;
        job.tool.diameter = 6.0;
        job.machine.arc_fitting = false;
        let out = engine::generate(&m, &job, &mut |_| true).unwrap();
        // A loop round the box (26 a side at most) at each of the 11 levels from 15 to 5,
        // and round the slab (66 a side) at each of the 6 from 5 to 0.
        let s = &out.summary;
        assert!(
            s.feed_length < 1.2 * (11.0 * 4.0 * 26.0 + 6.0 * 4.0 * 66.0),
            "{kind:?}: {:.0} mm of feed, {} points",
            s.feed_length,
            s.points
        );
        assert!(s.points < 20_000, "{kind:?}: {} points", s.points);
    }
}

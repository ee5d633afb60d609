//! Profiles against answers known in closed form: the tool centre runs exactly the cutter
//! radius (plus the allowance) from the line, straight edges stay straight and corners and
//! circles become true arcs; tabs come in the number and height asked, never on a corner;
//! the tool never enters the part along any move; programs run through LinuxCNC's `rs274`.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::drawing::{import, Drawing, ImportOptions};
use swarf::engine::{generate_drawing, place_drawing, Output};
use swarf::geom::DVec2;
use swarf::job::{
    Job, Milling, Operation, PocketSpec, ProfileSpec, Side, StrategySpec, ToolKind, ToolSpec,
};
use swarf::post::Dialect;
use swarf::toolpath::{Move, Step};

fn svg(body: &str) -> Drawing {
    let text = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="200mm" height="100mm" viewBox="0 0 200 100">{body}</svg>"#
    );
    import(text.as_bytes(), &ImportOptions::default()).unwrap()
}

fn job(spec: ProfileSpec, d: f64) -> Job {
    Job {
        tool: ToolSpec {
            kind: ToolKind::Flat,
            diameter: d,
            ..ToolSpec::default()
        },
        strategy: StrategySpec::Profile(spec),
        ..Job::default()
    }
}

fn run(d: &Drawing, j: &Job) -> Output {
    let mut d = d.clone();
    place_drawing(&mut d, j).unwrap();
    generate_drawing(&d, j, &mut |_| true).unwrap_or_else(|e| panic!("{e}"))
}

/// The drawing's closed paths flattened very finely (for brute-force distances).
fn boundary(d: &Drawing) -> Vec<Vec<DVec2>> {
    d.shapes
        .iter()
        .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes))
        .map(|p| {
            let mut v = p.flatten(1e-5);
            v.push(v[0]);
            v
        })
        .collect()
}

fn dist(b: &[Vec<DVec2>], q: DVec2) -> f64 {
    let mut best = f64::INFINITY;
    for l in b {
        for w in l.windows(2) {
            let (a, c) = (w[0], w[1]);
            let e = c - a;
            let t = ((q - a).dot(e) / e.length_squared().max(1e-300)).clamp(0.0, 1.0);
            best = best.min(q.distance(a + e * t));
        }
    }
    best
}

/// Inside the part (even-odd over all closed paths).
fn inside(b: &[Vec<DVec2>], q: DVec2) -> bool {
    let mut c = false;
    for l in b {
        for w in l.windows(2) {
            let (a, e) = (w[0], w[1]);
            if (a.y > q.y) != (e.y > q.y) && q.x < a.x + (q.y - a.y) / (e.y - a.y) * (e.x - a.x) {
                c = !c;
            }
        }
    }
    c
}

/// Every cutting move (not rapids, not vertical plunges) sampled along its length.
fn cut_samples(o: &Output, n: usize) -> Vec<([f64; 3], Step)> {
    let mut out = Vec::new();
    for s in o.toolpath.steps() {
        if s.kind == Move::Rapid || s.kind == Move::Plunge {
            continue;
        }
        if (s.from[0] - s.to[0]).abs() < 1e-9 && (s.from[1] - s.to[1]).abs() < 1e-9 {
            continue;
        }
        for i in 0..=n {
            out.push((s.at(i as f64 / n as f64), s));
        }
    }
    out
}

/// Checks that at the final depth the tool centre is exactly `off` from the line on the
/// right side, and that no move anywhere brings the tool into the part (outside) or out of
/// the opening (inside) — measured along every move, not only at its points.
fn check_offsets(d: &Drawing, o: &Output, side: Side, off: f64, r: f64, bottom: f64) {
    check_offsets_among(d, o, side, &[off], r, bottom)
}

/// As [`check_offsets`], the bottom passes at any of `offs`.
fn check_offsets_among(d: &Drawing, o: &Output, side: Side, offs: &[f64], r: f64, bottom: f64) {
    let b = boundary(d);
    let mut at_bottom = 0;
    for (p, s) in cut_samples(o, 24) {
        let q = DVec2::new(p[0], p[1]);
        let dd = dist(&b, q);
        let ins = inside(&b, q);
        match side {
            Side::Outside => assert!(
                !ins && dd >= r - 2e-5,
                "tool enters the part at {p:?} ({dd})"
            ),
            Side::Inside => assert!(
                ins && dd >= r - 2e-5,
                "tool leaves the opening at {p:?} ({dd})"
            ),
            Side::On => assert!(dd <= 2e-5, "off the line at {p:?}"),
        }
        let on_wall = (p[2] - bottom).abs() < 1e-6 && (s.from[2] - bottom).abs() < 1e-6;
        let off_wall = offs.iter().all(|off| (dd - off).abs() > 2e-5);
        if on_wall && off_wall {
            // Only lead arcs may leave the wall at the bottom.
            assert!(
                s.arc.is_some(),
                "at {p:?} the centre is {dd} from the line, want {offs:?}"
            );
        } else if on_wall {
            at_bottom += 1;
        }
    }
    assert!(at_bottom > 0, "no cut at the bottom");
}

#[test]
fn rectangle_outside_has_arc_corners_radius_r() {
    let d = svg(r#"<rect x="20" y="20" width="40" height="20"/>"#);
    let spec = ProfileSpec {
        depth: 3.0,
        stepdown: 3.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 6.0));
    check_offsets(&d, &o, Side::Outside, 3.0, 3.0, -3.0);
    // One pass: four corner arcs of radius 3 round the corners, nothing else curved.
    let arcs: Vec<Step> = o.toolpath.steps().filter(|s| s.arc.is_some()).collect();
    assert_eq!(arcs.len(), 4);
    let corners = [(20.0, 80.0), (60.0, 80.0), (60.0, 60.0), (20.0, 60.0)];
    let _ = corners;
    for a in &arcs {
        let (c, sweep) = a.arc.unwrap();
        let r = (a.from[0] - c[0]).hypot(a.from[1] - c[1]);
        assert!((r - 3.0).abs() < 1e-5, "corner radius {r}");
        assert!((sweep.abs() - std::f64::consts::FRAC_PI_2).abs() < 1e-6);
        // Climb outside runs clockwise.
        assert!(sweep < 0.0);
        let on_corner = [(20.0, 60.0), (60.0, 60.0), (60.0, 80.0), (20.0, 80.0)]
            .iter()
            .any(|&(x, y)| (c[0] - x).abs() < 1e-5 && (c[1] - y).abs() < 1e-5);
        assert!(on_corner, "arc centre {c:?} is not a corner");
    }
    assert!(o.gcode.contains("G2"));
}

#[test]
fn circle_inside_is_one_circle_of_r_minus_tool() {
    let d = svg(r#"<circle cx="100" cy="50" r="10"/>"#);
    let spec = ProfileSpec {
        side: Side::Inside,
        depth: 2.0,
        stepdown: 1.0,
        allowance: 0.5,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 4.0));
    check_offsets(&d, &o, Side::Inside, 2.5, 2.0, -2.0);
    for s in o.toolpath.steps().filter(|s| s.kind == Move::Feed) {
        let moved = (s.from[0] - s.to[0]).hypot(s.from[1] - s.to[1]);
        assert!(moved < 1e-9, "a straight sideways move on a circle: {s:?}");
    }
    for s in o.toolpath.steps().filter(|s| s.arc.is_some()) {
        let (c, sweep) = s.arc.unwrap();
        // usvg reads in f32: the centre is exact to its precision.
        assert!((c[0] - 100.0).abs() < 1e-5 && (c[1] - 50.0).abs() < 1e-5);
        assert!(((s.to[0] - c[0]).hypot(s.to[1] - c[1]) - 7.5).abs() < 1e-5);
        // Climb inside runs counter-clockwise.
        assert!(sweep > 0.0);
    }
}

#[test]
fn slot_outside_with_allowance_and_conventional() {
    // A 30 × 10 slot: two half circles of radius 5 joined by straight sides.
    let d = svg(r#"<path d="M 60 45 H 90 A 5 5 0 0 1 90 55 H 60 A 5 5 0 0 1 60 45 Z"/>"#);
    let spec = ProfileSpec {
        depth: 1.0,
        stepdown: 1.0,
        allowance: 0.25,
        milling: Milling::Conventional,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 3.0));
    check_offsets(&d, &o, Side::Outside, 1.75, 1.5, -1.0);
    let arcs: Vec<Step> = o.toolpath.steps().filter(|s| s.arc.is_some()).collect();
    assert_eq!(arcs.len(), 2, "the two ends stay two arcs");
    for a in arcs {
        let (c, sweep) = a.arc.unwrap();
        assert!(((a.to[0] - c[0]).hypot(a.to[1] - c[1]) - 6.75).abs() < 1e-5);
        assert!(sweep > 0.0, "conventional outside runs counter-clockwise");
    }
}

#[test]
fn parts_closer_than_the_tool_are_not_gouged() {
    // Two plates 2 mm apart and a 3 mm cutter: the grown outlines merge.
    let d = svg(
        r#"<rect x="10" y="10" width="30" height="30"/><rect x="42" y="10" width="30" height="30"/>"#,
    );
    let spec = ProfileSpec {
        depth: 1.0,
        stepdown: 1.0,
        lead: 2.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 3.0));
    check_offsets(&d, &o, Side::Outside, 1.5, 1.5, -1.0);
}

/// The raised spans of the passes at `z`: (start point, end point, length along the path).
fn tab_spans(o: &Output, z: f64, tab_top: f64) -> Vec<(DVec2, DVec2, f64)> {
    let mut spans = Vec::new();
    let mut cur: Option<(DVec2, f64)> = None;
    let mut pass = false;
    for s in o.toolpath.steps() {
        if s.kind == Move::Plunge && cur.is_none() {
            pass = (s.to[2] - z).abs() < 1e-6;
        }
        if !pass {
            continue;
        }
        let up = (s.to[2] - tab_top).abs() < 1e-6 && (s.from[2] - tab_top).abs() < 1e-6;
        if up {
            let start = cur.map_or(DVec2::new(s.from[0], s.from[1]), |c| c.0);
            let len = cur.map_or(0.0, |c| c.1) + s.length();
            cur = Some((start, len));
        } else if let Some((a, len)) = cur.take() {
            spans.push((a, DVec2::new(s.from[0], s.from[1]), len));
        }
        if s.kind == Move::Rapid {
            pass = false;
        }
    }
    spans
}

#[test]
fn tabs_come_in_the_count_and_height_asked_and_off_corners() {
    let d = svg(r#"<rect x="20" y="20" width="60" height="30"/>"#);
    let spec = ProfileSpec {
        depth: 3.0,
        stepdown: 1.0,
        tabs: 4,
        tab_width: 5.0,
        tab_height: 1.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec.clone(), 3.0));
    check_offsets(&d, &o, Side::Outside, 1.5, 1.5, -3.0);
    // Only the last pass is below the tabs' top (-2): four spans 5 + 3 long at Z -2.
    let spans = tab_spans(&o, -3.0, -2.0);
    assert_eq!(spans.len(), 4, "{spans:?}");
    for (a, b, len) in &spans {
        assert!((len - 8.0).abs() < 1e-4, "span length {len}");
        // On a straight side: both ends 1.5 from the same side, no corner within a radius.
        for p in [a, b] {
            let near_corner = [(20.0, 30.0), (80.0, 30.0), (80.0, 60.0), (20.0, 60.0)]
                .iter()
                .any(|&(x, y)| p.distance(DVec2::new(x, y)) < 1.5 * 2f64.sqrt() + 1.5);
            assert!(!near_corner, "tab end {p:?} at a corner");
        }
    }
    let lowest_tab = o
        .toolpath
        .steps()
        .filter(|s| s.kind != Move::Rapid)
        .map(|s| s.to[2])
        .fold(f64::INFINITY, f64::min);
    assert!((lowest_tab + 3.0).abs() < 1e-6, "cuts to the depth");
    // The upper passes have no tabs.
    assert!(tab_spans(&o, -1.0, -2.0).is_empty());
    // By spacing: the tool centre's loop is 2 (60 + 30) + 3π ≈ 189.4 long; tabs at least 50
    // apart: 3.
    let by_spacing = ProfileSpec {
        tabs: 0,
        tab_spacing: Some(50.0),
        ..spec
    };
    let o = run(&d, &job(by_spacing, 3.0));
    assert_eq!(tab_spans(&o, -3.0, -2.0).len(), 3);
}

#[test]
fn finishing_pass_and_inside_with_island() {
    let d =
        svg(r#"<path d="M 10 10 H 70 V 60 H 10 Z M 30 25 H 50 V 45 H 30 Z" fill-rule="evenodd"/>"#);
    let spec = ProfileSpec {
        side: Side::Inside,
        depth: 2.0,
        stepdown: 1.0,
        finish: 0.3,
        lead: 1.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 3.0));
    // Roughing leaves 0.3; the finishing pass runs at exactly the radius.
    check_offsets_among(&d, &o, Side::Inside, &[1.5, 1.8], 1.5, -2.0);
    let bottom_offsets: Vec<f64> = cut_samples(&o, 4)
        .into_iter()
        .filter(|(p, s)| (p[2] + 2.0).abs() < 1e-6 && s.arc.is_none())
        .map(|(p, _)| dist(&boundary(&d), DVec2::new(p[0], p[1])))
        .collect();
    assert!(
        bottom_offsets.iter().any(|&x| (x - 1.8).abs() < 1e-4),
        "no roughing pass at the bottom"
    );
    assert!(
        bottom_offsets.iter().any(|&x| (x - 1.5).abs() < 1e-4),
        "no finishing pass"
    );
}

#[test]
fn profile_on_the_line_follows_it() {
    let d = svg(r#"<rect x="20" y="20" width="10" height="10"/><circle cx="60" cy="50" r="5"/>"#);
    let spec = ProfileSpec {
        side: Side::On,
        depth: 0.5,
        stepdown: 1.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 1.0));
    check_offsets(&d, &o, Side::On, 0.0, 0.5, -0.5);
}

#[test]
fn programs_with_tabs_and_leads_run_through_rs274() {
    let d = svg(
        r#"<path d="M 10 10 H 90 V 60 H 10 Z M 30 25 A 8 8 0 0 1 46 25 V 40 H 30 Z" fill-rule="evenodd"/><circle cx="150" cy="50" r="20"/>"#,
    );
    for dialect in [Dialect::Linuxcnc, Dialect::Grbl] {
        for side in [Side::Outside, Side::Inside] {
            let mut j = job(
                ProfileSpec {
                    side,
                    depth: 4.0,
                    stepdown: 1.5,
                    tabs: 3,
                    tab_width: 4.0,
                    tab_height: 1.5,
                    lead: 2.0,
                    finish: 0.2,
                    ..ProfileSpec::default()
                },
                3.175,
            );
            j.machine.dialect = dialect;
            let o = run(&d, &j);
            assert!(
                o.gcode.contains("G2") && o.gcode.contains("G3"),
                "{}",
                o.gcode
            );
            if let Some(bin) = common::rs274::available() {
                let r = common::rs274::run(&bin, &o.gcode)
                    .unwrap_or_else(|e| panic!("{dialect:?} {side:?}: {e}\n{}", o.gcode));
                assert!(r.program_ended);
                assert!(r.moves.iter().any(|m| m.kind == common::rs274::Kind::Arc));
            }
        }
    }
}

#[test]
fn engrave_pocket_then_profile_with_tabs_in_one_program() {
    let d = svg(
        r#"<rect x="20" y="20" width="40" height="20"/><path d="M 25 30 L 55 30" fill="none" stroke="black"/>"#,
    );
    let j = Job {
        operations: vec![
            Operation {
                tool: ToolSpec {
                    kind: ToolKind::Cone,
                    diameter: 3.0,
                    angle: 60.0,
                    number: 2,
                    ..ToolSpec::default()
                },
                strategy: StrategySpec::Engrave(Default::default()),
                ..Default::default()
            },
            Operation {
                tool: ToolSpec {
                    kind: ToolKind::Flat,
                    diameter: 2.0,
                    number: 3,
                    ..ToolSpec::default()
                },
                strategy: StrategySpec::Pocket(PocketSpec {
                    depth: 1.0,
                    ..PocketSpec::default()
                }),
                ..Default::default()
            },
            Operation {
                tool: ToolSpec {
                    kind: ToolKind::Flat,
                    diameter: 3.0,
                    number: 1,
                    ..ToolSpec::default()
                },
                strategy: StrategySpec::Profile(ProfileSpec {
                    tabs: 2,
                    ..ProfileSpec::default()
                }),
                ..Default::default()
            },
        ],
        ..Job::default()
    };
    let o = run(&d, &j);
    assert!(o.nothing_cut.is_empty(), "{:?}", o.nothing_cut);
    let t2 = o.gcode.find("T2 M6").expect("engraving tool");
    let t3 = o.gcode.find("T3 M6").expect("pocket tool");
    let t1 = o.gcode.find("T1 M6").expect("profile tool");
    assert!(t2 < t3 && t3 < t1);
    // The pocket's helix and the profile's corners are arcs.
    assert!(o.gcode[t3..t1].contains("G3") || o.gcode[t3..t1].contains("G2"));
    if let Some(bin) = common::rs274::available() {
        let r = common::rs274::run(&bin, &o.gcode).unwrap();
        assert_eq!(r.tools_selected, vec![2, 3, 1]);
    }
}

#[test]
fn bad_profile_values_name_the_field() {
    let d = svg(r#"<rect x="20" y="20" width="40" height="20"/>"#);
    let cases: Vec<(ProfileSpec, &str)> = vec![
        (
            ProfileSpec {
                depth: -1.0,
                ..ProfileSpec::default()
            },
            "strategy.depth",
        ),
        (
            ProfileSpec {
                tabs: 2,
                tab_height: 5.0,
                ..ProfileSpec::default()
            },
            "strategy.tab_height",
        ),
        (
            ProfileSpec {
                tab_spacing: Some(4.0),
                ..ProfileSpec::default()
            },
            "strategy.tab_spacing",
        ),
        (
            ProfileSpec {
                stepdown: f64::NAN,
                ..ProfileSpec::default()
            },
            "strategy.stepdown",
        ),
    ];
    for (spec, field) in cases {
        let j = job(spec, 3.0);
        let mut dd = d.clone();
        place_drawing(&mut dd, &j).unwrap();
        let e = generate_drawing(&dd, &j, &mut |_| true)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(field), "{e}");
    }
    // A 3D strategy on a drawing is refused by name.
    let j = Job::default();
    let e = generate_drawing(&d, &j, &mut |_| true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("strategy.type") && e.contains("parallel"), "{e}");
}

#[test]
fn a_large_merged_group_is_offset_robustly() {
    // 300 squares 1 mm apart and a 3 mm cutter: one grown region of 300 parts, which is
    // offset by i_overlay (arcs flattened within 2 µm) rather than cavalier_contours.
    let mut body = String::new();
    for i in 0..300 {
        let (x, y) = (5.0 + (i % 20) as f64 * 4.0, 5.0 + (i / 20) as f64 * 4.0);
        body.push_str(&format!(r#"<rect x="{x}" y="{y}" width="3" height="3"/>"#));
    }
    let d = svg(&body);
    let spec = ProfileSpec {
        depth: 1.0,
        stepdown: 1.0,
        ..ProfileSpec::default()
    };
    let o = run(&d, &job(spec, 3.0));
    let b = boundary(&d);
    let mut samples = 0;
    for (p, _) in cut_samples(&o, 4) {
        let q = DVec2::new(p[0], p[1]);
        assert!(!inside(&b, q), "inside a part at {p:?}");
        let dd = dist(&b, q);
        assert!(dd >= 1.5 - 0.0021, "the tool enters a part at {p:?} ({dd})");
        assert!(
            dd <= 1.5 + 0.0021,
            "the outline strays from the parts at {p:?} ({dd})"
        );
        samples += 1;
    }
    assert!(samples > 100);
}

//! Engraving: the tool centre on the drawing's lines, every pass no deeper than the
//! stepdown, arcs as arcs, open paths cut back and forth without lifting.
#![allow(clippy::disallowed_methods)] // references computed with std maths

mod common;

use swarf::drawing::{import, ImportOptions};
use swarf::engine::generate_drawing;
use swarf::job::{EngraveSpec, Job, StrategySpec, ToolKind, ToolSpec};
use swarf::toolpath::Move;

#[test]
fn engraving_follows_the_lines_in_passes() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100mm" height="50mm" viewBox="0 0 100 50">
      <circle cx="20" cy="25" r="10"/>
      <path d="M40 10 L60 40 L80 10" fill="none" stroke="black"/></svg>"#;
    let d = import(svg.as_bytes(), &ImportOptions::default()).unwrap();
    let job = Job {
        tool: ToolSpec {
            kind: ToolKind::Cone,
            diameter: 3.0,
            angle: 90.0,
            ..ToolSpec::default()
        },
        strategy: StrategySpec::Engrave(EngraveSpec {
            depth: 1.0,
            stepdown: 0.4,
            z_top: Some(2.0),
        }),
        ..Job::default()
    };
    let o = generate_drawing(&d, &job, &mut |_| true).unwrap();
    // Three passes (0.333 each) from the top at Z 2 down to Z 1.
    let mut zs: Vec<f64> = o
        .toolpath
        .steps()
        .filter(|s| s.kind != Move::Rapid)
        .map(|s| (s.to[2] * 1e4).round() / 1e4)
        .collect();
    zs.sort_by(f64::total_cmp);
    zs.dedup();
    assert_eq!(zs, vec![1.0, 1.3333, 1.6667], "{zs:?}");
    // Every cutting move lies on the lines: on the circle or on the two strokes.
    let on_lines = |x: f64, y: f64| {
        let circle = ((x - 20.0).hypot(y - 25.0) - 10.0).abs();
        let seg = |ax: f64, ay: f64, bx: f64, by: f64| {
            let (ex, ey) = (bx - ax, by - ay);
            let t = (((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)).clamp(0.0, 1.0);
            (x - ax - t * ex).hypot(y - ay - t * ey)
        };
        circle
            .min(seg(40.0, 40.0, 60.0, 10.0))
            .min(seg(60.0, 10.0, 80.0, 40.0))
    };
    let mut arcs = 0;
    for s in o.toolpath.steps().filter(|s| s.kind != Move::Rapid) {
        arcs += s.arc.is_some() as usize;
        for i in 0..=16 {
            let p = s.at(i as f64 / 16.0);
            assert!(on_lines(p[0], p[1]) < 1e-4, "off the lines at {p:?}");
        }
    }
    // The circle: two half arcs a pass.
    assert_eq!(arcs, 6);
    // The open stroke is cut back and forth: one rapid descent for its three passes.
    let lifts = o
        .toolpath
        .steps()
        .filter(|s| s.kind == Move::Rapid && s.to[2] > s.from[2])
        .count();
    assert_eq!(lifts, 2, "one lift after each path");
    if let Some(bin) = common::rs274::available() {
        let r = common::rs274::run(&bin, &o.gcode).unwrap();
        assert!(r.moves.iter().any(|m| m.kind == common::rs274::Kind::Arc));
    }
}

//! Drawing import: files in the styles real editors write come in at the right size in mm,
//! Y up, with holes nested and arcs kept as arcs of exact centre and radius.

use swarf::drawing::{import, Drawing, DrawingError, ImportOptions, Path, Segment};
use swarf::geom::DVec2;

fn load(name: &str) -> Drawing {
    let bytes = std::fs::read(format!("tests/fixtures/drawing/{name}")).unwrap();
    import(&bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// The arcs of a path as (centre, radius).
fn arcs(p: &Path) -> Vec<(DVec2, f64)> {
    p.segments()
        .filter_map(|s| match s {
            Segment::Arc { centre, radius, .. } => Some((centre, radius)),
            Segment::Line { .. } => None,
        })
        .collect()
}

/// A path that is a whole circle of this centre and radius, within `tol`, made of arcs only.
fn is_circle(p: &Path, c: DVec2, r: f64, tol: f64) -> bool {
    let a = arcs(p);
    p.closed
        && !a.is_empty()
        && a.len() == p.segments().count()
        && a.iter()
            .all(|(cc, rr)| cc.distance(c) <= tol && close(*rr, r, tol))
        && close(
            p.signed_area().abs(),
            std::f64::consts::PI * r * r,
            tol * r * 10.0,
        )
}

#[test]
fn inkscape_mm_with_groups_transforms_use_and_evenodd() {
    let d = load("inkscape.svg");
    // plate (with its circular hole), the island in the hole, two dots outside it.
    assert_eq!(d.shapes.len(), 4, "{:#?}", d.shapes);
    let plate = d.shapes.iter().find(|s| !s.holes.is_empty()).unwrap();
    let b = plate.outline.bounds();
    // translate(10,5) scale(2) of a 40×20 rect on a 50 mm page, flipped: x 10..90, y 5..45.
    assert!(b.min.distance(DVec2::new(10.0, 5.0)) < 1e-4, "{b:?}");
    assert!(b.max.distance(DVec2::new(90.0, 45.0)) < 1e-4, "{b:?}");
    assert!(
        plate.outline.signed_area() > 0.0,
        "outline counter-clockwise"
    );
    assert_eq!(plate.holes.len(), 1);
    let hole = &plate.holes[0];
    assert!(hole.signed_area() < 0.0, "hole clockwise");
    assert!(
        is_circle(hole, DVec2::new(50.0, 25.0), 10.0, 1e-4),
        "{hole:?}"
    );
    // The `use`d dots: radius 2 about (4, 37), (94, 13) — Y up — and the island at (50, 25).
    for c in [
        DVec2::new(4.0, 37.0),
        DVec2::new(94.0, 13.0),
        DVec2::new(50.0, 25.0),
    ] {
        assert!(
            d.shapes
                .iter()
                .any(|s| s.holes.is_empty() && is_circle(&s.outline, c, 2.0, 1e-4)),
            "no dot at {c}"
        );
    }
    // The stroked wave is open; the invisible and hidden rectangles are gone.
    assert_eq!(d.open.len(), 1);
    let w = d.open[0].bounds();
    assert!(
        close(w.min.x, 10.0, 1e-4) && close(w.max.x, 50.0, 1e-4),
        "{w:?}"
    );
    let all = d.bounds().unwrap();
    assert!(all.max.x < 100.0 && all.max.y <= 50.0 + 1e-9, "{all:?}");
}

#[test]
fn illustrator_px_viewbox_nonzero_union_and_text_notice() {
    let d = load("illustrator.svg");
    // 96 px per inch: the 90×48 px rect is 23.8125 × 12.7 mm, at the top of a 25.4 mm page.
    assert_eq!(d.shapes.len(), 2, "{:#?}", d.shapes);
    let rect = d
        .shapes
        .iter()
        .find(|s| arcs(&s.outline).is_empty())
        .unwrap();
    let b = rect.outline.bounds();
    assert!(b.min.distance(DVec2::new(0.0, 12.7)) < 1e-4, "{b:?}");
    assert!(b.max.distance(DVec2::new(23.8125, 25.4)) < 1e-4, "{b:?}");
    // Two nonzero circles, the small inside the big: united, so one disk without a hole.
    let disk = d
        .shapes
        .iter()
        .find(|s| !arcs(&s.outline).is_empty())
        .unwrap();
    assert!(disk.holes.is_empty());
    assert!(
        is_circle(&disk.outline, DVec2::new(38.1, 12.7), 12.7, 1e-4),
        "{disk:?}"
    );
    assert!(
        d.notices.iter().any(|n| n.contains("text")),
        "{:?}",
        d.notices
    );
}

#[test]
fn dxf_loose_lines_bulges_circle_and_open_arc() {
    let d = load("loose.dxf");
    assert_eq!(d.shapes.len(), 1, "{:#?}", d.shapes);
    let s = &d.shapes[0];
    let b = s.outline.bounds();
    assert!(
        b.min.distance(DVec2::ZERO) < 1e-3 && b.max.distance(DVec2::new(100.0, 60.0)) < 1e-3,
        "{b:?}"
    );
    assert_eq!(
        s.outline.vertices.len(),
        4,
        "four loose lines joined into one rectangle"
    );
    assert_eq!(s.holes.len(), 2);
    let slot = s.holes.iter().find(|h| h.vertices.len() == 4).unwrap();
    let mut a = arcs(slot);
    a.sort_by(|x, y| x.0.x.total_cmp(&y.0.x));
    assert_eq!(a.len(), 2);
    assert!(a[0].0.distance(DVec2::new(30.0, 35.0)) < 1e-9 && close(a[0].1, 5.0, 1e-9));
    assert!(a[1].0.distance(DVec2::new(70.0, 35.0)) < 1e-9 && close(a[1].1, 5.0, 1e-9));
    assert!(close(
        slot.signed_area(),
        -(40.0 * 10.0 + 25.0 * std::f64::consts::PI),
        1e-9
    ));
    let circle = s.holes.iter().find(|h| h.vertices.len() == 2).unwrap();
    assert!(is_circle(circle, DVec2::new(85.0, 45.0), 5.0, 1e-9));
    // ARC + LINE joined into one open path; the TEXT is named in a notice.
    assert_eq!(d.open.len(), 1);
    let o = &d.open[0];
    assert_eq!(arcs(o).len(), 1);
    assert!(arcs(o)[0].0.distance(DVec2::new(150.0, 0.0)) < 1e-9);
    assert!(
        d.notices.iter().any(|n| n.contains("TEXT")),
        "{:?}",
        d.notices
    );
}

#[test]
fn dxf_inches_blocks_inserted_turned_and_scaled_and_a_spline() {
    let d = load("blocks.dxf");
    assert_eq!(d.shapes.len(), 1, "{:#?}", d.shapes);
    let s = &d.shapes[0];
    let b = s.outline.bounds();
    assert!(b.max.distance(DVec2::new(127.0, 76.2)) < 1e-9, "{b:?}");
    assert_eq!(s.holes.len(), 2);
    assert!(s
        .holes
        .iter()
        .any(|h| is_circle(h, DVec2::new(38.1, 25.4), 6.35, 1e-9)));
    // Inserted at (3,1), turned 90° and doubled: the block's (0.5, 0) lands at (3, 2) in.
    assert!(
        s.holes
            .iter()
            .any(|h| is_circle(h, DVec2::new(76.2, 50.8), 12.7, 1e-9)),
        "{:?}",
        s.holes
    );
    assert_eq!(d.open.len(), 1);
    let sp = &d.open[0];
    let first = sp.vertices[0].p;
    let last = sp.vertices[sp.vertices.len() - 1].p;
    assert!(
        first.distance(DVec2::new(152.4, 0.0)) < 1e-9
            && last.distance(DVec2::new(228.6, 0.0)) < 1e-9
    );
    // The cubic's midpoint: (7.5, 0) inches by symmetry.
    assert!(sp
        .vertices
        .iter()
        .any(|v| v.p.distance(DVec2::new(190.5, 0.0)) < 1e-6));
}

#[test]
fn bad_input_is_one_clear_line() {
    let opts = ImportOptions::default();
    let err = |b: &[u8]| {
        let e = import(b, &opts).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
        e
    };
    let e = err(b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><path d='M0 0 L 1 1'</svg>");
    assert!(
        matches!(e, DrawingError::Svg(_)) && e.to_string().contains("XML"),
        "{e}"
    );
    let e = err(b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='5' height='5' fill='none'/></svg>");
    assert!(matches!(e, DrawingError::NothingToCut(_)), "{e}");
    let e = err(b"<svg xmlns='http://www.w3.org/2000/svg' width='10000in' height='10000in' viewBox='0 0 10 10'><rect width='5' height='5'/></svg>");
    assert!(matches!(e, DrawingError::Size(_)), "{e}");
    let e = err(b"  0\nSECTION\n  2\nENTITIES\n  0\nCIRCLE\n  5\n2F\n  8\nCut\n 10\n1\n 20\n1\n 40\n0\n  0\nENDSEC\n  0\nEOF\n");
    assert!(
        e.to_string().contains("CIRCLE (handle 2F, layer \"Cut\")"),
        "{e}"
    );
    let e = err(b"  0\nSECTION\n  2\nENTITIES\n  0\nLINE\nten\n1\n  0\nENDSEC\n  0\nEOF\n");
    assert!(matches!(e, DrawingError::Dxf(_)), "{e}");
    let e = err(b"solid cube\nfacet normal 0 0 1\n");
    assert!(matches!(e, DrawingError::Format(_)), "{e}");
}

fn svg(body: &str, size: &str) -> Drawing {
    let s = format!("<svg xmlns='http://www.w3.org/2000/svg' {size}>{body}</svg>");
    import(s.as_bytes(), &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn unitless_sizes_are_px_and_curves_follow_the_tolerance() {
    // width="96" without a unit is 96 px = 1 inch; a rounded rectangle keeps its corners as
    // quarter arcs of the exact radius (4 px = 25.4/24 mm).
    let d = svg(
        "<rect x='0' y='0' width='96' height='48' rx='4'/>",
        "width='96' height='48'",
    );
    let o = &d.shapes[0].outline;
    let b = o.bounds();
    assert!(
        close(b.width(), 25.4, 1e-4) && close(b.height(), 12.7, 1e-4),
        "{b:?}"
    );
    let a = arcs(o);
    assert_eq!(a.len(), 4, "{o:?}");
    assert!(a.iter().all(|(_, r)| close(*r, 25.4 / 24.0, 1e-5)));
    // An ellipse is no arc: flattened within the tolerance of usvg's curves. usvg hands an
    // ellipse over as four cubics, themselves off the true ellipse by up to 2.7e-4 of its
    // radius (0.011 mm here), so that is the bound on top of the tolerance.
    let d = svg(
        "<ellipse cx='50' cy='50' rx='40' ry='20'/>",
        "width='100mm' height='100mm' viewBox='0 0 100 100'",
    );
    let o = &d.shapes[0].outline;
    assert!(arcs(o).is_empty());
    for v in &o.vertices {
        let q = (v.p - DVec2::new(50.0, 50.0)) / DVec2::new(40.0, 20.0);
        assert!(close(q.length(), 1.0, 3e-4), "{q}");
    }
    // Chord midpoints stay within the tolerance of the ellipse (checked on its radius field).
    let n = o.vertices.len();
    for i in 0..n {
        let m = (o.vertices[i].p + o.vertices[(i + 1) % n].p) * 0.5 - DVec2::new(50.0, 50.0);
        let on = m / DVec2::new(40.0, 20.0);
        assert!(
            (1.0 - on.length()) * 20.0 <= 0.01 + 40.0 * 2.8e-4,
            "chord {i} strays"
        );
    }
    assert!(d.notices.iter().any(|m| m.contains("flattened")));
}

#[test]
fn a_dense_drawing_reads_in_near_linear_time() {
    // 50 × 50 rings (a disk with a hole) on a grid: 2,500 outlines and 2,500 holes.
    let mut body = String::new();
    for i in 0..50 {
        for j in 0..50 {
            let (x, y) = (10 + 20 * i, 10 + 20 * j);
            body += &format!(
                "<path fill-rule='evenodd' d='M{} {y} a8 8 0 1 0 16 0 a8 8 0 1 0 -16 0 Z M{} {y} a4 4 0 1 0 8 0 a4 4 0 1 0 -8 0 Z'/>",
                x - 8,
                x - 4
            );
        }
    }
    let t = std::time::Instant::now();
    let d = svg(&body, "width='1000' height='1000'");
    assert_eq!(d.shapes.len(), 2500);
    assert_eq!(d.hole_count(), 2500);
    assert!(d
        .shapes
        .iter()
        .all(|s| arcs(&s.outline).len() == 2 && arcs(&s.holes[0]).len() == 2));
    eprintln!("2,500 rings in {:?}", t.elapsed());
}

#[test]
fn overlapping_fills_are_united() {
    // Two overlapping 10 × 10 squares in separate elements: one region of area 175 mm².
    let d = svg(
        "<rect x='0' y='0' width='10' height='10'/><rect x='5' y='5' width='10' height='10'/>",
        "width='20mm' height='20mm' viewBox='0 0 20 20'",
    );
    assert_eq!(d.shapes.len(), 1, "{:#?}", d.shapes);
    assert!(close(d.shapes[0].outline.signed_area(), 175.0, 1e-3));
    assert!(d.notices.iter().any(|n| n.contains("cross")));
}

/// A DXF body of entities with `$INSUNITS` millimetres.
fn dxf(entities: &str) -> Drawing {
    let s = format!(
        "  0\nSECTION\n  2\nHEADER\n  9\n$INSUNITS\n 70\n4\n  0\nENDSEC\n  0\nSECTION\n  2\nENTITIES\n{entities}  0\nENDSEC\n  0\nEOF\n"
    );
    import(s.as_bytes(), &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn dxf_circle(x: f64, y: f64, r: f64) -> String {
    format!("  0\nCIRCLE\n  8\n0\n 10\n{x}\n 20\n{y}\n 30\n0\n 40\n{r}\n")
}

#[test]
fn dxf_closed_paths_nest_even_odd() {
    // Three concentric circles and one apart: the middle is a hole, the smallest an island.
    let d = dxf(&(dxf_circle(0.0, 0.0, 30.0)
        + &dxf_circle(0.0, 0.0, 20.0)
        + &dxf_circle(0.0, 0.0, 10.0)
        + &dxf_circle(100.0, 0.0, 5.0)));
    assert_eq!(d.shapes.len(), 3);
    let ring = d.shapes.iter().find(|s| !s.holes.is_empty()).unwrap();
    assert!(is_circle(&ring.outline, DVec2::ZERO, 30.0, 1e-12));
    assert!(is_circle(&ring.holes[0], DVec2::ZERO, 20.0, 1e-12));
    assert!(d
        .shapes
        .iter()
        .any(|s| s.holes.is_empty() && is_circle(&s.outline, DVec2::ZERO, 10.0, 1e-12)));
}

#[test]
fn dxf_block_scaled_unevenly_turns_its_circle_into_an_ellipse() {
    let s = "  0\nSECTION\n  2\nBLOCKS\n  0\nBLOCK\n  8\n0\n  2\nB\n 70\n0\n 10\n0\n 20\n0\n 30\n0\n"
        .to_string()
        + &dxf_circle(0.0, 0.0, 1.0)
        + "  0\nENDBLK\n  8\n0\n  0\nENDSEC\n  0\nSECTION\n  2\nENTITIES\n  0\nINSERT\n  8\n0\n  2\nB\n 10\n50\n 20\n20\n 41\n20\n 42\n10\n  0\nENDSEC\n  0\nEOF\n";
    let d = import(s.as_bytes(), &ImportOptions::default()).unwrap();
    let o = &d.shapes[0].outline;
    assert!(arcs(o).is_empty());
    let b = o.bounds();
    assert!(
        b.min.distance(DVec2::new(30.0, 10.0)) < 1e-9
            && b.max.distance(DVec2::new(70.0, 30.0)) < 1e-9,
        "{b:?}"
    );
    for v in &o.vertices {
        let q = (v.p - DVec2::new(50.0, 20.0)) / DVec2::new(20.0, 10.0);
        assert!(close(q.length(), 1.0, 1e-9));
    }
}

#[test]
fn swarf_info_lists_a_drawing() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_swarf"))
        .args(["info", "tests/fixtures/drawing/loose.dxf"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outlines"], 1);
    assert_eq!(v["holes"], 2);
    assert_eq!(v["open_paths"], 1);
    let w = v["size_mm"][0].as_f64().unwrap();
    assert!(close(w, 160.0, 1e-3), "{v}");
    // A broken drawing: one line on stderr naming the file, exit 1.
    let bad = std::env::temp_dir().join("swarf-broken-drawing.svg");
    std::fs::write(&bad, "<svg xmlns='http://www.w3.org/2000/svg'><rect").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_swarf"))
        .args(["info", bad.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("broken XML") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn stroked_outlines_nest_even_odd_like_a_dxf() {
    // A frame drawn as two stroked rectangles (separate elements, no fill): a ring.
    let d = svg(
        "<rect x='0' y='0' width='20' height='20' fill='none' stroke='black'/>\
         <rect x='5' y='5' width='10' height='10' fill='none' stroke='black'/>",
        "width='20mm' height='20mm' viewBox='0 0 20 20'",
    );
    assert_eq!(d.shapes.len(), 1);
    assert_eq!(d.shapes[0].holes.len(), 1);
    assert!(close(d.shapes[0].holes[0].signed_area(), -100.0, 1e-3));
}

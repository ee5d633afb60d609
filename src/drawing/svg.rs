//! SVG import through `usvg`, which resolves groups, transforms, `use`, the basic shapes, CSS
//! and units, and hands back absolute paths made of lines, quadratic and cubic Béziers.
//!
//! Size: usvg gives the page in CSS px (96 per inch; a length without unit is px), with the
//! `viewBox` already folded into the transforms, so a point maps to mm as `px · 25.4/96`. Y is
//! flipped about the page's bottom edge (SVG's y grows downward), so the drawing is not
//! mirrored and its origin is the page's bottom-left corner.
//!
//! Arcs: usvg turns arcs, circles and rounded corners into cubics of at most a quarter turn;
//! each such cubic is recognised ([`arc::arc_from_cubic`]) and kept as the arc, and
//! neighbouring pieces of one circle are merged. Other curves are flattened within the
//! tolerance. Text is not shaped (no fonts are bundled): it is left out with a notice.

use super::chain::{self, Contour, Rule};
use super::{arc, Drawing, DrawingError, ImportOptions, Path, Vertex};
use crate::geom::DVec2;
use crate::geom::Det;
use usvg::tiny_skia_path::PathSegment;

/// Millimetres per CSS px.
const MM_PER_PX: f64 = 25.4 / 96.0;

/// Reads an SVG document.
pub fn read_svg(bytes: &[u8], opts: &ImportOptions) -> Result<Drawing, DrawingError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        DrawingError::Svg(format!(
            "the file is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let tree = usvg::Tree::from_str(text, &usvg::Options::default()).map_err(|e| match e {
        usvg::Error::InvalidSize => DrawingError::Svg(
            "the <svg> element has no usable size: give it width and height or a viewBox".into(),
        ),
        usvg::Error::ParsingFailed(x) => DrawingError::Svg(format!("broken XML: {x}")),
        other => DrawingError::Svg(other.to_string()),
    })?;
    let page_h = tree.size().height() as f64;
    let mut r = Reader {
        page_h,
        tol: opts.tolerance,
        eps: (1e-6 * tree.size().width().max(tree.size().height()) as f64 * MM_PER_PX).max(1e-9),
        budget: opts.max_segments,
        rules: Vec::new(),
        contours: Vec::new(),
        open: Vec::new(),
        flattened: false,
        images: 0,
        outlines: None,
    };
    r.group(tree.root())?;
    let mut d = Drawing::default();
    if text.contains("<text") || text.contains(":text") {
        d.notices.push(
            "text is not imported: convert it to paths in the editor (Inkscape: Path ▸ Object to Path)"
                .into(),
        );
    }
    if r.images > 0 {
        d.notices
            .push(format!("{} embedded image(s) left out", r.images));
    }
    if r.flattened {
        d.notices.push(format!(
            "curves that are not circular arcs were flattened within {} mm",
            opts.tolerance
        ));
    }
    super::check_size(r.contours.iter().map(|c| &c.path).chain(&r.open), opts)?;
    d.shapes = chain::regions(r.contours, &r.rules, opts.tolerance, &mut d.notices);
    d.open = r.open;
    Ok(d)
}

struct Reader {
    page_h: f64,
    tol: f64,
    eps: f64,
    budget: usize,
    rules: Vec<Rule>,
    contours: Vec<Contour>,
    open: Vec<Path>,
    flattened: bool,
    images: usize,
    /// The one element all stroke-only closed paths belong to.
    outlines: Option<usize>,
}

impl Reader {
    fn group(&mut self, g: &usvg::Group) -> Result<(), DrawingError> {
        for n in g.children() {
            match n {
                usvg::Node::Group(g) => self.group(g)?,
                usvg::Node::Path(p) => self.path(p)?,
                usvg::Node::Image(_) => self.images += 1,
                usvg::Node::Text(_) => {}
            }
        }
        Ok(())
    }

    fn path(&mut self, p: &usvg::Path) -> Result<(), DrawingError> {
        // usvg already drops display:none; fill="none" stroke="none" leaves nothing to cut.
        if !p.is_visible() || (p.fill().is_none() && p.stroke().is_none()) {
            return Ok(());
        }
        let what = || {
            if p.id().is_empty() {
                "<path>".to_string()
            } else {
                format!("<path id=\"{}\">", p.id())
            }
        };
        let t = p.abs_transform();
        let page_h = self.page_h;
        let map = |q: usvg::tiny_skia_path::Point| {
            let (x, y) = (q.x as f64, q.y as f64);
            let px = DVec2::new(
                t.sx as f64 * x + t.kx as f64 * y + t.tx as f64,
                t.ky as f64 * x + t.sy as f64 * y + t.ty as f64,
            );
            DVec2::new(px.x * MM_PER_PX, (page_h - px.y) * MM_PER_PX)
        };
        let mut subs: Vec<Path> = Vec::new();
        let mut cur: Option<Path> = None;
        let mut count = 0usize;
        for seg in p.data().segments() {
            count += 1;
            if count > self.budget {
                return Err(DrawingError::Element {
                    what: what(),
                    why: "more segments than the reader's limit".into(),
                });
            }
            match seg {
                PathSegment::MoveTo(q) => {
                    subs.extend(cur.take());
                    cur = Some(Path {
                        vertices: vec![Vertex::line(map(q))],
                        closed: false,
                    });
                }
                PathSegment::LineTo(q) => {
                    if let Some(c) = cur.as_mut() {
                        c.vertices.push(Vertex::line(map(q)));
                    }
                }
                PathSegment::QuadTo(q1, q2) => {
                    if let Some(c) = cur.as_mut() {
                        let p0 = c.vertices[c.vertices.len() - 1].p;
                        let (p1, p2) = (map(q1), map(q2));
                        // A quadratic is the cubic with handles 2/3 of the way to its control.
                        self.cubic(
                            c,
                            p0,
                            p0 + (p1 - p0) * (2.0 / 3.0),
                            p2 + (p1 - p2) * (2.0 / 3.0),
                            p2,
                        );
                    }
                }
                PathSegment::CubicTo(q1, q2, q3) => {
                    if let Some(c) = cur.as_mut() {
                        let p0 = c.vertices[c.vertices.len() - 1].p;
                        self.cubic(c, p0, map(q1), map(q2), map(q3));
                    }
                }
                PathSegment::Close => {
                    if let Some(mut c) = cur.take() {
                        let n = c.vertices.len();
                        if n > 1 && c.vertices[n - 1].p.distance(c.vertices[0].p) <= self.eps {
                            c.vertices.pop();
                        }
                        c.closed = true;
                        let start = c.vertices[0].p;
                        subs.push(c);
                        // A path may go on from the start point after a close.
                        cur = Some(Path {
                            vertices: vec![Vertex::line(start)],
                            closed: false,
                        });
                    }
                }
            }
        }
        subs.extend(cur.take());
        subs.retain(|s| {
            s.vertices.len() > 1 || (s.closed && s.vertices.first().is_some_and(|v| v.bulge != 0.0))
        });
        if subs
            .iter()
            .flat_map(|s| &s.vertices)
            .any(|v| !v.p.is_finite() || !v.bulge.is_finite())
        {
            return Err(DrawingError::Element {
                what: what(),
                why: "coordinates are not finite".into(),
            });
        }
        let element = self.rules.len();
        match p.fill() {
            // A filled element: its subpaths close implicitly, as the renderer fills them.
            Some(f) => {
                self.rules.push(match f.rule() {
                    usvg::FillRule::EvenOdd => Rule::EvenOdd,
                    usvg::FillRule::NonZero => Rule::NonZero,
                });
                for mut s in subs {
                    if !s.closed {
                        let n = s.vertices.len();
                        if s.vertices[n - 1].p.distance(s.vertices[0].p) <= self.eps {
                            s.vertices.pop();
                        }
                        s.closed = true;
                    }
                    if s.vertices.len() >= 2 || s.vertices[0].bulge != 0.0 {
                        self.contours.push(Contour { path: s, element });
                    }
                }
            }
            // Stroke only: closed subpaths still bound regions, all such paths together
            // even-odd as in a DXF (a frame drawn as two outlines is a ring); the rest is open.
            None => {
                let element = match self.outlines {
                    Some(e) => e,
                    None => {
                        self.rules.push(Rule::EvenOdd);
                        self.outlines = Some(element);
                        element
                    }
                };
                for s in subs {
                    if s.closed {
                        self.contours.push(Contour { path: s, element });
                    } else {
                        self.open.push(s);
                    }
                }
            }
        }
        Ok(())
    }

    /// Appends a cubic to `c`: as an arc when it is one (merged with a previous piece of the
    /// same circle), else as a polyline within the tolerance.
    fn cubic(&mut self, c: &mut Path, p0: DVec2, p1: DVec2, p2: DVec2, p3: DVec2) {
        let n = c.vertices.len();
        if let Some(k) = arc::arc_from_cubic(p0, p1, p2, p3, self.eps) {
            // Merge with the previous arc when it continues the same circle the same way and
            // the sum stays within a half turn (so the bulge stays at most 1).
            if n >= 2 && c.vertices[n - 2].bulge != 0.0 {
                let (a, kp) = (c.vertices[n - 2].p, c.vertices[n - 2].bulge);
                let (c0, r0) = arc::centre_radius(a, p0, kp);
                let (c1, r1) = arc::centre_radius(p0, p3, k);
                let total = 4.0 * kp.datan() + 4.0 * k.datan();
                if kp.signum() == k.signum()
                    && c0.distance(c1) <= self.eps * 10.0
                    && (r0 - r1).abs() <= self.eps * 10.0
                    && total.abs() <= std::f64::consts::PI + 1e-9
                {
                    c.vertices[n - 2].bulge = arc::bulge(total);
                    c.vertices[n - 1].p = p3;
                    return;
                }
            }
            c.vertices[n - 1].bulge = k;
            c.vertices.push(Vertex::line(p3));
            return;
        }
        self.flattened = true;
        // Subdivisions from the second differences: a cubic strays from its chords by at most
        // (3/4)·max|Δ²|/m² with m pieces.
        let d = (p0 - 2.0 * p1 + p2)
            .length()
            .max((p1 - 2.0 * p2 + p3).length());
        let m = ((0.75 * d / self.tol).sqrt().ceil() as usize).clamp(1, 1000);
        for i in 1..=m {
            let t = i as f64 / m as f64;
            let u = 1.0 - t;
            let q = p0 * (u * u * u)
                + p1 * (3.0 * u * u * t)
                + p2 * (3.0 * u * t * t)
                + p3 * (t * t * t);
            c.vertices.push(Vertex::line(q));
        }
    }
}

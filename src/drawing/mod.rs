//! 2D drawings (SVG, DXF) for engraving, profiling and pocketing: closed regions with holes and
//! open paths, made of straight lines and true arcs, in millimetres with Y up.
//!
//! Every path is a list of [`Vertex`]es in the bulge form (see [`arc`]): the segment from a
//! vertex to the next is a line when its bulge is 0, otherwise an arc. It is the form DXF
//! polylines use and `cavalier_contours` offsets, so arcs survive import and offsetting exactly.
//!
//! - [`svg`]: SVG through `usvg` (groups, transforms, `use`, shapes, fill rules, units).
//! - [`dxf`]: DXF through the `dxf` crate (lines, polylines with bulges, arcs, circles,
//!   ellipses, splines, block inserts, `$INSUNITS`).
//! - [`chain`]: loose segments joined into paths, crossing checks, and nesting of closed
//!   paths into outlines and holes.

pub mod arc;
pub mod chain;
pub mod dxf;
pub mod svg;
pub mod transform;

use crate::geom::{DVec2, Rect};
use std::fmt;

/// One corner of a path; `bulge` shapes the segment that leaves it (0: straight).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vertex {
    /// Position, mm.
    pub p: DVec2,
    /// `tan(θ/4)` of the arc to the next vertex, θ its signed sweep (positive CCW).
    pub bulge: f64,
}

impl Vertex {
    /// A corner followed by a straight segment.
    pub fn line(p: DVec2) -> Vertex {
        Vertex { p, bulge: 0.0 }
    }
}

/// One segment of a path, with its geometry spelled out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment {
    /// A straight cut from `a` to `b`.
    Line {
        /// Start.
        a: DVec2,
        /// End.
        b: DVec2,
    },
    /// A circular arc from `a` to `b` about `centre`.
    Arc {
        /// Start.
        a: DVec2,
        /// End.
        b: DVec2,
        /// Centre of the circle.
        centre: DVec2,
        /// Radius.
        radius: f64,
        /// Turning counter-clockwise (G3) rather than clockwise (G2).
        ccw: bool,
    },
}

/// A chain of lines and arcs, open or closed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Path {
    /// The corners; a closed path's last segment runs from the last vertex back to the first.
    pub vertices: Vec<Vertex>,
    /// True when the path returns to its start.
    pub closed: bool,
}

impl Path {
    /// The segments in order.
    pub fn segments(&self) -> impl Iterator<Item = Segment> + '_ {
        let n = self.vertices.len();
        let count = if self.closed { n } else { n.saturating_sub(1) };
        (0..count).map(move |i| {
            let v = self.vertices[i];
            let b = self.vertices[(i + 1) % n].p;
            if v.bulge == 0.0 {
                Segment::Line { a: v.p, b }
            } else {
                let (centre, radius) = arc::centre_radius(v.p, b, v.bulge);
                Segment::Arc {
                    a: v.p,
                    b,
                    centre,
                    radius,
                    ccw: v.bulge > 0.0,
                }
            }
        })
    }

    /// Signed area, arcs included exactly (positive counter-clockwise). Zero for open paths.
    pub fn signed_area(&self) -> f64 {
        if !self.closed {
            return 0.0;
        }
        let n = self.vertices.len();
        (0..n)
            .map(|i| {
                let (v, w) = (self.vertices[i], self.vertices[(i + 1) % n]);
                0.5 * v.p.perp_dot(w.p) + arc::segment_area(v.p, w.p, v.bulge)
            })
            .sum()
    }

    /// The tight box round the path, arcs included.
    pub fn bounds(&self) -> Rect {
        let n = self.vertices.len();
        let mut r = Rect::new(DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY));
        for (i, v) in self.vertices.iter().enumerate() {
            let last = i + 1 == n;
            let (lo, hi) = if last && !self.closed {
                (v.p, v.p)
            } else {
                arc::bounds(v.p, self.vertices[(i + 1) % n].p, v.bulge)
            };
            r = r.union(&Rect::new(lo, hi));
        }
        r
    }

    /// The path as points no farther than `tol` from it (a closed path does not repeat its
    /// first point).
    pub fn flatten(&self, tol: f64) -> Vec<DVec2> {
        let n = self.vertices.len();
        let mut out = Vec::with_capacity(n);
        if let Some(v) = self.vertices.first() {
            out.push(v.p);
        }
        let count = if self.closed { n } else { n.saturating_sub(1) };
        for i in 0..count {
            let v = self.vertices[i];
            arc::flatten_into(v.p, self.vertices[(i + 1) % n].p, v.bulge, tol, &mut out);
        }
        if self.closed && out.len() > 1 {
            out.pop();
        }
        out
    }

    /// The same path run the other way (arcs keep their circle, their bulges change sign).
    pub fn reverse(&mut self) {
        let n = self.vertices.len();
        if n == 0 {
            return;
        }
        // The bulge belongs to the segment leaving a vertex; reversed, segment i→i+1 leaves i+1.
        let bulges: Vec<f64> = self.vertices.iter().map(|v| v.bulge).collect();
        self.vertices.reverse();
        for (j, v) in self.vertices.iter_mut().enumerate() {
            // New vertex j is old vertex n−1−j; its leaving segment is old segment n−2−j
            // (closed: wraps to old n−1).
            let old = if self.closed {
                (2 * n - 2 - j) % n
            } else if j + 1 < n {
                n - 2 - j
            } else {
                v.bulge = 0.0;
                continue;
            };
            v.bulge = -bulges[old];
        }
    }
}

/// A closed region to cut: one outline (counter-clockwise) and the holes in it (clockwise).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Shape {
    /// The outside boundary.
    pub outline: Path,
    /// Islands left standing inside it.
    pub holes: Vec<Path>,
}

/// What was found in a drawing file, in mm, Y up.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Drawing {
    /// Closed regions with their holes.
    pub shapes: Vec<Shape>,
    /// Paths that do not close (engraving only).
    pub open: Vec<Path>,
    /// Things the reader left out or changed, one line each (text, images, flattened curves).
    pub notices: Vec<String>,
}

impl Drawing {
    /// The box round everything, or `None` when empty.
    pub fn bounds(&self) -> Option<Rect> {
        self.shapes
            .iter()
            .map(|s| &s.outline)
            .chain(&self.open)
            .map(|p| p.bounds())
            .reduce(|a, b| a.union(&b))
    }

    /// How many holes there are in all shapes.
    pub fn hole_count(&self) -> usize {
        self.shapes.iter().map(|s| s.holes.len()).sum()
    }

    /// Every path in the drawing: outlines, holes, then open paths.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.shapes
            .iter()
            .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes))
            .chain(&self.open)
    }
}

/// Limits and tolerances for the readers.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    /// How far a flattened curve (ellipse, spline, Bézier) may stray, mm; also the gap below
    /// which loose ends are joined.
    pub tolerance: f64,
    /// A drawing larger than this across (mm) is refused: its units are almost surely wrong.
    pub max_size: f64,
    /// Refuse drawings with more segments than this.
    pub max_segments: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            tolerance: 0.01,
            max_size: 10_000.0,
            max_segments: 5_000_000,
        }
    }
}

/// Why a drawing cannot be read. Every message is one line naming what and where.
#[derive(Clone, Debug, PartialEq)]
pub enum DrawingError {
    /// Not XML, or XML that is not SVG (with the line and column).
    Svg(String),
    /// The DXF reader stopped (with the line or offset).
    Dxf(String),
    /// One element or entity is unusable: `what` names it (`<path id="x">`, `ARC handle 2F`).
    Element {
        /// The element or entity.
        what: String,
        /// What is wrong with it.
        why: String,
    },
    /// Nothing visible that could be cut.
    NothingToCut(String),
    /// The drawing is absurdly large (or not finite): its units are wrong.
    Size(String),
    /// Neither SVG nor DXF.
    Format(String),
}

/// A parser's message on one line: control characters it quotes from the file are escaped.
fn one_line(m: &str) -> String {
    m.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

impl fmt::Display for DrawingError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DrawingError::Svg(m) => write!(f, "SVG: {}", one_line(m)),
            DrawingError::Dxf(m) => write!(f, "DXF: {}", one_line(m)),
            DrawingError::Element { what, why } => {
                write!(f, "{}: {}", one_line(what), one_line(why))
            }
            DrawingError::NothingToCut(m) => write!(f, "nothing to cut: {m}"),
            DrawingError::Size(m) => write!(f, "{m}"),
            DrawingError::Format(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for DrawingError {}

/// The two drawing formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawingFormat {
    /// Scalable Vector Graphics.
    Svg,
    /// AutoCAD Drawing Exchange Format (ASCII or binary).
    Dxf,
}

/// Tells SVG from DXF by content: SVG is XML (`<` first, after a BOM and blanks); a DXF
/// starts with a group code `0` line (ASCII) or the binary sentinel.
pub fn sniff(bytes: &[u8]) -> Option<DrawingFormat> {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let t = &b[b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len())..];
    if t.starts_with(b"<") {
        Some(DrawingFormat::Svg)
    } else if t.starts_with(b"AutoCAD Binary DXF")
        || t.starts_with(b"0\r\n")
        || t.starts_with(b"0\n")
        || t.starts_with(b"999")
    {
        Some(DrawingFormat::Dxf)
    } else {
        None
    }
}

/// Reads an SVG or DXF drawing, told apart by content.
pub fn import(bytes: &[u8], opts: &ImportOptions) -> Result<Drawing, DrawingError> {
    let d = match sniff(bytes) {
        Some(DrawingFormat::Svg) => svg::read_svg(bytes, opts)?,
        Some(DrawingFormat::Dxf) => dxf::read_dxf(bytes, opts)?,
        None => {
            return Err(DrawingError::Format(
                "this is neither an SVG (XML) nor a DXF drawing".into(),
            ))
        }
    };
    finish(d, opts)
}

/// Refuses paths spanning more than the size limit (or not finite) before they reach the
/// nesting and booleans, which work in bounded integer coordinates.
pub(crate) fn check_size<'a>(
    paths: impl Iterator<Item = &'a Path>,
    opts: &ImportOptions,
) -> Result<(), DrawingError> {
    let Some(b) = paths.map(|p| p.bounds()).reduce(|a, b| a.union(&b)) else {
        return Ok(());
    };
    let s = b.size();
    if !s.is_finite() || !b.min.is_finite() {
        return Err(DrawingError::Size(
            "the drawing's coordinates are not finite".into(),
        ));
    }
    if s.max_element() > opts.max_size {
        return Err(DrawingError::Size(format!(
            "the drawing is {:.0} × {:.0} mm, larger than {:.0} mm: check its units",
            s.x, s.y, opts.max_size
        )));
    }
    Ok(())
}

/// The checks every reader's result goes through: something to cut, a sane size.
pub(crate) fn finish(d: Drawing, opts: &ImportOptions) -> Result<Drawing, DrawingError> {
    if d.bounds().is_none() {
        let why = if d.notices.is_empty() {
            "the drawing has no visible path".to_string()
        } else {
            format!("the drawing has no visible path ({})", d.notices.join("; "))
        };
        return Err(DrawingError::NothingToCut(why));
    }
    check_size(d.paths(), opts)?;
    Ok(d)
}

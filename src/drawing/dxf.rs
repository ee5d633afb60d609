//! DXF import through the `dxf` crate: LINE, LWPOLYLINE and POLYLINE (with bulges), ARC,
//! CIRCLE, ELLIPSE, SPLINE and INSERT of blocks (nested, with scale, rotation and arrays),
//! scaled to mm by `$INSUNITS` (a drawing without units is taken as mm).
//!
//! Every entity becomes a piece in the bulge form; loose pieces are joined where their ends
//! meet within the tolerance ([`chain::join`]), and the closed ones nest even-odd into
//! outlines and holes. Arcs stay arcs under moves, rotations, mirrors and uniform scales; a
//! block scaled unevenly turns its arcs into ellipses, which are flattened like ELLIPSE and
//! SPLINE within the tolerance.

use super::chain::{self, Contour, Rule};
use super::{arc, Drawing, DrawingError, ImportOptions, Path, Vertex};
use crate::geom::DVec2;
use crate::geom::Det;
use ::dxf::entities::{Entity, EntityType};
use ::dxf::enums::Units;
use glam::{DAffine2, DMat2};
use std::collections::HashMap;
use std::f64::consts::PI;

/// Blocks inside blocks deeper than this are refused (a block that inserts itself).
const MAX_DEPTH: usize = 16;
/// Entities visited, counting every copy a block insert makes: nested arrays of empty blocks
/// must not spin for ever.
const MAX_VISITS: usize = 2_000_000;

/// Millimetres per drawing unit for `$INSUNITS` (unitless drawings are taken as mm).
pub fn units_mm(u: Units) -> f64 {
    match u {
        Units::Inches | Units::USSurveyInch => 25.4,
        Units::Feet | Units::USSurveyFeet => 304.8,
        Units::Yards | Units::USSurveyYard => 914.4,
        Units::Mils => 0.0254,
        Units::Microinches => 2.54e-5,
        Units::Centimeters => 10.0,
        Units::Decimeters => 100.0,
        Units::Meters => 1000.0,
        Units::Microns => 1e-3,
        Units::Nanometers => 1e-6,
        Units::Angstroms => 1e-7,
        Units::Decameters => 1e4,
        Units::Hectometers => 1e5,
        Units::Kilometers => 1e6,
        Units::Miles | Units::USSurveyMile => 1_609_344.0,
        Units::Gigameters => 1e12,
        Units::AstronomicalUnits => 1.495_978_707e14,
        Units::LightYears => 9.460_730_472_580_8e18,
        Units::Parsecs => 3.085_677_581e19,
        Units::Millimeters | Units::Unitless => 1.0,
    }
}

/// Reads a DXF drawing (ASCII or binary).
pub fn read_dxf(bytes: &[u8], opts: &ImportOptions) -> Result<Drawing, DrawingError> {
    let mut r = bytes;
    let doc = ::dxf::Drawing::load(&mut r).map_err(|e| DrawingError::Dxf(e.to_string()))?;
    let mm = units_mm(doc.header.default_drawing_units);
    let blocks: HashMap<&str, &::dxf::Block> = doc.blocks().map(|b| (b.name.as_str(), b)).collect();
    let mut w = Walker {
        blocks,
        tol: opts.tolerance,
        budget: opts.max_segments,
        visits: MAX_VISITS,
        pieces: Vec::new(),
        skipped: HashMap::new(),
        flattened: false,
    };
    let top = DAffine2::from_scale(DVec2::splat(mm));
    for e in doc.entities() {
        if !e.common.is_in_paper_space {
            w.entity(e, top, 0)?;
        }
    }
    let mut d = Drawing::default();
    let mut skipped: Vec<_> = w.skipped.into_iter().collect();
    skipped.sort();
    if !skipped.is_empty() {
        let list: Vec<String> = skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
        d.notices.push(format!("left out: {}", list.join(", ")));
    }
    if w.flattened {
        d.notices.push(format!(
            "ellipses, splines and unevenly scaled arcs were flattened within {} mm",
            opts.tolerance
        ));
    }
    super::check_size(w.pieces.iter(), opts)?;
    let mut contours = Vec::new();
    for p in chain::join(w.pieces, opts.tolerance) {
        if p.closed {
            contours.push(Contour {
                path: p,
                element: 0,
            });
        } else {
            d.open.push(p);
        }
    }
    d.shapes = chain::regions(contours, &[Rule::EvenOdd], opts.tolerance, &mut d.notices);
    Ok(d)
}

struct Walker<'a> {
    blocks: HashMap<&'a str, &'a ::dxf::Block>,
    tol: f64,
    budget: usize,
    visits: usize,
    pieces: Vec<Path>,
    skipped: HashMap<String, usize>,
    flattened: bool,
}

/// `ARC handle 2F on layer "Cut"`: how errors name an entity.
fn name(e: &Entity, kind: &str) -> String {
    format!(
        "{kind} (handle {:X}, layer \"{}\")",
        e.common.handle.0, e.common.layer
    )
}

fn pt(p: &::dxf::Point) -> DVec2 {
    DVec2::new(p.x, p.y)
}

/// True when `m` keeps circles circles: columns orthogonal and of one length.
fn conformal(m: DMat2) -> bool {
    let (a, b) = (m.x_axis, m.y_axis);
    let s = a.length().max(b.length());
    a.dot(b).abs() <= 1e-9 * s * s && (a.length() - b.length()).abs() <= 1e-9 * s
}

impl Walker<'_> {
    fn push(&mut self, e: &Entity, kind: &str, p: Path) -> Result<(), DrawingError> {
        if p.vertices
            .iter()
            .any(|v| !v.p.is_finite() || !v.bulge.is_finite())
        {
            return Err(DrawingError::Element {
                what: name(e, kind),
                why: "coordinates are not finite".into(),
            });
        }
        let n = p.vertices.len();
        if n > self.budget {
            return Err(DrawingError::Element {
                what: name(e, kind),
                why: "the drawing has more segments than the reader's limit".into(),
            });
        }
        self.budget -= n;
        if n >= 2 || (p.closed && n == 1 && p.vertices[0].bulge != 0.0) {
            self.pieces.push(p);
        }
        Ok(())
    }

    /// Maps a path in bulge form through `t`: exactly when `t` keeps circles, else by flattening
    /// its arcs first.
    fn map(&mut self, mut p: Path, t: DAffine2) -> Path {
        let m = t.matrix2;
        if !conformal(m) && p.vertices.iter().any(|v| v.bulge != 0.0) {
            self.flattened = true;
            let closed = p.closed;
            let mut pts = p.flatten(self.tol / m.x_axis.length().max(m.y_axis.length()).max(1e-12));
            if !closed && pts.len() < 2 {
                pts.truncate(1);
            }
            p = Path {
                vertices: pts.into_iter().map(Vertex::line).collect(),
                closed,
            };
        }
        let flip = m.determinant() < 0.0;
        for v in &mut p.vertices {
            v.p = t.transform_point2(v.p);
            if flip {
                v.bulge = -v.bulge;
            }
        }
        p
    }

    /// An arc as a piece: split into spans of at most half a turn so bulges stay within ±1.
    fn arc_path(c: DVec2, r: f64, start: f64, sweep: f64) -> Path {
        let n = (sweep.abs() / PI).ceil().max(1.0) as usize;
        let k = arc::bulge(sweep / n as f64);
        let mut vertices: Vec<Vertex> = (0..=n)
            .map(|i| Vertex {
                p: c + DVec2::from_angle(start + sweep * i as f64 / n as f64) * r,
                bulge: k,
            })
            .collect();
        vertices[n].bulge = 0.0;
        Path {
            vertices,
            closed: false,
        }
    }

    fn entity(&mut self, e: &Entity, t: DAffine2, depth: usize) -> Result<(), DrawingError> {
        if self.visits == 0 {
            return Err(DrawingError::Element {
                what: name(e, "entity"),
                why: format!("block inserts make more than {MAX_VISITS} entities"),
            });
        }
        self.visits -= 1;
        // Entities drawn in a mirrored object coordinate system (extrusion 0,0,−1) have X
        // reversed in the plan view.
        let ocs = |n: &::dxf::Vector| {
            if n.z < 0.0 {
                t * DAffine2::from_scale(DVec2::new(-1.0, 1.0))
            } else {
                t
            }
        };
        match &e.specific {
            EntityType::Line(l) => {
                let p = Path {
                    vertices: vec![Vertex::line(pt(&l.p1)), Vertex::line(pt(&l.p2))],
                    closed: false,
                };
                let p = self.map(p, t);
                self.push(e, "LINE", p)
            }
            EntityType::LwPolyline(l) => {
                let p = Path {
                    vertices: l
                        .vertices
                        .iter()
                        .map(|v| Vertex {
                            p: DVec2::new(v.x, v.y),
                            bulge: v.bulge,
                        })
                        .collect(),
                    closed: l.flags & 1 != 0,
                };
                let p = self.polyline(e, "LWPOLYLINE", p)?;
                let p = self.map(p, ocs(&l.extrusion_direction));
                self.push(e, "LWPOLYLINE", p)
            }
            EntityType::Polyline(l) => {
                // Flags 16 and 64 are 3D meshes, not outlines.
                if l.flags & (16 | 64) != 0 {
                    *self.skipped.entry("POLYLINE mesh".into()).or_default() += 1;
                    return Ok(());
                }
                let p = Path {
                    vertices: l
                        .vertices()
                        .map(|v| Vertex {
                            p: pt(&v.location),
                            bulge: v.bulge,
                        })
                        .collect(),
                    closed: l.flags & 1 != 0,
                };
                let p = self.polyline(e, "POLYLINE", p)?;
                let p = self.map(p, ocs(&l.normal));
                self.push(e, "POLYLINE", p)
            }
            EntityType::Arc(a) => {
                if !(a.radius > 0.0 && a.radius.is_finite()) {
                    return Err(DrawingError::Element {
                        what: name(e, "ARC"),
                        why: format!("radius {} is not positive", a.radius),
                    });
                }
                let s = a.start_angle.to_radians();
                let mut sweep = (a.end_angle - a.start_angle).rem_euclid(360.0).to_radians();
                if sweep <= 1e-12 {
                    sweep = 2.0 * PI;
                }
                let p = Self::arc_path(pt(&a.center), a.radius, s, sweep);
                let p = self.map(p, ocs(&a.normal));
                self.push(e, "ARC", p)
            }
            EntityType::Circle(c) => {
                if !(c.radius > 0.0 && c.radius.is_finite()) {
                    return Err(DrawingError::Element {
                        what: name(e, "CIRCLE"),
                        why: format!("radius {} is not positive", c.radius),
                    });
                }
                let o = pt(&c.center);
                let p = Path {
                    vertices: vec![
                        Vertex {
                            p: o + DVec2::X * c.radius,
                            bulge: 1.0,
                        },
                        Vertex {
                            p: o - DVec2::X * c.radius,
                            bulge: 1.0,
                        },
                    ],
                    closed: true,
                };
                let p = self.map(p, ocs(&c.normal));
                self.push(e, "CIRCLE", p)
            }
            EntityType::Ellipse(el) => {
                let p = self.ellipse(e, el)?;
                let p = self.map(p, ocs(&el.normal));
                self.push(e, "ELLIPSE", p)
            }
            EntityType::Spline(s) => {
                let p = self.spline(e, s)?;
                let p = self.map(p, ocs(&s.normal));
                self.push(e, "SPLINE", p)
            }
            EntityType::Insert(ins) => self.insert(e, ins, t, depth),
            other => {
                let k = format!("{other:?}");
                let k = k
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or("entity")
                    .to_uppercase();
                *self.skipped.entry(k).or_default() += 1;
                Ok(())
            }
        }
    }

    fn polyline(&mut self, e: &Entity, kind: &str, mut p: Path) -> Result<Path, DrawingError> {
        if p.vertices
            .iter()
            .any(|v| !v.bulge.is_finite() || v.bulge.abs() > 1e6)
        {
            return Err(DrawingError::Element {
                what: name(e, kind),
                why: "a bulge is not a finite number".into(),
            });
        }
        // Repeated vertices (zero-length segments) carry nothing.
        p.vertices.dedup_by(|b, a| a.p == b.p);
        if p.closed && p.vertices.len() > 1 && p.vertices[0].p == p.vertices[p.vertices.len() - 1].p
        {
            p.vertices.pop();
        }
        if !p.closed {
            if let Some(v) = p.vertices.last_mut() {
                v.bulge = 0.0;
            }
        }
        Ok(p)
    }

    fn ellipse(&mut self, e: &Entity, el: &::dxf::entities::Ellipse) -> Result<Path, DrawingError> {
        let c = pt(&el.center);
        let major = DVec2::new(el.major_axis.x, el.major_axis.y);
        let ratio = el.minor_axis_ratio;
        let a = major.length();
        if !(a > 0.0 && a.is_finite() && ratio > 0.0 && ratio <= 1.0 + 1e-9) {
            return Err(DrawingError::Element {
                what: name(e, "ELLIPSE"),
                why: format!("axis {a} and ratio {ratio} do not make an ellipse"),
            });
        }
        let (t0, mut sweep) = (el.start_parameter, el.end_parameter - el.start_parameter);
        if !t0.is_finite() || !sweep.is_finite() {
            return Err(DrawingError::Element {
                what: name(e, "ELLIPSE"),
                why: "its parameters are not finite".into(),
            });
        }
        sweep = sweep.rem_euclid(2.0 * PI);
        let full = sweep <= 1e-9;
        if full {
            sweep = 2.0 * PI;
        }
        if (ratio - 1.0).abs() <= 1e-12 {
            // A circle or a circular arc after all.
            let start = major.to_angle() + t0;
            if full {
                let p = Self::arc_path(c, a, start, 2.0 * PI);
                let mut p = p;
                p.vertices.pop();
                p.closed = true;
                return Ok(p);
            }
            return Ok(Self::arc_path(c, a, start, sweep));
        }
        self.flattened = true;
        let minor = major.perp() * ratio;
        // Step so that the sagitta on the sharper end (radius b²/a) stays within tolerance.
        let rmin = (a * ratio * ratio).max(1e-9);
        let step = if self.tol >= rmin {
            PI / 4.0
        } else {
            2.0 * (1.0 - self.tol / rmin).dacos()
        };
        let n = ((sweep / step).ceil() as usize).clamp(8, 10_000);
        let at = |t: f64| c + major * t.dcos() + minor * t.dsin();
        let count = if full { n } else { n + 1 };
        Ok(Path {
            vertices: (0..count)
                .map(|i| Vertex::line(at(t0 + sweep * i as f64 / n as f64)))
                .collect(),
            closed: full,
        })
    }

    /// A NURBS curve evaluated by de Boor's algorithm in homogeneous coordinates, sampled
    /// densely enough per knot span for the tolerance (fit points alone: joined straight).
    fn spline(&mut self, e: &Entity, s: &::dxf::entities::Spline) -> Result<Path, DrawingError> {
        let bad = |why: String| DrawingError::Element {
            what: name(e, "SPLINE"),
            why,
        };
        let closed = s.flags & 1 != 0;
        self.flattened = true;
        if s.control_points.is_empty() {
            if s.fit_points.len() < 2 {
                return Err(bad("it has neither control points nor fit points".into()));
            }
            return Ok(Path {
                vertices: s.fit_points.iter().map(|p| Vertex::line(pt(p))).collect(),
                closed,
            });
        }
        let p = usize::try_from(s.degree_of_curve)
            .ok()
            .filter(|d| (1..=11).contains(d))
            .ok_or_else(|| {
                bad(format!(
                    "degree {} is not between 1 and 11",
                    s.degree_of_curve
                ))
            })?;
        let cps: Vec<DVec2> = s.control_points.iter().map(pt).collect();
        let n = cps.len();
        let knots = &s.knot_values;
        if n <= p || knots.len() != n + p + 1 {
            return Err(bad(format!(
                "{} knots for {n} control points of degree {p} (expected {})",
                knots.len(),
                n + p + 1
            )));
        }
        if knots.iter().any(|k| !k.is_finite()) || knots.windows(2).any(|w| w[1] < w[0]) {
            return Err(bad("its knots are not a rising sequence of numbers".into()));
        }
        let wts: Vec<f64> = if s.weight_values.len() == n {
            s.weight_values.clone()
        } else {
            vec![1.0; n]
        };
        if wts.iter().any(|w| !(*w > 0.0 && w.is_finite())) {
            return Err(bad("a weight is not a positive number".into()));
        }
        let (lo, hi) = (knots[p], knots[n]);
        if hi <= lo {
            return Err(bad("its knot span is empty".into()));
        }
        // Samples per span from the control polygon's length over the tolerance, bounded.
        let poly: f64 = cps.windows(2).map(|w| w[0].distance(w[1])).sum();
        let per_span =
            ((poly / (n as f64) / self.tol.max(1e-9)).sqrt().ceil() as usize).clamp(4, 64);
        let eval = |u: f64| -> DVec2 {
            // The span k with knots[k] <= u < knots[k+1], within [p, n−1].
            let mut k = p;
            while k + 1 < n && knots[k + 1] <= u {
                k += 1;
            }
            let mut d: Vec<(DVec2, f64)> = (0..=p)
                .map(|j| (cps[k - p + j] * wts[k - p + j], wts[k - p + j]))
                .collect();
            for r in 1..=p {
                for j in (r..=p).rev() {
                    let i = k - p + j;
                    let den = knots[i + p + 1 - r] - knots[i];
                    let a = if den > 0.0 { (u - knots[i]) / den } else { 0.0 };
                    d[j] = (
                        d[j - 1].0 * (1.0 - a) + d[j].0 * a,
                        d[j - 1].1 * (1.0 - a) + d[j].1 * a,
                    );
                }
            }
            d[p].0 / d[p].1
        };
        let mut vertices = Vec::new();
        for k in p..n {
            let (a, b) = (knots[k], knots[k + 1]);
            if b <= a {
                continue;
            }
            for i in 0..per_span {
                vertices.push(Vertex::line(eval(a + (b - a) * i as f64 / per_span as f64)));
            }
        }
        vertices.push(Vertex::line(eval(hi)));
        vertices.dedup_by(|b, a| a.p.distance(b.p) <= 1e-12);
        if closed
            && vertices.len() > 2
            && vertices[0].p.distance(vertices[vertices.len() - 1].p) <= self.tol
        {
            vertices.pop();
        }
        Ok(Path { vertices, closed })
    }

    fn insert(
        &mut self,
        e: &Entity,
        ins: &::dxf::entities::Insert,
        t: DAffine2,
        depth: usize,
    ) -> Result<(), DrawingError> {
        let what = || name(e, &format!("INSERT of block \"{}\"", ins.name));
        if depth >= MAX_DEPTH {
            return Err(DrawingError::Element {
                what: what(),
                why: format!("blocks nest deeper than {MAX_DEPTH} (a block that inserts itself?)"),
            });
        }
        let Some(block) = self.blocks.get(ins.name.as_str()).copied() else {
            return Err(DrawingError::Element {
                what: what(),
                why: "no block of that name".into(),
            });
        };
        let scale = DVec2::new(ins.x_scale_factor, ins.y_scale_factor);
        if !scale.is_finite() || scale.x == 0.0 || scale.y == 0.0 || !ins.rotation.is_finite() {
            return Err(DrawingError::Element {
                what: what(),
                why: format!(
                    "scale {} × {} or rotation {} is unusable",
                    scale.x, scale.y, ins.rotation
                ),
            });
        }
        let (cols, rows) = (
            ins.column_count.max(1) as usize,
            ins.row_count.max(1) as usize,
        );
        if cols * rows > 10_000 {
            return Err(DrawingError::Element {
                what: what(),
                why: format!("an array of {cols} × {rows} copies"),
            });
        }
        let rot = ins.rotation.to_radians();
        for r in 0..rows {
            for c in 0..cols {
                // Array offsets run along the insert's rotated axes.
                let off = DVec2::from_angle(rot).rotate(DVec2::new(
                    c as f64 * ins.column_spacing,
                    r as f64 * ins.row_spacing,
                ));
                let local = DAffine2::from_translation(pt(&ins.location) + off)
                    * DAffine2::from_angle(rot)
                    * DAffine2::from_scale(scale)
                    * DAffine2::from_translation(-pt(&block.base_point));
                let m = if ins.extrusion_direction.z < 0.0 {
                    t * DAffine2::from_scale(DVec2::new(-1.0, 1.0)) * local
                } else {
                    t * local
                };
                for be in &block.entities {
                    self.entity(be, m, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

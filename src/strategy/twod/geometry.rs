//! Geometry the 2D strategies share: drawing paths to and from `cavalier_contours`
//! polylines (bulge form, so arcs stay arcs), region offsets with a check of the result and
//! a robust fallback, and exact distances to lines and arcs.

use crate::drawing::{Path, Segment, Shape, Vertex};
use crate::geom::DVec2;
use crate::geom::Det;
use cavalier_contours::core::math::Vector2;
use cavalier_contours::polyline::{PlineCreation, PlineSource, PlineSourceMut, Polyline};
use cavalier_contours::shape_algorithms::{Shape as CcShape, ShapeOffsetOptions};
use i_overlay::mesh::float::outline::offset::OutlineOffset;
use i_overlay::mesh::float::style::{LineJoin, OutlineStyle};

/// A drawing path as a `cavalier_contours` polyline.
pub fn to_pline(p: &Path) -> Polyline<f64> {
    let mut pl = Polyline::with_capacity(p.vertices.len(), p.closed);
    for v in &p.vertices {
        pl.add(v.p.x, v.p.y, v.bulge);
    }
    pl.remove_repeat_pos(1e-9).unwrap_or(pl)
}

/// A `cavalier_contours` polyline as a drawing path.
pub fn from_pline(pl: &Polyline<f64>) -> Path {
    Path {
        vertices: pl
            .iter_vertexes()
            .map(|v| Vertex {
                p: DVec2::new(v.x, v.y),
                bulge: v.bulge,
            })
            .collect(),
        closed: pl.is_closed(),
    }
}

/// True when `q` is inside the closed path `p` (by winding number).
pub fn contains(p: &Path, q: DVec2) -> bool {
    to_pline(p).winding_number(Vector2::new(q.x, q.y)) != 0
}

/// The point of a segment nearest to `q` (exact for arcs: on the circle where `q`'s
/// direction from the centre falls within the arc, else the nearer end).
pub fn nearest_point(s: &Segment, q: DVec2) -> DVec2 {
    match *s {
        Segment::Line { a, b } => nearest_on_line(q, a, b),
        Segment::Arc {
            a,
            b,
            centre,
            radius,
            ccw,
        } => {
            let v = q - centre;
            let sweep = crate::drawing::arc::sweep(a - centre, b - centre, ccw).abs();
            if v.length() > 1e-12 && crate::drawing::arc::sweep(a - centre, v, ccw).abs() <= sweep {
                centre + v.normalize() * radius
            } else if q.distance(a) <= q.distance(b) {
                a
            } else {
                b
            }
        }
    }
}

/// The point of the straight segment `a`–`b` nearest to `q`.
pub fn nearest_on_line(q: DVec2, a: DVec2, b: DVec2) -> DVec2 {
    let d = b - a;
    let l2 = d.length_squared();
    let t = if l2 > 0.0 {
        ((q - a).dot(d) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    a + d * t
}

/// Distance from `q` to a segment (exact for arcs).
pub fn segment_distance(s: &Segment, q: DVec2) -> f64 {
    q.distance(nearest_point(s, q))
}

/// Distance from `q` to the nearest of `paths`.
pub fn distance_to_paths<'a>(paths: impl IntoIterator<Item = &'a Path>, q: DVec2) -> f64 {
    paths
        .into_iter()
        .flat_map(|p| p.segments())
        .map(|s| segment_distance(&s, q))
        .fold(f64::INFINITY, f64::min)
}

/// Distances to a set of paths, skipping paths whose box is farther than the best so far
/// (nearest boxes first): a row of letters costs about one letter per query.
pub struct Nearest<'a> {
    paths: Vec<(&'a Path, crate::geom::Rect)>,
}

impl<'a> Nearest<'a> {
    /// Indexes `paths` by their boxes.
    pub fn new(paths: &[&'a Path]) -> Nearest<'a> {
        Nearest {
            paths: paths.iter().map(|p| (*p, p.bounds())).collect(),
        }
    }

    /// Distance from `q` to the nearest path.
    pub fn distance(&self, q: DVec2) -> f64 {
        let gap = |r: &crate::geom::Rect| (r.min - q).max(q - r.max).max(DVec2::ZERO).length();
        let mut order: Vec<(f64, usize)> = self
            .paths
            .iter()
            .enumerate()
            .map(|(i, (_, r))| (gap(r), i))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut best = f64::INFINITY;
        for (g, i) in order {
            if g >= best {
                break;
            }
            for s in self.paths[i].0.segments() {
                best = best.min(segment_distance(&s, q));
            }
        }
        best
    }
}

/// Points along a path to check it by: every vertex and every segment's middle.
pub fn probe_points(p: &Path) -> Vec<DVec2> {
    let mut out = Vec::with_capacity(2 * p.vertices.len());
    for s in p.segments() {
        match s {
            Segment::Line { a, b } => {
                out.push(a);
                out.push((a + b) * 0.5);
            }
            Segment::Arc {
                a,
                b,
                centre,
                radius,
                ccw,
            } => {
                out.push(a);
                let sw = crate::drawing::arc::sweep(a - centre, b - centre, ccw);
                let ang = (a - centre).to_angle() + sw * 0.5;
                out.push(centre + DVec2::from_angle(ang) * radius);
            }
        }
    }
    if !p.closed {
        if let Some(v) = p.vertices.last() {
            out.push(v.p);
        }
    }
    out
}

/// Nests loops into shapes: each clockwise loop goes to the smallest counter-clockwise
/// loop that contains it.
fn nest(outer: Vec<Path>, holes: Vec<Path>) -> Vec<Shape> {
    let areas: Vec<f64> = outer.iter().map(|p| p.signed_area().abs()).collect();
    let mut shapes: Vec<Shape> = outer
        .into_iter()
        .map(|outline| Shape {
            outline,
            holes: Vec::new(),
        })
        .collect();
    for h in holes {
        let Some(q) = h.vertices.first().map(|v| v.p) else {
            continue;
        };
        let best = shapes
            .iter()
            .enumerate()
            .filter(|(_, s)| contains(&s.outline, q))
            .min_by(|a, b| areas[a.0].total_cmp(&areas[b.0]))
            .map(|(k, _)| k);
        if let Some(k) = best {
            shapes[k].holes.push(h);
        }
    }
    shapes
}

/// The boundary loops of the region made by `shapes`, grown by `delta` (shrunk when
/// negative): every point of the result lies `|delta|` from the original boundary, on its
/// outside for growing and its inside for shrinking. Arcs stay arcs.
///
/// The offset comes from `cavalier_contours`' shape offset, which handles islands and the
/// meeting of neighbouring shapes. Its result is checked point by point (vertices and
/// segment middles must be `|delta|` from the original boundary within `tol`); where the
/// library's stitcher closed a loop with a stray chord, the check fails and the offset is
/// taken from `i_overlay`'s outline offset instead (integer arithmetic, round joins within
/// `tol`, arcs flattened).
///
/// Shapes that cannot meet (shrinking, or growing boxes that stay apart) are offset one
/// group at a time, so a drawing of thousands of letters costs thousands of small offsets.
pub fn offset_region(shapes: &[Shape], delta: f64, tol: f64) -> Vec<Shape> {
    if delta == 0.0 {
        return shapes.to_vec();
    }
    let groups = clusters(shapes, delta.max(0.0) + tol);
    if groups.len() > 1 {
        return groups
            .into_iter()
            .flat_map(|g| {
                let part: Vec<Shape> = g.into_iter().map(|k| shapes[k].clone()).collect();
                offset_group(&part, delta, tol)
            })
            .collect();
    }
    offset_group(shapes, delta, tol)
}

/// Groups of shapes whose boxes, grown by `grow`, overlap (directly or through others).
pub fn clusters(shapes: &[Shape], grow: f64) -> Vec<Vec<usize>> {
    let boxes: Vec<_> = shapes
        .iter()
        .map(|s| s.outline.bounds().inflate(grow))
        .collect();
    let mut parent: Vec<usize> = (0..shapes.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    order.sort_by(|&a, &b| boxes[a].min.x.total_cmp(&boxes[b].min.x));
    let mut active: Vec<usize> = Vec::new();
    for &i in &order {
        active.retain(|&j| boxes[j].max.x >= boxes[i].min.x);
        for &j in &active {
            let (a, b) = (&boxes[i], &boxes[j]);
            if a.min.y <= b.max.y && b.min.y <= a.max.y {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
        active.push(i);
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..shapes.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

/// Shapes in one group above which the offset comes from `i_overlay` directly:
/// `cavalier_contours`' shape offset grows faster than linearly with the loops that meet
/// (a page of text grown by a 3 mm cutter, 12,000 letters in one region: 40 s), the
/// integer sweep of `i_overlay` does not (under a second).
pub const LARGE_GROUP: usize = 256;

/// How far the large-group offset's flattened arcs may stray from the true ones.
pub const LARGE_GROUP_TOLERANCE: f64 = 0.002;

fn offset_group(shapes: &[Shape], delta: f64, tol: f64) -> Vec<Shape> {
    if shapes.len() > LARGE_GROUP {
        return outline_offset(shapes, delta, tol.max(LARGE_GROUP_TOLERANCE));
    }
    let originals: Vec<&Path> = shapes
        .iter()
        .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes))
        .collect();
    let plines = originals
        .iter()
        .map(|p| to_pline(p))
        .filter(|p| p.vertex_count() >= 2);
    let shape = CcShape::from_plines(plines);
    let result = shape.parallel_offset(-delta, &ShapeOffsetOptions::new());
    let outer: Vec<Path> = result
        .ccw_plines
        .iter()
        .map(|p| from_pline(&p.polyline))
        .collect();
    let holes: Vec<Path> = result
        .cw_plines
        .iter()
        .map(|p| from_pline(&p.polyline))
        .collect();
    let want = delta.abs();
    let slack = tol.max(1e-6) + 1e-9 * want.max(1.0);
    let near = Nearest::new(&originals);
    let sound = outer.iter().chain(&holes).all(|p| {
        probe_points(p)
            .into_iter()
            .all(|q| (near.distance(q) - want).abs() <= slack)
    });
    if sound {
        return nest(outer, holes);
    }
    outline_offset(shapes, delta, tol)
}

/// [`offset_region`]'s fallback: `i_overlay`'s outline offset of the flattened shapes.
pub fn outline_offset(shapes: &[Shape], delta: f64, tol: f64) -> Vec<Shape> {
    let flat: Vec<Vec<Vec<DVec2>>> = shapes
        .iter()
        .map(|s| {
            std::iter::once(&s.outline)
                .chain(&s.holes)
                .map(|p| p.flatten(tol * 0.25))
                .collect()
        })
        .collect();
    let angle = 2.0 * (1.0 - (tol * 0.5 / delta.abs()).min(1.0)).dacos();
    let style = OutlineStyle::new(delta).line_join(LineJoin::Round(angle.max(1e-3)));
    let out: Vec<Vec<Vec<DVec2>>> = flat.outline(&style);
    let line_path = |pts: Vec<DVec2>| Path {
        vertices: pts.into_iter().map(Vertex::line).collect(),
        closed: true,
    };
    out.into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut it = s.into_iter();
            let mut outline = line_path(it.next().unwrap_or_default());
            if outline.signed_area() < 0.0 {
                outline.reverse();
            }
            let holes = it
                .map(|h| {
                    let mut h = line_path(h);
                    if h.signed_area() > 0.0 {
                        h.reverse();
                    }
                    h
                })
                .collect();
            Shape { outline, holes }
        })
        .filter(|s| s.outline.vertices.len() >= 3)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Path {
        Path {
            vertices: [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
                .into_iter()
                .map(|(x, y)| Vertex::line(DVec2::new(x, y)))
                .collect(),
            closed: true,
        }
    }

    #[test]
    fn grown_rectangle_has_arc_corners() {
        let s = [Shape {
            outline: rect(0.0, 0.0, 10.0, 5.0),
            holes: vec![],
        }];
        let g = offset_region(&s, 1.5, 1e-4);
        assert_eq!(g.len(), 1);
        let p = &g[0].outline;
        let area = p.signed_area();
        let want = 50.0 + 1.5 * 30.0 + std::f64::consts::PI * 1.5 * 1.5;
        assert!((area - want).abs() < 1e-6, "{area} vs {want}");
        assert_eq!(p.vertices.iter().filter(|v| v.bulge != 0.0).count(), 4);
    }

    #[test]
    fn arc_distance() {
        let s = Segment::Arc {
            a: DVec2::new(1.0, 0.0),
            b: DVec2::new(0.0, 1.0),
            centre: DVec2::ZERO,
            radius: 1.0,
            ccw: true,
        };
        assert!((segment_distance(&s, DVec2::new(2.0, 2.0)) - (8f64.sqrt() - 1.0)).abs() < 1e-12);
        // Off the span: the nearer end.
        assert!((segment_distance(&s, DVec2::new(0.0, -2.0)) - 5f64.sqrt()).abs() < 1e-12);
    }
}

//! From loose pieces to regions: joining pieces whose ends meet, telling whether closed paths
//! cross, and nesting closed paths into outlines and holes by each element's fill rule.
//!
//! Nesting without a boolean keeps arcs exact. It is valid while no two boundaries cross or
//! touch: then every closed path lies wholly inside or wholly outside every other, and the
//! containment tree decides what is inside. The winding number of a face (the area inside a
//! path and outside its children) counts, per element, the orientations (+1 counter-clockwise,
//! −1 clockwise) of the paths round it; even-odd fills odd counts, nonzero any count but 0,
//! and elements are united (a face is inside when any element fills it). When boundaries do
//! cross, `i_overlay` resolves the fill on flattened outlines instead.

use super::{Path, Shape, Vertex};
use crate::geom::{DVec2, Rect};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::float::simplify::SimplifyShape;
use std::collections::HashMap;

/// How an element decides what is inside its closed paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Inside when the winding number is odd.
    EvenOdd,
    /// Inside when the winding number is not zero.
    NonZero,
}

/// A closed path and the element (with its fill rule) it came from.
#[derive(Clone, Debug)]
pub struct Contour {
    /// The closed path.
    pub path: Path,
    /// Index of its element in the rules list.
    pub element: usize,
}

/// Joins open pieces whose ends lie within `tol` of each other into longer paths; a path whose
/// ends meet becomes closed. Pieces are reversed where needed. Greedy, with the ends hashed
/// in cells of `tol` so a drawing of loose lines joins in linear time.
pub fn join(pieces: Vec<Path>, tol: f64) -> Vec<Path> {
    let tol = tol.max(1e-12);
    let cell = |p: DVec2| ((p.x / tol).floor() as i64, (p.y / tol).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<(usize, bool)>> = HashMap::new();
    let ends = |p: &Path| (p.vertices[0].p, p.vertices[p.vertices.len() - 1].p);
    let pieces: Vec<Path> = pieces
        .into_iter()
        .filter(|p| !p.vertices.is_empty())
        .collect();
    for (i, p) in pieces.iter().enumerate() {
        if p.closed {
            continue;
        }
        let (s, e) = ends(p);
        grid.entry(cell(s)).or_default().push((i, false));
        grid.entry(cell(e)).or_default().push((i, true));
    }
    let mut used = vec![false; pieces.len()];
    // The unused piece with an end near `q`: (index, true when that end is its last vertex).
    let find = |q: DVec2, used: &[bool]| -> Option<(usize, bool)> {
        let (cx, cy) = cell(q);
        let mut best: Option<(f64, usize, bool)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &(i, at_end) in grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    if used[i] {
                        continue;
                    }
                    let (s, e) = ends(&pieces[i]);
                    let d = q.distance(if at_end { e } else { s });
                    if d <= tol && best.is_none_or(|b| d < b.0) {
                        best = Some((d, i, at_end));
                    }
                }
            }
        }
        best.map(|b| (b.1, b.2))
    };
    let mut out = Vec::new();
    for i in 0..pieces.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let mut path = pieces[i].clone();
        if path.closed {
            out.push(path);
            continue;
        }
        // Forward from the end, then backward from the start (by reversing).
        for _ in 0..2 {
            loop {
                let end = path.vertices[path.vertices.len() - 1].p;
                if path.vertices.len() > 1 && end.distance(path.vertices[0].p) <= tol {
                    break;
                }
                let Some((j, at_end)) = find(end, &used) else {
                    break;
                };
                used[j] = true;
                let mut next = pieces[j].clone();
                if at_end {
                    next.reverse();
                }
                path.vertices.pop();
                path.vertices.extend(next.vertices);
            }
            path.reverse();
        }
        let n = path.vertices.len();
        // At least two segments must remain: two arcs make a circle, two lines nothing.
        if n > 2 && path.vertices[n - 1].p.distance(path.vertices[0].p) <= tol {
            // The closing vertex duplicates the first; the segment into it stays.
            path.vertices.pop();
            path.closed = true;
        }
        out.push(path);
    }
    out
}

/// True when the boundaries of any two closed paths (or two non-adjacent segments of one)
/// cross or touch, tested on their forms flattened within `tol`. Paths are paired by a sweep
/// over their boxes, and segments within a pair by a sweep along X, so a drawing of many
/// separate shapes costs little more than reading it.
pub fn any_crossing(paths: &[&Path], tol: f64) -> bool {
    let flat: Vec<Vec<DVec2>> = paths.iter().map(|p| p.flatten(tol)).collect();
    let boxes: Vec<Rect> = paths.iter().map(|p| p.bounds()).collect();
    if (0..flat.len()).any(|i| crossing_among(&[(i, &flat[i])])) {
        return true;
    }
    let mut order: Vec<usize> = (0..flat.len()).collect();
    order.sort_by(|&i, &j| boxes[i].min.x.total_cmp(&boxes[j].min.x));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].min.x > boxes[i].max.x {
                break;
            }
            if boxes[j].min.y > boxes[i].max.y || boxes[i].min.y > boxes[j].max.y {
                continue;
            }
            if crossing_among(&[(i, &flat[i]), (j, &flat[j])]) {
                return true;
            }
        }
    }
    false
}

/// A crossing among the closed polygons given (by path index): between two of them, or
/// within one between segments that are not neighbours.
fn crossing_among(polys: &[(usize, &Vec<DVec2>)]) -> bool {
    struct Seg {
        a: DVec2,
        b: DVec2,
        path: usize,
        idx: usize,
        len: usize,
    }
    let mut segs = Vec::new();
    for &(k, pts) in polys {
        let n = pts.len();
        for i in 0..n {
            segs.push(Seg {
                a: pts[i],
                b: pts[(i + 1) % n],
                path: k,
                idx: i,
                len: n,
            });
        }
    }
    let pair = polys.len() > 1;
    segs.sort_by(|s, t| s.a.x.min(s.b.x).total_cmp(&t.a.x.min(t.b.x)));
    for i in 0..segs.len() {
        let s = &segs[i];
        let hi = s.a.x.max(s.b.x);
        for t in &segs[i + 1..] {
            if t.a.x.min(t.b.x) > hi {
                break;
            }
            if s.path == t.path {
                if pair {
                    continue; // each path alone was checked already
                }
                let d = s.idx.abs_diff(t.idx);
                if d <= 1 || d + 1 == s.len {
                    continue; // neighbours share a vertex
                }
            }
            if s.a.y.max(s.b.y) < t.a.y.min(t.b.y) || t.a.y.max(t.b.y) < s.a.y.min(s.b.y) {
                continue;
            }
            if segments_meet(s.a, s.b, t.a, t.b) {
                return true;
            }
        }
    }
    false
}

/// Closed segments `ab` and `cd` share a point (collinear overlaps included).
fn segments_meet(a: DVec2, b: DVec2, c: DVec2, d: DVec2) -> bool {
    let o = |p: DVec2, q: DVec2, r: DVec2| (q - p).perp_dot(r - p);
    let on = |p: DVec2, q: DVec2, r: DVec2| {
        r.x >= p.x.min(q.x) && r.x <= p.x.max(q.x) && r.y >= p.y.min(q.y) && r.y <= p.y.max(q.y)
    };
    let (d1, d2, d3, d4) = (o(c, d, a), o(c, d, b), o(a, b, c), o(a, b, d));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on(c, d, a))
        || (d2 == 0.0 && on(c, d, b))
        || (d3 == 0.0 && on(a, b, c))
        || (d4 == 0.0 && on(a, b, d))
}

/// Even-odd point-in-polygon on a flattened path.
fn inside(pts: &[DVec2], q: DVec2) -> bool {
    let mut c = false;
    let n = pts.len();
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        if (a.y > q.y) != (b.y > q.y) && q.x < a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            c = !c;
        }
    }
    c
}

/// Nests closed paths that do not cross into shapes by the fill rules of their elements (see
/// the module notes). Outlines come out counter-clockwise, holes clockwise.
pub fn nest(contours: Vec<Contour>, rules: &[Rule], tol: f64) -> Vec<Shape> {
    let n = contours.len();
    let area: Vec<f64> = contours.iter().map(|c| c.path.signed_area()).collect();
    let flat: Vec<Vec<DVec2>> = contours.iter().map(|c| c.path.flatten(tol)).collect();
    let boxes: Vec<Rect> = contours.iter().map(|c| c.path.bounds()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| area[j].abs().total_cmp(&area[i].abs()));
    // Parent: the smallest path already placed (so larger) that holds this one's first point.
    let mut parent = vec![usize::MAX; n];
    let mut placed: Vec<usize> = Vec::with_capacity(n);
    for &i in &order {
        let q = contours[i].path.vertices[0].p;
        parent[i] = placed
            .iter()
            .rev()
            .copied()
            .find(|&j| boxes[j].contains(q) && inside(&flat[j], q))
            .unwrap_or(usize::MAX);
        placed.push(i);
    }
    // Fill of each face: winding per element along the chain of ancestors.
    let fill = |i: usize| -> bool {
        let mut w: Vec<(usize, i64)> = Vec::new();
        let mut k = i;
        while k != usize::MAX {
            let e = contours[k].element;
            let o = if area[k] >= 0.0 { 1 } else { -1 };
            match w.iter_mut().find(|x| x.0 == e) {
                Some(x) => x.1 += o,
                None => w.push((e, o)),
            }
            k = parent[k];
        }
        w.iter().any(
            |&(e, c)| match rules.get(e).copied().unwrap_or(Rule::EvenOdd) {
                Rule::EvenOdd => c % 2 != 0,
                Rule::NonZero => c != 0,
            },
        )
    };
    let filled: Vec<bool> = (0..n).map(fill).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for &i in &order {
        match parent[i] {
            usize::MAX => roots.push(i),
            p => children[p].push(i),
        }
    }
    let mut shapes: Vec<Shape> = Vec::new();
    let mut paths: Vec<Option<Path>> = contours.into_iter().map(|c| Some(c.path)).collect();
    // (node, fill outside it, shape it belongs to)
    let mut stack: Vec<(usize, bool, usize)> = roots
        .iter()
        .rev()
        .map(|&r| (r, false, usize::MAX))
        .collect();
    while let Some((i, outside, shape)) = stack.pop() {
        let f = filled[i];
        let mut here = shape;
        if f != outside {
            let mut p = paths[i].take().unwrap_or_default();
            if f {
                if p.signed_area() < 0.0 {
                    p.reverse();
                }
                shapes.push(Shape {
                    outline: p,
                    holes: Vec::new(),
                });
                here = shapes.len() - 1;
            } else if let Some(s) = shapes.get_mut(shape) {
                if p.signed_area() > 0.0 {
                    p.reverse();
                }
                s.holes.push(p);
            }
        }
        for &c in children[i].iter().rev() {
            stack.push((c, f, here));
        }
    }
    shapes
}

/// Fill by `i_overlay` on flattened paths: each element by its own rule, then all united.
/// Used when boundaries cross; arcs there come out as chords within `tol`.
pub fn overlay(contours: &[Contour], rules: &[Rule], tol: f64) -> Vec<Shape> {
    let mut by_elem: HashMap<usize, Vec<Vec<[f64; 2]>>> = HashMap::new();
    for c in contours {
        let pts: Vec<[f64; 2]> = c.path.flatten(tol).iter().map(|p| [p.x, p.y]).collect();
        if pts.len() >= 3 {
            by_elem.entry(c.element).or_default().push(pts);
        }
    }
    let mut all: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut keys: Vec<usize> = by_elem.keys().copied().collect();
    keys.sort_unstable();
    for e in keys {
        let rule = match rules.get(e).copied().unwrap_or(Rule::EvenOdd) {
            Rule::EvenOdd => FillRule::EvenOdd,
            Rule::NonZero => FillRule::NonZero,
        };
        for s in by_elem[&e].simplify_shape(rule) {
            all.extend(s);
        }
    }
    let to_path = |c: &Vec<[f64; 2]>| Path {
        vertices: c
            .iter()
            .map(|p| Vertex::line(DVec2::new(p[0], p[1])))
            .collect(),
        closed: true,
    };
    all.simplify_shape(FillRule::NonZero)
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut outline = to_path(&s[0]);
            if outline.signed_area() < 0.0 {
                outline.reverse();
            }
            let holes = s[1..]
                .iter()
                .map(|h| {
                    let mut h = to_path(h);
                    if h.signed_area() > 0.0 {
                        h.reverse();
                    }
                    h
                })
                .collect();
            Shape { outline, holes }
        })
        .collect()
}

/// Regions from closed paths: nested exactly when no boundaries cross, else by `i_overlay`
/// (with a notice pushed, since arcs there are flattened).
pub fn regions(
    contours: Vec<Contour>,
    rules: &[Rule],
    tol: f64,
    notices: &mut Vec<String>,
) -> Vec<Shape> {
    let refs: Vec<&Path> = contours.iter().map(|c| &c.path).collect();
    if any_crossing(&refs, tol) {
        notices.push(
            "some closed paths cross or touch: their fill was resolved on flattened outlines, so arcs among them are now short lines"
                .into(),
        );
        overlay(&contours, rules, tol)
    } else {
        nest(contours, rules, tol)
    }
}

//! An approximation of a shape's medial axis from the constrained Delaunay triangulation of
//! its densely sampled boundary (`spade`).
//!
//! The boundary (outline and holes, arcs flattened) is sampled at a spacing `h` and
//! triangulated with every sampled edge as a constraint. Triangles are told inside from
//! outside by parity: a flood fill from the outer face flips at every constraint edge.
//!
//! The circumcentre of a Delaunay triangle is a vertex of the Voronoi diagram of the
//! samples: the centre of an empty circle through three boundary samples. Inside the shape
//! these vertices lie on (or within about `h²/w` of, `w` the local width) the medial axis,
//! the set of centres of maximal inscribed circles. Joining the circumcentres of inside
//! triangles that share an unconstrained edge gives the inside's dual graph: a tree for a
//! shape without holes, one cycle per hole otherwise. The Voronoi edges that cross the
//! boundary (the "hairs" between neighbouring samples of one wall) are exactly those dual
//! to constraint edges, so they never appear and no pruning is needed.
//!
//! A triangle with two constraint edges is an ear: the boundary turns sharply at the sample
//! between them (a convex corner), where the true medial axis ends. That sample is added as
//! a node joined to the ear, so the axis reaches into every sharp corner.
//!
//! A circumcentre often lies outside its own triangle (slivers across a corner, whose
//! circle is nearly shared by four samples); it is located in the triangulation and kept
//! when it falls in an inside triangle, otherwise the triangle's centroid stands in for it.
//! Either way every node is inside the sampled boundary, and its depth is computed
//! afterwards from the exact distance to the drawing's boundary, not from the circle.

use crate::drawing::Shape;
use crate::geom::DVec2;
use spade::handles::{FixedFaceHandle, InnerTag};
use spade::{ConstrainedDelaunayTriangulation, Point2, PositionInTriangulation, Triangulation};
use std::collections::VecDeque;

/// The medial-axis graph: node positions and undirected edges.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Node positions.
    pub pos: Vec<DVec2>,
    /// Edges as pairs of node indices.
    pub edges: Vec<[u32; 2]>,
}

/// Boundary samples no farther apart than `h` along each loop of the shape, arcs flattened
/// within `ftol`; with the constraint edges joining each loop's samples in order.
fn samples(shape: &Shape, h: f64, ftol: f64) -> (Vec<Point2<f64>>, Vec<[usize; 2]>) {
    let mut pts = Vec::new();
    let mut edges = Vec::new();
    for p in std::iter::once(&shape.outline).chain(&shape.holes) {
        let mut flat = p.flatten(ftol);
        flat.dedup_by(|a, b| a.distance(*b) < 1e-9);
        while flat.len() > 1 && flat[0].distance(flat[flat.len() - 1]) < 1e-9 {
            flat.pop();
        }
        if flat.len() < 3 {
            continue;
        }
        let first = pts.len();
        let n = flat.len();
        for i in 0..n {
            let (a, b) = (flat[i], flat[(i + 1) % n]);
            let m = (a.distance(b) / h).ceil().max(1.0) as usize;
            for k in 0..m {
                let q = a + (b - a) * (k as f64 / m as f64);
                pts.push(Point2::new(q.x, q.y));
            }
        }
        let count = pts.len() - first;
        for i in 0..count {
            edges.push([first + i, first + (i + 1) % count]);
        }
    }
    (pts, edges)
}

fn v2(p: Point2<f64>) -> DVec2 {
    DVec2::new(p.x, p.y)
}

/// The medial-axis graph of `shape`, from boundary samples `h` apart (arcs flattened within
/// `ftol`). Empty when the shape is degenerate or the triangulation fails.
pub fn medial_graph(shape: &Shape, h: f64, ftol: f64) -> Graph {
    let (pts, edges) = samples(shape, h, ftol);
    if pts.len() < 3 {
        return Graph::default();
    }
    let Ok(cdt) =
        ConstrainedDelaunayTriangulation::<Point2<f64>>::try_bulk_load_cdt(pts, edges, |_| {})
    else {
        return Graph::default();
    };
    // Inside by parity, flood-filled from the faces on the convex hull.
    const UNSET: u8 = u8::MAX;
    let mut parity = vec![UNSET; cdt.num_all_faces()];
    let mut queue: VecDeque<FixedFaceHandle<InnerTag>> = VecDeque::new();
    for f in cdt.inner_faces() {
        for e in f.adjacent_edges() {
            if e.rev().face().is_outer() && parity[f.fix().index()] == UNSET {
                parity[f.fix().index()] = e.is_constraint_edge() as u8;
                queue.push_back(f.fix());
            }
        }
    }
    while let Some(ff) = queue.pop_front() {
        let f = cdt.face(ff);
        let pf = parity[ff.index()];
        for e in f.adjacent_edges() {
            if let Some(g) = e.rev().face().as_inner() {
                let gi = g.fix().index();
                if parity[gi] == UNSET {
                    parity[gi] = pf ^ e.is_constraint_edge() as u8;
                    queue.push_back(g.fix());
                }
            }
        }
    }
    let mut node = vec![u32::MAX; cdt.num_all_faces()];
    let mut g = Graph::default();
    for f in cdt.inner_faces() {
        let fi = f.fix().index();
        if parity[fi] != 1 {
            continue;
        }
        let tri = f.positions();
        let cc = v2(f.circumcenter());
        let hint = f.vertices()[0].fix();
        let ok = cc.is_finite()
            && match cdt.locate_with_hint(Point2::new(cc.x, cc.y), hint) {
                PositionInTriangulation::OnFace(h) => parity[h.index()] == 1,
                PositionInTriangulation::OnEdge(e) => {
                    let e = cdt.directed_edge(e);
                    [e.face(), e.rev().face()]
                        .iter()
                        .any(|g| parity[g.fix().index()] == 1)
                }
                PositionInTriangulation::OnVertex(_) => true,
                _ => false,
            };
        let p = if ok {
            cc
        } else {
            (v2(tri[0]) + v2(tri[1]) + v2(tri[2])) / 3.0
        };
        node[fi] = g.pos.len() as u32;
        g.pos.push(p);
    }
    for f in cdt.inner_faces() {
        let fi = f.fix().index();
        if parity[fi] != 1 {
            continue;
        }
        let es = f.adjacent_edges();
        for (i, e) in es.iter().enumerate() {
            if e.is_constraint_edge() {
                // An ear: two constraint edges meeting at a corner sample.
                if es[(i + 1) % 3].is_constraint_edge() {
                    let corner = g.pos.len() as u32;
                    g.pos.push(v2(e.to().position()));
                    g.edges.push([node[fi], corner]);
                }
                continue;
            }
            if let Some(n) = e.rev().face().as_inner() {
                let ni = n.fix().index();
                if parity[ni] == 1 && ni > fi {
                    g.edges.push([node[fi], node[ni]]);
                }
            }
        }
    }
    g
}

/// The graph cut into branches: chains of nodes between nodes whose degree is not 2 (and
/// whole cycles where every node has degree 2). Each branch lists its nodes in order, ends
/// included; a cycle starts and ends at the same node.
pub fn branches(g: &Graph) -> Vec<Vec<u32>> {
    let n = g.pos.len();
    let mut adj: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    for (k, &[a, b]) in g.edges.iter().enumerate() {
        if a == b {
            continue;
        }
        adj[a as usize].push((b, k as u32));
        adj[b as usize].push((a, k as u32));
    }
    let mut used = vec![false; g.edges.len()];
    let mut out = Vec::new();
    let walk = |start: u32, first: (u32, u32), used: &mut Vec<bool>| -> Vec<u32> {
        let mut chain = vec![start];
        let (mut at, mut via) = first;
        used[via as usize] = true;
        loop {
            chain.push(at);
            if adj[at as usize].len() != 2 || at == start {
                break;
            }
            let Some(&(next, e)) = adj[at as usize].iter().find(|&&(_, e)| e != via) else {
                break;
            };
            if used[e as usize] {
                break;
            }
            used[e as usize] = true;
            (at, via) = (next, e);
        }
        chain
    };
    // Branches from the ends and junctions first, then the cycles that remain.
    for cycles in [false, true] {
        for (s, list) in adj.iter().enumerate() {
            if !cycles && list.len() == 2 {
                continue;
            }
            for &first in list {
                if !used[first.1 as usize] {
                    out.push(walk(s as u32, first, &mut used));
                }
            }
        }
    }
    out
}

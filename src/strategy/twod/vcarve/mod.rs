//! V-carving: a cone whose depth at each point follows the width of the shape there.
//!
//! # The surface it cuts
//!
//! With the material top at `top`, the cone's half angle `α` (`t = tan α`) and `d(x)` the
//! distance from `x` to the shape's boundary (holes included), the ideal carved surface is
//!
//! ```text
//! z(x) = top − min(d(x), r_cap) / t,    r_cap = min(max_depth · t, cone radius)
//! ```
//!
//! A cone whose axis stands at `c` with its tip at `top − r/t` cuts, at `x`, the height
//! `top − r/t + |x − c|/t`. When `r ≤ min(d(c), r_cap)` that is never below `z(x)`, since
//! `d(x) ≥ d(c) − |x − c|` (the distance is 1-Lipschitz): no position of that kind gouges
//! the walls or the floor, and its radius at the top, `r`, is within the distance to the
//! boundary, so it never cuts outside the shape. And every point `x` is cut exactly by the
//! position at the far end of its nearest boundary point's normal, where that normal meets
//! the medial axis (the centres of maximal inscribed circles): there `|x − c| = d(c) − d(x)`.
//! So the tool runs along the medial axis with `r = min(d, r_cap)`.
//!
//! # Method
//!
//! 1. The medial axis of each shape is approximated by the Voronoi vertices of its
//!    densely sampled boundary, from a constrained Delaunay triangulation ([`axis`]; the
//!    samples are three tolerances apart, so a long drawing's cost grows with its length
//!    over the tolerance). The graph is cut into branches between its junctions and
//!    ends. The positions only steer the tool: every depth comes from the exact distance.
//! 2. Each node's radius is `min(d, r_cap)` with `d` the exact distance to the drawing's
//!    lines and arcs ([`field`]). Each branch is simplified (Douglas–Peucker on
//!    `(x, y, r)`, within a quarter of `tolerance · t`, which keeps the depth within half
//!    the tolerance of what the full branch cuts).
//! 3. Every straight move is then checked along its length (sphere tracing on the exact
//!    distance, not only at its ends): where the cone's radius at the top would exceed the
//!    distance to the boundary, a node is added there at its own safe radius, until the
//!    whole move keeps within half the tolerance (in depth and in radius).
//! 4. Where the shape is wider than `2 r_cap` the depth is capped: the cone runs at the
//!    capped depth along the boundary offset inwards by `r_cap` (which cuts the walls
//!    exactly), and the flat floor inside is cleared at that depth by further offset rings
//!    `s = 2 · tolerance · t` apart. Between two passes `s` apart the tip leaves a ridge
//!    `s / (2t)` high, so the ridges are at most `tolerance` high; the medial axis, also
//!    run at the capped depth, bounds the innermost gap in the same way.
//! 5. Moves: the axis branches of a shape are walked depth-first from the end nearest the
//!    tool, the shortest branch first at each junction, so a connected axis is cut in one
//!    pass; at a dead end the tool runs back along what it has cut to the nearest
//!    unfinished junction when that is short (under `8 r_cap`), and otherwise, like between
//!    shapes, it lifts. The floor's rings are taken nearest first over all of them, each
//!    entered at its point nearest the tool, so one pocket of floor is finished before the
//!    next. A move between cuts is fed straight instead of lifted when both its ends are
//!    deeper than the slack and it passes the check of step 3 (so it cannot leave the
//!    shape). Entries are rapids to just above the top, then a plunge at the feed.
//!
//! Open paths are not carved (a V-carve needs a region). Shapes are taken nearest first.
//!
//! For arc fitting the toolpath says where the walls are ([`Wall`]). The floor's first
//! ring cuts the walls: its region is on its left, so the wall on its right, and an arc
//! may only move it inwards. Ring `k ≥ 1` lies `k s` (less the offset tolerance) further
//! in, where the cone at the capped depth cuts nothing but floor, so it may move either way
//! by that much ([`Wall::Room`]); what moving costs is ridge, not gouge: a gap wider by `δ`
//! leaves its ridge `δ / (2t)` higher, the flanks `δ cos α` further out along their
//! normal, within the arc tolerance. The axis and the links are [`Wall::Fixed`]: the cone
//! there is within the tolerance of the walls on both sides.

use crate::geom::Det;
mod axis;
mod field;

use super::{f3, follow, geometry, Links};
use crate::drawing::{arc, Drawing, Path, Shape, Vertex};
use crate::geom::DVec2;
use crate::job::{Resolved, VcarveSpec};
use crate::strategy::Cancelled;
use crate::toolpath::{Move, Toolpath, Wall};
use field::Boundary;

/// The toolpath that carves every closed shape of the drawing.
pub fn generate(
    d: &Drawing,
    s: &VcarveSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let top = s.z_top.unwrap_or(0.0);
    let half = match res.cutter.shape() {
        crate::cutter::Shape::Cone { angle_deg } => (angle_deg * 0.5).to_radians(),
        _ => return Ok(Toolpath::new()),
    };
    let t = half.dtan();
    let tol = s.tolerance;
    let r_cap = (s.max_depth * t).min(res.cutter.radius());
    let perimeter: f64 = d
        .shapes
        .iter()
        .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes))
        .map(|p| {
            p.flatten(tol)
                .windows(2)
                .map(|w| w[0].distance(w[1]))
                .sum::<f64>()
        })
        .sum();
    // The sample spacing: three times the tolerance (the letters test still passes at
    // eight times), coarser only for a drawing so long that it would take more than four
    // million samples.
    let h = (3.0 * tol).max(perimeter / 4.0e6);
    let mut c = Carver {
        tp: Toolpath::new(),
        links: Links::new(res, top),
        top,
        t,
        r_cap,
        slack: 0.5 * tol * t.min(1.0),
        simplify: 0.25 * tol * t,
        ring_step: 2.0 * tol * t,
        reach: 8.0 * r_cap,
        tol,
        done: 0.0,
        at: None,
    };
    let order = nearest_shapes(&d.shapes);
    for (n, &k) in order.iter().enumerate() {
        c.done = n as f32 / order.len().max(1) as f32;
        if !progress(c.done) {
            return Err(Cancelled);
        }
        c.shape(&d.shapes[k], h, progress)?;
    }
    c.lift();
    progress(1.0);
    Ok(c.tp)
}

/// Shapes in a greedy nearest-next order of their outlines' first points, from the origin.
fn nearest_shapes(shapes: &[Shape]) -> Vec<usize> {
    let paths: Vec<&Path> = shapes
        .iter()
        .map(|s| &s.outline)
        .filter(|p| !p.vertices.is_empty())
        .collect();
    let index: Vec<usize> = shapes
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.outline.vertices.is_empty())
        .map(|(k, _)| k)
        .collect();
    super::engrave::nearest_first(&paths)
        .into_iter()
        .map(|k| index[k])
        .collect()
}

/// A node of a cut: where the axis is and the cone's radius at the top there.
type Node = (DVec2, f64);

/// The toolpath being written and where the tool is.
struct Carver {
    tp: Toolpath,
    links: Links,
    top: f64,
    /// tan of the half angle.
    t: f64,
    r_cap: f64,
    /// How far the cone's radius at the top may exceed the distance to the boundary.
    slack: f64,
    /// Douglas–Peucker tolerance on `(x, y, r)`.
    simplify: f64,
    ring_step: f64,
    /// Longest run back along cut branches, or straight link, instead of a lift.
    reach: f64,
    tol: f64,
    /// The fraction of the work done, for progress reports from inside a shape.
    done: f32,
    /// The tool's node when it is down in the material.
    at: Option<Node>,
}

impl Carver {
    fn z(&self, r: f64) -> f64 {
        self.top - r / self.t
    }

    fn lift(&mut self) {
        if self.at.take().is_some() {
            self.links.retract(&mut self.tp);
        }
    }

    fn feed(&mut self, n: Node) {
        self.tp.push(Move::Feed, f3(n.0, self.z(n.1)));
        self.at = Some(n);
    }

    /// Brings the tool down to `n` (in the shape whose boundary is `b`): fed straight from
    /// where it is when that move passes the check and is short, otherwise lifted, moved
    /// across and plunged.
    fn start_at(&mut self, b: &Boundary, n: Node) {
        if let Some(a) = self.at {
            if a.0.distance(n.0) < 1e-9 && (a.1 - n.1).abs() < 1e-9 {
                return;
            }
            // With both ends deeper than the slack, a link that left the shape would have
            // to cross the boundary deep, which the check sees; shallower ends lift.
            if a.1.min(n.1) > self.slack
                && a.0.distance(n.0) <= self.reach
                && b.first_excess(a.0, a.1, n.0, n.1, self.slack).is_none()
            {
                self.feed(n);
                return;
            }
        }
        self.lift();
        self.links.rapid_to(&mut self.tp, n.0);
        self.tp.push(Move::Plunge, f3(n.0, self.z(n.1)));
        self.at = Some(n);
    }

    /// Carves one shape: its medial axis, then the rings of its capped floor.
    fn shape(
        &mut self,
        shape: &Shape,
        h: f64,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<(), Cancelled> {
        // Shapes are apart: the tool lifts between them.
        self.lift();
        let b = Boundary::new(shape);
        let g = axis::medial_graph(shape, h, 0.05 * self.tol);
        let limit = self.r_cap + self.slack;
        let radius: Vec<f64> = g
            .pos
            .iter()
            .map(|&p| b.distance(p, limit).min(self.r_cap))
            .collect();
        let widest = radius.iter().copied().fold(0.0, f64::max);
        let branches: Vec<Branch> = axis::branches(&g)
            .into_iter()
            .map(|ids| {
                let pts: Vec<Node> = ids
                    .iter()
                    .map(|&i| (g.pos[i as usize], radius[i as usize]))
                    .collect();
                let pts = self.secure(&b, simplify(&pts, self.simplify));
                Branch {
                    ends: [ids[0], ids[ids.len() - 1]],
                    len: pts.windows(2).map(|w| w[0].0.distance(w[1].0)).sum(),
                    pts,
                }
            })
            .collect();
        self.tp.set_wall(Wall::Fixed);
        self.walk(&b, &branches, g.pos.len());
        if widest >= self.r_cap - 1e-9 && self.r_cap > 0.0 {
            self.rings(&b, shape, progress)?;
        }
        Ok(())
    }

    /// Checks every move of a polyline along its length and adds nodes where the cone
    /// would reach out of the shape (see [`Boundary::first_excess`]).
    fn secure(&self, b: &Boundary, pts: Vec<Node>) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::with_capacity(pts.len());
        let limit = self.r_cap + self.slack;
        for q in pts {
            let Some(&p0) = out.last() else {
                out.push(q);
                continue;
            };
            let mut todo = vec![q];
            let mut p = p0;
            while let Some(&q) = todo.last() {
                match b.first_excess(p.0, p.1, q.0, q.1, self.slack) {
                    None => {
                        out.push(q);
                        p = q;
                        todo.pop();
                    }
                    Some(s) => {
                        let m = p.0 + (q.0 - p.0) * s;
                        let n = (m, b.distance(m, limit).min(self.r_cap));
                        todo.push(n);
                    }
                }
            }
        }
        out
    }

    /// Walks the branches depth-first from the end nearest the tool, running back along
    /// cut branches to unfinished junctions when that is shorter than a lift.
    fn walk(&mut self, b: &Boundary, branches: &[Branch], nodes: usize) {
        let mut at_node: Vec<Vec<(usize, bool)>> = vec![Vec::new(); nodes];
        for (k, br) in branches.iter().enumerate() {
            at_node[br.ends[0] as usize].push((k, true));
            at_node[br.ends[1] as usize].push((k, false));
        }
        let mut used = vec![false; branches.len()];
        let pos_of = |n: u32, k: usize| -> Node {
            let br = &branches[k];
            if br.ends[0] == n {
                br.pts[0]
            } else {
                br.pts[br.pts.len() - 1]
            }
        };
        loop {
            let here = self.here();
            // The next start: an end of the axis (a node on one branch) if any is left,
            // else any node with a branch left; the nearest of them.
            let mut best: Option<(bool, f64, u32, usize)> = None;
            for (n, list) in at_node.iter().enumerate() {
                let Some(&(k, _)) = list.iter().find(|(k, _)| !used[*k]) else {
                    continue;
                };
                let leaf = list.len() == 1;
                let dist = pos_of(n as u32, k).0.distance_squared(here);
                let better = match best {
                    None => true,
                    Some((l, dd, _, _)) => (leaf && !l) || (leaf == l && dist < dd),
                };
                if better {
                    best = Some((leaf, dist, n as u32, k));
                }
            }
            let Some((_, _, start, k0)) = best else {
                break;
            };
            self.start_at(b, pos_of(start, k0));
            // The stack of nodes walked through, with the branch that led to each.
            let mut stack: Vec<(u32, Option<(usize, bool)>)> = vec![(start, None)];
            loop {
                let (u, _) = stack[stack.len() - 1];
                // The shortest branch first: short dead ends are cheap to run back from,
                // and the longest is left for last, where no run back is needed.
                let next = at_node[u as usize]
                    .iter()
                    .filter(|(k, _)| !used[*k])
                    .min_by(|a, b| branches[a.0].len.total_cmp(&branches[b.0].len))
                    .copied();
                if let Some((k, forward)) = next {
                    used[k] = true;
                    let br = &branches[k];
                    let (v, pts): (u32, Vec<Node>) = if forward {
                        (br.ends[1], br.pts.clone())
                    } else {
                        (br.ends[0], br.pts.iter().rev().copied().collect())
                    };
                    self.start_at(b, pts[0]);
                    for &p in &pts[1..] {
                        self.feed(p);
                    }
                    stack.push((v, Some((k, forward))));
                    continue;
                }
                // A dead end: back to the nearest node on the stack with a branch left.
                let mut j = stack.len() - 1;
                let mut back = 0.0;
                while j > 0 {
                    if let Some((k, _)) = stack[j].1 {
                        back += branches[k].len;
                    }
                    j -= 1;
                    if at_node[stack[j].0 as usize].iter().any(|(k, _)| !used[*k]) {
                        break;
                    }
                }
                if j == 0 && !at_node[stack[0].0 as usize].iter().any(|(k, _)| !used[*k]) {
                    break;
                }
                if back <= self.reach {
                    while stack.len() > j + 1 {
                        let Some((_, Some((k, forward)))) = stack.pop() else {
                            break;
                        };
                        let br = &branches[k];
                        let pts: Vec<Node> = if forward {
                            br.pts.iter().rev().copied().collect()
                        } else {
                            br.pts.clone()
                        };
                        for &p in &pts[1..] {
                            self.feed(p);
                        }
                    }
                } else {
                    stack.truncate(j + 1);
                }
            }
        }
    }

    /// The capped floor: rings at the capped depth, from the boundary offset by `r_cap`
    /// inwards, `ring_step` apart.
    fn rings(
        &mut self,
        b: &Boundary,
        shape: &Shape,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<(), Cancelled> {
        let one = [shape.clone()];
        let offset_tol = 0.1 * self.tol;
        // Each ring with how far an arc may move it (see the module doc).
        let mut paths: Vec<(Path, Wall)> = Vec::new();
        for k in 0.. {
            if k % 16 == 15 && !progress(self.done) {
                return Err(Cancelled);
            }
            let delta = self.r_cap + k as f64 * self.ring_step;
            let inner = geometry::offset_region(&one, -delta, offset_tol);
            if inner.is_empty() {
                break;
            }
            let room = k as f64 * self.ring_step - 2.0 * offset_tol;
            let wall = if k > 0 && room > 0.0 {
                Wall::Room(room as f32)
            } else {
                Wall::Right
            };
            paths.extend(
                inner
                    .into_iter()
                    .flat_map(|s| std::iter::once(s.outline).chain(s.holes))
                    .filter(|p| p.vertices.len() >= 2)
                    .map(|p| (p, wall)),
            );
        }
        // Nearest loop next, over all the rings: the tool finishes one pocket of the floor
        // (ring after ring, each a step from the last) before it lifts to the next.
        while !paths.is_empty() {
            let here = self.here();
            let (i, j, m, _) = paths
                .iter()
                .enumerate()
                .flat_map(|(i, (p, _))| {
                    p.segments().enumerate().map(move |(j, sg)| {
                        let m = super::geometry::nearest_point(&sg, here);
                        (i, j, m, m.distance_squared(here))
                    })
                })
                .min_by(|a, b| a.3.total_cmp(&b.3))
                .unwrap_or((0, 0, DVec2::ZERO, 0.0));
            let (mut p, wall) = paths.swap_remove(i);
            if p.closed {
                p = start_loop_at(&p, j, m);
            }
            let start = p.vertices[0].p;
            self.tp.set_wall(Wall::Fixed);
            self.start_at(b, (start, self.r_cap));
            let z = self.z(self.r_cap);
            self.tp.set_wall(wall);
            follow(&mut self.tp, &p, z);
            let end = p.vertices.last().map_or(start, |v: &Vertex| v.p);
            self.at = Some((if p.closed { start } else { end }, self.r_cap));
        }
        Ok(())
    }

    /// Where the tool is seen from above (the origin before the first move).
    fn here(&self) -> DVec2 {
        self.at.map_or_else(
            || {
                self.tp
                    .last()
                    .map_or(DVec2::ZERO, |p| DVec2::new(p[0] as f64, p[1] as f64))
            },
            |a| a.0,
        )
    }
}

/// The closed path `p` started at `m`, a point of its segment `j` (split there, an arc into
/// two arcs of the same circle).
fn start_loop_at(p: &Path, j: usize, m: DVec2) -> Path {
    let n = p.vertices.len();
    let v = p.vertices[j];
    let b = p.vertices[(j + 1) % n].p;
    let mut out = Vec::with_capacity(n + 2);
    let (first, last) = if m.distance(v.p) < 1e-9 {
        (v.bulge, None)
    } else if m.distance(b) < 1e-9 {
        return rotated(p, (j + 1) % n);
    } else if v.bulge == 0.0 {
        (0.0, Some(Vertex::line(v.p)))
    } else {
        let (c, _) = arc::centre_radius(v.p, b, v.bulge);
        let ccw = v.bulge > 0.0;
        let whole = 4.0 * v.bulge.datan();
        let part = arc::sweep(v.p - c, m - c, ccw);
        (
            arc::bulge(whole - part),
            Some(Vertex {
                p: v.p,
                bulge: arc::bulge(part),
            }),
        )
    };
    out.push(Vertex { p: m, bulge: first });
    for k in 1..n {
        out.push(p.vertices[(j + k) % n]);
    }
    if let Some(l) = last {
        out.push(l);
    } else {
        // `m` is vertex `j` itself: the loop is just rotated.
        return rotated(p, j);
    }
    Path {
        vertices: out,
        closed: true,
    }
}

fn rotated(p: &Path, j: usize) -> Path {
    let mut q = p.clone();
    q.vertices.rotate_left(j);
    q
}

/// One branch of the axis between two nodes of the graph.
struct Branch {
    ends: [u32; 2],
    pts: Vec<Node>,
    len: f64,
}

/// Douglas–Peucker on `(x, y, r)`: keeps the nodes that the chord between kept nodes would
/// miss by more than `eps` in position or in radius.
fn simplify(pts: &[Node], eps: f64) -> Vec<Node> {
    let n = pts.len();
    if n <= 2 {
        return pts.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((i, j)) = stack.pop() {
        if j <= i + 1 {
            continue;
        }
        let (a, b) = (pts[i], pts[j]);
        let d = b.0 - a.0;
        let l2 = d.length_squared();
        let mut worst = (0.0, i);
        for (k, &(p, r)) in pts.iter().enumerate().take(j).skip(i + 1) {
            let s = if l2 > 0.0 {
                ((p - a.0).dot(d) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let e = p
                .distance(a.0 + d * s)
                .max((r - (a.1 + (b.1 - a.1) * s)).abs());
            if e > worst.0 {
                worst = (e, k);
            }
        }
        if worst.0 > eps {
            keep[worst.1] = true;
            stack.push((i, worst.1));
            stack.push((worst.1, j));
        }
    }
    pts.iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| *p)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_started_inside_an_arc_keeps_its_shape() {
        let p = Path {
            vertices: vec![
                Vertex {
                    p: DVec2::new(0.0, 0.0),
                    bulge: 0.0,
                },
                Vertex {
                    p: DVec2::new(4.0, 0.0),
                    bulge: 1.0,
                },
                Vertex {
                    p: DVec2::new(4.0, 4.0),
                    bulge: 0.0,
                },
            ],
            closed: true,
        };
        let segs: Vec<crate::drawing::Segment> = p.segments().collect();
        for (j, q) in [(1, DVec2::new(9.0, 2.5)), (0, DVec2::new(1.5, -3.0))] {
            let m = crate::strategy::twod::geometry::nearest_point(&segs[j], q);
            let r = start_loop_at(&p, j, m);
            assert_eq!(r.vertices[0].p, m);
            assert!((r.signed_area() - p.signed_area()).abs() < 1e-9);
            assert_eq!(r.vertices.len(), 4);
        }
        // On the arc: 2 from its centre (4, 2), towards q.
        let m = crate::strategy::twod::geometry::nearest_point(&segs[1], DVec2::new(9.0, 2.0));
        assert!((m - DVec2::new(6.0, 2.0)).length() < 1e-12);
    }

    #[test]
    fn simplify_keeps_depth_changes() {
        let pts: Vec<Node> = (0..=10)
            .map(|i| {
                let x = i as f64;
                (DVec2::new(x, 0.0), if i == 5 { 1.0 } else { 0.5 })
            })
            .collect();
        let s = simplify(&pts, 0.01);
        assert_eq!(s.len(), 5);
        assert_eq!(s[2], pts[5]);
    }
}

//! Pencil finishing: single passes along the concave corners and tight fillets of the
//! model, where a ball touches it at two points at once. These are the tracks a larger
//! finishing tool could not reach into.
//!
//! # Where the tracks are
//!
//! With a ball of radius `R`, the cutter-location (CL) surface is the model grown by the
//! ball (its offset at distance `R`), lowered by `R`; its normal at a CL point is the
//! *contact normal*, the unit vector from the point where the ball touches the model to
//! the ball's centre. A grown solid has no convex crease (every point of its boundary is
//! touched from outside by the ball itself), so wherever the contact normal jumps, the
//! CL surface has a concave crease — the ball touches two surfaces at once there — or a
//! cliff that drop-cutter sees from above (the ball hanging beside a vertical wall), at
//! whose foot the ball touches the wall with its side and the lower surface with its
//! bottom. Both are pencil tracks.
//!
//! So the model is sampled on a grid every `sampling`: drop-cutter height, and the contact
//! normal from the triangle that decided the height (the point of that triangle nearest the
//! ball's centre). A grid edge whose two ends' normals differ by at least `min_angle` may
//! cross a crease; it is bisected, each midpoint going to the end whose normal is nearer
//! its own, until the bracket is under a quarter of the tolerance. If the normals at the
//! two ends of that bracket still differ by `min_angle`, the edge crosses a crease: the
//! bracket's lower end is the track point (at a cliff, pushed off its foot, so the ball
//! clears the wall between track points too: up to three quarters of the tolerance). Where the normals turn smoothly (a ball rolling over a
//! convex edge, a fillet the ball fits in) the bracket's ends agree and nothing is found.
//! Faceted fillets wider than the ball crease by their facet angle, which is what
//! `min_angle` is for. Samples where the ball rests on the operation's floor and not on
//! the model have no contact: the floor is no surface of the part, so the outside foot
//! of a part standing on it is no corner.
//!
//! The crease points, one per grid edge at most, are joined within each cell, as marching
//! squares joins contour crossings: two in a cell are one piece of track; four are two
//! tracks, paired by their normals; of three, the one nearest the other two is where they
//! meet.
//! The pieces chain into polylines, open or closed, and each polyline is straightened
//! where that moves it by less than a quarter of the tolerance.
//!
//! # Cutting
//!
//! Each track (and, with `passes`, its offsets a `stepover` apart either side in XY, for a
//! larger tool's leftovers) is cut at drop-cutter height along its XY polyline, sampled
//! and refined between samples as parallel finishing's lines are ([`Surface::line`]), so
//! no move dips below the CL surface by more than the tolerance. Tracks are taken
//! nearest-first from where the tool is, each with its passes, outermost first (a corner is
//! finished before the tool moves on); each path from its nearer end (a closed one from its
//! nearest point). A track within a cutter diameter of the last is reached by a feed over
//! the surface (also at drop-cutter height, so free); otherwise the tool lifts to safe
//! height. Climb or conventional means nothing for the track itself (the material is on
//! both sides of the ball), so each track runs the way that is nearer.

use super::polyline::drop_collinear;
use super::surface::{cut_along, entry, retract, Surface};
use super::{map_all, Cancelled};
use crate::geom::{closest_on_triangle, DVec2, DVec3, Det};
use crate::job::{PencilSpec, Resolved};
use crate::model::Model;
use crate::toolpath::Toolpath;

/// Where a ball, dropped on the model, rests: the tip height and the contact normal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contact {
    /// Tip height (drop-cutter).
    pub z: f64,
    /// Unit vector from the contact point to the ball's centre.
    pub n: DVec3,
}

/// The ball's contact with the model at `(x, y)`, or `None` where it rests on the floor
/// (or on nothing). `hint` carries the deciding triangle between nearby queries.
pub fn contact(s: &Surface, p: DVec2, hint: &mut Option<u32>) -> Option<Contact> {
    let z = s
        .model
        .drop_cutter_hinted(s.cutter, p.x, p.y, s.floor, hint)?;
    let t = (*hint)? as usize;
    let tri = s.model.mesh().triangles().get(9 * t..9 * t + 9)?;
    let r = s.cutter.radius();
    // Relative to the axis: the contact maths then sees small numbers.
    let v = |k: usize| {
        DVec3::new(
            tri[k] as f64 - p.x,
            tri[k + 1] as f64 - p.y,
            tri[k + 2] as f64 - z,
        )
    };
    let centre = DVec3::new(0.0, 0.0, r);
    let q = closest_on_triangle(centre, v(0), v(3), v(6));
    let n = (centre - q).try_normalize().unwrap_or(DVec3::Z);
    Some(Contact { z, n })
}

/// Drop-cutter contacts on a square grid.
struct Grid {
    x0: f64,
    y0: f64,
    step: f64,
    nx: usize,
    ny: usize,
    nodes: Vec<Option<Contact>>,
}

impl Grid {
    fn point(&self, i: usize, j: usize) -> DVec2 {
        DVec2::new(
            self.x0 + i as f64 * self.step,
            self.y0 + j as f64 * self.step,
        )
    }

    fn at(&self, i: usize, j: usize) -> Option<Contact> {
        self.nodes[i + j * self.nx]
    }
}

/// Rows sampled between two progress reports.
const ROWS: usize = 16;

/// Samples contacts over `res.area` grown by two steps (so a track along the area's edge
/// is found from both sides), every `step` exactly.
fn sample_grid(
    s: &Surface,
    res: &Resolved,
    step: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Grid, Cancelled> {
    let area = res.area.inflate(2.0 * step);
    let nx = (area.width() / step).ceil() as usize + 1;
    let ny = (area.height() / step).ceil() as usize + 1;
    let mut g = Grid {
        x0: area.min.x,
        y0: area.min.y,
        step,
        nx,
        ny,
        nodes: Vec::with_capacity(nx * ny),
    };
    let rows: Vec<usize> = (0..ny).collect();
    for chunk in rows.chunks(ROWS) {
        if !progress(chunk[0] as f32 / ny as f32) {
            return Err(Cancelled);
        }
        let done = map_all(chunk, |&j| {
            let mut hint = None;
            (0..nx)
                .map(|i| contact(s, g.point(i, j), &mut hint))
                .collect::<Vec<_>>()
        });
        for r in done {
            g.nodes.extend(r);
        }
    }
    Ok(g)
}

/// A point of a pencil track, where it crosses a grid edge.
#[derive(Clone, Copy, Debug)]
struct Crease {
    /// XY of the track point.
    p: DVec2,
    /// The contact normals either side, lower side first.
    n: [DVec3; 2],
}

/// What a crease search needs besides the surface.
struct Seek {
    /// Bisection stops at this bracket width.
    eps: f64,
    /// `cos(min_angle)`: normals whose dot product is at most this differ enough.
    cos_min: f64,
    /// How far a track point keeps off the foot of a cliff.
    clear: f64,
    /// A height difference across the final bracket above this is a cliff.
    cliff: f64,
}

/// The crease on the grid edge from `a` to `b`, if one crosses it (see the module doc).
fn crease_on(
    s: &Surface,
    k: &Seek,
    mut a: DVec2,
    mut ca: Contact,
    mut b: DVec2,
    mut cb: Contact,
) -> Option<Crease> {
    if ca.n.dot(cb.n) > k.cos_min {
        return None;
    }
    let mut hint = None;
    while a.distance(b) > k.eps {
        let m = 0.5 * (a + b);
        let cm = contact(s, m, &mut hint)?;
        if cm.n.dot(ca.n) >= cm.n.dot(cb.n) {
            (a, ca) = (m, cm);
        } else {
            (b, cb) = (m, cm);
        }
    }
    if ca.n.dot(cb.n) > k.cos_min {
        return None;
    }
    let (lo, clo, hi, chi) = if ca.z <= cb.z {
        (a, ca, b, cb)
    } else {
        (b, cb, a, ca)
    };
    let mut p = lo;
    if chi.z - clo.z > k.cliff {
        // The foot of a cliff: the ball touches the wall with its side. Keep off it.
        let away = (lo - hi).try_normalize()?;
        p = lo + away * k.clear;
        contact(s, p, &mut hint)?;
    }
    Some(Crease {
        p,
        n: [clo.n, chi.n],
    })
}

/// How alike two creases' normal pairs are (higher: more alike), either way round.
fn alike(a: &Crease, b: &Crease) -> f64 {
    let same = a.n[0].dot(b.n[0]) + a.n[1].dot(b.n[1]);
    let swapped = a.n[0].dot(b.n[1]) + a.n[1].dot(b.n[0]);
    same.max(swapped)
}

/// Finds every grid edge's crease and joins them into tracks: XY polylines, with whether
/// each is closed.
fn tracks(
    s: &Surface,
    g: &Grid,
    k: &Seek,
    tol: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<(Vec<DVec2>, bool)>, Cancelled> {
    let (nx, ny) = (g.nx, g.ny);
    // Edges along X: (i, j)-(i+1, j) at i + j (nx - 1); along Y: (i, j)-(i, j+1) at i + j nx.
    let rows: Vec<usize> = (0..ny).collect();
    let mut found = Vec::with_capacity(ny);
    for chunk in rows.chunks(ROWS) {
        if !progress(chunk[0] as f32 / ny as f32) {
            return Err(Cancelled);
        }
        found.extend(map_all(chunk, |&j| {
            let mut along_x = Vec::new();
            let mut along_y = Vec::new();
            for i in 0..nx {
                let Some(c) = g.at(i, j) else {
                    continue;
                };
                // The crease on the edge to the node `(ni, nj)`, if that node has a contact.
                let cross = |ni: usize, nj: usize| {
                    let d = if ni < nx && nj < ny {
                        g.at(ni, nj)
                    } else {
                        None
                    }?;
                    crease_on(s, k, g.point(i, j), c, g.point(ni, nj), d).map(|cr| (i, cr))
                };
                along_x.extend(cross(i + 1, j));
                along_y.extend(cross(i, j + 1));
            }
            (along_x, along_y)
        }));
    }
    let mut creases: Vec<Crease> = Vec::new();
    let mut ex: Vec<Option<u32>> = vec![None; (nx - 1).max(1) * ny];
    let mut ey: Vec<Option<u32>> = vec![None; nx * ny];
    for (j, (along_x, along_y)) in found.into_iter().enumerate() {
        for (i, c) in along_x {
            ex[i + j * (nx - 1)] = Some(creases.len() as u32);
            creases.push(c);
        }
        for (i, c) in along_y {
            ey[i + j * nx] = Some(creases.len() as u32);
            creases.push(c);
        }
    }
    let pts: Vec<DVec2> = creases.iter().map(|c| c.p).collect();
    // Join the crease points within each cell.
    let mut links: Vec<(u32, u32)> = Vec::new();
    for j in 0..ny.saturating_sub(1) {
        for i in 0..nx.saturating_sub(1) {
            let here: Vec<u32> = [
                ex[i + j * (nx - 1)],
                ey[i + 1 + j * nx],
                ex[i + (j + 1) * (nx - 1)],
                ey[i + j * nx],
            ]
            .into_iter()
            .flatten()
            .collect();
            match here.len() {
                2 => links.push((here[0], here[1])),
                3 => {
                    // Tracks meeting (a floor's edge and the corner above it): the point
                    // nearest the other two is where they meet. A point of its own in the
                    // cell's middle could lie off every track.
                    let spread = |k: usize| -> f64 {
                        here.iter()
                            .map(|&q| pts[q as usize].distance(pts[here[k] as usize]))
                            .sum()
                    };
                    let hub = (0..3)
                        .min_by(|&a, &b| spread(a).total_cmp(&spread(b)))
                        .unwrap_or(0);
                    for k in (0..3).filter(|&k| k != hub) {
                        links.push((here[hub], here[k]));
                    }
                }
                4 => {
                    let c = |q: u32| &creases[q as usize];
                    let pairings = [(0, 1, 2, 3), (0, 2, 1, 3), (0, 3, 1, 2)];
                    let best = pairings
                        .iter()
                        .map(|&(a, b, e, f)| {
                            let score =
                                alike(c(here[a]), c(here[b])) + alike(c(here[e]), c(here[f]));
                            (score, (a, b, e, f))
                        })
                        .max_by(|x, y| x.0.total_cmp(&y.0))
                        .map(|x| x.1)
                        .unwrap_or((0, 1, 2, 3));
                    links.push((here[best.0], here[best.1]));
                    links.push((here[best.2], here[best.3]));
                }
                _ => {}
            }
        }
    }
    Ok(chain(&pts, &links)
        .into_iter()
        .filter_map(|(p, closed)| {
            let p = drop_collinear(&p, closed, 0.25 * tol);
            let len: f64 = p.windows(2).map(|w| w[0].distance(w[1])).sum();
            (p.len() >= 2 && len > tol).then_some((p, closed))
        })
        .collect())
}

/// Chains the links between points into polylines: open ones run between points where
/// the chain ends or branches; what is left are loops.
fn chain(pts: &[DVec2], links: &[(u32, u32)]) -> Vec<(Vec<DVec2>, bool)> {
    let mut adj: Vec<Vec<(u32, usize)>> = vec![Vec::new(); pts.len()];
    for (e, &(a, b)) in links.iter().enumerate() {
        adj[a as usize].push((b, e));
        adj[b as usize].push((a, e));
    }
    let mut used = vec![false; links.len()];
    let mut out = Vec::new();
    let walk = |start: usize, first: (u32, usize), used: &mut Vec<bool>| -> Vec<DVec2> {
        let mut line = vec![pts[start]];
        let (mut at, mut e) = (first.0 as usize, first.1);
        loop {
            used[e] = true;
            line.push(pts[at]);
            if adj[at].len() != 2 {
                break;
            }
            match adj[at].iter().find(|&&(_, f)| !used[f]) {
                Some(&(next, f)) => {
                    at = next as usize;
                    e = f;
                }
                None => break,
            }
        }
        line
    };
    for (v, around) in adj.iter().enumerate() {
        if around.len() == 2 {
            continue;
        }
        for &first in around {
            if !used[first.1] {
                out.push((walk(v, first, &mut used), false));
            }
        }
    }
    for (v, around) in adj.iter().enumerate() {
        if let Some(&first) = around.iter().find(|&&(_, f)| !used[f]) {
            let mut line = walk(v, first, &mut used);
            line.pop();
            out.push((line, true));
        }
    }
    out
}

/// The polyline moved `d` to its left (right for negative `d`) in XY, each vertex along
/// the bisector of its two segments' normals (mitred, no further than four times `d`).
fn offset(p: &[DVec2], closed: bool, d: f64) -> Vec<DVec2> {
    let n = p.len();
    let left = |a: DVec2, b: DVec2| (b - a).perp().try_normalize();
    (0..n)
        .map(|k| {
            let prev = if k > 0 {
                left(p[k - 1], p[k])
            } else if closed {
                left(p[n - 1], p[0])
            } else {
                None
            };
            let next = if k + 1 < n {
                left(p[k], p[k + 1])
            } else if closed {
                left(p[n - 1], p[0])
            } else {
                None
            };
            let dir = match (prev, next) {
                (Some(a), Some(b)) => {
                    let m = (a + b).try_normalize().unwrap_or(a);
                    m / m.dot(a).max(0.25)
                }
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => DVec2::ZERO,
            };
            p[k] + dir * d
        })
        .collect()
}

/// The pencil tracks of an operation: XY polylines (cut at drop-cutter height), each with
/// whether it is closed. `progress` gets 0..1 and returns `false` to cancel.
pub fn find_tracks(
    model: &Model,
    spec: &PencilSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<(Vec<DVec2>, bool)>, Cancelled> {
    let s = Surface::new(model, res);
    let tol = spec.tolerance;
    let grid = sample_grid(&s, res, spec.sampling, &mut |f| progress(0.7 * f))?;
    let seek = Seek {
        eps: 0.25 * tol,
        cos_min: spec.min_angle.to_radians().dcos(),
        // A chord between two track points at the foot of a cliff round a boss lies
        // nearer the wall than they do, by at most (step √2)² / 8 over the track's radius,
        // which is at least the ball's: keep that much further off, within the tolerance.
        clear: 0.25 * tol
            + (spec.sampling * spec.sampling / (4.0 * res.cutter.radius())).min(0.5 * tol),
        cliff: tol,
    };
    tracks(&s, &grid, &seek, tol, &mut |f| progress(0.7 + 0.3 * f))
}

/// Builds the pencil-finishing toolpath. `progress(fraction)` is called between batches of
/// grid rows and of tracks; returning `false` cancels.
pub fn generate(
    model: &Model,
    spec: &PencilSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let s = Surface::new(model, res);
    let found = find_tracks(model, spec, res, &mut |f| progress(0.8 * f))?;
    if !progress(0.85) {
        return Err(Cancelled);
    }
    // Each track with its passes, outermost first, as one group.
    let groups: Vec<Vec<(Vec<DVec2>, bool)>> = found
        .into_iter()
        .map(|(p, closed)| {
            let mut g = Vec::with_capacity(2 * spec.passes as usize + 1);
            for k in (1..=spec.passes).rev() {
                let d = k as f64 * spec.stepover;
                g.push((offset(&p, closed, d), closed));
                g.push((offset(&p, closed, -d), closed));
            }
            g.push((p, closed));
            g
        })
        .collect();
    let tp = cut(&s, groups, spec, res, &mut |f| progress(0.85 + 0.15 * f))?;
    progress(1.0);
    Ok(tp)
}

/// Cuts the tracks nearest-first from where the tool is (a track with its passes is one
/// group, cut outermost pass first, so a corner is finished before the tool moves on),
/// linking within a cutter diameter over the surface and otherwise through safe height.
fn cut(
    s: &Surface,
    mut groups: Vec<Vec<(Vec<DVec2>, bool)>>,
    spec: &PencilSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let safe = res.safe_height as f32;
    let reach = 2.0 * res.cutter.radius();
    let total = groups.len().max(1);
    let mut tp = Toolpath::new();
    let here = |tp: &Toolpath| {
        tp.last()
            .map(|p| DVec2::new(p[0] as f64, p[1] as f64))
            .unwrap_or(res.area.min)
    };
    while !groups.is_empty() {
        if !progress(1.0 - groups.len() as f32 / total as f32) {
            return Err(Cancelled);
        }
        let at = here(&tp);
        let gi = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|(p, c)| entry(p, *c, at).1)
                    .fold(f64::INFINITY, f64::min)
            })
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("groups are not empty")
            .0;
        for (p, closed) in groups.swap_remove(gi) {
            let from = here(&tp);
            cut_along(
                s,
                &mut tp,
                p,
                closed,
                from,
                spec.sampling,
                spec.tolerance,
                reach,
                safe,
            );
        }
    }
    retract(&mut tp, safe);
    Ok(tp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_open_and_closed() {
        let pts: Vec<DVec2> = (0..6).map(|k| DVec2::new(k as f64, 0.0)).collect();
        // 0-1-2 open, 3-4-5 a loop.
        let got = chain(&pts, &[(0, 1), (1, 2), (3, 4), (4, 5), (5, 3)]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (vec![pts[0], pts[1], pts[2]], false));
        assert!(got[1].1 && got[1].0.len() == 3);
    }

    #[test]
    fn offsets_keep_their_distance() {
        let p = [
            DVec2::new(0.0, 0.0),
            DVec2::new(10.0, 0.0),
            DVec2::new(10.0, 10.0),
        ];
        let o = offset(&p, false, 1.0);
        assert_eq!(o[0], DVec2::new(0.0, 1.0));
        assert!((o[1] - DVec2::new(9.0, 1.0)).length() < 1e-12);
        assert_eq!(o[2], DVec2::new(9.0, 10.0));
    }
}

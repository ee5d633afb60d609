//! Engraving: the tool centre follows every path of the drawing (outlines, holes and open
//! paths) at each depth pass. A closed path is cut pass after pass without lifting; an
//! open one is cut back and forth, so the tool only lifts between paths. Paths are taken
//! nearest-first from where the tool is.
//!
//! The groove is the path: the part is on both sides of it ([`Wall::Both`]), so an arc
//! fitted to it counts its deviation either way in full.

use super::{f3, follow, passes, Links};
use crate::drawing::{Drawing, Path};
use crate::geom::DVec2;
use crate::job::{EngraveSpec, Resolved};
use crate::strategy::Cancelled;
use crate::toolpath::{Move, Toolpath, Wall};

/// The engraving toolpath.
pub fn generate(
    d: &Drawing,
    s: &EngraveSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let top = s.z_top.unwrap_or(0.0);
    let zs = passes(top, top - s.depth, s.stepdown);
    let links = Links::new(res, top);
    let paths: Vec<&Path> = d.paths().filter(|p| p.vertices.len() >= 2).collect();
    let order = nearest_first(&paths);
    let mut tp = Toolpath::new();
    tp.set_wall(Wall::Both);
    for (n, &k) in order.iter().enumerate() {
        if n % 64 == 0 && !progress(n as f32 / order.len().max(1) as f32) {
            return Err(Cancelled);
        }
        let p = paths[k];
        let start = p.vertices[0].p;
        links.rapid_to(&mut tp, start);
        if p.closed {
            for &z in &zs {
                tp.push(Move::Plunge, f3(start, z));
                follow(&mut tp, p, z);
            }
        } else {
            let mut back = p.clone();
            back.reverse();
            for (i, &z) in zs.iter().enumerate() {
                let run = if i % 2 == 0 { p } else { &back };
                let here = run.vertices[0].p;
                tp.push(Move::Plunge, f3(here, z));
                follow(&mut tp, run, z);
            }
        }
        links.retract(&mut tp);
    }
    progress(1.0);
    Ok(tp)
}

/// Path order by nearest next start, from the origin: a greedy tour that keeps the rapids
/// short (quadratic in paths, which stay in the thousands for engraving).
pub fn nearest_first(paths: &[&Path]) -> Vec<usize> {
    let starts: Vec<DVec2> = paths.iter().map(|p| p.vertices[0].p).collect();
    let mut left: Vec<usize> = (0..paths.len()).collect();
    let mut out = Vec::with_capacity(paths.len());
    let mut here = DVec2::ZERO;
    while !left.is_empty() {
        let (i, _) = left
            .iter()
            .enumerate()
            .min_by(|a, b| {
                starts[*a.1]
                    .distance_squared(here)
                    .total_cmp(&starts[*b.1].distance_squared(here))
            })
            .unwrap_or((0, &0));
        let k = left.swap_remove(i);
        here = paths[k].vertices.last().map_or(starts[k], |v| v.p);
        if paths[k].closed {
            here = starts[k];
        }
        out.push(k);
    }
    out
}

//! The other passes along walls at a run's height, which an arc fitted on one side must
//! not cross.
//!
//! The one-sided checks compare an arc with the run it replaces only, and take the free
//! side to be free for the tolerance. Where it is narrower than that (a slot in the
//! cutter-location region no wider than the tolerance: two walls of the part close
//! together, with a pass along each), an arc straying into it could reach past the pass
//! along the other wall, into the part beyond. Every wall a strategy cuts at that height
//! has its pass there, with the part on one side ([`Wall::Left`] or [`Wall::Right`]), so an
//! arc that crosses none of those moves stays on the free side of all of them. Other moves
//! (links, zigzag lines, rings with room) end on walls or lie clear of them: an arc may
//! cross them.
//!
//! The moves are kept in a grid of square cells keyed by height: each segment (an arc
//! already in the toolpath as chords within a micron) is entered in the cells of points
//! along it half a cell apart, so any segment passing through a cell has an entry in it or
//! in a neighbour, and a query looks at the cells round points along the arc half a cell
//! apart, with their neighbours.

use super::{dot, len, sub};
use crate::toolpath::{arc_pieces, arc_sweep, Move, Toolpath, Wall};
use std::collections::HashMap;
use std::ops::Range;

/// The level moves along walls of a toolpath, by height and cell.
pub(super) struct Others {
    cell: f64,
    /// Each segment: its ends and the index of the move it belongs to.
    segs: Vec<([f64; 2], [f64; 2], usize)>,
    grid: HashMap<(u32, i64, i64), Vec<u32>>,
}

impl Others {
    /// The feed and arc moves of `tp` along walls that keep their height, entered by
    /// height.
    pub(super) fn new(tp: &Toolpath) -> Others {
        let mut segs = Vec::new();
        let mut heights = Vec::new();
        let mut total = 0.0;
        for s in tp.steps() {
            let along_wall = matches!(tp.wall(s.index), Wall::Left | Wall::Right);
            if !(s.kind == Move::Feed || s.kind.is_arc()) || s.from[2] != s.to[2] || !along_wall {
                continue;
            }
            let z = (s.to[2] as f32).to_bits();
            let mut push = |p: [f64; 2], q: [f64; 2]| {
                total += len(sub(q, p));
                segs.push((p, q, s.index));
                heights.push(z);
            };
            match s.arc {
                Some((c, sweep)) => {
                    let r = len(sub([s.from[0], s.from[1]], c));
                    let n = arc_pieces(r, sweep, 1e-6);
                    let mut p = [s.from[0], s.from[1]];
                    for k in 1..=n {
                        let q = s.at(k as f64 / n as f64);
                        push(p, [q[0], q[1]]);
                        p = [q[0], q[1]];
                    }
                }
                None => push([s.from[0], s.from[1]], [s.to[0], s.to[1]]),
            }
        }
        // About two segments' length a cell: as many entries as segments, give or take.
        let cell = (2.0 * total / segs.len().max(1) as f64).max(1e-3);
        let mut o = Others {
            cell,
            segs,
            grid: HashMap::new(),
        };
        for (k, &z) in heights.iter().enumerate() {
            let (p, q, _) = o.segs[k];
            let n = (len(sub(q, p)) / (0.5 * cell)).ceil().max(1.0) as usize;
            let mut last = None;
            for j in 0..=n {
                let t = j as f64 / n as f64;
                let key = o.key(z, [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
                if last != Some(key) {
                    o.grid.entry(key).or_default().push(k as u32);
                    last = Some(key);
                }
            }
        }
        o
    }

    fn key(&self, z: u32, p: [f64; 2]) -> (u32, i64, i64) {
        (
            z,
            (p[0] / self.cell).floor() as i64,
            (p[1] / self.cell).floor() as i64,
        )
    }

    /// True when the arc from `a` to `b` round `c` (counter-clockwise when `ccw`), at height
    /// `z`, meets a move along a wall at that height other than the moves `skip`, away from
    /// its ends.
    pub(super) fn crossed(
        &self,
        z: f32,
        a: [f64; 2],
        b: [f64; 2],
        c: [f64; 2],
        ccw: bool,
        skip: Range<usize>,
    ) -> bool {
        let z = z.to_bits();
        let r = len(sub(a, c));
        let sweep = arc_sweep(a, b, c, ccw);
        let a0 = (a[1] - c[1]).atan2(a[0] - c[0]);
        let n = (r * sweep.abs() / (0.5 * self.cell)).ceil().max(1.0) as usize;
        let mut near: Vec<u32> = Vec::new();
        for j in 0..=n {
            let ang = a0 + sweep * j as f64 / n as f64;
            let (_, x, y) = self.key(z, [c[0] + r * ang.cos(), c[1] + r * ang.sin()]);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    if let Some(v) = self.grid.get(&(z, x + dx, y + dy)) {
                        near.extend_from_slice(v);
                    }
                }
            }
        }
        near.sort_unstable();
        near.dedup();
        // Meetings this close to an end are the neighbouring moves joining the arc there.
        let ends = 1e-6 * (1.0 + r);
        near.into_iter().any(|k| {
            let (p, q, i) = self.segs[k as usize];
            if skip.contains(&i) {
                return false;
            }
            // Where the segment `p + t (q − p)`, `t` in 0..=1, is `r` from `c`.
            let d = sub(q, p);
            let f = sub(p, c);
            let qa = dot(d, d);
            let qb = 2.0 * dot(f, d);
            let qc = dot(f, f) - r * r;
            let disc = qb * qb - 4.0 * qa * qc;
            if qa <= 0.0 || disc < 0.0 {
                return false;
            }
            let sq = disc.sqrt();
            [(-qb - sq) / (2.0 * qa), (-qb + sq) / (2.0 * qa)]
                .into_iter()
                .filter(|t| (0.0..=1.0).contains(t))
                .map(|t| [p[0] + t * d[0], p[1] + t * d[1]])
                .any(|x| {
                    len(sub(x, a)) > ends
                        && len(sub(x, b)) > ends
                        && arc_sweep(a, x, c, ccw).abs() < sweep.abs()
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arc_crosses_a_pass_beside_it_and_not_its_neighbours() {
        let mut tp = Toolpath::new();
        // A run along y = 0 from x = 0 to 10 (moves 1..=10), then a pass along y = 0.3
        // back (moves 12..=21) at the same height, and one at another height, all along
        // walls.
        tp.set_wall(Wall::Right);
        tp.push(Move::Plunge, [0.0, 0.0, -1.0]);
        for k in 1..=10 {
            tp.push(Move::Feed, [k as f32, 0.0, -1.0]);
        }
        tp.push(Move::Feed, [10.0, 0.3, -1.0]);
        for k in (0..10).rev() {
            tp.push(Move::Feed, [k as f32, 0.3, -1.0]);
        }
        tp.push(Move::Plunge, [0.0, 0.3, -2.0]);
        tp.push(Move::Feed, [10.0, 0.3, -2.0]);
        let o = Others::new(&tp);
        // An arc replacing moves 3..=8, from (2, 0) to (8, 0), clockwise over the top and
        // bulging to y = 0.5 (centre (5, -8.75), radius 9.25): it crosses the other pass.
        let (a, b, c) = ([2.0, 0.0], [8.0, 0.0], [5.0, -8.75]);
        assert!(o.crossed(-1.0, a, b, c, false, 3..9));
        // So it does the single move at the other height.
        assert!(o.crossed(-2.0, a, b, c, false, 3..9));
        // Bulging only to y = 0.2 it passes under the other pass, and meets its neighbours
        // (moves 2 and 9) and its own moves only at its ends.
        let c = [5.0, -(9.0 - 0.04) / 0.4];
        assert!((len(sub(a, c)) - (0.2 - c[1])).abs() < 1e-9);
        assert!(!o.crossed(-1.0, a, b, c, false, 3..9));
        assert!(!o.crossed(-1.0, a, b, c, false, 0..0));
        // Where there are no moves, nothing is crossed.
        assert!(!o.crossed(-3.0, a, b, [5.0, -8.75], false, 0..0));
        // A move that crosses the arc's chord from below to above the arc is met, unless
        // it is skipped or along no wall.
        let mut t2 = tp.clone();
        t2.push(Move::Plunge, [5.0, -0.1, -3.0]);
        t2.push(Move::Feed, [5.0, 1.0, -3.0]);
        let o2 = Others::new(&t2);
        let last = t2.len() - 1;
        assert!(o2.crossed(-3.0, a, b, [5.0, -8.75], false, 0..0));
        assert!(!o2.crossed(-3.0, a, b, [5.0, -8.75], false, last..last + 1));
        let mut t3 = tp.clone();
        t3.set_wall(Wall::Fixed);
        t3.push(Move::Plunge, [5.0, -0.1, -3.0]);
        t3.push(Move::Feed, [5.0, 1.0, -3.0]);
        assert!(!Others::new(&t3).crossed(-3.0, a, b, [5.0, -8.75], false, 0..0));
    }
}

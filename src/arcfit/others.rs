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
use crate::geom::Det;
use crate::toolpath::{arc_sweep, Move, Toolpath, Wall};
use std::collections::HashMap;
use std::ops::Range;

/// A move along a wall: a straight segment, or an arc round `centre` sweeping `sweep`
/// radians (positive counter-clockwise) from `from`.
#[derive(Clone, Copy)]
enum Seg {
    Line([f64; 2], [f64; 2]),
    Arc {
        from: [f64; 2],
        centre: [f64; 2],
        sweep: f64,
    },
}

/// The level moves along walls of a toolpath, by height and cell.
pub(super) struct Others {
    cell: f64,
    /// Each move: its shape and its index in the toolpath.
    segs: Vec<(Seg, usize)>,
    grid: HashMap<(u32, i64, i64), Vec<u32>>,
}

impl Others {
    /// The feed and arc moves of `tp` along walls that keep their height, entered by
    /// height. Arcs stay arcs (an arc cut into micron chords made a circle thousands of
    /// segments and the grid's cells as small).
    pub(super) fn new(tp: &Toolpath) -> Others {
        let mut segs = Vec::new();
        let mut heights = Vec::new();
        let mut total = 0.0;
        for s in tp.steps() {
            let along_wall = matches!(tp.wall(s.index), Wall::Left | Wall::Right);
            if !(s.kind == Move::Feed || s.kind.is_arc()) || s.from[2] != s.to[2] || !along_wall {
                continue;
            }
            let (from, to) = ([s.from[0], s.from[1]], [s.to[0], s.to[1]]);
            let seg = match s.arc {
                Some((centre, sweep)) => {
                    total += len(sub(from, centre)) * sweep.abs();
                    Seg::Arc {
                        from,
                        centre,
                        sweep,
                    }
                }
                None => {
                    total += len(sub(to, from));
                    Seg::Line(from, to)
                }
            };
            segs.push((seg, s.index));
            heights.push((s.to[2] as f32).to_bits());
        }
        // About two moves' length a cell: as many entries as moves, give or take.
        let cell = (2.0 * total / segs.len().max(1) as f64).max(1e-3);
        let mut o = Others {
            cell,
            segs,
            grid: HashMap::new(),
        };
        for (k, &z) in heights.iter().enumerate() {
            // Points along the move at most half a cell apart: every cell it passes
            // through holds it, or a neighbour of that cell does.
            let (n, at): (usize, Box<dyn Fn(f64) -> [f64; 2]>) = match o.segs[k].0 {
                Seg::Line(p, q) => (
                    (len(sub(q, p)) / (0.5 * cell)).ceil().max(1.0) as usize,
                    Box::new(move |t| [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]),
                ),
                Seg::Arc {
                    from,
                    centre: c,
                    sweep,
                } => {
                    let r = len(sub(from, c));
                    let a0 = (from[1] - c[1]).datan2(from[0] - c[0]);
                    (
                        (r * sweep.abs() / (0.5 * cell)).ceil().max(1.0) as usize,
                        Box::new(move |t| {
                            let a = a0 + t * sweep;
                            [c[0] + r * a.dcos(), c[1] + r * a.dsin()]
                        }),
                    )
                }
            };
            let mut last = None;
            for j in 0..=n {
                let key = o.key(z, at(j as f64 / n as f64));
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
        let a0 = (a[1] - c[1]).datan2(a[0] - c[0]);
        let n = (r * sweep.abs() / (0.5 * self.cell)).ceil().max(1.0) as usize;
        let mut near: Vec<u32> = Vec::new();
        for j in 0..=n {
            let ang = a0 + sweep * j as f64 / n as f64;
            let (_, x, y) = self.key(z, [c[0] + r * ang.dcos(), c[1] + r * ang.dsin()]);
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
        let on_arc = |x: [f64; 2]| {
            len(sub(x, a)) > ends
                && len(sub(x, b)) > ends
                && arc_sweep(a, x, c, ccw).abs() < sweep.abs()
        };
        near.into_iter().any(|k| {
            let (seg, i) = self.segs[k as usize];
            if skip.contains(&i) {
                return false;
            }
            match seg {
                Seg::Line(p, q) => line_meets_circle(p, q, c, r)
                    .into_iter()
                    .flatten()
                    .any(on_arc),
                Seg::Arc {
                    from,
                    centre,
                    sweep: s2,
                } => circles_meet(c, r, centre, len(sub(from, centre)))
                    .into_iter()
                    .flatten()
                    .any(|x| {
                        let on_other = len(sub(x, from)) <= ends
                            || arc_sweep(from, x, centre, s2 > 0.0).abs() <= s2.abs();
                        on_other && on_arc(x)
                    }),
            }
        })
    }
}

/// Where the segment `p → q` is `r` from `c`.
fn line_meets_circle(p: [f64; 2], q: [f64; 2], c: [f64; 2], r: f64) -> [Option<[f64; 2]>; 2] {
    let d = sub(q, p);
    let f = sub(p, c);
    let qa = dot(d, d);
    let qb = 2.0 * dot(f, d);
    let qc = dot(f, f) - r * r;
    let disc = qb * qb - 4.0 * qa * qc;
    if qa <= 0.0 || disc < 0.0 {
        return [None, None];
    }
    let sq = disc.sqrt();
    [(-qb - sq) / (2.0 * qa), (-qb + sq) / (2.0 * qa)].map(|t| {
        (0.0..=1.0)
            .contains(&t)
            .then(|| [p[0] + t * d[0], p[1] + t * d[1]])
    })
}

/// Where the circle round `c` of radius `r` meets the one round `c2` of radius `r2`
/// (none for concentric circles: a pass on the same circle runs beside, not across).
fn circles_meet(c: [f64; 2], r: f64, c2: [f64; 2], r2: f64) -> [Option<[f64; 2]>; 2] {
    let u = sub(c2, c);
    let d = len(u);
    if d.is_nan() || d <= 0.0 || d > r + r2 || d < (r - r2).abs() {
        return [None, None];
    }
    let along = (r * r - r2 * r2 + d * d) / (2.0 * d);
    let h = (r * r - along * along).max(0.0).sqrt();
    let (ux, uy) = (u[0] / d, u[1] / d);
    let m = [c[0] + along * ux, c[1] + along * uy];
    [
        Some([m[0] - h * uy, m[1] + h * ux]),
        Some([m[0] + h * uy, m[1] - h * ux]),
    ]
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

    #[test]
    fn an_arc_crosses_another_pass_that_is_an_arc() {
        let mut tp = Toolpath::new();
        tp.set_wall(Wall::Left);
        // A half circle of radius 1 round (5, 0.4), from (4, 0.4) over the top to (6, 0.4):
        // it dips to y = 0.4 at its ends and rises to 1.4.
        tp.push(Move::Plunge, [4.0, 0.4, -1.0]);
        tp.push_arc(false, [5.0, 0.4], [6.0, 0.4, -1.0]);
        let o = Others::new(&tp);
        assert_eq!(o.segs.len(), 1, "an arc is one entry, not chords");
        // An arc from (2, 0) to (8, 0) bulging to y = 0.5 crosses its lower ends...
        let (a, b) = ([2.0, 0.0], [8.0, 0.0]);
        assert!(o.crossed(-1.0, a, b, [5.0, -8.75], false, 0..0));
        // ...one bulging to y = 0.2 passes below the half circle...
        assert!(!o.crossed(-1.0, a, b, [5.0, -(9.0 - 0.04) / 0.4], false, 0..0));
        // ...and one round the half circle's own centre never crosses it.
        assert!(!o.crossed(-1.0, [4.0, 0.4], [6.0, 0.4], [5.0, 0.4], false, 0..0));
        // Skipping the arc's move, nothing is met.
        assert!(!o.crossed(-1.0, a, b, [5.0, -8.75], false, 1..2));
    }
}

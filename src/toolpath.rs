//! The toolpath: the one move list every strategy emits and every consumer reads (preview,
//! statistics, post-processors).
//!
//! Points are cutter locations (the tool tip, on the axis) as `f32` triples in one flat
//! buffer, with one byte per point saying how the tool moves *to* that point. This is also
//! what crosses to JavaScript: a `Float32Array` of xyz plus a `Uint8Array` of kinds.
//!
//! Beside the moves, a few spans say on which side of the travel the part is ([`Wall`]):
//! what the strategy knows and the arc fitter (`arcfit`) needs, so that a fitted arc only
//! strays from the moves away from the part.

use crate::geom::Det;
/// How the tool moves to a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Move {
    /// Positioning at rapid rate (G0), never in material.
    Rapid = 0,
    /// Vertical entry at the plunge feed (G1 with the plunge feed rate).
    Plunge = 1,
    /// Cutting at the feed rate (G1).
    Feed = 2,
    /// Cutting along a clockwise arc, seen from above (G2), at the feed rate, around the
    /// centre stored for it in [`Toolpath::centres`]. A change of Z along it makes a helix.
    ArcCw = 3,
    /// Cutting along a counter-clockwise arc (G3); otherwise as [`Move::ArcCw`].
    ArcCcw = 4,
}

impl Move {
    /// The move a kind byte stands for (`None` for an unknown byte).
    pub fn from_u8(v: u8) -> Option<Move> {
        match v {
            0 => Some(Move::Rapid),
            1 => Some(Move::Plunge),
            2 => Some(Move::Feed),
            3 => Some(Move::ArcCw),
            4 => Some(Move::ArcCcw),
            _ => None,
        }
    }

    /// True for the two arc moves.
    pub fn is_arc(self) -> bool {
        matches!(self, Move::ArcCw | Move::ArcCcw)
    }
}

/// One move of a toolpath as the consumers walk it: where from, where to, and for an arc
/// its centre and signed sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// Index of the point the move ends at.
    pub index: usize,
    /// How the tool moves.
    pub kind: Move,
    /// Start (the previous point).
    pub from: [f64; 3],
    /// End.
    pub to: [f64; 3],
    /// For an arc: its centre (XY) and its sweep in radians, positive counter-clockwise.
    pub arc: Option<([f64; 2], f64)>,
}

impl Step {
    /// Length of the move (for an arc or helix, along the curve).
    pub fn length(&self) -> f64 {
        let dz = self.to[2] - self.from[2];
        match self.arc {
            Some((c, sweep)) => {
                let r = (self.from[0] - c[0]).dhypot(self.from[1] - c[1]);
                (r * sweep.abs()).dhypot(dz)
            }
            None => (self.to[0] - self.from[0])
                .dhypot(self.to[1] - self.from[1])
                .dhypot(dz),
        }
    }

    /// The point at parameter `t` in 0..=1 along the move (along the arc for an arc: the
    /// radius runs linearly from the start's to the end's, Z linearly).
    pub fn at(&self, t: f64) -> [f64; 3] {
        let z = self.from[2] + t * (self.to[2] - self.from[2]);
        match self.arc {
            Some((c, sweep)) => {
                let (ax, ay) = (self.from[0] - c[0], self.from[1] - c[1]);
                let (bx, by) = (self.to[0] - c[0], self.to[1] - c[1]);
                let r = ax.dhypot(ay) + t * (bx.dhypot(by) - ax.dhypot(ay));
                let a = ay.datan2(ax) + t * sweep;
                [c[0] + r * a.dcos(), c[1] + r * a.dsin(), z]
            }
            None => [
                self.from[0] + t * (self.to[0] - self.from[0]),
                self.from[1] + t * (self.to[1] - self.from[1]),
                z,
            ],
        }
    }
}

/// The sweep of an arc from `a` to `b` around `c` in the given direction, in radians
/// (positive counter-clockwise): in (0, 2π] for counter-clockwise, [−2π, 0) for clockwise.
/// Ends that coincide make a full circle.
pub fn arc_sweep(a: [f64; 2], b: [f64; 2], c: [f64; 2], ccw: bool) -> f64 {
    use std::f64::consts::TAU;
    let a0 = (a[1] - c[1]).datan2(a[0] - c[0]);
    let a1 = (b[1] - c[1]).datan2(b[0] - c[0]);
    let r = (a[0] - c[0]).dhypot(a[1] - c[1]).max(1e-300);
    let close = (a[0] - b[0]).dhypot(a[1] - b[1]) <= 1e-9 * r.max(1.0);
    let mut d = a1 - a0;
    if ccw {
        while d <= 0.0 {
            d += TAU;
        }
        while d > TAU {
            d -= TAU;
        }
        if close {
            d = TAU;
        }
    } else {
        while d >= 0.0 {
            d -= TAU;
        }
        while d < -TAU {
            d += TAU;
        }
        if close {
            d = -TAU;
        }
    }
    d
}

/// Where the part is beside a run of moves, seen along the travel: the side a fitted arc
/// must not stray to (see `arcfit`). The cutter locations of a waterline, a roughing ring
/// or a profile sit on the very boundary the tool must not cross, with the part on one
/// side; cutter compensation names the same side (G41 runs with the wall on the tool's
/// right).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Wall {
    /// No side is free: the moves are the cut itself (engraving, a profile on the line),
    /// so a deviation either way moves the cut into the part and counts in full against
    /// the tolerance. What a toolpath says where its strategy said nothing.
    #[default]
    Both,
    /// The part is on the left: the path may only be moved to the right.
    Left,
    /// The part is on the right: the path may only be moved to the left.
    Right,
    /// The part is nowhere within this distance on either side (a pocket ring between two
    /// others): the path may be moved either way by up to it, and by no more than the
    /// tolerance.
    Room(f32),
    /// The moves must stay exactly as they are: a link checked only along its own line,
    /// or a path that is itself within a tolerance of the limit on both sides.
    Fixed,
}

/// Cutter locations with the kind of move to each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Toolpath {
    /// xyz per point.
    pub points: Vec<f32>,
    /// One [`Move`] (as `u8`) per point.
    pub kinds: Vec<u8>,
    /// The centre (XY) of every arc move, in the order the arcs come.
    pub centres: Vec<[f64; 2]>,
    /// Where the part is, by spans: `(i, w)` says that the moves to point `i` and on have
    /// the part on side `w`, up to the next entry; before the first, [`Wall::Both`].
    /// Indices increase; a strategy sets them with [`Toolpath::set_wall`].
    pub walls: Vec<(usize, Wall)>,
}

/// Lengths and counts of a toolpath, in model units.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct PathStats {
    /// Cutter locations.
    pub points: usize,
    /// Length of the cutting moves.
    pub feed_length: f64,
    /// Length of the plunges.
    pub plunge_length: f64,
    /// Length of the rapid moves.
    pub rapid_length: f64,
}

impl Toolpath {
    /// An empty toolpath.
    pub fn new() -> Toolpath {
        Toolpath::default()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// True when there is no point.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Appends a move to `p`.
    pub fn push(&mut self, kind: Move, p: [f32; 3]) {
        self.points.extend_from_slice(&p);
        self.kinds.push(kind as u8);
    }

    /// Point `i`.
    pub fn point(&self, i: usize) -> [f32; 3] {
        [
            self.points[3 * i],
            self.points[3 * i + 1],
            self.points[3 * i + 2],
        ]
    }

    /// How the tool moves to point `i`.
    pub fn kind(&self, i: usize) -> Move {
        Move::from_u8(self.kinds[i]).unwrap_or(Move::Feed)
    }

    /// Appends an arc (or, when Z changes, a helix) from the last point to `p` around
    /// `centre`, counter-clockwise or clockwise seen from above. The radius at `p` should
    /// equal the radius at the start; ends that coincide make a full circle.
    pub fn push_arc(&mut self, ccw: bool, centre: [f64; 2], p: [f32; 3]) {
        let kind = if ccw { Move::ArcCcw } else { Move::ArcCw };
        self.points.extend_from_slice(&p);
        self.kinds.push(kind as u8);
        self.centres.push(centre);
    }

    /// Says that the moves pushed from now on have the part on side `w`.
    pub fn set_wall(&mut self, w: Wall) {
        self.mark(self.len(), w);
    }

    /// Records that the moves from point `i` (the end, or past it) on have the wall `w`.
    fn mark(&mut self, i: usize, w: Wall) {
        while self.walls.last().is_some_and(|&(j, _)| j >= i) {
            self.walls.pop();
        }
        if self.walls.last().map_or(Wall::Both, |&(_, v)| v) != w {
            self.walls.push((i, w));
        }
    }

    /// The side the part is on for the move to point `i`.
    pub fn wall(&self, i: usize) -> Wall {
        match self.walls.partition_point(|&(j, _)| j <= i) {
            0 => Wall::Both,
            k => self.walls[k - 1].1,
        }
    }

    /// Every move after the first point, in order, with arcs resolved.
    pub fn steps(&self) -> impl Iterator<Item = Step> + '_ {
        let mut arcs = 0;
        (1..self.len()).map(move |i| {
            let from = self.point(i - 1).map(f64::from);
            let to = self.point(i).map(f64::from);
            let kind = self.kind(i);
            let arc = if kind.is_arc() {
                let c = self
                    .centres
                    .get(arcs)
                    .copied()
                    .unwrap_or([from[0], from[1]]);
                arcs += 1;
                let sweep = arc_sweep([from[0], from[1]], [to[0], to[1]], c, kind == Move::ArcCcw);
                Some((c, sweep))
            } else {
                None
            };
            Step {
                index: i,
                kind,
                from,
                to,
                arc,
            }
        })
    }

    /// The same moves with every arc replaced by feed moves no further than `tol` from it
    /// (for consumers that draw or check straight segments).
    pub fn flattened(&self, tol: f64) -> Toolpath {
        if self.centres.is_empty() {
            return self.clone();
        }
        self.flattened_with_ends(tol).0
    }

    /// [`Toolpath::flattened`], and where each point of this toolpath is in it: point `i`
    /// is point `ends[i]` of the flattened path (a preview that draws the flattened path
    /// finds there the end of a move it was told about by its index here).
    pub fn flattened_with_ends(&self, tol: f64) -> (Toolpath, Vec<u32>) {
        let mut out = Toolpath::new();
        let mut ends = Vec::with_capacity(self.len());
        if let Some(p) = self.point_opt(0) {
            out.push(self.kind(0), p);
            ends.push(0);
        }
        for s in self.steps() {
            match s.arc {
                Some((c, sweep)) => {
                    let r = (s.from[0] - c[0]).dhypot(s.from[1] - c[1]);
                    let n = arc_pieces(r, sweep, tol);
                    for k in 1..=n {
                        let q = s.at(k as f64 / n as f64);
                        out.push(Move::Feed, q.map(|v| v as f32));
                    }
                }
                None => out.push(s.kind, self.point(s.index)),
            }
            ends.push((out.len() - 1) as u32);
        }
        (out, ends)
    }

    fn point_opt(&self, i: usize) -> Option<[f32; 3]> {
        (i < self.len()).then(|| self.point(i))
    }

    /// The last point, if any.
    pub fn last(&self) -> Option<[f32; 3]> {
        if self.is_empty() {
            None
        } else {
            Some(self.point(self.len() - 1))
        }
    }

    /// Appends another toolpath.
    pub fn extend(&mut self, other: &Toolpath) {
        let base = self.len();
        self.mark(base, Wall::Both);
        for &(i, w) in &other.walls {
            self.mark(base + i, w);
        }
        self.points.extend_from_slice(&other.points);
        self.kinds.extend_from_slice(&other.kinds);
        self.centres.extend_from_slice(&other.centres);
    }

    /// Path lengths per move kind. The first point is reached from nowhere and adds nothing.
    pub fn stats(&self) -> PathStats {
        let mut s = PathStats {
            points: self.len(),
            ..PathStats::default()
        };
        for step in self.steps() {
            let d = step.length();
            match step.kind {
                Move::Rapid => s.rapid_length += d,
                Move::Plunge => s.plunge_length += d,
                Move::Feed | Move::ArcCw | Move::ArcCcw => s.feed_length += d,
            }
        }
        s
    }

    /// Estimated machining time in seconds: feed and plunge moves at their rates (units per
    /// minute), rapids at `rapid_rate`. Acceleration is ignored, so this is a lower bound.
    pub fn estimate_seconds(&self, feed: f64, plunge_feed: f64, rapid_rate: f64) -> f64 {
        let s = self.stats();
        60.0 * (s.feed_length / feed + s.plunge_length / plunge_feed + s.rapid_length / rapid_rate)
    }
}

/// Straight pieces that keep an arc of radius `r` and `sweep` radians within `tol` of the
/// curve (at least one per quarter turn, at most 10,000).
pub fn arc_pieces(r: f64, sweep: f64, tol: f64) -> usize {
    let tol = tol.max(1e-9);
    let step = if r <= tol {
        std::f64::consts::FRAC_PI_2
    } else {
        (2.0 * (1.0 - tol / r).clamp(-1.0, 1.0).dacos()).clamp(1e-4, std::f64::consts::FRAC_PI_2)
    };
    ((sweep.abs() / step).ceil() as usize).clamp(1, 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_ends_point_at_each_move_end() {
        let mut t = Toolpath::new();
        t.push(Move::Rapid, [10.0, 0.0, 5.0]);
        t.push(Move::Plunge, [10.0, 0.0, 0.0]);
        t.push_arc(true, [0.0, 0.0], [-10.0, 0.0, 0.0]);
        t.push(Move::Feed, [-10.0, 5.0, 0.0]);
        let (f, ends) = t.flattened_with_ends(0.01);
        assert_eq!(f, t.flattened(0.01));
        assert_eq!(ends.len(), t.len());
        assert_eq!(&ends[..2], &[0, 1]);
        assert!(ends[2] > 10);
        assert_eq!(ends[3] as usize, f.len() - 1);
        // An arc's last piece ends where the arc does (up to the angle's rounding).
        for (i, &e) in ends.iter().enumerate() {
            let (a, b) = (f.point(e as usize), t.point(i));
            assert!((0..3).all(|k| (a[k] - b[k]).abs() < 1e-5), "{a:?} {b:?}");
        }
    }

    #[test]
    fn stats_and_time() {
        let mut t = Toolpath::new();
        t.push(Move::Rapid, [0.0, 0.0, 5.0]);
        t.push(Move::Plunge, [0.0, 0.0, 0.0]);
        t.push(Move::Feed, [3.0, 4.0, 0.0]);
        t.push(Move::Rapid, [3.0, 4.0, 5.0]);
        let s = t.stats();
        assert_eq!(s.points, 4);
        assert!((s.feed_length - 5.0).abs() < 1e-9);
        assert!((s.plunge_length - 5.0).abs() < 1e-9);
        assert!((s.rapid_length - 5.0).abs() < 1e-9);
        let secs = t.estimate_seconds(100.0, 50.0, 1000.0);
        assert!((secs - 60.0 * (0.05 + 0.1 + 0.005)).abs() < 1e-9);
    }

    #[test]
    fn walls_by_span_and_through_extend() {
        let mut t = Toolpath::new();
        t.push(Move::Feed, [0.0, 0.0, 0.0]);
        t.set_wall(Wall::Right);
        t.push(Move::Feed, [1.0, 0.0, 0.0]);
        t.set_wall(Wall::Fixed);
        // Set again before any move: the last word counts.
        t.set_wall(Wall::Left);
        t.push(Move::Feed, [2.0, 0.0, 0.0]);
        t.set_wall(Wall::Left);
        t.push(Move::Feed, [3.0, 0.0, 0.0]);
        let w: Vec<Wall> = (0..4).map(|i| t.wall(i)).collect();
        assert_eq!(w, [Wall::Both, Wall::Right, Wall::Left, Wall::Left]);
        assert_eq!(t.walls, [(1, Wall::Right), (2, Wall::Left)]);
        let mut u = t.clone();
        u.extend(&t);
        let w: Vec<Wall> = (0..8).map(|i| u.wall(i)).collect();
        assert_eq!(
            w,
            [
                Wall::Both,
                Wall::Right,
                Wall::Left,
                Wall::Left,
                Wall::Both,
                Wall::Right,
                Wall::Left,
                Wall::Left
            ]
        );
    }

    #[test]
    fn arcs_measure_and_flatten() {
        let mut t = Toolpath::new();
        t.push(Move::Feed, [10.0, 0.0, 0.0]);
        // Half a turn counter-clockwise, radius 10, around the origin.
        t.push_arc(true, [0.0, 0.0], [-10.0, 0.0, 0.0]);
        // A full clockwise helix down by 2.
        t.push_arc(false, [0.0, 0.0], [-10.0, 0.0, -2.0]);
        let s = t.stats();
        let pi = std::f64::consts::PI;
        let want = 10.0 * pi + (20.0 * pi).dhypot(2.0);
        assert!((s.feed_length - want).abs() < 1e-4, "{}", s.feed_length);
        let steps: Vec<Step> = t.steps().collect();
        assert!((steps[0].arc.unwrap().1 - pi).abs() < 1e-9);
        assert!((steps[1].arc.unwrap().1 + 2.0 * pi).abs() < 1e-9);
        // Half way round the half turn is at (0, 10).
        let m = steps[0].at(0.5);
        assert!(m[0].abs() < 1e-6 && (m[1] - 10.0).abs() < 1e-6);
        let f = t.flattened(0.01);
        assert!(f.centres.is_empty());
        for i in 0..f.len() {
            let p = f.point(i);
            assert!(((p[0] as f64).dhypot(p[1] as f64) - 10.0).abs() < 1e-4);
        }
        // Every chord's middle stays within the tolerance of the circle.
        for s in f.steps() {
            let m = s.at(0.5);
            assert!(10.0 - m[0].dhypot(m[1]) <= 0.01 + 1e-6);
        }
        assert!((f.stats().feed_length - want).abs() < 0.05);
    }
}

//! A program replayed on a height-field stock ([`crate::sim::Stock`]) so that a page can
//! show the stock after any move: the run is done once, in slices the caller paces
//! ([`Replay::advance`]), and [`Replay::seek`] then brings the stock to the state after move
//! `k` for a slider.
//!
//! The state after move `k` is the uncut stock lowered by moves `1..=k` (move `i` ends at
//! point `i`; point 0 is reached from nowhere), each operation's moves by its own cutter. A
//! height field holds only the result, not its history, so going back means cutting again
//! from an earlier state. Keeping every state is out of the question (8 MB each at the
//! page's default 2M cells); keeping none makes every step back a re-run of the whole
//! program. So the run leaves *checkpoints*: copies of the stock taken at equal shares of
//! the run's work, as many as a byte budget holds (the last one is the finished stock).
//! A seek starts from the latest checkpoint at or before `k`, or goes on from the working
//! stock when that is nearer, so:
//!
//! * memory: `(checkpoints + 1) × nx × ny × 4` bytes, the `+ 1` being the working stock;
//! * a seek cuts at most one share of the work, `1 / checkpoints` of the run, plus one copy
//!   of the stock; a seek forward from the last one (a slider dragged or played forward)
//!   cuts only the moves in between.
//!
//! The work of a move is estimated before the run as the cells its tool's shadow covers
//! (the swept width times the length seen from above, plus the tool's disc) plus one for the
//! fixed cost of a move: the sweep visits those cells, so equal shares of this estimate take
//! about equal time, whatever mix of long roughing passes and short finishing moves the
//! program has.
//!
//! [`Replay::rows_between`] says which rows two states can differ in (the moves between
//! them, grown by their tool's radius), so a page only re-sends and re-uploads those rows.

use crate::cutter::Cutter;
use crate::geom::Det;
use crate::sim::Stock;
use crate::toolpath::{arc_sweep, Move, Toolpath};
use std::ops::Range;

/// The most checkpoints kept, whatever the budget: past this the shares are so small that
/// copying the stock costs more than the cutting it saves.
pub const MAX_CHECKPOINTS: usize = 64;

/// A copy of the stock after move `at`.
#[derive(Clone, Debug)]
struct Checkpoint {
    at: usize,
    /// Arc moves among points `1..=at` (where the arc centres of the next moves start).
    arcs: usize,
    stock: Stock,
}

/// The stock being cut and how far: the state after move `at`.
#[derive(Clone, Debug)]
struct Cursor {
    at: usize,
    arcs: usize,
    stock: Stock,
}

/// A program replayed on a stock (see the module doc).
#[derive(Clone, Debug)]
pub struct Replay {
    path: Toolpath,
    /// Each operation's cutter, in order.
    cutters: Vec<Cutter>,
    /// Each operation's first point in `path`.
    op_starts: Vec<usize>,
    /// The uncut stock's corners, top and cell, to make it again without keeping a copy.
    blank: ([f64; 2], [f64; 2], f64, f64),
    /// The stock as the run or the last seek left it.
    work: Cursor,
    checkpoints: Vec<Checkpoint>,
    /// Checkpoints the budget holds (the last is taken at the end of the run).
    planned: usize,
    /// Work of the whole run and of the moves cut so far by it.
    total: f64,
    done: f64,
    finished: bool,
}

impl Replay {
    /// A replay of `path` on `stock` (uncut: the state before move 1), operation `k` cutting
    /// with `cutters[k]` from point `op_starts[k]` on (points before `op_starts[0]`, if any,
    /// with the first cutter). Keeps as many checkpoints as `checkpoint_bytes` holds, at most
    /// [`MAX_CHECKPOINTS`]. Nothing is cut until [`Replay::advance`].
    ///
    /// # Panics
    /// When `cutters` is empty or `op_starts` and `cutters` differ in length: the engine's
    /// output always has one of each per operation.
    pub fn new(
        stock: Stock,
        path: Toolpath,
        op_starts: Vec<usize>,
        cutters: Vec<Cutter>,
        checkpoint_bytes: usize,
    ) -> Replay {
        assert!(!cutters.is_empty() && cutters.len() == op_starts.len());
        let (o, c) = (stock.origin(), stock.cell());
        // Half a cell short of the far edge, so the rounding up gives the same cell counts.
        let far = [
            o[0] + (stock.nx() as f64 - 0.5) * c,
            o[1] + (stock.ny() as f64 - 0.5) * c,
        ];
        let planned = (checkpoint_bytes / stock.bytes().max(1))
            .min(MAX_CHECKPOINTS)
            .min(path.len().saturating_sub(1));
        let mut r = Replay {
            blank: (o, far, stock.top(), c),
            work: Cursor {
                at: 0,
                arcs: 0,
                stock,
            },
            path,
            cutters,
            op_starts,
            checkpoints: Vec::with_capacity(planned),
            planned,
            total: 0.0,
            done: 0.0,
            finished: false,
        };
        let mut arcs = 0;
        r.total = (1..r.path.len()).map(|i| r.cost(i, &mut arcs)).sum();
        r.finished = r.path.len() <= 1;
        r
    }

    /// Moves in the program: states run from 0 (uncut) to `moves()`.
    pub fn moves(&self) -> usize {
        self.path.len().saturating_sub(1)
    }

    /// The stock as it stands (after the run's last move, or the last seek's).
    pub fn stock(&self) -> &Stock {
        &self.work.stock
    }

    /// The state the stock is in: the number of moves cut.
    pub fn at(&self) -> usize {
        self.work.at
    }

    /// True once the run has cut every move.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The run's share done, 0..=1.
    pub fn progress(&self) -> f64 {
        if self.finished {
            1.0
        } else {
            (self.done / self.total.max(f64::MIN_POSITIVE)).min(1.0)
        }
    }

    /// Checkpoints kept so far, and the most the budget holds.
    pub fn checkpoints(&self) -> (usize, usize) {
        (self.checkpoints.len(), self.planned)
    }

    /// Bytes of the heights held: the working stock and every checkpoint.
    pub fn bytes(&self) -> usize {
        (self.checkpoints.len() + 1) * self.work.stock.bytes()
    }

    /// Goes on with the run for about `work` of its work units (at least one move) and
    /// returns true once every move is cut. The units are the estimate of the module doc;
    /// `progress` tells how far the run is, so a caller can time one slice and size the
    /// next.
    pub fn advance(&mut self, work: f64) -> bool {
        let mut spent = 0.0;
        while !self.finished && (spent == 0.0 || spent < work) {
            let i = self.work.at + 1;
            let mut arcs = self.work.arcs;
            let cost = self.cost(i, &mut arcs);
            self.cut(i);
            spent += cost;
            self.done += cost;
            let last = i == self.moves();
            let share = self.total * (self.checkpoints.len() + 1) as f64 / self.planned as f64;
            if self.checkpoints.len() < self.planned && (last || self.done >= share) {
                self.checkpoints.push(Checkpoint {
                    at: self.work.at,
                    arcs: self.work.arcs,
                    stock: self.work.stock.clone(),
                });
            }
            self.finished = last;
        }
        self.finished
    }

    /// Brings the stock to the state after move `k` (clamped to the program) and returns
    /// the rows it changed in, or `None` while the run is not finished (seeking would
    /// disturb it).
    pub fn seek(&mut self, k: usize) -> Option<Range<usize>> {
        if !self.finished {
            return None;
        }
        let k = k.min(self.moves());
        let was = self.work.at;
        if k == was {
            return Some(0..0);
        }
        let from = self.checkpoints.iter().rev().find(|c| c.at <= k);
        let resume = self.work.at <= k && from.is_none_or(|c| c.at <= self.work.at);
        if !resume {
            self.work = match from {
                Some(c) => Cursor {
                    at: c.at,
                    arcs: c.arcs,
                    stock: c.stock.clone(),
                },
                None => {
                    let (lo, hi, top, cell) = self.blank;
                    Cursor {
                        at: 0,
                        arcs: 0,
                        // The same arguments made this stock before: they cannot fail now.
                        stock: Stock::new(lo, hi, top, cell).expect("the blank was made before"),
                    }
                }
            };
        }
        while self.work.at < k {
            self.cut(self.work.at + 1);
        }
        Some(self.rows_between(was, k))
    }

    /// The rows (`j` ranges of the grid) in which the states after moves `a` and `b` can
    /// differ: those the tools of the moves between them reach, seen from above.
    pub fn rows_between(&self, a: usize, b: usize) -> Range<usize> {
        let (a, b) = (a.min(b), a.max(b).min(self.moves()));
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut arcs = self.arcs_before(a + 1);
        for i in a + 1..=b {
            let r = self.cutter_at(i).radius();
            let (from, to) = (self.point(i - 1), self.point(i));
            let (y0, y1) = match self.path.kind(i) {
                k if k.is_arc() => {
                    let c = self
                        .path
                        .centres
                        .get(arcs)
                        .copied()
                        .unwrap_or([from[0], from[1]]);
                    arcs += 1;
                    let rad = (from[0] - c[0])
                        .dhypot(from[1] - c[1])
                        .max((to[0] - c[0]).dhypot(to[1] - c[1]));
                    (c[1] - rad, c[1] + rad)
                }
                _ => (from[1].min(to[1]), from[1].max(to[1])),
            };
            lo = lo.min(y0 - r);
            hi = hi.max(y1 + r);
        }
        let s = &self.work.stock;
        // No move in between (or a point that is not a number: nothing is cut there).
        if lo
            .partial_cmp(&hi)
            .is_none_or(|o| o == std::cmp::Ordering::Greater)
        {
            return 0..0;
        }
        let row = |y: f64| {
            ((y - s.origin()[1]) / s.cell())
                .floor()
                .clamp(0.0, s.ny() as f64) as usize
        };
        row(lo)..(row(hi) + 1).min(s.ny())
    }

    /// Arc moves among points `1..i`, by counting from the nearest known state before `i`.
    fn arcs_before(&self, i: usize) -> usize {
        let known = std::iter::once((0, 0))
            .chain(self.checkpoints.iter().map(|c| (c.at, c.arcs)))
            .chain(std::iter::once((self.work.at, self.work.arcs)))
            .filter(|&(at, _)| at < i)
            .max_by_key(|&(at, _)| at)
            .unwrap_or((0, 0));
        known.1
            + (known.0 + 1..i)
                .filter(|&j| self.path.kind(j).is_arc())
                .count()
    }

    fn point(&self, i: usize) -> [f64; 3] {
        self.path.point(i).map(f64::from)
    }

    /// The cutter of the operation point `i` belongs to.
    fn cutter_at(&self, i: usize) -> &Cutter {
        let k = self.op_starts.partition_point(|&s| s <= i).max(1) - 1;
        &self.cutters[k]
    }

    /// Cuts move `i` into the working stock, which must be in the state after move `i - 1`.
    fn cut(&mut self, i: usize) {
        debug_assert_eq!(self.work.at + 1, i);
        let (from, to) = (self.point(i - 1), self.point(i));
        let kind = self.path.kind(i);
        let k = self.op_starts.partition_point(|&s| s <= i).max(1) - 1;
        let cutter = &self.cutters[k];
        if kind.is_arc() {
            let c = self
                .path
                .centres
                .get(self.work.arcs)
                .copied()
                .unwrap_or([from[0], from[1]]);
            self.work.arcs += 1;
            self.work
                .stock
                .cut_arc(cutter, from, to, c, kind == Move::ArcCcw);
        } else {
            self.work.stock.cut_line(cutter, from, to);
        }
        self.work.at = i;
    }

    /// The estimated work of move `i` (module doc); `arcs` counts the arcs before it and is
    /// moved past this one.
    fn cost(&self, i: usize, arcs: &mut usize) -> f64 {
        let (from, to) = (self.point(i - 1), self.point(i));
        let r = self.cutter_at(i).radius();
        let length = if self.path.kind(i).is_arc() {
            let c = self
                .path
                .centres
                .get(*arcs)
                .copied()
                .unwrap_or([from[0], from[1]]);
            *arcs += 1;
            let sweep = arc_sweep(
                [from[0], from[1]],
                [to[0], to[1]],
                c,
                self.path.kind(i) == Move::ArcCcw,
            );
            (from[0] - c[0]).dhypot(from[1] - c[1]) * sweep.abs()
        } else {
            (to[0] - from[0]).dhypot(to[1] - from[1])
        };
        let cell = self.work.stock.cell();
        1.0 + (2.0 * r * length + std::f64::consts::PI * r * r) / (cell * cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cutter::Shape;

    fn stock() -> Stock {
        Stock::new([0.0, 0.0], [40.0, 30.0], 10.0, 0.25).unwrap()
    }

    /// Two operations: a flat cutter's passes at two depths, then a ball's arcs and a
    /// helix.
    fn program() -> (Toolpath, Vec<usize>, Vec<Cutter>) {
        let mut t = Toolpath::new();
        t.push(Move::Rapid, [2.0, 2.0, 15.0]);
        for (k, z) in [8.0, 6.0].into_iter().enumerate() {
            t.push(Move::Plunge, [2.0, 2.0 + k as f32, z]);
            for row in 0..6 {
                let y = 3.0 + 4.0 * row as f32;
                let (a, b) = if row % 2 == 0 {
                    (3.0, 37.0)
                } else {
                    (37.0, 3.0)
                };
                t.push(Move::Feed, [a, y, z]);
                t.push(Move::Feed, [b, y, z]);
            }
            t.push(Move::Rapid, [3.0, 23.0, 15.0]);
        }
        let second = t.len();
        t.push(Move::Rapid, [30.0, 15.0, 15.0]);
        t.push(Move::Plunge, [30.0, 15.0, 5.0]);
        t.push_arc(true, [20.0, 15.0], [10.0, 15.0, 5.0]);
        t.push_arc(false, [20.0, 15.0], [30.0, 15.0, 4.0]);
        t.push_arc(true, [20.0, 15.0], [30.0, 15.0, 3.0]);
        t.push(Move::Feed, [20.0, 25.0, 3.0]);
        t.push(Move::Rapid, [20.0, 25.0, 15.0]);
        let flat = Cutter::new(Shape::Flat, 6.0, 20.0).unwrap();
        let ball = Cutter::new(Shape::Ball, 3.0, 20.0).unwrap();
        (t, vec![0, second], vec![flat, ball])
    }

    /// The stock after moves `1..=k`, cut one by one by the right cutters (through `run` on
    /// each operation's part, so it checks the replay against the simulator's own loop).
    fn direct(k: usize) -> Stock {
        let (t, starts, cutters) = program();
        let mut s = stock();
        let mut go = |_: f32| true;
        for (op, &start) in starts.iter().enumerate() {
            let end = starts.get(op + 1).copied().unwrap_or(t.len()).min(k + 1);
            // The part from the point before the operation's first (the move into it).
            let first = start.saturating_sub(1);
            if end <= first + 1 {
                continue;
            }
            let mut part = Toolpath::new();
            let arcs_before = (1..=first).filter(|&i| t.kind(i).is_arc()).count();
            let mut arcs = arcs_before;
            for i in first..end {
                let p = t.point(i);
                if i > first && t.kind(i).is_arc() {
                    part.push_arc(t.kind(i) == Move::ArcCcw, t.centres[arcs], p);
                    arcs += 1;
                } else {
                    part.push(if i == first { Move::Rapid } else { t.kind(i) }, p);
                }
            }
            s.run(&cutters[op], &part, &mut go).unwrap();
        }
        s
    }

    fn replay(budget_stocks: usize) -> Replay {
        let (t, starts, cutters) = program();
        let bytes = budget_stocks * stock().bytes();
        let mut r = Replay::new(stock(), t, starts, cutters, bytes);
        let mut slices = 0;
        while !r.advance(500.0) {
            slices += 1;
            assert!(r.progress() < 1.0);
        }
        assert!(slices > 3, "the run came in {slices} slices");
        r
    }

    #[test]
    fn the_run_ends_as_cutting_every_move_directly() {
        let r = replay(4);
        assert_eq!(r.at(), r.moves());
        assert_eq!(r.stock(), &direct(r.moves()));
        assert_eq!(r.checkpoints(), (4, 4));
        assert_eq!(r.bytes(), 5 * stock().bytes());
    }

    #[test]
    fn any_seek_gives_the_state_after_that_move() {
        for budget in [0, 1, 3, 64] {
            let mut r = replay(budget);
            let n = r.moves();
            // Back and forth, across operations, to the ends and out of range.
            for k in [n / 2, 3, n - 1, 0, n, 7, 8, 30, 29, n + 5, 14, 14] {
                let was = r.at();
                let rows = r.seek(k).unwrap();
                let want = direct(k.min(n));
                assert_eq!(r.stock(), &want, "budget {budget}, move {k}");
                // Rows outside those reported equal the previous state's.
                let before = direct(was);
                let nx = want.nx();
                for (j, (a, b)) in before
                    .heights()
                    .chunks(nx)
                    .zip(want.heights().chunks(nx))
                    .enumerate()
                {
                    assert!(
                        rows.contains(&j) || a == b,
                        "row {j} changed outside {rows:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn each_operation_cuts_with_its_own_cutter() {
        let mut r = replay(2);
        let (t, starts, _) = program();
        // The flat's passes leave a flat floor at 6 under a cell on the first raster line.
        r.seek(starts[1] - 1).unwrap();
        let s = r.stock();
        let j = ((3.0 - s.origin()[1]) / s.cell()) as usize;
        let i = ((20.0 - s.origin()[0]) / s.cell()) as usize;
        assert_eq!(s.height(i, j), 6.0);
        // The ball's last groove, from (30, 15) to (20, 25) at Z 3: deeper than the flat
        // went, and round. Cell (89, 90) has its centre (22.375, 22.625) on the groove's
        // line; 1.5 mm along X is 1.06 mm off it, where the ball's profile is 0.44 up.
        r.seek(t.len() - 1).unwrap();
        let s = r.stock();
        assert_eq!(s.centre(89, 90), [22.375, 22.625]);
        assert!((s.height(89, 90) as f64 - 3.0).abs() < 1e-4);
        let side = s.height(89 + 6, 90) as f64;
        let want = 3.0 + 1.5 - (1.5f64 * 1.5 - 1.125).sqrt();
        assert!((side - want).abs() < 1e-3, "{side} vs {want}");
    }

    #[test]
    fn seeking_waits_for_the_run() {
        let (t, starts, cutters) = program();
        let mut r = Replay::new(stock(), t, starts, cutters, 0);
        assert!(r.seek(3).is_none());
        assert_eq!(r.progress(), 0.0);
        r.advance(1.0);
        assert_eq!(r.at(), 1);
        assert!(r.progress() > 0.0);
        while !r.advance(f64::INFINITY) {}
        assert!(r.seek(3).is_some());
    }
}

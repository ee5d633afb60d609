//! Rest machining: an operation cut only where the earlier operations of the chain left
//! material.
//!
//! The earlier operations' toolpaths are run, each with its own cutter, on a height-field
//! stock ([`crate::sim::Stock`]: the exact swept volume of every move over the cells'
//! centres). The operation's own toolpath, made as usual, is then judged move by move: a
//! straight move is cut into pieces at most `piece` long (half the cutter radius, at least
//! two cells), an arc is judged whole, and a piece is kept when the tool moving along it
//! would remove more than the threshold from that stock ([`Stock::depth_line`]). What the
//! earlier tools already reached is not cut again; what they left (corners narrower than
//! their radius, the floor between their passes, stock they were told to leave) is.
//!
//! The kept pieces are joined, nearest first in the strategy's own order, by the cheapest
//! safe link:
//! * none, where a kept piece starts where the last one ended;
//! * a straight feed move at most `8 R` long that removes nothing from the stock (at most
//!   [`LINK_CUT`] over any cell centre) and stays over the stock's cells. The stock after
//!   the earlier operations is never below the model (they do not gouge), so such a move
//!   does not touch the model either;
//! * the strategy's own moves in between (now in air) when they are no longer than that and
//!   have no rapid among them: they were safe for the full program;
//! * otherwise up to the safe height, across, down at rapid to clear the stock left under
//!   the cutter by [`descent_margin`], and the rest of the way at the plunge feed.
//!
//! A kept piece never starts inside material thicker than the threshold: it begins where
//! the program began a move (which the strategy entered safely) or where a dropped piece
//! ended, and a dropped piece removes at most the threshold anywhere along it.

use crate::cutter::Cutter;
use crate::geom::{Box3, Det};
use crate::sim::{Cancelled, SimError, Stock};
use crate::toolpath::{Move, Step, Toolpath, Wall};

/// The most cells the rest stock may have (4 bytes each: 64 MiB).
pub const MAX_REST_CELLS: f64 = 16_777_216.0;

/// The most a straight feed link may remove from the stock over any cell centre (model
/// units): cell heights are exact at the centres, so this only absorbs rounding.
pub const LINK_CUT: f64 = 1e-4;

/// Why the rest of an operation could not be found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RestError {
    /// Cancelled through the progress callback.
    Cancelled,
    /// The stock could not be made (an empty or non-finite stock box).
    Stock(SimError),
}

impl From<Cancelled> for RestError {
    fn from(_: Cancelled) -> Self {
        RestError::Cancelled
    }
}

/// The cell of the rest stock for an operation whose cutter has `radius`: an eighth of the
/// radius, coarser when the stock box would need more than [`MAX_REST_CELLS`].
pub fn cell_size(stock: &Box3, radius: f64) -> f64 {
    let area = (stock.max.x - stock.min.x) * (stock.max.y - stock.min.y);
    let budget = (area / MAX_REST_CELLS).sqrt() * 1.01;
    (radius / 8.0).max(budget)
}

/// The stock after `earlier` operations (each its cutter and toolpath), on cells of `cell`.
pub fn stock_after(
    stock: &Box3,
    earlier: &[(Cutter, &Toolpath)],
    cell: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Stock, RestError> {
    let mut s = Stock::new(
        [stock.min.x, stock.min.y],
        [stock.max.x, stock.max.y],
        stock.max.z,
        cell,
    )
    .map_err(RestError::Stock)?;
    let n = earlier.len().max(1) as f32;
    for (k, (cutter, tp)) in earlier.iter().enumerate() {
        s.run(cutter, tp, &mut |f| progress((k as f32 + f) / n))?;
    }
    Ok(s)
}

/// How far above the highest stock under the cutter a descent stops rapid before the
/// plunge feed takes over: a quarter of the radius, at least four cells (the stock between
/// cell centres can stand a little above them).
pub fn descent_margin(radius: f64, cell: f64) -> f64 {
    (0.25 * radius).max(4.0 * cell)
}

/// A move of the original program, kept to be replayed as a link.
#[derive(Clone, Copy)]
struct Held {
    kind: Move,
    to: [f64; 3],
    centre: Option<[f64; 2]>,
}

/// The output being built: the toolpath and where its tool is.
struct Out<'a> {
    tp: Toolpath,
    at: Option<[f64; 3]>,
    stock: &'a Stock,
    cutter: &'a Cutter,
    safe: f64,
    /// Original moves since the last kept piece, their length, and whether a rapid is
    /// among them.
    held: Vec<Held>,
    held_len: f64,
    held_rapid: bool,
    /// The last output point is the end of a kept straight piece of the original move with
    /// this index (so the next kept piece of that move extends it).
    open: Option<usize>,
}

/// A point as the toolpath stores it, Z rounded up (as `surface::f32p`): a piece's end
/// between two of the program's points is never below the straight move it lies on.
fn f32p(p: [f64; 3]) -> [f32; 3] {
    crate::strategy::surface::f32p(crate::geom::DVec3::from(p))
}

fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    (b[0] - a[0]).dhypot(b[1] - a[1]).dhypot(b[2] - a[2])
}

impl Out<'_> {
    fn hold(&mut self, kind: Move, from: [f64; 3], to: [f64; 3], centre: Option<[f64; 2]>) {
        self.held_len += match centre {
            Some(c) => Step {
                index: 0,
                kind,
                from,
                to,
                arc: Some((
                    c,
                    crate::toolpath::arc_sweep(
                        [from[0], from[1]],
                        [to[0], to[1]],
                        c,
                        kind == Move::ArcCcw,
                    ),
                )),
            }
            .length(),
            None => dist(from, to),
        };
        self.held_rapid |= kind == Move::Rapid;
        self.held.push(Held { kind, to, centre });
        self.open = None;
    }

    /// Brings the tool to `s`, the start of a kept piece (see the module doc).
    fn link(&mut self, s: [f64; 3]) {
        let r = self.cutter.radius();
        let held = std::mem::take(&mut self.held);
        let (held_len, held_rapid) = (self.held_len, self.held_rapid);
        self.held_len = 0.0;
        self.held_rapid = false;
        let Some(at) = self.at else {
            self.descend(s);
            return;
        };
        if dist(at, s) <= 1e-6 {
            return;
        }
        // Links run in air: no side of them is the part.
        self.tp.set_wall(Wall::Both);
        let reach = 8.0 * r;
        let inside = |p: [f64; 3]| self.stock.covers([p[0], p[1]], r);
        if dist(at, s) <= reach
            && inside(at)
            && inside(s)
            && self.stock.depth_line(self.cutter, at, s) <= LINK_CUT
        {
            self.tp.push(Move::Feed, f32p(s));
            self.at = Some(s);
            return;
        }
        if !held_rapid && held_len <= reach {
            for h in &held {
                match h.centre {
                    Some(c) => self.tp.push_arc(h.kind == Move::ArcCcw, c, f32p(h.to)),
                    None => self.tp.push(h.kind, f32p(h.to)),
                }
            }
            self.at = held.last().map(|h| h.to).or(self.at);
            if self.at.is_some_and(|p| dist(p, s) <= 1e-6) {
                return;
            }
        }
        self.descend(s);
    }

    /// Up to the safe height, across to above `s`, rapid down to clear the stock under the
    /// cutter and the rest at the plunge feed.
    fn descend(&mut self, s: [f64; 3]) {
        let safe = self.safe;
        self.tp.set_wall(Wall::Both);
        if let Some(at) = self.at {
            if at[2] < safe {
                self.tp.push(Move::Rapid, f32p([at[0], at[1], safe]));
            }
        }
        self.tp.push(Move::Rapid, f32p([s[0], s[1], safe]));
        let r = self.cutter.radius();
        let top = self
            .stock
            .highest_within([s[0], s[1]], r + self.stock.cell())
            .unwrap_or(f64::NEG_INFINITY);
        let stop = (top + descent_margin(r, self.stock.cell())).max(s[2]);
        if stop < safe {
            self.tp.push(Move::Rapid, f32p([s[0], s[1], stop]));
        }
        if s[2] < stop.min(safe) {
            self.tp.push(Move::Plunge, f32p(s));
        }
        self.at = Some(s);
    }
}

/// The moves of `tp` (cut by `cutter`) that remove more than `threshold` from `stock`, with
/// safe links between them (see the module doc); `safe` is the job's safe height. Empty when
/// nothing is left to cut.
pub fn keep(
    tp: &Toolpath,
    cutter: &Cutter,
    stock: &Stock,
    threshold: f64,
    safe: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let piece = (0.5 * cutter.radius()).max(2.0 * stock.cell());
    let mut out = Out {
        tp: Toolpath::new(),
        at: None,
        stock,
        cutter,
        safe,
        held: Vec::new(),
        held_len: 0.0,
        held_rapid: false,
        open: None,
    };
    let total = tp.len().max(1) as f32;
    for step in tp.steps() {
        if step.index % 1024 == 0 && !progress(step.index as f32 / total) {
            return Err(Cancelled);
        }
        let wall = tp.wall(step.index);
        match (step.kind, step.arc) {
            (Move::Rapid, _) => out.hold(step.kind, step.from, step.to, None),
            (_, Some((c, _))) => {
                let ccw = step.kind == Move::ArcCcw;
                if stock.depth_arc(cutter, step.from, step.to, c, ccw) > threshold {
                    out.link(step.from);
                    out.tp.set_wall(wall);
                    out.tp.push_arc(ccw, c, f32p(step.to));
                    out.at = Some(step.to);
                    out.open = None;
                } else {
                    out.hold(step.kind, step.from, step.to, Some(c));
                }
            }
            (kind, None) => {
                let len = dist(step.from, step.to);
                let n = (len / piece).ceil().clamp(1.0, 1e6) as usize;
                let at = |t: f64| -> [f64; 3] {
                    if t >= 1.0 {
                        return step.to;
                    }
                    std::array::from_fn(|i| step.from[i] + t * (step.to[i] - step.from[i]))
                };
                for k in 0..n {
                    let (a, b) = (at(k as f64 / n as f64), at((k + 1) as f64 / n as f64));
                    if stock.depth_line(cutter, a, b) > threshold {
                        if out.open == Some(step.index) {
                            // Extend the kept run along the same move.
                            let m = out.tp.points.len();
                            out.tp.points[m - 3..].copy_from_slice(&f32p(b));
                        } else {
                            out.link(a);
                            out.tp.set_wall(wall);
                            out.tp.push(kind, f32p(b));
                            out.open = Some(step.index);
                        }
                        out.at = Some(b);
                    } else {
                        out.hold(kind, a, b, None);
                    }
                }
            }
        }
    }
    if let Some(at) = out.at {
        if at[2] < safe {
            out.tp.push(Move::Rapid, f32p([at[0], at[1], safe]));
        }
    }
    if !progress(1.0) {
        return Err(Cancelled);
    }
    Ok(out.tp)
}

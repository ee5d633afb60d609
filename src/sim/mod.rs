//! Stock simulation: a height field lowered by the exact volume every move sweeps.
//!
//! Everything here is 3-axis, so the stock is a height field: a grid of `nx × ny` square
//! cells, one `f32` height per cell (4 bytes per cell, [`BYTES_PER_CELL`]), the height of
//! the stock's top over the cell's centre. It is sized at a cell size the user picks
//! ([`Stock::new`]) or from a memory budget in bytes ([`Stock::with_budget`]), and refuses
//! grids of more than [`MAX_CELLS`] cells.
//!
//! A move lowers each cell to the lowest point of the tool's swept surface over the cell's
//! centre, computed in closed form rather than by sampling positions along the move:
//!
//! * The column minimisation for a straight move (`column.rs`): along the move the lowest
//!   tool point over a column is a convex function of the position, whose minimum has a
//!   closed form for the flat, ball and cone (the ball's is the capsule's lowest point), and
//!   for a level bull-nose move; a sloped bull-nose move needs the root of a quartic, found
//!   by a monotonically converging Newton iteration (derivation there).
//! * Which cells a move reaches, row by row, and arcs (`sweep.rs`): a level arc is closed
//!   form for every shape (the profile at the distance to the arc); a helix is split into
//!   chords a thousandth of a cell from the curve.
//!
//! Only the cells within the tool's radius of the move, seen from above, are visited, each
//! row as one or two X intervals. Lowering is a minimum, so the result does not depend on
//! the order of the moves.

// `!(x > 0.0)` is written on purpose (as in `cutter`): it is true for NaN too, so odd input
// takes the reject path.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod column;
pub mod engagement;
mod sweep;
pub mod verify;

use crate::cutter::Cutter;
use crate::geom::Box3;
use crate::toolpath::Toolpath;
use column::Tool;
use std::fmt;
use sweep::{Grid, Lower, Probe};

/// Bytes each cell of the height field takes (one `f32` height).
pub const BYTES_PER_CELL: usize = 4;

/// The most cells a stock may have: 2²⁷ (512 MiB of heights), past which the resolution
/// asked for is refused rather than attempted.
pub const MAX_CELLS: usize = 1 << 27;

/// Why a stock could not be made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SimError {
    /// The cell size is not a positive number.
    Cell(f64),
    /// The stock box is empty or not finite.
    Box,
    /// The byte budget does not hold even one cell.
    Budget(usize),
    /// The grid would have more than [`MAX_CELLS`] cells.
    TooManyCells {
        /// Cells asked for.
        cells: f64,
        /// The cell size that gave them.
        cell: f64,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SimError::Cell(c) => write!(f, "stock cell size {c} must be a positive number"),
            SimError::Box => f.write_str("stock box must be finite and not empty"),
            SimError::Budget(b) => write!(
                f,
                "stock memory budget {b} bytes holds no cell ({BYTES_PER_CELL} bytes per cell)"
            ),
            SimError::TooManyCells { cells, cell } => write!(
                f,
                "stock cell size {cell} gives {cells:.0} cells, more than {MAX_CELLS}; use a larger cell"
            ),
        }
    }
}

impl std::error::Error for SimError {}

/// The simulation was cancelled through its progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cancelled;

/// The stock as a height field (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct Stock {
    /// The grid's lower-left corner (XY); cell `(i, j)` has its centre at
    /// `origin + (i + ½, j + ½) · cell`.
    origin: [f64; 2],
    /// Side of a cell.
    cell: f64,
    nx: usize,
    ny: usize,
    /// The uncut top.
    top: f64,
    /// Heights, row by row (`j * nx + i`).
    heights: Vec<f32>,
}

impl Stock {
    /// A stock covering `min_xy`..`max_xy` (the grid is rounded up to whole cells, so it may
    /// reach past `max_xy` by less than a cell) with every cell at `top`.
    pub fn new(min_xy: [f64; 2], max_xy: [f64; 2], top: f64, cell: f64) -> Result<Stock, SimError> {
        if !cell.is_finite() || cell <= 0.0 {
            return Err(SimError::Cell(cell));
        }
        let finite = min_xy.iter().chain(&max_xy).all(|v| v.is_finite()) && top.is_finite();
        if !finite || max_xy[0] <= min_xy[0] || max_xy[1] <= min_xy[1] {
            return Err(SimError::Box);
        }
        let fx = ((max_xy[0] - min_xy[0]) / cell).ceil().max(1.0);
        let fy = ((max_xy[1] - min_xy[1]) / cell).ceil().max(1.0);
        let cells = fx * fy;
        if !(cells <= MAX_CELLS as f64) {
            return Err(SimError::TooManyCells { cells, cell });
        }
        let (nx, ny) = (fx as usize, fy as usize);
        Ok(Stock {
            origin: min_xy,
            cell,
            nx,
            ny,
            top,
            heights: vec![top as f32; nx * ny],
        })
    }

    /// A stock for the box with the finest square cell whose heights fit in `bytes`.
    pub fn with_budget(stock: &Box3, bytes: usize) -> Result<Stock, SimError> {
        let n = bytes / BYTES_PER_CELL;
        if n == 0 {
            return Err(SimError::Budget(bytes));
        }
        let n = n.min(MAX_CELLS);
        let (w, h) = (stock.max.x - stock.min.x, stock.max.y - stock.min.y);
        if !(w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite()) {
            return Err(SimError::Box);
        }
        let (lo, hi) = ([stock.min.x, stock.min.y], [stock.max.x, stock.max.y]);
        // The area rule first, then grow the cell until the rounded-up grid fits.
        let mut cell = (w * h / n as f64).sqrt();
        loop {
            let cells = (w / cell).ceil().max(1.0) * (h / cell).ceil().max(1.0);
            if cells <= n as f64 {
                return Stock::new(lo, hi, stock.max.z, cell);
            }
            cell *= 1.0 + 1e-3;
        }
    }

    /// The grid's lower-left corner.
    pub fn origin(&self) -> [f64; 2] {
        self.origin
    }

    /// Side of a cell.
    pub fn cell(&self) -> f64 {
        self.cell
    }

    /// Cells along X.
    pub fn nx(&self) -> usize {
        self.nx
    }

    /// Cells along Y.
    pub fn ny(&self) -> usize {
        self.ny
    }

    /// The uncut top.
    pub fn top(&self) -> f64 {
        self.top
    }

    /// Every height, row by row (`j * nx + i`).
    pub fn heights(&self) -> &[f32] {
        &self.heights
    }

    /// Bytes the heights take.
    pub fn bytes(&self) -> usize {
        self.heights.len() * BYTES_PER_CELL
    }

    /// The centre of cell `(i, j)`.
    pub fn centre(&self, i: usize, j: usize) -> [f64; 2] {
        [
            self.origin[0] + (i as f64 + 0.5) * self.cell,
            self.origin[1] + (j as f64 + 0.5) * self.cell,
        ]
    }

    /// The grid without its heights.
    fn grid(&self) -> Grid {
        Grid {
            origin: self.origin,
            cell: self.cell,
            nx: self.nx,
            ny: self.ny,
        }
    }

    fn sweep_line(&mut self, tool: &Tool, from: [f64; 3], to: [f64; 3]) {
        self.grid()
            .sweep_line(&mut Lower(&mut self.heights), tool, from, to);
    }

    fn sweep_arc(&mut self, tool: &Tool, from: [f64; 3], to: [f64; 3], c: [f64; 2], sweep: f64) {
        self.grid()
            .sweep_arc(&mut Lower(&mut self.heights), tool, from, to, c, sweep);
    }

    /// The height over cell `(i, j)`.
    pub fn height(&self, i: usize, j: usize) -> f32 {
        self.heights[j * self.nx + i]
    }

    /// Removes what the cutter sweeps moving in a straight line from `from` to `to` (tip
    /// positions).
    pub fn cut_line(&mut self, cutter: &Cutter, from: [f64; 3], to: [f64; 3]) {
        if all_finite(&from) && all_finite(&to) {
            self.sweep_line(&Tool::new(cutter), from, to);
        }
    }

    /// Removes what the cutter sweeps along an arc (G2/G3) or helix from `from` to `to`
    /// around `centre` (XY), counter-clockwise seen from above when `ccw`. Ends that
    /// coincide make a full circle.
    pub fn cut_arc(
        &mut self,
        cutter: &Cutter,
        from: [f64; 3],
        to: [f64; 3],
        centre: [f64; 2],
        ccw: bool,
    ) {
        if all_finite(&from) && all_finite(&to) && centre.iter().all(|v| v.is_finite()) {
            let sweep = crate::toolpath::arc_sweep([from[0], from[1]], [to[0], to[1]], centre, ccw);
            self.sweep_arc(&Tool::new(cutter), from, to, centre, sweep);
        }
    }

    /// The deepest material the cutter would remove moving in a straight line from `from` to
    /// `to` (tip positions), without removing it: the most any cell's height stands above
    /// the swept tool over its centre, or 0 when the move cuts nothing.
    pub fn depth_line(&self, cutter: &Cutter, from: [f64; 3], to: [f64; 3]) -> f64 {
        let mut d = Probe::new(&self.heights);
        if all_finite(&from) && all_finite(&to) {
            self.grid().sweep_line(&mut d, &Tool::new(cutter), from, to);
        }
        d.deepest
    }

    /// As [`Stock::depth_line`] for an arc or helix, as [`Stock::cut_arc`] takes it.
    pub fn depth_arc(
        &self,
        cutter: &Cutter,
        from: [f64; 3],
        to: [f64; 3],
        centre: [f64; 2],
        ccw: bool,
    ) -> f64 {
        let mut d = Probe::new(&self.heights);
        if all_finite(&from) && all_finite(&to) && centre.iter().all(|v| v.is_finite()) {
            let sweep = crate::toolpath::arc_sweep([from[0], from[1]], [to[0], to[1]], centre, ccw);
            self.grid()
                .sweep_arc(&mut d, &Tool::new(cutter), from, to, centre, sweep);
        }
        d.deepest
    }

    /// The highest stock over the cells whose centres lie within `radius` of `xy` (`None`
    /// when no cell centre does: the grid does not reach there).
    pub fn highest_within(&self, xy: [f64; 2], radius: f64) -> Option<f64> {
        let g = self.grid();
        let (j0, j1) = g.rows(xy[1] - radius, xy[1] + radius);
        let mut best: Option<f32> = None;
        for j in j0..j1 {
            let wy = self.centre(0, j)[1] - xy[1];
            let half = (radius * radius - wy * wy).max(0.0).sqrt();
            let (i0, i1) = g.cols(xy[0] - half, xy[0] + half);
            for i in i0..i1 {
                let h = self.heights[j * self.nx + i];
                best = Some(best.map_or(h, |b| b.max(h)));
            }
        }
        best.map(f64::from)
    }

    /// True when the disk of `radius` around `xy` lies inside the grid's cells.
    pub fn covers(&self, xy: [f64; 2], radius: f64) -> bool {
        let (x1, y1) = (
            self.origin[0] + self.nx as f64 * self.cell,
            self.origin[1] + self.ny as f64 * self.cell,
        );
        xy[0] - radius >= self.origin[0]
            && xy[1] - radius >= self.origin[1]
            && xy[0] + radius <= x1
            && xy[1] + radius <= y1
    }

    /// Applies every move of a toolpath, rapids included (a rapid cuts only where it runs
    /// into stock, which a verifier reports). `progress(fraction)` is called every few
    /// thousand moves; returning `false` stops with [`Cancelled`] (the stock is then partly
    /// cut).
    pub fn run(
        &mut self,
        cutter: &Cutter,
        path: &Toolpath,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<(), Cancelled> {
        let tool = Tool::new(cutter);
        let total = path.len().max(1);
        for step in path.steps() {
            if step.index % 4096 == 0 && !progress(step.index as f32 / total as f32) {
                return Err(Cancelled);
            }
            if !(all_finite(&step.from) && all_finite(&step.to)) {
                continue;
            }
            match step.arc {
                Some((c, sweep)) => self.sweep_arc(&tool, step.from, step.to, c, sweep),
                None => self.sweep_line(&tool, step.from, step.to),
            }
        }
        if !progress(1.0) {
            return Err(Cancelled);
        }
        Ok(())
    }
}

fn all_finite(p: &[f64; 3]) -> bool {
    p.iter().all(|v| v.is_finite())
}

//! Sweeping a move over the height field: which cells a move can reach, row by row, and the
//! exact lowest tool point over each.
//!
//! * A straight move reaches the cells whose centres lie within `R` of its XY segment (a
//!   stadium). Per row of cells that is one interval of X (the stadium is convex), found
//!   from the two end disks and the band along the segment; each cell in it gets the
//!   closed-form column minimum of `column.rs`. A move with no XY travel (a plunge or a
//!   retract) lowers the disk under it to its lower end plus the profile.
//! * An arc at constant Z is closed form for every shape: the tip height is the same all
//!   along it and `h` is nondecreasing, so the lowest point over a cell is
//!   `z + h(d)` with `d` the XY distance from the cell centre to the arc (to the circle when
//!   the centre's direction lies within the sweep, else to the nearer end). The cells are
//!   the annulus `[r - R, r + R]` around the centre, two X intervals per row.
//! * A helix (Z changes along an arc), or an arc whose radius changes from start to end, is
//!   split into chords whose sagitta is at most a thousandth of a cell (at most 10,000 per
//!   arc), each swept exactly as a straight move. The chords pass through points of the
//!   helix and lie inside its circle: the swept solid is off by at most that sagitta, far
//!   below what the grid resolves.

use super::column::Tool;
use crate::geom::Det;
use crate::toolpath::arc_pieces;

/// XY travel below which a move counts as vertical.
const VERTICAL: f64 = 1e-9;

/// The grid's geometry without its heights: what the sweeps need to find cells.
#[derive(Clone, Copy, Debug)]
pub(super) struct Grid {
    pub origin: [f64; 2],
    pub cell: f64,
    pub nx: usize,
    pub ny: usize,
}

/// What a sweep does with the cells it reaches: each cell's current height (a cell at or
/// below the move's lowest tip height is skipped without computing anything) and the
/// lowest tool point over it.
pub(super) trait Cells {
    /// The height over cell `idx`.
    fn height(&self, idx: usize) -> f32;
    /// The swept tool's lowest point over cell `idx` is `z`.
    fn visit(&mut self, idx: usize, z: f64);
}

/// Cuts: lowers each cell to the tool.
pub(super) struct Lower<'a>(pub &'a mut [f32]);

impl Cells for Lower<'_> {
    #[inline]
    fn height(&self, idx: usize) -> f32 {
        self.0[idx]
    }

    #[inline]
    fn visit(&mut self, idx: usize, z: f64) {
        let z = z as f32;
        if z < self.0[idx] {
            self.0[idx] = z;
        }
    }
}

/// Measures how far a sweep reaches below the stock, without cutting: the most any cell
/// stands above the swept tool, and which cell.
pub(super) struct Probe<'a> {
    heights: &'a [f32],
    /// The deepest cut seen (0 when none).
    pub(super) deepest: f64,
    /// The cell where it is.
    pub(super) at: usize,
}

impl Probe<'_> {
    pub(super) fn new(heights: &[f32]) -> Probe<'_> {
        Probe {
            heights,
            deepest: 0.0,
            at: 0,
        }
    }
}

impl Cells for Probe<'_> {
    #[inline]
    fn height(&self, idx: usize) -> f32 {
        self.heights[idx]
    }

    #[inline]
    fn visit(&mut self, idx: usize, z: f64) {
        let d = f64::from(self.heights[idx]) - z;
        if d > self.deepest {
            self.deepest = d;
            self.at = idx;
        }
    }
}

impl Grid {
    /// Row range `j0..j1` and a per-row centre Y for the cells with centre Y in `[y0, y1]`.
    pub(super) fn rows(&self, y0: f64, y1: f64) -> (usize, usize) {
        let lo = ((y0 - self.origin[1]) / self.cell - 0.5).ceil().max(0.0);
        let hi = ((y1 - self.origin[1]) / self.cell - 0.5).floor() + 1.0;
        let hi = hi.min(self.ny as f64);
        if !(hi > lo) {
            return (0, 0);
        }
        (lo as usize, hi as usize)
    }

    /// Columns `i0..i1` whose centre X lies in `[x0, x1]`.
    pub(super) fn cols(&self, x0: f64, x1: f64) -> (usize, usize) {
        let lo = ((x0 - self.origin[0]) / self.cell - 0.5).ceil().max(0.0);
        let hi = ((x1 - self.origin[0]) / self.cell - 0.5).floor() + 1.0;
        let hi = hi.min(self.nx as f64);
        if !(hi > lo) {
            return (0, 0);
        }
        (lo as usize, hi as usize)
    }

    #[inline]
    fn centre_x(&self, i: usize) -> f64 {
        self.origin[0] + (i as f64 + 0.5) * self.cell
    }

    #[inline]
    fn centre_y(&self, j: usize) -> f64 {
        self.origin[1] + (j as f64 + 0.5) * self.cell
    }

    /// A straight move (see the module doc).
    pub(super) fn sweep_line<C: Cells>(
        &self,
        cells: &mut C,
        tool: &Tool,
        from: [f64; 3],
        to: [f64; 3],
    ) {
        let big_r = tool.radius();
        let (dx, dy, dz) = (to[0] - from[0], to[1] - from[1], to[2] - from[2]);
        let len = dx.dhypot(dy);
        if !(len > VERTICAL) {
            self.sweep_vertical(cells, tool, from, to);
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let m = dz / len;
        let zmin = from[2].min(to[2]);
        let r2 = big_r * big_r;
        let (j0, j1) = self.rows(from[1].min(to[1]) - big_r, from[1].max(to[1]) + big_r);
        for j in j0..j1 {
            let y = self.centre_y(j);
            let Some((x0, x1)) = stadium_row(from, to, ux, uy, len, big_r, y) else {
                continue;
            };
            let (i0, i1) = self.cols(x0, x1);
            let wy = y - from[1];
            let row = j * self.nx;
            for i in i0..i1 {
                let idx = row + i;
                // No point of the tool is below its tip's lowest height.
                if f64::from(cells.height(idx)) <= zmin {
                    continue;
                }
                let wx = self.centre_x(i) - from[0];
                let along = wx * ux + wy * uy;
                let p = ux * wy - uy * wx;
                let rest = r2 - p * p;
                if rest < 0.0 {
                    continue;
                }
                let reach = rest.sqrt();
                let lo = (-along).max(-reach);
                let hi = (len - along).min(reach);
                if lo > hi {
                    continue;
                }
                let (sigma, h) = tool.lowest(m, p, lo, hi);
                let s = (along + sigma).clamp(0.0, len);
                cells.visit(idx, from[2] + m * s + h);
            }
        }
    }

    /// A move with no XY travel: the disk under it, at its lower end.
    fn sweep_vertical<C: Cells>(&self, cells: &mut C, tool: &Tool, from: [f64; 3], to: [f64; 3]) {
        let big_r = tool.radius();
        let r2 = big_r * big_r;
        let z = from[2].min(to[2]);
        let (cx, cy) = (from[0], from[1]);
        let (j0, j1) = self.rows(cy - big_r, cy + big_r);
        for j in j0..j1 {
            let wy = self.centre_y(j) - cy;
            let half = (r2 - wy * wy).max(0.0).sqrt();
            let (i0, i1) = self.cols(cx - half, cx + half);
            for i in i0..i1 {
                let wx = self.centre_x(i) - cx;
                let d2 = wx * wx + wy * wy;
                if d2 <= r2 {
                    let h = tool.height_sq(d2);
                    cells.visit(j * self.nx + i, z + h);
                }
            }
        }
    }

    /// An arc or helix from `from` to `to` around `centre` with the signed `sweep` (radians,
    /// positive counter-clockwise), as [`crate::toolpath::Step`] gives it.
    pub(super) fn sweep_arc<C: Cells>(
        &self,
        cells: &mut C,
        tool: &Tool,
        from: [f64; 3],
        to: [f64; 3],
        centre: [f64; 2],
        sweep: f64,
    ) {
        let r0 = (from[0] - centre[0]).dhypot(from[1] - centre[1]);
        let r1 = (to[0] - centre[0]).dhypot(to[1] - centre[1]);
        let level = from[2] == to[2];
        // Ends read back from f32 differ in radius by rounding: still one circle.
        let round = (r0 - r1).abs() <= 1e-6 * r0.max(1.0);
        if level && round && r0 > VERTICAL && sweep.is_finite() && sweep != 0.0 {
            self.sweep_level_arc(cells, tool, from, centre, 0.5 * (r0 + r1), sweep);
            return;
        }
        // Chords (see the module doc), through the helix as `Step::at` parametrises it.
        let n = arc_pieces(r0.max(r1), sweep, self.cell / 1000.0);
        let a0 = (from[1] - centre[1]).datan2(from[0] - centre[0]);
        let mut prev = from;
        for k in 1..=n {
            let t = k as f64 / n as f64;
            let next = if k == n {
                to
            } else {
                let r = r0 + t * (r1 - r0);
                let a = a0 + t * sweep;
                [
                    centre[0] + r * a.dcos(),
                    centre[1] + r * a.dsin(),
                    from[2] + t * (to[2] - from[2]),
                ]
            };
            self.sweep_line(cells, tool, prev, next);
            prev = next;
        }
    }

    /// A level arc of radius `r` (see the module doc).
    fn sweep_level_arc<C: Cells>(
        &self,
        cells: &mut C,
        tool: &Tool,
        from: [f64; 3],
        centre: [f64; 2],
        r: f64,
        sweep: f64,
    ) {
        let big_r = tool.radius();
        let r2 = big_r * big_r;
        let z = from[2];
        let (cx, cy) = (centre[0], centre[1]);
        // Start direction and end point; a direction is inside the sweep when its angle from
        // the start, measured the way the arc turns, is at most |sweep|.
        let (sx, sy) = ((from[0] - cx) / r, (from[1] - cy) / r);
        let a1 = sy.datan2(sx) + sweep;
        let (ex, ey) = (cx + r * a1.dcos(), cy + r * a1.dsin());
        let turn = sweep.signum();
        let span = sweep.abs();
        let outer = r + big_r;
        let inner = r - big_r;
        let (j0, j1) = self.rows(cy - outer, cy + outer);
        for j in j0..j1 {
            let y = self.centre_y(j);
            let wy = y - cy;
            let half_out = (outer * outer - wy * wy).max(0.0).sqrt();
            // The hole of the annulus splits the row into two intervals.
            let half_in = if inner > 0.0 && wy.abs() < inner {
                (inner * inner - wy * wy).sqrt()
            } else {
                0.0
            };
            for (xa, xb) in [(cx - half_out, cx - half_in), (cx + half_in, cx + half_out)] {
                let (i0, i1) = self.cols(xa, xb);
                for i in i0..i1 {
                    let idx = j * self.nx + i;
                    if f64::from(cells.height(idx)) <= z {
                        continue;
                    }
                    let x = self.centre_x(i);
                    let wx = x - cx;
                    let rho = wx.dhypot(wy);
                    let dot = wx * sx + wy * sy;
                    let cross = turn * (sx * wy - sy * wx);
                    let mut ang = cross.datan2(dot);
                    if ang < 0.0 {
                        ang += std::f64::consts::TAU;
                    }
                    let d2 = if ang <= span {
                        (rho - r) * (rho - r)
                    } else {
                        let (fx, fy) = (x - from[0], y - from[1]);
                        let (gx, gy) = (x - ex, y - ey);
                        (fx * fx + fy * fy).min(gx * gx + gy * gy)
                    };
                    if d2 <= r2 {
                        cells.visit(idx, z + tool.height_sq(d2));
                    }
                }
            }
        }
    }
}

/// The X interval of the row at height `y` within `R` of the segment `from`–`to` (XY length
/// `len > 0`, unit direction `(ux, uy)`): the hull of the row's intervals in the two end
/// disks and in the band along the segment (their union is convex).
fn stadium_row(
    from: [f64; 3],
    to: [f64; 3],
    ux: f64,
    uy: f64,
    len: f64,
    big_r: f64,
    y: f64,
) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in [from, to] {
        let wy = y - c[1];
        let rest = big_r * big_r - wy * wy;
        if rest >= 0.0 {
            let h = rest.sqrt();
            lo = lo.min(c[0] - h);
            hi = hi.max(c[0] + h);
        }
    }
    // The band: 0 ≤ along ≤ len and |perp| ≤ R, both linear in x.
    let wy = y - from[1];
    let mut band = (f64::NEG_INFINITY, f64::INFINITY);
    let mut clip = |slope: f64, offset: f64, a: f64, b: f64| {
        // a ≤ slope·x + offset ≤ b
        if slope.abs() < 1e-15 {
            if offset < a || offset > b {
                band = (1.0, 0.0);
            }
        } else {
            let (p, q) = ((a - offset) / slope, (b - offset) / slope);
            band.0 = band.0.max(p.min(q));
            band.1 = band.1.min(p.max(q));
        }
    };
    // along = ux (x - x0) + uy wy; perp = ux wy - uy (x - x0)
    clip(ux, uy * wy - ux * from[0], 0.0, len);
    clip(-uy, ux * wy + uy * from[0], -big_r, big_r);
    if band.0 <= band.1 {
        lo = lo.min(band.0);
        hi = hi.max(band.1);
    }
    // A cell exactly on the boundary is decided by the cell test; widen by rounding.
    (lo <= hi).then_some((lo - 1e-9, hi + 1e-9))
}

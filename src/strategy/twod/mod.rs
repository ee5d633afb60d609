//! The 2D strategies: they cut a [`Drawing`] (SVG, DXF) into flat material whose top is
//! `z_top` (0 by default), down to a positive depth below it.
//!
//! - [`engrave`]: the tool centre on every path, in depth passes.
//! - [`profile`]: beside each closed path, offset by the cutter radius, with tabs.
//! - [`pocket`]: the inside of each shape cleared, islands left standing.
//! - [`vcarve`]: a cone whose depth follows the shape's width.
//!
//! Paths keep their arcs: a segment that is an arc in the drawing (or in its offset) is an
//! arc move in the toolpath, so the program has G2/G3 where the geometry is circular. What
//! they share is here: the depth passes and the moves between cuts ([`Links`]); the offset
//! and distance geometry is in [`geometry`].

pub mod engrave;
pub mod geometry;
pub mod pocket;
pub mod profile;
pub mod vcarve;

use super::Cancelled;
use crate::drawing::{Drawing, Path, Segment};
use crate::geom::DVec2;
use crate::job::{Resolved, StrategySpec};
use crate::toolpath::{Move, Toolpath};

/// Runs a 2D strategy on a drawing (an empty toolpath for a 3D one).
pub fn generate(
    d: &Drawing,
    spec: &StrategySpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    match spec {
        StrategySpec::Engrave(s) => engrave::generate(d, s, res, progress),
        StrategySpec::Profile(s) => profile::generate(d, s, res, progress),
        StrategySpec::Pocket(s) => pocket::generate(d, s, res, progress),
        StrategySpec::Vcarve(s) => vcarve::generate(d, s, res, progress),
        _ => Ok(Toolpath::new()),
    }
}

/// The Z of each depth pass from `top` down to `bottom`: equal steps no deeper than
/// `stepdown`, the last exactly at `bottom`.
pub fn passes(top: f64, bottom: f64, stepdown: f64) -> Vec<f64> {
    let depth = top - bottom;
    if depth <= 0.0 {
        return Vec::new();
    }
    let n = (depth / stepdown - 1e-9).ceil().max(1.0) as usize;
    (1..=n)
        .map(|k| {
            if k == n {
                bottom
            } else {
                top - depth * k as f64 / n as f64
            }
        })
        .collect()
}

/// The moves between cuts: rapids at the safe height, down to a clearance plane just above
/// the material, and entries at the plunge feed.
#[derive(Clone, Copy, Debug)]
pub struct Links {
    /// Rapids cross at this height.
    pub safe: f64,
    /// Rapids come down to this height above the material before an entry.
    pub clear: f64,
}

impl Links {
    /// For material whose top is `top`.
    pub fn new(res: &Resolved, top: f64) -> Links {
        let safe = res.safe_height;
        Links {
            safe,
            clear: top + (safe - top).min(1.0) * 0.5,
        }
    }

    /// Moves the tool to `p` at the clearance plane: straight down if it is already above
    /// `p`, else up to the safe height, across, and down.
    pub fn rapid_to(&self, tp: &mut Toolpath, p: DVec2) {
        let here = tp.last();
        let above = here
            .is_some_and(|h| (h[0] as f64 - p.x).abs() < 1e-9 && (h[1] as f64 - p.y).abs() < 1e-9);
        if !above {
            if let Some(h) = here {
                if (h[2] as f64) < self.safe {
                    tp.push(Move::Rapid, [h[0], h[1], self.safe as f32]);
                }
            }
            tp.push(Move::Rapid, f3(p, self.safe));
        }
        let z = tp.last().map_or(self.safe, |h| h[2] as f64);
        if z > self.clear {
            tp.push(Move::Rapid, f3(p, self.clear));
        }
    }

    /// Up to the safe height from wherever the tool is.
    pub fn retract(&self, tp: &mut Toolpath) {
        if let Some(h) = tp.last() {
            if (h[2] as f64) < self.safe {
                tp.push(Move::Rapid, [h[0], h[1], self.safe as f32]);
            }
        }
    }
}

/// A point at height `z` as the toolpath stores it.
pub fn f3(p: DVec2, z: f64) -> [f32; 3] {
    [p.x as f32, p.y as f32, z as f32]
}

/// Appends one segment at height `z` (the tool is at its start): a feed move for a line,
/// an arc move for an arc.
pub fn follow_segment(tp: &mut Toolpath, s: &Segment, z: f64) {
    match *s {
        Segment::Line { b, .. } => tp.push(Move::Feed, f3(b, z)),
        Segment::Arc { b, centre, ccw, .. } => tp.push_arc(ccw, [centre.x, centre.y], f3(b, z)),
    }
}

/// Appends a whole path at height `z` from its first vertex (where the tool is), closing it
/// when it is closed.
pub fn follow(tp: &mut Toolpath, p: &Path, z: f64) {
    for s in p.segments() {
        follow_segment(tp, &s, z);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_are_even_and_end_at_the_bottom() {
        assert_eq!(passes(0.0, -3.0, 1.0), vec![-1.0, -2.0, -3.0]);
        let p = passes(0.0, -2.5, 1.0);
        assert_eq!(p.len(), 3);
        assert!((p[0] + 2.5 / 3.0).abs() < 1e-12);
        assert_eq!(*p.last().unwrap(), -2.5);
        assert_eq!(passes(0.0, -0.5, 1.0), vec![-0.5]);
        assert!(passes(0.0, 0.0, 1.0).is_empty());
    }
}

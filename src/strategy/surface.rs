//! The cutter-location surface: drop-cutter heights over the model, never below the floor,
//! and lines sampled on it with refinement and simplification. Every strategy reads the
//! model through this.

use super::simplify::simplify;
use crate::cutter::Cutter;
use crate::model::Model;

/// Refinement of a sampled line stops at this fraction of the sampling distance.
pub const MIN_STEP_FRACTION: f64 = 1.0 / 64.0;

/// A cutter over the model, above a floor: what every strategy samples.
pub struct Surface<'a> {
    pub model: &'a Model,
    pub cutter: &'a Cutter,
    pub floor: f64,
}

impl<'a> Surface<'a> {
    /// The surface an operation works on: its cutter over the model, above its floor.
    pub fn new(model: &'a Model, res: &'a crate::job::Resolved) -> Surface<'a> {
        Surface {
            model,
            cutter: &res.cutter,
            floor: res.floor,
        }
    }

    /// CL height at `(x, y)`, never below the floor. `hint` carries the deciding triangle
    /// from one query to the next along a line (raster coherence).
    pub fn height(&self, x: f64, y: f64, hint: &mut Option<u32>) -> f64 {
        self.model
            .drop_cutter_hinted(self.cutter, x, y, self.floor, hint)
            .unwrap_or(self.floor)
    }

    /// Samples the straight segment `a → b` (XY) at about `step`, refining where the height
    /// departs from linear by more than `tol`, and simplifying within `tol` without ever
    /// going below a computed sample. Returns (x, y, z) points from `a` to `b` inclusive.
    pub fn line(&self, a: [f64; 2], b: [f64; 2], step: f64, tol: f64) -> Vec<[f64; 3]> {
        let len = (b[0] - a[0]).hypot(b[1] - a[1]);
        let n = ((len / step).ceil() as usize).max(1);
        let at = |t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
        let min_dt = MIN_STEP_FRACTION / n as f64;
        // (t, z) samples along the line.
        let mut out: Vec<(f64, f64)> = Vec::with_capacity(n + 1);
        let mut hint = None;
        let p0 = at(0.0);
        out.push((0.0, self.height(p0[0], p0[1], &mut hint)));
        let mut stack: Vec<(f64, f64)> = Vec::new();
        for i in 1..=n {
            let t = i as f64 / n as f64;
            let p = at(t);
            stack.push((t, self.height(p[0], p[1], &mut hint)));
            // Depth-first refinement of (last emitted, top of stack).
            while let Some(&(tb, zb)) = stack.last() {
                let (ta, za) = *out.last().unwrap();
                if tb - ta > min_dt {
                    let tm = 0.5 * (ta + tb);
                    let pm = at(tm);
                    let zm = self.height(pm[0], pm[1], &mut hint);
                    // Half the tolerance at the midpoint bounds the error anywhere in the
                    // interval by the tolerance when it holds one ridge: the chord's
                    // shortfall under a ridge at p is at most twice that at the midpoint.
                    if (zm - 0.5 * (za + zb)).abs() > 0.5 * tol {
                        stack.push((tm, zm));
                        continue;
                    }
                } else if (zb - za).abs() > tol {
                    // A jump (a wall, or the rim of the cutter meeting an edge) narrower than
                    // the finest step: go over it square — up before it, or down after it —
                    // so no part of the move is below the higher side.
                    if zb > za {
                        out.push((ta, zb));
                    } else {
                        out.push((tb, za));
                    }
                }
                out.push((tb, zb));
                stack.pop();
            }
        }
        simplify(&out, tol * 0.5)
            .into_iter()
            .map(|(t, z)| {
                let p = at(t);
                [p[0], p[1], z]
            })
            .collect()
    }
}

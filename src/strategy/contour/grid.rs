//! The drop-cutter height sampled on a regular grid, once per operation: it does not
//! depend on the level, so every level's contours reuse it.

use crate::geom::{DVec2, Rect};
use crate::strategy::surface::Surface;
use crate::strategy::Cancelled;

/// Drop-cutter heights on a regular grid.
#[derive(Clone, Debug)]
pub struct HeightGrid {
    /// X of node column 0.
    pub x0: f64,
    /// Y of node row 0.
    pub y0: f64,
    /// Distance between neighbouring nodes, the same along X and Y.
    pub step: f64,
    /// Nodes along X.
    pub nx: usize,
    /// Nodes along Y.
    pub ny: usize,
    /// Row-major heights, `i + j * nx`.
    pub h: Vec<f64>,
}

impl HeightGrid {
    /// Samples `area` every `step` or less.
    pub fn sample(
        s: &Surface,
        area: Rect,
        step: f64,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<HeightGrid, Cancelled> {
        let nx = ((area.width() / step).ceil() as usize).max(1) + 1;
        let ny = ((area.height() / step).ceil() as usize).max(1) + 1;
        let sx = area.width() / (nx - 1) as f64;
        let sy = area.height() / (ny - 1) as f64;
        // Square cells keep the bisection and refinement isotropic.
        let step = sx.max(sy);
        let row = |j: usize| -> Vec<f64> {
            let mut hint = None;
            (0..nx)
                .map(|i| {
                    s.height(
                        area.min.x + i as f64 * step,
                        area.min.y + j as f64 * step,
                        &mut hint,
                    )
                })
                .collect()
        };
        let h = sample_rows(ny, row, progress)?;
        Ok(HeightGrid {
            x0: area.min.x,
            y0: area.min.y,
            step,
            nx,
            ny,
            h,
        })
    }

    /// The node `(i, j)`'s position (also for nodes outside the grid).
    pub(super) fn point(&self, i: i64, j: i64) -> DVec2 {
        DVec2::new(
            self.x0 + i as f64 * self.step,
            self.y0 + j as f64 * self.step,
        )
    }

    /// Height at node `(i, j)`; nodes outside the grid, and nodes whose height is NaN (a
    /// nested grid leaves the nodes it does not cover so), are `None`: treated as free,
    /// and where the contour meets one it leaves the grid.
    pub(super) fn at(&self, i: i64, j: i64) -> Option<f64> {
        if i < 0 || j < 0 || i >= self.nx as i64 || j >= self.ny as i64 {
            None
        } else {
            let h = self.h[i as usize + j as usize * self.nx];
            (!h.is_nan()).then_some(h)
        }
    }
}

/// Rows `0..ny` computed by `row`, concatenated: in parallel batches of 16 rows where
/// threads are available, reporting progress (and stopping when it says so) between
/// batches.
pub(super) fn sample_rows(
    ny: usize,
    row: impl Fn(usize) -> Vec<f64> + Sync,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<f64>, Cancelled> {
    let mut h = Vec::new();
    let batch = 16;
    let mut j = 0;
    while j < ny {
        if !progress(j as f32 / ny as f32) {
            return Err(Cancelled);
        }
        let rows: Vec<usize> = (j..(j + batch).min(ny)).collect();
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        let done: Vec<Vec<f64>> = {
            use rayon::prelude::*;
            rows.par_iter().map(|&r| row(r)).collect()
        };
        #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
        let done: Vec<Vec<f64>> = rows.iter().map(|&r| row(r)).collect();
        for r in done {
            h.extend_from_slice(&r);
        }
        j += batch;
    }
    Ok(h)
}

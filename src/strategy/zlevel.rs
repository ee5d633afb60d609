//! What the Z-level strategies (waterline and roughing) share: the levels an operation
//! cuts at, the height grid their contours start from, and the check that a straight link
//! at a level stays free.

use super::contour::HeightGrid;
use super::surface::Surface;
use super::Cancelled;
use crate::geom::DVec2;
use crate::job::Resolved;

/// The Z levels of an operation, top down: the explicit list, or every `stepdown` below
/// `top` down to and including `bottom`.
pub fn levels(stepdown: f64, top: f64, bottom: f64, list: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = if list.is_empty() {
        let n = ((top - bottom) / stepdown).ceil().max(0.0) as usize;
        (1..=n)
            .map(|k| (top - k as f64 * stepdown).max(bottom))
            .collect()
    } else {
        list.to_vec()
    };
    v.sort_by(|a, b| b.total_cmp(a));
    v.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    v
}

/// True when the straight XY segment `a → b` is free at height `z` (drop-cutter at most `z`
/// at every sample, spaced `step`).
pub fn free_link(s: &Surface, a: DVec2, b: DVec2, z: f64, step: f64) -> bool {
    let n = ((a.distance(b) / step).ceil() as usize).max(1);
    let mut hint = None;
    (0..=n).all(|k| {
        let p = a + (b - a) * (k as f64 / n as f64);
        s.height(p.x, p.y, &mut hint) <= z + 1e-9
    })
}

/// The drop-cutter grid the levels' contours start from. It reaches one step beyond the
/// operation's area, so its border is free unless the area cuts through the model.
pub fn level_grid(
    s: &Surface,
    res: &Resolved,
    step: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<HeightGrid, Cancelled> {
    let a = res.area.inflate(step);
    HeightGrid::sample(s, a, step, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_stepdown_and_list() {
        assert_eq!(levels(2.0, 10.0, 5.0, &[]), vec![8.0, 6.0, 5.0]);
        assert_eq!(levels(2.0, 10.0, 4.0, &[]), vec![8.0, 6.0, 4.0]);
        assert_eq!(levels(1.0, 3.0, 3.0, &[]), Vec::<f64>::new());
        assert_eq!(levels(1.0, 0.0, 0.0, &[2.0, 5.0, 2.0]), vec![5.0, 2.0]);
    }
}

//! Zigzag fill: lines along X, a stepover apart, clipped to the region.
//!
//! A horizontal line meets the region's boundary (outer loop and holes together) at points
//! where it crosses an edge; sorted along X, they alternate out → in → out (even-odd rule),
//! so consecutive pairs are the pieces inside. An edge counts when one end is strictly
//! above the line and the other at or below it (half-open in Y), so a line through a vertex
//! counts it once and a horizontal edge never.
//!
//! Lines sit at `y0 + (k + ½) s` over the region's height, so no point of the region is
//! further than `s / 2` from a line in Y; the boundary pass that follows the fill cleans
//! what the clipped ends leave near the walls.

use super::region::Region;
use crate::geom::DVec2;

/// The inside pieces of the line `y` through the region's loops, as `(x_start, x_end)`.
fn spans(loops: &[&[DVec2]], y: f64) -> Vec<(f64, f64)> {
    let mut xs = Vec::new();
    for l in loops {
        let n = l.len();
        for k in 0..n {
            let (a, b) = (l[k], l[(k + 1) % n]);
            if (a.y > y) != (b.y > y) {
                let t = (y - a.y) / (b.y - a.y);
                xs.push(a.x + t * (b.x - a.x));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .map(|c| (c[0], c[1]))
        .filter(|c| c.1 > c.0)
        .collect()
}

/// Fill lines of `region` at spacing `s`, each `[start, end]`, in rows from low Y up and
/// alternating in direction row by row (the order and direction are only a starting point:
/// the emitter reorders by distance).
pub fn lines(region: &Region, s: f64) -> Vec<[DVec2; 2]> {
    let loops: Vec<&[DVec2]> = std::iter::once(region.outer.as_slice())
        .chain(region.holes.iter().map(|h| h.as_slice()))
        .collect();
    let (y0, y1) = region
        .outer
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.y), b.max(p.y))
        });
    if y1 <= y0 {
        return Vec::new();
    }
    let n = ((y1 - y0) / s).ceil().max(1.0) as usize;
    let step = (y1 - y0) / n as f64;
    let mut out = Vec::new();
    for k in 0..n {
        let y = y0 + (k as f64 + 0.5) * step;
        let mut row = spans(&loops, y);
        if k % 2 == 1 {
            row.reverse();
        }
        for (a, b) in row {
            if k % 2 == 0 {
                out.push([DVec2::new(a, y), DVec2::new(b, y)]);
            } else {
                out.push([DVec2::new(b, y), DVec2::new(a, y)]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[[f64; 2]]) -> Vec<DVec2> {
        v.iter().map(|&p| p.into()).collect()
    }

    #[test]
    fn square_with_hole() {
        let region = Region {
            outer: pts(&[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]),
            holes: vec![pts(&[[4.0, 4.0], [4.0, 6.0], [6.0, 6.0], [6.0, 4.0]])],
        };
        let l = lines(&region, 1.0);
        // Ten rows; the two through the hole split in two.
        assert_eq!(l.len(), 12);
        let total: f64 = l.iter().map(|s| s[0].distance(s[1])).sum();
        assert!((total - (100.0 - 4.0)).abs() < 1e-9, "{total}");
    }
}

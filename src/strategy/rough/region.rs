//! The region a layer clears: where the grown tool (see [`super::allowance`]) is free at
//! the layer, inside the machining area.
//!
//! [`contours`](crate::strategy::contour::contours) gives the boundary of the free region
//! as loops (material on their left). Two things turn those loops into areas:
//!
//! * The height grid is framed by one ring of nodes marked free (see [`framed`]), so every
//!   contour closes on itself: where the model runs off the grid the loop runs round the
//!   frame instead of stopping at the edge. No path ends anywhere, so nothing needs
//!   stitching by hand.
//! * The free region is then "inside an even number of loops" (outside every island, or
//!   inside a pocket within one, ...) within a box round everything, which `i_overlay`
//!   intersects with the machining area under the even-odd rule. Even-odd needs no
//!   orientation and no nesting from us; the loops never cross one another (they are level
//!   sets of one function), so it is exact.
//!
//! The result is a list of [`Region`]s: one outer boundary, counter-clockwise, and its holes
//! (islands of material), clockwise — the convention `cavalier_contours` works in.

use crate::geom::{DVec2, Rect};
use crate::strategy::contour::{Contour, HeightGrid};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::single::SingleFloatOverlay;

/// One connected piece of a layer's free area.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// Counter-clockwise, not repeating its first point.
    pub outer: Vec<DVec2>,
    /// Clockwise, one per island.
    pub holes: Vec<Vec<DVec2>>,
}

/// A copy of `g` with one ring of extra nodes round it at height `free` (at or below every
/// level asked for), so that contours at any level close round the grid's edge.
pub fn framed(g: &HeightGrid, free: f64) -> HeightGrid {
    let (nx, ny) = (g.nx + 2, g.ny + 2);
    let mut h = vec![free; nx * ny];
    for j in 0..g.ny {
        let row = &g.h[j * g.nx..(j + 1) * g.nx];
        h[(j + 1) * nx + 1..(j + 1) * nx + 1 + g.nx].copy_from_slice(row);
    }
    HeightGrid {
        x0: g.x0 - g.step,
        y0: g.y0 - g.step,
        step: g.step,
        nx,
        ny,
        h,
    }
}

/// Twice the signed area (positive when counter-clockwise).
pub fn signed_area2(p: &[DVec2]) -> f64 {
    let n = p.len();
    (0..n)
        .map(|k| {
            let (a, b) = (p[k], p[(k + 1) % n]);
            a.perp_dot(b)
        })
        .sum()
}

/// The free region at one level inside `area`, from that level's closed contours. Pieces smaller than `min_area` are dropped (slivers the tool
/// centre could not usefully follow).
pub fn free_regions(loops: &[Contour], area: Rect, min_area: f64) -> Vec<Region> {
    let mut bounds = area;
    for &p in loops.iter().flat_map(|c| &c.points) {
        bounds = Rect::new(bounds.min.min(p), bounds.max.max(p));
    }
    let m = 1.0 + 0.01 * bounds.width().max(bounds.height());
    let rect = |r: Rect| {
        vec![
            r.min,
            DVec2::new(r.max.x, r.min.y),
            r.max,
            DVec2::new(r.min.x, r.max.y),
        ]
    };
    let mut subject: Vec<Vec<DVec2>> = vec![rect(bounds.inflate(m))];
    subject.extend(
        loops
            .iter()
            .filter(|c| c.points.len() >= 3)
            .map(|c| c.points.clone()),
    );
    let clip = vec![rect(area)];
    let shapes = subject.overlay(&clip, OverlayRule::Intersect, FillRule::EvenOdd);
    let mut out = Vec::new();
    for shape in shapes {
        let mut it = shape.into_iter();
        let Some(mut outer) = it.next() else {
            continue;
        };
        let a = signed_area2(&outer);
        if a.abs() * 0.5 < min_area {
            continue;
        }
        if a < 0.0 {
            outer.reverse();
        }
        let holes = it
            .filter(|h| h.len() >= 3)
            .map(|mut h| {
                if signed_area2(&h) > 0.0 {
                    h.reverse();
                }
                h
            })
            .collect();
        out.push(Region { outer, holes });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(c: [f64; 2], r: f64, ccw: bool) -> Contour {
        let mut points = vec![
            [c[0] - r, c[1] - r],
            [c[0] + r, c[1] - r],
            [c[0] + r, c[1] + r],
            [c[0] - r, c[1] + r],
        ];
        if !ccw {
            points.reverse();
        }
        Contour {
            points: points.into_iter().map(DVec2::from).collect(),
            closed: true,
        }
    }

    #[test]
    fn island_becomes_a_hole_and_runoff_is_clipped() {
        // An island in the middle, and material running off the right edge.
        let loops = vec![
            square([5.0, 5.0], 1.0, true),
            square([10.0, 5.0], 2.0, true),
        ];
        let r = free_regions(&loops, Rect::new(DVec2::ZERO, DVec2::splat(10.0)), 1e-6);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].holes.len(), 1);
        assert!(signed_area2(&r[0].outer) > 0.0);
        assert!(signed_area2(&r[0].holes[0]) < 0.0);
        let area = 0.5 * (signed_area2(&r[0].outer) + signed_area2(&r[0].holes[0]));
        assert!((area - (100.0 - 4.0 - 8.0)).abs() < 1e-6, "{area}");
    }

    #[test]
    fn pocket_inside_material() {
        // Material everywhere but a pocket: the frame loop round all, the pocket inside.
        let loops = vec![
            square([5.0, 5.0], 6.0, true),
            square([5.0, 5.0], 2.0, false),
        ];
        let r = free_regions(&loops, Rect::new(DVec2::ZERO, DVec2::splat(10.0)), 1e-6);
        assert_eq!(r.len(), 1);
        assert!(r[0].holes.is_empty());
        assert!((0.5 * signed_area2(&r[0].outer) - 16.0).abs() < 1e-6);
    }
}

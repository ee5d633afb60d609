//! Where a contour crosses a grid edge: exactly, by the push-cutter along the edge's fiber,
//! with bisection on the drop-cutter where the two disagree.

use crate::cutter::Fiber;
use crate::geom::DVec2;
use crate::strategy::surface::Surface;

/// Bisection between a free point `a` and a blocked point `b` for the boundary; returns the
/// free end of the final bracket (never inside the material).
pub(super) fn boundary(s: &Surface, z: f64, mut a: DVec2, mut b: DVec2, eps: f64) -> DVec2 {
    let mut hint = None;
    for _ in 0..64 {
        if a.distance(b) <= eps {
            break;
        }
        let m = (a + b) * 0.5;
        if s.height(m.x, m.y, &mut hint) > z {
            b = m;
        } else {
            a = m;
        }
    }
    a
}

/// The exact crossing on an axis-parallel grid edge from the free point `a` to the blocked
/// point `b`, by the push-cutter: the blocked part of the fiber through them is the union of
/// the triangles' push intervals, and the crossing is where the first of them begins, seen
/// from `a`. The point returned sits `FREE_MARGIN` on the free side of it, and is checked
/// with the drop-cutter; where they disagree (a tangency at an end, a vertex ring lying
/// exactly at `z`) bisection on the drop-cutter decides.
pub(super) fn grid_crossing(s: &Surface, z: f64, a: DVec2, b: DVec2, eps: f64) -> DVec2 {
    const FREE_MARGIN: f64 = 1e-6;
    let along_x = a.y == b.y;
    let fiber = if along_x {
        Fiber::along_x(a.y, z)
    } else {
        Fiber::along_y(a.x, z)
    };
    let (ta, tb) = if along_x { (a.x, b.x) } else { (a.y, b.y) };
    let r = s.cutter.radius();
    let lo = (a.min(b) - DVec2::splat(r)).to_array();
    let hi = (a.max(b) + DVec2::splat(r)).to_array();
    let forward = tb > ta;
    // The first blocked parameter met going from `ta` towards `tb`.
    let mut first = if forward {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    };
    let mut covers_a = false;
    s.model.for_each_in_box(lo, hi, z, &mut |t| {
        if let Some((i0, i1)) = s.cutter.push_triangle(&fiber, t) {
            if forward {
                if i1 > ta {
                    if i0 <= ta {
                        covers_a = true;
                    }
                    first = first.min(i0);
                }
            } else if i0 < ta {
                if i1 >= ta {
                    covers_a = true;
                }
                first = first.max(i1);
            }
        }
    });
    let inside = if forward {
        first > ta && first <= tb
    } else {
        first < ta && first >= tb
    };
    if covers_a || !inside {
        return boundary(s, z, a, b, eps);
    }
    let t = if forward {
        (first - FREE_MARGIN).max(ta)
    } else {
        (first + FREE_MARGIN).min(ta)
    };
    let p = if along_x {
        DVec2::new(t, a.y)
    } else {
        DVec2::new(a.x, t)
    };
    // Trust, but verify against the drop-cutter: a tangency exactly at the fiber's height
    // (a mesh vertex ring lying at z) can make the push intervals' closure disagree with
    // the drop-cutter there; bisection then settles it.
    if s.height(p.x, p.y, &mut None) > z + 1e-9 {
        return boundary(s, z, a, b, eps);
    }
    p
}

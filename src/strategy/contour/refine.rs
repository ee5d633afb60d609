//! Following the true boundary between two contour points: where it bulges away from their
//! chord by more than the tolerance, a point on it is inserted, recursively.

use super::crossing::boundary;
use super::pulse::Pulse;
use crate::geom::DVec2;
use crate::strategy::polyline::drop_collinear;
use crate::strategy::surface::Surface;
use crate::strategy::Cancelled;

/// Inserts boundary points between consecutive points where the boundary departs from the
/// chord by more than `tol` (searched along the chord's normal, up to one grid step away),
/// then drops points that the chord through their neighbours passes within `tol / 4`.
/// `pulse` counts the queries and stops the work when cancelled.
pub(super) fn refine(
    s: &Surface,
    z: f64,
    pts: &[DVec2],
    closed: bool,
    tol: f64,
    step: f64,
    pulse: &mut Pulse,
) -> Result<Vec<DVec2>, Cancelled> {
    let eps = tol / 16.0;
    let n = pts.len();
    let segs = if closed { n } else { n - 1 };
    let mut out = Vec::with_capacity(n * 2);
    for k in 0..segs {
        let a = pts[k];
        let b = pts[(k + 1) % n];
        out.push(a);
        refine_between(s, z, a, b, tol, eps, step, 0, &mut out, pulse)?;
    }
    if !closed {
        out.push(pts[n - 1]);
    }
    Ok(drop_collinear(&out, closed, tol / 4.0))
}

#[allow(clippy::too_many_arguments)]
fn refine_between(
    s: &Surface,
    z: f64,
    a: DVec2,
    b: DVec2,
    tol: f64,
    eps: f64,
    step: f64,
    depth: u32,
    out: &mut Vec<DVec2>,
    pulse: &mut Pulse,
) -> Result<(), Cancelled> {
    let d = b - a;
    let len = d.length();
    if depth > 12 || len < 0.5 * tol {
        return Ok(());
    }
    // A midpoint, the march and a bisection.
    pulse.tick(24)?;
    // Left normal: towards the blocked side.
    let nrm = d.perp() / len;
    let m = (a + b) * 0.5;
    // March out along the normal to the *nearest* change (free <-> blocked), then bisect:
    // a bisection over the whole reach could land on another part of the boundary (an
    // island across a narrow gap) and make the loop cross itself.
    let reach = step.max(len);
    const MARCH: usize = 8;
    let mut hint = None;
    let blocked_mid = s.height(m.x, m.y, &mut hint) > z;
    // Towards the free side when the midpoint is blocked, towards the material otherwise.
    let sgn = if blocked_mid { -1.0 } else { 1.0 };
    let at = |t: f64| m + nrm * sgn * t;
    let mut prev = m;
    let mut found = None;
    for k in 1..=MARCH {
        let p = at(reach * k as f64 / MARCH as f64);
        if (s.height(p.x, p.y, &mut hint) > z) != blocked_mid {
            found = Some(if blocked_mid {
                boundary(s, z, p, prev, eps)
            } else {
                boundary(s, z, prev, p, eps)
            });
            break;
        }
        prev = p;
    }
    let Some(q) = found else {
        return Ok(());
    };
    // Half the tolerance here, a quarter for dropping points below: the chords stay within
    // three quarters of the tolerance of the boundary.
    if q.distance(m) > 0.5 * tol {
        refine_between(s, z, a, q, tol, eps, step, depth + 1, out, pulse)?;
        out.push(q);
        refine_between(s, z, q, b, tol, eps, step, depth + 1, out, pulse)?;
    }
    Ok(())
}

//! The one root finder of the contact code: Illinois regula falsi on a bracket.
//!
//! Regula falsi takes the secant through the bracket's ends; on a convex or concave function
//! one end then never moves and convergence is only linear. The Illinois variant halves the
//! value kept at an end that stayed twice in a row, which moves it, so both ends close in
//! superlinearly (order about 1.44) while the root always stays bracketed. A secant point
//! outside the open bracket (rounding) falls back to bisection.
//!
//! Both uses need a sign change rather than a root of a smooth function: the bull-nose edge
//! stationary point (`bull.rs`, a polynomial) and the bull push-cutter's maximiser
//! (`push_edge.rs`, a continuous step-like sign). The contact there is stationary, so an
//! error `δ` in the parameter costs only `O(δ²)` in height or along the fiber.

/// Shrinks the bracket `[lo, hi]`, where `f` changes sign (`flo = f(lo)` and `fhi = f(hi)`
/// of opposite signs), until it is no wider than `tol` or `f` is exactly zero at a point
/// (then both ends are that point). At most 100 evaluations. Returns the final bracket.
#[inline]
pub(super) fn illinois(
    mut f: impl FnMut(f64) -> f64,
    mut lo: f64,
    mut hi: f64,
    mut flo: f64,
    mut fhi: f64,
    tol: f64,
) -> (f64, f64) {
    // Which sign `f` has at the low end: a point of that sign becomes the new low end.
    let low_positive = flo > 0.0;
    let mut side = 0i8;
    for _ in 0..100 {
        if !(hi - lo > tol) {
            break;
        }
        let mut mid = lo + (hi - lo) * (flo / (flo - fhi));
        if !(mid > lo && mid < hi) {
            mid = 0.5 * (lo + hi);
        }
        let fm = f(mid);
        let (like_lo, like_hi) = if low_positive {
            (fm > 0.0, fm < 0.0)
        } else {
            (fm < 0.0, fm > 0.0)
        };
        if like_lo {
            lo = mid;
            flo = fm;
            if side == 1 {
                fhi *= 0.5;
            }
            side = 1;
        } else if like_hi {
            hi = mid;
            fhi = fm;
            if side == -1 {
                flo *= 0.5;
            }
            side = -1;
        } else {
            lo = mid;
            hi = mid;
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::Det;

    #[test]
    fn finds_a_root_either_way_round() {
        let f = |x: f64| x * x * x - 2.0;
        let root = 2f64.dcbrt();
        let (lo, hi) = illinois(f, 0.0, 2.0, f(0.0), f(2.0), 1e-14);
        assert!(lo <= root + 1e-15 && hi >= root - 1e-15 && hi - lo <= 1e-14);
        let g = |x: f64| 2.0 - x * x * x;
        let (lo, hi) = illinois(g, 0.0, 2.0, g(0.0), g(2.0), 1e-14);
        assert!((0.5 * (lo + hi) - root).abs() < 1e-13);
    }
}

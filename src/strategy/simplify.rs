//! One-sided simplification of a sampled cutter-location profile.
//!
//! A raster line or a link is sampled as `(t, z)` pairs: `t` along the line, `z` the
//! drop-cutter height. Most samples on a smooth stretch add nothing, so points are removed
//! while the straight move between the kept ones stays within the tolerance *above* every
//! removed sample and never below one (below would cut into the model). The kept path is
//! found in one sweep with a corridor of slopes: from the last kept point (the anchor), the
//! slopes that pass at most `tol` above and not below every sample seen so far form an
//! interval `[lo, hi]`; when a new sample's slope leaves it, the previous sample becomes the
//! new anchor.

/// Removes points of a (t, z) polyline whose removal keeps the path within `tol` above and
/// never below any removed point (a one-sided corridor, swept once: O(n)).
pub fn simplify(pts: &[(f64, f64)], tol: f64) -> Vec<(f64, f64)> {
    if pts.len() <= 2 {
        return pts.to_vec();
    }
    // Tiny allowance below, for f32 output rounding only.
    let below = 1e-6;
    let mut out = vec![pts[0]];
    let mut anchor = pts[0];
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut prev = pts[0];
    for &p in &pts[1..] {
        let dt = p.0 - anchor.0;
        if p.0 <= prev.0 {
            // A vertical move: both of its ends are corners.
            if prev != anchor {
                out.push(prev);
            }
            out.push(p);
            anchor = p;
            (lo, hi) = (f64::NEG_INFINITY, f64::INFINITY);
        } else {
            let s = (p.1 - anchor.1) / dt;
            if s < lo || s > hi {
                // `p` cannot be reached from the anchor: keep the previous point.
                out.push(prev);
                anchor = prev;
                let dt = p.0 - anchor.0;
                lo = (p.1 - anchor.1 - below) / dt;
                hi = (p.1 - anchor.1 + tol) / dt;
            } else {
                lo = lo.max((p.1 - anchor.1 - below) / dt);
                hi = hi.min((p.1 - anchor.1 + tol) / dt);
            }
        }
        prev = p;
    }
    if *out.last().unwrap() != prev {
        out.push(prev);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplify_keeps_corners_and_never_cuts_below() {
        let pts: Vec<(f64, f64)> = (0..=10)
            .map(|i| (i as f64, if i <= 5 { 0.0 } else { (i - 5) as f64 }))
            .collect();
        let s = simplify(&pts, 0.01);
        assert_eq!(s, vec![(0.0, 0.0), (5.0, 0.0), (10.0, 5.0)]);
        // A small bump of 0.004 is above the path: it must be kept (never cut below).
        let mut bump = pts.clone();
        bump[2].1 = 0.004;
        let s = simplify(&bump, 0.01);
        for p in &bump {
            let z = interp(&s, p.0);
            assert!(
                z >= p.1 - 1e-6,
                "simplified path at {} is {z} < {}",
                p.0,
                p.1
            );
        }
    }

    #[test]
    fn simplify_keeps_vertical_steps() {
        let pts = vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (2.0, 0.0),
            (2.0, 5.0),
            (3.0, 5.0),
            (4.0, 5.0),
        ];
        assert_eq!(
            simplify(&pts, 0.01),
            vec![(0.0, 0.0), (2.0, 0.0), (2.0, 5.0), (4.0, 5.0)]
        );
    }

    fn interp(s: &[(f64, f64)], t: f64) -> f64 {
        for w in s.windows(2) {
            if t >= w[0].0 && t <= w[1].0 {
                let u = (t - w[0].0) / (w[1].0 - w[0].0);
                return w[0].1 + u * (w[1].1 - w[0].1);
            }
        }
        f64::NAN
    }
}

//! Small polyline helpers the strategies share: projection onto a segment, and the
//! clean-ups that keep a path's points few (collinear points, near duplicates).

use crate::geom::DVec2;

/// Removes points lying within `tol` of the chord that replaces them (every removed point
/// is checked against the final chord, so errors do not accumulate). Open paths keep both
/// ends; a closed loop keeps its first point.
pub(crate) fn drop_collinear(pts: &[DVec2], closed: bool, tol: f64) -> Vec<DVec2> {
    if pts.len() < 3 {
        return pts.to_vec();
    }
    let n = pts.len();
    let at = |k: usize| if k == n { pts[0] } else { pts[k] };
    let end = if closed { n } else { n - 1 };
    let mut out = vec![pts[0]];
    let mut anchor = 0;
    let mut k = 1;
    while k < end {
        // Can the chord anchor -> k+1 replace every point strictly between them?
        let ok = (anchor + 1..=k).all(|m| dist_to_segment(pts[m], pts[anchor], at(k + 1)) <= tol);
        if !ok {
            out.push(pts[k]);
            anchor = k;
        }
        k += 1;
    }
    if !closed {
        out.push(pts[n - 1]);
    }
    out
}

/// Drops points within a tenth of a micron of the previous kept one (two crossings close to
/// a grid node): below any output resolution, and a zero-length step confuses ramps.
pub(crate) fn dedup_close(pts: &[DVec2], closed: bool) -> Vec<DVec2> {
    const CLOSE: f64 = 1e-4;
    let mut out: Vec<DVec2> = Vec::with_capacity(pts.len());
    for &p in pts {
        if out.last().is_none_or(|q| p.distance(*q) > CLOSE) {
            out.push(p);
        }
    }
    if closed && out.len() > 2 {
        let (a, b) = (out[0], out[out.len() - 1]);
        if a.distance(b) <= CLOSE {
            out.pop();
        }
    }
    out
}

/// Closest point of segment `a b` to `p`, and its parameter along the segment: the foot
/// of the perpendicular, `t = (p - a)·d / |d|²` with `d = b - a`, clamped to the segment.
pub(crate) fn project(p: DVec2, a: DVec2, b: DVec2) -> (DVec2, f64) {
    let d = b - a;
    let l2 = d.dot(d);
    let t = if l2 > 0.0 {
        ((p - a).dot(d) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a + d * t, t)
}

/// Distance from `p` to the segment `a b`.
pub(crate) fn dist_to_segment(p: DVec2, a: DVec2, b: DVec2) -> f64 {
    p.distance(project(p, a, b).0)
}

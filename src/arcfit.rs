//! Arc fitting: runs of straight feed moves at one height become circular arcs (G2/G3) where
//! an arc follows them within a tolerance, so a program says in one line what a strategy
//! sampled in dozens.
//!
//! # The method
//!
//! The polyline is the exact path; an arc replaces the feed moves from point `a` to point `b`
//! only when it stays within `tol` of them *both ways*: every point and every segment of the
//! polyline lies within `tol` of the arc, and every point of the arc lies within `tol` of the
//! polyline. The arc starts and ends exactly on `a` and `b` (the points are not moved), so its
//! centre lies on the perpendicular bisector of the chord `ab`: `c = m + t·n` with `m` the
//! chord's middle, `n` its unit normal and `t` the one unknown. Two candidates for `t` are
//! tried, each then verified in full:
//!
//! - the circle through the middle point of the run, and
//! - the median of the `t` through each interior point `p` (from `|p − c|² = h² + t²`,
//!   `t = (|p − m|² − h²) / (2 (p − m)·n)`, `h` the half chord), which shrugs off a few
//!   noisy points.
//!
//! Verification, for radius `r` and the radial error `e_i = ||p_i − c| − r|` of each point:
//!
//! - every turning angle from `p_i` to `p_{i+1}` seen from `c` has the arc's sign and is less
//!   than a quarter turn (no reversal, angles monotonic), and the whole sweep is at most half
//!   a turn (so a G2/G3 never has to choose between two long ways round);
//! - polyline to arc: `e_i ≤ tol` at every point, and the point of each segment nearest to
//!   `c`, where `|q − c|` is least (it is convex along a segment), is within `tol` of the
//!   circle;
//! - arc to polyline: the piece of arc between the angles of `p_i` and `p_{i+1}` is no further
//!   from its chord than its sagitta `r (1 − cos(Δθ/2))`, and that chord is no further from
//!   the segment `p_i p_{i+1}` than `max(e_i, e_{i+1})`, so their sum must be `≤ tol`.
//!
//! Arcs are only fitted where every point of the run has the same Z, so an arc is never
//! below the polyline (helices are not fitted). A run must have at least [`MIN_SEGMENTS`]
//! segments, and an arc whose sagitta is below the tolerance (a nearly straight run) or
//! whose radius exceeds [`MAX_RADIUS`] keeps its lines.
//!
//! Fitting is greedy: from the start of a run, the longest arc is found by doubling the
//! number of segments while the fit holds, then bisecting between the last length that held
//! and the first that did not; the arc is taken and the search starts again at its end.
//! The cost is `O(n log n)` in the points of a run.
//!
//! Rapids and plunges are copied as they are, and so are the arcs already in the toolpath,
//! except that a short flat one (less than a quarter turn, its sagitta at most half the
//! tolerance) may join a run: 2D offsets put such arcs at every convex corner of a flattened
//! curve. Its exact path lies between its chord and its sagitta, so the checks of its chord
//! use the tolerance less that sagitta.

use crate::toolpath::{arc_sweep, Move, Toolpath};

/// The fewest straight segments replaced by one arc (two lines make one arc line of about
/// the same size: no gain).
pub const MIN_SEGMENTS: usize = 3;

/// The largest radius fitted, in toolpath units: beyond it the arc is a straight line for any
/// purpose, and its centre words would be unwieldy.
pub const MAX_RADIUS: f64 = 1.0e4;

/// A fitted arc: its centre, direction and the index of the point it ends at.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fit {
    centre: [f64; 2],
    ccw: bool,
    sagitta: f64,
}

/// The toolpath with runs of at least [`MIN_SEGMENTS`] feed moves at one Z replaced by arcs
/// wherever an arc stays within `tol` of the polyline both ways (see the module doc). Every
/// point an arc replaces lay on the polyline; the points kept are the same `f32` values.
pub fn fit_arcs(tp: &Toolpath, tol: f64) -> Toolpath {
    let n = tp.len();
    let mut out = Toolpath {
        points: Vec::with_capacity(tp.points.len()),
        kinds: Vec::with_capacity(n),
        centres: Vec::with_capacity(tp.centres.len()),
    };
    if !(tol.is_finite() && tol > 0.0) {
        return tp.clone();
    }
    let xy: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let p = tp.point(i);
            [p[0] as f64, p[1] as f64]
        })
        .collect();
    // The centre of every existing arc, by point index.
    let mut centre = vec![None; n];
    let mut arcs = 0;
    for (i, c) in centre.iter_mut().enumerate() {
        if tp.kind(i).is_arc() {
            *c = Some(
                tp.centres
                    .get(arcs)
                    .copied()
                    .unwrap_or(xy[i.saturating_sub(1)]),
            );
            arcs += 1;
        }
    }
    // How far the exact path of the move to each point may be from its chord: 0 for a line,
    // the sagitta for a short flat arc that may join a run; `None` for a move that ends one.
    let z = |i: usize| tp.point(i)[2];
    let allowance = |i: usize| -> Option<f64> {
        if i == 0 || z(i) != z(i - 1) {
            return None;
        }
        match (tp.kind(i), centre[i]) {
            (Move::Feed, _) => Some(0.0),
            (k @ (Move::ArcCw | Move::ArcCcw), Some(c)) => {
                let sweep = arc_sweep(xy[i - 1], xy[i], c, k == Move::ArcCcw);
                let r = len(sub(xy[i - 1], c));
                let sag = r * (1.0 - (sweep / 2.0).cos());
                (sweep.abs() < std::f64::consts::FRAC_PI_2 && sag <= tol / 2.0).then_some(sag)
            }
            _ => None,
        }
    };
    let copy = |out: &mut Toolpath, i: usize| match centre[i] {
        Some(c) => out.push_arc(tp.kind(i) == Move::ArcCcw, c, tp.point(i)),
        None => out.push(tp.kind(i), tp.point(i)),
    };
    if n > 0 {
        copy(&mut out, 0);
    }
    let mut i = 0;
    while i + 1 < n {
        // The run of moves at this point's height that starts here.
        let mut allow = Vec::new();
        while i + 1 + allow.len() < n {
            match allowance(i + 1 + allow.len()) {
                Some(a) => allow.push(a),
                None => break,
            }
        }
        let e = i + allow.len();
        if allow.len() >= MIN_SEGMENTS {
            let run = Run {
                pts: &xy[i..=e],
                allow: &allow,
                tol,
            };
            run.fit(|out_k, arc| match arc {
                Some(f) => out.push_arc(f.ccw, f.centre, tp.point(i + out_k)),
                None => copy(&mut out, i + out_k),
            });
            i = e;
        } else {
            copy(&mut out, i + 1);
            i += 1;
        }
    }
    out
}

/// One run of moves at one height: its points, and for each move the allowance of its exact
/// path from its chord (see [`fit_arcs`]).
struct Run<'a> {
    pts: &'a [[f64; 2]],
    allow: &'a [f64],
    tol: f64,
}

impl Run<'_> {
    /// Fits arcs along the run; `emit(k, arc)` writes the move to point `k` of the run
    /// (`k ≥ 1`), an arc from the previous point written or, with `None`, the move as it was.
    fn fit(&self, mut emit: impl FnMut(usize, Option<Fit>)) {
        let last = self.pts.len() - 1;
        let mut a = 0;
        while a < last {
            if let Some((b, f)) = self.longest(a) {
                if f.sagitta >= self.tol {
                    emit(b, Some(f));
                    a = b;
                    continue;
                }
                // Nearly straight: keep its first half as it was, so a long straight run is
                // not searched again from every one of its points.
                let keep = ((b - a) / 2).max(1);
                for k in a + 1..=a + keep {
                    emit(k, None);
                }
                a += keep;
                continue;
            }
            emit(a + 1, None);
            a += 1;
        }
    }

    /// The longest arc from point `a` that fits, by doubling then bisecting its segment
    /// count.
    fn longest(&self, a: usize) -> Option<(usize, Fit)> {
        let fit = |a: usize, b: usize| fit(&self.pts[a..=b], &self.allow[a..b], self.tol);
        let room = self.pts.len() - 1 - a;
        if room < MIN_SEGMENTS {
            return None;
        }
        let mut good = (MIN_SEGMENTS, fit(a, a + MIN_SEGMENTS)?);
        let mut bad = None;
        while good.0 < room {
            let len = (2 * good.0).min(room);
            match fit(a, a + len) {
                Some(f) => good = (len, f),
                None => {
                    bad = Some(len);
                    break;
                }
            }
        }
        if let Some(mut hi) = bad {
            while hi - good.0 > 1 {
                let mid = (good.0 + hi) / 2;
                match fit(a, a + mid) {
                    Some(f) => good = (mid, f),
                    None => hi = mid,
                }
            }
        }
        Some((a + good.0, good.1))
    }
}

fn sub(p: [f64; 2], q: [f64; 2]) -> [f64; 2] {
    [p[0] - q[0], p[1] - q[1]]
}

fn dot(p: [f64; 2], q: [f64; 2]) -> f64 {
    p[0] * q[0] + p[1] * q[1]
}

fn cross(p: [f64; 2], q: [f64; 2]) -> f64 {
    p[0] * q[1] - p[1] * q[0]
}

fn len(p: [f64; 2]) -> f64 {
    p[0].hypot(p[1])
}

/// An arc from the first to the last of `pts` within `tol` of them both ways, if one of the
/// candidate centres gives one.
fn fit(pts: &[[f64; 2]], allow: &[f64], tol: f64) -> Option<Fit> {
    let (p0, p1) = (pts[0], pts[pts.len() - 1]);
    let chord = sub(p1, p0);
    let l = len(chord);
    if l <= tol {
        return None;
    }
    let m = [(p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0];
    let nrm = [-chord[1] / l, chord[0] / l];
    let h2 = (l / 2.0) * (l / 2.0);
    let t_through = |p: [f64; 2]| {
        let d = sub(p, m);
        let den = 2.0 * dot(d, nrm);
        (den.abs() > 1e-12 * l).then(|| (dot(d, d) - h2) / den)
    };
    let inner = &pts[1..pts.len() - 1];
    let through_mid = t_through(pts[pts.len() / 2]);
    let mut ts: Vec<f64> = inner.iter().filter_map(|&p| t_through(p)).collect();
    let median = if ts.is_empty() {
        None
    } else {
        let k = ts.len() / 2;
        Some(*ts.select_nth_unstable_by(k, f64::total_cmp).1)
    };
    [through_mid, median]
        .into_iter()
        .flatten()
        .filter(|t| t.is_finite())
        .find_map(|t| verify(pts, allow, [m[0] + t * nrm[0], m[1] + t * nrm[1]], tol))
}

/// The arc around `c` from the first to the last of `pts`, if it is within `tol` of the
/// polyline both ways (see the module doc).
fn verify(pts: &[[f64; 2]], allow: &[f64], c: [f64; 2], tol: f64) -> Option<Fit> {
    let r = len(sub(pts[0], c));
    if !(r.is_finite() && r <= MAX_RADIUS && r > tol) {
        return None;
    }
    let err = |p: [f64; 2]| (len(sub(p, c)) - r).abs();
    let mut sweep = 0.0f64;
    let mut sign = 0.0f64;
    for (w, &al) in pts.windows(2).zip(allow) {
        // What is left of the tolerance once the move's own bulge is allowed for.
        let room = tol - al;
        let (u, v) = (sub(w[0], c), sub(w[1], c));
        let d = cross(u, v).atan2(dot(u, v));
        if d == 0.0 || d.abs() >= std::f64::consts::FRAC_PI_2 {
            return None;
        }
        if sign == 0.0 {
            sign = d.signum();
        } else if d.signum() != sign {
            return None;
        }
        sweep += d;
        if sweep.abs() > std::f64::consts::PI {
            return None;
        }
        let (e0, e1) = (err(w[0]), err(w[1]));
        if e1 > tol {
            return None;
        }
        // The segment's nearest point to the centre.
        let s = sub(w[1], w[0]);
        let ss = dot(s, s);
        let k = if ss > 0.0 {
            (-dot(u, s) / ss).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let near = len([u[0] + k * s[0], u[1] + k * s[1]]);
        if r - near > room {
            return None;
        }
        // The arc piece: its sagitta over the chord of its ends on the circle, plus how far
        // that chord is from the segment.
        let sag = r * (1.0 - (d / 2.0).cos());
        if sag + e0.max(e1) > room {
            return None;
        }
    }
    Some(Fit {
        centre: c,
        ccw: sign > 0.0,
        sagitta: r * (1.0 - (sweep / 2.0).cos()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circle(tp: &mut Toolpath, c: [f64; 2], r: f64, a0: f64, a1: f64, n: usize, z: f32) {
        for k in 0..=n {
            let a = a0 + (a1 - a0) * k as f64 / n as f64;
            tp.push(
                Move::Feed,
                [(c[0] + r * a.cos()) as f32, (c[1] + r * a.sin()) as f32, z],
            );
        }
    }

    #[test]
    fn a_sampled_circle_becomes_half_turns() {
        let mut tp = Toolpath::new();
        tp.push(Move::Rapid, [15.0, 2.0, 5.0]);
        tp.push(Move::Plunge, [15.0, 2.0, -1.0]);
        circle(
            &mut tp,
            [5.0, 2.0],
            10.0,
            0.0,
            std::f64::consts::TAU,
            200,
            -1.0,
        );
        let f = fit_arcs(&tp, 0.01);
        let arcs = f.kinds.iter().filter(|&&k| k == Move::ArcCcw as u8).count();
        assert!((2..=3).contains(&arcs), "{arcs} arcs: {:?}", f.kinds);
        for c in &f.centres {
            assert!(
                (c[0] - 5.0).abs() < 0.01 && (c[1] - 2.0).abs() < 0.01,
                "{c:?}"
            );
        }
        assert!(f.len() < 10, "{}", f.len());
    }

    #[test]
    fn straight_and_zigzag_runs_stay_lines() {
        let mut tp = Toolpath::new();
        for k in 0..50 {
            tp.push(Move::Feed, [k as f32, 0.0, 0.0]);
        }
        for k in 0..50 {
            let y = if k % 2 == 0 { 0.0 } else { 1.0 };
            tp.push(Move::Feed, [50.0 + k as f32, y, 0.0]);
        }
        assert_eq!(fit_arcs(&tp, 0.01), tp);
    }

    #[test]
    fn runs_at_changing_height_are_left_alone() {
        let mut tp = Toolpath::new();
        for k in 0..=40 {
            let a = k as f64 * 0.05;
            tp.push(
                Move::Feed,
                [
                    (10.0 * a.cos()) as f32,
                    (10.0 * a.sin()) as f32,
                    -(k as f32) * 0.01,
                ],
            );
        }
        assert_eq!(fit_arcs(&tp, 0.01), tp);
    }
}

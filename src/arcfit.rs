//! Arc fitting: runs of straight feed moves at one height become circular arcs (G2/G3) where
//! an arc follows them within a tolerance, so a program says in one line what a strategy
//! sampled in dozens.
//!
//! # One side or both
//!
//! The polyline is the exact path. Where a strategy knows which side of it the part is on
//! ([`Wall::Left`] or [`Wall::Right`], set on the toolpath), its points sit on the very
//! boundary the tool must not cross (a waterline, a roughing ring, a profile or pocket
//! wall): an arc may then stray from the polyline up to `tol` *away from the part only*,
//! and towards it by no more than [`EPS`] (rounding). Where no side is free
//! ([`Wall::Both`]: engraving, a profile on the line) the moves are the cut itself, so the
//! arc's deviation is a deviation of the cut and counts in full: within `tol` both ways.
//! Where the part is nowhere near ([`Wall::Room`]: a pocket ring between two others) the
//! arc may stray either way by the room it is given, and by no more than `tol`.
//! [`Wall::Fixed`] moves (links, V-carve centre lines) are never replaced.
//!
//! # The method
//!
//! An arc replaces the moves from point `a` to point `b` of a run (moves at one height, all
//! with the same wall). It starts and ends exactly on `a` and `b` (the points are not
//! moved), so it is one of the circles through both (a pencil, see [`pencil`]), named by
//! its signed *bulge* from the chord `ab`.
//!
//! - One-sided: the arcs that keep every piece of the run on the part's side are exactly
//!   those that bulge towards the free side at least as much as the one that *touches* the
//!   run; that one strays least, so it is the only candidate (its bulge is the largest
//!   bulge of the run's inner points and of its pieces' tangencies with the pencil).
//! - Both sides: three candidates, each verified in turn: the bulge half way between the
//!   arcs touching the run from either side, the circle through the middle point of the
//!   run, and the median of the centres through each inner point, which shrugs off a few
//!   noisy points.
//!
//! # The checks
//!
//! Seen from the candidate centre `c` with radius `r` (that of `a`), each piece of the run
//! (a segment, or a short arc already in the toolpath) must turn the same way as the arc
//! and keep doing so along its whole length (a segment always does; for an arc piece see
//! [`pencil::radial_range`]), each by less than a quarter turn, and all of them by at most
//! half a turn (so a G2/G3 never has to choose between two long ways round). Then the
//! angle `θ` seen from `c` runs monotonically from `a` to `b` along the run as along the
//! arc, and at every `θ` of the sweep the run has exactly one point, at distance `ρ(θ)`
//! from `c`. The arc's point at the same angle is `|ρ(θ) − r|` from it, so that bounds both
//! the distance from any point of the arc to the run and from any point of the run to the
//! arc, and its sign says which side the arc passes: outside the run where `r > ρ`.
//!
//! `ρ` ranges, over a piece, between the piece's least and greatest distance from `c`,
//! `ρ_lo` and `ρ_hi`, found exactly (a segment's nearest point and farther end; an arc's
//! points nearest and farthest from `c` when they are on it). The part is inside the arc's
//! circle when it is on the side the arc turns to (left of a counter-clockwise arc), else
//! outside. The checks, over every piece:
//!
//! - part inside the circle: `ρ_hi ≤ r + EPS` (the arc passes outside the run all along)
//!   and `r − ρ_lo ≤ tol`;
//! - part outside: `ρ_lo ≥ r − EPS` and `ρ_hi − r ≤ tol`;
//! - both sides: `ρ_hi − r ≤ tol` and `r − ρ_lo ≤ tol`.
//!
//! Between two points the polyline is its chord and the arc bows from it by up to its
//! sagitta; the ranges above cover that, since they hold along the whole of every piece,
//! not only at its points.
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
//! curve. It is then one of the run's pieces, checked along its whole length as above.
//!
//! # What one run does not see
//!
//! The checks take the free side to be free for `tol` beyond the run. Where it is narrower
//! (two walls of the part closer than the tolerance, with a pass along each), an arc could
//! reach past the pass along the other wall; so a one-sided arc must also cross no other
//! cutting move at its height (see [`others`]), else a shorter one is tried.

use crate::geom::Det;
mod others;
mod pencil;

use crate::toolpath::{arc_sweep, Move, Toolpath, Wall};
use others::Others;
use pencil::{radial_range, Pencil};

/// The fewest straight segments replaced by one arc (two lines make one arc line of about
/// the same size: no gain).
pub const MIN_SEGMENTS: usize = 3;

/// The largest radius fitted, in toolpath units: beyond it the arc is a straight line for any
/// purpose, and its centre words would be unwieldy.
pub const MAX_RADIUS: f64 = 1.0e4;

/// How far, in toolpath units, a fitted arc may pass on the part's side of a run whose
/// part is on one side: rounding only (the run's points are `f32`).
pub const EPS: f64 = 1.0e-6;

/// A fitted arc: its centre, direction and sagitta over its chord.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Fit {
    centre: [f64; 2],
    ccw: bool,
    sagitta: f64,
}

/// One move of a run: a straight segment, or a short flat arc round `centre`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Piece {
    Line,
    Arc { centre: [f64; 2], ccw: bool },
}

/// The toolpath with runs of at least [`MIN_SEGMENTS`] feed moves at one Z replaced by arcs
/// wherever an arc stays within `tol` of the polyline, on the free side of it where the
/// toolpath says where the part is (see the module doc). Every point an arc replaces lay
/// on the polyline; the points kept are the same `f32` values, with the same walls.
pub fn fit_arcs(tp: &Toolpath, tol: f64) -> Toolpath {
    let n = tp.len();
    if !(tol.is_finite() && tol > 0.0) {
        return tp.clone();
    }
    let mut out = Toolpath {
        points: Vec::with_capacity(tp.points.len()),
        kinds: Vec::with_capacity(n),
        centres: Vec::with_capacity(tp.centres.len()),
        walls: Vec::with_capacity(tp.walls.len()),
    };
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
    let wall: Vec<Wall> = (0..n).map(|i| tp.wall(i)).collect();
    let one_sided = |w: Wall| matches!(w, Wall::Left | Wall::Right);
    let others = tp
        .walls
        .iter()
        .any(|&(_, w)| one_sided(w))
        .then(|| Others::new(tp));
    // The move to each point as a piece of a run with its wall, or `None` for a move that
    // ends runs: a rapid, a plunge, a change of height, a long or bulging arc, a move with
    // no room to move.
    let z = |i: usize| tp.point(i)[2];
    let piece = |i: usize| -> Option<(Piece, Wall)> {
        let no_room = match wall[i] {
            Wall::Fixed => true,
            Wall::Room(room) => room.is_nan() || room <= 0.0,
            _ => false,
        };
        if i == 0 || z(i) != z(i - 1) || no_room {
            return None;
        }
        match (tp.kind(i), centre[i]) {
            (Move::Feed, _) => Some((Piece::Line, wall[i])),
            (k @ (Move::ArcCw | Move::ArcCcw), Some(c)) => {
                let ccw = k == Move::ArcCcw;
                let sweep = arc_sweep(xy[i - 1], xy[i], c, ccw);
                let r = len(sub(xy[i - 1], c));
                let sag = r * (1.0 - (sweep / 2.0).dcos());
                (sweep.abs() < std::f64::consts::FRAC_PI_2 && sag <= tol / 2.0)
                    .then_some((Piece::Arc { centre: c, ccw }, wall[i]))
            }
            _ => None,
        }
    };
    let copy = |out: &mut Toolpath, i: usize| {
        out.set_wall(wall[i]);
        match centre[i] {
            Some(c) => out.push_arc(tp.kind(i) == Move::ArcCcw, c, tp.point(i)),
            None => out.push(tp.kind(i), tp.point(i)),
        }
    };
    if n > 0 {
        copy(&mut out, 0);
    }
    let mut i = 0;
    while i + 1 < n {
        // The run of moves at this point's height, with one wall, that starts here.
        let mut pieces = Vec::new();
        let mut run_wall = None;
        while i + 1 + pieces.len() < n {
            match piece(i + 1 + pieces.len()) {
                Some((p, w)) if run_wall.is_none_or(|v| v == w) => {
                    run_wall = Some(w);
                    pieces.push(p);
                }
                _ => break,
            }
        }
        let e = i + pieces.len();
        if pieces.len() >= MIN_SEGMENTS {
            let run_wall = run_wall.unwrap_or_default();
            // Whether the arc from point `a` to `b` of the run crosses another pass.
            let crossed = |a: usize, b: usize, f: &Fit| {
                others.as_ref().is_some_and(|o| {
                    let (a, b) = (i + a, i + b);
                    o.crossed(z(a), xy[a], xy[b], f.centre, f.ccw, a + 1..b + 1)
                })
            };
            let run = Run {
                pts: &xy[i..=e],
                pieces: &pieces,
                tol: match run_wall {
                    Wall::Room(room) => tol.min(room as f64),
                    _ => tol,
                },
                wall: run_wall,
                crossed: one_sided(run_wall).then_some(&crossed as Crossed),
            };
            run.fit(|out_k, arc| match arc {
                Some(f) => {
                    out.set_wall(wall[i + out_k]);
                    out.push_arc(f.ccw, f.centre, tp.point(i + out_k));
                }
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

/// Whether an arc from point `a` to point `b` of a run crosses another pass.
type Crossed<'a> = &'a dyn Fn(usize, usize, &Fit) -> bool;

/// One run of moves at one height with one wall: its points and its pieces, and for a
/// one-sided run whether an arc crosses another pass.
struct Run<'a> {
    pts: &'a [[f64; 2]],
    pieces: &'a [Piece],
    tol: f64,
    wall: Wall,
    crossed: Option<Crossed<'a>>,
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
                    if let Some((b, f)) = self.clear(a, b, f) {
                        emit(b, Some(f));
                        a = b;
                    } else {
                        emit(a + 1, None);
                        a += 1;
                    }
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

    /// The arc `f` from point `a` to `b`, or when it crosses another pass a shorter one from
    /// `a` (halved until one does not), if any.
    fn clear(&self, a: usize, mut b: usize, mut f: Fit) -> Option<(usize, Fit)> {
        let Some(crossed) = self.crossed else {
            return Some((b, f));
        };
        while crossed(a, b, &f) {
            b = a + (b - a) / 2;
            if b - a < MIN_SEGMENTS {
                return None;
            }
            f = fit(&self.pts[a..=b], &self.pieces[a..b], self.tol, self.wall)?;
            if f.sagitta < self.tol {
                return None;
            }
        }
        Some((b, f))
    }

    /// The longest arc from point `a` that fits, by doubling then bisecting its segment
    /// count.
    fn longest(&self, a: usize) -> Option<(usize, Fit)> {
        let fit =
            |a: usize, b: usize| fit(&self.pts[a..=b], &self.pieces[a..b], self.tol, self.wall);
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
    p[0].dhypot(p[1])
}

/// An arc from the first to the last of `pts` that passes the checks for `wall`, if one of
/// the candidate centres gives one (see the module doc).
fn fit(pts: &[[f64; 2]], pieces: &[Piece], tol: f64, wall: Wall) -> Option<Fit> {
    let (p0, p1) = (pts[0], pts[pts.len() - 1]);
    let l = len(sub(p1, p0));
    if l <= tol {
        return None;
    }
    let one_sided = |left_free: bool| {
        let pencil = Pencil::new(p0, p1, left_free);
        let (_, touch) = pencil.bulges(pts, pieces);
        (touch.abs() > 0.0 && touch <= l / 2.0).then(|| pencil.centre(touch))
    };
    let candidates: Vec<[f64; 2]> = match wall {
        Wall::Right => one_sided(true).into_iter().collect(),
        Wall::Left => one_sided(false).into_iter().collect(),
        Wall::Fixed => Vec::new(),
        Wall::Both | Wall::Room(_) => both_sides(pts, pieces),
    };
    candidates
        .into_iter()
        .find_map(|c| verify(pts, pieces, c, tol, wall))
}

/// The candidate centres for an arc that may stray to both sides.
fn both_sides(pts: &[[f64; 2]], pieces: &[Piece]) -> Vec<[f64; 2]> {
    let (p0, p1) = (pts[0], pts[pts.len() - 1]);
    let chord = sub(p1, p0);
    let l = len(chord);
    let m = [(p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0];
    let nrm = [-chord[1] / l, chord[0] / l];
    let h2 = (l / 2.0) * (l / 2.0);
    let t_through = |p: [f64; 2]| {
        let d = sub(p, m);
        let den = 2.0 * dot(d, nrm);
        (den.abs() > 1e-12 * l).then(|| (dot(d, d) - h2) / den)
    };
    let at = |t: f64| [m[0] + t * nrm[0], m[1] + t * nrm[1]];
    let pencil = Pencil::new(p0, p1, true);
    let (lo, hi) = pencil.bulges(pts, pieces);
    let middle = 0.5 * (lo + hi);
    let between = (middle.is_finite() && middle != 0.0).then(|| pencil.centre(middle));
    let inner = &pts[1..pts.len() - 1];
    let through_mid = t_through(pts[pts.len() / 2]).map(at);
    let mut ts: Vec<f64> = inner.iter().filter_map(|&p| t_through(p)).collect();
    let median = if ts.is_empty() {
        None
    } else {
        let k = ts.len() / 2;
        Some(at(*ts.select_nth_unstable_by(k, f64::total_cmp).1))
    };
    [between, through_mid, median]
        .into_iter()
        .flatten()
        .filter(|c| c[0].is_finite() && c[1].is_finite())
        .collect()
}

/// The arc around `c` from the first to the last of `pts`, if it passes the checks of the
/// module doc for `wall`.
fn verify(pts: &[[f64; 2]], pieces: &[Piece], c: [f64; 2], tol: f64, wall: Wall) -> Option<Fit> {
    let r = len(sub(pts[0], c));
    if !(r.is_finite() && r <= MAX_RADIUS && r > tol) {
        return None;
    }
    let mut sweep = 0.0f64;
    let mut ccw = None;
    for (w, &piece) in pts.windows(2).zip(pieces) {
        let (u, v) = (sub(w[0], c), sub(w[1], c));
        let d = cross(u, v).datan2(dot(u, v));
        if d == 0.0 || d.abs() >= std::f64::consts::FRAC_PI_2 {
            return None;
        }
        let turn = d > 0.0;
        if *ccw.get_or_insert(turn) != turn {
            return None;
        }
        sweep += d;
        if sweep.abs() > std::f64::consts::PI {
            return None;
        }
        let ((lo, hi), along) = radial_range(w[0], w[1], piece, c);
        if along != Some(turn) {
            return None;
        }
        // Is the part inside the circle (on the side the arc turns to)?
        let inside = match wall {
            Wall::Left => Some(turn),
            Wall::Right => Some(!turn),
            _ => None,
        };
        let ok = match inside {
            Some(true) => hi <= r + EPS && r - lo <= tol,
            Some(false) => lo >= r - EPS && hi - r <= tol,
            None => hi - r <= tol && r - lo <= tol,
        };
        if !ok {
            return None;
        }
    }
    Some(Fit {
        centre: c,
        ccw: ccw?,
        sagitta: r * (1.0 - (sweep / 2.0).dcos()),
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
                [
                    (c[0] + r * a.dcos()) as f32,
                    (c[1] + r * a.dsin()) as f32,
                    z,
                ],
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
                    (10.0 * a.dcos()) as f32,
                    (10.0 * a.dsin()) as f32,
                    -(k as f32) * 0.01,
                ],
            );
        }
        assert_eq!(fit_arcs(&tp, 0.01), tp);
    }
}

//! Level sets of the cutter-location surface: where the tool, with its tip at height `z`,
//! just touches the model.
//!
//! A 3-axis tool is everything above its tip (flutes, shank, holder), so the positions
//! where it may stand with its tip at `z` are exactly those whose drop-cutter height is at
//! most `z`: the *free* region. Its boundary is the waterline at `z`. Working from the
//! drop-cutter height rather than from horizontal pushes of the flutes alone is what keeps a
//! loop from ever passing under an overhang: under an overhang the drop-cutter height is the
//! overhang's, far above `z`, so that place is never free.
//!
//! The height is sampled once on a grid (it does not depend on `z`, so every level reuses
//! it). Per level, marching squares finds the grid edges whose ends disagree (free vs
//! blocked); each grid edge is a fiber, and the crossing on it is exact: where the first
//! push-cutter interval of the triangles near it begins (see `cutter::push`), a micron on
//! the free side, so a loop point is never inside the blocked region. Loops are then refined where the boundary bulges away from the chord between
//! two loop points by more than the tolerance (searched along the chord's normal), so
//! curvature is followed to a stated tolerance rather than to the grid spacing.
//!
//! Orientation: segments run with the blocked region (material) on their left. With the
//! spindle turning clockwise (M3) the edge on the left moves with the feed, so this is
//! climb milling: islands are circled counter-clockwise, pockets clockwise.

use super::surface::Surface;
use super::Cancelled;
use crate::cutter::Fiber;
use std::collections::HashMap;

/// Drop-cutter heights on a regular grid.
#[derive(Clone, Debug)]
pub struct HeightGrid {
    pub x0: f64,
    pub y0: f64,
    pub step: f64,
    pub nx: usize,
    pub ny: usize,
    /// Row-major heights, `i + j * nx`.
    pub h: Vec<f64>,
}

impl HeightGrid {
    /// Samples `area` (`[min x, min y, max x, max y]`) every `step` or less.
    pub fn sample(
        s: &Surface,
        area: [f64; 4],
        step: f64,
        progress: &mut dyn FnMut(f32) -> bool,
    ) -> Result<HeightGrid, Cancelled> {
        let nx = (((area[2] - area[0]) / step).ceil() as usize).max(1) + 1;
        let ny = (((area[3] - area[1]) / step).ceil() as usize).max(1) + 1;
        let sx = (area[2] - area[0]) / (nx - 1) as f64;
        let sy = (area[3] - area[1]) / (ny - 1) as f64;
        // Square cells keep the bisection and refinement isotropic.
        let step = sx.max(sy);
        let mut h = Vec::with_capacity(nx * ny);
        let row = |j: usize| -> Vec<f64> {
            let mut hint = None;
            (0..nx)
                .map(|i| {
                    s.height(
                        area[0] + i as f64 * step,
                        area[1] + j as f64 * step,
                        &mut hint,
                    )
                })
                .collect()
        };
        let batch = 16;
        let mut j = 0;
        while j < ny {
            if !progress(j as f32 / ny as f32) {
                return Err(Cancelled);
            }
            let rows: Vec<usize> = (j..(j + batch).min(ny)).collect();
            #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
            let done: Vec<Vec<f64>> = {
                use rayon::prelude::*;
                rows.par_iter().map(|&r| row(r)).collect()
            };
            #[cfg(not(all(feature = "parallel", not(target_arch = "wasm32"))))]
            let done: Vec<Vec<f64>> = rows.iter().map(|&r| row(r)).collect();
            for r in done {
                h.extend_from_slice(&r);
            }
            j += batch;
        }
        Ok(HeightGrid {
            x0: area[0],
            y0: area[1],
            step,
            nx,
            ny,
            h,
        })
    }

    fn point(&self, i: i64, j: i64) -> [f64; 2] {
        [
            self.x0 + i as f64 * self.step,
            self.y0 + j as f64 * self.step,
        ]
    }

    /// Height at node `(i, j)`; nodes outside the grid are `None` (treated as free).
    fn at(&self, i: i64, j: i64) -> Option<f64> {
        if i < 0 || j < 0 || i >= self.nx as i64 || j >= self.ny as i64 {
            None
        } else {
            Some(self.h[i as usize + j as usize * self.nx])
        }
    }
}

/// A waterline path at one level: closed, or open where it met the edge of the area.
#[derive(Clone, Debug, PartialEq)]
pub struct Contour {
    pub points: Vec<[f64; 2]>,
    pub closed: bool,
}

/// Bisection between a free point `a` and a blocked point `b` for the boundary; returns the
/// free end of the final bracket (never inside the material).
fn boundary(s: &Surface, z: f64, mut a: [f64; 2], mut b: [f64; 2], eps: f64) -> [f64; 2] {
    let mut hint = None;
    for _ in 0..64 {
        if (b[0] - a[0]).hypot(b[1] - a[1]) <= eps {
            break;
        }
        let m = [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])];
        if s.height(m[0], m[1], &mut hint) > z {
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
fn grid_crossing(s: &Surface, z: f64, a: [f64; 2], b: [f64; 2], eps: f64) -> [f64; 2] {
    const FREE_MARGIN: f64 = 1e-6;
    let along_x = a[1] == b[1];
    let fiber = if along_x {
        Fiber::along_x(a[1], z)
    } else {
        Fiber::along_y(a[0], z)
    };
    let (ta, tb) = if along_x { (a[0], b[0]) } else { (a[1], b[1]) };
    let r = s.cutter.radius();
    let lo = [a[0].min(b[0]) - r, a[1].min(b[1]) - r];
    let hi = [a[0].max(b[0]) + r, a[1].max(b[1]) + r];
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
    let p = if along_x { [t, a[1]] } else { [a[0], t] };
    // Trust, but verify against the drop-cutter: a tangency exactly at the fiber's height
    // (a mesh vertex ring lying at z) can make the push intervals' closure disagree with
    // the drop-cutter there; bisection then settles it.
    if s.height(p[0], p[1], &mut None) > z + 1e-9 {
        return boundary(s, z, a, b, eps);
    }
    p
}

/// Crossing point on a grid edge, or a marker that it lies outside the grid.
#[derive(Clone, Copy, Debug)]
struct Crossing {
    p: [f64; 2],
    /// One end is outside the grid: the contour leaves the area here.
    virtual_: bool,
}

/// The waterline contours at height `z`.
pub fn contours(s: &Surface, g: &HeightGrid, z: f64, tol: f64) -> Vec<Contour> {
    contours_with(s, g, z, tol, true)
}

/// The contours as marching squares gives them (exact crossings on the grid edges, chords
/// between), without the refinement towards the true boundary. Unrefined contours never
/// cross themselves or each other, whatever the surface: each chord lies in its own cell.
/// Roughing uses them with a cutter widened by the grid's half-diagonal, which keeps every
/// chord outside the real blocked region (see `rough::allowance::widen`).
pub fn contours_unrefined(s: &Surface, g: &HeightGrid, z: f64, tol: f64) -> Vec<Contour> {
    contours_with(s, g, z, tol, false)
}

fn contours_with(s: &Surface, g: &HeightGrid, z: f64, tol: f64, refining: bool) -> Vec<Contour> {
    let blocked = |i: i64, j: i64| g.at(i, j).is_some_and(|h| h > z);
    let eps = tol / 16.0;
    // Crossing ids per grid edge: (i, j, horizontal?).
    let mut ids: HashMap<(i64, i64, bool), usize> = HashMap::new();
    let mut pts: Vec<Crossing> = Vec::new();
    let mut next: Vec<usize> = Vec::new();
    let mut crossing =
        |i: i64, j: i64, horiz: bool, pts: &mut Vec<Crossing>, next: &mut Vec<usize>| -> usize {
            *ids.entry((i, j, horiz)).or_insert_with(|| {
                let (i2, j2) = if horiz { (i + 1, j) } else { (i, j + 1) };
                let (pa, pb) = (g.point(i, j), g.point(i2, j2));
                let outside = g.at(i, j).is_none() || g.at(i2, j2).is_none();
                let c = if outside {
                    // Put the exit on the grid's border node; the path is cut there.
                    let p = if g.at(i, j).is_some() { pa } else { pb };
                    Crossing { p, virtual_: true }
                } else if blocked(i, j) {
                    Crossing {
                        p: grid_crossing(s, z, pb, pa, eps),
                        virtual_: false,
                    }
                } else {
                    Crossing {
                        p: grid_crossing(s, z, pa, pb, eps),
                        virtual_: false,
                    }
                };
                pts.push(c);
                next.push(usize::MAX);
                pts.len() - 1
            })
        };
    for cj in -1..g.ny as i64 {
        for ci in -1..g.nx as i64 {
            let c = [
                blocked(ci, cj),
                blocked(ci + 1, cj),
                blocked(ci + 1, cj + 1),
                blocked(ci, cj + 1),
            ];
            if c.iter().all(|&b| b == c[0]) {
                continue;
            }
            // Edge k runs from corner k to corner k+1 counter-clockwise.
            let edge = |k: usize| match k {
                0 => (ci, cj, true),
                1 => (ci + 1, cj, false),
                2 => (ci, cj + 1, true),
                _ => (ci, cj, false),
            };
            let saddle = c[0] == c[2] && c[1] == c[3];
            let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(2);
            if saddle {
                let centre = g.point(ci, cj);
                let centre = [centre[0] + 0.5 * g.step, centre[1] + 0.5 * g.step];
                let inside = ci >= 0 && cj >= 0 && ci + 1 < g.nx as i64 && cj + 1 < g.ny as i64;
                let centre_blocked = inside && s.height(centre[0], centre[1], &mut None) > z;
                for (k, &ck) in c.iter().enumerate() {
                    if centre_blocked && !ck {
                        // Cut off the free corner k: exit on edge k-1, entry on edge k.
                        pairs.push(((k + 3) % 4, k));
                    } else if !centre_blocked && ck {
                        // Cut off the blocked corner k: exit on edge k, entry on edge k-1.
                        pairs.push((k, (k + 3) % 4));
                    }
                }
            } else {
                let exit = (0..4).find(|&k| c[k] && !c[(k + 1) % 4]).unwrap();
                let entry = (0..4).find(|&k| !c[k] && c[(k + 1) % 4]).unwrap();
                pairs.push((exit, entry));
            }
            for (ex, en) in pairs {
                let (i, j, hz) = edge(ex);
                let a = crossing(i, j, hz, &mut pts, &mut next);
                let (i, j, hz) = edge(en);
                let b = crossing(i, j, hz, &mut pts, &mut next);
                next[a] = b;
            }
        }
    }
    // Follow the links into loops; split them where they touch the area's edge.
    let mut seen = vec![false; pts.len()];
    let mut out = Vec::new();
    for start in 0..pts.len() {
        if seen[start] || next[start] == usize::MAX {
            continue;
        }
        let mut cyc = Vec::new();
        let mut k = start;
        while !seen[k] && k != usize::MAX {
            seen[k] = true;
            cyc.push(k);
            k = next[k];
        }
        let closed = k == start;
        // A finished path: refined towards the true boundary, or only cleaned up.
        let finish = |points: &[[f64; 2]], closed: bool| Contour {
            points: if refining {
                refine(s, z, points, closed, tol, g.step)
            } else {
                drop_collinear(&dedup_close(points, closed), closed, tol / 4.0)
            },
            closed,
        };
        if cyc.iter().all(|&k| !pts[k].virtual_) && closed {
            let loop_pts: Vec<[f64; 2]> = cyc.iter().map(|&k| pts[k].p).collect();
            out.push(finish(&loop_pts, true));
        } else {
            // Rotate so a virtual point comes first, then cut at every virtual point.
            let first = cyc.iter().position(|&k| pts[k].virtual_).unwrap_or(0);
            cyc.rotate_left(first);
            let mut run: Vec<[f64; 2]> = Vec::new();
            for &k in cyc.iter().chain(std::iter::once(&cyc[0])) {
                if pts[k].virtual_ {
                    if run.len() >= 2 {
                        out.push(finish(&run, false));
                    }
                    run.clear();
                } else {
                    run.push(pts[k].p);
                }
            }
            if run.len() >= 2 {
                out.push(finish(&run, false));
            }
        }
    }
    out
}

/// Inserts boundary points between consecutive points where the boundary departs from the
/// chord by more than `tol` (searched along the chord's normal, up to one grid step away),
/// then drops points that the chord through their neighbours passes within `tol / 4`.
fn refine(
    s: &Surface,
    z: f64,
    pts: &[[f64; 2]],
    closed: bool,
    tol: f64,
    step: f64,
) -> Vec<[f64; 2]> {
    let eps = tol / 16.0;
    let n = pts.len();
    let segs = if closed { n } else { n - 1 };
    let mut out = Vec::with_capacity(n * 2);
    for k in 0..segs {
        let a = pts[k];
        let b = pts[(k + 1) % n];
        out.push(a);
        refine_between(s, z, a, b, tol, eps, step, 0, &mut out);
    }
    if !closed {
        out.push(pts[n - 1]);
    }
    drop_collinear(&out, closed, tol / 4.0)
}

#[allow(clippy::too_many_arguments)]
fn refine_between(
    s: &Surface,
    z: f64,
    a: [f64; 2],
    b: [f64; 2],
    tol: f64,
    eps: f64,
    step: f64,
    depth: u32,
    out: &mut Vec<[f64; 2]>,
) {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len = d[0].hypot(d[1]);
    if depth > 12 || len < 0.5 * tol {
        return;
    }
    // Left normal: towards the blocked side.
    let nrm = [-d[1] / len, d[0] / len];
    let m = [0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])];
    // March out along the normal to the *nearest* change (free <-> blocked), then bisect:
    // a bisection over the whole reach could land on another part of the boundary (an
    // island across a narrow gap) and make the loop cross itself.
    let reach = step.max(len);
    const MARCH: usize = 8;
    let mut hint = None;
    let blocked_mid = s.height(m[0], m[1], &mut hint) > z;
    // Towards the free side when the midpoint is blocked, towards the material otherwise.
    let sgn = if blocked_mid { -1.0 } else { 1.0 };
    let at = |t: f64| [m[0] + sgn * nrm[0] * t, m[1] + sgn * nrm[1] * t];
    let mut prev = m;
    let mut found = None;
    for k in 1..=MARCH {
        let p = at(reach * k as f64 / MARCH as f64);
        if (s.height(p[0], p[1], &mut hint) > z) != blocked_mid {
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
        return;
    };
    // Half the tolerance here, a quarter for dropping points below: the chords stay within
    // three quarters of the tolerance of the boundary.
    if (q[0] - m[0]).hypot(q[1] - m[1]) > 0.5 * tol {
        refine_between(s, z, a, q, tol, eps, step, depth + 1, out);
        out.push(q);
        refine_between(s, z, q, b, tol, eps, step, depth + 1, out);
    }
}

/// Removes points lying within `tol` of the chord that replaces them (every removed point
/// is checked against the final chord, so errors do not accumulate). Open paths keep both
/// ends; a closed loop keeps its first point.
fn drop_collinear(pts: &[[f64; 2]], closed: bool, tol: f64) -> Vec<[f64; 2]> {
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
fn dedup_close(pts: &[[f64; 2]], closed: bool) -> Vec<[f64; 2]> {
    const CLOSE: f64 = 1e-4;
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(pts.len());
    for &p in pts {
        if out
            .last()
            .is_none_or(|q| (p[0] - q[0]).hypot(p[1] - q[1]) > CLOSE)
        {
            out.push(p);
        }
    }
    if closed && out.len() > 2 {
        let (a, b) = (out[0], out[out.len() - 1]);
        if (a[0] - b[0]).hypot(a[1] - b[1]) <= CLOSE {
            out.pop();
        }
    }
    out
}

/// Closest point of segment `a b` to `p`, and its parameter along the segment.
pub(crate) fn project(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> ([f64; 2], f64) {
    let d = [b[0] - a[0], b[1] - a[1]];
    let l2 = d[0] * d[0] + d[1] * d[1];
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ([a[0] + t * d[0], a[1] + t * d[1]], t)
}

fn dist_to_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (q, _) = project(p, a, b);
    (p[0] - q[0]).hypot(p[1] - q[1])
}

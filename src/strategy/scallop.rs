//! Constant-scallop finishing: passes offset from the machining area's boundary inwards
//! *along the cutter-location surface*, so that a steep wall gets as many passes per
//! millimetre of its own surface as a flat does, and the ridge left between neighbouring
//! passes (the scallop) is the same height on both. Parallel finishing spaces its lines a
//! stepover apart seen from above, so on a wall of slope θ its passes are `s / cos θ` apart
//! along the surface and the scallop grows with `1 / cos² θ`.
//!
//! 1. The drop-cutter heights on a grid of the sampling step over the area ([`HeightGrid`]).
//! 2. The distance from the area's boundary along that surface: Dijkstra over the grid's
//!    nodes, each joined to its 16 neighbours (the 8 around it and the 8 a knight's move
//!    away) by the 3D chord between their cutter locations. A path through the grid is never
//!    shorter than the straightest one on the surface it approximates, so the distances are
//!    at most a few percent long (2.7% with 16 directions): the passes come out that much
//!    closer than asked, never farther.
//! 3. The passes are the iso-lines of that distance at `(k + ½) s` (marching squares with
//!    the region farther from the boundary on the left), where `s` is the stepover giving
//!    the scallop height `h` for a ball of radius `R` between passes a chord `s` apart:
//!    `s = 2 √(2 R h − h²)`.
//! 4. Each pass is cut at drop-cutter height, refined as parallel finishing refines its
//!    lines, outer passes first: a loop's inner neighbours follow it (the nest of one hill
//!    before the next), each entered at its vertex nearest the tool and linked over the
//!    surface when that is within a cutter diameter, else through the safe height. Climb
//!    runs the loops clockwise seen from above (as the spiral does), conventional
//!    anticlockwise.
//!
//! The scallop is exact for a ball on a flat and smaller than asked on convex surfaces (the
//! contact points are closer than the cutter locations); in a concave fillet of radius `ρ`
//! it grows by `ρ / (ρ − R)`, the price of measuring along the cutter-location surface,
//! which stays smooth where the model has corners.

use super::contour::{HeightGrid, Pulse};
use super::polyline::drop_collinear;
use super::surface::{cut_along, retract, Surface};
use super::Cancelled;
use crate::geom::{DVec2, Det};
use crate::job::{Milling, Resolved, ScallopSpec};
use crate::model::Model;
use crate::toolpath::Toolpath;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

// The passes' spacing and the grid's limit are the job's to check, so they live there.
pub use crate::job::{
    scallop_chord as chord, scallop_stepover as stepover, SCALLOP_CORNER_FACTOR as CORNER_FACTOR,
    SCALLOP_MAX_NODES as MAX_NODES,
};

/// The 16 neighbour offsets of the distance search.
const NEIGHBOURS: [(i64, i64); 16] = [
    (1, 0),
    (-1, 0),
    (0, 1),
    (0, -1),
    (1, 1),
    (1, -1),
    (-1, 1),
    (-1, -1),
    (2, 1),
    (2, -1),
    (-2, 1),
    (-2, -1),
    (1, 2),
    (1, -2),
    (-1, 2),
    (-1, -2),
];

#[derive(PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        // A min-heap on the distance, then on the node (for a deterministic order).
        o.0.total_cmp(&self.0).then_with(|| o.1.cmp(&self.1))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// The grid the distances and passes are found on: the sampled one, or where a cell is
/// wider than a quarter of the stepover, one 2–4 times finer with heights interpolated
/// bilinearly (the cutter-location surface is smooth between samples but for its creases,
/// which the sampling already blurs). Marching squares places a pass within a fraction of
/// a cell, so a cell must be small beside the stepover for the ridges to keep their height.
fn finer(g: &HeightGrid, step: f64) -> HeightGrid {
    let mut f = ((4.0 * g.step / step).ceil() as usize).clamp(1, 4);
    while f > 1 && ((g.nx - 1) * f + 1) * ((g.ny - 1) * f + 1) > MAX_NODES {
        f -= 1;
    }
    if f == 1 {
        return g.clone();
    }
    let (nx, ny) = ((g.nx - 1) * f + 1, (g.ny - 1) * f + 1);
    let mut h = Vec::with_capacity(nx * ny);
    let at = |i: usize, j: usize| g.h[i.min(g.nx - 1) + j.min(g.ny - 1) * g.nx];
    for j in 0..ny {
        let (cj, tj) = (j / f, (j % f) as f64 / f as f64);
        for i in 0..nx {
            let (ci, ti) = (i / f, (i % f) as f64 / f as f64);
            let lo = at(ci, cj) * (1.0 - ti) + at(ci + 1, cj) * ti;
            let hi = at(ci, cj + 1) * (1.0 - ti) + at(ci + 1, cj + 1) * ti;
            h.push(lo * (1.0 - tj) + hi * tj);
        }
    }
    HeightGrid {
        x0: g.x0,
        y0: g.y0,
        step: g.step / f as f64,
        nx,
        ny,
        h,
    }
}

/// The distance of every grid node from the grid's border along the cutter-location
/// surface (see the module doc).
fn surface_distance(g: &HeightGrid, pulse: &mut Pulse) -> Result<Vec<f64>, Cancelled> {
    let (nx, ny) = (g.nx as i64, g.ny as i64);
    let mut d = vec![f64::INFINITY; g.h.len()];
    let mut heap = BinaryHeap::new();
    for j in 0..ny {
        for i in 0..nx {
            if i == 0 || j == 0 || i == nx - 1 || j == ny - 1 {
                let k = (i + j * nx) as usize;
                d[k] = 0.0;
                heap.push(Entry(0.0, k));
            }
        }
    }
    let lens: Vec<f64> = NEIGHBOURS
        .iter()
        .map(|&(a, b)| g.step * (a as f64).dhypot(b as f64))
        .collect();
    while let Some(Entry(dk, k)) = heap.pop() {
        if dk > d[k] {
            continue;
        }
        pulse.tick(1)?;
        let (i, j) = ((k as i64) % nx, (k as i64) / nx);
        for (n, &(a, b)) in NEIGHBOURS.iter().enumerate() {
            let (ii, jj) = (i + a, j + b);
            if ii < 0 || jj < 0 || ii >= nx || jj >= ny {
                continue;
            }
            let m = (ii + jj * nx) as usize;
            let nd = dk + lens[n].dhypot(g.h[m] - g.h[k]);
            if nd < d[m] {
                d[m] = nd;
                heap.push(Entry(nd, m));
            }
        }
    }
    Ok(d)
}

/// The closed iso-lines of `f` (row-major on the grid of `g`) at `level`, each with the
/// nodes above the level on its left (anticlockwise round them). Every node of the
/// grid's border is below the level, so every line closes (one that does not is dropped).
#[cfg(test)]
fn iso_lines(g: &HeightGrid, f: &[f64], level: f64) -> Vec<Vec<DVec2>> {
    iso_lines_in(g, f, &[level], (0, g.nx), (0, g.ny))
        .pop()
        .unwrap_or_default()
}

/// As [`iso_lines`] for every one of the increasing `levels` at once (one sweep of the
/// grid: a cell holds the levels between its lowest and highest corner), over the cells
/// between node columns `cols` and rows `rows` (end exclusive); a line that leaves that
/// window is dropped.
fn iso_lines_in(
    g: &HeightGrid,
    f: &[f64],
    levels: &[f64],
    cols: (usize, usize),
    rows: (usize, usize),
) -> Vec<Vec<Vec<DVec2>>> {
    let nx = g.nx;
    // Edge ids: 2 (i + j nx) for the edge from node (i, j) along X, + 1 along Y.
    let point = |e: usize, level: f64| -> DVec2 {
        let (node, along_y) = (e / 2, e % 2 == 1);
        let (i, j) = (node % nx, node / nx);
        let (i2, j2) = if along_y { (i, j + 1) } else { (i + 1, j) };
        let (a, b) = (f[i + j * nx], f[i2 + j2 * nx]);
        let t = ((level - a) / (b - a)).clamp(0.0, 1.0);
        let p = |i: usize, j: usize| DVec2::new(g.x0 + i as f64 * g.step, g.y0 + j as f64 * g.step);
        p(i, j).lerp(p(i2, j2), t)
    };
    let mut next: Vec<HashMap<usize, usize>> = vec![HashMap::new(); levels.len()];
    for j in rows.0..rows.1.min(g.ny).saturating_sub(1) {
        for i in cols.0..cols.1.min(nx).saturating_sub(1) {
            let v = [
                f[i + j * nx],
                f[i + 1 + j * nx],
                f[i + 1 + (j + 1) * nx],
                f[i + (j + 1) * nx],
            ];
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            // The levels with a corner above and one not: lo <= level < hi.
            let first = levels.partition_point(|&l| l < lo);
            let last = levels.partition_point(|&l| l < hi);
            if first >= last {
                continue;
            }
            // Corners anticlockwise and the edges between them.
            let e = [
                2 * (i + j * nx),
                2 * (i + 1 + j * nx) + 1,
                2 * (i + (j + 1) * nx),
                2 * (i + j * nx) + 1,
            ];
            for (l, next) in next.iter_mut().enumerate().take(last).skip(first) {
                let level = levels[l];
                let c = v.map(|x| x > level);
                // Edge k runs from corner k to corner k + 1 (anticlockwise).
                let leaving = (0..4).filter(|&k| c[k] && !c[(k + 1) % 4]);
                if c.iter().filter(|&&x| x).count() == 2 && c[0] == c[2] {
                    // A saddle: decided by the centre's value. Above, the high corners join
                    // and each low corner is cut off by itself (the line turns to the next
                    // edge); below, each high corner is.
                    let centre = 0.25 * (v[0] + v[1] + v[2] + v[3]);
                    for k in leaving {
                        let to = if centre > level {
                            (k + 1) % 4
                        } else {
                            (k + 3) % 4
                        };
                        next.insert(e[k], e[to]);
                    }
                } else if let Some(k) = leaving.into_iter().next() {
                    let to = (0..4)
                        .find(|&m| !c[m] && c[(m + 1) % 4])
                        .expect("a line that leaves a cell enters it");
                    next.insert(e[k], e[to]);
                }
            }
        }
    }
    next.into_iter()
        .zip(levels)
        .map(|(mut next, &level)| {
            // Follow the links from the lowest edge id left, for a deterministic order.
            let mut starts: Vec<usize> = next.keys().copied().collect();
            starts.sort_unstable();
            let mut lines = Vec::new();
            for s in starts {
                let Some(mut e) = next.remove(&s) else {
                    continue;
                };
                let mut line = vec![point(s, level)];
                let mut closed = true;
                while e != s {
                    line.push(point(e, level));
                    match next.remove(&e) {
                        Some(n) => e = n,
                        None => {
                            closed = false;
                            break;
                        }
                    }
                }
                if closed && line.len() >= 3 {
                    lines.push(sharpen(line, g.step));
                }
            }
            lines
        })
        .collect()
}

/// The least left turn (radians, about 20°) that [`sharpen`] takes for a corner.
const CORNER_TURN: f64 = 0.35;

/// Puts back the corners marching squares cut off an anticlockwise iso-line.
///
/// Where the distance has a crease (the offsets of two sides of the boundary meeting), its
/// iso-lines have a convex corner; the line through the cell holding the corner joins the
/// crossings on the cell's edges, a chamfer up to half a cell deep, and the ridge between
/// two passes there is wider by twice that. A chamfer is one or two segments, each within
/// a cell, between two straight arms that turn left by [`CORNER_TURN`] or more: the corner is
/// where the arms meet, when that lies within a cell of the chamfer. On a smooth curve of
/// radius `r` the arms turn by `step / r`, so only loops a few cells across are touched, and
/// their vertex moves out by a fraction of a cell.
fn sharpen(line: Vec<DVec2>, step: f64) -> Vec<DVec2> {
    let n = line.len();
    if n < 6 {
        return line;
    }
    let at = |k: usize| line[k % n];
    let meet = |a: DVec2, b: DVec2, c: DVec2, d: DVec2| -> Option<DVec2> {
        let (u, w) = (b - a, d - c);
        let den = u.perp_dot(w);
        if den.abs() < 1e-12 * u.length() * w.length() || den <= 0.0 {
            return None;
        }
        let turn = den.datan2(u.dot(w));
        if turn < CORNER_TURN {
            return None;
        }
        let t = (c - a).perp_dot(w) / den;
        let x = a + u * t;
        (t > 1.0 && x.distance(b.lerp(c, 0.5)) <= step).then_some(x)
    };
    let mut out = Vec::with_capacity(n + n / 8);
    let mut k = 0;
    while k < n {
        let (a, b) = (at(k + n - 1), at(k));
        out.push(b);
        // A one-segment chamfer b → c, or a two-segment one b → m → c.
        for span in 1..=2 {
            let (c, d) = (at(k + span), at(k + span + 1));
            if b.distance(c) > 1.5 * step * span as f64 {
                break;
            }
            if let Some(x) = meet(a, b, c, d) {
                out.push(x);
                k += span - 1;
                break;
            }
        }
        k += 1;
    }
    out
}

/// True when `p` lies inside the closed polygon `poly` (even-odd).
fn inside(poly: &[DVec2], p: DVec2) -> bool {
    let mut odd = false;
    let mut a = poly[poly.len() - 1];
    for &b in poly {
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            odd = !odd;
        }
        a = b;
    }
    odd
}

/// One pass: its loop, and the passes one level in that it encloses.
struct Pass {
    line: Vec<DVec2>,
    children: Vec<usize>,
}

/// The passes of all levels as a forest (see the module doc), and the roots.
fn nest(levels: Vec<Vec<Vec<DVec2>>>) -> (Vec<Pass>, Vec<usize>) {
    let mut passes: Vec<Pass> = Vec::new();
    let mut roots = Vec::new();
    let mut prev: Vec<usize> = Vec::new();
    for lines in levels {
        let mut here = Vec::with_capacity(lines.len());
        for line in lines {
            let k = passes.len();
            let parent = prev
                .iter()
                .copied()
                .find(|&q| inside(&passes[q].line, line[0]));
            match parent {
                Some(q) => passes[q].children.push(k),
                None => roots.push(k),
            }
            passes.push(Pass {
                line,
                children: Vec::new(),
            });
            here.push(k);
        }
        prev = here;
    }
    (passes, roots)
}

/// The last passes round each hilltop of the distance: a pass with no pass inside it
/// whose region rises more than half a stepover above its level (so that the ridge across
/// its middle, up to twice that wide, would be higher than asked) gets the iso-line half a
/// stepover below the region's top inside it.
fn top_passes(g: &HeightGrid, d: &[f64], passes: &mut Vec<Pass>, step: f64, roots: &[usize]) {
    let mut levels: Vec<(usize, f64)> = Vec::new();
    // Each pass's level: its roots at ½ s, one stepover more per generation.
    let mut stack: Vec<(usize, f64)> = roots.iter().map(|&q| (q, 0.5 * step)).collect();
    while let Some((q, level)) = stack.pop() {
        levels.push((q, level));
        stack.extend(passes[q].children.iter().map(|&c| (c, level + step)));
    }
    levels.sort_unstable_by_key(|&(q, _)| q);
    for (q, level) in levels {
        if !passes[q].children.is_empty() {
            continue;
        }
        let line = &passes[q].line;
        let (lo, hi) = line.iter().fold(
            (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        let node = |v: f64, o: f64| ((v - o) / g.step).max(0.0);
        let (i0, j0) = (
            node(lo.x, g.x0).floor() as usize,
            node(lo.y, g.y0).floor() as usize,
        );
        let (i1, j1) = (
            (node(hi.x, g.x0).ceil() as usize + 1).min(g.nx),
            (node(hi.y, g.y0).ceil() as usize + 1).min(g.ny),
        );
        let mut top = f64::NEG_INFINITY;
        for j in j0..j1 {
            for i in i0..i1 {
                let p = DVec2::new(g.x0 + i as f64 * g.step, g.y0 + j as f64 * g.step);
                let v = d[i + j * g.nx];
                if v > top && inside(line, p) {
                    top = v;
                }
            }
        }
        if top - level <= 0.5 * step {
            continue;
        }
        let clockwise = area2(line) < 0.0;
        let lines = iso_lines_in(g, d, &[top - 0.5 * step], (i0, i1), (j0, j1));
        for mut l in lines.into_iter().flatten() {
            if !inside(&passes[q].line, l[0]) {
                continue;
            }
            if clockwise {
                l.reverse();
            }
            let k = passes.len();
            passes.push(Pass {
                line: l,
                children: Vec::new(),
            });
            passes[q].children.push(k);
        }
    }
}

/// Twice the signed area of a closed polygon (positive anticlockwise).
fn area2(p: &[DVec2]) -> f64 {
    (0..p.len())
        .map(|k| p[k].perp_dot(p[(k + 1) % p.len()]))
        .sum()
}

/// Constant-scallop finishing of `model` (see the module doc).
pub fn generate(
    model: &Model,
    spec: &ScallopSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let s = Surface::new(model, res);
    let step = stepover(res.cutter.radius(), spec.scallop);
    let coarse = HeightGrid::sample(&s, res.area, spec.sampling, &mut |f| progress(0.5 * f))?;
    let g = finer(&coarse, step);
    drop(coarse);
    let d = surface_distance(&g, &mut Pulse::new(progress, 0.5, 0.7))?;
    let deepest = d.iter().copied().fold(0.0, f64::max);
    let count = (deepest / step + 0.5).floor().max(0.0) as usize;
    let wanted: Vec<f64> = (0..count)
        .map(|k| (k as f64 + 0.5) * step)
        .filter(|&l| l < deepest)
        .collect();
    if !progress(0.75) {
        return Err(Cancelled);
    }
    let mut levels = iso_lines_in(&g, &d, &wanted, (0, g.nx), (0, g.ny));
    if spec.milling == Milling::Climb {
        for l in levels.iter_mut().flatten() {
            l.reverse();
        }
    }
    let (mut passes, roots) = nest(levels);
    top_passes(&g, &d, &mut passes, step, &roots);
    let total = passes.len().max(1) as f32;
    let safe = res.safe_height as f32;
    let reach = 2.0 * res.cutter.radius();
    let mut tp = Toolpath::new();
    let mut done = 0usize;
    // Depth first: each pass, then the passes it encloses, nearest first.
    let mut stack: Vec<Vec<usize>> = vec![roots];
    while let Some(top) = stack.last_mut() {
        if top.is_empty() {
            stack.pop();
            continue;
        }
        let here = tp
            .last()
            .map(|p| DVec2::new(p[0] as f64, p[1] as f64))
            .unwrap_or(res.area.min);
        let nearest = |q: usize| {
            passes[q]
                .line
                .iter()
                .map(|p| p.distance_squared(here))
                .fold(f64::INFINITY, f64::min)
        };
        let (pos, _) = top
            .iter()
            .map(|&q| nearest(q))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("not empty");
        let q = top.swap_remove(pos);
        if !progress(0.8 + 0.2 * done as f32 / total) {
            return Err(Cancelled);
        }
        done += 1;
        // Straight runs (flats, where the distance is linear) need only their ends.
        let line = drop_collinear(&passes[q].line, true, 0.25 * spec.tolerance);
        cut_along(
            &s,
            &mut tp,
            line,
            true,
            here,
            spec.sampling,
            spec.tolerance,
            reach,
            safe,
        );
        stack.push(passes[q].children.clone());
    }
    retract(&mut tp, safe);
    progress(1.0);
    Ok(tp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepover_of_a_scallop() {
        // R = 3, h = 0.01: 2 √(0.06 − 0.0001).
        assert!((chord(3.0, 0.01) - 2.0 * (0.0599f64).sqrt()).abs() < 1e-12);
        assert_eq!(chord(3.0, 5.0), 6.0);
        // The corner's farthest point: u = g / (1 + sin 45°), and g / (2 u) is the factor.
        let u = 1.0 / (1.0 + 0.5f64.sqrt());
        assert!((CORNER_FACTOR - 0.5 / u).abs() < 1e-15);
        assert!((stepover(3.0, 0.01) - CORNER_FACTOR * chord(3.0, 0.01)).abs() < 1e-15);
    }

    #[test]
    fn iso_lines_of_a_cone_are_circles_anticlockwise() {
        let g = HeightGrid {
            x0: -10.0,
            y0: -10.0,
            step: 0.5,
            nx: 41,
            ny: 41,
            h: vec![0.0; 41 * 41],
        };
        let f: Vec<f64> = (0..41 * 41)
            .map(|k| {
                let p = DVec2::new(-10.0 + (k % 41) as f64 * 0.5, -10.0 + (k / 41) as f64 * 0.5);
                10.0 - p.length()
            })
            .collect();
        let lines = iso_lines(&g, &f, 5.0);
        assert_eq!(lines.len(), 1);
        let l = &lines[0];
        for p in l {
            assert!((p.length() - 5.0).abs() < 0.05, "{p}");
        }
        let area: f64 = (0..l.len())
            .map(|k| l[k].perp_dot(l[(k + 1) % l.len()]))
            .sum::<f64>()
            / 2.0;
        assert!(area > 0.0 && (area - 78.54).abs() < 1.0, "{area}");
    }

    #[test]
    fn distance_along_a_slope_is_longer_than_seen_from_above() {
        // A ramp rising along X at 45°: the distance from the border, seen across X, is
        // √2 times its plan distance.
        let n = 41;
        let g = HeightGrid {
            x0: 0.0,
            y0: 0.0,
            step: 0.5,
            nx: n,
            ny: n,
            h: (0..n * n).map(|k| (k % n) as f64 * 0.5).collect(),
        };
        let d = crate::strategy::contour::pulse::silent(|p| surface_distance(&g, p)).unwrap();
        // The centre node (10, 10): 10 from every border in plan; along the surface 10
        // from the Y borders and 10 √2 from the X borders.
        let c = d[20 + 20 * n];
        assert!((c - 10.0).abs() < 1e-9, "{c}");
        // A node 2 in from the X = 0 border, mid-way in Y: 2 √2 along the slope.
        let e = d[4 + 20 * n];
        assert!((e - 2.0 * 2f64.sqrt()).abs() < 1e-9, "{e}");
    }
}

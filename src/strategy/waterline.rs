//! Waterline finishing: at each Z level, the contours where the cutter with its tip at that
//! level touches the model (see [`super::contour`] for how they are found and why they never
//! pass under an overhang).
//!
//! The contours see peaks narrower than the grid (`contours_seeing_peaks`, with the bound
//! of each cell's height sampled once beside the grid).
//!
//! Levels run from the top down. Within a level, contours are taken nearest-first from
//! where the tool is, each entered at its point nearest the tool. The link to the next
//! contour is a straight feed at the lower of the two heights when it is short (within a
//! cutter diameter) and the whole link is free at that height (within half the tolerance,
//! checked with a bound of the height over its pieces, so no needle between samples is
//! cut, see `contour::clear_link`); otherwise the tool lifts to safe height, travels, and
//! plunges. Climb milling, with the spindle turning clockwise (M3), has the material being
//! cut on the tool's right, as cutter compensation G41 does: round the model that is
//! clockwise, against the contours' own orientation (the model on their left), so climb
//! runs every contour backwards and conventional keeps them.
//!
//! Every contour point lies on the free side of the boundary, a micron from it, with the
//! model on one side all along: on the right for climb, on the left for conventional. The
//! toolpath says so ([`Wall`]), so that arc fitting only moves the path away from the
//! model. Links are [`Wall::Fixed`]: they were checked along their own line only.

use super::contour::{clear_link, contours_seeing_peaks, CellTops, Contour, Pulse};
use super::surface::Surface;
use super::zlevel::{level_grid, levels};
use super::Cancelled;
use crate::geom::DVec2;
use crate::job::{Milling, Resolved, WaterlineSpec};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath, Wall};

/// Appends contours at one level to the toolpath, ordered nearest-first from the tool.
/// `pulse` counts the links' checks and stops them when cancelled.
#[allow(clippy::too_many_arguments)]
pub fn emit_level(
    tp: &mut Toolpath,
    s: &Surface,
    mut cs: Vec<Contour>,
    z: f64,
    safe: f64,
    milling: Milling,
    link_reach: f64,
    tol: f64,
    pulse: &mut Pulse,
) -> Result<(), Cancelled> {
    let wall = if milling == Milling::Climb {
        for c in &mut cs {
            c.points.reverse();
        }
        Wall::Right
    } else {
        Wall::Left
    };
    let zf = z as f32;
    while !cs.is_empty() {
        let here = tp.last().map(|p| DVec2::new(p[0] as f64, p[1] as f64));
        // The nearest contour entry: any point of a closed one, an end of an open one.
        let (ci, pi, _) = cs
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| {
                let ends: Vec<usize> = if c.closed {
                    (0..c.points.len()).collect()
                } else {
                    vec![0]
                };
                ends.into_iter().map(move |pi| (ci, pi, c.points[pi]))
            })
            .map(|(ci, pi, p)| {
                let d = here.map_or(0.0, |h| p.distance(h));
                (ci, pi, d)
            })
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .expect("contours are not empty");
        let mut c = cs.swap_remove(ci);
        if c.closed {
            c.points.rotate_left(pi);
            let first = c.points[0];
            c.points.push(first);
        }
        let start = c.points[0];
        let linked = match tp.last() {
            Some(l) if l[2] < safe as f32 => {
                let from = DVec2::new(l[0] as f64, l[1] as f64);
                let low = z.min(l[2] as f64);
                let near = start.distance(from) <= link_reach;
                near && clear_link(s, from, start, low, tol, pulse)?
            }
            _ => false,
        };
        if !linked {
            if let Some(l) = tp.last() {
                if l[2] < safe as f32 {
                    tp.push(Move::Rapid, [l[0], l[1], safe as f32]);
                }
            }
            let top = start.as_vec2().extend(safe as f32);
            tp.push(Move::Rapid, top.to_array());
            tp.push(Move::Plunge, start.as_vec2().extend(zf).to_array());
        } else {
            tp.set_wall(Wall::Fixed);
            tp.push(Move::Feed, start.as_vec2().extend(zf).to_array());
        }
        tp.set_wall(wall);
        for p in &c.points[1..] {
            tp.push(Move::Feed, p.as_vec2().extend(zf).to_array());
        }
    }
    Ok(())
}

/// Builds the waterline toolpath. `progress` gets 0..1 and returns `false` to cancel.
pub fn generate(
    model: &Model,
    spec: &WaterlineSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let s = Surface::new(model, res);
    let top = spec.z_top.unwrap_or(res.top);
    let bottom = spec.z_bottom.unwrap_or(res.floor).max(res.floor);
    let zs = levels(spec.stepdown, top, bottom, &spec.levels);
    let mut tp = Toolpath::new();
    let cut = Levels {
        zs: &zs,
        sampling: spec.sampling,
        tolerance: spec.tolerance,
        milling: spec.milling,
    };
    cut_levels(&mut tp, &s, res, &cut, progress, &mut |_, cs, _| Ok(cs))?;
    if let Some(l) = tp.last() {
        tp.push(Move::Rapid, [l[0], l[1], res.safe_height as f32]);
    }
    progress(1.0);
    Ok(tp)
}

/// How far above a level its contours are found, per unit of height (at least 1): see
/// `cut_levels`.
pub const FLAT_LIFT: f64 = 1e-6;

/// The levels an operation cuts and how.
pub struct Levels<'z> {
    /// The Z levels, top down.
    pub zs: &'z [f64],
    /// The grid spacing the contours start from.
    pub sampling: f64,
    /// The contours follow the true boundary within this distance.
    pub tolerance: f64,
    /// Climb or conventional.
    pub milling: Milling,
}

/// Which contours of a level to cut (or which pieces of them): given the level's Z and
/// its contours, the contours to cut, material on their left. It may stop the work
/// through the pulse.
pub type Keep<'k> =
    dyn FnMut(f64, Vec<Contour>, &mut Pulse) -> Result<Vec<Contour>, Cancelled> + 'k;

/// Appends the contours of every level to `tp`, top down, each level's filtered by
/// `keep`: the grid and the bounds of its cells once, then per level the contours that see
/// peaks, kept, ordered and linked by [`emit_level`]. `progress` gets 0..1 (the grid
/// 0.3, the cells' bounds 0.2, the levels the rest) and returns `false` to cancel.
pub fn cut_levels(
    tp: &mut Toolpath,
    s: &Surface,
    res: &Resolved,
    cut: &Levels,
    progress: &mut dyn FnMut(f32) -> bool,
    keep: &mut Keep,
) -> Result<(), Cancelled> {
    let mut grid_progress = |f: f32| progress(0.3 * f);
    let grid = level_grid(s, res, cut.sampling, &mut grid_progress)?;
    let mut tops_progress = |f: f32| progress(0.3 + 0.2 * f);
    let tops = CellTops::sample(s, &grid, &mut tops_progress)?;
    let n = cut.zs.len().max(1) as f32;
    // Flats sit at round heights, and so do the levels: at a level exactly at a flat's
    // height the cutter touches the flat everywhere (its heights there are the level, or
    // the level's f32 rounding above it), and the level's boundary is found all over it
    // (a box standing on a slab: 50 m of noise at the slab's height). A millionth of the
    // height above (ten times f32's rounding there), the flat is free and the boundary is
    // only where the walls rise from it.
    for (k, z) in cut
        .zs
        .iter()
        .map(|&z| z + FLAT_LIFT * z.abs().max(1.0))
        .enumerate()
    {
        // Each level's share: the peak search reports its rows within it.
        let at = |k: usize| 0.5 + 0.5 * k as f32 / n;
        let mut pulse = Pulse::new(progress, at(k), at(k + 1));
        pulse.set(0.0)?;
        let cs = contours_seeing_peaks(s, &grid, &tops, z, cut.tolerance, &mut pulse)?;
        let cs = keep(z, cs, &mut pulse)?;
        emit_level(
            tp,
            s,
            cs,
            z,
            res.safe_height,
            cut.milling,
            2.0 * res.cutter.radius(),
            cut.tolerance,
            &mut pulse,
        )?;
    }
    Ok(())
}

//! Z-level roughing: the stock cleared layer by layer, leaving the stock to leave.
//!
//! The pieces, one file each under `rough/`:
//!
//! * [`allowance`]: the stock to leave becomes a grown cutter. A tool that keeps `a` from
//!   the model is a tool grown by `a` that does not touch it, and the drop-cutter height of
//!   the grown tool says where that is, exactly, for every shape.
//! * [`region`]: one height grid of the grown tool is sampled for the whole job (it does
//!   not depend on the layer). At a layer `z` the tool's tip may be wherever the grown
//!   tool's height is at most `z - lift`: that free region's boundary is the waterline of
//!   the grown tool ([`super::contour::contours`]), and the region to clear is it within the machining
//!   area.
//! * [`pocket`]: offset rings of the region, a stepover apart (`cavalier_contours`), or
//!   [`zigzag`] lines clipped to it plus a pass round its boundary.
//! * [`ramp`]: ramped entries into closed material.
//! * Adaptive clearing ([`super::adaptive`], `pattern: adaptive`) plans each region over a
//!   picture of the layer's material, the stock's box: nothing below the layer above has
//!   been cut, and the model lies beyond the region's reach. An open region's passes start
//!   beside the stock; a closed one's first pass follows a helix from the layer above.
//!   Entries from above land where this layer has cleared. A region with no room for a
//!   helix where its material is gets offset rings.
//!
//! This file orders and links the passes.
//!
//! # Order and entries
//!
//! Layers run from the top down; the tip goes to each layer's height, never lower, and
//! never below the floor. The stock is the model's box in XY from the floor up to `z_top`.
//!
//! A region that reaches at least a cutter radius outside the stock (the machining area's
//! margin, by default a radius, puts its edge there) is *open*: the tool goes down beside
//! the stock, outside any material, and clears from the outer ring inwards. Any other
//! region is *closed*: it is cleared from its innermost rings outwards, so every ring but
//! the first cuts one stepover of material, and the first ring is entered by a ramp. A ramp
//! starts at the previous layer's height, where the tool is in air: the region at `z` lies
//! inside the region at the layer above (the free region only grows with height), which
//! that layer cleared to the tool's full width round its boundary.
//!
//! Between passes the tool feeds straight across when the gap is short (within one and a
//! half stepovers) and the whole link keeps the stock to leave (the grown tool's height is
//! checked along it). A zigzag row whose end and the next row's start both lie on one of
//! the region's loops (as rows end on the boundary) is joined along that loop instead, the
//! shorter way round, when that is within six stepovers: the loop is where the tool centre
//! may go at this layer (the boundary pass follows it), so the link never gouges and no lift
//! is needed. Otherwise the tool lifts to safe height and enters the next pass the same way
//! as a region's first (outside the stock, or by a ramp).
//!
//! # Direction
//!
//! With the spindle turning clockwise (M3), climb milling keeps the material being cut on
//! the tool's right, as cutter compensation G41 does. Working outwards, the material is
//! beyond each ring (towards the walls): outer rings run counter-clockwise and rings round
//! islands clockwise. Working inwards the material is inside: the reverse. Conventional
//! milling reverses both. Zigzag lines alternate by nature; its boundary pass follows the
//! rule for working outwards.
//!
//! # Where a pass may move (arc fitting)
//!
//! Every ring has the region on its left in its natural orientation, so the part (what
//! lies outside the region: the model grown by the stock to leave, or the edge of the
//! area) is on its right, and on its left when the ring runs backwards. The toolpath says
//! so ([`Wall`]): a fitted arc moves ring 0 only into the region. Ring `k ≥ 1` lies at least
//! `k` stepovers `s` (less the flattening) inside the region, and the tool of radius `R`
//! reaches `R − s` past the next ring in (see [`pocket`]), so it may move either way by the
//! smaller of the two ([`Wall::Room`]) without touching the part or leaving stock
//! uncut; with `s ≥ R` there is no such room and it keeps the rule of ring 0. Zigzag lines,
//! links and the laps round a small helix are [`Wall::Fixed`]: nothing says which of their
//! sides is free.

use crate::geom::Det;
pub mod allowance;
pub mod inside;
pub mod pocket;
pub mod ramp;
pub mod region;
pub mod zigzag;

use super::contour::{contours_unrefined, HeightGrid};
use super::polyline::project;
use super::surface::Surface;
use super::zlevel::{free_link, levels};
use super::Cancelled;
use crate::geom::{DVec2, Rect};
use crate::job::{ClearPattern, Milling, Resolved, RoughSpec};
use crate::model::Model;
use crate::toolpath::{Move, Toolpath, Wall};
use region::Region;

/// One pass: a closed ring or an open line, at the layer's height.
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    /// The tool centre's path; a ring does not repeat its first point.
    pub pts: Vec<DVec2>,
    /// True for a ring, false for a line (walked there and back when ramped along).
    pub closed: bool,
    /// The side of the travel the part is on: for a ring, where the region's outside is.
    pub wall: Wall,
}

/// Everything a layer's emission needs.
struct Layer<'a> {
    /// The grown tool's surface (its heights are checked against `z - lift`).
    grown: &'a Surface<'a>,
    lift: f64,
    z: f64,
    /// The layer above (or the stock's top): the tool is in air down to it over the region.
    z_prev: f64,
    safe: f64,
    slope: f64,
    radius: f64,
    link_reach: f64,
    sampling: f64,
    /// The stock's XY box.
    stock: Rect,
}

impl Layer<'_> {
    /// At least a radius outside the stock: the tool can go down here in air.
    fn outside_stock(&self, p: DVec2) -> bool {
        let s = self.stock;
        let out = (s.min - p).max(p - s.max).max(DVec2::ZERO);
        out.length() >= self.radius * (1.0 - 1e-6)
    }
}

/// Distance from `p` to the region's boundary.
fn clearance(p: DVec2, r: &Region) -> f64 {
    std::iter::once(&r.outer)
        .chain(&r.holes)
        .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
        .map(|(a, b)| p.distance(project(p, a, b).0))
        .fold(f64::INFINITY, f64::min)
}

/// Where to enter `pass` from `here`: the pass rotated (closed) or reversed (open) so it
/// starts at its point nearest `here`, and that distance.
fn entered(pass: &Pass, here: DVec2) -> (Pass, f64) {
    if !pass.closed {
        let (a, b) = (pass.pts[0], *pass.pts.last().unwrap());
        let mut p = pass.clone();
        if here.distance(b) < here.distance(a) {
            p.pts.reverse();
        }
        let d = here.distance(p.pts[0]);
        return (p, d);
    }
    let n = pass.pts.len();
    let (mut best, mut bk, mut bq) = (f64::INFINITY, 0, pass.pts[0]);
    for k in 0..n {
        let (q, _) = project(here, pass.pts[k], pass.pts[(k + 1) % n]);
        let d = here.distance(q);
        if d < best {
            (best, bk, bq) = (d, k, q);
        }
    }
    let mut pts = Vec::with_capacity(n + 1);
    pts.push(bq);
    for k in 1..=n {
        let p = pass.pts[(bk + k) % n];
        if p.distance(bq) > 1e-4 || k < n {
            pts.push(p);
        }
    }
    pts.dedup_by(|a, b| a.distance(*b) < 1e-4);
    if pts.len() > 1 && pts[0].distance(*pts.last().unwrap()) < 1e-4 {
        pts.pop();
    }
    (
        Pass {
            pts,
            closed: true,
            wall: pass.wall,
        },
        best,
    )
}

/// A link from `from` to `to` along one of the region's loops, when both lie on the same
/// loop (a zigzag row ends on the boundary): the loop's vertices between them the shorter
/// way round, then `to`; `None` when they are on no common loop or the way is longer than
/// `max_len`. The loops are where the tool centre may go at this layer (the boundary pass
/// follows them), so such a link never gouges: zigzag rows whose ends are further apart
/// than a straight link may reach are joined at feed instead of by a lift.
fn boundary_link(region: &Region, from: DVec2, to: DVec2, max_len: f64) -> Option<Vec<DVec2>> {
    let eps = 1e-7 * (1.0 + from.abs().max_element() + to.abs().max_element());
    let on = |l: &[DVec2], p: DVec2| -> Option<(usize, f64, DVec2)> {
        let n = l.len();
        (0..n)
            .map(|k| {
                let (q, t) = project(p, l[k], l[(k + 1) % n]);
                (k, t, q, p.distance(q))
            })
            .filter(|c| c.3 <= eps)
            .min_by(|a, b| a.3.total_cmp(&b.3))
            .map(|(k, t, q, _)| (k, t, q))
    };
    for l in std::iter::once(&region.outer).chain(&region.holes) {
        let n = l.len();
        if n < 3 {
            continue;
        }
        let (Some((ka, ta, qa)), Some((kb, tb, qb))) = (on(l, from), on(l, to)) else {
            continue;
        };
        // Forward: along the loop's order from `from` to `to`; backward: against it.
        let mut fwd = Vec::new();
        if !(ka == kb && tb >= ta) {
            let mut k = (ka + 1) % n;
            loop {
                fwd.push(l[k]);
                if k == kb {
                    break;
                }
                k = (k + 1) % n;
            }
        }
        fwd.push(qb);
        let mut back = Vec::new();
        if !(ka == kb && tb <= ta) {
            let mut k = ka;
            loop {
                back.push(l[k]);
                if k == (kb + 1) % n {
                    break;
                }
                k = (k + n - 1) % n;
            }
        }
        back.push(qb);
        let len = |v: &[DVec2]| {
            let mut at = qa;
            v.iter()
                .map(|&p| {
                    let d = at.distance(p);
                    at = p;
                    d
                })
                .sum::<f64>()
        };
        let (path, d) = if len(&fwd) <= len(&back) {
            let d = len(&fwd);
            (fwd, d)
        } else {
            let d = len(&back);
            (back, d)
        };
        return (d <= max_len).then_some(path);
    }
    None
}

fn push(tp: &mut Toolpath, kind: Move, p: DVec2, z: f64) {
    tp.push(kind, [p.x as f32, p.y as f32, z as f32]);
}

fn retract(tp: &mut Toolpath, safe: f64) {
    if let Some(l) = tp.last() {
        if l[2] < safe as f32 {
            tp.push(Move::Rapid, [l[0], l[1], safe as f32]);
        }
    }
}

/// Cuts `pass` at the layer, entering it by `how`: linked (the tool is at its start
/// already), plunged beside the stock, or ramped. Returns false when the pass had to be
/// skipped (closed material with no room to ramp).
fn cut(tp: &mut Toolpath, l: &Layer, region: &Region, pass: &Pass, linked: bool) -> bool {
    let start = pass.pts[0];
    // The loop the cut follows, starting at `start`; open passes are walked there and back.
    let lap: Vec<DVec2> = if pass.closed {
        pass.pts.clone()
    } else {
        let mut v = pass.pts.clone();
        v.extend(pass.pts[1..pass.pts.len() - 1].iter().rev());
        v
    };
    let walk = ramp::Walk::new(&lap);
    let mut from = 0.0;
    if !linked {
        let plunge_ok = l.outside_stock(start);
        // The ramp loop: the pass itself when long enough, else a small helix inside the
        // region round the start, else nothing (skip).
        let helix;
        let ramp_pts: Option<&[DVec2]> = if plunge_ok {
            None
        } else if walk.perimeter() >= l.radius {
            Some(&lap)
        } else {
            let room = clearance(start, region).min(l.radius);
            // A helix narrower than a quarter of the radius is a plunge in all but name:
            // leave that spot for the finishing pass rather than drill into solid stock.
            if 0.45 * room < 0.25 * l.radius {
                return false;
            }
            helix = ramp::helix_loop(start, 0.45 * room, true);
            Some(&helix)
        };
        down_in_air(tp, l, start, if plunge_ok { l.z } else { l.z_prev });
        if let Some(rp) = ramp_pts {
            let along_lap = std::ptr::eq(rp.as_ptr(), lap.as_ptr());
            // The ramp's end may run level along the pass, or round the helix.
            tp.set_wall(if along_lap { pass.wall } else { Wall::Fixed });
            let (down, run) = ramp::descend(rp, l.z_prev, l.z, l.slope);
            for p in &down {
                push(tp, Move::Feed, p.truncate(), p.z);
            }
            if along_lap {
                from = run;
            } else {
                // Round the helix back to its start (the pass's start) at full depth.
                let hw = ramp::Walk::new(rp);
                let mut back = Vec::new();
                let end = (run / hw.perimeter()).ceil().max(1.0) * hw.perimeter();
                hw.span(run, end, &mut back);
                for (p, _) in back {
                    push(tp, Move::Feed, p, l.z);
                }
            }
        }
    }
    // The pass at full depth: a whole lap of a ring from where the ramp left off; an open
    // pass back to its start first if a ramp walked it, then to its end.
    let mut pts = Vec::new();
    if pass.closed {
        walk.span(from, from + walk.perimeter(), &mut pts);
    } else {
        if from > 0.0 {
            let p = walk.perimeter();
            let back_to_start = (from / p).ceil() * p;
            walk.span(from, back_to_start, &mut pts);
        }
        pts.extend(pass.pts[1..].iter().map(|&p| (p, 0.0)));
    }
    tp.set_wall(pass.wall);
    for (p, _) in pts {
        push(tp, Move::Feed, p, l.z);
    }
    true
}

/// Emits one region's passes, stage by stage (nearest-first within a stage).
fn emit_region(
    tp: &mut Toolpath,
    l: &Layer,
    region: &Region,
    stages: Vec<Vec<Pass>>,
    open_entry: bool,
) {
    let mut first = true;
    for mut stage in stages {
        while !stage.is_empty() {
            let here = tp
                .last()
                .map(|p| DVec2::new(p[0] as f64, p[1] as f64))
                .unwrap_or(stage[0].pts[0]);
            let at_layer = tp.last().is_some_and(|p| (p[2] as f64 - l.z).abs() < 1e-4);
            // Open region: start ring 0 at a point beside the stock.
            if first && open_entry {
                first = false;
                let ring = &stage[0];
                let best = ring
                    .pts
                    .iter()
                    .enumerate()
                    .filter(|(_, &p)| l.outside_stock(p))
                    .min_by(|a, b| a.1.distance(here).total_cmp(&b.1.distance(here)));
                if let Some((k, _)) = best {
                    let mut p = stage.swap_remove(0);
                    p.pts.rotate_left(k);
                    cut(tp, l, region, &p, false);
                    continue;
                }
            }
            first = false;
            let (k, pass, d) = stage
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let (e, d) = entered(p, here);
                    (k, e, d)
                })
                .min_by(|a, b| a.2.total_cmp(&b.2))
                .expect("stage is not empty");
            stage.swap_remove(k);
            let linked = at_layer
                && d <= l.link_reach
                && free_link(l.grown, here, pass.pts[0], l.z - l.lift, l.sampling);
            if linked {
                tp.set_wall(Wall::Fixed);
                push(tp, Move::Feed, pass.pts[0], l.z);
                cut(tp, l, region, &pass, true);
                continue;
            }
            let along = if at_layer && !pass.closed {
                boundary_link(region, here, pass.pts[0], 4.0 * l.link_reach)
            } else {
                None
            };
            let via_boundary = along.is_some();
            if let Some(path) = along {
                tp.set_wall(Wall::Fixed);
                for p in path {
                    push(tp, Move::Feed, p, l.z);
                }
            }
            cut(tp, l, region, &pass, via_boundary);
        }
    }
}

/// Up, across to `p`, and down to `air`, where the tool is in air: the layer beside the
/// stock or over area it has cleared, or the layer above over this layer's region (a ramp
/// or helix starts there). Rapid to half a stepdown above, then plunge.
fn down_in_air(tp: &mut Toolpath, l: &Layer, p: DVec2, air: f64) {
    retract(tp, l.safe);
    push(tp, Move::Rapid, p, l.safe);
    let above = (air + 0.5 * (l.z_prev - l.z).max(0.0)).min(l.safe);
    if above < l.safe {
        push(tp, Move::Rapid, p, above);
    }
    push(tp, Move::Plunge, p, air);
}

/// Clears one region adaptively (see [`super::adaptive`]): the engagement never wider than
/// the stepover. The picture of the layer's material is the stock's box: nothing below the
/// layer above has been cut yet, and the model lies beyond the region's reach. An open
/// region is entered beside the stock; a closed one by a helix from the layer above, where
/// the tool is in air (the region lies inside the one the layer above cleared). Returns
/// false when the region has no room for a helix where its material is (the caller clears
/// it with offset rings instead).
fn emit_adaptive(
    tp: &mut Toolpath,
    l: &Layer,
    region: &Region,
    spec: &RoughSpec,
    step: f64,
    open: bool,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<bool, Cancelled> {
    use super::adaptive::{self, Entry as A, Refusal};
    let climb = spec.milling == Milling::Climb;
    let loops: Vec<Vec<DVec2>> = std::iter::once(&region.outer)
        .chain(&region.holes)
        .cloned()
        .collect();
    let here = tp
        .last()
        .map(|p| DVec2::new(p[0] as f64, p[1] as f64))
        .unwrap_or(region.outer[0]);
    // An open region's passes start at its boundary's point beside the stock nearest the
    // tool; a closed one has no clear spot to start from (its first pass is a helix).
    let start = if open {
        region
            .outer
            .iter()
            .copied()
            .filter(|&p| l.outside_stock(p))
            .min_by(|a, b| a.distance(here).total_cmp(&b.distance(here)))
    } else {
        None
    };
    let set = adaptive::Settings {
        radius: l.radius,
        width: step,
        climb,
    };
    let s = l.stock;
    let material = |p: DVec2| p.x >= s.min.x && p.x <= s.max.x && p.y >= s.min.y && p.y <= s.max.y;
    let passes = match adaptive::plan(
        &loops,
        &material,
        &set,
        start.unwrap_or(here),
        start.is_some(),
        progress,
    ) {
        Ok(p) => p,
        Err(Refusal::NoRoom) => return Ok(false),
        Err(Refusal::Cancelled) => return Err(Cancelled),
    };
    let wall = if climb { Wall::Right } else { Wall::Left };
    // The tool is at this layer inside the region (it has cut here).
    let mut inside = false;
    for p in passes {
        let Some(&p0) = p.pts.first() else {
            continue;
        };
        match p.entry {
            A::Linked if inside => {
                tp.set_wall(Wall::Fixed);
                push(tp, Move::Feed, p0, l.z);
            }
            // The first pass from an open region's start (beside the stock), or a spot
            // clear at this layer: in air from above.
            A::Linked | A::Above => down_in_air(tp, l, p0, l.z),
            A::Helix { centre, radius } => {
                down_in_air(tp, l, p0, l.z_prev);
                tp.set_wall(Wall::Fixed);
                ramp::helix(tp, p0, centre, radius, climb, l.slope, l.z_prev, l.z);
            }
        }
        inside = true;
        tp.set_wall(if p.wall { wall } else { Wall::Fixed });
        for &q in &p.pts[1..] {
            push(tp, Move::Feed, q, l.z);
        }
    }
    Ok(true)
}

/// The passes of one region as ordered stages, and whether it is entered from outside.
fn plan(region: &Region, spec: &RoughSpec, step: f64, radius: f64, open: bool) -> Vec<Vec<Pass>> {
    let climb = spec.milling == Milling::Climb;
    let flat_tol = 0.25 * spec.tolerance;
    // Natural orientation (outer counter-clockwise, islands clockwise) is climb when
    // working outwards; see the module doc.
    let oriented = |pts: &[DVec2], inwards: bool| {
        let mut v = pts.to_vec();
        let backwards = inwards == climb;
        if backwards {
            v.reverse();
        }
        Pass {
            pts: v,
            closed: true,
            wall: if backwards { Wall::Left } else { Wall::Right },
        }
    };
    match spec.pattern {
        // Adaptive falls back to offset rings where it has no room for a helix.
        ClearPattern::Offset | ClearPattern::Adaptive => {
            // How far ring `k` may move either way (see the module doc): each level keeps
            // a stepover less `slack` from the one before (`pocket::rings`).
            let slack = 2.0 * flat_tol + 1e-6 * step;
            let room = |k: usize| (k as f64 * (step - slack)).min(radius - step - slack);
            let mut lv: Vec<Vec<Pass>> = pocket::rings(region, step, radius, flat_tol)
                .into_iter()
                .enumerate()
                .map(|(k, rings)| {
                    rings
                        .iter()
                        .map(|r| {
                            let mut p = oriented(&r.pts, open);
                            if k > 0 && room(k) > 0.0 {
                                p.wall = Wall::Room(room(k) as f32);
                            }
                            p
                        })
                        .collect()
                })
                .collect();
            if !open {
                lv.reverse();
            }
            lv
        }
        ClearPattern::Zigzag => {
            let fill = zigzag::lines(region, step)
                .into_iter()
                .map(|s| Pass {
                    pts: s.to_vec(),
                    closed: false,
                    wall: Wall::Fixed,
                })
                .collect();
            let boundary = std::iter::once(&region.outer)
                .chain(&region.holes)
                .map(|l| oriented(l, false))
                .collect();
            if open {
                // Enter on the boundary beside the stock, then fill.
                vec![boundary, fill]
            } else {
                vec![fill, boundary]
            }
        }
    }
}

/// Builds the roughing toolpath. `progress` gets 0..1 and returns `false` to cancel.
pub fn generate(
    model: &Model,
    spec: &RoughSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let radial = spec.stock_to_leave;
    let axial = spec.stock_to_leave_z.unwrap_or(radial);
    // Grown by the stock to leave, then widened so no blocked spot hides between grid nodes.
    let al = allowance::widen(
        allowance::inflate(&res.cutter, radial, axial),
        spec.sampling * std::f64::consts::FRAC_1_SQRT_2 * (1.0 + 1e-9),
    );
    let grown = Surface {
        model,
        cutter: &al.cutter,
        floor: res.floor - al.lift,
    };
    let top = spec.top(res.stock.top());
    let bottom = spec.z_bottom.unwrap_or(res.floor).max(res.floor);
    let zs = levels(spec.stepdown, top, bottom, &[]);
    // The stock's XY box: entries go down in air only a radius outside it.
    let stock = res.stock.rect();
    let r0 = res.cutter.radius();
    let area = spec.machined_area(res.area, stock, res.bounded, r0);
    let mut tp = Toolpath::new();
    if zs.is_empty() {
        progress(1.0);
        return Ok(tp);
    }
    let grid_area = spec.sampled_area(res.area, stock, res.bounded, r0);
    let mut grid_progress = |f: f32| progress(0.5 * f);
    let grid = HeightGrid::sample(&grown, grid_area, spec.sampling, &mut grid_progress)?;
    let grid = region::framed(&grid, grown.floor - 1.0);
    let radius = res.cutter.radius();
    let step = spec.stepover_ratio * 2.0 * radius;
    let mut z_prev = top;
    for (k, &z) in zs.iter().enumerate() {
        if !progress(0.5 + 0.5 * k as f32 / zs.len() as f32) {
            return Err(Cancelled);
        }
        let loops = contours_unrefined(&grown, &grid, z - al.lift, spec.tolerance);
        let regions = region::free_regions(&loops, area, spec.tolerance * spec.tolerance);
        let layer = Layer {
            grown: &grown,
            lift: al.lift,
            z,
            z_prev,
            safe: res.safe_height,
            slope: spec.ramp_angle.to_radians().dtan(),
            radius,
            link_reach: 1.5 * step,
            sampling: spec.sampling.min(0.25 * radius),
            stock,
        };
        let mut todo: Vec<Region> = regions;
        while !todo.is_empty() {
            // Nearest region first.
            let here = tp.last().map(|p| DVec2::new(p[0] as f64, p[1] as f64));
            let k = here.map_or(0, |h| {
                (0..todo.len())
                    .min_by(|&a, &b| {
                        let da = todo[a]
                            .outer
                            .iter()
                            .map(|&p| h.distance(p))
                            .fold(f64::INFINITY, f64::min);
                        let db = todo[b]
                            .outer
                            .iter()
                            .map(|&p| h.distance(p))
                            .fold(f64::INFINITY, f64::min);
                        da.total_cmp(&db)
                    })
                    .unwrap_or(0)
            });
            let r = todo.swap_remove(k);
            let open = r.outer.iter().any(|&p| layer.outside_stock(p));
            if spec.pattern == ClearPattern::Adaptive {
                let (k, n) = (k as f32, zs.len() as f32);
                let mut sub = |f: f32| progress(0.5 + 0.5 * (k + f) / n);
                if emit_adaptive(&mut tp, &layer, &r, spec, step, open, &mut sub)? {
                    continue;
                }
            }
            let stages = plan(&r, spec, step, radius, open);
            emit_region(&mut tp, &layer, &r, stages, open);
        }
        z_prev = z;
    }
    retract(&mut tp, res.safe_height);
    progress(1.0);
    Ok(tp)
}

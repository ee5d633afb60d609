//! Adaptive clearing: the tool's engagement held under a set width everywhere, corners
//! included, by steering each step from a picture of the material left.
//!
//! ## The picture
//! A level is a grid of square cells ([`area::Grid`]) of side `h` (an eighth of the width,
//! at most a twelfth of the radius `R`). Where the caller says there is material, a cell is
//! *solid* when a tool centre in the region `P` can cover all of it (its centre within
//! `R − h/√2` of `P`), *fringe* when it can only touch it (within `R + h/√2`), and out of
//! reach otherwise. The tool at `q` takes the solid cells it covers and the fringe cells it
//! touches: so a cell counts as removed only once it surely is, and everything the tool
//! really cuts at the edge of its reach is counted.
//!
//! ## Engagement
//! The engagement over some travel is the area removed over its length: the radial width
//! of a straight side cut removing material at the same rate (width `w` is the angle
//! `acos(1 − w/R)`). It is averaged over windows of `R/4` of travel, as
//! [`sim::engagement`](crate::sim::engagement) measures it independently on a finer grid.
//! The planner keeps every step, and every window of its own travel (links at feed
//! included; an entry from above or a helix starts the window again), within 0.65 of the
//! limit by its cell count, the margin being its counting's error against the fine grid.
//!
//! ## Steering
//! A pass starts where the tool is clear of material but next to it, heading along the
//! material's edge with the material on its right for climb milling (left for
//! conventional). Each step of length `L = R/10` tries headings from 90° towards the
//! material to 150° away from it, in 15° steps; the first within the engagement after one
//! that takes too much is the edge of the engagement, found more closely by four
//! bisections. A step must also keep at least half of what it takes on the milling's side
//! (no head-on cuts, no cuts the wrong way). When no heading reaches the target it takes
//! the one that removes most. A step that would cross `P`'s edge slides along it (into a
//! corner, a micron short of the next edge). So the tool hugs the material at the set
//! engagement, turns away where a straight step would take more (in a corner), follows the
//! walls, and curls round where the material bends away. A pass ends when the tool has
//! moved a radius without removing anything, or no heading is allowed.
//!
//! Once three passes in a row take less than twenty steps' worth (the crescents a spiral
//! leaves against the walls, which the milling direction can only shave from their thin
//! ends), the rest is cut either way, still within the engagement.
//!
//! ## Entries and links
//! The next pass starts at the *frontier* cell (clear of material, within a cell and a
//! half of it, inside `P`) nearest the tool through the cleared area (a breadth-first walk
//! over clear cells), and the link follows that walk, straightened where a straight line
//! stays clear and inside `P`: at feed, at the level. A pass that ended against material
//! (its own cell is never clear) first backs along its own track, at most four radii, to
//! the first clear cell, and walks from there. A frontier that cannot be reached
//! that way is entered from above (the spot is clear at this level). A pass that takes
//! less than a step's worth is undone and its start never used again. Where there is no
//! frontier but material is left, the tool enters by a helix, the one place it takes the
//! full width: at the point of `P` deepest from its edge, of radius at most `R`; it clears
//! the disk of radius `R + ρ`. A region with material farther than a radius from its edge
//! but no room for a helix of `R/4` is refused ([`Refusal::NoRoom`]): the caller cuts it
//! another way.
//!
//! ## Corners and the wall
//! At each sharp corner of `P` the tool stabs along the bisector, each stab half a cell
//! closer than the last (or less, to keep within a window's engagement) and backing out a
//! window's length between: the last of the material round a corner can only be reached
//! from the corner itself, which a pass sliding into it would take at once. Last, a ring
//! round each loop of `P` (the wall: the stock to leave is exact there), with the part on
//! its right for climb. The ring stops where a window of it would take more than the
//! limit (a spike of `P`, where the tool can only go straight in) and goes on from the first
//! clear point beyond: that material is left for a smaller tool.

pub mod area;

use super::Cancelled;
use crate::geom::{DVec2, Det};
use area::{Edges, Grid};
use std::collections::VecDeque;
use std::rc::Rc;

/// What the planner needs to know.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The cutter's radius.
    pub radius: f64,
    /// The largest engagement, as a radial width.
    pub width: f64,
    /// Climb milling: material on the tool's right.
    pub climb: bool,
}

/// How a pass is entered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Entry {
    /// A helix round `centre` of `radius`, ending at the pass's first point.
    Helix { centre: DVec2, radius: f64 },
    /// A feed from where the tool is to the pass's first point, and along the pass's
    /// points; the first ones are the link through cleared area at the level.
    Linked,
    /// From above, straight down: the first point is clear at this level.
    Above,
}

/// One pass: its entry, then the tool centre's path at the level.
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    pub entry: Entry,
    pub pts: Vec<DVec2>,
    /// The part is on the pass's right (for climb), its left otherwise; `false` for
    /// adaptive passes, whose sides are both free of the part or both being cut.
    pub wall: bool,
}

/// One step of a pass: to `end`, by way of `via` where it slid along the region's edge.
#[derive(Clone, Copy, Debug)]
struct Step {
    end: DVec2,
    via: Option<DVec2>,
    len: f64,
}

impl Step {
    /// The cells the step may take, `target` being for a full step of length `l`.
    fn target(&self, target: f64, l: f64) -> f64 {
        target * self.len / l
    }
}

/// A step and the material cells it takes, in all and on the wrong side of its travel.
#[derive(Clone, Copy, Debug)]
struct Take {
    step: Step,
    n: usize,
    wrong: usize,
}

impl Take {
    /// Within the target, and with the material on the side the milling wants (at most a
    /// quarter on the other: a step does not cut head-on or the wrong way).
    fn fits(&self, target: f64, l: f64, relaxed: bool) -> bool {
        self.n as f64 <= self.step.target(target, l) && (relaxed || 2 * self.wrong <= self.n)
    }
}

/// Why a region was not planned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Refusal {
    /// No helix of a quarter of the radius fits where material is left.
    NoRoom,
    Cancelled,
}

impl From<Cancelled> for Refusal {
    fn from(_: Cancelled) -> Refusal {
        Refusal::Cancelled
    }
}

/// A cell with nothing to cut.
const CLEAR: u8 = 0;
/// A cell the tool can cover whole: removed when it does.
const SOLID: u8 = 1;
/// A cell at the edge of the tool's reach, which it can only touch: removed (and counted
/// as taken) when it does.
const FRINGE: u8 = 2;

/// The share of the largest width the planner aims for: its cell count is an estimate.
const AIM: f64 = 0.65;
/// How far, in radii, a tool that ended a pass against material backs along its track to
/// reach cleared area before it is lifted instead.
const RETREAT: f64 = 4.0;
/// The most cells a level's picture may have.
const MAX_CELLS: usize = 16_000_000;

/// Plans adaptive passes over the region `loops` (outer loops counter-clockwise, holes
/// clockwise: where the tool centre may go), removing the material `is_material` says is
/// there (tested at cell centres within reach). `start` is where the tool is; when
/// `open`, it is a point of the region's edge the tool can reach from above in air (at
/// least a radius from the material: an open region) and the first pass starts there,
/// with no helix.
pub fn plan(
    loops: &[Vec<DVec2>],
    is_material: &dyn Fn(DVec2) -> bool,
    set: &Settings,
    start: DVec2,
    open: bool,
    cancel: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<Pass>, Refusal> {
    let r = set.radius;
    let (mut min, mut max) = (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY));
    for p in loops.iter().flatten() {
        min = min.min(*p);
        max = max.max(*p);
    }
    if !(min.x <= max.x && min.y <= max.y) {
        return Ok(Vec::new());
    }
    let (min, max) = (min - DVec2::splat(r), max + DVec2::splat(r));
    let mut h = (set.width / 8.0).min(r / 12.0);
    let extent = max - min;
    while (extent.x / h + 2.0) * (extent.y / h + 2.0) > MAX_CELLS as f64 {
        h *= 1.25;
    }
    let g = Grid::covering(min, max, h);
    let edges = Edges::new(loops, min, max, (4.0 * h).max(r / 2.0));
    let inside = area::rasterize(&g, loops);
    let reach = area::distance_sq(&g, |k| inside[k]);
    // A cell is removed when the tool covers all of it, touched when it covers any.
    let cut_r = r - h * std::f64::consts::FRAC_1_SQRT_2;
    let rc = cut_r / h;
    let touch_r = r + h * std::f64::consts::FRAC_1_SQRT_2;
    let rt = touch_r / h;
    let material: Vec<u8> = (0..g.len())
        .map(|k| {
            let d2 = reach[k] as f64;
            if d2 > rt * rt || !is_material(g.centre(k)) {
                CLEAR
            } else if d2 <= rc * rc {
                SOLID
            } else {
                FRINGE
            }
        })
        .collect();
    let depth = area::distance_sq(&g, |k| !inside[k]);
    let mut p = Planner {
        g,
        edges,
        inside,
        material,
        depth,
        dead: vec![false; g.len()],
        set: *set,
        h,
        step: r / 10.0,
        left: 0,
        stalls: 0,
        cut_r,
        worth: AIM * set.width * (r / 10.0) / (h * h),
        journal: None,
        version: 0,
        near: None,
        relaxed: false,
        recent: VecDeque::new(),
        window: r / 4.0,
    };
    p.left = p.material.iter().filter(|&&m| m != CLEAR).count();
    let total = p.left.max(1);
    let mut passes = Vec::new();
    let mut here = start;
    // The open start's cell is a radius from the material, not the radius and a half-cell
    // `next_entry` asks of a frontier: so it is offered once here.
    let mut open_start = open;
    let mut short = 0;
    loop {
        if !cancel(1.0 - p.left as f32 / total as f32) {
            return Err(Refusal::Cancelled);
        }
        if p.left == 0 {
            break;
        }
        let next = if std::mem::take(&mut open_start) {
            Some((Entry::Above, vec![start], p.heading(start)))
        } else {
            let track = passes.last().map_or(&[][..], |p: &Pass| &p.pts[..]);
            p.next_entry(here, track)?
        };
        let Some((entry, mut pts, heading)) = next else {
            if !p.relaxed {
                // What the passes that keep to the milling direction left: cut it either
                // way, still within the engagement.
                p.relaxed = true;
                p.dead.fill(false);
                continue;
            }
            break;
        };
        let first = *pts.last().expect("an entry has a point");
        let recent = p.recent.clone();
        if entry == Entry::Linked {
            let len: f64 = pts.windows(2).map(|w| w[0].distance(w[1])).sum();
            p.travel(len, 0);
        } else {
            // The tool leaves the cut and comes back: the measure starts again.
            p.recent.clear();
        }
        p.journal = Some(Vec::new());
        let version = p.version;
        let cut = p.pass(first, heading, &mut pts, &mut *cancel, total)?;
        let journal = p.journal.take().unwrap_or_default();
        let helix = matches!(entry, Entry::Helix { .. });
        let worth = if p.relaxed { 1.0 } else { p.worth };
        if !helix && (cut as f64) < worth {
            // Less than a step's worth: a sliver the wall ring takes (or nothing at all
            // within the engagement). Put it back and never start within a step of here
            // again.
            for (k, was) in journal {
                p.material[k as usize] = was;
            }
            // The picture is as it was: so is its distance transform.
            p.version = version;
            p.recent = recent;
            p.left += cut;
            // Nothing to take from here within the engagement: never start within a step
            // of here again.
            let nx = p.g.nx;
            let dead = &mut p.dead;
            p.g.disk_rows(first, p.step, |j, i0, i1| {
                dead[j * nx + i0..=j * nx + i1].fill(true);
            });
            p.dead[p.g.cell(first)] = true;
            p.stalls += 1;
            continue;
        }
        // Passes that keep to the milling direction are down to slivers (the crescents
        // against the walls, shaved from their thin ends): cut the rest either way.
        if !p.relaxed && !helix && (cut as f64) < 20.0 * p.worth {
            short += 1;
            if short >= 3 {
                p.relaxed = true;
                p.dead.fill(false);
            }
        } else {
            short = 0;
        }
        here = *pts.last().expect("a pass has points");
        passes.push(Pass {
            entry,
            pts,
            wall: false,
        });
    }
    p.corners(loops, &mut here, &mut passes);
    p.walls(loops, &mut here, &mut passes);
    Ok(passes)
}

struct Planner {
    g: Grid,
    edges: Edges,
    /// Cell centre inside the region.
    inside: Vec<bool>,
    /// Per cell: [`CLEAR`], [`SOLID`] or [`FRINGE`].
    material: Vec<u8>,
    /// Squared distance in cells to the nearest cell outside the region.
    depth: Vec<f32>,
    /// Frontier cells a pass started from without removing anything.
    dead: Vec<bool>,
    set: Settings,
    h: f64,
    step: f64,
    /// Material cells left.
    left: usize,
    /// Passes that took nothing.
    stalls: usize,
    /// The radius within which the tool covers a whole cell.
    cut_r: f64,
    /// The cells a pass must take to be kept: one step at the target engagement.
    worth: f64,
    /// The cells cleared since the journal was started, with what they were.
    journal: Option<Vec<(u32, u8)>>,
    /// Counts the changes to `material` (a pass that is undone puts it back).
    version: u64,
    /// The material's distance transform and the `version` it is of.
    near: Option<(u64, Rc<Vec<f32>>)>,
    /// Cutting against the milling direction is allowed (the clean-up after the passes
    /// that keep to it).
    relaxed: bool,
    /// The travel just made, as (length, cells taken), back to a window's length.
    recent: VecDeque<(f64, usize)>,
    /// The length over which engagement is averaged: a quarter of the radius.
    window: f64,
}

impl Planner {
    /// Calls `f(cell)` for every cell the tool at `q` (grown by `extra`) takes: solid cells
    /// it covers, fringe cells it touches.
    fn each_taken(&self, q: DVec2, extra: f64, mut f: impl FnMut(usize, DVec2)) {
        let g = self.g;
        let (cut, touch) = (
            self.cut_r + extra,
            self.cut_r + extra + 2.0 * self.h * std::f64::consts::FRAC_1_SQRT_2,
        );
        let cut2 = cut * cut;
        g.disk_rows(q, touch, |j, i0, i1| {
            let row = j * g.nx;
            let dy = g.o.y + j as f64 * g.h - q.y;
            for i in i0..=i1 {
                let m = self.material[row + i];
                if m == CLEAR {
                    continue;
                }
                let d = DVec2::new(g.o.x + i as f64 * g.h - q.x, dy);
                if m == FRINGE || d.length_squared() <= cut2 {
                    f(row + i, d);
                }
            }
        });
    }

    /// The material cells the tool at `q` would remove (not removing them).
    fn count(&self, q: DVec2) -> usize {
        let mut n = 0;
        self.each_taken(q, 0.0, |_, _| n += 1);
        n
    }

    /// The material cells the tool arriving at `q` along `v` would remove, and how many of
    /// them lie on the wrong side of its travel for the milling (the left for climb).
    fn count_sides(&self, q: DVec2, v: DVec2) -> (usize, usize) {
        let (mut n, mut wrong) = (0, 0);
        let sgn = if self.set.climb { 1.0 } else { -1.0 };
        self.each_taken(q, 0.0, |_, d| {
            n += 1;
            if sgn * v.perp_dot(d) > 0.0 {
                wrong += 1;
            }
        });
        (n, wrong)
    }

    /// Removes what the tool at `q`, grown by `extra`, takes; the number of cells.
    fn clear(&mut self, q: DVec2, extra: f64) -> usize {
        let mut taken = Vec::new();
        self.each_taken(q, extra, |k, _| taken.push(k));
        for &k in &taken {
            if let Some(l) = self.journal.as_mut() {
                l.push((k as u32, self.material[k]));
            }
            self.material[k] = CLEAR;
        }
        if !taken.is_empty() {
            self.version += 1;
        }
        self.left -= taken.len();
        taken.len()
    }

    /// The tool centre may move straight from `a` to `b`.
    fn allowed(&self, a: DVec2, b: DVec2) -> bool {
        self.edges.inside(b) && !self.edges.crosses(a, b)
    }

    /// The step from `p` towards `q`, slid along the region's edge where it would cross
    /// it; `None` when it gets nowhere.
    fn slide(&self, p: DVec2, q: DVec2) -> Option<Step> {
        let Some((t, c, d)) = self.edges.first_crossing(p, q) else {
            return self.edges.inside(q).then_some(Step {
                end: q,
                via: None,
                len: p.distance(q),
            });
        };
        let len = p.distance(q);
        // Stop a micron short of the edge, then along it by what is left of the step.
        let x = p + (q - p) * ((t * len - 1e-6).max(0.0) / len);
        let along = (d - c).normalize_or_zero();
        let mut inward = along.perp();
        if inward.dot(p - c) < 0.0 {
            inward = -inward;
        }
        let rest = (q - x).dot(along);
        let mut y = x + along * rest + inward * 1e-6;
        if let Some((t2, _, _)) = self.edges.first_crossing(x, y) {
            // Into a corner: as far as the next edge, a micron short.
            let l2 = x.distance(y);
            y = x + (y - x) * ((t2 * l2 - 1e-6).max(0.0) / l2);
        }
        let slid = (x.distance(y) > 1e-3 * len && self.allowed(x, y)).then_some(Step {
            end: y,
            via: Some(x),
            len: p.distance(x) + x.distance(y),
        });
        slid.or_else(|| {
            (p.distance(x) > 0.25 * len).then_some(Step {
                end: x,
                via: None,
                len: p.distance(x),
            })
        })
    }

    /// The step towards `q` and what it takes.
    fn take(&self, p: DVec2, q: DVec2) -> Option<Take> {
        let step = self.slide(p, q)?;
        let v = step.end - step.via.unwrap_or(p);
        let (n, wrong) = self.count_sides(step.end, v);
        Some(Take { step, n, wrong })
    }

    /// One pass from `p` heading `u`, appending its points to `pts`; the cells removed.
    fn pass(
        &mut self,
        mut p: DVec2,
        mut u: DVec2,
        pts: &mut Vec<DVec2>,
        cancel: &mut dyn FnMut(f32) -> bool,
        total_cells: usize,
    ) -> Result<usize, Refusal> {
        let (l, r) = (self.step, self.cut_r);
        let target = AIM * self.set.width * l / (self.h * self.h);
        // Turning towards the material: clockwise for climb (it is on the right).
        let sgn = if self.set.climb { -1.0 } else { 1.0 };
        // (Det's sine and cosine: the page and the CLI must compute the same bits.)
        let dir = |u: DVec2, beta: f64| {
            let (sn, cs) = (sgn * beta.to_radians()).dsin_cos();
            DVec2::new(cs, sn).rotate(u)
        };
        let mut idle = 0.0;
        let mut total = 0;
        let mut last_cut = pts.len();
        let mut recent_at_cut = self.recent.clone();
        let max_steps = 4 * (self.left + 16) + 1000;
        let fan: Vec<f64> = (0..=16).map(|k| 90.0 - 15.0 * k as f64).collect();
        for step in 0..max_steps {
            if step % 256 == 255 && !cancel(1.0 - self.left as f32 / total_cells as f32) {
                return Err(Refusal::Cancelled);
            }
            // Each heading of the fan, from towards the material to away from it: the
            // cells it would take, or `None` where the region does not allow it; counted
            // when first asked for (the edge is usually found a few headings in).
            let mut takes: Vec<Option<Option<Take>>> = vec![None; fan.len()];
            let mut take =
                |k: usize| *takes[k].get_or_insert_with(|| self.take(p, p + dir(u, fan[k]) * l));
            let relaxed = self.relaxed;
            let fits = |t: Option<Take>| {
                t.is_some_and(|t| t.fits(target, l, relaxed) && self.in_window(&t))
            };
            let over = |t: Option<Take>| t.is_some_and(|t| t.n as f64 > t.step.target(target, l));
            // The first heading within the target after one that takes too much: the
            // edge of the engagement, found more closely by bisection.
            let edge = (1..fan.len()).find(|&k| fits(take(k)) && over(take(k - 1)));
            let beta = if let Some(k) = edge {
                let (mut lo, mut hi) = (fan[k], fan[k - 1]);
                for _ in 0..4 {
                    let mid = 0.5 * (lo + hi);
                    let ok = fits(self.take(p, p + dir(u, mid) * l));
                    if ok {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                lo
            } else {
                // Nowhere near the target: the heading that takes most, the straightest
                // of those.
                let all: Vec<Option<Take>> = (0..fan.len()).map(&mut take).collect();
                let n = |k: usize| all[k].map_or(0, |t| t.n);
                let best = (0..fan.len())
                    .filter(|&k| fits(all[k]))
                    .max_by(|&a, &b| n(a).cmp(&n(b)).then(fan[b].abs().total_cmp(&fan[a].abs())));
                match best {
                    Some(k) => fan[k],
                    None => break,
                }
            };
            let Some(s) = self.slide(p, p + dir(u, beta) * l) else {
                break;
            };
            let mut n = 0;
            if let Some(x) = s.via {
                n += self.clear(x, 0.0);
                pts.push(x);
            }
            n += self.clear(s.end, 0.0);
            let q = s.end;
            let v = (q - s.via.unwrap_or(p)).normalize_or(dir(u, beta));
            total += n;
            pts.push(q);
            self.travel(s.len, n);
            if n == 0 {
                idle += l;
                if idle > r {
                    break;
                }
            } else {
                idle = 0.0;
                last_cut = pts.len();
                recent_at_cut = self.recent.clone();
            }
            p = q;
            u = v;
            if self.left == 0 {
                break;
            }
        }
        pts.truncate(last_cut.max(1));
        // The idle steps cut off were never travelled.
        self.recent = recent_at_cut;
        Ok(total)
    }

    /// Within the window rule: the step's cells and those of the travel just before it,
    /// back to a window's length in all, are within the target for a window.
    fn in_window(&self, t: &Take) -> bool {
        if t.n == 0 {
            return true;
        }
        let mut cells = t.n;
        let mut len = t.step.len;
        for &(l, n) in self.recent.iter().rev() {
            if len >= self.window {
                break;
            }
            len += l;
            cells += n;
        }
        cells as f64 <= AIM * self.set.width * self.window / (self.h * self.h)
    }

    /// Records travel of `len` that took `n` cells.
    fn travel(&mut self, len: f64, n: usize) {
        self.recent.push_back((len, n));
        let mut total: f64 = self.recent.iter().map(|r| r.0).sum();
        while self.recent.len() > 1 && total - self.recent[0].0 >= self.window {
            total -= self.recent[0].0;
            self.recent.pop_front();
        }
    }

    /// The next pass's entry, its first points (the link ending where the pass starts)
    /// and its heading; `None` when nothing reachable is left.
    #[allow(clippy::type_complexity)]
    fn next_entry(
        &mut self,
        here: DVec2,
        track: &[DVec2],
    ) -> Result<Option<(Entry, Vec<DVec2>, DVec2)>, Refusal> {
        let g = self.g;
        let rc = (self.set.radius + self.h * std::f64::consts::FRAC_1_SQRT_2) / self.h;
        // Squared distances in cells, kept as the transform's f32 (half the bytes of a
        // widened copy: this is the planner's largest picture).
        let near = self.material_distance();
        let near = |k: usize| near[k] as f64;
        let free = |k: usize| near(k) > rc * rc;
        let frontier = |k: usize, dead: &[bool], inside: &[bool]| {
            inside[k] && !dead[k] && free(k) && near(k) <= (rc + 1.5) * (rc + 1.5)
        };
        // Breadth-first from the tool through clear cells inside the region. A tool that
        // ended its pass against material first backs along its own track (where it takes
        // nothing more) to the first clear cell.
        let mut back = vec![here];
        let mut s = g.cell(here);
        if !free(s) {
            if let Some(q) = self.retreat(track, &free, &mut back) {
                s = g.cell(q);
            }
        }
        let mut parent = vec![u32::MAX; g.len()];
        let mut queue = VecDeque::from([s]);
        parent[s] = s as u32;
        let mut found = None;
        while let Some(k) = queue.pop_front() {
            if frontier(k, &self.dead, &self.inside) {
                found = Some(k);
                break;
            }
            let (i, j) = (k % g.nx, k / g.nx);
            for (di, dj) in [
                (1, 0),
                (-1, 0),
                (0, 1),
                (0, -1),
                (1, 1),
                (1, -1),
                (-1, 1),
                (-1, -1),
            ] {
                let (ni, nj) = (i as isize + di, j as isize + dj);
                if ni < 0 || nj < 0 || ni >= g.nx as isize || nj >= g.ny as isize {
                    continue;
                }
                let n = nj as usize * g.nx + ni as usize;
                if parent[n] == u32::MAX && self.inside[n] && free(n) {
                    parent[n] = k as u32;
                    queue.push_back(n);
                }
            }
        }
        if let Some(f) = found {
            // From the tool along the walk to the frontier cell (the tool's own cell: from
            // where it is).
            let mut chain = Vec::new();
            let mut k = f;
            while k != s {
                chain.push(g.centre(k));
                k = parent[k] as usize;
            }
            chain.extend(back.iter().rev());
            chain.reverse();
            let link = self.straighten(&chain, &free);
            let target = *link.last().expect("the chain has points");
            return Ok(Some((Entry::Linked, link, self.heading(target))));
        }
        // A frontier elsewhere, entered from above.
        if let Some(f) = (0..g.len())
            .filter(|&k| frontier(k, &self.dead, &self.inside))
            .min_by(|&a, &b| {
                g.centre(a)
                    .distance_squared(here)
                    .total_cmp(&g.centre(b).distance_squared(here))
            })
        {
            let q = g.centre(f);
            return Ok(Some((Entry::Above, vec![q], self.heading(q))));
        }
        // Material nobody can reach from cleared area: a helix where it is deepest.
        let best = (0..g.len())
            .filter(|&k| self.inside[k] && !self.dead[k] && near(k) <= rc * rc)
            .max_by(|&a, &b| self.depth[a].total_cmp(&self.depth[b]));
        let Some(c) = best else {
            return Ok(None);
        };
        let centre = g.centre(c);
        let room = self.edges.distance(centre);
        let rho = room.min(self.set.radius) - 1e-3;
        if !self.edges.inside(centre) || rho < 0.25 * self.set.radius {
            // No room for a helix. What the wall ring reaches is left to it; anything
            // farther inside the region the planner cannot take (outside it, a cell the
            // wall ring cannot reach is the picture's rounding at the edge of the reach:
            // no tool centre in the region reaches it, offset rings no more than this).
            let far = (0..g.len()).any(|k| {
                self.material[k] != CLEAR
                    && self.edges.inside(g.centre(k))
                    && self.edges.distance(g.centre(k)) > self.set.radius + self.h
            });
            return if far && self.relaxed {
                Err(Refusal::NoRoom)
            } else {
                Ok(None)
            };
        }
        self.clear(centre, rho);
        // The helix turns counter-clockwise for climb; the pass leaves along it.
        let q = centre + DVec2::X * rho;
        let u = if self.set.climb { DVec2::Y } else { -DVec2::Y };
        Ok(Some((
            Entry::Helix {
                centre,
                radius: rho,
            },
            vec![q],
            u,
        )))
    }

    /// Backs from the end of `track` (the last pass, which ended where the tool is) along
    /// it, at most [`RETREAT`] radii, to the first point whose cell is clear and inside the
    /// region: pushes the way there onto `back` and returns that point. The tool takes
    /// nothing on the way: it has been everywhere along it.
    fn retreat(
        &self,
        track: &[DVec2],
        free: &dyn Fn(usize) -> bool,
        back: &mut Vec<DVec2>,
    ) -> Option<DVec2> {
        let g = self.g;
        let mut left = RETREAT * self.set.radius;
        let start = back.len();
        for w in track.windows(2).rev() {
            let (a, b) = (w[1], w[0]);
            let len = a.distance(b);
            let n = (len / (0.5 * self.h)).ceil().max(1.0) as usize;
            for k in 1..=n {
                let q = a + (b - a) * (k as f64 / n as f64);
                let c = g.cell(q);
                if self.inside[c] && free(c) {
                    back.push(q);
                    return Some(q);
                }
            }
            left -= len;
            if left <= 0.0 {
                break;
            }
            back.push(b);
        }
        back.truncate(start);
        None
    }

    /// Squared distance in cells from each cell to the nearest material cell, computed
    /// again only when the material has changed since (most passes that are tried are
    /// undone: the picture is then the same).
    fn material_distance(&mut self) -> Rc<Vec<f32>> {
        if let Some((v, d)) = &self.near {
            if *v == self.version {
                return Rc::clone(d);
            }
        }
        let d = Rc::new(area::distance_sq(&self.g, |k| self.material[k] != CLEAR));
        self.near = Some((self.version, Rc::clone(&d)));
        d
    }

    /// The heading along the material's edge at `q`: the material on the right for climb.
    fn heading(&self, q: DVec2) -> DVec2 {
        // Towards the nearest material cell, searched in the window round `q`.
        let g = self.g;
        let reach = (self.set.radius / self.h).ceil() as isize + 3;
        let c = g.cell(q);
        let (ci, cj) = ((c % g.nx) as isize, (c / g.nx) as isize);
        let mut best: Option<(f64, DVec2)> = None;
        for dj in -reach..=reach {
            for di in -reach..=reach {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i >= g.nx as isize || j >= g.ny as isize {
                    continue;
                }
                let k = j as usize * g.nx + i as usize;
                if self.material[k] != CLEAR {
                    let d = g.centre(k).distance_squared(q);
                    if best.is_none_or(|b| d < b.0) {
                        best = Some((d, g.centre(k)));
                    }
                }
            }
        }
        let m = best.map_or(DVec2::X, |b| (b.1 - q).normalize_or(DVec2::X));
        if self.set.climb {
            m.perp()
        } else {
            -m.perp()
        }
    }

    /// The chain's points with every corner dropped that a straight line past it keeps
    /// clear (sampled every half cell) and inside the region.
    fn straighten(&self, chain: &[DVec2], free: &dyn Fn(usize) -> bool) -> Vec<DVec2> {
        let clear_line = |a: DVec2, b: DVec2| {
            if !self.allowed(a, b) && a.distance(b) > 1e-12 {
                return false;
            }
            let n = (a.distance(b) / (0.5 * self.h)).ceil() as usize;
            (1..n).all(|k| free(self.g.cell(a + (b - a) * (k as f64 / n as f64))))
        };
        let mut out = vec![chain[0]];
        let mut i = 0;
        while i + 1 < chain.len() {
            let mut j = i + 1;
            while j + 1 < chain.len() && clear_line(chain[i], chain[j + 1]) {
                j += 1;
            }
            out.push(chain[j]);
            i = j;
        }
        out
    }

    /// The wall ring round each loop, nearest first, oriented for the milling.
    /// Clears what is left round each sharp corner of the region by stabs along its
    /// bisector, each reaching a little closer than the last and taking no more than a
    /// step at the target engagement (see the module doc), backing out a step between.
    fn corners(&mut self, loops: &[Vec<DVec2>], here: &mut DVec2, passes: &mut Vec<Pass>) {
        let bite = AIM * self.set.width * self.window / (self.h * self.h);
        let backoff = self.step.max(self.window);
        for l in loops.iter().filter(|l| l.len() >= 3) {
            let n = l.len();
            for k in 0..n {
                let v = l[k];
                let e1 = (v - l[(k + n - 1) % n]).normalize_or_zero();
                let e2 = (l[(k + 1) % n] - v).normalize_or_zero();
                // The region is on the left: a left turn is a sharp corner of it.
                if e1.perp_dot(e2) < 0.05 {
                    continue;
                }
                let out = (e1 - e2).normalize_or_zero();
                let at = |d: f64| v - out * (d.max(1e-6));
                // How close the cleared area already comes, by the planner's cells; the
                // true residue reaches up to two cells closer (the cells only count as
                // removed when wholly covered, and the material's edge is a cell's width
                // from the true one), so the stabs start there and advance at most half a
                // cell: each takes a crescent no thicker than that along the corner's arc.
                let mut d0 = 0.0;
                while d0 < self.set.radius && self.count(at(d0)) > 0 {
                    d0 += self.h;
                }
                let start = d0 + 2.0 * self.h;
                if !self.edges.inside(at(start)) {
                    continue;
                }
                let back = if self.allowed(at(start), at(start + backoff)) {
                    at(start + backoff)
                } else {
                    at(start)
                };
                let mut pts = vec![back];
                let mut d = start;
                while d > 0.0 {
                    let mut adv = d.min(0.5 * self.h);
                    let next = loop {
                        let d1 = (d - adv).max(0.0);
                        if self.count(at(d1)) as f64 <= bite || adv <= 0.25 * self.h {
                            break d1;
                        }
                        adv *= 0.5;
                    };
                    self.clear(at(next), 0.0);
                    pts.push(at(next));
                    pts.push(back);
                    d = next;
                }
                let entry =
                    if self.allowed(*here, back) && here.distance(back) <= 2.0 * self.set.radius {
                        Entry::Linked
                    } else {
                        Entry::Above
                    };
                *here = back;
                passes.push(Pass {
                    entry,
                    pts,
                    wall: false,
                });
            }
        }
    }

    fn walls(&mut self, loops: &[Vec<DVec2>], here: &mut DVec2, passes: &mut Vec<Pass>) {
        let mut left: Vec<Vec<DVec2>> = loops
            .iter()
            .filter(|l| l.len() >= 2)
            .map(|l| {
                let mut l = l.clone();
                // Natural orientation has the region on the left, the part on the right:
                // climb as it is.
                if !self.set.climb {
                    l.reverse();
                }
                l
            })
            .collect();
        while !left.is_empty() {
            let (li, pi) = left
                .iter()
                .enumerate()
                .flat_map(|(li, l)| l.iter().enumerate().map(move |(pi, p)| (li, pi, *p)))
                .min_by(|a, b| a.2.distance(*here).total_cmp(&b.2.distance(*here)))
                .map(|(li, pi, _)| (li, pi))
                .expect("loops are not empty");
            let mut l = left.swap_remove(li);
            l.rotate_left(pi);
            l.push(l[0]);
            let entry = if self.allowed(*here, l[0]) && here.distance(l[0]) <= 2.0 * self.set.radius
            {
                Entry::Linked
            } else {
                Entry::Above
            };
            for (k, pts) in self.ring_pieces(&l).into_iter().enumerate() {
                *here = *pts.last().expect("a piece has points");
                passes.push(Pass {
                    entry: if k == 0 { entry } else { Entry::Above },
                    pts,
                    wall: true,
                });
            }
        }
    }

    /// The wall ring `l` (closed, its first point repeated last) as the pieces it can cut
    /// within the engagement: where a window of it would take more than the limit (a spike
    /// of the region, where the tool can only go straight in and takes what is there), the
    /// piece ends, and the next starts at the first point of the ring beyond that is clear
    /// of material (entered from above). What lies between is left, for a smaller tool.
    fn ring_pieces(&mut self, l: &[DVec2]) -> Vec<Vec<DVec2>> {
        let budget = self.set.width * self.window / (self.h * self.h);
        let rc = (self.set.radius + self.h * std::f64::consts::FRAC_1_SQRT_2) / self.h;
        let mut pieces = Vec::new();
        let mut piece = vec![l[0]];
        self.recent.clear();
        self.clear(l[0], 0.0);
        let mut skipping = false;
        for w in l.windows(2) {
            let (a, b) = (w[0], w[1]);
            let n = (a.distance(b) / self.step).ceil().max(1.0) as usize;
            let mut prev = a;
            for k in 1..=n {
                let q = a + (b - a) * (k as f64 / n as f64);
                if skipping {
                    let near = self.material_distance();
                    if near[self.g.cell(q)] as f64 > rc * rc {
                        skipping = false;
                        piece = vec![q];
                        self.recent.clear();
                    }
                    prev = q;
                    continue;
                }
                let taken = self.count(q);
                let len = prev.distance(q);
                let mut cells = taken;
                let mut run = len;
                for &(rl, rn) in self.recent.iter().rev() {
                    if run >= self.window {
                        break;
                    }
                    run += rl;
                    cells += rn;
                }
                if taken > 0 && cells as f64 > budget {
                    // Over the limit: the piece ends where the tool is.
                    if piece.last() != Some(&prev) {
                        piece.push(prev);
                    }
                    if piece.len() >= 2 {
                        pieces.push(std::mem::take(&mut piece));
                    }
                    piece.clear();
                    skipping = true;
                    prev = q;
                    continue;
                }
                self.clear(q, 0.0);
                self.travel(len, taken);
                if k == n {
                    piece.push(q);
                }
                prev = q;
            }
        }
        if piece.len() >= 2 {
            pieces.push(piece);
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<DVec2> {
        vec![
            DVec2::new(x0, y0),
            DVec2::new(x1, y0),
            DVec2::new(x1, y1),
            DVec2::new(x0, y1),
        ]
    }

    #[test]
    fn clears_a_rectangle() {
        let loops = vec![rect(0.0, 0.0, 40.0, 20.0)];
        let set = Settings {
            radius: 3.0,
            width: 0.9,
            climb: true,
        };
        let passes = plan(&loops, &|_| true, &set, DVec2::ZERO, false, &mut |_| true).unwrap();
        // Every point is in the rectangle; the last passes are the wall ring.
        for q in passes.iter().flat_map(|p| &p.pts) {
            assert!(q.x >= -1e-9 && q.x <= 40.0 + 1e-9 && q.y >= -1e-9 && q.y <= 20.0 + 1e-9);
        }
        assert!(passes.last().is_some_and(|p| p.wall && p.pts.len() >= 5));
        assert!(matches!(passes[0].entry, Entry::Helix { .. }));
        assert!(passes.len() > 1);
    }
}

//! Pocketing: the inside of every closed shape cleared to depth, its holes left standing as
//! islands, in depth passes.
//!
//! ## The region
//! The tool centre may go anywhere in the shape shrunk by the cutter radius `R` plus the
//! allowance ([`offset_region`]): call it `P`, and `D(x)` the distance from `x` to `P`'s
//! boundary. Shapes with nothing left are skipped; a shape that pinches apart gives several
//! pieces, each planned on its own (shrinking never makes shapes meet, so a page of ten
//! thousand letters is ten thousand small problems). A piece is planned once and the plan
//! is cut at every depth pass; all passes of a piece are done before the next piece.
//!
//! ## Offset pattern
//! Ring `k` is the boundary of `E(ks) = {D ≥ ks}`, `s` the stepover, offset straight from
//! `P` (not from ring `k - 1`, so errors do not add up) by [`offset_region`], which checks
//! every level point by point against `P` and falls back to `i_overlay` when the arc offset
//! misses. Arcs of the offset stay arcs (G2/G3). Rings are cut from the inside out: a
//! ring's children (the deeper rings inside it) come first, so each ring cuts outwards into
//! material, and the last ring of a piece is its wall.
//!
//! Coverage: a point `x` of `P` with `ks ≤ D(x)` is within `D(x) - ks` of ring `k`, since
//! walking from `x` straight to its nearest boundary point lowers `D` at unit rate and so
//! crosses the level `ks`. With `j` the largest `k` with `js ≤ D(x)`, `x` is cut when
//! `D(x) - js ≤ R`, which always holds for `s ≤ R`. For `s > R` the points left are
//! `U_j = E(js + R) \ (E((j + 1)s) ⊕ R)`: deeper than ring `j` reaches and farther than `R`
//! from ring `j + 1` (every point within `R` of `E((j+1)s)` is within `R` of its boundary or
//! inside it). They lie at `D < (j + 1)s`, and the same walk shows each is within `R` of
//! the level `m = (j + 1)s - R`, since `m ≤ js + R` for `s ≤ 2R` (a stepover ratio of at
//! most 1). So the parts of ring `m` within `R` of `U_j` are cut too (they appear in the
//! corners of rings and in lobes the next ring does not enter). `U_j` is computed with a
//! margin `ε` on both sides, so slivers thinner than `ε` may be left.
//! Outside `P`, a point of the tool's reach `P ⊕ R` is within `R` of `P`'s boundary, which
//! is ring 0.
//!
//! ## Zigzag pattern
//! Lines along X at most `s` apart (evenly spaced between `P`'s lowest and highest points),
//! clipped to `P`, joined into back-and-forth chains wherever the link to the next line
//! stays inside `P`; then ring 0 round the outline and every island. Coverage: from a point
//! of `P`, walking straight down meets a line or the boundary before the line below, and
//! walking up the same with the line above; the shorter walk is at most `s / 2 ≤ R`.
//!
//! ## Climb and conventional
//! With an M3 (clockwise) spindle, climb milling has the material being cut on the tool's
//! right, as G41 has the wall. So climb runs rings round the outside counter-clockwise and
//! rings round islands clockwise (their natural orientation, since rings are cut from the
//! inside out and the uncut material is outside a ring); conventional reverses them.
//! Helical entries turn counter-clockwise for climb, clockwise for conventional.
//!
//! ## Where a ring may move (arc fitting)
//! Ring 0 is the wall: the part is beyond it, on the tool's right for climb and on its left
//! for conventional, and the toolpath says so ([`Wall`]), so a fitted arc only moves it
//! into the pocket. Ring `k ≥ 1` may move either way by `min(ks, R − s)` (less the offset
//! tolerance), [`Wall::Room`]: by less than `ks` it stays inside `P`, so the tool does not
//! touch the wall; and by less than `R − s` the coverage argument above still holds, since
//! `x` is then within `D(x) − js + (R − s) < R` of the moved ring `j`. With `s ≥ R` (no
//! room) and for the extra cuts of a wide stepover, rings keep the rule of ring 0, which
//! only moves them deeper in, towards cuts already made: that keeps their reach towards
//! the uncut side. The zigzag chains and the links are [`Wall::Fixed`]: their ends touch
//! `P`'s boundary from either side.
//!
//! ## Entries and links
//! A flat end mill does not drill. Each piece is entered at each pass by a helix: arcs at
//! most `ramp_angle` steep, round a circle that lies inside `P` and passes through the
//! first cut's start, which is chosen where the largest circle fits; then a flat lap at
//! the pass depth. The helix starts just above the material at the first pass and just
//! above the previous pass's floor after that, which the previous pass cleared (the whole
//! reach). Where no circle of a quarter of the radius fits, the tool ramps back and forth
//! along the first cut at `ramp_angle`. Consecutive cuts are joined at feed when the link is
//! short (at most a diameter plus a stepover) and stays inside `P`; otherwise the tool
//! retracts ([`Links`]) and enters again. Vertical moves go only through air or above a
//! cleared floor.

use super::geometry::{contains, distance_to_paths, offset_region, probe_points};
use super::{f3, follow, passes, Links};
use crate::drawing::{arc, Drawing, Path, Segment, Shape, Vertex};
use crate::geom::DVec2;
use crate::geom::Det;
use crate::job::{ClearPattern, Milling, PocketSpec, Resolved};
use crate::strategy::rough::ramp::helix;
use crate::strategy::Cancelled;
use crate::toolpath::{Move, Toolpath, Wall};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::single::SingleFloatOverlay;
use std::f64::consts::TAU;

/// How closely offsets and flattened boundaries follow the true curves, mm.
const TOL: f64 = 1e-3;
/// The margin by which the extra cuts for a stepover wider than the radius may fall short.
const EPS: f64 = 0.005;

/// The pocketing toolpath.
pub fn generate(
    d: &Drawing,
    s: &PocketSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let r = res.cutter.radius();
    let top = s.z_top.unwrap_or(0.0);
    let zs = passes(top, top - s.depth, s.stepdown);
    let links = Links::new(res, top);
    let set = Settings {
        r,
        step: (s.stepover_ratio * 2.0 * r).clamp(1e-3, 2.0 * r),
        climb: s.milling == Milling::Climb,
        zigzag: s.pattern == ClearPattern::Zigzag,
        adaptive: s.pattern == ClearPattern::Adaptive,
        slope: s.ramp_angle.to_radians().dtan().max(1e-6),
    };
    let n = d.shapes.len().max(1) as f32;
    let mut plans = Vec::new();
    for (k, shape) in d.shapes.iter().enumerate() {
        if k % 16 == 0 && !progress(0.8 * k as f32 / n) {
            return Err(Cancelled);
        }
        for piece in offset_region(std::slice::from_ref(shape), -(r + s.allowance), TOL) {
            if let Some(p) = plan(&piece, &set, &mut |_| progress(0.8 * k as f32 / n))? {
                plans.push(p);
            }
        }
    }
    let mut tp = Toolpath::new();
    if zs.is_empty() {
        return Ok(tp);
    }
    let order = nearest_first(&plans);
    let lift = (0.5 * (links.clear - top)).clamp(0.0, 0.2);
    for (n, &k) in order.iter().enumerate() {
        if n % 64 == 0 && !progress(0.8 + 0.2 * n as f32 / order.len().max(1) as f32) {
            return Err(Cancelled);
        }
        let p = &plans[k];
        let mut prev = top;
        for &z in &zs {
            cut_pass(&mut tp, p, &links, &set, prev + lift, z);
            prev = z;
        }
        links.retract(&mut tp);
    }
    progress(1.0);
    Ok(tp)
}

/// What the planning needs from the job.
struct Settings {
    r: f64,
    step: f64,
    climb: bool,
    zigzag: bool,
    adaptive: bool,
    /// Tangent of the ramp angle.
    slope: f64,
}

/// How the tool gets down to the pass depth at the start of a cut.
#[derive(Clone, Copy, Debug)]
enum Entry {
    /// Round a circle through the cut's start.
    Helix { centre: DVec2, radius: f64 },
    /// Back and forth along the cut.
    Ramp,
    /// Straight down: the cut starts where this pass has already cleared.
    Drop,
}

/// One cut: its path, and how far the path may move and which way (see the module doc).
struct Cut {
    path: Path,
    wall: Wall,
}

/// One cut of a plan, with the entry before it (none: a feed link from the previous cut).
struct Item {
    cut: Cut,
    entry: Option<Entry>,
}

/// A piece's cuts in order, the same at every depth.
struct Plan {
    region: Region,
    items: Vec<Item>,
}

/// One piece of the tool-centre region, flattened for inside and distance tests.
struct Region {
    loops: Vec<Vec<DVec2>>,
    /// The same within [`COARSE`], to rule out helix centres quickly.
    coarse: Vec<Vec<DVec2>>,
    /// The exact boundary (arcs kept), for the helix's fit.
    paths: Vec<Path>,
}

/// The flattening of [`Region::coarse`], mm.
const COARSE: f64 = 0.02;

impl Region {
    fn new(s: &Shape) -> Region {
        let flat = |tol: f64| {
            std::iter::once(&s.outline)
                .chain(&s.holes)
                .map(|p| p.flatten(tol))
                .filter(|l| l.len() >= 2)
                .collect()
        };
        Region {
            loops: flat(TOL * 0.5),
            coarse: flat(COARSE),
            paths: std::iter::once(&s.outline)
                .chain(&s.holes)
                .cloned()
                .collect(),
        }
    }

    /// The inward normal of the boundary edge nearest `q` (the region is on the left of
    /// every loop: outlines run counter-clockwise, holes clockwise).
    fn inward(&self, q: DVec2) -> DVec2 {
        self.edges()
            .map(|(a, b)| (seg_dist(q, a, b), (b - a).perp().normalize_or_zero()))
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .map_or(DVec2::ZERO, |e| e.1)
    }

    /// Distance to the boundary within [`COARSE`].
    fn rough_depth(&self, q: DVec2) -> f64 {
        self.coarse
            .iter()
            .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
            .map(|(a, b)| seg_dist(q, a, b))
            .fold(f64::INFINITY, f64::min)
    }

    /// Exact distance to the boundary.
    fn exact_depth(&self, q: DVec2) -> f64 {
        distance_to_paths(&self.paths, q)
    }

    fn edges(&self) -> impl Iterator<Item = (DVec2, DVec2)> + '_ {
        self.loops
            .iter()
            .flat_map(|l| (0..l.len()).map(move |k| (l[k], l[(k + 1) % l.len()])))
    }

    /// Inside by crossing parity (the outline and its holes nest).
    fn inside(&self, q: DVec2) -> bool {
        let mut odd = false;
        for (a, b) in self.edges() {
            if (a.y > q.y) != (b.y > q.y) {
                let x = a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x);
                if x > q.x {
                    odd = !odd;
                }
            }
        }
        odd
    }

    /// True when the straight move from `a` to `b` stays inside: it crosses no boundary
    /// edge and points along it are inside (ends on the boundary are allowed).
    fn holds(&self, a: DVec2, b: DVec2) -> bool {
        let len = a.distance(b);
        if len < 1e-9 {
            return true;
        }
        let e = 1e-9 * (1.0 + len);
        let side = |p: DVec2, q: DVec2, x: DVec2| (q - p).perp_dot(x - p);
        let crosses = self.edges().any(|(c, d)| {
            let (d1, d2) = (side(c, d, a), side(c, d, b));
            let (d3, d4) = (side(a, b, c), side(a, b, d));
            ((d1 > e && d2 < -e) || (d1 < -e && d2 > e))
                && ((d3 > e && d4 < -e) || (d3 < -e && d4 > e))
        });
        !crosses
            && [0.25, 0.5, 0.75]
                .iter()
                .all(|&t| self.inside(a + (b - a) * t))
    }
}

fn seg_dist(q: DVec2, a: DVec2, b: DVec2) -> f64 {
    q.distance(super::geometry::nearest_on_line(q, a, b))
}

/// The plan of one piece, or `None` when it has nothing to cut.
fn plan(
    piece: &Shape,
    set: &Settings,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Option<Plan>, Cancelled> {
    if piece.outline.vertices.len() < 2 {
        return Ok(None);
    }
    let region = Region::new(piece);
    if set.adaptive {
        if let Some(items) = adaptive_items(&region, set, progress)? {
            return Ok((!items.is_empty()).then_some(Plan { region, items }));
        }
    }
    let cuts = if set.zigzag {
        zigzag_cuts(piece, &region, set)
    } else {
        offset_cuts(piece, set)
    };
    let items = link(cuts, &region, set);
    Ok((!items.is_empty()).then_some(Plan { region, items }))
}

/// The adaptive plan of a piece (see [`crate::strategy::adaptive`]): the engagement never
/// wider than the stepover. `None` when no helix fits where material is: such a piece is
/// narrower than the tool and a half, and the offset rings cut it.
fn adaptive_items(
    region: &Region,
    set: &Settings,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Option<Vec<Item>>, Cancelled> {
    use crate::strategy::adaptive::{self, Entry as A, Refusal};
    let a = adaptive::Settings {
        radius: set.r,
        width: set.step,
        climb: set.climb,
    };
    let start = region.loops.first().and_then(|l| l.first()).copied();
    let passes = match adaptive::plan(
        &region.loops,
        &|_| true,
        &a,
        start.unwrap_or_default(),
        false,
        progress,
    ) {
        Ok(p) => p,
        Err(Refusal::NoRoom) => return Ok(None),
        Err(Refusal::Cancelled) => return Err(Cancelled),
    };
    let items = passes
        .into_iter()
        .filter(|p| p.pts.len() >= 2 || matches!(p.entry, A::Helix { .. }))
        .map(|p| {
            let entry = match p.entry {
                A::Helix { centre, radius } => Some(Entry::Helix { centre, radius }),
                A::Linked => None,
                A::Above => Some(Entry::Drop),
            };
            let mut pts = p.pts;
            if pts.len() == 1 {
                pts.push(pts[0]);
            }
            Item {
                cut: Cut {
                    path: Path {
                        vertices: pts.into_iter().map(Vertex::line).collect(),
                        closed: false,
                    },
                    wall: if p.wall { set.wall() } else { Wall::Fixed },
                },
                entry,
            }
        })
        .collect();
    Ok(Some(items))
}

/// A ring in the direction the milling asks for (outlines counter-clockwise and islands
/// clockwise for climb).
fn oriented(mut p: Path, climb: bool) -> Path {
    if !climb {
        p.reverse();
    }
    p
}

/// The rings of a level shape, outline first.
fn rings(s: &Shape, climb: bool) -> Vec<Path> {
    std::iter::once(&s.outline)
        .chain(&s.holes)
        .filter(|p| p.vertices.len() >= 2)
        .map(|p| oriented(p.clone(), climb))
        .collect()
}

/// True when `q` is inside the shape (in its outline, in none of its holes).
fn shape_contains(s: &Shape, q: DVec2) -> bool {
    contains(&s.outline, q) && !s.holes.iter().any(|h| contains(h, q))
}

/// A level shape of the offset pattern, with the shapes of the next level inside it.
struct Node {
    shape: Shape,
    children: Vec<usize>,
    extra: Vec<Path>,
    /// Its level `k`: it lies `ks` inside the piece.
    level: usize,
}

impl Settings {
    /// The wall of ring 0 (the part beyond it), which the cuts that must only move deeper
    /// in keep too.
    fn wall(&self) -> Wall {
        if self.climb {
            Wall::Right
        } else {
            Wall::Left
        }
    }

    /// How far ring `k` may move (see the module doc).
    fn ring_wall(&self, k: usize) -> Wall {
        let room = (k as f64 * self.step).min(self.r - self.step) - 2.0 * TOL;
        if k == 0 || room <= 0.0 {
            self.wall()
        } else {
            Wall::Room(room as f32)
        }
    }
}

/// The offset rings of a piece in cutting order: every node's children before it.
fn offset_cuts(piece: &Shape, set: &Settings) -> Vec<Cut> {
    let b = piece.outline.bounds();
    let max_levels = (b.size().length() / set.step) as usize + 2;
    let mut nodes = vec![Node {
        shape: piece.clone(),
        children: Vec::new(),
        extra: Vec::new(),
        level: 0,
    }];
    let mut levels: Vec<Vec<usize>> = vec![vec![0]];
    for k in 1..=max_levels {
        let shapes = offset_region(std::slice::from_ref(piece), -(k as f64 * set.step), TOL);
        let shapes: Vec<Shape> = shapes
            .into_iter()
            .filter(|s| s.outline.vertices.len() >= 2)
            .collect();
        if shapes.is_empty() {
            break;
        }
        let mut ids = Vec::new();
        for s in shapes {
            let id = nodes.len();
            let q = s.outline.vertices[0].p;
            let parent = levels[k - 1]
                .iter()
                .copied()
                .find(|&p| shape_contains(&nodes[p].shape, q))
                .or_else(|| levels[k - 1].first().copied())
                .unwrap_or(0);
            nodes[parent].children.push(id);
            nodes.push(Node {
                shape: s,
                children: Vec::new(),
                extra: Vec::new(),
                level: k,
            });
            ids.push(id);
        }
        levels.push(ids);
    }
    if set.step > set.r + 1e-9 {
        for j in 0..levels.len() {
            for (node_hint, path) in residual_cuts(piece, &levels, &nodes, j, set) {
                nodes[node_hint].extra.push(path);
            }
        }
    }
    // Post-order, children nearest the tool first.
    let mut out = Vec::new();
    let mut here = piece.outline.vertices[0].p;
    let mut stack = vec![(0usize, false)];
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            let wall = set.ring_wall(nodes[n].level);
            let extra = nodes[n].extra.iter().map(|p| Cut {
                path: p.clone(),
                wall: set.wall(),
            });
            let own: Vec<Cut> = extra
                .chain(
                    rings(&nodes[n].shape, set.climb)
                        .into_iter()
                        .map(|path| Cut { path, wall }),
                )
                .collect();
            out.extend(nearest_paths(own, &mut here));
            continue;
        }
        stack.push((n, true));
        let mut kids = nodes[n].children.clone();
        let dist = |k: &usize| nodes[*k].shape.outline.bounds().center().distance(here);
        kids.sort_by(|a, b| dist(b).total_cmp(&dist(a)));
        stack.extend(kids.into_iter().map(|k| (k, false)));
    }
    out
}

/// Orders cuts greedily from `here`, starting closed ones at their point nearest the
/// tool; `here` ends where the last one ends.
fn nearest_paths(mut left: Vec<Cut>, here: &mut DVec2) -> Vec<Cut> {
    let mut out = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let h = *here;
        let (i, _) = left
            .iter()
            .enumerate()
            .map(|(i, c)| (i, nearest_on(&c.path, h).1.distance(h)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let mut c = left.swap_remove(i);
        if c.path.closed {
            c.path = start_nearest(&c.path, h);
        }
        *here = end_of(&c.path);
        out.push(c);
    }
    out
}

fn end_of(p: &Path) -> DVec2 {
    if p.closed {
        p.vertices[0].p
    } else {
        p.vertices.last().map_or(DVec2::ZERO, |v| v.p)
    }
}

/// The segment index and point of `p` nearest `q` (for an open path, only its start
/// counts: it is cut from there).
fn nearest_on(p: &Path, q: DVec2) -> (usize, DVec2) {
    if !p.closed {
        return (0, p.vertices[0].p);
    }
    let mut best = (0, p.vertices[0].p, f64::INFINITY);
    for (i, s) in p.segments().enumerate() {
        let x = super::geometry::nearest_point(&s, q);
        let d = x.distance(q);
        if d < best.2 {
            best = (i, x, d);
        }
    }
    (best.0, best.1)
}

/// The closed path `p` started at its point nearest `q` (a segment is split there; an
/// arc's two parts keep its circle).
fn start_nearest(p: &Path, q: DVec2) -> Path {
    let (i, x) = nearest_on(p, q);
    let n = p.vertices.len();
    let mut v = p.vertices.clone();
    let a = v[i].p;
    let b = v[(i + 1) % n].p;
    let start = if x.distance(a) < 1e-9 {
        i
    } else if x.distance(b) < 1e-9 {
        (i + 1) % n
    } else {
        let bulge = v[i].bulge;
        let new_bulge = if bulge == 0.0 {
            0.0
        } else {
            let (c, _) = arc::centre_radius(a, b, bulge);
            let ccw = bulge > 0.0;
            let total = arc::sweep(a - c, b - c, ccw);
            let first = arc::sweep(a - c, x - c, ccw);
            v[i].bulge = arc::bulge(first);
            arc::bulge(total - first)
        };
        v.insert(
            i + 1,
            Vertex {
                p: x,
                bulge: new_bulge,
            },
        );
        i + 1
    };
    v.rotate_left(start);
    Path {
        vertices: v,
        closed: true,
    }
}

/// The extra cuts for a stepover wider than the radius between ring `j` and ring `j + 1`
/// (see the module doc): the parts of the level `(j + 1)s - R` within `R` of what the two
/// rings leave, each with the node of level `j` it lies in.
fn residual_cuts(
    piece: &Shape,
    levels: &[Vec<usize>],
    nodes: &[Node],
    j: usize,
    set: &Settings,
) -> Vec<(usize, Path)> {
    let (s, r) = (set.step, set.r);
    let one = std::slice::from_ref(piece);
    let deep = offset_region(one, -(j as f64 * s + r + EPS), TOL);
    if deep.is_empty() {
        return Vec::new();
    }
    let next: Vec<Shape> = levels
        .get(j + 1)
        .map(|ids| ids.iter().map(|&k| nodes[k].shape.clone()).collect())
        .unwrap_or_default();
    let reached = if next.is_empty() {
        Vec::new()
    } else {
        offset_region(&next, r + EPS, TOL)
    };
    let left = difference(&deep, &reached);
    if left.is_empty() {
        return Vec::new();
    }
    let m = (j + 1) as f64 * s - r;
    let spacing = r / 4.0;
    let mut out = Vec::new();
    for level in offset_region(one, -m, TOL) {
        for ring in rings(&level, set.climb) {
            // Points along the ring at most `spacing` apart; one within R of a leftover
            // point is then within R + spacing/2 of it at a vertex.
            let pts = densify(&ring, spacing);
            let need: Vec<bool> = pts
                .iter()
                .map(|&q| polygon_distance(&left, q) <= r + 0.5 * spacing + TOL)
                .collect();
            if !need.iter().any(|&b| b) {
                continue;
            }
            let hint = levels[j]
                .iter()
                .copied()
                .find(|&k| shape_contains(&nodes[k].shape, ring.vertices[0].p))
                .unwrap_or(levels[j][0]);
            if need.iter().all(|&b| b) {
                out.push((hint, ring));
                continue;
            }
            for run in runs(&need) {
                let n = pts.len();
                let vertices = run.map(|k| Vertex::line(pts[k % n])).collect();
                out.push((
                    hint,
                    Path {
                        vertices,
                        closed: false,
                    },
                ));
            }
        }
    }
    out
}

/// The index ranges (possibly wrapping past the end) of a closed loop's needed points,
/// each grown by one point on both sides so every segment touching a needed point is in.
fn runs(need: &[bool]) -> Vec<std::ops::Range<usize>> {
    let n = need.len();
    let grown: Vec<bool> = (0..n)
        .map(|k| need[k] || need[(k + 1) % n] || need[(k + n - 1) % n])
        .collect();
    let Some(gap) = grown.iter().position(|&b| !b) else {
        return std::iter::once(0..n + 1).collect();
    };
    let mut out = Vec::new();
    let mut k = gap + 1;
    while k < gap + 1 + n {
        if grown[k % n] {
            let s = k;
            while k < gap + 1 + n && grown[k % n] {
                k += 1;
            }
            if k - s >= 2 {
                out.push(s..k);
            }
        } else {
            k += 1;
        }
    }
    out
}

/// The points of a closed path at most `spacing` apart (arcs within the tolerance).
fn densify(p: &Path, spacing: f64) -> Vec<DVec2> {
    let flat = p.flatten(TOL);
    let n = flat.len();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (a, b) = (flat[k], flat[(k + 1) % n]);
        let m = (a.distance(b) / spacing).ceil().max(1.0) as usize;
        for i in 0..m {
            out.push(a + (b - a) * (i as f64 / m as f64));
        }
    }
    out
}

/// Area of `a` not in `b`, as polygons (outer loop then holes), slivers dropped.
fn difference(a: &[Shape], b: &[Shape]) -> Vec<Vec<Vec<DVec2>>> {
    let flat = |s: &[Shape]| -> Vec<Vec<DVec2>> {
        s.iter()
            .flat_map(|s| std::iter::once(&s.outline).chain(&s.holes))
            .map(|p| p.flatten(TOL))
            .filter(|l| l.len() >= 3)
            .collect()
    };
    let (sa, sb) = (flat(a), flat(b));
    let shapes = if sb.is_empty() {
        sa.into_iter().map(|l| vec![l]).collect::<Vec<_>>()
    } else {
        sa.overlay(&sb, OverlayRule::Difference, FillRule::EvenOdd)
    };
    shapes
        .into_iter()
        .filter(|s| s.first().is_some_and(|o| area(o).abs() > EPS * EPS))
        .collect()
}

fn area(l: &[DVec2]) -> f64 {
    let n = l.len();
    0.5 * (0..n).map(|k| l[k].perp_dot(l[(k + 1) % n])).sum::<f64>()
}

/// Distance from `q` to the polygons (0 inside one).
fn polygon_distance(polys: &[Vec<Vec<DVec2>>], q: DVec2) -> f64 {
    let mut best = f64::INFINITY;
    for poly in polys {
        let mut odd = false;
        for l in poly {
            let n = l.len();
            for k in 0..n {
                let (a, b) = (l[k], l[(k + 1) % n]);
                best = best.min(seg_dist(q, a, b));
                if (a.y > q.y) != (b.y > q.y) && a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x) > q.x
                {
                    odd = !odd;
                }
            }
        }
        if odd {
            return 0.0;
        }
    }
    best
}

/// Zigzag lines clipped to the region and chained, then ring 0 round everything.
fn zigzag_cuts(piece: &Shape, region: &Region, set: &Settings) -> Vec<Cut> {
    let b = piece.outline.bounds();
    let h = b.height();
    let n = (h / set.step - 1e-9).ceil().max(1.0) as usize;
    let dy = h / n as f64;
    // Segments per line, as (x0, x1) with x0 < x1.
    let mut lines: Vec<(f64, Vec<(f64, f64)>)> = (1..n)
        .map(|k| {
            let y = b.min.y + dy * k as f64;
            let mut xs: Vec<f64> = region
                .edges()
                .filter(|(a, b)| (a.y > y) != (b.y > y))
                .map(|(a, b)| a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x))
                .collect();
            xs.sort_by(f64::total_cmp);
            let segs = xs
                .chunks_exact(2)
                .map(|c| (c[0], c[1]))
                .filter(|c| c.1 - c.0 > 1e-6)
                .collect();
            (y, segs)
        })
        .collect();
    let link_max = 2.0 * set.r + set.step;
    let mut out = Vec::new();
    let mut here = b.min;
    loop {
        // The next chain starts at the free segment end nearest the tool.
        let mut best: Option<(usize, usize, bool, f64)> = None;
        for (li, (y, segs)) in lines.iter().enumerate() {
            for (si, &(x0, x1)) in segs.iter().enumerate() {
                for (right, x) in [(false, x0), (true, x1)] {
                    let d = DVec2::new(x, *y).distance(here);
                    if best.is_none_or(|b| d < b.3) {
                        best = Some((li, si, right, d));
                    }
                }
            }
        }
        let Some((mut li, si, from_right, _)) = best else {
            break;
        };
        let mut pts = Vec::new();
        let mut seg = lines[li].1.swap_remove(si);
        let mut from_right = from_right;
        loop {
            let y = lines[li].0;
            let (a, e) = if from_right {
                (seg.1, seg.0)
            } else {
                (seg.0, seg.1)
            };
            pts.push(DVec2::new(a, y));
            pts.push(DVec2::new(e, y));
            let end = DVec2::new(e, y);
            // Up to the next line when a link inside the region reaches a segment.
            let Some((ny, segs)) = lines.get(li + 1) else {
                break;
            };
            let pick = segs
                .iter()
                .enumerate()
                .flat_map(|(k, &(x0, x1))| [(k, false, x0), (k, true, x1)])
                .map(|(k, r, x)| (k, r, DVec2::new(x, *ny)))
                .filter(|(_, _, q)| q.distance(end) <= link_max && region.holds(end, *q))
                .min_by(|a, b| a.2.distance(end).total_cmp(&b.2.distance(end)));
            let Some((k, r, _)) = pick else {
                break;
            };
            li += 1;
            seg = lines[li].1.swap_remove(k);
            from_right = r;
        }
        pts.dedup_by(|a, b| a.distance(*b) < 1e-9);
        here = *pts.last().unwrap_or(&here);
        if pts.len() >= 2 {
            out.push(Cut {
                path: Path {
                    vertices: pts.into_iter().map(Vertex::line).collect(),
                    closed: false,
                },
                wall: Wall::Fixed,
            });
        }
    }
    let mut here = out.last().map_or(b.min, |c| end_of(&c.path));
    let ring0 = rings(piece, set.climb).into_iter().map(|path| Cut {
        path,
        wall: set.wall(),
    });
    out.extend(nearest_paths(ring0.collect(), &mut here));
    out
}

/// The cuts with their links: a feed move from one to the next where it is short and stays
/// inside the region, an entry where it does not (and before the first).
fn link(cuts: Vec<Cut>, region: &Region, set: &Settings) -> Vec<Item> {
    let link_max = 2.0 * set.r + set.step;
    let mut items: Vec<Item> = Vec::with_capacity(cuts.len());
    let mut here: Option<DVec2> = None;
    for Cut { path: mut p, wall } in cuts {
        if p.vertices.len() < 2 {
            continue;
        }
        let joined = here.is_some_and(|h| {
            if p.closed {
                p = start_nearest(&p, h);
            }
            let s = p.vertices[0].p;
            s.distance(h) <= link_max && region.holds(h, s)
        });
        let item = if joined {
            Item {
                cut: Cut { path: p, wall },
                entry: None,
            }
        } else {
            let (path, e) = roomy_entry(p, region, set);
            Item {
                cut: Cut { path, wall },
                entry: Some(e),
            }
        };
        here = Some(end_of(&item.cut.path));
        items.push(item);
    }
    items
}

/// The entry to a cut: for a closed one, started where the largest helix fits (radius
/// from R down to R/4, the roomiest place among those where it fits).
fn roomy_entry(p: Path, region: &Region, set: &Settings) -> (Path, Entry) {
    let mut candidates: Vec<Path> = if p.closed {
        let probes = probe_points(&p);
        let every = probes.len().div_ceil(12).max(1);
        probes
            .into_iter()
            .step_by(every)
            .map(|q| start_nearest(&p, q))
            .collect()
    } else {
        Vec::new()
    };
    candidates.insert(0, p);
    for f in [1.0, 0.75, 0.5, 0.35, 0.25] {
        let radius = f * set.r;
        let best = candidates
            .iter()
            .enumerate()
            .filter_map(|(k, c)| helix_at(c, region, radius).map(|h| (k, h)))
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
        if let Some((k, (centre, _))) = best {
            return (candidates.swap_remove(k), Entry::Helix { centre, radius });
        }
    }
    (candidates.swap_remove(0), Entry::Ramp)
}

/// A helix circle of radius `rho` inside the region through the start of `p`: its centre
/// and the room to spare round it.
fn helix_at(p: &Path, region: &Region, rho: f64) -> Option<(DVec2, f64)> {
    let p0 = p.vertices[0].p;
    let t = p
        .segments()
        .next()
        .map(|s| match s {
            Segment::Line { a, b } => (b - a).normalize_or_zero(),
            Segment::Arc { a, centre, ccw, .. } => {
                let v = (a - centre).normalize_or_zero();
                if ccw {
                    v.perp()
                } else {
                    -v.perp()
                }
            }
        })
        .unwrap_or(DVec2::X);
    let mut dirs = vec![region.inward(p0), t, -t, t.perp(), -t.perp()];
    dirs.extend((0..16).map(|k| DVec2::from_angle(k as f64 * TAU / 16.0)));
    dirs.iter()
        .filter(|d| d.length() > 0.5)
        .map(|&d| p0 + d * rho)
        .filter(|&c| region.rough_depth(c) + COARSE >= rho && region.inside(c))
        .map(|c| (c, region.exact_depth(c)))
        .filter(|&(_, d)| d >= rho - TOL)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, d)| (c, d - rho))
}

/// Cuts a plan at depth `z`, entering from `start` (just above the material or above the
/// previous pass's floor, both clear).
fn cut_pass(tp: &mut Toolpath, p: &Plan, links: &Links, set: &Settings, start: f64, z: f64) {
    for item in &p.items {
        let p0 = item.cut.path.vertices[0].p;
        match item.entry {
            None => {
                tp.set_wall(Wall::Fixed);
                tp.push(Move::Feed, f3(p0, z));
            }
            Some(e) => {
                let here = tp.last();
                let inside = here.is_some_and(|h| {
                    let q = DVec2::new(h[0] as f64, h[1] as f64);
                    h[2] as f64 <= start && p.region.holds(q, p0)
                });
                if inside {
                    // Over the cleared floor of this piece: up a little and across.
                    let h = here.unwrap_or_default();
                    tp.push(Move::Rapid, [h[0], h[1], start as f32]);
                    tp.push(Move::Rapid, f3(p0, start));
                } else {
                    links.rapid_to(tp, p0);
                    tp.push(Move::Plunge, f3(p0, start));
                }
                match e {
                    Entry::Helix { centre, radius } => {
                        helix(tp, p0, centre, radius, set.climb, set.slope, start, z)
                    }
                    Entry::Ramp => ramp(tp, &item.cut.path, set, start, z),
                    Entry::Drop => tp.push(Move::Plunge, f3(p0, z)),
                }
            }
        }
        tp.set_wall(item.cut.wall);
        follow(tp, &item.cut.path, z);
    }
}

/// Down from `z0` to `z1` back and forth along the start of `path` (the tool is at its
/// start), no steeper than the ramp angle, ending at the start.
fn ramp(tp: &mut Toolpath, path: &Path, set: &Settings, z0: f64, z1: f64) {
    let mut pts = path.flatten(TOL);
    if path.closed {
        if let Some(&f) = pts.first() {
            pts.push(f);
        }
    }
    let total: f64 = pts.windows(2).map(|w| w[0].distance(w[1])).sum();
    let drop = z0 - z1;
    if total < 1e-6 {
        // Nowhere to go: the region is a point. Straight down is all there is.
        tp.push(Move::Plunge, f3(pts[0], z1));
        return;
    }
    let run = total.min(0.5 * drop / set.slope);
    let legs = 2 * (drop / (2.0 * run * set.slope) - 1e-9).ceil().max(1.0) as usize;
    // The prefix of length `run`, with cumulative lengths.
    let mut prefix = vec![(pts[0], 0.0)];
    let mut acc = 0.0;
    for w in pts.windows(2) {
        let l = w[0].distance(w[1]);
        if acc + l >= run {
            let t = if l > 0.0 { (run - acc) / l } else { 0.0 };
            prefix.push((w[0] + (w[1] - w[0]) * t, run));
            break;
        }
        acc += l;
        prefix.push((w[1], acc));
    }
    for leg in 0..legs {
        let zs = z0 - drop * leg as f64 / legs as f64;
        let ze = z0 - drop * (leg + 1) as f64 / legs as f64;
        let forward = leg % 2 == 0;
        let seq: Vec<&(DVec2, f64)> = if forward {
            prefix.iter().skip(1).collect()
        } else {
            prefix.iter().rev().skip(1).collect()
        };
        for &(q, t) in seq {
            let along = if forward { t } else { run - t };
            tp.push(Move::Feed, f3(q, zs + (ze - zs) * along / run));
        }
    }
}

/// Plan order by nearest next entry, from the origin: a greedy tour, with the entries in a
/// grid of buckets so each step looks only at the buckets round the tool (a page of text
/// has tens of thousands of pieces).
fn nearest_first(plans: &[Plan]) -> Vec<usize> {
    let starts: Vec<DVec2> = plans
        .iter()
        .map(|p| p.items[0].cut.path.vertices[0].p)
        .collect();
    let n = starts.len();
    if n == 0 {
        return Vec::new();
    }
    let (lo, hi) = starts.iter().fold(
        (DVec2::splat(f64::INFINITY), DVec2::splat(f64::NEG_INFINITY)),
        |(lo, hi), &p| (lo.min(p), hi.max(p)),
    );
    let span = (hi - lo).max(DVec2::splat(1e-6));
    let side = (n as f64).sqrt().ceil() as usize;
    let cell = (span / side as f64).max_element().max(1e-6);
    let (nx, ny) = ((span.x / cell) as usize + 1, (span.y / cell) as usize + 1);
    let key = |p: DVec2| {
        let i = (((p.x - lo.x) / cell) as usize).min(nx - 1);
        let j = (((p.y - lo.y) / cell) as usize).min(ny - 1);
        (i, j)
    };
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); nx * ny];
    for (k, &p) in starts.iter().enumerate() {
        let (i, j) = key(p);
        buckets[j * nx + i].push(k);
    }
    let mut out = Vec::with_capacity(n);
    let mut here = DVec2::ZERO;
    for _ in 0..n {
        let (ci, cj) = key(here.clamp(lo, hi));
        let mut best: Option<(usize, usize, f64)> = None;
        let mut ring = 0usize;
        loop {
            // The buckets on the square ring `ring` round the tool's bucket.
            for j in cj.saturating_sub(ring)..=(cj + ring).min(ny - 1) {
                for i in ci.saturating_sub(ring)..=(ci + ring).min(nx - 1) {
                    if i.abs_diff(ci) != ring && j.abs_diff(cj) != ring {
                        continue;
                    }
                    for (slot, &k) in buckets[j * nx + i].iter().enumerate() {
                        let d = starts[k].distance(here);
                        if best.is_none_or(|b| d < b.2) {
                            best = Some((j * nx + i, slot, d));
                        }
                    }
                }
            }
            // Anything in a farther ring is at least `ring * cell` away (from the clamped
            // point; the tool may be outside the box, which only adds to every distance).
            let reach = ring as f64 * cell - here.distance(here.clamp(lo, hi));
            if best.is_some_and(|b| b.2 <= reach) || (ring >= nx && ring >= ny) {
                break;
            }
            ring += 1;
        }
        let Some((b, slot, _)) = best else { break };
        let k = buckets[b].swap_remove(slot);
        here = plans[k]
            .items
            .last()
            .map_or(starts[k], |it| end_of(&it.cut.path));
        out.push(k);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_a_ring_inside_an_arc_keeps_its_circle() {
        let c = Path {
            vertices: vec![
                Vertex {
                    p: DVec2::new(5.0, 0.0),
                    bulge: 1.0,
                },
                Vertex {
                    p: DVec2::new(-5.0, 0.0),
                    bulge: 1.0,
                },
            ],
            closed: true,
        };
        let p = start_nearest(&c, DVec2::new(0.0, 9.0));
        assert!(p.vertices[0].p.distance(DVec2::new(0.0, 5.0)) < 1e-12);
        assert_eq!(p.vertices.len(), 3);
        assert!((p.signed_area() - c.signed_area()).abs() < 1e-9);
        for s in p.segments() {
            if let Segment::Arc { centre, radius, .. } = s {
                assert!(centre.length() < 1e-9 && (radius - 5.0).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn runs_wrap_and_grow() {
        let need = [true, false, false, false, false, true, true, false];
        let r = runs(&need);
        // 4..=7 grown to 4..9 (wrapping through 0, needed, to 1).
        assert_eq!(r, vec![4..10]);
        assert_eq!(runs(&[false, true, false]), vec![0..4]);
    }
}

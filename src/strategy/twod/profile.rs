//! Profiling: the tool runs round each closed shape of the drawing, beside the line, in
//! depth passes, with holding tabs on the last passes.
//!
//! **Where the tool runs.** The tool centre follows the boundary of the region offset by
//! `o = R + allowance (+ finish)`, `R` the cutter radius:
//! - outside: the shapes grown by `o` (all together, so parts closer than a tool's width do
//!   not gouge each other): outlines are cut from outside, holes from inside;
//! - inside: the shapes shrunk by `o`: outlines from inside, islands from outside;
//! - on: the drawing's own closed paths.
//!
//! Offsets come from `cavalier_contours` (bulge form), so straight edges stay lines, arcs stay
//! arcs, and a convex corner becomes an arc of radius `o` round it: the program has G2/G3
//! wherever the geometry is circular. Each offset is checked (see
//! [`geometry::offset_region`](super::geometry::offset_region)).
//!
//! **Direction.** With the spindle turning clockwise (M3), climb milling has the wall being
//! cut on the tool's right, as cutter compensation G41 does. The offset loops come with
//! their region on the left (outlines counter-clockwise, holes clockwise): that is climb for
//! an inside profile (the wall is outside the region) and conventional for an outside one
//! (the wall is the part, inside the region), so outside climb runs every loop backwards.
//! `on` takes the drawing's orientation as climb.
//!
//! So the wall is on the tool's right for climb and on its left for conventional, all round
//! every loop, and the toolpath says so ([`Wall`]): arc fitting then only moves the path
//! into the waste. `on` cuts along the line itself, with part on both sides
//! ([`Wall::Both`]).
//!
//! **Passes.** Equal depth passes no deeper than the stepdown. With `finish > 0` every pass
//! leaves `finish` on the wall and one more pass at full depth takes it off. Each loop is
//! cut to full depth before the next; holes before the outline they belong to, so the part
//! is held while its inside is cut.
//!
//! **Entry.** Each pass starts in the middle of the loop's longest straight span (not on a
//! corner, where a dwell would mark the wall). With `lead > 0` it comes in along a quarter
//! circle tangent to the loop from the waste side and leaves along another; a lead that
//! would come within the cutter radius of the drawing is shrunk until it does not (or
//! dropped).
//!
//! **Tabs.** `tabs` per loop, or one every `tab_spacing`, evenly spread from the start,
//! each moved to the nearest place where its whole span lies on a straight or gently curved
//! stretch: no corner (a turn of more than 15° at a vertex, or an arc tighter than twice
//! the cutter radius) within a cutter radius of it. The tool centre rises over a span
//! `tab_width + 2R` long, so the bridge left at the wall is `tab_width` wide, `tab_height`
//! high above the bottom. Only passes below the tab's top are raised; tab positions are
//! fixed on the final loop and carried to the roughing loop by nearest point.

use super::geometry::{distance_to_paths, offset_region};
use super::{f3, Links};
use crate::drawing::{arc, Drawing, Path, Segment, Shape};
use crate::geom::DVec2;
use crate::geom::Det;
use crate::job::{Milling, ProfileSpec, Resolved, Side};
use crate::strategy::Cancelled;
use crate::toolpath::{Move, Toolpath, Wall};

/// A closed loop as segments with their lengths.
#[derive(Clone, Debug)]
pub struct Loop {
    /// The segments, end to end, closing.
    pub segs: Vec<Segment>,
    /// Length of each segment.
    pub lens: Vec<f64>,
    /// Total length.
    pub length: f64,
}

fn seg_len(s: &Segment) -> f64 {
    match *s {
        Segment::Line { a, b } => a.distance(b),
        Segment::Arc {
            a,
            b,
            centre,
            radius,
            ccw,
        } => radius * arc::sweep(a - centre, b - centre, ccw).abs(),
    }
}

fn seg_start(s: &Segment) -> DVec2 {
    match *s {
        Segment::Line { a, .. } | Segment::Arc { a, .. } => a,
    }
}

/// The point `t` along a segment (0 ≤ t ≤ its length).
fn seg_point(s: &Segment, t: f64, len: f64) -> DVec2 {
    match *s {
        Segment::Line { a, b } => {
            if len <= 0.0 {
                a
            } else {
                a + (b - a) * (t / len)
            }
        }
        Segment::Arc {
            a,
            centre,
            radius,
            ccw,
            ..
        } => {
            let ang = (a - centre).to_angle() + if ccw { t / radius } else { -t / radius };
            centre + DVec2::from_angle(ang) * radius
        }
    }
}

/// The unit direction of travel at `t` along a segment.
fn seg_tangent(s: &Segment, t: f64, len: f64) -> DVec2 {
    match *s {
        Segment::Line { a, b } => (b - a).normalize_or_zero(),
        Segment::Arc { centre, ccw, .. } => {
            let p = seg_point(s, t, len) - centre;
            let d = if ccw { p.perp() } else { -p.perp() };
            d.normalize_or_zero()
        }
    }
}

/// The piece of a segment between `t0` and `t1` along it.
fn seg_piece(s: &Segment, t0: f64, t1: f64, len: f64) -> Segment {
    let (a, b) = (seg_point(s, t0, len), seg_point(s, t1, len));
    match *s {
        Segment::Line { .. } => Segment::Line { a, b },
        Segment::Arc {
            centre,
            radius,
            ccw,
            ..
        } => Segment::Arc {
            a,
            b,
            centre,
            radius,
            ccw,
        },
    }
}

impl Loop {
    /// The loop of a closed path.
    pub fn new(p: &Path) -> Loop {
        let segs: Vec<Segment> = p
            .segments()
            .filter(|s| seg_len(s) > 1e-9)
            .collect::<Vec<_>>();
        let lens: Vec<f64> = segs.iter().map(seg_len).collect();
        let length = lens.iter().sum();
        Loop { segs, lens, length }
    }

    /// The same loop run the other way.
    pub fn reversed(&self) -> Loop {
        let segs = self
            .segs
            .iter()
            .rev()
            .map(|s| match *s {
                Segment::Line { a, b } => Segment::Line { a: b, b: a },
                Segment::Arc {
                    a,
                    b,
                    centre,
                    radius,
                    ccw,
                } => Segment::Arc {
                    a: b,
                    b: a,
                    centre,
                    radius,
                    ccw: !ccw,
                },
            })
            .collect();
        let mut lens = self.lens.clone();
        lens.reverse();
        Loop {
            segs,
            lens,
            length: self.length,
        }
    }

    /// The segment index and the distance into it of position `s` (taken modulo the length).
    fn locate(&self, s: f64) -> (usize, f64) {
        let mut s = s.rem_euclid(self.length.max(1e-300));
        for (i, &l) in self.lens.iter().enumerate() {
            if s <= l {
                return (i, s);
            }
            s -= l;
        }
        let last = self.segs.len() - 1;
        (last, self.lens[last])
    }

    /// The point at position `s` along the loop.
    pub fn point(&self, s: f64) -> DVec2 {
        let (i, t) = self.locate(s);
        seg_point(&self.segs[i], t, self.lens[i])
    }

    /// The direction of travel at position `s`.
    pub fn tangent(&self, s: f64) -> DVec2 {
        let (i, t) = self.locate(s);
        seg_tangent(&self.segs[i], t, self.lens[i])
    }

    /// The position along the loop nearest to `q`.
    pub fn project(&self, q: DVec2) -> f64 {
        let mut best = (f64::INFINITY, 0.0);
        let mut s0 = 0.0;
        for (seg, &len) in self.segs.iter().zip(&self.lens) {
            let t = match *seg {
                Segment::Line { a, b } => {
                    let d = b - a;
                    if len > 0.0 {
                        ((q - a).dot(d) / (len * len)).clamp(0.0, 1.0) * len
                    } else {
                        0.0
                    }
                }
                Segment::Arc {
                    a,
                    centre,
                    radius,
                    ccw,
                    ..
                } => {
                    let to_q = arc::sweep(a - centre, q - centre, ccw).abs() * radius;
                    if to_q <= len {
                        to_q
                    } else if (to_q - len) < (std::f64::consts::TAU * radius - to_q) {
                        len
                    } else {
                        0.0
                    }
                }
            };
            let d = seg_point(seg, t, len).distance(q);
            if d < best.0 {
                best = (d, s0 + t);
            }
            s0 += len;
        }
        best.1
    }

    /// The pieces of the loop from position `start` all the way round, cut at every
    /// position in `cuts` (positions taken relative to `start`, in `0..length`).
    fn pieces(&self, start: f64, cuts: &[f64]) -> Vec<(f64, Segment)> {
        let mut marks: Vec<f64> = Vec::new();
        let mut s0 = 0.0;
        for &l in &self.lens {
            marks.push((s0 - start).rem_euclid(self.length));
            s0 += l;
        }
        marks.extend(cuts.iter().copied());
        marks.push(0.0);
        marks.push(self.length);
        marks.retain(|m| (0.0..=self.length).contains(m));
        marks.sort_by(f64::total_cmp);
        marks.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        let mut out = Vec::with_capacity(marks.len());
        for w in marks.windows(2) {
            let (u, v) = (w[0], w[1]);
            if v - u < 1e-9 {
                continue;
            }
            let mid = start + 0.5 * (u + v);
            let (i, _) = self.locate(mid);
            // Position of segment i's start.
            let seg0: f64 = self.lens[..i].iter().sum();
            let rel = |x: f64| {
                let t = (start + x - seg0).rem_euclid(self.length);
                t.clamp(0.0, self.lens[i])
            };
            let (mut t0, mut t1) = (rel(u), rel(v));
            if t1 < t0 {
                // The piece ends exactly at the segment's end (which wrapped to 0).
                t1 = self.lens[i];
            }
            if (t1 - t0).abs() < 1e-12 {
                t0 = t0.min(t1);
            }
            out.push((u, seg_piece(&self.segs[i], t0, t1, self.lens[i])));
        }
        out
    }

    /// Positions of corners: vertices where the direction turns by more than `max_turn`
    /// radians, and every point of arcs tighter than `min_radius` (as their start and end).
    fn corners(&self, max_turn: f64, min_radius: f64) -> Vec<(f64, f64)> {
        let n = self.segs.len();
        let mut out = Vec::new();
        let mut s0 = 0.0;
        for i in 0..n {
            let cur = &self.segs[i];
            let prev = &self.segs[(i + n - 1) % n];
            let pl = self.lens[(i + n - 1) % n];
            let t_in = seg_tangent(prev, pl, pl);
            let t_out = seg_tangent(cur, 0.0, self.lens[i]);
            if t_in.angle_to(t_out).abs() > max_turn {
                out.push((s0, s0));
            }
            if let Segment::Arc { radius, .. } = cur {
                if *radius < min_radius {
                    out.push((s0, s0 + self.lens[i]));
                }
            }
            s0 += self.lens[i];
        }
        out
    }
}

/// True when the span of length `w` centred at `c` keeps `margin` from every corner.
fn clear_of(corners: &[(f64, f64)], length: f64, c: f64, w: f64, margin: f64) -> bool {
    let lo = c - 0.5 * w - margin;
    let hi = c + 0.5 * w + margin;
    corners.iter().all(|&(a, b)| {
        // Compare on the circle: shift the corner interval by whole turns near the span.
        [-length, 0.0, length]
            .iter()
            .all(|k| b + k < lo || a + k > hi)
    })
}

/// The centres of the tabs on a loop: `count` evenly spread from `start`, each moved to
/// the nearest position where a span of `w` keeps `margin` from every corner (searched
/// in steps of a fiftieth of the spacing, both ways); tabs that find no place, or would
/// overlap the previous one or the start, are dropped.
pub fn place_tabs(
    lp: &Loop,
    start: f64,
    count: usize,
    w: f64,
    margin: f64,
    corners: &[(f64, f64)],
) -> Vec<f64> {
    if count == 0 || lp.length <= w {
        return Vec::new();
    }
    let spacing = lp.length / count as f64;
    let step = (spacing / 50.0).max(1e-3);
    let mut out: Vec<f64> = Vec::new();
    for k in 0..count {
        let ideal = start + (k as f64 + 0.5) * spacing;
        let mut found = None;
        let mut d = 0.0;
        while d <= 0.5 * spacing {
            for c in [ideal + d, ideal - d] {
                if clear_of(corners, lp.length, c.rem_euclid(lp.length), w, margin) {
                    found = Some(c);
                    break;
                }
            }
            if found.is_some() {
                break;
            }
            d += step;
        }
        if let Some(c) = found {
            // Relative to the start, the span must not reach the start (the entry) nor
            // the previous tab.
            let rel = (c - start).rem_euclid(lp.length);
            let fits_start = rel - 0.5 * w > margin && rel + 0.5 * w < lp.length - margin;
            let fits_prev = out
                .last()
                .is_none_or(|&p| (rel - (p - start).rem_euclid(lp.length)) > w + margin);
            if fits_start && fits_prev {
                out.push(c.rem_euclid(lp.length));
            }
        }
    }
    out
}

/// Where a pass starts: the middle of the longest straight segment (or of the longest
/// segment when there is none).
fn start_of(lp: &Loop) -> f64 {
    let mut best = (-1.0, 0.0);
    let mut s0 = 0.0;
    for (seg, &len) in lp.segs.iter().zip(&lp.lens) {
        let straight = matches!(seg, Segment::Line { .. });
        let score = if straight { len * 4.0 } else { len };
        if score > best.0 {
            best = (score, s0 + 0.5 * len);
        }
        s0 += len;
    }
    best.1
}

/// One loop to profile, its finishing loop, and the tab centres (on the finishing loop).
struct Job<'a> {
    rough: Loop,
    finish: Option<Loop>,
    spec: &'a ProfileSpec,
}

/// The profile toolpath.
pub fn generate(
    d: &Drawing,
    s: &ProfileSpec,
    res: &Resolved,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    let r = res.cutter.radius();
    let top = s.z_top.unwrap_or(0.0);
    let bottom = top - s.depth;
    let links = Links::new(res, top);
    let tol = 1e-4;
    let final_off = r + s.allowance;
    let rough_off = final_off + s.finish;
    let offset = |o: f64| -> Vec<Shape> {
        match s.side {
            Side::Outside => offset_region(&d.shapes, o, tol),
            Side::Inside => offset_region(&d.shapes, -o, tol),
            Side::On => d.shapes.clone(),
        }
    };
    let rough_shapes = offset(rough_off);
    let finish_shapes = if s.finish > 0.0 && s.side != Side::On {
        Some(offset(final_off))
    } else {
        None
    };
    // Loops in cutting order: per shape its holes, then its outline, oriented for the
    // milling direction.
    let reverse = match (s.side, s.milling) {
        (Side::Outside, Milling::Climb) => true,
        (Side::Outside, Milling::Conventional) => false,
        (_, Milling::Climb) => false,
        (_, Milling::Conventional) => true,
    };
    let loops_of = |shapes: &[Shape]| -> Vec<Loop> {
        shapes
            .iter()
            .flat_map(|sh| sh.holes.iter().chain(std::iter::once(&sh.outline)))
            .map(Loop::new)
            .filter(|l| l.length > 1e-6 && !l.segs.is_empty())
            .map(|l| if reverse { l.reversed() } else { l })
            .collect()
    };
    let rough = loops_of(&ordered(&rough_shapes));
    let finish = finish_shapes.as_deref().map(loops_of);
    let mut jobs: Vec<Job> = Vec::with_capacity(rough.len());
    for lp in rough {
        // The finishing loop is the one nearest the roughing loop's start.
        let fin = finish.as_ref().and_then(|f| {
            let q = lp.point(0.0);
            f.iter()
                .min_by(|a, b| {
                    let da = a.point(a.project(q)).distance(q);
                    let db = b.point(b.project(q)).distance(q);
                    da.total_cmp(&db)
                })
                .cloned()
        });
        jobs.push(Job {
            rough: lp,
            finish: fin,
            spec: s,
        });
    }
    let zs = super::passes(top, bottom, s.stepdown);
    let tab_top = bottom + s.tab_height;
    let w = s.tab_width + 2.0 * r;
    let mut tp = Toolpath::new();
    let n = jobs.len().max(1);
    for (k, job) in jobs.iter().enumerate() {
        if !progress(k as f32 / n as f32) {
            return Err(Cancelled);
        }
        let wall = job.finish.as_ref().unwrap_or(&job.rough);
        let start_w = start_of(wall);
        let tabs_w: Vec<f64> = if job.spec.has_tabs() {
            let count = match job.spec.tab_spacing {
                Some(sp) => ((wall.length / sp).floor() as usize).max(1),
                None => job.spec.tabs as usize,
            };
            let corners = wall.corners(15f64.to_radians(), 2.0 * r);
            place_tabs(wall, start_w, count, w, r, &corners)
        } else {
            Vec::new()
        };
        let tab_points: Vec<DVec2> = tabs_w.iter().map(|&c| wall.point(c)).collect();
        let pass = |tp: &mut Toolpath, lp: &Loop, z: f64| {
            let start = if std::ptr::eq(lp, wall) {
                start_w
            } else {
                lp.project(wall.point(start_w))
            };
            let tabs: Vec<f64> = if z < tab_top - 1e-9 {
                tab_points.iter().map(|&p| lp.project(p)).collect()
            } else {
                Vec::new()
            };
            cut_pass(tp, lp, start, z, &tabs, w, tab_top, s, d, r, &links);
        };
        for &z in &zs {
            pass(&mut tp, &job.rough, z);
        }
        if let Some(f) = &job.finish {
            pass(&mut tp, f, bottom);
        }
        links.retract(&mut tp);
    }
    progress(1.0);
    Ok(tp)
}

/// The shapes nearest-first from the origin, each with its holes nearest-first (a greedy
/// tour; the outline still comes after its holes).
fn ordered(shapes: &[Shape]) -> Vec<Shape> {
    let start = |p: &Path| p.vertices.first().map_or(DVec2::ZERO, |v| v.p);
    let mut here = DVec2::ZERO;
    let mut left: Vec<&Shape> = shapes.iter().collect();
    let mut out = Vec::with_capacity(shapes.len());
    while !left.is_empty() {
        let first = |s: &Shape| {
            s.holes
                .iter()
                .map(|h| start(h).distance_squared(here))
                .fold(start(&s.outline).distance_squared(here), f64::min)
        };
        let (i, _) = left
            .iter()
            .enumerate()
            .min_by(|a, b| first(a.1).total_cmp(&first(b.1)))
            .unwrap_or((0, &left[0]));
        let s = left.swap_remove(i);
        let mut holes: Vec<&Path> = s.holes.iter().collect();
        let mut sorted = Vec::with_capacity(holes.len());
        while !holes.is_empty() {
            let (k, _) = holes
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    start(a.1)
                        .distance_squared(here)
                        .total_cmp(&start(b.1).distance_squared(here))
                })
                .unwrap_or((0, &holes[0]));
            let h = holes.swap_remove(k);
            here = start(h);
            sorted.push(h.clone());
        }
        here = start(&s.outline);
        out.push(Shape {
            outline: s.outline.clone(),
            holes: sorted,
        });
    }
    out
}

/// The lead arc's radius at a pass start: `lead`, halved until the arc keeps the cutter
/// radius from the drawing (0 when no lead fits).
fn lead_radius(lp: &Loop, start: f64, lead: f64, d: &Drawing, r: f64, waste_left: bool) -> f64 {
    let p = lp.point(start);
    let t = lp.tangent(start);
    let n = if waste_left { t.perp() } else { -t.perp() };
    let mut l = lead;
    while l > 1e-3 {
        let c = p + n * l;
        let ok = (0..=16).all(|i| {
            let a = i as f64 / 16.0 * std::f64::consts::PI;
            // Both quarter arcs, in and out, lie on the half circle on the waste side.
            let q = c + (-n * a.dcos() + t * a.dsin()) * l;
            let q2 = c + (-n * a.dcos() - t * a.dsin()) * l;
            distance_to_paths(d.paths(), q) >= r - 1e-6
                && distance_to_paths(d.paths(), q2) >= r - 1e-6
        });
        if ok {
            return l;
        }
        l *= 0.5;
    }
    0.0
}

#[allow(clippy::too_many_arguments)]
fn cut_pass(
    tp: &mut Toolpath,
    lp: &Loop,
    start: f64,
    z: f64,
    tabs: &[f64],
    w: f64,
    tab_top: f64,
    s: &ProfileSpec,
    d: &Drawing,
    r: f64,
    links: &Links,
) {
    let p0 = lp.point(start);
    let t0 = lp.tangent(start);
    // The waste lies on the tool's left when the wall is on its right (climb).
    // Every side's loops were oriented so that climb has the wall on the right.
    let wall_right = s.milling == Milling::Climb;
    let lead = if s.lead > 0.0 && s.side != Side::On {
        lead_radius(lp, start, s.lead, d, r, wall_right)
    } else {
        0.0
    };
    let n = if wall_right { t0.perp() } else { -t0.perp() };
    let ccw = t0.perp_dot(n) > 0.0;
    let c = p0 + n * lead;
    let here = tp.last();
    let at_start = here.is_some_and(|h| {
        // Back where the pass started (to f32 precision), below the clearance plane.
        DVec2::new(h[0] as f64, h[1] as f64).distance(p0) < 1e-4 && (h[2] as f64) < links.clear
    });
    if lead > 0.0 {
        let a = c - t0 * lead;
        links.rapid_to(tp, a);
        tp.push(Move::Plunge, f3(a, z));
        tp.push_arc(ccw, [c.x, c.y], f3(p0, z));
    } else if at_start {
        tp.push(Move::Plunge, f3(p0, z));
    } else {
        links.rapid_to(tp, p0);
        tp.push(Move::Plunge, f3(p0, z));
    }
    // Tab spans relative to the start, as cut positions.
    let spans: Vec<(f64, f64)> = tabs
        .iter()
        .map(|&c| {
            let rel = (c - start).rem_euclid(lp.length);
            (rel - 0.5 * w, rel + 0.5 * w)
        })
        .filter(|(a, b)| *a > 0.0 && *b < lp.length)
        .collect();
    let cuts: Vec<f64> = spans.iter().flat_map(|&(a, b)| [a, b]).collect();
    let in_tab = |x: f64| spans.iter().any(|&(a, b)| x > a && x < b);
    let z_tab = tab_top.max(z);
    let mut cur_z = z;
    let pieces = lp.pieces(start, &cuts);
    tp.set_wall(match (s.side, wall_right) {
        (Side::On, _) => Wall::Both,
        (_, true) => Wall::Right,
        (_, false) => Wall::Left,
    });
    for (u, seg) in &pieces {
        let len = seg_len(seg);
        let mid = u + 0.5 * len;
        let want = if in_tab(mid) { z_tab } else { z };
        let a = seg_start(seg);
        if (want - cur_z).abs() > 1e-9 {
            // Up over a tab, or back down after it: vertical, at the feed (up) or the
            // plunge feed (down).
            let kind = if want > cur_z {
                Move::Feed
            } else {
                Move::Plunge
            };
            tp.push(kind, f3(a, want));
            cur_z = want;
        }
        super::follow_segment(tp, seg, cur_z);
    }
    if (cur_z - z).abs() > 1e-9 {
        tp.push(Move::Plunge, f3(p0, z));
    }
    if lead > 0.0 {
        let b = c + t0 * lead;
        tp.push_arc(ccw, [c.x, c.y], f3(b, z));
        // Up clear of the material: the next pass comes in along its own lead.
        tp.push(Move::Rapid, f3(b, links.clear));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drawing::Vertex;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Path {
        Path {
            vertices: [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
                .into_iter()
                .map(|(x, y)| Vertex::line(DVec2::new(x, y)))
                .collect(),
            closed: true,
        }
    }

    #[test]
    fn loop_positions_and_pieces() {
        let lp = Loop::new(&rect(0.0, 0.0, 4.0, 2.0));
        assert!((lp.length - 12.0).abs() < 1e-12);
        assert!(lp.point(5.0).distance(DVec2::new(4.0, 1.0)) < 1e-12);
        assert!((lp.project(DVec2::new(2.0, 3.0)) - 8.0).abs() < 1e-12);
        let pieces = lp.pieces(1.0, &[2.0, 3.5]);
        let total: f64 = pieces.iter().map(|(_, s)| seg_len(s)).sum();
        assert!((total - 12.0).abs() < 1e-9);
        assert!(seg_start(&pieces[0].1).distance(DVec2::new(1.0, 0.0)) < 1e-12);
        let corners = lp.corners(0.2, 0.0);
        assert_eq!(corners.len(), 4);
        let tabs = place_tabs(&lp, 1.0, 2, 1.0, 0.25, &corners);
        assert_eq!(tabs.len(), 2);
        for t in tabs {
            assert!(clear_of(&corners, lp.length, t, 1.0, 0.25));
        }
    }
}

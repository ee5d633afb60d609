//! Verification: a program simulated on a stock and compared with the model.
//!
//! [`verify`] runs every move of a program (read by [`crate::gcode::read`], so it can come
//! from any CAM) over a height-field [`Stock`] with the exact swept volumes of `sweep.rs`,
//! and reports:
//!
//! * **Rapids through stock**: a `G0` whose swept tool reaches below the stock as it is
//!   when the move starts, by more than the tolerance. Probed before the move is applied.
//! * **Holder collisions**: the holder (or plain shank) is a flat-bottomed cylinder of the
//!   holder's diameter from the tip plus the flute length up. Any move, feed or rapid, whose
//!   swept holder reaches below the stock by more than the tolerance collides: the flutes
//!   cut, the holder rubs. Probed before the move, like rapids; the material the holder
//!   meets is then removed, as in a crash, so that one collision is reported once.
//! * **Gouges**: where the cut stock's top lies inside the model. The depth is measured
//!   along the model's normal, as the 3D distance to the nearest triangle, not vertically:
//!   at a wall a vertical difference of one rounding of X would read as the wall's whole
//!   height. The whole column the cut removed from inside the model counts, not only its
//!   foot (see `column_depth`): a profile cut into a wall down to the model's bottom has
//!   its foot on the bottom face. Cells deeper than the
//!   tolerance are grouped into connected regions; each region is reported once, at its
//!   deepest cell, with the G-code line of the move that cut that cell last (the stock
//!   records, per cell, which move lowered it: 4 more bytes per cell).
//! * **Material left**: where the stock's top is above the model by more than a threshold,
//!   again along the normal, grouped into regions and reported at their thickest cell.
//!   Normal distances are searched up to [`LEFT_SEARCH`] mm: a cell further than that from
//!   the model reads as that much (the summary says "at least").
//!
//! The model's height over each cell's centre comes from rasterising its triangles onto the
//! grid (the highest surface over the centre). Cells with no model under them (beside the
//! part) take part in the collision checks but in neither the gouge nor the material-left
//! map.
//!
//! What the height field cannot see: material under an overhang (3-axis tools cannot reach
//! it either), and anything narrower than a cell. The deviation is exact at cell centres;
//! between them the stock is unknown to within the cut's slope times half a cell.

use super::column::Tool;
use super::sweep::{Cells, Grid, Probe};
use super::{Cancelled, SimError, Stock};
use crate::cutter::Cutter;
use crate::gcode::read::{Kind, Program};
use crate::geom::{closest_on_triangle, Box3, DVec3};
use crate::model::Model;
use std::collections::VecDeque;

/// How far (mm) the normal distance of material left is searched.
pub const LEFT_SEARCH: f64 = 2.0;

/// How far (mm) the depth of a gouge is searched: a program cut for another model, or in
/// the wrong units, gouges everywhere, and its depths need not be known past this to say so.
pub const GOUGE_SEARCH: f64 = 5.0;

/// Distance evaluations per gouged column at most (the branch and bound of `column_depth`
/// needs a handful where the deepest point is the cut's foot, more on a wall).
const COLUMN_EVALS: usize = 256;

/// The most problems of one kind reported one by one; the rest are counted.
pub const MAX_LISTED: usize = 200;

/// The most regions of material left reported one by one, thickest first (scallops alone
/// make thousands).
pub const MAX_LEFT_LISTED: usize = 20;

/// What to verify with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The cutter (its flute length sets where the holder starts).
    pub cutter: Cutter,
    /// The holder's (or shank's) diameter, above the flute length.
    pub holder_diameter: f64,
    /// The cutter and holder diameter of each operation the program names (its
    /// `Operation:` comments, [`Program::operations`] from index 1); moves before the first
    /// such comment, or past this list, use `cutter` and `holder_diameter`.
    pub operation_tools: Vec<(Cutter, f64)>,
    /// Cell size of the stock, mm.
    pub cell: f64,
    /// A gouge, a rapid into stock or a collision deeper than this is a problem, mm.
    pub tolerance: f64,
    /// Material thicker than this is reported, mm.
    pub leftover: f64,
}

/// The kind of a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The stock's top is inside the model.
    Gouge,
    /// A rapid move cut stock.
    RapidThroughStock,
    /// The holder or shank met stock.
    HolderCollision,
    /// The stock is above the model by more than the threshold.
    MaterialLeft,
}

impl ProblemKind {
    /// As printed.
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::Gouge => "gouge",
            ProblemKind::RapidThroughStock => "rapid through stock",
            ProblemKind::HolderCollision => "holder collision",
            ProblemKind::MaterialLeft => "material left",
        }
    }
}

/// One problem.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    /// What.
    pub kind: ProblemKind,
    /// The program line (1-based) of the move that made it; `None` for material left.
    pub line: Option<usize>,
    /// How deep (gouge, rapid, collision) or thick (material left), mm.
    pub depth: f64,
    /// Where: the cell centre and the stock's height there (for a collision, the height of
    /// the stock that was met).
    pub at: [f64; 3],
    /// For gouges and material left: the region's area, mm² (0 for moves).
    pub area: f64,
}

/// What [`verify`] found.
#[derive(Clone, Debug)]
pub struct Report {
    /// Rapids through stock and collisions in program order, then gouges deepest first,
    /// then material left thickest first; at most [`MAX_LISTED`] of each kind
    /// ([`MAX_LEFT_LISTED`] of material left).
    pub problems: Vec<Problem>,
    /// Problems of each kind found but not listed (past [`MAX_LISTED`]), in the order of
    /// [`ProblemKind`].
    pub unlisted: [usize; 4],
    /// The deepest gouge along the normal, whether or not past the tolerance (`None`: the
    /// stock never goes into the model).
    pub deepest_gouge: Option<Problem>,
    /// The thickest material left over the model (`None`: nowhere above the model).
    pub most_left: Option<Problem>,
    /// The cut stock.
    pub stock: Stock,
    /// Per cell, the signed normal deviation of the stock from the model, mm: negative in
    /// the model (a gouge), positive above it; NaN where no model is under the cell.
    pub deviation: Vec<f32>,
    /// Moves simulated.
    pub moves: usize,
}

impl Report {
    /// True when the program gouges deeper than `tolerance` or collides.
    pub fn failed(&self, tolerance: f64) -> bool {
        self.problems.iter().any(|p| match p.kind {
            ProblemKind::Gouge => p.depth > tolerance,
            ProblemKind::RapidThroughStock | ProblemKind::HolderCollision => true,
            ProblemKind::MaterialLeft => false,
        }) || self.unlisted[..3].iter().any(|&n| n > 0)
    }
}

/// Why verification could not run.
#[derive(Clone, Debug, PartialEq)]
pub enum VerifyError {
    /// A setting is not usable.
    Setting(String),
    /// The stock could not be made.
    Stock(SimError),
    /// Cancelled through the progress callback.
    Cancelled,
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Setting(m) => f.write_str(m),
            VerifyError::Stock(e) => e.fmt(f),
            VerifyError::Cancelled => f.write_str("cancelled"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<SimError> for VerifyError {
    fn from(e: SimError) -> Self {
        VerifyError::Stock(e)
    }
}

impl From<Cancelled> for VerifyError {
    fn from(_: Cancelled) -> Self {
        VerifyError::Cancelled
    }
}

/// Cuts and records which move lowered each cell.
struct Track<'a> {
    heights: &'a mut [f32],
    owner: &'a mut [u32],
    current: u32,
}

impl Cells for Track<'_> {
    #[inline]
    fn height(&self, idx: usize) -> f32 {
        self.heights[idx]
    }

    #[inline]
    fn visit(&mut self, idx: usize, z: f64) {
        let z = z as f32;
        if z < self.heights[idx] {
            self.heights[idx] = z;
            self.owner[idx] = self.current;
        }
    }
}

/// One move's geometry for the sweeps.
enum Path {
    Line([f64; 3], [f64; 3]),
    Arc([f64; 3], [f64; 3], [f64; 2], f64),
}

impl Path {
    fn raised(&self, dz: f64) -> Path {
        let up = |p: &[f64; 3]| [p[0], p[1], p[2] + dz];
        match self {
            Path::Line(a, b) => Path::Line(up(a), up(b)),
            Path::Arc(a, b, c, s) => Path::Arc(up(a), up(b), *c, *s),
        }
    }

    fn sweep<C: Cells>(&self, grid: &Grid, cells: &mut C, tool: &Tool) {
        match *self {
            Path::Line(a, b) => grid.sweep_line(cells, tool, a, b),
            Path::Arc(a, b, c, s) => grid.sweep_arc(cells, tool, a, b, c, s),
        }
    }
}

/// Simulates `program` on a stock filling `stock_box` and compares it with `model` (see
/// the module doc). `progress(fraction)` returning `false` cancels.
pub fn verify(
    model: &Model,
    program: &Program,
    stock_box: &Box3,
    s: &Settings,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Report, VerifyError> {
    for (name, v) in [
        ("tolerance", s.tolerance),
        ("leftover", s.leftover),
        ("holder diameter", s.holder_diameter),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(VerifyError::Setting(format!(
                "{name} {v} must be a positive number"
            )));
        }
    }
    for (k, (_, d)) in s.operation_tools.iter().enumerate() {
        if !(d.is_finite() && *d > 0.0) {
            return Err(VerifyError::Setting(format!(
                "operation {}: holder diameter {d} must be a positive number",
                k + 1
            )));
        }
    }
    let mut stock = Stock::new(
        [stock_box.min.x, stock_box.min.y],
        [stock_box.max.x, stock_box.max.y],
        stock_box.max.z,
        s.cell,
    )?;
    let grid = stock.grid();
    // Per program operation: the tool, the holder and the flute length under it.
    let kit = |c: &Cutter, d: f64| (Tool::new(c), Tool::Flat { r: d / 2.0 }, c.flute_length());
    let default_kit = kit(&s.cutter, s.holder_diameter);
    let kits: Vec<_> = s.operation_tools.iter().map(|(c, d)| kit(c, *d)).collect();
    let kit_of = |op: usize| {
        op.checked_sub(1)
            .and_then(|i| kits.get(i))
            .unwrap_or(&default_kit)
    };
    let mut owner = vec![u32::MAX; stock.heights.len()];
    let mut listed: Vec<Problem> = Vec::new();
    let mut unlisted = [0usize; 4];
    let total = program.moves.len().max(1);
    for (k, m) in program.moves.iter().enumerate() {
        if k % 2048 == 0 && !progress(0.8 * k as f32 / total as f32) {
            return Err(VerifyError::Cancelled);
        }
        if !m.end_known {
            continue;
        }
        let &(tool, holder, lift) = kit_of(m.operation);
        let to = m.to.to_array();
        let path = match (m.start_known, m.centre) {
            // From an unknown place: the tool is at least where it arrives.
            (false, _) => Path::Line(to, to),
            (true, None) => Path::Line(m.from.to_array(), to),
            (true, Some(c)) => {
                let c = c.to_array();
                let from = m.from.to_array();
                let sweep = crate::toolpath::arc_sweep(
                    [from[0], from[1]],
                    [to[0], to[1]],
                    c,
                    m.kind == Kind::ArcCcw,
                );
                Path::Arc(from, to, c, sweep)
            }
        };
        let mut note = |kind: ProblemKind, probe: &Probe| {
            if probe.deepest <= s.tolerance {
                return;
            }
            if listed.iter().filter(|p| p.kind == kind).count() >= MAX_LISTED {
                unlisted[kind as usize] += 1;
                return;
            }
            let (i, j) = (probe.at % grid.nx, probe.at / grid.nx);
            let c = stock.centre(i, j);
            listed.push(Problem {
                kind,
                line: Some(m.line),
                depth: probe.deepest,
                at: [c[0], c[1], f64::from(stock.heights[probe.at])],
                area: 0.0,
            });
        };
        let mut held = Probe::new(&stock.heights);
        path.raised(lift).sweep(&grid, &mut held, &holder);
        let crashed = held.deepest > s.tolerance;
        note(ProblemKind::HolderCollision, &held);
        if m.kind == Kind::Rapid {
            let mut probe = Probe::new(&stock.heights);
            path.sweep(&grid, &mut probe, &tool);
            note(ProblemKind::RapidThroughStock, &probe);
        }
        if crashed {
            // The holder pushes through what it meets; the next moves find it gone rather
            // than report the same collision again.
            path.raised(lift).sweep(
                &grid,
                &mut Track {
                    heights: &mut stock.heights,
                    owner: &mut owner,
                    current: k as u32,
                },
                &holder,
            );
        }
        path.sweep(
            &grid,
            &mut Track {
                heights: &mut stock.heights,
                owner: &mut owner,
                current: k as u32,
            },
            &tool,
        );
    }
    let top = model_heights(&stock, model);
    if !progress(0.85) {
        return Err(VerifyError::Cancelled);
    }
    let deviation = deviations(&stock, &top, model, s.tolerance, progress)?;
    let area = grid.cell * grid.cell;
    let point = |idx: usize| {
        let c = stock.centre(idx % grid.nx, idx / grid.nx);
        [c[0], c[1], f64::from(stock.heights[idx])]
    };
    // Gouges: regions deeper than the tolerance, each at its deepest cell.
    let blame = |idx: usize| {
        let o = owner[idx];
        let op = program.moves.get(o as usize).map_or(0, |m| m.operation);
        culprit(program, &kit_of(op).0, &stock, o, idx)
    };
    let mut gouges: Vec<Problem> = regions(&grid, &deviation, |d| f64::from(d) < -s.tolerance)
        .into_iter()
        .map(|(idx, cells)| Problem {
            kind: ProblemKind::Gouge,
            line: blame(idx),
            depth: -f64::from(deviation[idx]),
            at: point(idx),
            area: cells as f64 * area,
        })
        .collect();
    gouges.sort_by(|a, b| b.depth.total_cmp(&a.depth));
    let mut left: Vec<Problem> = regions(&grid, &deviation, |d| f64::from(d) > s.leftover)
        .into_iter()
        .map(|(idx, cells)| Problem {
            kind: ProblemKind::MaterialLeft,
            line: None,
            depth: f64::from(deviation[idx]),
            at: point(idx),
            area: cells as f64 * area,
        })
        .collect();
    left.sort_by(|a, b| b.depth.total_cmp(&a.depth));
    for (kind, mut list) in [
        (ProblemKind::Gouge, gouges),
        (ProblemKind::MaterialLeft, left),
    ] {
        let cap = match kind {
            ProblemKind::MaterialLeft => MAX_LEFT_LISTED,
            _ => MAX_LISTED,
        };
        if list.len() > cap {
            unlisted[kind as usize] += list.len() - cap;
            list.truncate(cap);
        }
        listed.extend(list);
    }
    // The extremes over all cells, listed or not.
    let (mut lo, mut hi) = (None::<usize>, None::<usize>);
    for (idx, &d) in deviation.iter().enumerate() {
        if d.is_nan() {
            continue;
        }
        if d < 0.0 && lo.is_none_or(|l| d < deviation[l]) {
            lo = Some(idx);
        }
        if d > 0.0 && hi.is_none_or(|h| d > deviation[h]) {
            hi = Some(idx);
        }
    }
    let deepest_gouge = lo.map(|idx| Problem {
        kind: ProblemKind::Gouge,
        line: blame(idx),
        depth: -f64::from(deviation[idx]),
        at: point(idx),
        area: 0.0,
    });
    let most_left = hi.map(|idx| Problem {
        kind: ProblemKind::MaterialLeft,
        line: None,
        depth: f64::from(deviation[idx]),
        at: point(idx),
        area: 0.0,
    });
    if !progress(1.0) {
        return Err(VerifyError::Cancelled);
    }
    Ok(Report {
        problems: listed,
        unlisted,
        deepest_gouge,
        most_left,
        stock,
        deviation,
        moves: program.moves.len(),
    })
}

/// The program line that put the tool where it cut cell `idx` lowest: the line of move `o`
/// (the move that lowered the cell last), unless the tool was lowest over the cell at the
/// move's start, which the move before programmed (lowering one line's Z lowers both the
/// move into the point and the move out of it; the line to fix is the first).
fn culprit(program: &Program, tool: &Tool, stock: &Stock, o: u32, idx: usize) -> Option<usize> {
    let m = program.moves.get(o as usize)?;
    let prev = (o as usize).checked_sub(1).map(|p| &program.moves[p]);
    let Some(prev) = prev.filter(|p| p.end_known && m.start_known && p.to == m.from) else {
        return Some(m.line);
    };
    let c = stock.centre(idx % stock.nx, idx / stock.nx);
    let d2 = (c[0] - m.from.x).powi(2) + (c[1] - m.from.y).powi(2);
    let r = tool.radius();
    let at_start = m.from.z + tool.height_sq(d2);
    let h = f64::from(stock.heights[idx]);
    if d2 <= r * r && at_start <= h + 1e-6 {
        Some(prev.line)
    } else {
        Some(m.line)
    }
}

/// The model's highest surface over each cell's centre (NaN: none), by rasterising every
/// triangle that is not vertical.
pub fn model_heights(stock: &Stock, model: &Model) -> Vec<f32> {
    let g = stock.grid();
    let mut top = vec![f32::NAN; g.nx * g.ny];
    for t in model.mesh().triangles().chunks_exact(9) {
        let p = |k: usize| {
            [
                f64::from(t[3 * k]),
                f64::from(t[3 * k + 1]),
                f64::from(t[3 * k + 2]),
            ]
        };
        let (a, b, c) = (p(0), p(1), p(2));
        // Twice the signed area seen from above; vertical triangles have none.
        let den = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
        if den.abs() < 1e-14 {
            continue;
        }
        let (j0, j1) = g.rows(a[1].min(b[1]).min(c[1]), a[1].max(b[1]).max(c[1]));
        let (i0, i1) = g.cols(a[0].min(b[0]).min(c[0]), a[0].max(b[0]).max(c[0]));
        // Barycentric weights, with a little slack so that centres on a shared edge are
        // inside one of its triangles whatever the rounding.
        let eps = -1e-9;
        for j in j0..j1 {
            let y = g.origin[1] + (j as f64 + 0.5) * g.cell;
            for i in i0..i1 {
                let x = g.origin[0] + (i as f64 + 0.5) * g.cell;
                let wb = ((x - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (y - a[1])) / den;
                let wc = ((b[0] - a[0]) * (y - a[1]) - (x - a[0]) * (b[1] - a[1])) / den;
                let wa = 1.0 - wb - wc;
                if wa < eps || wb < eps || wc < eps {
                    continue;
                }
                let z = (wa * a[2] + wb * b[2] + wc * c[2]) as f32;
                let cell = &mut top[j * g.nx + i];
                if !(*cell >= z) {
                    *cell = z;
                }
            }
        }
    }
    top
}

/// The signed normal deviation of every cell (see [`Report::deviation`]).
fn deviations(
    stock: &Stock,
    top: &[f32],
    model: &Model,
    tol: f64,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Vec<f32>, Cancelled> {
    let g = stock.grid();
    let mut out = vec![f32::NAN; top.len()];
    for j in 0..g.ny {
        if j % 64 == 0 && !progress(0.85 + 0.15 * j as f32 / g.ny as f32) {
            return Err(Cancelled);
        }
        for i in 0..g.nx {
            let idx = j * g.nx + i;
            let m = top[idx];
            if m.is_nan() {
                continue;
            }
            let h = f64::from(stock.heights[idx]);
            let dv = h - f64::from(m);
            // Within the tolerance vertically is within it along the normal too.
            if dv.abs() <= tol {
                out[idx] = dv as f32;
                continue;
            }
            let c = stock.centre(i, j);
            out[idx] = if dv < 0.0 {
                -column_depth(model, c, h, f64::from(m), tol * 0.1) as f32
            } else {
                let reach = dv.min(LEFT_SEARCH);
                nearest_surface(model, [c[0], c[1], h], reach).min(reach) as f32
            };
        }
    }
    Ok(out)
}

/// How deep a cut column reaches into the model: the largest distance to the model's
/// surface of any point of the column over `c` from the stock's top `h` up to the model's
/// top `m`, all of which the cut removed from inside the model. At the column's foot this
/// is the normal depth of the cut surface; where the cut went down a wall to the model's
/// own bottom, the foot lies on that bottom and the depth is the one beside the wall,
/// halfway up.
///
/// A branch and bound finds the maximum of the distance `f` along the column to within
/// `eps` or 1 % of it, whichever is larger. The distance `d_T` to each triangle is convex
/// along a line, so over an interval `[a, b]` it is at most `max(d_T(a), d_T(b))`, and `f`,
/// their minimum, at most the least of those; `f` is also 1-Lipschitz, so at most
/// `(f(a) + f(b) + b - a) / 2`. An interval is split only while its bound could beat the
/// best by more than the precision. Under a sloped top the top triangle's own bound settles
/// the column at once (its distance is zero at the top, so largest at the foot); beside a
/// wall the wall's constant distance does. Depths are searched up to [`GOUGE_SEARCH`],
/// with at most [`COLUMN_EVALS`] evaluations (the best found is a lower bound then).
fn column_depth(model: &Model, c: [f64; 2], h: f64, m: f64, eps: f64) -> f64 {
    let reach = (m - h).min(GOUGE_SEARCH);
    let mut tris: Vec<[f64; 9]> = Vec::new();
    model.for_each_in_box(
        [c[0] - reach, c[1] - reach],
        [c[0] + reach, c[1] + reach],
        h - reach,
        &mut |t| tris.push(std::array::from_fn(|k| f64::from(t[k]))),
    );
    // The distance to each triangle at height z, and their minimum (at most `reach`).
    let eval = |z: f64| -> (f64, Vec<f64>) {
        let q = [c[0], c[1], z];
        let d: Vec<f64> = tris
            .iter()
            .map(|t| {
                point_triangle_dist2(
                    q,
                    [t[0], t[1], t[2]],
                    [t[3], t[4], t[5]],
                    [t[6], t[7], t[8]],
                )
                .sqrt()
            })
            .collect();
        let f = d.iter().copied().fold(reach, f64::min);
        (f, d)
    };
    // What `[a, b]` can hold at most: each distance is convex along the column, so it is
    // at most the larger of its ends, and their minimum is 1-Lipschitz.
    let bound = |a: f64, fa: f64, da: &[f64], b: f64, fb: f64, db: &[f64]| {
        let convex = da
            .iter()
            .zip(db)
            .map(|(x, y)| x.max(*y))
            .fold(reach, f64::min);
        convex.min(0.5 * (fa + fb + (b - a)))
    };
    let eps = eps.max(1e-6);
    let (fa, da) = eval(h);
    let (fb, db) = eval(m);
    let mut best = fa.max(fb);
    let mut evals = 2;
    let mut stack = vec![(h, fa, da, m, fb, db)];
    while let Some((a, fa, da, b, fb, db)) = stack.pop() {
        if bound(a, fa, &da, b, fb, &db) <= best + eps.max(0.01 * best) {
            continue;
        }
        if evals >= COLUMN_EVALS {
            break;
        }
        evals += 1;
        let mid = 0.5 * (a + b);
        let (fm, dm) = eval(mid);
        best = best.max(fm);
        stack.push((a, fa, da, mid, fm, dm.clone()));
        stack.push((mid, fm, dm, b, fb, db));
    }
    best
}

/// The distance from `q` to the nearest triangle within `reach` of it (`reach` when none is
/// nearer).
pub fn nearest_surface(model: &Model, q: [f64; 3], reach: f64) -> f64 {
    let mut best2 = reach * reach;
    model.for_each_in_box(
        [q[0] - reach, q[1] - reach],
        [q[0] + reach, q[1] + reach],
        q[2] - reach,
        &mut |t| {
            let p = |k: usize| {
                [
                    f64::from(t[3 * k]),
                    f64::from(t[3 * k + 1]),
                    f64::from(t[3 * k + 2]),
                ]
            };
            let d2 = point_triangle_dist2(q, p(0), p(1), p(2));
            if d2 < best2 {
                best2 = d2;
            }
        },
    );
    best2.sqrt()
}

/// Squared distance from `p` to triangle `abc` ([`closest_on_triangle`]).
pub fn point_triangle_dist2(p: [f64; 3], a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> f64 {
    let v = DVec3::from_array;
    let p = v(p);
    (p - closest_on_triangle(p, v(a), v(b), v(c))).length_squared()
}

/// Connected regions (8-neighbours) of the cells whose deviation passes `hit`, each as its
/// most extreme cell (largest |deviation|) and its number of cells.
fn regions(g: &Grid, dev: &[f32], hit: impl Fn(f32) -> bool) -> Vec<(usize, usize)> {
    let mut seen = vec![false; dev.len()];
    let mut out = Vec::new();
    let mut queue = VecDeque::new();
    for start in 0..dev.len() {
        if seen[start] || !hit(dev[start]) {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        let (mut best, mut count) = (start, 0usize);
        while let Some(idx) = queue.pop_front() {
            count += 1;
            if dev[idx].abs() > dev[best].abs() {
                best = idx;
            }
            let (i, j) = ((idx % g.nx) as isize, (idx / g.nx) as isize);
            for dj in -1..=1 {
                for di in -1..=1 {
                    let (ni, nj) = (i + di, j + dj);
                    if ni < 0 || nj < 0 || ni >= g.nx as isize || nj >= g.ny as isize {
                        continue;
                    }
                    let n = nj as usize * g.nx + ni as usize;
                    if !seen[n] && hit(dev[n]) {
                        seen[n] = true;
                        queue.push_back(n);
                    }
                }
            }
        }
        out.push((best, count));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
        [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
    }

    /// The closed form against the minimum over a dense barycentric sampling of the
    /// triangle: never above it, and below it by no more than the sampling's spacing.
    #[test]
    fn point_triangle_distance_matches_sampling() {
        let mut seed = 12345u64;
        let mut rnd = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        };
        let n = 200;
        for _ in 0..300 {
            let a = [rnd(), rnd(), rnd()];
            let b = [rnd(), rnd(), rnd()];
            let c = [rnd(), rnd(), rnd()];
            let p = [rnd(), rnd(), rnd()];
            let exact = point_triangle_dist2(p, a, b, c).sqrt();
            let mut best = f64::INFINITY;
            let mut edge: f64 = 0.0;
            for (u, v) in [(a, b), (b, c), (c, a)] {
                edge = edge.max(sub(u, v).iter().map(|x| x * x).sum::<f64>().sqrt());
            }
            for i in 0..=n {
                for j in 0..=n - i {
                    let (s, t) = (i as f64 / n as f64, j as f64 / n as f64);
                    let q: [f64; 3] =
                        std::array::from_fn(|k| a[k] + s * (b[k] - a[k]) + t * (c[k] - a[k]));
                    best = best.min(sub(p, q).iter().map(|x| x * x).sum::<f64>().sqrt());
                }
            }
            assert!(exact <= best + 1e-12, "{exact} > {best}");
            assert!(exact >= best - edge / n as f64, "{exact} << {best}");
        }
    }
}

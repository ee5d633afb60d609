//! Cycle time as a GRBL-style planner sees it.
//!
//! What it models, as GRBL 1.1 does:
//! - every move is a block; arcs are cut into chords first, as GRBL's `mc_arc` does, with as
//!   many segments as keep each chord within `arc_tolerance` of the arc;
//! - a block's nominal speed is its feed (rapids: the rapid rate), capped so that no axis
//!   exceeds its maximum rate; its acceleration is the largest whose share on each axis stays
//!   within that axis's limit;
//! - the speed through a junction is bounded by the junction deviation: the tool may pass a
//!   corner as fast as a circle of that deviation, tangent to both blocks, allows at the
//!   junction's acceleration (`v² = a δ sin(θ/2) / (1 − sin(θ/2))`), and never faster than
//!   either block's nominal speed; a reversal stops;
//! - look-ahead as far as GRBL's block buffer reaches ([`Machine::planner_blocks`], 15):
//!   the speed at which the tool leaves a block is fixed while that block is the oldest in
//!   the buffer, so it must allow a stop by the end of the 14 blocks after it. A run of short
//!   segments (0.1 mm chords at 3000 mm/min and 500 mm/s²) therefore never reaches its feed:
//!   GRBL can stop within 1.4 mm and no faster than that allows (37 mm/s). The program
//!   starts and ends at rest;
//! - each block is a trapezoid (or a triangle): accelerate from its entry speed, cruise,
//!   decelerate to the next block's entry speed.
//!
//! Checked against GRBL 1.1h itself, its planner and stepper run by grbl-sim on a simulated
//! clock: squares, a raster of short segments, arcs and a helix, rapids and plunges, 0.1 mm
//! chords and a Swarf waterline program, on two machines, all within 0.1 % (BENCHMARKS.md,
//! "Cycle time against GRBL's planner"; the figures are in `tests/gcode_time.rs`). Without
//! the 15-block buffer the 0.1 mm chords come out 16 % short.
//!
//! Not modelled: dwells, spindle spin-up, tool changes and pauses (`M0`), feed overrides,
//! the step-rate limit of the controller; the full stop GRBL makes at a spindle or coolant
//! command (`M3`–`M5`, `M7`–`M9` wait for the buffer to empty); a sender too slow to keep the
//! buffer full (over a serial line, very short segments at high feed can starve it).

use super::read::{Kind, Motion, Program};
use crate::geom::DVec3;
use crate::geom::Det;

/// The machine, in mm and seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// Maximum rate per axis (X, Y, Z), mm/min; rapids run at it.
    pub max_rate: [f64; 3],
    /// Acceleration per axis, mm/s².
    pub acceleration: [f64; 3],
    /// GRBL's junction deviation ($11), mm.
    pub junction_deviation: f64,
    /// GRBL's arc tolerance ($12), mm.
    pub arc_tolerance: f64,
    /// Blocks the planner holds at once, the oldest being executed. GRBL 1.1 declares
    /// `BLOCK_BUFFER_SIZE` 16 and its ring keeps one slot free, so 15 (14 with
    /// `USE_LINE_NUMBERS`). A number at least the program's block count plans the whole
    /// program at once.
    pub planner_blocks: usize,
}

impl Default for Machine {
    /// GRBL 1.1's defaults for a generic machine.
    fn default() -> Self {
        Machine {
            max_rate: [3000.0; 3],
            acceleration: [500.0; 3],
            junction_deviation: 0.01,
            arc_tolerance: 0.002,
            planner_blocks: 15,
        }
    }
}

/// The time a program takes, and where.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Timing {
    /// Seconds in all.
    pub total: f64,
    /// Seconds cutting (G1, G2, G3).
    pub feed: f64,
    /// Seconds positioning (G0).
    pub rapid: f64,
    /// Seconds per operation, named as the program names them.
    pub operations: Vec<(String, f64)>,
    /// Planner blocks (arcs count their chords).
    pub blocks: usize,
}

struct Block {
    len: f64,
    unit: DVec3,
    nominal: f64,
    accel: f64,
    rapid: bool,
    operation: usize,
}

fn limit_by_axes(limits: [f64; 3], unit: DVec3) -> f64 {
    let mut v = f64::INFINITY;
    for (k, &lim) in limits.iter().enumerate() {
        let u = unit[k].abs();
        if u > 1e-12 {
            v = v.min(lim / u);
        }
    }
    v
}

/// Chord end points of an arc move, as GRBL cuts it.
fn chords(m: &Motion, tol: f64) -> Vec<DVec3> {
    let Some(c) = m.centre else {
        return vec![m.to];
    };
    let (a, b) = (m.from, m.to);
    let ra = (a.x - c.x).dhypot(a.y - c.y);
    let a0 = (a.y - c.y).datan2(a.x - c.x);
    let a1 = (b.y - c.y).datan2(b.x - c.x);
    let tau = std::f64::consts::TAU;
    let mut sweep = a1 - a0;
    if m.kind == Kind::ArcCw {
        if sweep >= -1e-12 {
            sweep -= tau;
        }
    } else if sweep <= 1e-12 {
        sweep += tau;
    }
    let seg = (tol * (2.0 * ra - tol)).max(1e-12).sqrt();
    let n = ((0.5 * sweep.abs() * ra / seg).floor() as usize).clamp(1, 1_000_000);
    let rb = (b.x - c.x).dhypot(b.y - c.y);
    (1..=n)
        .map(|k| {
            if k == n {
                return b;
            }
            let t = k as f64 / n as f64;
            let ang = a0 + sweep * t;
            let r = ra + (rb - ra) * t;
            DVec3::new(
                c.x + r * ang.dcos(),
                c.y + r * ang.dsin(),
                a.z + (b.z - a.z) * t,
            )
        })
        .collect()
}

/// The most planner blocks one program may make (arcs count their chords): 20 million
/// blocks is weeks of machining, and about a gigabyte to plan.
pub const MAX_BLOCKS: usize = 20_000_000;

/// A program too large to plan: the line where it passes [`MAX_BLOCKS`].
#[derive(Clone, Debug, PartialEq)]
pub struct TooLarge {
    /// The line of the move that passes the limit.
    pub line: usize,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: the program passes {MAX_BLOCKS} planner blocks (arcs count their chords): too large to time",
            self.line
        )
    }
}

/// Chords an arc move is cut into (1 for a straight move).
fn chord_count(m: &Motion, tol: f64) -> usize {
    let Some(c) = m.centre else {
        return 1;
    };
    let ra = (m.from.x - c.x).dhypot(m.from.y - c.y);
    let seg = (tol * (2.0 * ra - tol)).max(1e-12).sqrt();
    ((0.5 * std::f64::consts::TAU * ra / seg).floor() as usize).clamp(1, 1_000_000)
}

/// Plans a program on a machine; refuses one that would make more than [`MAX_BLOCKS`].
pub fn plan(p: &Program, m: &Machine) -> Result<Timing, TooLarge> {
    let mut total = 0usize;
    for mv in &p.moves {
        total += chord_count(mv, m.arc_tolerance);
        if total > MAX_BLOCKS {
            return Err(TooLarge { line: mv.line });
        }
    }
    Ok(plan_blocks(p, m))
}

fn plan_blocks(p: &Program, m: &Machine) -> Timing {
    let mut blocks: Vec<Block> = Vec::with_capacity(p.moves.len());
    for mv in &p.moves {
        let mut from = mv.from;
        for to in chords(mv, m.arc_tolerance) {
            let d = to - from;
            let len = d.length();
            if len < 1e-9 {
                continue;
            }
            let unit = d / len;
            let rapid = mv.kind == Kind::Rapid;
            let rate = if rapid { f64::INFINITY } else { mv.feed };
            let nominal = rate.min(limit_by_axes(m.max_rate, unit)) / 60.0;
            blocks.push(Block {
                len,
                unit,
                nominal,
                accel: limit_by_axes(m.acceleration, unit),
                rapid,
                operation: mv.operation,
            });
            from = to;
        }
    }
    let n = blocks.len();
    // Largest entry speed² of each block from the junction with the one before.
    let mut max_entry = vec![0.0; n];
    for k in 1..n {
        let (a, b) = (&blocks[k - 1], &blocks[k]);
        let cos = -a.unit.dot(b.unit);
        let v2 = if cos > 0.999_999 {
            0.0
        } else if cos < -0.999_999 {
            f64::INFINITY
        } else {
            let ju = (b.unit - a.unit).normalize_or_zero();
            let ja = limit_by_axes(m.acceleration, ju);
            let s = (0.5 * (1.0 - cos)).sqrt();
            ja * m.junction_deviation * s / (1.0 - s)
        };
        max_entry[k] = v2.min(a.nominal * a.nominal).min(b.nominal * b.nominal);
    }
    let entry = entry_speeds(&blocks, &max_entry, m.planner_blocks);
    let mut t = Timing {
        blocks: n,
        operations: p.operations.iter().map(|o| (o.clone(), 0.0)).collect(),
        ..Timing::default()
    };
    for k in 0..n {
        let b = &blocks[k];
        let v0 = entry[k].sqrt();
        let v1 = if k + 1 < n { entry[k + 1].sqrt() } else { 0.0 };
        let dt = trapezoid(b.len, v0, b.nominal, v1, b.accel);
        t.total += dt;
        if b.rapid {
            t.rapid += dt;
        } else {
            t.feed += dt;
        }
        if let Some(o) = t.operations.get_mut(b.operation) {
            o.1 += dt;
        }
    }
    t.operations
        .retain(|(name, s)| !name.is_empty() || *s > 0.0);
    t
}

/// The speed² at which each block is entered, as GRBL settles it with `window` blocks in its
/// buffer.
///
/// GRBL replans its whole buffer whenever a block arrives, but what the stepper has started
/// stays: the junction between blocks `k` and `k + 1` is final once the stepper is done
/// preparing block `k`, and at that moment the buffer holds `k` to `k + window − 1` (it is
/// kept full: a block leaves, the next program line enters). So the exit of block `k` is the
/// smallest of: the junction's limit, the speed from which blocks `k + 1 ..= k + window − 1`
/// can still bring the tool to rest (the buffer's last block always plans to stop), and
/// what block `k`'s own length lets the tool reach from its entry. With the window as long
/// as the program this is the classic backward-then-forward pass.
fn entry_speeds(blocks: &[Block], max_entry: &[f64], window: usize) -> Vec<f64> {
    let n = blocks.len();
    let reach = |k: usize| 2.0 * blocks[k].accel * blocks[k].len;
    let mut entry = max_entry.to_vec();
    if window >= n {
        // Backward: each block must be able to slow to the next one's entry (the last to rest).
        let mut next = 0.0f64;
        for k in (0..n).rev() {
            entry[k] = entry[k].min(next + reach(k));
            next = entry[k];
        }
    } else {
        // The same pass once per junction, over the blocks the buffer holds when it is fixed.
        // A buffer of one block stops after every block.
        let ahead = window.saturating_sub(1);
        for (k, e) in entry.iter_mut().enumerate().skip(1) {
            let mut v2 = 0.0f64;
            if ahead > 0 {
                let last = (k + ahead - 1).min(n - 1);
                for i in (k..=last).rev() {
                    v2 = max_entry[i].min(v2 + reach(i));
                }
            }
            *e = v2;
        }
    }
    // Forward: each block's entry is reachable from the previous one's.
    for k in 1..n {
        entry[k] = entry[k].min(entry[k - 1] + reach(k - 1));
    }
    entry
}

/// Seconds to run `len` starting at `v0`, cruising at most at `vmax`, ending at `v1`, with
/// acceleration `a` (speeds in units per second).
pub fn trapezoid(len: f64, v0: f64, vmax: f64, v1: f64, a: f64) -> f64 {
    let v0 = v0.min(vmax);
    let v1 = v1.min(vmax);
    let d_acc = (vmax * vmax - v0 * v0) / (2.0 * a);
    let d_dec = (vmax * vmax - v1 * v1) / (2.0 * a);
    if d_acc + d_dec <= len {
        (vmax - v0) / a + (vmax - v1) / a + (len - d_acc - d_dec) / vmax
    } else {
        // No cruise: the peak where the two ramps meet.
        let vp = ((2.0 * a * len + v0 * v0 + v1 * v1) / 2.0).sqrt();
        (vp - v0).max(0.0) / a + (vp - v1).max(0.0) / a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gcode::read::read;

    fn machine() -> Machine {
        Machine {
            max_rate: [6000.0, 6000.0, 600.0],
            acceleration: [100.0; 3],
            junction_deviation: 0.01,
            arc_tolerance: 0.002,
            planner_blocks: 15,
        }
    }

    #[test]
    fn one_line_is_a_trapezoid_by_hand() {
        // 100 mm at 600 mm/min = 10 mm/s, a = 100: 0.1 s and 0.5 mm each way, 99 mm cruise.
        let p = read("G0 X0 Y0 Z0\nG1 X100 F600\n").unwrap();
        let t = plan(&p, &machine()).unwrap();
        assert!((t.total - (0.1 + 0.1 + 9.9)).abs() < 1e-9, "{t:?}");
        assert_eq!(t.rapid, 0.0);
    }

    #[test]
    fn a_short_line_is_a_triangle() {
        // 1 mm at 6000 mm/min (100 mm/s) with a = 100: peak √(100) = 10 mm/s, 0.2 s.
        let p = read("G1 X1 F6000\n").unwrap();
        let t = plan(&p, &machine()).unwrap();
        assert!((t.total - 0.2).abs() < 1e-9, "{t:?}");
    }

    #[test]
    fn a_right_angle_slows_to_the_junction_speed() {
        let p = read("G1 X100 F600\nY100\n").unwrap();
        let t = plan(&p, &machine()).unwrap();
        // sin(θ/2) at 90° is √0.5; the junction acceleration along (−1, 1)/√2 is 100√2.
        let s = 0.5f64.sqrt();
        let v2 = 100.0 * 2f64.sqrt() * 0.01 * s / (1.0 - s);
        let vj = v2.sqrt().min(10.0);
        let one = |v0: f64, v1: f64| trapezoid(100.0, v0, 10.0, v1, 100.0);
        assert!((t.total - (one(0.0, vj) + one(vj, 0.0))).abs() < 1e-9);
        assert!(t.total > 20.0 && t.total < 20.2, "{t:?}");
    }

    /// `n` collinear moves of `len` along X at `feed`.
    fn run_of(n: usize, len: f64, feed: f64) -> Program {
        let mut text = format!("G1 X{len} F{feed}\n");
        for k in 2..=n {
            text.push_str(&format!("X{}\n", k as f64 * len));
        }
        read(&text).unwrap()
    }

    #[test]
    fn the_buffer_holds_short_segments_below_their_feed() {
        // 0.1 mm segments at 6000 mm/min (100 mm/s), a = 100: from any junction the buffer
        // sees 14 blocks, 1.4 mm, so the tool passes it at v = √(2·100·1.4) = √280 mm/s and,
        // between two junctions, peaks at √(a·len + v²) = √290 and comes back: each block in
        // the middle of the run takes 2(√290 − √280)/a. The ends cancel in the difference
        // of two runs.
        let m = machine();
        let middle = 2.0 * (290f64.sqrt() - 280f64.sqrt()) / 100.0;
        let t1000 = plan(&run_of(1000, 0.1, 6000.0), &m).unwrap().total;
        let t500 = plan(&run_of(500, 0.1, 6000.0), &m).unwrap().total;
        assert!(
            ((t1000 - t500) - 500.0 * middle).abs() < 1e-9,
            "{t1000} {t500}"
        );
        // Planning the whole program at once, the same run reaches its feed.
        let whole = Machine {
            planner_blocks: usize::MAX,
            ..m
        };
        let t = plan(&run_of(1000, 0.1, 6000.0), &whole).unwrap().total;
        let cruise = 100.0 / 100.0 + 100.0 / 100.0; // 100 mm at 100 mm/s plus one ramp's loss
        assert!((t - cruise).abs() < 1e-9, "{t}");
        // Longer segments need no more than the buffer: 1 mm ones at 600 mm/min plan as one.
        let ten = plan(&run_of(100, 1.0, 600.0), &m).unwrap().total;
        let one = plan(&read("G1 X100 F600\n").unwrap(), &m).unwrap().total;
        assert!((ten - one).abs() < 1e-9, "{ten} {one}");
    }

    #[test]
    fn a_buffer_of_one_block_stops_after_each() {
        // Every block is then a triangle from rest to rest: 2√(len/a) for 0.1 mm at a = 100.
        let m = Machine {
            planner_blocks: 1,
            ..machine()
        };
        let t = plan(&run_of(50, 0.1, 6000.0), &m).unwrap().total;
        assert!(
            (t - 50.0 * 2.0 * (0.1f64 / 100.0).sqrt()).abs() < 1e-9,
            "{t}"
        );
        // Two blocks: each junction is passed as fast as the next block alone can stop,
        // v² = 2·a·len = 20, and each block peaks at √(a·len + v²) = √30 between them.
        let m2 = Machine {
            planner_blocks: 2,
            ..machine()
        };
        let t100 = plan(&run_of(100, 0.1, 6000.0), &m2).unwrap().total;
        let t50 = plan(&run_of(50, 0.1, 6000.0), &m2).unwrap().total;
        let middle = 2.0 * (30f64.sqrt() - 20f64.sqrt()) / 100.0;
        assert!(((t100 - t50) - 50.0 * middle).abs() < 1e-9, "{t100} {t50}");
    }

    #[test]
    fn axis_limits_cap_rates_and_arcs_plan_as_chords() {
        // Z alone is held to 600 mm/min whatever the feed.
        let p = read("G1 Z-10 F6000\n").unwrap();
        let t = plan(&p, &machine()).unwrap();
        assert!(
            (t.total - (0.1 + 0.1 + (10.0 - 1.0) / 10.0)).abs() < 1e-9,
            "{t:?}"
        );
        // A full circle of radius 10 at 600 mm/min: nearly 2π·10/10 s, the chords' corners
        // too gentle to slow it much.
        let p = read("G0 X10 Y0\nG3 X10 Y0 I-10 J0 F600\n").unwrap();
        let t = plan(&p, &machine()).unwrap();
        let ideal = std::f64::consts::TAU;
        assert!(t.blocks > 100);
        assert!(t.feed > ideal && t.feed < ideal * 1.05, "{t:?}");
    }
}

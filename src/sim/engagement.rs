//! Radial engagement along a program, measured by removing material from a 2D picture of
//! each level, independently of how the program was planned.
//!
//! Each level (a height where the program cuts horizontally) has its own grid of cells,
//! material where the caller says the stock is. The program is walked in order, every move
//! in sub-steps of at most half a cell; a cutting sub-step below the level above (the top
//! of this level's slab) removes the cells whose centres lie within the tool's radius: a
//! ramp or helix coming down through the slab cuts it, and a move deeper down passes
//! through it with its flank. Horizontal cutting moves at the level are *measured*:
//! the area they remove over each window of `window` mm of their travel, divided by the
//! window, is the engagement width there (the radial depth of a straight side cut that
//! removes at the same rate). Ramps, helices and plunges remove but are not measured: an
//! entry takes the full width by nature; the window starts again after one.
//!
//! The equivalent angle of width `w` with tool radius `R` is `acos(1 − w/R)` (180° at
//! `w = 2R`, a slot).

use crate::geom::{ceil_fast, floor_fast, DVec2, Det, Rect};
use crate::toolpath::{Move, Toolpath};

/// The engagement at one level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Engagement {
    /// The level's height.
    pub z: f64,
    /// The widest window, mm.
    pub max_width: f64,
    /// Where that window ends.
    pub at: [f64; 2],
    /// The index of the move it ends in (in the program with arcs flattened).
    pub index: usize,
    /// The mean width over the measured travel that removed anything, mm.
    pub mean_width: f64,
    /// Measured travel, mm.
    pub length: f64,
}

impl Engagement {
    /// The angle of a side cut of width `w`, degrees.
    pub fn angle(w: f64, radius: f64) -> f64 {
        (1.0 - (w / radius).min(2.0)).dacos().to_degrees()
    }
}

/// Measures every level of `tp` cut by a tool of `radius` in `area`, cells of side `h`.
pub fn measure(
    tp: &Toolpath,
    radius: f64,
    area: Rect,
    h: f64,
    window: f64,
    material: &dyn Fn(DVec2) -> bool,
) -> Vec<Engagement> {
    let flat = tp.flattened(h * 0.25);
    let mut levels: Vec<f64> = flat
        .steps()
        .filter(|s| s.kind != Move::Rapid && (s.from[2] - s.to[2]).abs() < 1e-6)
        .map(|s| s.to[2])
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
    levels.reverse();
    (0..levels.len())
        .map(|k| {
            let top = if k == 0 { f64::INFINITY } else { levels[k - 1] };
            level(&flat, levels[k], top, radius, area, h, window, material)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn level(
    tp: &Toolpath,
    z: f64,
    top: f64,
    radius: f64,
    area: Rect,
    h: f64,
    window: f64,
    material: &dyn Fn(DVec2) -> bool,
) -> Engagement {
    let area = area.inflate(radius + 2.0 * h);
    let nx = (area.width() / h).ceil() as usize + 1;
    let ny = (area.height() / h).ceil() as usize + 1;
    let o = area.min;
    let mut cells: Vec<bool> = (0..nx * ny)
        .map(|k| material(o + DVec2::new((k % nx) as f64, (k / nx) as f64) * h))
        .collect();
    let mut remove = |c: DVec2| -> usize {
        let mut n = 0;
        let j0 = ceil_fast((c.y - radius - o.y) / h).max(0.0);
        let j1 = floor_fast((c.y + radius - o.y) / h).min((ny - 1) as f64);
        if j1 < j0 {
            return 0;
        }
        for j in j0 as usize..=j1 as usize {
            let dy = o.y + j as f64 * h - c.y;
            let half = (radius * radius - dy * dy).max(0.0).sqrt();
            let i0 = ceil_fast((c.x - half - o.x) / h).max(0.0);
            let i1 = floor_fast((c.x + half - o.x) / h).min((nx - 1) as f64);
            if i1 < i0 {
                continue;
            }
            for cell in &mut cells[j * nx + i0 as usize..=j * nx + i1 as usize] {
                if *cell {
                    *cell = false;
                    n += 1;
                }
            }
        }
        n
    };
    let cell_area = h * h;
    // The measured travel as (length, area removed) per sub-step, for the windows.
    let mut trail: std::collections::VecDeque<(f64, f64)> = Default::default();
    let (mut in_window, mut win_area) = (0.0, 0.0);
    let mut out = Engagement {
        z,
        max_width: 0.0,
        at: [0.0; 2],
        index: 0,
        mean_width: 0.0,
        length: 0.0,
    };
    let (mut cut_len, mut cut_area) = (0.0, 0.0);
    for s in tp.steps() {
        if s.from[2] >= top - 1e-6 && s.to[2] >= top - 1e-6 {
            // Above this level's slab (a layer above, or a lift): it removes nothing here.
            continue;
        }
        let measured =
            s.kind != Move::Rapid && (s.from[2] - z).abs() < 1e-6 && (s.to[2] - z).abs() < 1e-6;
        let len = s.length();
        let n = (len / (0.5 * h)).ceil().max(1.0) as usize;
        let d = len / n as f64;
        for k in 1..=n {
            let p = s.at(k as f64 / n as f64);
            if s.kind == Move::Rapid || p[2] >= top - 1e-6 {
                continue;
            }
            let a = remove(DVec2::new(p[0], p[1])) as f64 * cell_area;
            if !measured {
                // An entry or a lift: the tool leaves the cut, and the window starts again
                // when it is back.
                trail.clear();
                (in_window, win_area) = (0.0, 0.0);
                continue;
            }
            trail.push_back((d, a));
            in_window += d;
            win_area += a;
            while in_window - trail.front().map_or(0.0, |f| f.0) >= window - 1e-12 {
                let (fd, fa) = trail
                    .pop_front()
                    .expect("the trail is longer than a window");
                in_window -= fd;
                win_area -= fa;
            }
            out.length += d;
            if a > 0.0 {
                cut_len += d;
                cut_area += a;
            }
            let w = win_area / window;
            if w > out.max_width {
                out.max_width = w;
                out.at = [p[0], p[1]];
                out.index = s.index;
            }
        }
    }
    out.mean_width = if cut_len > 0.0 {
        cut_area / cut_len
    } else {
        0.0
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(tp: &mut Toolpath, z: f32, pts: &[[f32; 2]]) {
        tp.push(Move::Rapid, [pts[0][0], pts[0][1], 10.0]);
        tp.push(Move::Plunge, [pts[0][0], pts[0][1], z]);
        for p in &pts[1..] {
            tp.push(Move::Feed, [p[0], p[1], z]);
        }
    }

    #[test]
    fn a_side_cut_measures_its_width_and_a_slot_its_diameter() {
        // Material above y = 0; the tool (R 3) runs along y = -2: a 1 mm side cut.
        let area = Rect {
            min: DVec2::new(0.0, -10.0),
            max: DVec2::new(60.0, 10.0),
        };
        let mut tp = Toolpath::new();
        line(&mut tp, -1.0, &[[-5.0, -2.0], [60.0, -2.0]]);
        let e = measure(&tp, 3.0, area, 0.02, 1.0, &|p| p.y >= 0.0);
        assert_eq!(e.len(), 1);
        assert!((e[0].max_width - 1.0).abs() < 0.03, "{:?}", e[0]);
        assert!((e[0].mean_width - 1.0).abs() < 0.03, "{:?}", e[0]);
        assert!((Engagement::angle(1.0, 3.0) - 48.19).abs() < 0.01);
        // A slot through full material: the diameter.
        let mut tp = Toolpath::new();
        line(&mut tp, -1.0, &[[-5.0, 5.0], [60.0, 5.0]]);
        let e = measure(&tp, 3.0, area, 0.02, 1.0, &|p| p.y >= 0.0);
        assert!((e[0].max_width - 6.0).abs() < 0.05, "{:?}", e[0]);
    }

    #[test]
    fn an_inside_corner_of_an_offset_ring_takes_more_than_its_stepover() {
        // A 20 mm square cleared by rings 1 mm apart from the centre outwards: along a
        // side each ring takes 1 mm, in the corners more.
        let area = Rect {
            min: DVec2::new(-10.0, -10.0),
            max: DVec2::new(10.0, 10.0),
        };
        let mut tp = Toolpath::new();
        tp.push(Move::Rapid, [0.0, 0.0, 5.0]);
        tp.push(Move::Plunge, [0.0, 0.0, -1.0]);
        for k in 1..=7 {
            let a = k as f32;
            for p in [[a, -a], [a, a], [-a, a], [-a, -a], [a, -a]] {
                tp.push(Move::Feed, [p[0], p[1], -1.0]);
            }
        }
        let e = measure(&tp, 3.0, area, 0.02, 0.5, &|p| {
            p.x.abs() <= 10.0 && p.y.abs() <= 10.0
        });
        assert!(e[0].max_width > 1.5, "{:?}", e[0]);
    }
}

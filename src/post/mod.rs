//! G-code writers, one per controller dialect. Stub: lands with issue 3.

use crate::toolpath::{Move, Toolpath};

/// The controller a program is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    Linuxcnc,
    Grbl,
}

/// Program units (the job's units; the engine works in them throughout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    #[default]
    Mm,
    Inch,
}

/// Path blending mode (LinuxCNC).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Blend {
    /// `G64 P<tol>`: blend within this tolerance.
    Tolerance(f64),
    /// `G61`: exact stop at every point.
    ExactStop,
}

/// Everything the writer needs besides the toolpath.
#[derive(Clone, Debug, PartialEq)]
pub struct PostSettings {
    pub dialect: Dialect,
    pub units: Units,
    /// Cutting feed, units per minute.
    pub feed: f64,
    /// Plunge feed, units per minute.
    pub plunge_feed: f64,
    /// Spindle speed, rpm.
    pub spindle_rpm: f64,
    /// Height all rapids travel at.
    pub safe_height: f64,
    pub blend: Blend,
    /// Digits after the decimal point for coordinates.
    pub decimals: usize,
    /// Tool number for the tool change line where the dialect has one.
    pub tool_number: u32,
    /// One-line description put in the header comment (sanitised by the writer).
    pub comment: String,
}

/// Writes a whole program.
pub fn write_gcode(tp: &Toolpath, s: &PostSettings) -> String {
    let mut out = String::new();
    out.push_str(if s.units == Units::Mm {
        "G21\n"
    } else {
        "G20\n"
    });
    out.push_str("G90 G17\n");
    out.push_str(&format!("S{:.0} M3\n", s.spindle_rpm));
    for i in 0..tp.len() {
        let p = tp.point(i);
        match tp.kind(i) {
            Move::Rapid => out.push_str(&format!("G0 X{:.4} Y{:.4} Z{:.4}\n", p[0], p[1], p[2])),
            Move::Plunge => out.push_str(&format!(
                "G1 X{:.4} Y{:.4} Z{:.4} F{:.1}\n",
                p[0], p[1], p[2], s.plunge_feed
            )),
            Move::Feed => out.push_str(&format!(
                "G1 X{:.4} Y{:.4} Z{:.4} F{:.1}\n",
                p[0], p[1], p[2], s.feed
            )),
        }
    }
    out.push_str("M5\nM2\n");
    out
}

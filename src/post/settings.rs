//! Everything the writer needs besides the toolpath, and the check that it can be written.

use super::capabilities::Dialect;
use super::error::{PostError, Problem, Setting};
use super::number::{Fixed, MAX_DECIMALS};
use crate::units::Units;

/// Decimals for feed rates (`F`). Spindle speeds are whole rpm.
pub const RATE_DECIMALS: usize = 2;

/// Path blending mode (`G64`/`G61` where the controller has them; ignored elsewhere, e.g.
/// GRBL, which always blends by its junction deviation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Blend {
    /// `G64 P<tol>`: blend within this tolerance (a plain `G64` where the controller's G64
    /// takes no tolerance).
    Tolerance(f64),
    /// `G61`: the path goes exactly through every point, stopping where a corner needs it
    /// (LinuxCNC calls this exact path; `G61.1`, a full stop at every point, is not offered).
    ExactStop,
}

/// Everything the writer needs besides the toolpath.
#[derive(Clone, Debug, PartialEq)]
pub struct PostSettings {
    /// The controller the program is for.
    pub dialect: Dialect,
    /// Units of the toolpath and of the program (`G21`/`G20`).
    pub units: Units,
    /// Cutting feed, units per minute.
    pub feed: f64,
    /// Plunge feed, units per minute.
    pub plunge_feed: f64,
    /// Spindle speed, rpm. 0 still writes `S0 M3` (for spindles set by hand).
    pub spindle_rpm: f64,
    /// Height all sideways rapids travel at.
    pub safe_height: f64,
    /// Path blending, where the dialect has it.
    pub blend: Blend,
    /// Digits after the decimal point for coordinates (at most [`MAX_DECIMALS`]).
    pub decimals: usize,
    /// Tool number for a single-toolpath program; 0 = no tool change (the cutter is already
    /// in the spindle). Programs of several operations take each one's from its section.
    pub tool_number: u32,
    /// One-line description put in the header comment (sanitised by the writer).
    pub comment: String,
}

impl Default for PostSettings {
    fn default() -> PostSettings {
        PostSettings::for_units(Units::Mm)
    }
}

impl PostSettings {
    /// LinuxCNC defaults for the given units (the numbers are starting points, not advice
    /// for any particular material).
    pub fn for_units(units: Units) -> PostSettings {
        let (feed, plunge_feed, safe_height, tol) = match units {
            Units::Mm => (800.0, 200.0, 5.0, 0.01),
            Units::Inch => (30.0, 8.0, 0.2, 0.0005),
        };
        PostSettings {
            dialect: Dialect::Linuxcnc,
            units,
            feed,
            plunge_feed,
            spindle_rpm: 12000.0,
            safe_height,
            blend: Blend::Tolerance(tol),
            decimals: units.default_decimals(),
            tool_number: 1,
            comment: String::new(),
        }
    }

    /// Checks that every setting can be written at the program's precision; the error
    /// names the setting, its value and the problem.
    pub fn validate(&self) -> Result<(), PostError> {
        let bad = |field, value, problem| {
            Err(PostError::Setting {
                field,
                value,
                problem,
            })
        };
        let caps = self.dialect.capabilities();
        if self.units == Units::Inch && !caps.inch {
            return Err(PostError::Units {
                units: self.units,
                controller: caps.name,
            });
        }
        let most = match self.units {
            Units::Mm => caps.max_decimals[0],
            Units::Inch => caps.max_decimals[1],
        };
        if self.decimals > most.min(MAX_DECIMALS) {
            let max = most.min(MAX_DECIMALS) as f64;
            return bad(
                Setting::Decimals,
                self.decimals as f64,
                Problem::AboveMax { max },
            );
        }
        let rate = Fixed::new(RATE_DECIMALS);
        for (field, v) in [
            (Setting::Feed, self.feed),
            (Setting::PlungeFeed, self.plunge_feed),
        ] {
            if let Err(p) = written_positive(rate, v) {
                return bad(field, v, p);
            }
        }
        // 0 rpm is a spindle set by hand; anything else must not round to it.
        let rpm = self.spindle_rpm;
        let problem = match Fixed::new(0).quantize(rpm) {
            Err(e) => Some(Problem::Number(e)),
            Ok(_) if rpm < 0.0 => Some(Problem::Negative),
            Ok(0) if rpm > 0.0 => Some(Problem::RoundsToZero { decimals: 0 }),
            Ok(_) => None,
        };
        if let Some(p) = problem {
            return bad(Setting::SpindleRpm, rpm, p);
        }
        let coord = Fixed::new(self.decimals);
        if let Err(e) = coord.quantize(self.safe_height) {
            return bad(Setting::SafeHeight, self.safe_height, Problem::Number(e));
        }
        // The blend setting means nothing to a dialect without a blending tolerance.
        let blends = caps.path_blending && caps.blend_tolerance;
        if let (true, Blend::Tolerance(t)) = (blends, self.blend) {
            if let Err(p) = written_positive(coord, t) {
                return bad(Setting::Blend, t, p);
            }
        }
        Ok(())
    }
}

/// `v` as a positive quantum of `fixed`, or why it is not one.
fn written_positive(fixed: Fixed, v: f64) -> Result<i64, Problem> {
    match fixed.quantize(v) {
        Ok(q) if q > 0 => Ok(q),
        Ok(_) if v > 0.0 => Err(Problem::RoundsToZero {
            decimals: fixed.decimals(),
        }),
        Ok(_) => Err(Problem::NotPositive),
        Err(e) => Err(Problem::Number(e)),
    }
}

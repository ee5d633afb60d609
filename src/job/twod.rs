//! Parameters of the 2D strategies, which cut drawings (SVG, DXF) into flat stock: engrave,
//! profile (with tabs), pocket and V-carve. Every depth is a positive distance below the
//! top of the material, which is Z 0 unless `z_top` says otherwise.

use super::choice::{ClearPattern, Milling};
use super::validate::{positive, wrong_tool};
use super::{err, JobError};
use crate::cutter::{Cutter, Shape};
use crate::schema::{Choice, Field, Quantity};
use serde::{Deserialize, Serialize};

pub(super) const DEPTH: Field = Field::number(
    "strategy.depth",
    "Depth (below the top)",
    Quantity::Length,
)
.range(Some(0.0), None, 0.1);
pub(super) const STEPDOWN: Field =
    Field::number("strategy.stepdown", "Stepdown", Quantity::Length).range(Some(0.0), None, 0.1);
pub(super) const Z_TOP: Field = Field::number(
    "strategy.z_top",
    "Material top Z (empty: 0)",
    Quantity::Length,
)
.range(None, None, 0.5)
.nullable()
.control("strategy.twod.z_top");
pub(super) const MILLING: Field = Field::select("strategy.milling", "Milling", Milling::CHOICES)
    .control("strategy.contour.milling");
pub(super) const RAMP_ANGLE: Field = Field::number(
    "strategy.ramp_angle",
    "Ramp angle",
    Quantity::Angle,
)
.range(Some(0.5), Some(90.0), 0.5);
pub(super) const STEPOVER_RATIO: Field = Field::number(
    "strategy.stepover_ratio",
    "Stepover ratio",
    Quantity::Ratio,
)
.range(Some(0.0), Some(1.0), 0.05);
pub(super) const ALLOWANCE: Field = Field::number(
    "strategy.allowance",
    "Allowance (left on walls)",
    Quantity::Length,
)
.range(None, None, 0.05)
.control("strategy.twod.allowance");

/// Engraving: the tool centre follows every path of the drawing at depth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngraveSpec {
    /// How deep the tool goes below the top.
    pub depth: f64,
    /// Depth of each pass.
    pub stepdown: f64,
    /// The top of the material. Default 0.
    pub z_top: Option<f64>,
}

impl Default for EngraveSpec {
    fn default() -> Self {
        EngraveSpec {
            depth: 0.5,
            stepdown: 1.0,
            z_top: None,
        }
    }
}

/// Which side of a closed path a profile cuts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Cut the part free: outlines from outside, holes from inside.
    #[default]
    Outside,
    /// Cut the shape out of the sheet: outlines from inside, holes from outside.
    Inside,
    /// The tool centre on the line.
    On,
}

impl Side {
    /// The choices as the page offers them.
    pub const CHOICES: &'static [Choice] = &[
        Choice::new("outside", "Outside (cut the part free)"),
        Choice::new("inside", "Inside (cut the opening)"),
        Choice::new("on", "On the line"),
    ];
}

/// Profiling: the tool runs round each shape, offset by its radius plus an allowance, in
/// depth passes, leaving holding tabs on the last passes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileSpec {
    /// Which side of the line the tool cuts on.
    pub side: Side,
    /// How deep the tool goes below the top (the sheet's thickness to cut through).
    pub depth: f64,
    /// Depth of each pass.
    pub stepdown: f64,
    /// Material left on the wall by the roughing passes (0: none). Negative cuts into it.
    pub allowance: f64,
    /// Radial stock the last pass removes at full depth (0: no finishing pass).
    pub finish: f64,
    /// Climb or conventional.
    pub milling: Milling,
    /// Radius of the arc the tool enters and leaves each pass along (0: straight in).
    pub lead: f64,
    /// Holding tabs per closed path (0: none, unless `tab_spacing` is set).
    pub tabs: u32,
    /// Distance between tabs along the path, instead of a count.
    pub tab_spacing: Option<f64>,
    /// Length of each tab along the path (the gap in the cut, not counting the cutter).
    pub tab_width: f64,
    /// Height of each tab above the bottom.
    pub tab_height: f64,
    /// The top of the material. Default 0.
    pub z_top: Option<f64>,
}

impl Default for ProfileSpec {
    fn default() -> Self {
        ProfileSpec {
            side: Side::Outside,
            depth: 3.0,
            stepdown: 1.0,
            allowance: 0.0,
            finish: 0.0,
            milling: Milling::Climb,
            lead: 0.0,
            tabs: 0,
            tab_spacing: None,
            tab_width: 5.0,
            tab_height: 1.0,
            z_top: None,
        }
    }
}

impl ProfileSpec {
    /// True when the profile leaves tabs.
    pub fn has_tabs(&self) -> bool {
        self.tabs > 0 || self.tab_spacing.is_some()
    }
}

/// Pocketing: the inside of each closed shape cleared to depth, its holes left standing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PocketSpec {
    /// How deep the pocket is below the top.
    pub depth: f64,
    /// Depth of each layer.
    pub stepdown: f64,
    /// Distance between passes, as a fraction of the cutter diameter.
    pub stepover_ratio: f64,
    /// Offset rings or zigzag lines.
    pub pattern: ClearPattern,
    /// Climb or conventional.
    pub milling: Milling,
    /// Material left on the walls and islands (0: cut to the line).
    pub allowance: f64,
    /// Entry angle of ramps and helices, degrees from horizontal.
    pub ramp_angle: f64,
    /// The top of the material. Default 0.
    pub z_top: Option<f64>,
}

impl Default for PocketSpec {
    fn default() -> Self {
        PocketSpec {
            depth: 3.0,
            stepdown: 1.0,
            stepover_ratio: 0.4,
            pattern: ClearPattern::Offset,
            milling: Milling::Climb,
            allowance: 0.0,
            ramp_angle: 3.0,
            z_top: None,
        }
    }
}

/// V-carving with a cone: the depth at each point follows the width of the shape there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VcarveSpec {
    /// The deepest the cone goes; wider parts are cut at this depth with a flat bottom
    /// left by the cone's tip.
    pub max_depth: f64,
    /// How closely the carved depth follows the shape's width.
    pub tolerance: f64,
    /// The top of the material. Default 0.
    pub z_top: Option<f64>,
}

impl Default for VcarveSpec {
    fn default() -> Self {
        VcarveSpec {
            max_depth: 3.0,
            tolerance: 0.02,
            z_top: None,
        }
    }
}

/// The largest depth a 2D operation may ask for.
const MAX_DEPTH: f64 = 1000.0;

fn check_top(p: &str, z_top: Option<f64>) -> Result<(), JobError> {
    match z_top {
        Some(v) if !v.is_finite() || v.abs() > 1.0e6 => Err(err(
            &format!("{p}.z_top"),
            format!("{v} must be a finite number"),
        )),
        _ => Ok(()),
    }
}

fn check_depth(p: &str, depth: f64, stepdown: f64) -> Result<(), JobError> {
    positive(&format!("{p}.depth"), depth, MAX_DEPTH)?;
    positive(&format!("{p}.stepdown"), stepdown, 1.0e4)?;
    let n = (depth / stepdown).ceil();
    if n > 10_000.0 {
        return Err(err(
            &format!("{p}.stepdown"),
            format!(
                "stepdown {stepdown} over a depth of {depth} makes {n:.0} passes (limit 10000)"
            ),
        ));
    }
    Ok(())
}

fn check_angle(p: &str, a: f64) -> Result<(), JobError> {
    if !a.is_finite() || !(0.5..=90.0).contains(&a) {
        return Err(err(
            &format!("{p}.ramp_angle"),
            format!("{a}° must be between 0.5° and 90°"),
        ));
    }
    Ok(())
}

fn check_allowance(
    p: &str,
    v: f64,
    cutter: &Cutter,
    may_be_negative: bool,
) -> Result<(), JobError> {
    let lo = if may_be_negative {
        -cutter.radius()
    } else {
        0.0
    };
    if !v.is_finite() || v < lo || v > 100.0 {
        return Err(err(
            &format!("{p}.allowance"),
            format!("{v} must be between {lo} and 100"),
        ));
    }
    Ok(())
}

/// A 2D strategy's parameters, borrowed.
#[derive(Clone, Copy, Debug)]
pub(super) enum Spec2d<'a> {
    Engrave(&'a EngraveSpec),
    Profile(&'a ProfileSpec),
    Pocket(&'a PocketSpec),
    Vcarve(&'a VcarveSpec),
}

/// Checks a 2D strategy's values (`p` is its field path).
pub(super) fn validate(s: Spec2d<'_>, p: &str, cutter: &Cutter) -> Result<(), JobError> {
    match s {
        Spec2d::Engrave(s) => check_top(p, s.z_top).and(check_depth(p, s.depth, s.stepdown)),
        Spec2d::Profile(s) => (|| {
            check_top(p, s.z_top)?;
            check_depth(p, s.depth, s.stepdown)?;
            check_allowance(p, s.allowance, cutter, true)?;
            if !s.finish.is_finite() || !(0.0..=cutter.radius()).contains(&s.finish) {
                return Err(err(
                    &format!("{p}.finish"),
                    format!(
                        "{} must be between 0 and the cutter radius {}",
                        s.finish,
                        cutter.radius()
                    ),
                ));
            }
            if !s.lead.is_finite() || !(0.0..=100.0).contains(&s.lead) {
                return Err(err(
                    &format!("{p}.lead"),
                    format!("{} must be between 0 and 100", s.lead),
                ));
            }
            if s.tabs > 1000 {
                return Err(err(
                    &format!("{p}.tabs"),
                    format!("{} tabs on one path is more than 1000", s.tabs),
                ));
            }
            if let Some(sp) = s.tab_spacing {
                positive(&format!("{p}.tab_spacing"), sp, 1.0e5)?;
            }
            if s.has_tabs() {
                positive(&format!("{p}.tab_width"), s.tab_width, 1.0e3)?;
                positive(&format!("{p}.tab_height"), s.tab_height, MAX_DEPTH)?;
                if s.tab_height >= s.depth {
                    return Err(err(
                        &format!("{p}.tab_height"),
                        format!(
                            "tab height {} is not less than the depth {}: the tabs would be the whole part",
                            s.tab_height, s.depth
                        ),
                    ));
                }
                if let Some(sp) = s.tab_spacing {
                    if sp <= s.tab_width + 2.0 * cutter.radius() {
                        return Err(err(
                            &format!("{p}.tab_spacing"),
                            format!(
                                "tab spacing {sp} leaves no cut between tabs {} wide with a cutter of diameter {}",
                                s.tab_width,
                                2.0 * cutter.radius()
                            ),
                        ));
                    }
                }
            }
            Ok(())
        })(),
        Spec2d::Pocket(s) => (|| {
            check_top(p, s.z_top)?;
            check_depth(p, s.depth, s.stepdown)?;
            check_allowance(p, s.allowance, cutter, false)?;
            check_angle(p, s.ramp_angle)?;
            if !s.stepover_ratio.is_finite() || s.stepover_ratio <= 0.0 || s.stepover_ratio > 1.0 {
                return Err(err(
                    &format!("{p}.stepover_ratio"),
                    format!(
                        "{} must be a fraction of the cutter diameter greater than 0 and at most 1",
                        s.stepover_ratio
                    ),
                ));
            }
            s.pattern.check_ratio(p, s.stepover_ratio)?;
            if s.stepover_ratio * 2.0 * cutter.radius() < 1e-3 {
                return Err(err(
                    &format!("{p}.stepover_ratio"),
                    format!(
                        "a stepover of {} × {} is under 0.001: raise it",
                        s.stepover_ratio,
                        2.0 * cutter.radius()
                    ),
                ));
            }
            Ok(())
        })(),
        Spec2d::Vcarve(s) => (|| {
            check_top(p, s.z_top)?;
            positive(&format!("{p}.max_depth"), s.max_depth, MAX_DEPTH)?;
            if !s.tolerance.is_finite() || !(1e-4..=10.0).contains(&s.tolerance) {
                return Err(err(
                    &format!("{p}.tolerance"),
                    format!("{} must be between 0.0001 and 10", s.tolerance),
                ));
            }
            if !matches!(cutter.shape(), Shape::Cone { .. }) {
                return Err(wrong_tool(
                    p,
                    "V-carving needs a cone (V-bit) cutter: its depth sets the width it cuts",
                ));
            }
            Ok(())
        })(),
    }
}

/// The top of the material and the deepest cut of a 2D strategy.
pub(super) fn depth_range(s: Spec2d<'_>) -> (f64, f64) {
    let (top, depth) = match s {
        Spec2d::Engrave(s) => (s.z_top, s.depth),
        Spec2d::Profile(s) => (s.z_top, s.depth),
        Spec2d::Pocket(s) => (s.z_top, s.depth),
        Spec2d::Vcarve(s) => (s.z_top, s.max_depth),
    };
    let top = top.unwrap_or(0.0);
    (top, top - depth)
}

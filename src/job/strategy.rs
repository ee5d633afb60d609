//! Strategy parameters, one struct per strategy, each checking its own values.

use super::validate::{positive, wrong_tool};
use super::{err, JobError};
use crate::cutter::{Cutter, Shape};
use crate::geom::Rect;
use crate::schema::{Choice, Field, Quantity};
use serde::{Deserialize, Serialize};

pub use super::choice::{ClearPattern, Milling};
pub use super::twod::{EngraveSpec, PocketSpec, ProfileSpec, Side, VcarveSpec};

/// Raster direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Lines along X, stepping in Y.
    #[default]
    X,
    /// Lines along Y, stepping in X.
    Y,
    /// Both, one after the other (crosshatch).
    Xy,
    /// One rectangular spiral from the area's boundary inwards, rings a stepover apart,
    /// with no lift and no link: clockwise for climb, anticlockwise for conventional.
    Spiral,
}

impl Direction {
    /// The choices as the page offers them.
    pub const CHOICES: &'static [Choice] = &[
        Choice::new("x", "Along X"),
        Choice::new("y", "Along Y"),
        Choice::new("xy", "Crosshatch (X then Y)"),
        Choice::new("spiral", "Spiral (boundary inwards)"),
    ];
}

/// How consecutive raster lines are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    /// Alternate directions, linked along the boundary without lifting.
    #[default]
    Zigzag,
    /// Every line the same way (climb or conventional), lifting to safe height between.
    Oneway,
}

impl Pattern {
    /// The choices as the page offers them.
    pub const CHOICES: &'static [Choice] = &[
        Choice::new("zigzag", "Zigzag (both ways)"),
        Choice::new("oneway", "One way"),
    ];
}

/// A strategy as the page and the CLI list it: its name in the job JSON, its labels, its
/// parameters' fields and its defaults. [`StrategySpec::KINDS`] lists one per variant.
#[derive(Clone, Copy, Debug)]
pub struct StrategyInfo {
    /// The `type` tag in the job JSON.
    pub name: &'static str,
    /// What the strategy select shows.
    pub label: &'static str,
    /// The short name of an operation row ("1. Rough, 6 mm flat, ...").
    pub short: &'static str,
    /// One-line summaries of the parameters, tried in order; the page uses the first whose
    /// values are all present: `{key}` is the parameter's value and `{#key noun}` the length
    /// of a non-empty list with the noun ("3 levels").
    pub summary: &'static [&'static str],
    /// The parameters the page shows for it, in order (job paths, some outside `strategy`).
    pub fields: &'static [Field],
    /// The default parameters.
    pub default: fn() -> StrategySpec,
}

// Fields several strategies share: one control in the page.
const SAMPLING: Field = Field::number("strategy.sampling", "Sampling distance", Quantity::Length)
    .range(Some(0.0), None, 0.05);
const TOLERANCE: Field = Field::number("strategy.tolerance", "Tolerance", Quantity::Length).range(
    Some(0.0),
    None,
    0.005,
);
const STEPOVER: Field =
    Field::number("strategy.stepover", "Stepover", Quantity::Length).range(Some(0.0), None, 0.05);
const STEPDOWN: Field =
    Field::number("strategy.stepdown", "Stepdown", Quantity::Length).range(Some(0.0), None, 0.1);
const Z_BOTTOM: Field = Field::number(
    "strategy.z_bottom",
    "Bottom Z (empty: floor)",
    Quantity::Length,
)
.range(None, None, 0.5)
.nullable();
const Z_TOP_MODEL: Field = Field::number(
    "strategy.z_top",
    "Top Z (empty: model top)",
    Quantity::Length,
)
.range(None, None, 0.5)
.nullable();
const CONTOUR_MILLING: Field = Field::select("strategy.milling", "Milling", Milling::CHOICES)
    .control("strategy.contour.milling");

/// The strategy and its parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum StrategySpec {
    /// Parallel finishing: drop-cutter raster lines.
    Parallel(ParallelSpec),
    /// Waterline finishing: contours at constant Z where the cutter touches the model.
    Waterline(WaterlineSpec),
    /// Z-level roughing: the stock cleared layer by layer, leaving an allowance.
    Rough(RoughSpec),
    /// Pencil finishing: single passes along concave corners, where the cutter touches two
    /// surfaces at once.
    Pencil(PencilSpec),
    /// Constant-scallop finishing: passes offset inwards from the boundary along the
    /// surface, so steep walls and flats are left the same scallop height.
    Scallop(ScallopSpec),
    /// Steep and shallow finishing: waterline where the surface is steeper than an angle,
    /// parallel raster lines where it is shallower, overlapping a little, in one operation.
    Steep(SteepSpec),
    /// 2D: the tool centre follows the drawing's paths at depth.
    Engrave(EngraveSpec),
    /// 2D: round the drawing's shapes, beside the line, with tabs.
    Profile(ProfileSpec),
    /// 2D: the inside of the drawing's shapes cleared to depth, islands left.
    Pocket(PocketSpec),
    /// 2D: a cone cutter whose depth follows the shape's width.
    Vcarve(VcarveSpec),
}

impl Default for StrategySpec {
    fn default() -> Self {
        StrategySpec::Parallel(ParallelSpec::default())
    }
}

/// Parameters of parallel (raster) finishing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParallelSpec {
    /// Which way the raster lines run.
    pub direction: Direction,
    /// Distance between lines.
    pub stepover: f64,
    /// Distance between drop-cutter samples along a line (refined where needed).
    pub sampling: f64,
    /// Height tolerance: samples are added where the surface departs from a straight
    /// segment by more than this, and points are removed where they add less.
    pub tolerance: f64,
    /// How consecutive lines are joined.
    pub pattern: Pattern,
    /// Climb or conventional: the direction of every one-way line, and of the first line
    /// of a zigzag (which then alternates).
    pub milling: Milling,
}

impl ParallelSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "parallel",
        label: "Parallel finishing",
        short: "Parallel",
        summary: &["stepover {stepover}"],
        fields: &[
            Field::select("strategy.direction", "Raster direction", Direction::CHOICES),
            STEPOVER,
            SAMPLING,
            TOLERANCE,
            Field::select("strategy.pattern", "Line linking", Pattern::CHOICES),
            // Every line one way, a zigzag's first line, the spiral's winding.
            Field::select("strategy.milling", "Milling", Milling::CHOICES),
        ],
        default: || StrategySpec::Parallel(ParallelSpec::default()),
    };
}

impl Default for ParallelSpec {
    fn default() -> Self {
        ParallelSpec {
            direction: Direction::X,
            stepover: 1.0,
            sampling: 0.5,
            tolerance: 0.01,
            pattern: Pattern::Zigzag,
            milling: Milling::Climb,
        }
    }
}

/// Z levels: every `stepdown` from `z_top` down to `z_bottom`, or an explicit list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaterlineSpec {
    /// Distance between levels.
    pub stepdown: f64,
    /// First level from the top. Default: the model's top.
    pub z_top: Option<f64>,
    /// Lowest level. Default: the floor (the model's bottom).
    pub z_bottom: Option<f64>,
    /// Explicit levels instead of the stepdown (any order; cut top down).
    pub levels: Vec<f64>,
    /// Grid spacing of the drop-cutter samples the contours start from.
    pub sampling: f64,
    /// Contours follow the true boundary within this distance.
    pub tolerance: f64,
    /// Climb (contours with the material on the left) or conventional (reversed).
    pub milling: Milling,
}

impl WaterlineSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "waterline",
        label: "Waterline finishing",
        short: "Waterline",
        summary: &["{#levels level}", "stepdown {stepdown}"],
        fields: &[
            STEPDOWN,
            Z_TOP_MODEL,
            Z_BOTTOM,
            Field::list(
                "strategy.levels",
                "Z levels (empty: by stepdown)",
                Quantity::Length,
            ),
            SAMPLING,
            TOLERANCE,
            CONTOUR_MILLING,
        ],
        default: || StrategySpec::Waterline(WaterlineSpec::default()),
    };
}

impl Default for WaterlineSpec {
    fn default() -> Self {
        WaterlineSpec {
            stepdown: 1.0,
            z_top: None,
            z_bottom: None,
            levels: Vec::new(),
            sampling: 0.5,
            tolerance: 0.01,
            milling: Milling::Climb,
        }
    }
}

/// Z-level roughing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoughSpec {
    /// Depth of each layer.
    pub stepdown: f64,
    /// Distance between passes within a layer, as a fraction of the cutter diameter.
    pub stepover_ratio: f64,
    /// Material left on the model's sides for finishing.
    pub stock_to_leave: f64,
    /// Material left on the model's horizontal faces. Default: `stock_to_leave`.
    pub stock_to_leave_z: Option<f64>,
    /// Top of the stock. Default: the model's top.
    pub z_top: Option<f64>,
    /// Lowest layer. Default: the floor.
    pub z_bottom: Option<f64>,
    /// How a layer is cleared.
    pub pattern: ClearPattern,
    /// Climb or conventional, for every ring and boundary pass.
    pub milling: Milling,
    /// Ramp angle for entries into closed material, degrees from horizontal.
    pub ramp_angle: f64,
    /// Grid spacing of the drop-cutter samples the layer regions start from.
    pub sampling: f64,
    /// Region boundaries follow the true boundary within this distance.
    pub tolerance: f64,
}

impl RoughSpec {
    /// The XY area roughing's height grid samples: the machining `area`, widened to reach
    /// a cutter `radius` beyond the `stock` unless the area was given explicitly (clamps, a
    /// vise: never cut outside it), then by the grown tool's extra radius and two sampling
    /// steps so the region near the edge comes from real heights.
    pub fn sampled_area(&self, area: Rect, stock: Rect, bounded: bool, radius: f64) -> Rect {
        self.machined_area(area, stock, bounded, radius)
            .inflate(2.0 * self.sampling + self.stock_to_leave)
    }

    /// The area the cutter centre may clear: `area`, or when not `bounded`, at least a
    /// `radius` beyond the `stock` (to clear its sides).
    pub fn machined_area(&self, area: Rect, stock: Rect, bounded: bool, radius: f64) -> Rect {
        if bounded {
            area
        } else {
            area.union(&stock.inflate(radius))
        }
    }

    /// The top of the stock roughing starts from: `z_top`, never above the stock's top
    /// (there is nothing to cut above it).
    pub fn top(&self, stock_top: f64) -> f64 {
        self.z_top.map_or(stock_top, |z| z.min(stock_top))
    }

    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "rough",
        label: "Roughing (z-level)",
        short: "Rough",
        summary: &["stepdown {stepdown}, leave {stock_to_leave}"],
        fields: &[
            STEPDOWN,
            Field::number("strategy.stepover_ratio", "Stepover ratio", Quantity::Ratio).range(
                Some(0.0),
                Some(1.0),
                0.05,
            ),
            Field::number(
                "strategy.stock_to_leave",
                "Stock to leave",
                Quantity::Length,
            )
            .range(Some(0.0), None, 0.1),
            // Roughing is what clears the raw stock, so its size is set here.
            Field::number(
                "stock.margin",
                "Raw stock beyond the model (sides, top)",
                Quantity::Length,
            )
            .range(Some(0.0), None, 0.5),
            Field::number(
                "strategy.stock_to_leave_z",
                "Stock to leave on floors (empty: same)",
                Quantity::Length,
            )
            .range(Some(0.0), None, 0.1)
            .nullable(),
            Field::number(
                "strategy.z_top",
                "Stock top Z (empty: model top)",
                Quantity::Length,
            )
            .range(None, None, 0.5)
            .nullable()
            .control("strategy.rough.z_top"),
            Z_BOTTOM,
            Field::number("strategy.ramp_angle", "Ramp angle", Quantity::Angle).range(
                Some(0.5),
                Some(90.0),
                0.5,
            ),
            SAMPLING,
            TOLERANCE,
            Field::select(
                "strategy.pattern",
                "Clearing pattern",
                ClearPattern::CHOICES,
            )
            .control("strategy.rough.pattern"),
            CONTOUR_MILLING,
        ],
        default: || StrategySpec::Rough(RoughSpec::default()),
    };
}

impl Default for RoughSpec {
    fn default() -> Self {
        RoughSpec {
            stepdown: 2.0,
            stepover_ratio: 0.4,
            stock_to_leave: 0.5,
            stock_to_leave_z: None,
            z_top: None,
            z_bottom: None,
            pattern: ClearPattern::Offset,
            milling: Milling::Climb,
            ramp_angle: 3.0,
            sampling: 0.5,
            tolerance: 0.02,
        }
    }
}

/// Pencil finishing: the tracks where a ball touches the model at two points at once
/// (concave corners and fillets tighter than the ball), with optional parallel passes
/// either side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PencilSpec {
    /// Grid spacing of the drop-cutter samples the tracks are found on.
    pub sampling: f64,
    /// Tracks are located and cut within this distance.
    pub tolerance: f64,
    /// The least angle between the two surfaces' normals (degrees) for a corner to count:
    /// gentler creases (a faceted fillet the ball fits in) are left to the other finishes.
    pub min_angle: f64,
    /// Extra passes either side of each track (0: the track alone).
    pub passes: u32,
    /// Distance between the passes.
    pub stepover: f64,
}

/// The most passes a pencil operation may ask for on each side of a track.
pub const MAX_PENCIL_PASSES: u32 = 100;

impl PencilSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "pencil",
        label: "Pencil finishing (corners)",
        short: "Pencil",
        summary: &["corners over {min_angle}°, {passes} passes each side"],
        fields: &[
            Field::number(
                "strategy.min_angle",
                "Least corner angle (between normals)",
                Quantity::Angle,
            )
            .range(Some(1.0), Some(179.0), 1.0),
            Field::number("strategy.passes", "Passes each side", Quantity::None)
                .range(Some(0.0), Some(MAX_PENCIL_PASSES as f64), 1.0)
                .integer(),
            STEPOVER,
            SAMPLING,
            TOLERANCE,
        ],
        default: || StrategySpec::Pencil(PencilSpec::default()),
    };
}

impl Default for PencilSpec {
    fn default() -> Self {
        PencilSpec {
            sampling: 0.25,
            tolerance: 0.01,
            min_angle: 20.0,
            passes: 0,
            stepover: 0.5,
        }
    }
}

/// Steep and shallow finishing: the surface is split at a slope `angle`; where it is
/// steeper the walls are cut by waterline contours a `stepdown` apart, where it is
/// shallower by parallel raster lines a `stepover` apart, each running `overlap` into the
/// other's area. See `strategy::steep`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SteepSpec {
    /// The split, in degrees from horizontal: where the surface under the cutter is at
    /// least this steep it is cut by waterline, elsewhere by raster lines.
    pub angle: f64,
    /// How far each half runs into the other's area (along the raster line, along the
    /// contour).
    pub overlap: f64,
    /// Which way the raster lines of the shallow areas run (x, y or both).
    pub direction: Direction,
    /// Distance between raster lines on the shallow areas.
    pub stepover: f64,
    /// Distance between waterline levels on the steep areas.
    pub stepdown: f64,
    /// First waterline level from the top. Default: the model's top.
    pub z_top: Option<f64>,
    /// Lowest waterline level. Default: the floor.
    pub z_bottom: Option<f64>,
    /// Drop-cutter sample spacing: along the raster lines, and the waterline grid.
    pub sampling: f64,
    /// Both halves follow the surface within this distance.
    pub tolerance: f64,
    /// Climb or conventional: every waterline contour, and the first raster line (the
    /// others run back and forth from it).
    pub milling: Milling,
}

/// The raster directions steep-and-shallow offers (a spiral covers the whole area, not
/// the shallow parts of it).
const STEEP_DIRECTIONS: &[Choice] = &[
    Choice::new("x", "Along X"),
    Choice::new("y", "Along Y"),
    Choice::new("xy", "Crosshatch (X then Y)"),
];

impl SteepSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "steep",
        label: "Steep and shallow finishing",
        short: "Steep/shallow",
        summary: &["split at {angle}°, stepover {stepover}, stepdown {stepdown}"],
        fields: &[
            Field::number(
                "strategy.angle",
                "Split slope (steeper: waterline)",
                Quantity::Angle,
            )
            .range(Some(0.0), Some(90.0), 1.0),
            Field::number("strategy.overlap", "Overlap", Quantity::Length).range(
                Some(0.0),
                None,
                0.1,
            ),
            Field::select(
                "strategy.direction",
                "Raster direction (shallow)",
                STEEP_DIRECTIONS,
            )
            .control("strategy.steep.direction"),
            STEPOVER,
            STEPDOWN,
            Z_TOP_MODEL,
            Z_BOTTOM,
            SAMPLING,
            TOLERANCE,
            Field::select("strategy.milling", "Milling", Milling::CHOICES),
        ],
        default: || StrategySpec::Steep(SteepSpec::default()),
    };
}

impl Default for SteepSpec {
    fn default() -> Self {
        SteepSpec {
            angle: 45.0,
            overlap: 0.5,
            direction: Direction::X,
            stepover: 1.0,
            stepdown: 1.0,
            z_top: None,
            z_bottom: None,
            sampling: 0.5,
            tolerance: 0.01,
            milling: Milling::Climb,
        }
    }
}

/// Constant-scallop (offset) finishing: passes offset from the machining area's boundary
/// inwards along the cutter-location surface, a stepover apart that leaves ridges
/// `scallop` high between them (see `strategy::scallop`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScallopSpec {
    /// The height of the ridges left between neighbouring passes.
    pub scallop: f64,
    /// Grid spacing of the drop-cutter samples the passes are found on, and sampling
    /// distance along them (refined where needed).
    pub sampling: f64,
    /// Height tolerance along the passes.
    pub tolerance: f64,
    /// Climb (loops clockwise seen from above) or conventional (anticlockwise).
    pub milling: Milling,
}

impl ScallopSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "scallop",
        label: "Constant-scallop finishing (offset inwards)",
        short: "Scallop",
        summary: &["scallop {scallop}"],
        fields: &[
            Field::number("strategy.scallop", "Scallop height", Quantity::Length).range(
                Some(0.0),
                None,
                0.005,
            ),
            SAMPLING,
            TOLERANCE,
            Field::select("strategy.milling", "Milling", Milling::CHOICES),
        ],
        default: || StrategySpec::Scallop(ScallopSpec::default()),
    };
}

impl Default for ScallopSpec {
    fn default() -> Self {
        ScallopSpec {
            scallop: 0.01,
            sampling: 0.25,
            tolerance: 0.01,
            milling: Milling::Climb,
        }
    }
}

/// The chord between two ball positions that leaves a ridge `scallop` high between them:
/// `2 √(2 R h − h²)`, at most the diameter.
pub fn scallop_chord(radius: f64, scallop: f64) -> f64 {
    let h = scallop.min(radius);
    2.0 * (2.0 * radius * h - h * h).max(0.0).sqrt()
}

/// How much closer than [`scallop_chord`] the passes are: `1 / (2 (√2 − 1))`, for the corners.
///
/// The passes are offsets of a rectangle (the machining area), so they have right-angle
/// corners wherever offsets of two of its sides meet. Between a pass with such a corner
/// and the next pass out, `g` away, the point farthest from both lies on the corner's
/// bisector, `u` out from the corner, where its distance to the corner equals its distance
/// to the outer pass's side: `u = g − u sin 45°`, `u = g / (1 + sin 45°) = 0.586 g`, not the
/// `g / 2` of straight passes. Passes `0.853` of the chord apart keep that point's ridge
/// within the height asked for.
pub const SCALLOP_CORNER_FACTOR: f64 = 0.853_553_390_593_273_8;

/// The distance between passes, along the surface, for ridges at most `scallop` high with a
/// ball of `radius`: the [`scallop_chord`] closed down by [`SCALLOP_CORNER_FACTOR`].
pub fn scallop_stepover(radius: f64, scallop: f64) -> f64 {
    SCALLOP_CORNER_FACTOR * scallop_chord(radius, scallop)
}

/// The most nodes the distances are found on: `strategy::scallop` refines its grid no further, and a job whose
/// sampled grid alone has more is refused (`Job::resolve`). Each node holds its height and
/// its distance (16 bytes, 256 MiB in all at the limit) and the search's heap a few
/// 16-byte entries.
pub const SCALLOP_MAX_NODES: usize = 16 << 20;

/// The largest number of Z levels one operation may ask for.
pub const MAX_LEVELS: usize = 10_000;

fn check_levels(
    p: &str,
    stepdown: f64,
    z_top: Option<f64>,
    z_bottom: Option<f64>,
    levels: &[f64],
) -> Result<(), JobError> {
    positive(&format!("{p}.stepdown"), stepdown, 1.0e4)?;
    for (k, v) in [("z_top", z_top), ("z_bottom", z_bottom)] {
        if let Some(v) = v {
            if !v.is_finite() || v.abs() > 1.0e6 {
                return Err(err(
                    &format!("{p}.{k}"),
                    format!("{v} must be a finite number"),
                ));
            }
        }
    }
    if let (Some(t), Some(b)) = (z_top, z_bottom) {
        if b > t {
            return Err(err(
                &format!("{p}.z_bottom"),
                format!("z_bottom {b} is above z_top {t}"),
            ));
        }
    }
    if levels.len() > MAX_LEVELS {
        return Err(err(
            &format!("{p}.levels"),
            format!("{} levels is more than {MAX_LEVELS}", levels.len()),
        ));
    }
    for (k, v) in levels.iter().enumerate() {
        if !v.is_finite() || v.abs() > 1.0e6 {
            return Err(err(
                &format!("{p}.levels[{k}]"),
                format!("{v} must be a finite number"),
            ));
        }
    }
    Ok(())
}

/// The finest tolerance a job may ask for: a tenth of a micron in mm (2.5 µm in inch) is
/// already below any machine's resolution, and a finer one only multiplies the work.
pub const MIN_TOLERANCE: f64 = 1e-4;

fn check_tolerance(p: &str, tolerance: f64) -> Result<(), JobError> {
    positive(&format!("{p}.tolerance"), tolerance, 10.0)?;
    if tolerance < MIN_TOLERANCE {
        return Err(err(
            &format!("{p}.tolerance"),
            format!("tolerance {tolerance} is finer than {MIN_TOLERANCE}, below any machine's resolution"),
        ));
    }
    Ok(())
}

fn check_stepover(p: &str, stepover: f64, cutter: &Cutter) -> Result<(), JobError> {
    positive(&format!("{p}.stepover"), stepover, 1.0e4)?;
    let d = 2.0 * cutter.radius();
    if stepover > d {
        return Err(err(
            &format!("{p}.stepover"),
            format!(
                "stepover {stepover} is larger than the cutter diameter {d}: ridges would be left uncut"
            ),
        ));
    }
    Ok(())
}

fn check_grid(p: &str, sampling: f64, tolerance: f64, cutter: &Cutter) -> Result<(), JobError> {
    positive(&format!("{p}.sampling"), sampling, 1.0e4)?;
    if sampling > cutter.radius() {
        return Err(err(
            &format!("{p}.sampling"),
            format!(
                "sampling {sampling} is larger than the cutter radius {}: features between samples could be missed",
                cutter.radius()
            ),
        ));
    }
    check_tolerance(p, tolerance)?;
    if tolerance > sampling {
        return Err(err(
            &format!("{p}.tolerance"),
            format!("tolerance {tolerance} is larger than the sampling {sampling}"),
        ));
    }
    Ok(())
}

impl StrategySpec {
    /// Checks the values; `p` is the field path of this strategy (e.g. `strategy`).
    pub fn validate(&self, p: &str, cutter: &Cutter) -> Result<(), JobError> {
        if let Some(s) = self.as_2d() {
            return super::twod::validate(s, p, cutter);
        }
        match self {
            StrategySpec::Parallel(s) => {
                check_stepover(p, s.stepover, cutter)?;
                positive(&format!("{p}.sampling"), s.sampling, 1.0e4)?;
                if s.sampling > cutter.radius() {
                    return Err(err(
                        &format!("{p}.sampling"),
                        format!(
                            "sampling {} is larger than the cutter radius {}: features between samples could be missed",
                            s.sampling, cutter.radius()
                        ),
                    ));
                }
                check_tolerance(p, s.tolerance)?;
            }
            StrategySpec::Waterline(s) => {
                check_levels(p, s.stepdown, s.z_top, s.z_bottom, &s.levels)?;
                check_grid(p, s.sampling, s.tolerance, cutter)?;
            }
            StrategySpec::Rough(s) => {
                check_levels(p, s.stepdown, s.z_top, s.z_bottom, &[])?;
                check_grid(p, s.sampling, s.tolerance, cutter)?;
                if !s.stepover_ratio.is_finite()
                    || s.stepover_ratio <= 0.0
                    || s.stepover_ratio > 1.0
                {
                    return Err(err(
                        &format!("{p}.stepover_ratio"),
                        format!(
                            "{} must be a fraction of the cutter diameter greater than 0 and at most 1",
                            s.stepover_ratio
                        ),
                    ));
                }
                s.pattern.check_ratio(p, s.stepover_ratio)?;
                for (k, v) in [
                    ("stock_to_leave", Some(s.stock_to_leave)),
                    ("stock_to_leave_z", s.stock_to_leave_z),
                ] {
                    if let Some(v) = v {
                        if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                            return Err(err(
                                &format!("{p}.{k}"),
                                format!("{v} must be between 0 and 100"),
                            ));
                        }
                    }
                }
                let grown = 2.0 * (cutter.radius() + s.stock_to_leave + s.sampling);
                if grown > 1000.0 {
                    return Err(err(
                        &format!("{p}.stock_to_leave"),
                        format!(
                            "the cutter grown by the stock to leave and the sampling is {grown:.1} wide, more than 1000"
                        ),
                    ));
                }
                if !s.ramp_angle.is_finite() || !(0.5..=90.0).contains(&s.ramp_angle) {
                    return Err(err(
                        &format!("{p}.ramp_angle"),
                        format!("{}° must be between 0.5° and 90°", s.ramp_angle),
                    ));
                }
            }
            StrategySpec::Pencil(s) => {
                check_grid(p, s.sampling, s.tolerance, cutter)?;
                if !s.min_angle.is_finite() || !(1.0..=179.0).contains(&s.min_angle) {
                    return Err(err(
                        &format!("{p}.min_angle"),
                        format!("{}° must be between 1° and 179°", s.min_angle),
                    ));
                }
                if s.passes > MAX_PENCIL_PASSES {
                    return Err(err(
                        &format!("{p}.passes"),
                        format!(
                            "{} passes each side is more than {MAX_PENCIL_PASSES}",
                            s.passes
                        ),
                    ));
                }
                check_stepover(p, s.stepover, cutter)?;
                if cutter.shape() != Shape::Ball {
                    return Err(wrong_tool(
                        p,
                        "pencil finishing needs a ball cutter: its tracks are where a ball touches two surfaces at once",
                    ));
                }
            }
            StrategySpec::Steep(s) => {
                if !(s.angle > 0.0 && s.angle < 90.0) {
                    return Err(err(
                        &format!("{p}.angle"),
                        format!(
                            "{}° must be between 0° and 90° (exclusive): the slope where waterline takes over from the raster",
                            s.angle
                        ),
                    ));
                }
                if !s.overlap.is_finite() || !(0.0..=1.0e4).contains(&s.overlap) {
                    return Err(err(
                        &format!("{p}.overlap"),
                        format!("{} must be a length from 0 to 10000", s.overlap),
                    ));
                }
                if s.direction == Direction::Spiral {
                    return Err(err(
                        &format!("{p}.direction"),
                        "steep and shallow cuts raster lines along x, y or both (xy); a spiral is parallel finishing's".to_string(),
                    ));
                }
                check_stepover(p, s.stepover, cutter)?;
                check_levels(p, s.stepdown, s.z_top, s.z_bottom, &[])?;
                check_grid(p, s.sampling, s.tolerance, cutter)?;
            }
            StrategySpec::Scallop(s) => {
                check_grid(p, s.sampling, s.tolerance, cutter)?;
                if cutter.shape() != Shape::Ball {
                    return Err(wrong_tool(
                        p,
                        "constant-scallop finishing needs a ball cutter: its stepover comes from the ball's radius",
                    ));
                }
                let r = cutter.radius();
                if !s.scallop.is_finite() || s.scallop <= 0.0 || s.scallop > r {
                    return Err(err(
                        &format!("{p}.scallop"),
                        format!(
                            "{} must be a positive height at most the cutter radius {r}",
                            s.scallop
                        ),
                    ));
                }
                let step = scallop_stepover(r, s.scallop);
                if step < s.sampling {
                    return Err(err(
                        &format!("{p}.scallop"),
                        format!(
                            "scallop {} gives passes {step:.4} apart, closer than the sampling {}: raise the scallop or lower the sampling",
                            s.scallop, s.sampling
                        ),
                    ));
                }
            }
            StrategySpec::Engrave(_)
            | StrategySpec::Profile(_)
            | StrategySpec::Pocket(_)
            | StrategySpec::Vcarve(_) => {}
        }
        Ok(())
    }

    /// True for the strategies that cut a 2D drawing rather than a 3D model.
    pub fn is_2d(&self) -> bool {
        matches!(
            self,
            StrategySpec::Engrave(_)
                | StrategySpec::Profile(_)
                | StrategySpec::Pocket(_)
                | StrategySpec::Vcarve(_)
        )
    }

    /// Cutter-location samples the strategy will take over an area of `w × h` and
    /// `depth` of Z range (before refinement): what the job limit is checked against. For
    /// roughing `w × h` is the area its grid samples ([`RoughSpec::sampled_area`]).
    pub fn estimated_samples(&self, w: f64, h: f64, depth: f64) -> f64 {
        match self {
            StrategySpec::Parallel(s) => {
                let passes = if s.direction == Direction::Xy {
                    2.0
                } else {
                    1.0
                };
                passes * (w / s.sampling + 1.0) * (h / s.stepover + 1.0)
            }
            StrategySpec::Waterline(s) => {
                let levels = if s.levels.is_empty() {
                    depth / s.stepdown + 1.0
                } else {
                    s.levels.len() as f64
                };
                // One grid, plus about a quarter of a grid of bisections per level.
                (w / s.sampling + 2.0) * (h / s.sampling + 2.0) * (1.0 + 0.25 * levels)
            }
            StrategySpec::Rough(s) => {
                let levels = depth / s.stepdown + 1.0;
                (w / s.sampling + 2.0) * (h / s.sampling + 2.0) * (1.0 + 0.25 * levels)
            }
            // One grid, with a few bisections on the edges a track crosses.
            StrategySpec::Pencil(s) => (w / s.sampling + 3.0) * (h / s.sampling + 3.0) * 1.25,
            // One grid, and the passes: the area over their spacing (which validation keeps
            // at least the sampling), along the sampling, twice for the walls (whose passes
            // are closer seen from above).
            StrategySpec::Scallop(s) => {
                (w / s.sampling + 3.0) * (h / s.sampling + 3.0) + 2.0 * w * h / s.sampling.powi(2)
            }
            // The raster lines, each sample classified (five queries) and the shallow runs
            // sampled again; the waterline's grid and levels, each contour point
            // classified.
            StrategySpec::Steep(s) => {
                let passes = if s.direction == Direction::Xy {
                    2.0
                } else {
                    1.0
                };
                let raster = passes * (w / s.sampling + 1.0) * (h / s.stepover + 1.0) * 7.0;
                let levels = depth / s.stepdown + 1.0;
                let grid = (w / s.sampling + 2.0) * (h / s.sampling + 2.0) * (1.0 + 0.5 * levels);
                raster + grid
            }
            // The 2D strategies take no drop-cutter samples; their points are bounded below.
            _ => 0.0,
        }
    }

    /// Roughing's toolpath points over an area of `w × h` and `depth` of Z range with a
    /// cutter of `radius`, as (per layer, all layers); zero for the finishing strategies,
    /// whose points the samples already bound.
    ///
    /// A layer is cleared by passes a stepover `s` apart, so their length is at most the
    /// area over `s`; the passes follow region boundaries that come from the grid, which
    /// puts a vertex about every sampling step `g` along them: `w h / (s g)` points a layer
    /// at most. Each point costs the toolpath, the G-code line and the preview.
    pub fn estimated_points(&self, w: f64, h: f64, depth: f64, radius: f64) -> (f64, f64) {
        match self {
            StrategySpec::Rough(s) => {
                let step = s.stepover_ratio * 2.0 * radius;
                let layer = w * h / (step * s.sampling);
                (layer, layer * (depth / s.stepdown).ceil().max(1.0))
            }
            // A pocket's passes, a stepover apart, with a vertex every half millimetre or
            // so where they follow curves flattened by the offsetter.
            StrategySpec::Pocket(s) => {
                let step = s.stepover_ratio * 2.0 * radius;
                let layer = w * h / (step * 0.5);
                (layer, layer * (s.depth / s.stepdown).ceil().max(1.0))
            }
            _ => (0.0, 0.0),
        }
    }

    /// Every strategy, in the order the page lists them: adding a variant means adding its
    /// `INFO` here (the registry's tests check that each variant serde knows is listed).
    pub const KINDS: &'static [StrategyInfo] = &[
        ParallelSpec::INFO,
        WaterlineSpec::INFO,
        RoughSpec::INFO,
        PencilSpec::INFO,
        ScallopSpec::INFO,
        SteepSpec::INFO,
        EngraveSpec::INFO,
        ProfileSpec::INFO,
        PocketSpec::INFO,
        VcarveSpec::INFO,
    ];

    /// This strategy's registry entry.
    pub fn info(&self) -> &'static StrategyInfo {
        match self {
            StrategySpec::Parallel(_) => &ParallelSpec::INFO,
            StrategySpec::Waterline(_) => &WaterlineSpec::INFO,
            StrategySpec::Rough(_) => &RoughSpec::INFO,
            StrategySpec::Pencil(_) => &PencilSpec::INFO,
            StrategySpec::Scallop(_) => &ScallopSpec::INFO,
            StrategySpec::Steep(_) => &SteepSpec::INFO,
            StrategySpec::Engrave(_) => &EngraveSpec::INFO,
            StrategySpec::Profile(_) => &ProfileSpec::INFO,
            StrategySpec::Pocket(_) => &PocketSpec::INFO,
            StrategySpec::Vcarve(_) => &VcarveSpec::INFO,
        }
    }

    /// The name used in the job JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The default parameters of the strategy called `name` in the job JSON.
    pub fn by_name(name: &str) -> Option<StrategySpec> {
        Self::KINDS
            .iter()
            .find(|k| k.name == name)
            .map(|k| (k.default)())
    }
}

// The 2D strategies' registry entries (their parameters are in `twod`).
use super::twod::{
    Spec2d, ALLOWANCE, DEPTH, MILLING, RAMP_ANGLE, STEPDOWN as STEPDOWN_2D, STEPOVER_RATIO, Z_TOP,
};

impl EngraveSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "engrave",
        label: "Engrave (follow the lines)",
        short: "Engrave",
        summary: &["depth {depth}"],
        fields: &[DEPTH, STEPDOWN_2D, Z_TOP],
        default: || StrategySpec::Engrave(EngraveSpec::default()),
    };
}

impl ProfileSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "profile",
        label: "Profile (cut out, with tabs)",
        short: "Profile",
        summary: &[
            "{side}, depth {depth}, {tabs} tabs",
            "{side}, depth {depth}",
        ],
        fields: &[
            Field::select("strategy.side", "Side", Side::CHOICES),
            DEPTH,
            STEPDOWN_2D,
            ALLOWANCE,
            Field::number(
                "strategy.finish",
                "Finishing pass stock (0: none)",
                Quantity::Length,
            )
            .range(Some(0.0), None, 0.05),
            MILLING,
            Field::number("strategy.lead", "Lead-in arc radius", Quantity::Length).range(
                Some(0.0),
                None,
                0.5,
            ),
            Field::number("strategy.tabs", "Tabs per path", Quantity::None)
                .range(Some(0.0), Some(1000.0), 1.0)
                .integer(),
            Field::number(
                "strategy.tab_spacing",
                "Tab spacing (empty: use the count)",
                Quantity::Length,
            )
            .range(Some(0.0), None, 5.0)
            .nullable(),
            Field::number("strategy.tab_width", "Tab width", Quantity::Length).range(
                Some(0.0),
                None,
                0.5,
            ),
            Field::number("strategy.tab_height", "Tab height", Quantity::Length).range(
                Some(0.0),
                None,
                0.1,
            ),
            Z_TOP,
        ],
        default: || StrategySpec::Profile(ProfileSpec::default()),
    };
}

impl PocketSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "pocket",
        label: "Pocket (clear inside)",
        short: "Pocket",
        summary: &["depth {depth}, stepover {stepover_ratio}"],
        fields: &[
            DEPTH,
            STEPDOWN_2D,
            STEPOVER_RATIO,
            Field::select(
                "strategy.pattern",
                "Clearing pattern",
                ClearPattern::CHOICES,
            )
            .control("strategy.pocket.pattern"),
            MILLING,
            ALLOWANCE,
            RAMP_ANGLE,
            Z_TOP,
        ],
        default: || StrategySpec::Pocket(PocketSpec::default()),
    };
}

impl VcarveSpec {
    /// The registry entry.
    pub const INFO: StrategyInfo = StrategyInfo {
        name: "vcarve",
        label: "V-carve (cone, depth follows width)",
        short: "V-carve",
        summary: &["max depth {max_depth}"],
        fields: &[
            Field::number("strategy.max_depth", "Maximum depth", Quantity::Length).range(
                Some(0.0),
                None,
                0.1,
            ),
            Field::number("strategy.tolerance", "Tolerance", Quantity::Length)
                .range(Some(0.0), None, 0.005)
                .control("strategy.vcarve.tolerance"),
            Z_TOP,
        ],
        default: || StrategySpec::Vcarve(VcarveSpec::default()),
    };
}

impl StrategySpec {
    /// The 2D strategy's parameters, or `None` for a 3D strategy.
    pub(super) fn as_2d(&self) -> Option<Spec2d<'_>> {
        Some(match self {
            StrategySpec::Engrave(s) => Spec2d::Engrave(s),
            StrategySpec::Profile(s) => Spec2d::Profile(s),
            StrategySpec::Pocket(s) => Spec2d::Pocket(s),
            StrategySpec::Vcarve(s) => Spec2d::Vcarve(s),
            _ => return None,
        })
    }
}

/// The top of the material and the deepest cut of a 2D strategy, or `None` for 3D ones.
pub fn depth_range(s: &StrategySpec) -> Option<(f64, f64)> {
    s.as_2d().map(super::twod::depth_range)
}

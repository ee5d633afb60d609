//! The parts of a job as the JSON declares them: the model transform, the tool, the bounds,
//! the stock and the machine. Plain data with serde defaults; checking is in `validate`.

use super::StrategySpec;
use crate::post::Dialect;
use crate::units::Units;
use serde::{Deserialize, Serialize};

pub use crate::mesh::transform::Axis;

/// Where the model goes after the other transforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    /// Leave it where the file put it.
    #[default]
    None,
    /// Centred on the XY origin, bottom at Z = 0.
    Center,
    /// Minimum corner at the origin.
    Origin,
}

/// A rotation by quarter turns about an axis (right hand rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// The axis turned about.
    pub axis: Axis,
    /// Quarter turns (90° each); negative turns the other way.
    pub turns: i32,
}

/// The import transform, applied in this order: units, scale, rotations, mirrors,
/// translate, place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelTransform {
    /// Units the STL file was written in (converted to the job's units).
    pub units: Units,
    /// Scale factor per axis.
    pub scale: [f64; 3],
    /// Quarter turns, in order.
    pub rotate: Vec<Rotation>,
    /// Axes to mirror along, in order.
    pub mirror: Vec<Axis>,
    /// Offset added after the rotations and mirrors.
    pub translate: [f64; 3],
    /// Where the model ends up on the bed.
    pub place: Place,
}

impl Default for ModelTransform {
    fn default() -> Self {
        ModelTransform {
            units: Units::Mm,
            scale: [1.0; 3],
            rotate: Vec::new(),
            mirror: Vec::new(),
            translate: [0.0; 3],
            place: Place::None,
        }
    }
}

/// Cutter kind, as written in the job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ToolKind {
    /// Flat end mill (cylinder).
    Flat,
    /// Ball nose (hemisphere).
    #[default]
    Ball,
    /// Bull nose (torus corner).
    Bull,
    /// V-bit (cone).
    Cone,
}

/// The cutter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToolSpec {
    #[serde(rename = "type")]
    /// The cutter's shape.
    pub kind: ToolKind,
    /// Cutting diameter.
    pub diameter: f64,
    /// Bull nose only.
    pub corner_radius: f64,
    /// Cone only: included angle in degrees.
    pub angle: f64,
    /// Length of the cutting part; the holder is above it.
    pub flute_length: f64,
    /// Cutting edges, for the tool library and the feed per tooth (chip load = feed /
    /// (spindle × flutes)). `None`: not given. Nothing the engine cuts depends on it.
    pub flutes: Option<u32>,
    /// Diameter of the holder, a cylinder from the flute length up, which must not touch
    /// the stock (the verifier checks it). `None`: a plain shank of the cutting diameter.
    pub holder_diameter: Option<f64>,
    /// Cutting feed with this tool, units per minute. `None`: the machine's.
    pub feed: Option<f64>,
    /// Plunge feed with this tool, units per minute. `None`: the machine's.
    pub plunge_feed: Option<f64>,
    /// Spindle speed with this tool, rpm. `None`: the machine's.
    pub spindle: Option<f64>,
    /// Tool number for the tool change.
    pub number: u32,
}

impl Default for ToolSpec {
    fn default() -> Self {
        ToolSpec {
            kind: ToolKind::Ball,
            diameter: 6.0,
            corner_radius: 1.0,
            angle: 90.0,
            flute_length: 20.0,
            flutes: None,
            holder_diameter: None,
            feed: None,
            plunge_feed: None,
            spindle: None,
            number: 1,
        }
    }
}

/// The machining area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BoundsSpec {
    /// Added around the model's XY box (or the explicit box). Default: the cutter radius, so
    /// the edges of the model are finished.
    pub margin: Option<f64>,
    /// Explicit XY box `[min_x, min_y]`..`[max_x, max_y]` instead of the model's.
    pub min: Option<[f64; 2]>,
    /// The far corner of the explicit XY box.
    pub max: Option<[f64; 2]>,
    /// The tool tip never goes below this Z. Default: the model's lowest point.
    pub floor: Option<f64>,
}

/// The raw stock: the model's box grown by `margin` (sides and top), or an explicit box.
/// Roughing clears it; entries go down in air only outside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct StockSpec {
    /// Added to the model's box on the four sides and on top.
    pub margin: f64,
    /// Explicit stock box `[x, y, z]` corners instead.
    pub min: Option<[f64; 3]>,
    /// The far corner of the explicit stock box.
    pub max: Option<[f64; 3]>,
}

/// The machine and the program.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MachineSpec {
    /// The controller the G-code is written for.
    pub dialect: Dialect,
    /// Cutting feed, units per minute.
    pub feed: f64,
    /// Plunge feed, units per minute.
    pub plunge_feed: f64,
    /// Rapid rate for the time estimate, units per minute (every axis).
    pub rapid_rate: f64,
    /// Acceleration for the time estimate, units per second² (every axis; GRBL's
    /// `$120`-`$122`).
    pub acceleration: f64,
    /// Junction deviation for the time estimate, units (GRBL's `$11`): how fast the
    /// planner lets the tool take a corner.
    pub junction_deviation: f64,
    /// Spindle speed, rpm.
    pub spindle: f64,
    /// Absolute Z for rapids. Default: 5 units above the model's top.
    pub safe_height: Option<f64>,
    /// LinuxCNC path blending tolerance (`G64 P`).
    pub blend_tolerance: f64,
    /// Exact stop (`G61`) instead of blending.
    pub exact_stop: bool,
    /// Replace runs of feed moves at one height by arcs (G2/G3) where an arc stays within
    /// the arc tolerance of them, on the side away from the part wherever the strategy
    /// knows it. Applied to waterline, roughing and the 2D strategies; never to parallel
    /// finishing, whose runs climb and fall.
    pub arc_fitting: bool,
    /// How far a fitted arc may be from the straight moves it replaces: away from the part
    /// only, where the moves run along it (waterline, roughing and profile walls); either
    /// way where the moves are the cut itself (engraving). Default: the blend tolerance, the
    /// deviation the controller is already allowed.
    pub arc_tolerance: Option<f64>,
    /// How many workers sample parallel finishing at once: the page's pool of Web Workers,
    /// the CLI's threads (built with the `parallel` feature). Default: every core. The
    /// program is the same bytes whatever the count.
    pub workers: Option<u32>,
}

impl MachineSpec {
    /// The tolerance arcs are fitted within: `arc_tolerance`, or the blend tolerance.
    pub fn arc_tolerance(&self) -> f64 {
        self.arc_tolerance.unwrap_or(self.blend_tolerance)
    }
}

impl Default for MachineSpec {
    fn default() -> Self {
        MachineSpec {
            dialect: Dialect::Linuxcnc,
            feed: 1000.0,
            plunge_feed: 300.0,
            rapid_rate: 3000.0,
            acceleration: 500.0,
            junction_deviation: 0.01,
            spindle: 12000.0,
            safe_height: None,
            blend_tolerance: 0.01,
            exact_stop: false,
            arc_fitting: true,
            arc_tolerance: None,
            workers: None,
        }
    }
}

/// One operation of a chained job: a cutter and what to do with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Operation {
    /// The cutter.
    pub tool: ToolSpec,
    /// What it does.
    pub strategy: StrategySpec,
    /// Rest machining: cut only where the earlier operations of the chain left material
    /// thicker than `rest_threshold` (their programs simulated on the stock); what they
    /// reached is not cut again. Not on the first operation.
    pub rest: bool,
    /// With `rest`: material at most this thick counts as cut already (units).
    pub rest_threshold: f64,
}

/// The default [`Operation::rest_threshold`]: a twentieth of a millimetre.
pub const REST_THRESHOLD: f64 = 0.05;

impl Operation {
    /// An operation of `tool` and `strategy`, not rest machining.
    pub fn new(tool: ToolSpec, strategy: StrategySpec) -> Operation {
        Operation {
            tool,
            strategy,
            rest: false,
            rest_threshold: REST_THRESHOLD,
        }
    }
}

impl Default for Operation {
    fn default() -> Self {
        Operation::new(ToolSpec::default(), StrategySpec::default())
    }
}

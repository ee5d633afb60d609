//! The registries of the engine's extension points, gathered for the page (and the CLI):
//! strategies with their fields and defaults, cutter kinds, controller dialects with their
//! capabilities and file extension, and the settings panel built from them.
//!
//! Each entry is declared beside the code it describes: a strategy's [`StrategyInfo`] next
//! to its spec in `job::strategy`, a dialect's [`Capabilities`] row in `post::capabilities`. This
//! module only collects them, plus the fields of the job's own sections (cutter, bounds,
//! machine, model), which have no module of their own to sit in. The page reads
//! [`registry`] through `web.rs` and lists nothing itself, so adding a strategy or a
//! controller touches Rust in one place and JavaScript in none.

#![warn(missing_docs)]

use serde::Serialize;

use crate::job::{StrategyInfo, StrategySpec};
use crate::post::{Capabilities, Dialect};
use crate::schema::{Choice, Field, Quantity};

/// A cutter kind as the page lists it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ToolInfo {
    /// The `tool.type` value in the job JSON.
    pub name: &'static str,
    /// What the cutter select shows.
    pub label: &'static str,
    /// One-line summary of an operation's cutter: `{key}` is a `tool` parameter, `{unit}`
    /// the length unit ("6 mm bull r1").
    pub summary: &'static str,
    /// The parameters that make its shape: two cutters with equal values here are the same
    /// tool (and may share a tool number).
    pub shape: &'static [&'static str],
}

/// Every cutter kind of `job::ToolKind`, in the order the page lists them.
pub const TOOLS: &[ToolInfo] = &[
    ToolInfo {
        name: "flat",
        label: "Flat end mill",
        summary: "{diameter} {unit} flat",
        shape: &["diameter", "flute_length"],
    },
    ToolInfo {
        name: "ball",
        label: "Ball nose",
        summary: "{diameter} {unit} ball",
        shape: &["diameter", "flute_length"],
    },
    ToolInfo {
        name: "bull",
        label: "Bull nose",
        summary: "{diameter} {unit} bull r{corner_radius}",
        shape: &["diameter", "flute_length", "corner_radius"],
    },
    ToolInfo {
        name: "cone",
        label: "V-bit (cone)",
        summary: "{diameter} {unit} {angle}° V-bit",
        shape: &["diameter", "flute_length", "angle"],
    },
];

/// A named cutter the page offers as a one-click preset (values in mm).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ToolPreset {
    /// The button's text.
    pub name: &'static str,
    /// `tool.type`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `tool.diameter`.
    pub diameter: f64,
    /// `tool.corner_radius` (bull nose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corner_radius: Option<f64>,
    /// `tool.angle` (cone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub angle: Option<f64>,
}

/// A few common cutters.
pub const TOOL_PRESETS: &[ToolPreset] = &[
    ToolPreset {
        name: "6 mm ball",
        kind: "ball",
        diameter: 6.0,
        corner_radius: None,
        angle: None,
    },
    ToolPreset {
        name: "3 mm ball",
        kind: "ball",
        diameter: 3.0,
        corner_radius: None,
        angle: None,
    },
    ToolPreset {
        name: "6 mm flat",
        kind: "flat",
        diameter: 6.0,
        corner_radius: None,
        angle: None,
    },
    ToolPreset {
        name: "6 mm bull r1",
        kind: "bull",
        diameter: 6.0,
        corner_radius: Some(1.0),
        angle: None,
    },
    ToolPreset {
        name: "60° V-bit 6 mm",
        kind: "cone",
        diameter: 6.0,
        corner_radius: None,
        angle: Some(60.0),
    },
];

/// Units the job and the model file may be in, as `Units` names them.
pub const UNITS: &[Choice] = &[Choice::new("mm", "mm"), Choice::new("inch", "inch")];

const MODEL_PLACES: &[Choice] = &[
    Choice::new("none", "As in the file"),
    Choice::new("center", "Centred, bottom at Z 0"),
    Choice::new("origin", "Corner at the origin"),
];

/// Fields whose select choices come from another registry.
const FROM_REGISTRY: &[Choice] = &[];

/// The cutter's fields.
pub const TOOL_FIELDS: &[Field] = &[
    Field::select("tool.type", "Cutter type", FROM_REGISTRY),
    Field::number("tool.diameter", "Diameter", Quantity::Length).range(Some(0.0), None, 0.1),
    Field::number("tool.corner_radius", "Corner radius", Quantity::Length)
        .range(Some(0.0), None, 0.1)
        .when("tool.type", "bull"),
    Field::number("tool.angle", "Included angle", Quantity::Angle)
        .range(Some(1.0), Some(179.0), 1.0)
        .when("tool.type", "cone"),
    Field::number("tool.flute_length", "Flute length", Quantity::Length).range(
        Some(0.0),
        None,
        1.0,
    ),
    Field::number("tool.flutes", "Flutes (empty: not given)", Quantity::None)
        .range(Some(1.0), Some(32.0), 1.0)
        .integer()
        .nullable(),
    Field::number(
        "tool.holder_diameter",
        "Holder diameter (empty: shank of the cutter's)",
        Quantity::Length,
    )
    .range(Some(0.0), None, 1.0)
    .nullable(),
    Field::number(
        "tool.feed",
        "Feed with this tool (empty: machine's)",
        Quantity::Feed,
    )
    .range(Some(0.0), None, 10.0)
    .nullable(),
    Field::number(
        "tool.plunge_feed",
        "Plunge feed with this tool (empty: machine's)",
        Quantity::Feed,
    )
    .range(Some(0.0), None, 10.0)
    .nullable(),
    Field::number(
        "tool.spindle",
        "Spindle speed with this tool (empty: machine's)",
        Quantity::Rpm,
    )
    .range(Some(0.0), None, 100.0)
    .nullable(),
    Field::number("tool.number", "Tool number", Quantity::None)
        .range(Some(0.0), None, 1.0)
        .integer(),
];

/// The machining area's fields (shown under the strategy, for every strategy).
pub const BOUNDS_FIELDS: &[Field] = &[
    Field::number(
        "bounds.margin",
        "Margin (empty: cutter radius)",
        Quantity::Length,
    )
    .range(None, None, 0.5)
    .nullable(),
    Field::number(
        "bounds.floor",
        "Floor Z (empty: model bottom)",
        Quantity::Length,
    )
    .range(None, None, 0.5)
    .nullable(),
];

/// The machine's and the program's fields.
pub const MACHINE_FIELDS: &[Field] = &[
    Field::select("units", "Job and G-code units", UNITS).reload(),
    Field::select("machine.dialect", "G-code dialect", FROM_REGISTRY),
    Field::number("machine.feed", "Feed rate", Quantity::Feed).range(Some(0.0), None, 10.0),
    Field::number("machine.plunge_feed", "Plunge feed", Quantity::Feed).range(
        Some(0.0),
        None,
        10.0,
    ),
    Field::number(
        "machine.rapid_rate",
        "Rapid rate (for the estimate)",
        Quantity::Feed,
    )
    .range(Some(0.0), None, 100.0),
    Field::number(
        "machine.acceleration",
        "Acceleration (for the estimate)",
        Quantity::Acceleration,
    )
    .range(Some(0.0), None, 50.0),
    Field::number(
        "machine.junction_deviation",
        "Junction deviation (for the estimate)",
        Quantity::Length,
    )
    .range(Some(0.0), None, 0.005),
    Field::number("machine.spindle", "Spindle speed", Quantity::Rpm).range(Some(0.0), None, 100.0),
    Field::number(
        "machine.safe_height",
        "Safe height Z (empty: top + 5)",
        Quantity::Length,
    )
    .range(None, None, 0.5)
    .nullable(),
    Field::number(
        "machine.blend_tolerance",
        "Blend tolerance (G64 P)",
        Quantity::Length,
    )
    .range(Some(0.0), None, 0.005),
    Field::checkbox("machine.exact_stop", "Exact stop (G61)"),
    Field::checkbox("machine.arc_fitting", "Fit arcs (G2/G3)"),
    Field::number(
        "machine.arc_tolerance",
        "Arc tolerance (empty: blend tolerance)",
        Quantity::Length,
    )
    .range(Some(0.0), None, 0.005)
    .nullable(),
    Field::number(
        "machine.workers",
        "Workers (empty: every core)",
        Quantity::None,
    )
    .range(Some(1.0), Some(256.0), 1.0)
    .integer()
    .nullable(),
];

/// The import transform's fields.
pub const MODEL_FIELDS: &[Field] = &[
    Field::select("model.units", "File units", UNITS).reload(),
    Field::number("model.scale", "Scale", Quantity::None)
        .range(Some(0.0), None, 0.1)
        .reload()
        .uniform(3),
    Field::select("model.place", "Place", MODEL_PLACES).reload(),
];

/// A select's choice with a label that may be made at run time ("LinuxCNC (.ngc)").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectOption {
    /// The value in the job JSON.
    pub value: String,
    /// The label shown.
    pub label: String,
}

impl From<&Choice> for SelectOption {
    fn from(c: &Choice) -> Self {
        SelectOption {
            value: c.value.into(),
            label: c.label.into(),
        }
    }
}

/// One control of the settings panel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PanelField {
    /// The fieldset it sits in: `Cutter`, `Strategy`, `Machine` or `Model`.
    pub group: &'static str,
    /// The strategies it belongs to; `None` for a field of every job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<&'static str>>,
    /// The field itself.
    #[serde(flatten)]
    pub field: Field,
    /// The choices of a select.
    pub options: Vec<SelectOption>,
}

/// A strategy's entry as the page reads it.
#[derive(Clone, Debug, Serialize)]
pub struct StrategyEntry {
    /// The `type` tag.
    pub name: &'static str,
    /// The select's label.
    pub label: &'static str,
    /// The operation row's name.
    pub short: &'static str,
    /// Summary templates (see [`StrategyInfo::summary`]).
    pub summary: &'static [&'static str],
    /// Default parameters, tagged by `type` as in the job JSON.
    pub defaults: StrategySpec,
    /// True when it cuts a 2D drawing (SVG, DXF) rather than a 3D model: the page offers
    /// only the strategies of the loaded workpiece's kind.
    pub drawing: bool,
    /// Its fields' control keys (see [`Field::control_key`]), in the order it shows them.
    pub fields: Vec<&'static str>,
}

/// A dialect's entry as the page reads it.
#[derive(Clone, Debug, Serialize)]
pub struct DialectEntry {
    /// `machine.dialect` in the job JSON.
    pub name: String,
    /// The controller's name.
    pub label: &'static str,
    /// Extension of a program file, without the dot.
    pub extension: &'static str,
    /// `T<n> M6` changes the tool.
    pub tool_change: bool,
    /// `G64` blending and `G61` exact stop exist.
    pub path_blending: bool,
    /// Longest line written.
    pub max_line_chars: usize,
    /// `M2` or `M30`, or empty where the controller has no end word (Marlin).
    pub program_end: &'static str,
}

/// Everything the page lists, in one value.
#[derive(Clone, Debug, Serialize)]
pub struct Registry {
    /// The strategies.
    pub strategies: Vec<StrategyEntry>,
    /// The cutter kinds.
    pub tools: &'static [ToolInfo],
    /// Cutter presets.
    pub presets: &'static [ToolPreset],
    /// The controller dialects.
    pub dialects: Vec<DialectEntry>,
    /// The settings panel, in order.
    pub fields: Vec<PanelField>,
    /// An operation's rest threshold when the job does not give one
    /// ([`crate::job::Operation::rest_threshold`]).
    pub rest_threshold: f64,
}

/// A dialect's name in the job JSON: `Dialect` is `rename_all = "lowercase"`, so it is the
/// variant's name in lower case (the tests check it against serde's own list).
fn dialect_name(d: Dialect) -> String {
    format!("{d:?}").to_ascii_lowercase()
}

/// The dialect's entry.
pub fn dialect_entry(d: Dialect) -> DialectEntry {
    let c: &Capabilities = d.capabilities();
    DialectEntry {
        name: dialect_name(d),
        label: c.name,
        extension: c.file_extension,
        tool_change: c.tool_change,
        path_blending: c.path_blending,
        max_line_chars: c.max_line_chars,
        program_end: c.program_end,
    }
}

fn panel_field(group: &'static str, f: &Field) -> PanelField {
    let options = match f.path {
        "strategy.type" => StrategySpec::KINDS
            .iter()
            .map(|k| SelectOption {
                value: k.name.into(),
                label: k.label.into(),
            })
            .collect(),
        "tool.type" => TOOLS
            .iter()
            .map(|t| SelectOption {
                value: t.name.into(),
                label: t.label.into(),
            })
            .collect(),
        "machine.dialect" => Dialect::all()
            .map(|d| {
                let e = dialect_entry(d);
                SelectOption {
                    label: format!("{} (.{})", e.label, e.extension),
                    value: e.name,
                }
            })
            .collect(),
        _ => f.options.iter().map(SelectOption::from).collect(),
    };
    PanelField {
        group,
        kinds: None,
        field: *f,
        options,
    }
}

/// The strategy fields of every kind, one control per control key, in the order they first
/// appear; each lists the strategies it belongs to.
fn strategy_fields(kinds: &[StrategyInfo]) -> Vec<PanelField> {
    let mut out: Vec<PanelField> = Vec::new();
    for k in kinds {
        for f in k.fields {
            match out
                .iter_mut()
                .find(|p| p.field.control_key() == f.control_key())
            {
                Some(p) => p.kinds.get_or_insert_with(Vec::new).push(k.name),
                None => {
                    let mut p = panel_field("Strategy", f);
                    p.kinds = Some(vec![k.name]);
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The strategy select.
const STRATEGY_TYPE: Field = Field::select("strategy.type", "Strategy", FROM_REGISTRY);

/// The whole settings panel: cutter, strategy (its type, every strategy's fields, the
/// machining area), machine, model.
pub fn panel() -> Vec<PanelField> {
    let mut out: Vec<PanelField> = TOOL_FIELDS
        .iter()
        .map(|f| panel_field("Cutter", f))
        .collect();
    out.push(panel_field("Strategy", &STRATEGY_TYPE));
    out.extend(strategy_fields(StrategySpec::KINDS));
    out.extend(BOUNDS_FIELDS.iter().map(|f| panel_field("Strategy", f)));
    out.extend(MACHINE_FIELDS.iter().map(|f| panel_field("Machine", f)));
    out.extend(MODEL_FIELDS.iter().map(|f| panel_field("Model", f)));
    out
}

/// Everything the page lists.
pub fn registry() -> Registry {
    Registry {
        strategies: StrategySpec::KINDS
            .iter()
            .map(|k| StrategyEntry {
                name: k.name,
                label: k.label,
                short: k.short,
                summary: k.summary,
                defaults: (k.default)(),
                drawing: (k.default)().is_2d(),
                fields: k.fields.iter().map(Field::control_key).collect(),
            })
            .collect(),
        tools: TOOLS,
        presets: TOOL_PRESETS,
        dialects: Dialect::all().map(dialect_entry).collect(),
        fields: panel(),
        rest_threshold: crate::job::REST_THRESHOLD,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{ClearPattern, Direction, Job, Milling, Pattern, Place, ToolKind};
    use crate::schema::{serde_variants, Control};
    use crate::units::Units;
    use std::collections::BTreeSet;

    fn set<'a>(v: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'a str> {
        v.into_iter().collect()
    }

    fn choices(c: &[Choice]) -> BTreeSet<&str> {
        set(c.iter().map(|c| c.value))
    }

    #[test]
    fn every_strategy_variant_is_registered_with_its_own_defaults() {
        let variants = serde_variants::<StrategySpec>();
        assert!(variants.len() >= 3, "{variants:?}");
        assert_eq!(
            set(variants),
            set(StrategySpec::KINDS.iter().map(|k| k.name))
        );
        for k in StrategySpec::KINDS {
            let d = (k.default)();
            assert_eq!(d.name(), k.name);
            assert_eq!(d.info().name, k.name);
            assert_eq!(StrategySpec::by_name(k.name), Some(d));
        }
        assert_eq!(StrategySpec::by_name("trochoidal"), None);
    }

    #[test]
    fn every_dialect_is_registered_with_an_extension() {
        let names: Vec<String> = Dialect::all().map(dialect_name).collect();
        assert_eq!(
            set(serde_variants::<Dialect>()),
            set(names.iter().map(String::as_str))
        );
        for d in Dialect::all() {
            let e = dialect_entry(d);
            assert!(
                !e.extension.is_empty() && !e.extension.contains('.'),
                "{e:?}"
            );
            assert!(!e.label.is_empty());
        }
        assert_eq!(dialect_entry(Dialect::Grbl).extension, "gcode");
        assert_eq!(dialect_entry(Dialect::Linuxcnc).extension, "ngc");
    }

    #[test]
    fn every_choice_is_a_variant_and_every_variant_a_choice() {
        assert_eq!(
            set(serde_variants::<ToolKind>()),
            set(TOOLS.iter().map(|t| t.name))
        );
        assert_eq!(set(serde_variants::<Units>()), choices(UNITS));
        assert_eq!(set(serde_variants::<Place>()), choices(MODEL_PLACES));
        assert_eq!(
            set(serde_variants::<Direction>()),
            choices(Direction::CHOICES)
        );
        assert_eq!(set(serde_variants::<Pattern>()), choices(Pattern::CHOICES));
        assert_eq!(
            set(serde_variants::<ClearPattern>()),
            choices(ClearPattern::CHOICES)
        );
        assert_eq!(set(serde_variants::<Milling>()), choices(Milling::CHOICES));
        for p in TOOL_PRESETS {
            assert!(TOOLS.iter().any(|t| t.name == p.kind), "{}", p.name);
        }
    }

    /// The value at a dotted path of a JSON value.
    fn at<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
        path.split('.').try_fold(v, |o, k| o.get(k))
    }

    #[test]
    fn every_field_names_a_value_of_the_job_and_every_strategy_parameter_has_a_field() {
        let job = serde_json::to_value(Job::default()).unwrap();
        for p in panel() {
            let f = &p.field;
            let mut job = job.clone();
            if let Some(kinds) = &p.kinds {
                // A strategy field: it is in the defaults of each strategy that lists it.
                for k in kinds {
                    job["strategy"] =
                        serde_json::to_value(StrategySpec::by_name(k).unwrap()).unwrap();
                    assert!(at(&job, f.path).is_some(), "{} in {k}", f.path);
                }
            } else {
                assert!(at(&job, f.path).is_some(), "{}", f.path);
            }
            if f.kind == Control::Select {
                assert!(!p.options.is_empty(), "{} has no choices", f.path);
            }
            if let Some(w) = f.when {
                assert!(panel().iter().any(|q| q.field.path == w.path), "{}", w.path);
            }
        }
        for k in StrategySpec::KINDS {
            let d = serde_json::to_value((k.default)()).unwrap();
            for key in d.as_object().unwrap().keys().filter(|k| *k != "type") {
                let path = format!("strategy.{key}");
                assert!(
                    k.fields.iter().any(|f| f.path == path),
                    "{} has no field for {path}",
                    k.name
                );
            }
        }
    }

    #[test]
    fn shared_controls_are_one_definition() {
        let mut seen: Vec<&Field> = Vec::new();
        for k in StrategySpec::KINDS {
            for f in k.fields {
                if let Some(o) = seen.iter().find(|o| o.control_key() == f.control_key()) {
                    assert_eq!(*o, f, "{} differs between strategies", f.control_key());
                } else {
                    seen.push(f);
                }
            }
        }
        let p = panel();
        let stepdown = p
            .iter()
            .find(|p| p.field.path == "strategy.stepdown")
            .unwrap();
        assert_eq!(
            stepdown.kinds.as_deref(),
            Some(
                &[
                    "waterline",
                    "rough",
                    "steep",
                    "engrave",
                    "profile",
                    "pocket"
                ][..]
            )
        );
        let dialect = p
            .iter()
            .find(|p| p.field.path == "machine.dialect")
            .unwrap();
        assert_eq!(dialect.options[1].label, "GRBL (.gcode)");
    }

    #[test]
    fn registry_serialises_to_plain_json() {
        let v = serde_json::to_value(registry()).unwrap();
        assert_eq!(v["strategies"][2]["defaults"]["type"], "rough");
        assert_eq!(v["strategies"][2]["drawing"], false);
        assert_eq!(v["strategies"][3]["drawing"], false);
        assert_eq!(v["strategies"][4]["defaults"]["type"], "scallop");
        assert_eq!(v["strategies"][5]["defaults"]["type"], "steep");
        assert_eq!(v["strategies"][4]["drawing"], false);
        assert_eq!(v["strategies"][5]["drawing"], false);
        assert_eq!(v["strategies"][6]["drawing"], true);
        assert_eq!(v["fields"][0]["path"], "tool.type");
        assert_eq!(v["fields"][0]["type"], "select");
        assert!(v["fields"][0].get("kinds").is_none());
        assert_eq!(v["dialects"][1]["extension"], "gcode");
    }
}

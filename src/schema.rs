//! The vocabulary a job field is described in: its job path, label, control, the quantity it
//! measures, its limits and when it applies. Each spec declares its own fields next to its
//! struct (`job::strategy`, [`crate::registry`]); the registry gathers them, and the page
//! builds its settings panel from them, so a new strategy or parameter needs no JavaScript.
//!
//! The types are plain `'static` data, written in `const` items with the builder methods
//! below (`Field::number("strategy.stepover", "Stepover", Quantity::Length).step(0.05)`).

#![warn(missing_docs)]

use serde::Serialize;

/// How the page edits a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Control {
    /// A number input.
    Number,
    /// A choice among [`Field::options`].
    Select,
    /// On or off.
    Checkbox,
    /// A list of numbers typed as text (`8, 5, 2`).
    List,
}

/// What a number measures, so the page can label it in the job's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantity {
    /// A plain number (a count, a scale factor, a choice).
    None,
    /// A length in the job's units.
    Length,
    /// An angle in degrees.
    Angle,
    /// A fraction of the cutter diameter.
    Ratio,
    /// Spindle revolutions per minute.
    Rpm,
    /// A rate in job units per minute.
    Feed,
    /// An acceleration in job units per second².
    Acceleration,
}

/// One choice of a select: the value written in the job, and what a person reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The value in the job JSON (the serde name of the enum variant).
    pub value: &'static str,
    /// The label shown.
    pub label: &'static str,
}

impl Choice {
    /// A choice of `value`, shown as `label`.
    pub const fn new(value: &'static str, label: &'static str) -> Choice {
        Choice { value, label }
    }
}

/// A condition on another field of the job: the field applies only while the value at
/// `path` is `equals` (e.g. the corner radius only while `tool.type` is `bull`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct When {
    /// Job path of the field the condition reads.
    pub path: &'static str,
    /// The value it must have.
    pub equals: &'static str,
}

/// One editable value of the job.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Dotted path in the job JSON, e.g. `strategy.stepover` (the same path a validation
    /// error names, so the page puts the message next to this field).
    pub path: &'static str,
    /// A name for the control when one path means different things to different strategies
    /// (`strategy.rough.z_top` is the stock top, `strategy.z_top` the first waterline level):
    /// fields of several strategies that share a path and a control are one control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<&'static str>,
    /// What a person reads next to it.
    pub label: &'static str,
    /// How it is edited.
    #[serde(rename = "type")]
    pub kind: Control,
    /// What a number measures.
    pub quantity: Quantity,
    /// Smallest value the control offers (the engine's check is the authority).
    pub min: Option<f64>,
    /// Largest value the control offers.
    pub max: Option<f64>,
    /// Step of the control's arrows.
    pub step: Option<f64>,
    /// Whole numbers only.
    pub integer: bool,
    /// An empty control means `null`: the engine picks (the label says what).
    pub nullable: bool,
    /// The choices of a select (serialised by the registry, which also fills in the
    /// choices that come from other registries: strategies, cutters, dialects).
    #[serde(skip)]
    pub options: &'static [Choice],
    /// Shown only while this holds.
    pub when: Option<When>,
    /// Changing it changes the imported model: the page loads the model again.
    pub reload: bool,
    /// The job holds this many equal numbers (a uniform scale `[s, s, s]`); 0: one value.
    pub uniform: u8,
}

impl Field {
    const fn new(path: &'static str, label: &'static str, kind: Control) -> Field {
        Field {
            path,
            control: None,
            label,
            kind,
            quantity: Quantity::None,
            min: None,
            max: None,
            step: None,
            integer: false,
            nullable: false,
            options: &[],
            when: None,
            reload: false,
            uniform: 0,
        }
    }

    /// A number measuring `quantity`.
    pub const fn number(path: &'static str, label: &'static str, quantity: Quantity) -> Field {
        let mut f = Field::new(path, label, Control::Number);
        f.quantity = quantity;
        f
    }

    /// A choice among `options`.
    pub const fn select(
        path: &'static str,
        label: &'static str,
        options: &'static [Choice],
    ) -> Field {
        let mut f = Field::new(path, label, Control::Select);
        f.options = options;
        f
    }

    /// On or off.
    pub const fn checkbox(path: &'static str, label: &'static str) -> Field {
        Field::new(path, label, Control::Checkbox)
    }

    /// A list of numbers measuring `quantity`.
    pub const fn list(path: &'static str, label: &'static str, quantity: Quantity) -> Field {
        let mut f = Field::new(path, label, Control::List);
        f.quantity = quantity;
        f
    }

    /// With limits and a step for the control.
    pub const fn range(mut self, min: Option<f64>, max: Option<f64>, step: f64) -> Field {
        self.min = min;
        self.max = max;
        self.step = Some(step);
        self
    }

    /// Empty means `null` (the engine's default).
    pub const fn nullable(mut self) -> Field {
        self.nullable = true;
        self
    }

    /// Whole numbers only.
    pub const fn integer(mut self) -> Field {
        self.integer = true;
        self
    }

    /// A control of its own name (see [`Field::control`]).
    pub const fn control(mut self, name: &'static str) -> Field {
        self.control = Some(name);
        self
    }

    /// Shown only while the value at `path` is `equals`.
    pub const fn when(mut self, path: &'static str, equals: &'static str) -> Field {
        self.when = Some(When { path, equals });
        self
    }

    /// Changing it reloads the model.
    pub const fn reload(mut self) -> Field {
        self.reload = true;
        self
    }

    /// The job holds `n` equal numbers.
    pub const fn uniform(mut self, n: u8) -> Field {
        self.uniform = n;
        self
    }

    /// The key naming this field's control: [`Field::control`] or else the path.
    pub fn control_key(&self) -> &'static str {
        self.control.unwrap_or(self.path)
    }
}

/// The serde names of every variant of a field-less enum or an internally tagged one: what
/// serde itself would accept. Registry tests compare them with the registered choices, so a
/// variant added without a registry entry fails a test instead of missing from the page.
#[cfg(test)]
pub(crate) fn serde_variants<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
    use serde::de::value::{MapDeserializer, StrDeserializer};
    // A value no enum has: serde answers "unknown variant" with the list of the known ones.
    const PROBE: &str = "\u{1}swarf-probe";
    if let Err(e) = T::deserialize(StrDeserializer::<Probe>::new(PROBE)) {
        if let Some(v) = e.0 {
            return v.to_vec();
        }
    }
    // An internally tagged enum reads its tag from a map.
    let map = MapDeserializer::<_, Probe>::new(std::iter::once(("type", PROBE)));
    if let Err(e) = T::deserialize(map) {
        if let Some(v) = e.0 {
            return v.to_vec();
        }
    }
    Vec::new()
}

/// The error [`serde_variants`] probes with: keeps the expected variants of an unknown one.
#[cfg(test)]
#[derive(Debug)]
struct Probe(Option<&'static [&'static str]>);

#[cfg(test)]
impl std::fmt::Display for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "probe")
    }
}

#[cfg(test)]
impl std::error::Error for Probe {}

#[cfg(test)]
impl serde::de::Error for Probe {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Probe(None)
    }
    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Probe(Some(expected))
    }
}

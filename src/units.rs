//! Length units: the job's, the model file's and the G-code's. They sit below every module
//! that measures anything (mesh transforms, jobs, posts).

/// Program units (the job's units; the engine works in them throughout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Millimetres (`G21`).
    #[default]
    Mm,
    /// Inches (`G20`).
    Inch,
}

impl Units {
    /// Millimetres per unit.
    pub fn mm(self) -> f64 {
        match self {
            Units::Mm => 1.0,
            Units::Inch => 25.4,
        }
    }

    /// Coordinate decimals that resolve about a micrometre: 3 for mm, 4 for inch.
    pub fn default_decimals(self) -> usize {
        match self {
            Units::Mm => 3,
            Units::Inch => 4,
        }
    }

    /// The unit's name as a maker writes it (`mm`, `inch`).
    pub fn name(self) -> &'static str {
        match self {
            Units::Mm => "mm",
            Units::Inch => "inch",
        }
    }
}

//! Choices several strategies share (3D and 2D): cutting direction and clearing pattern.

use crate::schema::Choice;
use serde::{Deserialize, Serialize};

/// Cutting direction relative to the spindle's rotation (M3, clockwise seen from above).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Milling {
    /// Down milling: each tooth enters the material at full chip thickness and leaves the
    /// finished surface at zero; the material on the tool's right, as with cutter
    /// compensation G41 (a better finish on rigid machines).
    #[default]
    Climb,
    /// Up milling: the material on the tool's left (G42); kinder to machines with backlash.
    Conventional,
}

impl Milling {
    /// The choices as the page offers them.
    pub const CHOICES: &'static [Choice] = &[
        Choice::new("climb", "Climb"),
        Choice::new("conventional", "Conventional"),
    ];
}

/// How roughing clears a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClearPattern {
    /// Offsets of the layer's boundary, inwards: constant engagement, follows the part.
    #[default]
    Offset,
    /// Back-and-forth lines along X.
    Zigzag,
    /// Adaptive clearing: the engagement never wider than the stepover, corners included
    /// (the passes steer round the material left), after a helix entry.
    Adaptive,
}

impl ClearPattern {
    /// The choices as the page offers them.
    pub const CHOICES: &'static [Choice] = &[
        Choice::new("offset", "Offset (follows the part)"),
        Choice::new("zigzag", "Zigzag lines"),
        Choice::new("adaptive", "Adaptive (engagement at most the stepover)"),
    ];

    /// Refuses adaptive clearing at a stepover so small it would take tens of thousands of
    /// passes (`p` is the strategy's field path).
    pub(crate) fn check_ratio(self, p: &str, ratio: f64) -> Result<(), super::JobError> {
        if self == ClearPattern::Adaptive && ratio < 0.02 {
            return Err(super::err(
                &format!("{p}.pattern"),
                format!(
                    "adaptive clearing at a stepover of {ratio} × the diameter would take tens of thousands of passes; use at least 0.02"
                ),
            ));
        }
        Ok(())
    }
}

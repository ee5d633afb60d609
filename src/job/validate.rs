//! Checks of every job value that does not depend on the model, each error naming its field.

use super::{err, Job, JobError, ToolKind, ToolSpec, MAX_OPERATIONS};
use crate::cutter::{Cutter, Shape};

impl ToolSpec {
    /// The validated cutter.
    pub fn cutter(&self) -> Result<Cutter, JobError> {
        self.cutter_at("tool")
    }

    /// The validated cutter; errors name fields under `prefix` (e.g. `operations[1].tool`).
    pub fn cutter_at(&self, prefix: &str) -> Result<Cutter, JobError> {
        let shape = match self.kind {
            ToolKind::Flat => Shape::Flat,
            ToolKind::Ball => Shape::Ball,
            ToolKind::Bull => Shape::Bull {
                corner_radius: self.corner_radius,
            },
            ToolKind::Cone => Shape::Cone {
                angle_deg: self.angle,
            },
        };
        Cutter::new(shape, self.diameter, self.flute_length).map_err(|e| {
            let field = if e.0.starts_with("corner") {
                "corner_radius"
            } else if e.0.starts_with("cone") {
                "angle"
            } else if e.0.starts_with("flute") {
                "flute_length"
            } else {
                "diameter"
            };
            err(&format!("{prefix}.{field}"), e.0)
        })
    }
}

pub(crate) fn positive(field: &str, v: f64, max: f64) -> Result<(), JobError> {
    if !v.is_finite() || v <= 0.0 {
        return Err(err(field, format!("{v} must be a positive number")));
    }
    if v > max {
        return Err(err(field, format!("{v} is larger than {max}")));
    }
    Ok(())
}

/// An optional box given by its two corners: both or neither, finite, `max > min` on every
/// axis. `name` is the field (`bounds`, `stock`).
fn check_box<const N: usize>(
    name: &str,
    min: Option<[f64; N]>,
    max: Option<[f64; N]>,
) -> Result<(), JobError> {
    match (min, max) {
        (Some(lo), Some(hi)) => {
            for k in 0..N {
                finite(&format!("{name}.min"), lo[k])?;
                finite(&format!("{name}.max"), hi[k])?;
                if lo[k] >= hi[k] {
                    return Err(err(
                        &format!("{name}.max"),
                        format!(
                            "max {} must be greater than min {} on {}",
                            hi[k],
                            lo[k],
                            ["x", "y", "z"][k]
                        ),
                    ));
                }
            }
            Ok(())
        }
        (None, None) => Ok(()),
        _ => Err(err(
            name,
            format!("give both {name}.min and {name}.max, or neither"),
        )),
    }
}

pub(crate) fn finite(field: &str, v: f64) -> Result<(), JobError> {
    if !v.is_finite() || v.abs() > 1.0e6 {
        return Err(err(
            field,
            format!("{v} must be a finite number within ±1000000"),
        ));
    }
    Ok(())
}

impl Job {
    /// Checks every value that does not depend on the model.
    pub fn validate(&self) -> Result<(), JobError> {
        let m = &self.model;
        for (k, s) in m.scale.iter().enumerate() {
            if !s.is_finite() || *s == 0.0 || s.abs() > 1.0e4 {
                return Err(err(
                    &format!("model.scale[{k}]"),
                    format!("{s} must be a non-zero number within ±10000"),
                ));
            }
        }
        for (k, t) in m.translate.iter().enumerate() {
            finite(&format!("model.translate[{k}]"), *t)?;
        }
        if self.operations.len() > MAX_OPERATIONS {
            return Err(err(
                "operations",
                format!(
                    "{} operations; a job chains at most {MAX_OPERATIONS}",
                    self.operations.len()
                ),
            ));
        }
        for (k, op) in self.operations().iter().enumerate() {
            let pre = self.op_prefix(k);
            let cutter = op.tool.cutter_at(&format!("{pre}tool"))?;
            op.strategy.validate(&format!("{pre}strategy"), &cutter)?;
        }
        let b = &self.bounds;
        if let Some(mg) = b.margin {
            finite("bounds.margin", mg)?;
            if mg < 0.0 {
                return Err(err("bounds.margin", format!("{mg} must not be negative")));
            }
        }
        check_box("bounds", b.min, b.max)?;
        if let Some(f) = b.floor {
            finite("bounds.floor", f)?;
        }
        let st = &self.stock;
        if !st.margin.is_finite() || !(0.0..=1.0e4).contains(&st.margin) {
            return Err(err(
                "stock.margin",
                format!("{} must be between 0 and 10000", st.margin),
            ));
        }
        check_box("stock", st.min, st.max)?;
        let mc = &self.machine;
        positive("machine.feed", mc.feed, 1.0e5)?;
        positive("machine.plunge_feed", mc.plunge_feed, 1.0e5)?;
        positive("machine.rapid_rate", mc.rapid_rate, 1.0e6)?;
        if !mc.spindle.is_finite() || mc.spindle < 0.0 || mc.spindle > 1.0e5 {
            return Err(err(
                "machine.spindle",
                format!("{} rpm must be between 0 and 100000", mc.spindle),
            ));
        }
        if let Some(s) = mc.safe_height {
            finite("machine.safe_height", s)?;
        }
        positive("machine.blend_tolerance", mc.blend_tolerance, 10.0)?;
        Ok(())
    }
}

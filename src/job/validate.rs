//! Checks of every job value that does not depend on the model, each error naming its field.

use super::{err, Job, JobError, MachineSpec, ToolKind, ToolSpec, MAX_OPERATIONS};
use crate::cutter::{Cutter, Shape};
use crate::post::{Blend, PostError, PostSettings, Problem, Setting};
use crate::units::Units;

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
        Cutter::new(shape, self.diameter, self.flute_length)
            .map_err(|e| err(&format!("{prefix}.{}", e.field()), e.to_string()))
    }
}

/// The most flutes a cutter may be given (end mills have 1 to 8; more is a typing slip).
pub const MAX_FLUTES: u32 = 32;

/// A strategy refusing the cutter: the error is on the `tool.kind` of the operation whose
/// strategy is at path `p` (`strategy`, `operations[1].strategy`).
pub(crate) fn wrong_tool(p: &str, why: &str) -> JobError {
    let op = p.strip_suffix("strategy").unwrap_or("");
    err(&format!("{op}tool.kind"), why.to_string())
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
            if op.rest && k == 0 {
                return Err(err(
                    &format!("{pre}rest"),
                    "rest machining cuts what earlier operations left: the first operation has none before it".to_string(),
                ));
            }
            positive(&format!("{pre}rest_threshold"), op.rest_threshold, 1.0e3)?;
        }

        self.check_tool_numbers()?;
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
        positive("machine.acceleration", mc.acceleration, 1.0e6)?;
        finite("machine.junction_deviation", mc.junction_deviation)?;
        if !(0.0..=10.0).contains(&mc.junction_deviation) {
            return Err(err(
                "machine.junction_deviation",
                format!("{} must be between 0 and 10", mc.junction_deviation),
            ));
        }
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
        if let Some(t) = mc.arc_tolerance {
            positive("machine.arc_tolerance", t, 10.0)?;
            let quantum = 10f64.powi(-(self.units.default_decimals() as i32));
            if t < quantum {
                return Err(err(
                    "machine.arc_tolerance",
                    format!("{t} is finer than the program's precision {quantum}"),
                ));
            }
        }
        if let Some(w) = mc.workers {
            if !(1..=256).contains(&w) {
                return Err(err(
                    "machine.workers",
                    format!("{w} workers: give 1 to 256, or leave it empty for every core"),
                ));
            }
        }
        // What the post writes at its precision (a feed of 0.0001 is F0 at 2 decimals).
        mc.post_settings(self.units)
            .validate()
            .map_err(machine_error)?;
        for (k, op) in self.operations().iter().enumerate() {
            let pre = self.op_prefix(k);
            op.tool
                .check_holder_and_rates(&format!("{pre}tool"), mc, self.units)?;
        }
        Ok(())
    }

    /// Tool numbers, which address the machine's tool table: within what the controller
    /// accepts, one cutter per number, and 0 ("no tool change") only where the cutter in
    /// the spindle stays.
    ///
    /// Two different cutters under one number are refused rather than renumbered: the
    /// number picks a pocket of the machine's tool table, which only the maker knows, so a
    /// number chosen here could load any tool. The message names a free number instead.
    fn check_tool_numbers(&self) -> Result<(), JobError> {
        let caps = self.machine.dialect.capabilities();
        let ops = self.operations();
        let field = |k: usize| format!("{}tool.number", self.op_prefix(k));
        for (k, op) in ops.iter().enumerate() {
            let t = &op.tool;
            if t.number > caps.max_tool_number {
                return Err(err(
                    &field(k),
                    format!(
                        "T{} is above {}, the largest tool number {} accepts",
                        t.number, caps.max_tool_number, caps.name
                    ),
                ));
            }
            if let Some(j) = (0..k).find(|&j| ops[j].tool.number == t.number) {
                let other = &ops[j].tool;
                if !other.same_cutter(t) {
                    let free = (1..=caps.max_tool_number)
                        .find(|n| ops.iter().all(|o| o.tool.number != *n))
                        .unwrap_or(0);
                    return Err(err(
                        &field(k),
                        format!(
                            "T{} is already the {} of operations[{j}]: this {} needs a \
                             number of its own in the tool table (T{free} is free)",
                            t.number,
                            other.describe(t),
                            t.describe(other),
                        ),
                    ));
                }
            }
            if t.number == 0 && k > 0 && !ops[k - 1].tool.same_cutter(t) {
                let before = &ops[k - 1].tool;
                return Err(err(
                    &field(k),
                    format!(
                        "0 writes no tool change, so this {} would cut with the {} of \
                         operations[{}]: give it its number in the tool table",
                        t.describe(before),
                        before.describe(t),
                        k - 1
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl ToolSpec {
    /// True when both describe the same physical cutter (the number aside): same kind,
    /// diameter and flute length, and the corner radius or angle where the kind has one.
    pub fn same_cutter(&self, o: &ToolSpec) -> bool {
        self.kind == o.kind
            && self.diameter == o.diameter
            && self.flute_length == o.flute_length
            && match self.kind {
                ToolKind::Bull => self.corner_radius == o.corner_radius,
                ToolKind::Cone => self.angle == o.angle,
                ToolKind::Flat | ToolKind::Ball => true,
            }
    }

    /// The cutter as a maker names it (`ball D6`, `bull D6 R1`, `cone D6 60°`), with the
    /// flute length when that is all that tells it from `other`.
    fn describe(&self, other: &ToolSpec) -> String {
        let kind = match self.kind {
            ToolKind::Flat => "flat",
            ToolKind::Ball => "ball",
            ToolKind::Bull => "bull",
            ToolKind::Cone => "cone",
        };
        let mut s = format!("{kind} D{}", self.diameter);
        match self.kind {
            ToolKind::Bull => s += &format!(" R{}", self.corner_radius),
            ToolKind::Cone => s += &format!(" {}°", self.angle),
            ToolKind::Flat | ToolKind::Ball => {}
        }
        let mut flute = other.clone();
        flute.flute_length = self.flute_length;
        if flute.same_cutter(self) && !other.same_cutter(self) {
            s += &format!(" flute {}", self.flute_length);
        }
        s
    }
}

impl MachineSpec {
    /// The post settings this machine asks for, in `units`. The safe height is the given
    /// one or 0 until the job is resolved against the model; tool and comment are the
    /// job's to fill in.
    pub fn post_settings(&self, units: Units) -> PostSettings {
        PostSettings {
            dialect: self.dialect,
            units,
            feed: self.feed,
            plunge_feed: self.plunge_feed,
            spindle_rpm: self.spindle,
            safe_height: self.safe_height.unwrap_or(0.0),
            blend: if self.exact_stop {
                Blend::ExactStop
            } else {
                Blend::Tolerance(self.blend_tolerance)
            },
            decimals: units.default_decimals(),
            tool_number: 1,
            comment: String::new(),
        }
    }
}

/// A post setting the machine cannot be given, named by its job field.
fn machine_error(e: PostError) -> JobError {
    setting_error(
        e,
        ["machine.feed", "machine.plunge_feed", "machine.spindle"],
    )
}

/// A post setting refused, named by its job field; `rates` names the feed, plunge feed and
/// spindle fields (the machine's, or an operation's tool's).
fn setting_error(e: PostError, rates: [&str; 3]) -> JobError {
    let PostError::Setting {
        field,
        value,
        problem,
    } = e
    else {
        return err("machine", e.to_string());
    };
    let name = match field {
        Setting::Feed => rates[0],
        Setting::PlungeFeed => rates[1],
        Setting::SpindleRpm => rates[2],
        Setting::SafeHeight => "machine.safe_height",
        Setting::Blend => "machine.blend_tolerance",
        Setting::Decimals => "units",
    };
    let mut message = String::new();
    // Writing into a String cannot fail.
    let _ = problem.describe(&mut message, value);
    if let (Setting::Blend, Problem::RoundsToZero { .. }) = (field, problem) {
        message += " (or set machine.exact_stop)";
    }
    err(name, message)
}

impl ToolSpec {
    /// Checks what the tool carries besides its shape: its flutes, the holder and its own
    /// feeds and speed, as the post would write them (`prefix` names the tool, e.g. `tool`
    /// or `operations[1].tool`).
    fn check_holder_and_rates(
        &self,
        prefix: &str,
        machine: &MachineSpec,
        units: Units,
    ) -> Result<(), JobError> {
        if let Some(n) = self.flutes {
            if !(1..=MAX_FLUTES).contains(&n) {
                return Err(err(
                    &format!("{prefix}.flutes"),
                    format!("{n} flutes: a cutter has 1 to {MAX_FLUTES}"),
                ));
            }
        }
        if let Some(h) = self.holder_diameter {
            positive(&format!("{prefix}.holder_diameter"), h, 1.0e4)?;
        }
        let mut ps = machine.post_settings(units);
        if let Some(f) = self.feed {
            positive(&format!("{prefix}.feed"), f, 1.0e5)?;
            ps.feed = f;
        }
        if let Some(f) = self.plunge_feed {
            positive(&format!("{prefix}.plunge_feed"), f, 1.0e5)?;
            ps.plunge_feed = f;
        }
        if let Some(s) = self.spindle {
            if !s.is_finite() || !(0.0..=1.0e5).contains(&s) {
                return Err(err(
                    &format!("{prefix}.spindle"),
                    format!("{s} rpm must be between 0 and 100000"),
                ));
            }
            ps.spindle_rpm = s;
        }
        let names = ["feed", "plunge_feed", "spindle"].map(|n| format!("{prefix}.{n}"));
        ps.validate()
            .map_err(|e| setting_error(e, [&names[0], &names[1], &names[2]]))
    }
}

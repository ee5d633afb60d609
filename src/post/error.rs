//! Why a program could not be written, as values: each variant carries the setting, point,
//! line or operation and the figure, so a caller names its own field without reading text.

use std::fmt;

use super::number::NumberError;

/// A post setting, as named in [`super::PostSettings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    /// `feed`: the cutting feed.
    Feed,
    /// `plunge_feed`: the feed of vertical entries.
    PlungeFeed,
    /// `spindle_rpm`: the spindle speed.
    SpindleRpm,
    /// `safe_height`: the height of sideways rapids.
    SafeHeight,
    /// `blend`: the path blending tolerance.
    Blend,
    /// `decimals`: digits after the decimal point for coordinates.
    Decimals,
}

impl Setting {
    /// The field's name in [`super::PostSettings`].
    pub fn name(self) -> &'static str {
        match self {
            Setting::Feed => "feed",
            Setting::PlungeFeed => "plunge_feed",
            Setting::SpindleRpm => "spindle_rpm",
            Setting::SafeHeight => "safe_height",
            Setting::Blend => "blend",
            Setting::Decimals => "decimals",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with a setting's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Problem {
    /// NaN, infinite, or beyond what a G-code number holds.
    Number(NumberError),
    /// Zero or negative where only a positive value makes sense.
    NotPositive,
    /// Negative where zero is the least.
    Negative,
    /// Positive, but zero once rounded to the `decimals` the program writes it with: the
    /// machine would read 0 (a feed of 0 is refused by the controller, a spindle speed of 0
    /// stops the spindle, a blend tolerance of 0 is exact stop in disguise).
    RoundsToZero {
        /// Digits after the decimal point the value is written with.
        decimals: usize,
    },
    /// Above the largest value the post writes.
    AboveMax {
        /// The largest value accepted.
        max: f64,
    },
}

impl Problem {
    /// Writes "`value` is ...": the value and what is wrong with it.
    pub fn describe(&self, f: &mut dyn fmt::Write, value: f64) -> fmt::Result {
        match self {
            Problem::Number(e) => write!(f, "{value} is {e}"),
            Problem::NotPositive => write!(f, "{value} must be positive"),
            Problem::Negative => write!(f, "{value} must not be negative"),
            Problem::RoundsToZero { decimals: 0 } => write!(
                f,
                "{value} rounds to 0 as the whole number the program writes; the least it \
                 can write is 1"
            ),
            Problem::RoundsToZero { decimals } => {
                let least = 10f64.powi(-(*decimals as i32));
                write!(
                    f,
                    "{value} rounds to 0 at the {decimals} decimals the program is written \
                     with; the least it can write is {least}"
                )
            }
            Problem::AboveMax { max } => write!(f, "{value} is above the largest, {max}"),
        }
    }
}

/// Why a program could not be written.
#[derive(Clone, Debug, PartialEq)]
pub enum PostError {
    /// A setting cannot be written.
    Setting {
        /// Which setting.
        field: Setting,
        /// Its value.
        value: f64,
        /// What is wrong with it.
        problem: Problem,
    },
    /// An operation's tool number is beyond what the controller accepts.
    ToolNumber {
        /// Index of the operation (section) in the program.
        section: usize,
        /// The number asked for.
        number: u32,
        /// The largest the controller accepts.
        max: u32,
        /// The controller's name.
        controller: &'static str,
    },
    /// The controller has no way to say these units.
    Units {
        /// The program's units.
        units: crate::units::Units,
        /// The controller's name.
        controller: &'static str,
    },
    /// A toolpath coordinate cannot be written (NaN, infinite, absurdly large).
    Point {
        /// Index of the point in the program's toolpaths, counted across operations.
        index: usize,
        /// `X`, `Y` or `Z`.
        axis: char,
        /// The coordinate.
        value: f32,
        /// Why it cannot be written.
        problem: NumberError,
    },
    /// A line would exceed the dialect's limit.
    LineTooLong {
        /// 1-based line number in the output.
        line: usize,
        /// Characters in the line, without its newline.
        chars: usize,
        /// The dialect's limit.
        max: usize,
    },
    /// The text sink ([`std::fmt::Write`]) refused the text.
    Sink,
    /// The byte sink ([`std::io::Write`]) failed.
    Io(std::io::ErrorKind),
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostError::Setting {
                field,
                value,
                problem,
            } => {
                write!(f, "post setting {field}: ")?;
                problem.describe(f, *value)?;
                if let (Setting::Blend, Problem::RoundsToZero { .. }) = (field, problem) {
                    f.write_str(" (or use exact stop)")?;
                }
                Ok(())
            }
            PostError::ToolNumber {
                section,
                number,
                max,
                controller,
            } => write!(
                f,
                "operation {}: tool number {number} is above {max}, the largest {controller} \
                 accepts",
                section + 1
            ),
            PostError::Units { units, controller } => write!(
                f,
                "units: {controller} programs cannot be written in {}, use mm",
                units.name()
            ),
            PostError::Point {
                index,
                axis,
                value,
                problem,
            } => write!(f, "toolpath point {index}: {axis} = {value} is {problem}"),
            PostError::LineTooLong { line, chars, max } => {
                write!(
                    f,
                    "G-code line {line} has {chars} characters, the controller takes {max}"
                )
            }
            PostError::Sink => f.write_str("writing G-code failed: the output refused the text"),
            PostError::Io(kind) => write!(f, "writing G-code failed: {kind}"),
        }
    }
}

impl std::error::Error for PostError {}

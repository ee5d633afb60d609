//! Programs read back: G-code from Swarf or any other CAM, as moves ([`read`]), and what a
//! controller will make of them ([`time`]: a GRBL-style planner's cycle time).

pub mod read;
pub mod time;

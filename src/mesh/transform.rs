//! Model transforms: scale, quarter-turn rotations, mirror, translate, place on bed, units.
//! Stub: lands with issue 3.

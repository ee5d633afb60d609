//! Spatial index. In progress.

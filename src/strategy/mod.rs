//! Strategies. In progress.

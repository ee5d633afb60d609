//! Job description. In progress.

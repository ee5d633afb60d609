//! Helpers shared by integration tests (`mod common;` in a test file).

#![allow(dead_code)]

pub mod rs274;

//! The code generated at build time from tools.yaml and the specs (readable copy in `generated/`).
include!(concat!(env!("OUT_DIR"), "/mod.rs"));

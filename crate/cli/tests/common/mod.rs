//! Helpers shared by the CLI's end-to-end tests.

use std::path::{Path, PathBuf};

/// The model directory (`SPARROW_MODEL_DIR`, else `model/build`). Fails, never skips, when the
/// f32 and int8 models are not there.
pub(crate) fn model_dir() -> PathBuf {
    let dir = std::env::var_os("SPARROW_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../model/build"));
    assert!(
        dir.join("splade-tiny.int8.onnx").is_file() && dir.join("splade-tiny.f32.onnx").is_file(),
        "{} has no model: run model/build.sh first (or set SPARROW_MODEL_DIR)",
        dir.display()
    );
    dir
}

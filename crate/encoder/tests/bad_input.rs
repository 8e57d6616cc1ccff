//! Wrong model/tokenizer bytes and bad configs give typed errors, never a panic.

mod common;

use common::{model_bytes, tokenizer_bytes};
use prost::Message;
use sparrow_encoder::{EncoderConfig, EncoderError, SparseEncoder};
use tract_onnx::pb;

fn load(model: &[u8]) -> Result<SparseEncoder, EncoderError> {
    SparseEncoder::from_bytes(model, &tokenizer_bytes(), EncoderConfig::default())
}

/// Our f32 model with its metadata edited.
fn with_metadata(edit: impl FnOnce(&mut Vec<pb::StringStringEntryProto>)) -> Vec<u8> {
    let mut proto = pb::ModelProto::decode(model_bytes("f32").as_slice()).unwrap();
    edit(&mut proto.metadata_props);
    proto.encode_to_vec()
}

fn set(meta: &mut [pb::StringStringEntryProto], key: &str, value: &str) {
    meta.iter_mut().find(|e| e.key == key).unwrap().value = value.to_owned();
}

#[test]
fn random_bytes_are_not_a_model() {
    // A fixed xorshift stream, so failures reproduce.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for len in [0usize, 1, 7, 100, 4096, 1 << 16] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let err = load(&bytes).err().unwrap_or_else(|| panic!("{len} random bytes loaded"));
        assert!(matches!(err, EncoderError::NotSparrowModel { .. }), "{len} bytes: {err:?}");
        assert_eq!(err.code(), "MODEL_NOT_SPARROW");
    }
}

#[test]
fn truncated_model_is_refused() {
    let bytes = model_bytes("int8");
    for len in [10, 1000, bytes.len() / 2, bytes.len() - 1] {
        let err = load(&bytes[..len]).err().unwrap_or_else(|| panic!("{len}-byte prefix loaded"));
        assert!(matches!(err, EncoderError::NotSparrowModel { .. }), "{len} bytes: {err:?}");
    }
}

#[test]
fn foreign_onnx_is_refused() {
    // A valid ONNX model that is not ours: y = Relu(x).
    let model = pb::ModelProto {
        ir_version: 8,
        opset_import: vec![pb::OperatorSetIdProto { domain: String::new(), version: 17 }],
        graph: Some(pb::GraphProto {
            name: "relu".into(),
            node: vec![pb::NodeProto {
                input: vec!["x".into()],
                output: vec!["y".into()],
                op_type: "Relu".into(),
                ..Default::default()
            }],
            input: vec![pb::ValueInfoProto { name: "x".into(), ..Default::default() }],
            output: vec![pb::ValueInfoProto { name: "y".into(), ..Default::default() }],
            ..Default::default()
        }),
        ..Default::default()
    };
    let err = load(&model.encode_to_vec()).unwrap_err();
    assert!(matches!(err, EncoderError::NotSparrowModel { .. }), "{err:?}");

    // Our metadata stuck on a foreign graph: refused on its inputs/outputs.
    let mut ours = pb::ModelProto::decode(model_bytes("int8").as_slice()).unwrap();
    let mut foreign = model;
    foreign.metadata_props = std::mem::take(&mut ours.metadata_props);
    let err = load(&foreign.encode_to_vec()).unwrap_err();
    assert!(
        matches!(err, EncoderError::NotSparrowModel { ref reason } if reason.contains("inputs")),
        "{err:?}"
    );
}

#[test]
fn our_graph_without_metadata_is_refused() {
    let err = load(&with_metadata(|m| m.clear())).unwrap_err();
    assert!(matches!(err, EncoderError::NotSparrowModel { .. }), "{err:?}");
    let err = load(&with_metadata(|m| set(m, "sparrow.variant", "fp16"))).unwrap_err();
    assert!(matches!(err, EncoderError::NotSparrowModel { .. }), "{err:?}");
}

#[test]
fn other_graph_version_is_unsupported() {
    let err = load(&with_metadata(|m| set(m, "sparrow.graph_version", "2"))).unwrap_err();
    assert_eq!(err, EncoderError::UnsupportedModel { found: "2".into(), supported: 1 });
    assert_eq!(err.code(), "MODEL_UNSUPPORTED");
}

#[test]
fn vocabulary_mismatch_is_detected() {
    let err = load(&with_metadata(|m| set(m, "sparrow.vocab_size", "30000"))).unwrap_err();
    assert_eq!(err, EncoderError::VocabMismatch { model: 30000, tokenizer: 30522 });
}

#[test]
fn bad_tokenizer_is_refused() {
    let model = model_bytes("int8");
    for tok in [&b""[..], b"{}", b"not json", &tokenizer_bytes()[..1000]] {
        let err = SparseEncoder::from_bytes(&model, tok, EncoderConfig::default()).unwrap_err();
        assert_eq!(err.code(), "TOKENIZER_INVALID", "{err:?}");
    }
}

#[test]
fn bad_config_is_refused_with_the_field_name() {
    let model = model_bytes("int8");
    let tok = tokenizer_bytes();
    let cases = [
        (EncoderConfig { max_tokens: 1024, ..EncoderConfig::default() }, "max_tokens"),
        (EncoderConfig { stride: 0, ..EncoderConfig::default() }, "stride"),
        (EncoderConfig { threshold: f32::INFINITY, ..EncoderConfig::default() }, "threshold"),
    ];
    for (cfg, field) in cases {
        match SparseEncoder::from_bytes(&model, &tok, cfg) {
            Err(EncoderError::InvalidConfig { name, .. }) => assert_eq!(name, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn other_mlm_head_is_refused() {
    // The encoder runs the projection + pooling itself, so a head that computes something else
    // (here: Sigmoid instead of Relu before the log) must be refused, not silently replaced.
    for variant in ["f32", "int8"] {
        let mut proto = pb::ModelProto::decode(model_bytes(variant).as_slice()).unwrap();
        let graph = proto.graph.as_mut().unwrap();
        let relu = graph.node.iter_mut().find(|n| n.op_type == "Relu").unwrap();
        relu.op_type = "Sigmoid".into();
        let err = load(&proto.encode_to_vec()).unwrap_err();
        assert!(
            matches!(err, EncoderError::NotSparrowModel { ref reason } if reason.contains("SPLADE graph")),
            "{variant}: {err:?}"
        );
    }
}

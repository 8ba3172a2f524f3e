/**
 * A test-only decoder schema for TF Serving's warmup records: the messages, field numbers and types of
 * tensorflow_serving/apis/{prediction_log,predict,model,logging}.proto (release 2.20.0) and tensorflow/core/framework/
 * {tensor,tensor_shape,types}.proto that a PredictionLog with a predict_log holds, transcribed (the upstream files
 * import much more than a test needs; test/tfserving/tfrecord.test.ts checks this transcription against the TF
 * Serving .proto files when ../shared is present). Written independently of lib/tfserving/prediction-log.ts, which encodes. `Int64Value` stands for
 * google.protobuf.Int64Value (same wire format), placed in this package to keep the schema one file.
 */
export const PREDICTION_LOG_PROTO = `syntax = "proto3";
package tensorflow.serving;

message DataTypeHolder {
  enum DataType { DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_UINT8 = 4; DT_INT16 = 5; DT_INT8 = 6; DT_STRING = 7; DT_COMPLEX64 = 8; DT_INT64 = 9; DT_BOOL = 10; }
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  DataTypeHolder.DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated float scomplex_val = 9 [packed = true];
  repeated int64 int64_val = 10 [packed = true];
  repeated bool bool_val = 11 [packed = true];
}

message Int64Value {
  int64 value = 1;
}

message ModelSpec {
  string name = 1;
  oneof version_choice {
    Int64Value version = 2;
    string version_label = 4;
  }
  string signature_name = 3;
}

message PredictRequest {
  ModelSpec model_spec = 1;
  map<string, TensorProto> inputs = 2;
  repeated string output_filter = 3;
}

message PredictResponse {
  ModelSpec model_spec = 2;
  map<string, TensorProto> outputs = 1;
}

message SamplingConfig {
  double sampling_rate = 1;
  int32 attributes = 2;
}

message LogMetadata {
  ModelSpec model_spec = 1;
  SamplingConfig sampling_config = 2;
  repeated string saved_model_tags = 3;
  int64 timestamp_secs = 4;
}

message ClassifyLog {}
message RegressLog {}
message PredictLog {
  PredictRequest request = 1;
  PredictResponse response = 2;
}
message PredictStreamedLog {}
message MultiInferenceLog {}
message SessionRunLog {}

message PredictionLog {
  LogMetadata log_metadata = 1;
  oneof log_type {
    ClassifyLog classify_log = 2;
    RegressLog regress_log = 3;
    PredictLog predict_log = 6;
    PredictStreamedLog predict_streamed_log = 7;
    MultiInferenceLog multi_inference_log = 4;
    SessionRunLog session_run_log = 5;
  }
}
`;

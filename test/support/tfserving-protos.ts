/**
 * TF Serving's PredictionLog type for decoding in tests, from the transcribed schema in prediction-log-proto.ts
 * (checked against the upstream .proto files by test/tfserving/tfrecord.test.ts when ../shared is present; the
 * project does not copy upstream files in).
 */
import * as protobuf from 'protobufjs';
import { PREDICTION_LOG_PROTO } from './prediction-log-proto';

/** The `tensorflow.serving.PredictionLog` message type. */
export function loadPredictionLogType(): protobuf.Type {
  return protobuf.parse(PREDICTION_LOG_PROTO, { keepCase: true }).root.lookupType('tensorflow.serving.PredictionLog');
}

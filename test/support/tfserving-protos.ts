/**
 * TF Serving's PredictionLog, loaded from the upstream .proto files checked in under test/fixtures/protos (see its
 * README). Only the files of the PredictLog branch are there: the parser reads each file without following its
 * imports, and the other branches' types are resolved only if a test decodes them (none does).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

const DIR = path.join(__dirname, '..', 'fixtures', 'protos');
const FILES = [
  'tensorflow/core/framework/types.proto',
  'tensorflow/core/framework/tensor_shape.proto',
  'tensorflow/core/framework/tensor.proto',
  'tensorflow_serving/apis/model.proto',
  'tensorflow_serving/config/log_collector_config.proto',
  'tensorflow_serving/config/logging_config.proto',
  'tensorflow_serving/apis/logging.proto',
  'tensorflow_serving/apis/predict.proto',
  'tensorflow_serving/apis/prediction_log.proto',
];

export function loadPredictionLogType(): protobuf.Type {
  const root = new protobuf.Root();
  for (const common of ['google/protobuf/wrappers.proto', 'google/protobuf/any.proto']) {
    root.addJSON(protobuf.common.get(common)!.nested!);
  }
  for (const file of FILES) protobuf.parse(fs.readFileSync(path.join(DIR, file), 'utf8'), root, { keepCase: true });
  return root.lookupType('tensorflow.serving.PredictionLog');
}

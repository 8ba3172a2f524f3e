import { parsePredictRequest, parsePredictResponse } from '../../lib/tfserving/prediction-log';

test('row format: named inputs are stacked along the batch dimension, b64 strings decoded', () => {
  expect(parsePredictRequest({ signature_name: 's', instances: [{ a: [1, 2], b: { b64: 'AA==' } }, { a: [3, 4], b: { b64: 'AQ==' } }] })).toEqual({
    signatureName: 's', format: 'row',
    inputs: {
      a: { dtype: 'DT_FLOAT', shape: [2, 2], values: [1, 2, 3, 4] },
      b: { dtype: 'DT_STRING', shape: [2], values: [Buffer.from([0]), Buffer.from([1])] },
    },
  });
});

test('columnar format: one unnamed input takes the default name; dtypes come from the options', () => {
  expect(parsePredictRequest({ inputs: [[1, 2, 3]] }, { defaultInputName: 'ids', dtypes: { ids: 'DT_INT32' } })).toEqual({
    signatureName: undefined, format: 'columnar', inputs: { ids: { dtype: 'DT_INT32', shape: [1, 3], values: [1, 2, 3] } },
  });
  expect(parsePredictResponse({ outputs: { flag: [true, false] } })).toEqual({ flag: { dtype: 'DT_BOOL', shape: [2], values: [true, false] } });
});

test('bodies TF Serving would refuse are refused with the reason', () => {
  expect(() => parsePredictRequest({ examples: [] })).toThrow('a predict request body must have "instances" (row format) or "inputs" (columnar format)');
  expect(() => parsePredictRequest({ inputs: { x: [1.5] } }, { dtypes: { x: 'DT_INT64' } })).toThrow("tensor 'x' is DT_INT64 but holds 1.5");
  expect(() => parsePredictRequest({ instances: [[1], [1, 2]] })).toThrow("tensor 'inputs' is ragged (not every list has the same depth and length)");
  expect(() => parsePredictResponse({ predictions: [null] })).toThrow("tensor 'outputs' holds a null where a number is expected");
  expect(() => parsePredictResponse({ error: 'x' })).toThrow('a predict response body must have "predictions" or "outputs"');
});

import { deriveThreads } from '../../lib/tfserving/threads';

test.each([
  [500, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 4, batch: 1 }],
  [1000, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 4, batch: 1 }],
  [2500, { intraOp: 3, interOp: 2, restApi: 12, grpcMax: 12, batch: 3 }],
  [8000, { intraOp: 8, interOp: 4, restApi: 32, grpcMax: 32, batch: 8 }],
  [0, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 4, batch: 1 }],
])('deriveThreads(%i millicores)', (millis, expected) => {
  expect(deriveThreads(millis)).toEqual(expected);
});

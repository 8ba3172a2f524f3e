import { deriveThreads, GRPC_THREAD_FLOOR, grpcThreadsFor } from '../../lib/tfserving/threads';

test.each([
  [500, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 128, batch: 1 }],
  [1000, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 128, batch: 1 }],
  [2500, { intraOp: 3, interOp: 2, restApi: 12, grpcMax: 128, batch: 3 }],
  [8000, { intraOp: 8, interOp: 4, restApi: 32, grpcMax: 128, batch: 8 }],
  [0, { intraOp: 1, interOp: 1, restApi: 4, grpcMax: 128, batch: 1 }],
])('deriveThreads(%i millicores)', (millis, expected) => {
  expect(deriveThreads(millis)).toEqual(expected);
});

describe('grpcThreadsFor: the gRPC thread cap admits what the batch queues hold (server.cc ResourceQuota::SetMaxThreads)', () => {
  test('never below the floor, never from the CPU alone', () => {
    expect(GRPC_THREAD_FLOOR).toBe(128);
    expect(grpcThreadsFor([])).toBe(128);
    expect(grpcThreadsFor([{ maxBatchSize: 8, maxEnqueuedBatches: 2, numBatchThreads: 2 }])).toBe(128);
  });

  test('maxBatchSize × (maxEnqueuedBatches + numBatchThreads) for one queue', () => {
    expect(grpcThreadsFor([{ maxBatchSize: 64, maxEnqueuedBatches: 4, numBatchThreads: 4 }])).toBe(512);
  });

  test('every model queues on its own; the batch threads are shared', () => {
    expect(grpcThreadsFor([
      { maxBatchSize: 64, maxEnqueuedBatches: 4, numBatchThreads: 4 },
      { maxBatchSize: 32, maxEnqueuedBatches: 2, numBatchThreads: 4 },
    ])).toBe(64 * 4 + 32 * 2 + 4 * 64);
  });
});

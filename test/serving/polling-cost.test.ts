import { callsPerPoll, estimatePollingCost, SECONDS_PER_MONTH } from '../../lib';

describe('callsPerPoll: TF Serving 2.20 PollFileSystemForServable through GcsFileSystem', () => {
  test('latest and all: FileExists(base) (a metadata read + a one-result list) and GetChildren (a list)', () => {
    expect(callsPerPoll({ policy: 'latest' })).toEqual({ list: 2, get: 1 });
    expect(callsPerPoll({ policy: 'all' })).toEqual({ list: 2, get: 1 });
  });

  test('specific: FileExists for the base and each named version (the fast path skips GetChildren)', () => {
    expect(callsPerPoll({ policy: 'specific', specificVersions: 3 })).toEqual({ list: 4, get: 4 });
  });
});

describe('callsPerPoll through a GCS FUSE mount: gcsfuse\'s calls (internal/fs/inode/dir.go)', () => {
  test('latest and all: the readdir of GetChildren is one ListObjects; the mount root costs nothing', () => {
    expect(callsPerPoll({ policy: 'latest', gcsFuseMetadataTtlSeconds: 60 })).toEqual({ list: 1, get: 0 });
    expect(callsPerPoll({ policy: 'all', gcsFuseMetadataTtlSeconds: 0 })).toEqual({ list: 1, get: 0 });
  });

  test('specific: on a poll after the metadata cache expired, a stat and a one-result list per version', () => {
    expect(callsPerPoll({ policy: 'specific', specificVersions: 2, gcsFuseMetadataTtlSeconds: 60 })).toEqual({ list: 2, get: 2 });
  });
});

describe('estimatePollingCost', () => {
  test('GCS FUSE, latest: one list call every poll whatever the metadata TTL (listings are not cached)', () => {
    for (const ttl of [0, 60, 3600]) {
      expect(estimatePollingCost({ models: [{ policy: 'latest', gcsFuseMetadataTtlSeconds: ttl }], replicas: 2, pollIntervalSeconds: 60 }))
        .toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 86400, getOpsPerMonth: 0, usdPerMonth: 0.43 });
    }
  });

  test('GCS FUSE, specific: lookups only on polls that find the metadata cache expired (one in ⌈TTL / interval⌉)', () => {
    const at = (ttl: number, interval: number) => estimatePollingCost({
      models: [{ policy: 'specific', specificVersions: 2, gcsFuseMetadataTtlSeconds: ttl }], replicas: 2, pollIntervalSeconds: interval,
    });
    // TTL ≤ interval (or 0, no cache): every poll, 2 versions × 43,200 polls × 2 replicas
    expect(at(60, 60)).toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 172800, getOpsPerMonth: 172800, usdPerMonth: 0.93 });
    expect(at(0, 60).listOpsPerMonth).toBe(172800);
    // TTL 240 s at 60 s: one poll in four
    expect(at(240, 60)).toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 43200, getOpsPerMonth: 43200, usdPerMonth: 0.23 });
    // TTL 90 s at 60 s: the cache is still fresh on the next poll, expired on the one after
    expect(at(90, 60).listOpsPerMonth).toBe(86400);
  });

  test('TfServingModel\'s default: one model, 2 replicas, every 60 s → 172,800 list calls a month, $0.90', () => {
    const cost = estimatePollingCost({ models: [{ policy: 'latest' }], replicas: 2, pollIntervalSeconds: 60 });
    expect(cost.pollsPerMonth).toBe(SECONDS_PER_MONTH / 60);
    expect(cost).toEqual({ pollsPerMonth: 43200, listOpsPerMonth: 172800, getOpsPerMonth: 86400, usdPerMonth: 0.9 });
  });

  test('TF Serving\'s own default (1 s) for one model on one replica: 5,184,000 list calls, about $26', () => {
    expect(estimatePollingCost({ models: [{ policy: 'latest' }], replicas: 1, pollIntervalSeconds: 1 }))
      .toEqual({ pollsPerMonth: 2592000, listOpsPerMonth: 5184000, getOpsPerMonth: 2592000, usdPerMonth: 26.96 });
  });

  test('models add up; no replicas, no calls', () => {
    const models = [{ policy: 'latest' as const }, { policy: 'specific' as const, specificVersions: 2 }];
    expect(estimatePollingCost({ models, replicas: 1, pollIntervalSeconds: 300 }).listOpsPerMonth).toBe(8640 * 5);
    expect(estimatePollingCost({ models, replicas: 0, pollIntervalSeconds: 300 }).listOpsPerMonth).toBe(0);
  });

  test('refusals', () => {
    expect(() => estimatePollingCost({ models: [], replicas: 1.5, pollIntervalSeconds: 60 })).toThrow(
      'estimatePollingCost: \'replicas\' (1.5) must be a whole number of 0 or more. Fix: count the replicas that poll');
    expect(() => estimatePollingCost({ models: [], replicas: 1, pollIntervalSeconds: 0 })).toThrow(
      'estimatePollingCost: \'pollIntervalSeconds\' (0) must be at least 1 (TF Serving\'s flag takes whole seconds; 0 turns polling off). Fix: use 60');
  });
});

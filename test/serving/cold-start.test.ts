import { COLD_START_FIGURES, MODEL_LOAD_TIERS, planColdStart } from '../../lib';
import { main } from '../../lib/cli';

const byTier = (plan: ReturnType<typeof planColdStart>) => Object.fromEntries(plan.estimates.map((e) => [e.tier, e]));

describe('estimates', () => {
  test('an 8 GiB model on GCS, -gpu image, 4 replicas: every tier from the documented figures', () => {
    // GIVEN the README's worked example
    const plan = planColdStart({ modelSizeGiB: 8, tier: 'gcs-direct', replicas: 4, gpu: true });
    const t = byTier(plan);
    // THEN the image (4 GiB at 200 MiB/s) takes 20.5 s on every tier
    expect(plan.estimates.map((e) => e.imagePullSeconds)).toEqual(Array(MODEL_LOAD_TIERS.length).fill(20.5));
    // one stream: 8192 MiB / 100 MiB/s = 81.9 s; + pull + 10 s start = 112.4 s
    expect(t['gcs-direct']).toEqual({ tier: 'gcs-direct', throughputMiBps: 100, imagePullSeconds: 20.5, modelLoadSeconds: 81.9, totalSeconds: 112.4 });
    expect(t['gcs-fuse'].totalSeconds).toBe(112.4);
    // parallel downloads: nine times one stream
    expect(t['gcs-fuse-cached']).toMatchObject({ throughputMiBps: 900, modelLoadSeconds: 9.1, totalSeconds: 39.6 });
    // a 100 GiB Balanced PD reads at 140 + 0.28 × 100 = 168 MiB/s
    expect(t.pvc).toMatchObject({ throughputMiBps: 168, modelLoadSeconds: 48.8 });
    // copy (parallel, capped by the disk) then read back: 1 / (1/168 + 1/168) = 84 MiB/s
    expect(t['storage-initializer'].throughputMiBps).toBe(84);
    // pulled (200 MiB/s) then read from disk (168 MiB/s): 91.3 MiB/s
    expect(t['image-volume'].throughputMiBps).toBe(91.3);
    expect(t['baked-image'].throughputMiBps).toBe(91.3);
    expect(plan.estimatedSeconds).toBe(112.4);
  });

  test('recommends the fastest tier when it saves at least 20 % and 30 s', () => {
    expect(planColdStart({ modelSizeGiB: 8, tier: 'gcs-direct', gpu: true }).recommendedTier).toBe('gcs-fuse-cached');
    // a 100 MiB model: every tier within a few seconds, so the current one stays
    expect(planColdStart({ modelSizeGiB: 0.1, tier: 'gcs-direct' }).recommendedTier).toBe('gcs-direct');
    // the current tier is already the fastest
    expect(planColdStart({ modelSizeGiB: 8, tier: 'gcs-fuse-cached' }).recommendedTier).toBe('gcs-fuse-cached');
  });

  test('image streaming or a preloaded secondary boot disk: the image starts in 5 s', () => {
    const streamed = planColdStart({ modelSizeGiB: 1, tier: 'gcs-direct', gpu: true, imagePreload: 'image-streaming' });
    expect(byTier(streamed)['gcs-direct'].imagePullSeconds).toBe(COLD_START_FIGURES.preloadedImageSeconds);
    // a baked model streams with the image at one stream; from a secondary boot disk it is read from disk
    expect(byTier(streamed)['baked-image'].throughputMiBps).toBe(100);
    const preloaded = planColdStart({ modelSizeGiB: 1, tier: 'baked-image', imagePreload: 'secondary-boot-disk' });
    expect(byTier(preloaded)['baked-image'].throughputMiBps).toBe(168);
    expect(byTier(preloaded)['image-volume'].throughputMiBps).toBe(168);
  });

  test('caps: the node\'s bandwidth, the project\'s Cloud Storage bandwidth shared by the replicas, the disk\'s per-instance limit', () => {
    // 1 Gbps = 119.2 MiB/s caps the parallel download
    expect(byTier(planColdStart({ modelSizeGiB: 1, tier: 'gcs-fuse-cached', nodeBandwidthGbps: 1 }))['gcs-fuse-cached'].throughputMiBps).toBe(119.2);
    // 200 Gbps / 1000 replicas = 23.8 MiB/s each
    expect(byTier(planColdStart({ modelSizeGiB: 1, tier: 'gcs-direct', replicas: 1000 }))['gcs-direct'].throughputMiBps).toBe(23.8);
    // S3 is not under the Cloud Storage quota
    expect(byTier(planColdStart({ modelSizeGiB: 1, tier: 's3-direct', replicas: 1000 }))['s3-direct'].throughputMiBps).toBe(100);
    // a 10 TiB disk would read 3007 MiB/s; an instance reads at most 1200
    expect(byTier(planColdStart({ modelSizeGiB: 1, tier: 'pvc', diskGiB: 10240 })).pvc.throughputMiBps).toBe(1200);
  });

  test('measured throughputs replace the figures; additional models load one after another', () => {
    const plan = planColdStart({
      modelSizeGiB: 2, tier: 'gcs-direct', throughputMiBps: { 'gcs-direct': 400, 'pvc': 1024 }, additionalModels: [{ sizeGiB: 1, tier: 'pvc' }],
    });
    // 2048 / 400 + 1024 / 1024 = 6.1 s of reads, + 2.6 s pull (0.5 GiB CPU image) + 10 s
    expect(byTier(plan)['gcs-direct']).toMatchObject({ throughputMiBps: 400, modelLoadSeconds: 6.1, totalSeconds: 18.7 });
  });
});

describe('budgets', () => {
  test('startup budget = estimate × 2 in whole minutes; probe period 10 s; deadline + 300 s; scale-up 0; scale-down max(300, 2 × estimate)', () => {
    const plan = planColdStart({ modelSizeGiB: 8, tier: 'gcs-direct', replicas: 4, gpu: true });
    // 112.4 × 2 = 224.8 s → 240 s
    expect(plan.startupBudgetSeconds).toBe(240);
    expect(plan.startupProbe).toEqual({ periodSeconds: 10, failureThreshold: 24 });
    expect(plan.progressDeadlineSeconds).toBe(540);
    expect(plan.scaleUpStabilizationSeconds).toBe(0);
    expect(plan.scaleDownStabilizationSeconds).toBe(300);
  });

  test('a large model: scale-down waits twice the estimate, at most one hour', () => {
    const big = planColdStart({ modelSizeGiB: 40, tier: 'gcs-direct', gpu: true });
    // 40960 / 100 + 20.5 + 10 = 440.1 s
    expect(big.estimatedSeconds).toBe(440.1);
    expect(big.scaleDownStabilizationSeconds).toBe(881);
    expect(big.startupBudgetSeconds).toBe(900);
    expect(planColdStart({ modelSizeGiB: 400, tier: 'gcs-direct' }).scaleDownStabilizationSeconds).toBe(3600);
  });

  test('a tiny model still gets a minute; safetyFactor and nodeProvisioningSeconds are inputs', () => {
    const plan = planColdStart({ modelSizeGiB: 0.01, tier: 'pvc', safetyFactor: 1, nodeProvisioningSeconds: 0 });
    expect(plan.startupBudgetSeconds).toBe(60);
    expect(plan.progressDeadlineSeconds).toBe(60);
  });
});

describe('refusals', () => {
  test.each<[string, any, string]>([
    ['modelSizeGiB', { modelSizeGiB: 0, tier: 'gcs-direct' },
      'planColdStart: \'modelSizeGiB\' (0) must be a number above 0. Fix: set modelSizeGiB to a positive number'],
    ['tier', { modelSizeGiB: 1, tier: 'nfs' },
      'planColdStart: \'tier\' ("nfs") must be one of \'gcs-direct\', \'s3-direct\', \'gcs-fuse\', \'gcs-fuse-cached\', \'storage-initializer\', \'image-volume\', '
      + '\'pvc\', \'baked-image\'. Fix: map your source onto the tier it reads like'],
    ['replicas', { modelSizeGiB: 1, tier: 'pvc', replicas: 0 },
      'planColdStart: \'replicas\' (0) must be a whole number of at least 1. Fix: count the replicas that start at once'],
    ['serverImageGiB', { modelSizeGiB: 1, tier: 'pvc', serverImageGiB: -1 },
      'planColdStart: \'serverImageGiB\' (-1) must be 0 or more. Fix: use the compressed size of the image'],
    ['imagePreload', { modelSizeGiB: 1, tier: 'pvc', imagePreload: 'warm' },
      'planColdStart: \'imagePreload\' ("warm") must be \'none\', \'image-streaming\' or \'secondary-boot-disk\'. Fix: use \'none\''],
    ['diskGiB', { modelSizeGiB: 1, tier: 'pvc', diskGiB: 0 },
      'planColdStart: \'diskGiB\' (0) must be a number above 0. Fix: set diskGiB to a positive number'],
    ['nodeBandwidthGbps', { modelSizeGiB: 1, tier: 'pvc', nodeBandwidthGbps: -10 },
      'planColdStart: \'nodeBandwidthGbps\' (-10) must be a number above 0. Fix: set nodeBandwidthGbps to a positive number'],
    ['throughputMiBps key', { modelSizeGiB: 1, tier: 'pvc', throughputMiBps: { nfs: 10 } },
      'planColdStart: \'throughputMiBps\' ("nfs") must be one of \'gcs-direct\', \'s3-direct\', \'gcs-fuse\', \'gcs-fuse-cached\', \'storage-initializer\', '
      + '\'image-volume\', \'pvc\', \'baked-image\'. Fix: map your source onto the tier it reads like'],
    ['throughputMiBps value', { modelSizeGiB: 1, tier: 'pvc', throughputMiBps: { pvc: 0 } },
      'planColdStart: \'throughputMiBps.pvc\' (0) must be a number above 0. Fix: set throughputMiBps.pvc to a positive number'],
    ['additionalModels size', { modelSizeGiB: 1, tier: 'pvc', additionalModels: [{ sizeGiB: Number.NaN, tier: 'pvc' }] },
      'planColdStart: \'additionalModels[0].sizeGiB\' (NaN) must be a number above 0. Fix: set additionalModels[0].sizeGiB to a positive number'],
    ['additionalModels tier', { modelSizeGiB: 1, tier: 'pvc', additionalModels: [{ sizeGiB: 1, tier: 'tape' }] },
      'planColdStart: \'additionalModels[0].tier\' ("tape") must be one of \'gcs-direct\', \'s3-direct\', \'gcs-fuse\', \'gcs-fuse-cached\', \'storage-initializer\', '
      + '\'image-volume\', \'pvc\', \'baked-image\'. Fix: map your source onto the tier it reads like'],
    ['safetyFactor', { modelSizeGiB: 1, tier: 'pvc', safetyFactor: 0.5 },
      'planColdStart: \'safetyFactor\' (0.5) must be at least 1. Fix: use 2'],
    ['nodeProvisioningSeconds', { modelSizeGiB: 1, tier: 'pvc', nodeProvisioningSeconds: 1.5 },
      'planColdStart: \'nodeProvisioningSeconds\' (1.5) must be a whole number of 0 or more. Fix: use 300'],
  ])('%s', (_, inputs, message) => {
    expect(() => planColdStart(inputs)).toThrow(message);
  });
});

describe('the cold-start command (npx tfserving-constructs cold-start)', () => {
  const run = (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['cold-start', ...args], (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join(''), err: err.join('') };
  };

  test('prints the plan as a table, the current and recommended tiers marked', () => {
    const r = run(['--size-gib', '8', '--tier', 'gcs-direct', '--replicas', '4', '--gpu']);
    expect(r.code).toBe(0);
    expect(r.out).toBe([
      'tier                    MiB/s   pull s   load s  total s',
      'gcs-direct              100.0     20.5     81.9    112.4  <- current',
      's3-direct               100.0     20.5     81.9    112.4',
      'gcs-fuse                100.0     20.5     81.9    112.4',
      'gcs-fuse-cached         900.0     20.5      9.1     39.6  <- recommended',
      'storage-initializer      84.0     20.5     97.5    128.0',
      'image-volume             91.3     20.5     89.7    120.2',
      'pvc                     168.0     20.5     48.8     79.3',
      'baked-image              91.3     20.5     89.7    120.2',
      'recommended tier: gcs-fuse-cached',
      'startup budget: 240 s (startupProbe periodSeconds 10, failureThreshold 24)',
      'progressDeadlineSeconds: 540',
      'HPA stabilization: scale-up 0 s, scale-down 300 s',
      '',
    ].join('\n'));
  });

  test('--image-preload and --node-gbps reach the plan', () => {
    const r = run(['--size-gib', '1', '--tier', 'gcs-fuse-cached', '--image-preload', 'image-streaming', '--node-gbps', '1']);
    expect(r.out).toContain('gcs-fuse-cached         119.2      5.0      8.6     23.6  <- current');
  });

  test('usage without size or tier, or with an unknown option (exit 2); a refused input (exit 1)', () => {
    const usage = 'usage: tfserving-constructs cold-start --size-gib N --tier gcs-direct|s3-direct|gcs-fuse|gcs-fuse-cached|storage-initializer|image-volume|pvc|baked-image '
      + '[--replicas N] [--gpu] [--image-preload none|image-streaming|secondary-boot-disk] [--node-gbps N]\n';
    expect(run(['--tier', 'pvc'])).toEqual({ code: 2, out: '', err: usage });
    expect(run(['--size-gib', '1', '--tier', 'pvc', '--fast'])).toEqual({ code: 2, out: '', err: `unknown option --fast\n${usage}` });
    expect(run(['--size-gib', 'x', '--tier', 'pvc'])).toEqual({
      code: 1, out: '', err: 'planColdStart: \'modelSizeGiB\' (NaN) must be a number above 0. Fix: set modelSizeGiB to a positive number\n',
    });
  });
});

import { planCapacity } from '../../lib';

test('derives HPA bounds, CPU target and max nodes', () => {
  // 1,000 QPS peak, 120 QPS per replica measured, 30 % headroom → 84 planned per replica.
  expect(planCapacity({ targetQps: 1000, qpsPerReplica: 120 })).toEqual({
    minReplicas: 2, maxReplicas: 12, targetCpuUtilization: 70, maxNodes: 13, plannedQpsPerReplica: 84,
  });
});

test('trough, replicas per node, surge and headroom', () => {
  expect(planCapacity({ targetQps: 1000, qpsPerReplica: 100, headroom: 0.5, troughQps: 300, replicasPerNode: 4, surge: 2 })).toEqual({
    minReplicas: 6, maxReplicas: 20, targetCpuUtilization: 50, maxNodes: 6, plannedQpsPerReplica: 50,
  });
  expect(planCapacity({ targetQps: 10, qpsPerReplica: 100, headroom: 0, minReplicas: 3, surge: 0 }))
    .toMatchObject({ minReplicas: 3, maxReplicas: 3, maxNodes: 3, targetCpuUtilization: 100 });
});

test('grows linearly with the target', () => {
  const a = planCapacity({ targetQps: 10_000, qpsPerReplica: 100, headroom: 0 });
  const b = planCapacity({ targetQps: 20_000, qpsPerReplica: 100, headroom: 0 });
  expect(b.maxReplicas).toBe(2 * a.maxReplicas);
});

test('rules', () => {
  expect(() => planCapacity({ targetQps: 0, qpsPerReplica: 10 })).toThrow("planCapacity: 'targetQps' (0) must be a number greater than 0. Fix: give the peak requests per second");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: -1 })).toThrow(
    "planCapacity: 'qpsPerReplica' (-1) must be a number greater than 0. Fix: measure one replica with a LoadTest and give its sustained requests per second");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, headroom: 1 })).toThrow(
    "planCapacity: 'headroom' (1) must be at least 0 and below 1 (a share of capacity kept free). Fix: use e.g. 0.3");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, headroom: 0.999 })).toThrow(
    "planCapacity: 'headroom' (0.999) must leave at least 1 % of a replica's capacity planned. Fix: use at most 0.99");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, troughQps: 20 })).toThrow(
    "planCapacity: 'troughQps' (20) must be between 0 and targetQps (10). Fix: give the quietest hour's requests per second");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, minReplicas: 0 })).toThrow("planCapacity: 'minReplicas' (0) must be an integer of at least 1. Fix: use 2");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, replicasPerNode: 1.5 })).toThrow(
    "planCapacity: 'replicasPerNode' (1.5) must be an integer of at least 1. Fix: count how many serving pods one node holds");
  expect(() => planCapacity({ targetQps: 10, qpsPerReplica: 10, surge: -1 })).toThrow("planCapacity: 'surge' (-1) must be an integer of 0 or more. Fix: use the Deployment's maxSurge (1)");
});

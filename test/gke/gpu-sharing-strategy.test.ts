import { GpuSharingStrategy } from '../../lib/gke';

describe('GpuSharingStrategy', () => {
  test('constants carry the node label value and the API enum value', () => {
    expect(GpuSharingStrategy.TIME_SHARING.labelValue).toBe('time-sharing');
    expect(GpuSharingStrategy.TIME_SHARING.apiValue).toBe('TIME_SHARING');
    expect(GpuSharingStrategy.MPS.labelValue).toBe('mps');
    expect(GpuSharingStrategy.MPS.apiValue).toBe('MPS');
    expect(`${GpuSharingStrategy.MPS}`).toBe('mps');
  });

  test('node labels and client limits are the ones GKE uses', () => {
    expect(GpuSharingStrategy.NODE_LABEL).toBe('cloud.google.com/gke-gpu-sharing-strategy');
    expect(GpuSharingStrategy.MAX_SHARED_CLIENTS_NODE_LABEL).toBe('cloud.google.com/gke-max-shared-clients-per-gpu');
    expect(GpuSharingStrategy.MIN_SHARED_CLIENTS_PER_GPU).toBe(2);
    expect(GpuSharingStrategy.MAX_SHARED_CLIENTS_PER_GPU).toBe(48);
  });

  test('of() returns the constant for a known value and derives the API value otherwise', () => {
    expect(GpuSharingStrategy.of('time-sharing')).toBe(GpuSharingStrategy.TIME_SHARING);
    const future = GpuSharingStrategy.of('fair-sharing');
    expect(future.labelValue).toBe('fair-sharing');
    expect(future.apiValue).toBe('FAIR_SHARING');
    expect(GpuSharingStrategy.of('fair-sharing', 'FAIR').apiValue).toBe('FAIR');
  });
});

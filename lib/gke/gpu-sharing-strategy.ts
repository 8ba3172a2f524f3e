/**
 * How GKE lets several containers share one physical GPU on a node pool.
 *
 * With either strategy, GKE advertises each physical GPU as `maxSharedClientsPerGpu` units of
 * `nvidia.com/gpu`, and a container may request at most one of them.
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/concepts/timesharing-gpus
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/nvidia-mps-gpus
 */
export class GpuSharingStrategy {
  /**
   * Node label GKE sets on shared GPU nodes to the strategy, e.g. `cloud.google.com/gke-gpu-sharing-strategy: time-sharing`.
   */
  public static readonly NODE_LABEL = 'cloud.google.com/gke-gpu-sharing-strategy';

  /**
   * Node label GKE sets on shared GPU nodes to the number of clients per GPU, e.g.
   * `cloud.google.com/gke-max-shared-clients-per-gpu: "3"`.
   */
  public static readonly MAX_SHARED_CLIENTS_NODE_LABEL = 'cloud.google.com/gke-max-shared-clients-per-gpu';

  /**
   * Fewest containers that can share one GPU (`max-shared-clients-per-gpu`).
   */
  public static readonly MIN_SHARED_CLIENTS_PER_GPU = 2;

  /**
   * Most containers that can share one GPU (`max-shared-clients-per-gpu`), for time-sharing and MPS alike.
   */
  public static readonly MAX_SHARED_CLIENTS_PER_GPU = 48;

  /**
   * GPU time-sharing: containers take turns on the whole GPU by context switching. No memory limits
   * or fault isolation between them.
   */
  public static readonly TIME_SHARING = new GpuSharingStrategy('time-sharing', 'TIME_SHARING');

  /**
   * NVIDIA Multi-Process Service: containers run on the GPU concurrently through one MPS server.
   */
  public static readonly MPS = new GpuSharingStrategy('mps', 'MPS');

  /**
   * A strategy this library does not know yet.
   *
   * A known value returns the constant (`GpuSharingStrategy.of('mps') === GpuSharingStrategy.MPS`).
   *
   * @param labelValue the value GKE writes into the `cloud.google.com/gke-gpu-sharing-strategy` node label
   * @param apiValue the GKE API enum value (`gpuSharingConfig.gpuSharingStrategy`); defaults to
   *   `labelValue` upper-cased with '-' replaced by '_'
   */
  public static of(labelValue: string, apiValue?: string): GpuSharingStrategy {
    const known = [GpuSharingStrategy.TIME_SHARING, GpuSharingStrategy.MPS].find(s => s.labelValue === labelValue);
    if (known && (apiValue === undefined || apiValue === known.apiValue)) {
      return known;
    }
    return new GpuSharingStrategy(labelValue, apiValue ?? labelValue.toUpperCase().replace(/-/g, '_'));
  }

  /**
   * Value of the `cloud.google.com/gke-gpu-sharing-strategy` node label (and of gcloud's `gpu-sharing-strategy`).
   */
  public readonly labelValue: string;

  /**
   * GKE API enum value, as used by `gpuSharingConfig.gpuSharingStrategy` in Config Connector and Pulumi.
   */
  public readonly apiValue: string;

  private constructor(labelValue: string, apiValue: string) {
    this.labelValue = labelValue;
    this.apiValue = apiValue;
  }

  /**
   * The node label value.
   */
  public toString(): string {
    return this.labelValue;
  }
}

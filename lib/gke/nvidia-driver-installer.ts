import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Accelerator } from './accelerator';

const ID = 'NvidiaDriverInstaller';
const LABELS = { 'k8s-app': 'nvidia-driver-installer' };

/**
 * The NVIDIA driver installer DaemonSet for Container-Optimized OS nodes (`kube-system/nvidia-driver-installer`),
 * for GPU node pools created with `GpuDriverVersion.INSTALLATION_DISABLED`.
 *
 * It is Google's `nvidia-driver-installer/cos/daemonset-preloaded.yaml` (the default driver version):
 * it runs on every node with a `cloud.google.com/gke-accelerator` label and without the
 * `cloud.google.com/gke-gpu-driver-version` label (which GKE sets on nodes where it installs the driver
 * itself), installs the driver with the installer image GKE preloads on COS nodes, and partitions
 * multi-instance GPUs. One DaemonSet serves every GPU pool of the cluster, so `GpuNodePool` creates it
 * once per scope with `NvidiaDriverInstaller.of()`.
 *
 * It belongs to the GKE cluster itself (not to the cluster running Config Connector).
 *
 * @see https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#installing_drivers
 * @see https://github.com/GoogleCloudPlatform/container-engine-accelerators/blob/068b15a980977bdaab46eb73e1ac8fba47e41f60/nvidia-driver-installer/cos/daemonset-preloaded.yaml
 */
export class NvidiaDriverInstaller extends Construct {
  /**
   * The installer in `scope`, created on first use.
   *
   * @param scope where the DaemonSet goes, usually the chart applied to the GKE cluster
   */
  public static of(scope: Construct): NvidiaDriverInstaller {
    return (scope.node.tryFindChild(ID) as NvidiaDriverInstaller | undefined) ?? new NvidiaDriverInstaller(scope, ID);
  }

  /** The DaemonSet (id `Resource`). */
  public readonly daemonSet: kplus.k8s.KubeDaemonSet;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const hostPath = (name: string, path: string): kplus.k8s.Volume => ({ name, hostPath: { path } });
    const cpu = { cpu: kplus.k8s.Quantity.fromString('0.15') };
    this.daemonSet = new kplus.k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: 'nvidia-driver-installer', namespace: 'kube-system', labels: LABELS },
      spec: {
        selector: { matchLabels: LABELS },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { name: 'nvidia-driver-installer', ...LABELS } },
          spec: {
            priorityClassName: 'system-node-critical',
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{
                    matchExpressions: [
                      { key: Accelerator.NODE_LABEL, operator: 'Exists' },
                      { key: 'cloud.google.com/gke-gpu-driver-version', operator: 'DoesNotExist' },
                    ],
                  }],
                },
              },
            },
            tolerations: [{ operator: 'Exists' }],
            hostNetwork: true,
            hostPid: true,
            volumes: [
              hostPath('dev', '/dev'),
              hostPath('vulkan-icd-mount', '/home/kubernetes/bin/nvidia/vulkan/icd.d'),
              hostPath('nvidia-install-dir-host', '/home/kubernetes/bin/nvidia'),
              hostPath('root-mount', '/'),
              hostPath('cos-tools', '/var/lib/cos-tools'),
              hostPath('nvidia-config', '/etc/nvidia'),
            ],
            initContainers: [
              {
                // Preloaded on GKE COS nodes; never pulled.
                image: 'cos-nvidia-installer:fixed',
                imagePullPolicy: 'Never',
                name: 'nvidia-driver-installer',
                resources: { requests: cpu },
                securityContext: { privileged: true },
                env: [
                  { name: 'NVIDIA_INSTALL_DIR_HOST', value: '/home/kubernetes/bin/nvidia' },
                  { name: 'NVIDIA_INSTALL_DIR_CONTAINER', value: '/usr/local/nvidia' },
                  { name: 'VULKAN_ICD_DIR_HOST', value: '/home/kubernetes/bin/nvidia/vulkan/icd.d' },
                  { name: 'VULKAN_ICD_DIR_CONTAINER', value: '/etc/vulkan/icd.d' },
                  { name: 'ROOT_MOUNT_DIR', value: '/root' },
                  { name: 'COS_TOOLS_DIR_HOST', value: '/var/lib/cos-tools' },
                  { name: 'COS_TOOLS_DIR_CONTAINER', value: '/build/cos-tools' },
                ],
                volumeMounts: [
                  { name: 'nvidia-install-dir-host', mountPath: '/usr/local/nvidia' },
                  { name: 'vulkan-icd-mount', mountPath: '/etc/vulkan/icd.d' },
                  { name: 'dev', mountPath: '/dev' },
                  { name: 'root-mount', mountPath: '/root' },
                  { name: 'cos-tools', mountPath: '/build/cos-tools' },
                ],
              },
              {
                image: 'gcr.io/gke-release/nvidia-partition-gpu@sha256:c54fd003948fac687c2a93a55ea6e4d47ffbd641278a9191e75e822fe72471c2',
                name: 'partition-gpus',
                env: [{ name: 'LD_LIBRARY_PATH', value: '/usr/local/nvidia/lib64' }],
                resources: { requests: cpu },
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: 'nvidia-install-dir-host', mountPath: '/usr/local/nvidia' },
                  { name: 'dev', mountPath: '/dev' },
                  { name: 'nvidia-config', mountPath: '/etc/nvidia' },
                ],
              },
            ],
            containers: [{ image: 'gcr.io/google-containers/pause:2.0', name: 'pause' }],
          },
        },
      },
    });
  }
}

import { DcgmLabels } from './serving-queries';
import { DCGM_METRICS, TF_SERVING_METRICS } from '../tfserving/metrics';

/** The custom.metrics.k8s.io names that {@link prometheusAdapterRules} serve and the autoscaler's HPA reads. */
export const PROMETHEUS_ADAPTER_METRICS = {
  /** Requests per second of a pod (all models and statuses). */
  requestRate: 'tensorflow_serving_requests_per_second',
  /** Mean time a request of a pod waited in the batching queue, microseconds. */
  batchQueueLatency: 'tensorflow_serving_batch_queueing_microseconds',
  /** GPU utilization of a pod's GPUs, percent (DCGM). */
  gpuUtilization: 'tensorflow_serving_gpu_utilization_percent',
} as const;

/** One discovery rule of prometheus-adapter's configuration (`rules:` of its config file). */
export interface PrometheusAdapterRule {
  /** The series the adapter discovers. */
  readonly seriesQuery: string;
  /** How series labels map to Kubernetes resources. */
  readonly resources: { readonly overrides: Record<string, { readonly resource: string }> };
  /** The metric name the adapter serves. */
  readonly name: { readonly matches: string; readonly as: string };
  /** The query per request; `<<.Series>>`, `<<.LabelMatchers>>` and `<<.GroupBy>>` are the adapter's templates. */
  readonly metricsQuery: string;
}

/**
 * The prometheus-adapter rules that serve {@link PROMETHEUS_ADAPTER_METRICS} for `MetricsBackend.prometheusAdapter()`:
 * add them to the adapter's `rules:` (Helm value `rules.custom`). TF Serving series map to pods by the scrape target's
 * `namespace` / `pod`; DCGM series by the exporter's pod and namespace labels (`dcgmLabels`).
 *
 * @param dcgmLabels how DCGM series name the pod of a GPU (default `DcgmLabels.EXPORTED`)
 *
 * @see https://github.com/kubernetes-sigs/prometheus-adapter/blob/master/docs/config.md
 */
export function prometheusAdapterRules(dcgmLabels: DcgmLabels = DcgmLabels.EXPORTED): PrometheusAdapterRule[] {
  const pods = { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
  const q = TF_SERVING_METRICS.batchQueueingLatency;
  return [
    {
      seriesQuery: `${TF_SERVING_METRICS.requestCount}{namespace!="",pod!=""}`,
      resources: pods,
      name: { matches: `^${TF_SERVING_METRICS.requestCount}$`, as: PROMETHEUS_ADAPTER_METRICS.requestRate },
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    },
    {
      seriesQuery: `${q}_count{namespace!="",pod!=""}`,
      resources: pods,
      name: { matches: `^${q}_count$`, as: PROMETHEUS_ADAPTER_METRICS.batchQueueLatency },
      metricsQuery: `sum(rate(${q}_sum{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>) / sum(rate(${q}_count{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)`,
    },
    {
      seriesQuery: `${DCGM_METRICS.gpuUtilization}{${dcgmLabels.namespace}!="",${dcgmLabels.pod}!=""}`,
      resources: { overrides: { [dcgmLabels.namespace]: { resource: 'namespace' }, [dcgmLabels.pod]: { resource: 'pod' } } },
      name: { matches: `^${DCGM_METRICS.gpuUtilization}$`, as: PROMETHEUS_ADAPTER_METRICS.gpuUtilization },
      metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ];
}

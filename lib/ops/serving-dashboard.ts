import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DcgmLabels, ServingQueries, ServingQueryTarget } from './serving-queries';
import { subjectOf } from '../core/errors';
import { checkLabels } from '../core/kubernetes';
import type { TfServingModel } from '../serving/tf-serving-model';

/** One panel of the serving dashboard: a title, a unit and PromQL series. */
export interface DashboardPanel {
  /** Panel title. */
  readonly title: string;
  /** Grafana unit id (`reqps`, `ms`, `percent`, `percentunit`, `decmbytes`, `short`). */
  readonly unit: string;
  /** The series: PromQL and a legend (Grafana `{{label}}` syntax). */
  readonly series: { readonly expr: string; readonly legend: string }[];
}

/** What the dashboard shows of a server. */
export interface ServingDashboardOptions {
  /** Show the batching panels (batch sizes, queueing). @default true */
  readonly batching?: boolean;
  /** Show the GPU panels (DCGM utilization and memory). @default true */
  readonly gpu?: boolean;
  /** Show autoscaler replicas against its maximum. @default true */
  readonly autoscaler?: boolean;
}

/**
 * The panels of a server's dashboard, shared by the Grafana and the Cloud Monitoring renderings: request rate and
 * latency per model, errors, batch sizes and queueing, model load state, GPU utilization and memory, replicas.
 *
 * TF Serving's request metrics carry `model_name` but no version label: a version is a server (one TfServingModel
 * per version, as canaries run), and the load panel shows the version directories (`model_path`) that loaded.
 */
export function dashboardPanels(target: ServingQueryTarget, options: ServingDashboardOptions = {}): DashboardPanel[] {
  const q = new ServingQueries(target);
  const panels: DashboardPanel[] = [
    { title: 'Requests per second by model', unit: 'reqps', series: [{ expr: q.requestRate(['model_name']), legend: '{{model_name}}' }] },
    {
      title: 'Request latency by model',
      unit: 'ms',
      series: [
        { expr: q.latencyMs(0.5), legend: 'p50 {{model_name}}' },
        { expr: q.latencyMs(0.99), legend: 'p99 {{model_name}}' },
      ],
    },
    { title: 'Errors per second by model and status', unit: 'reqps', series: [{ expr: q.errorRate(), legend: '{{model_name}} {{status}}' }] },
    {
      title: 'Model load state',
      unit: 'short',
      series: [
        { expr: q.availableReplicas(), legend: 'replicas with models AVAILABLE' },
        { expr: q.modelLoads(), legend: '{{model_path}} {{status}}' },
      ],
    },
  ];
  if (options.batching ?? true) {
    panels.push(
      { title: 'Batch size', unit: 'short', series: [{ expr: q.batchSize(0.5), legend: 'p50' }, { expr: q.batchSize(0.99), legend: 'p99' }] },
      { title: 'Batch queueing latency', unit: 'ms', series: [{ expr: q.queueingLatencyMs(0.5), legend: 'p50' }, { expr: q.queueingLatencyMs(0.99), legend: 'p99' }] },
    );
  }
  if (options.gpu ?? true) {
    panels.push(
      { title: 'GPU utilization', unit: 'percent', series: [{ expr: q.gpuUtilizationByPod(), legend: `{{${q.gpuPodLabel}}}` }] },
      { title: 'GPU memory used', unit: 'decmbytes', series: [{ expr: q.gpuMemoryUsedByPod(), legend: `{{${q.gpuPodLabel}}}` }] },
    );
  }
  if (options.autoscaler ?? true) {
    const r = q.hpaReplicas();
    panels.push({ title: 'Replicas', unit: 'short', series: [{ expr: r.current, legend: 'current' }, { expr: r.max, legend: 'autoscaler maximum' }] });
  }
  return panels;
}

/**
 * A Grafana dashboard (JSON model, schemaVersion 39) of the panels, two per row, on a `datasource` variable of type
 * prometheus. Deterministic: the uid derives from the server's namespace and name.
 *
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
export function grafanaDashboard(target: ServingQueryTarget, options: ServingDashboardOptions = {}): Record<string, unknown> {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  return {
    uid: `tfserving-${target.namespace ?? 'default'}-${target.name}`.slice(0, 40),
    title: `TF Serving ${target.namespace ? `${target.namespace}/` : ''}${target.name}`,
    tags: ['tensorflow-serving'],
    schemaVersion: 39,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: { list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus' }] },
    panels: dashboardPanels(target, options).map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      datasource: ds,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.series.map((s, j) => ({ refId: String.fromCharCode(65 + j), datasource: ds, expr: s.expr, legendFormat: s.legend })),
    })),
  };
}

/**
 * The same panels as a Cloud Monitoring dashboard (`projects.dashboards` resource: mosaicLayout of xyChart tiles on
 * PromQL through `timeSeriesQuery.prometheusQuery`), for the Pulumi path (`gcp.monitoring.Dashboard`'s
 * `dashboardJson`) or `gcloud monitoring dashboards create --config-from-file`.
 *
 * @see https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards
 */
export function cloudMonitoringDashboard(target: ServingQueryTarget, options: ServingDashboardOptions = {}): Record<string, unknown> {
  return {
    displayName: `TF Serving ${target.namespace ? `${target.namespace}/` : ''}${target.name}`,
    mosaicLayout: {
      columns: 48,
      tiles: dashboardPanels(target, options).map((p, i) => ({
        xPos: (i % 2) * 24,
        yPos: Math.floor(i / 2) * 16,
        width: 24,
        height: 16,
        widget: {
          title: p.title,
          xyChart: {
            dataSets: p.series.map((s) => ({ timeSeriesQuery: { prometheusQuery: s.expr }, plotType: 'LINE' })),
            yAxis: { scale: 'LINEAR', label: p.unit },
          },
        },
      })),
    },
  };
}

/** Properties of {@link ServingDashboard}. */
export interface ServingDashboardProps {
  /** The server to show. */
  readonly target: TfServingModel;
  /**
   * Show the autoscaler panel.
   *
   * @default - when the server has a CPU autoscaler; pass true with a ServingAutoscaler
   */
  readonly autoscaler?: boolean;
  /**
   * Labels that make Grafana's dashboard sidecar pick the ConfigMap up (its `label` / `labelValue` settings).
   *
   * @default { grafana_dashboard: '1' } (the kube-prometheus-stack and Grafana chart default)
   */
  readonly sidecarLabels?: Record<string, string>;
  /**
   * How DCGM series name the pod of a GPU.
   *
   * @default DcgmLabels.EXPORTED
   */
  readonly dcgmLabels?: DcgmLabels;
}

/**
 * A Grafana dashboard of a server in a ConfigMap that Grafana's dashboard sidecar (k8s-sidecar) loads: labelled
 * `grafana_dashboard: "1"`, one `<name>.json` key. Batching and GPU panels follow the server's settings.
 */
export class ServingDashboard extends Construct {
  /** The ConfigMap. */
  public readonly configMap: kplus.k8s.KubeConfigMap;
  /** The Grafana dashboard JSON model. */
  public readonly dashboard: Record<string, unknown>;
  /**
   * The same panels as a Cloud Monitoring dashboard, for a Pulumi program:
   * `new gcp.monitoring.Dashboard('resnet', { dashboardJson: JSON.stringify(d.cloudMonitoringDashboard) })`.
   */
  public readonly cloudMonitoringDashboard: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: ServingDashboardProps) {
    super(scope, id);
    const t = props.target;
    checkLabels(subjectOf('ServingDashboard', id), 'sidecarLabels', props.sidecarLabels);
    const target = { name: t.name, namespace: t.serviceNamespace, dcgmLabels: props.dcgmLabels };
    const options = { batching: t.batching !== undefined, gpu: t.gpus > 0, autoscaler: props.autoscaler ?? t.autoscaler !== undefined };
    this.dashboard = grafanaDashboard(target, options);
    this.cloudMonitoringDashboard = cloudMonitoringDashboard(target, options);
    this.configMap = new kplus.k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: `${t.name}-dashboard`,
        labels: { ...(props.sidecarLabels ?? { grafana_dashboard: '1' }), 'app.kubernetes.io/instance': t.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' },
      },
      data: { [`tfserving-${t.name}.json`]: JSON.stringify(this.dashboard, null, 2) },
    });
  }
}

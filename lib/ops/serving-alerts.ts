import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ServingQueries, ServingQueryTarget } from './serving-queries';
import { fail, subjectOf } from '../core/errors';
import { checkDuration } from '../core/kubernetes';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/rules-monitoring.coreos.com';
import { Rules } from '../imports/rules-monitoring.googleapis.com';
import type { TfServingModel } from '../serving/tf-serving-model';

/** One alerting rule, engine-neutral. */
export interface ServingAlertRule {
  /** Alert name. */
  readonly alert: string;
  /** PromQL condition. */
  readonly expr: string;
  /** How long the condition holds before the alert fires, e.g. `5m`. */
  readonly for: string;
  /** `severity` label. */
  readonly severity: 'critical' | 'warning';
  /** Summary annotation. */
  readonly summary: string;
}

/** The objectives the alerts hold a server to. */
export interface ServingObjectives {
  /**
   * Share of requests that may fail (status other than OK) over 5 minutes.
   *
   * @default 0.01
   */
  readonly maxErrorRatio?: number;
  /**
   * p99 request latency objective.
   *
   * @default Duration.millis(500)
   */
  readonly p99Latency?: Duration;
  /**
   * p99 batch queueing time above which the queue counts as saturated.
   *
   * @default - the server's batch timeout: a request that waits longer than one batching window is queued behind full batches
   */
  readonly batchQueueSaturation?: Duration;
}

/** What the alert rules cover. */
export interface ServingAlertRulesOptions extends ServingObjectives {
  /** The server has batching. @default true */
  readonly batching?: boolean;
  /** The server has an autoscaler (HPA named like the server). @default true */
  readonly autoscaler?: boolean;
  /** The batch timeout, microseconds (the default saturation threshold). @default 1000 */
  readonly batchTimeoutMicros?: number;
}

/**
 * The alert rules of a server: error ratio, p99 latency, a model not AVAILABLE (a failed SavedModel load, or pods
 * not Ready: TF Serving opens its ports only once its models are AVAILABLE), the batch queue saturated and replicas
 * at the autoscaler's maximum.
 */
export function servingAlertRules(target: ServingQueryTarget, options: ServingAlertRulesOptions = {}): ServingAlertRule[] {
  const q = new ServingQueries(target);
  const who = `${target.namespace ? `${target.namespace}/` : ''}${target.name}`;
  const errorRatio = options.maxErrorRatio ?? 0.01;
  const p99 = (options.p99Latency ?? Duration.millis(500)).toMilliseconds();
  const rules: ServingAlertRule[] = [
    { alert: 'TfServingErrorRatioHigh', expr: `${q.errorRatio()} > ${errorRatio}`, for: '5m', severity: 'critical', summary: `More than ${errorRatio * 100} % of requests to ${who} fail` },
    { alert: 'TfServingLatencyP99High', expr: `${q.latencyMs(0.99)} > ${p99}`, for: '10m', severity: 'warning', summary: `p99 latency of a model on ${who} is above ${p99} ms` },
    {
      alert: 'TfServingModelNotAvailable',
      expr: `${q.failedModelLoads()} > 0 or (${q.unavailableReplicas()}) > 0`,
      for: '15m',
      severity: 'critical',
      summary: `A model on ${who} failed to load, or replicas have no AVAILABLE models`,
    },
  ];
  if (options.batching ?? true) {
    const saturation = options.batchQueueSaturation ? options.batchQueueSaturation.toMilliseconds() : (options.batchTimeoutMicros ?? 1000) / 1000;
    rules.push({
      alert: 'TfServingBatchQueueSaturated',
      expr: `${q.queueingLatencyMs(0.99)} > ${saturation}`,
      for: '10m',
      severity: 'warning',
      summary: `Requests to ${who} wait more than ${saturation} ms in the batching queue (p99)`,
    });
  }
  if (options.autoscaler ?? true) {
    const r = q.hpaReplicas();
    rules.push({ alert: 'TfServingAtMaxReplicas', expr: `${r.current} >= ${r.max}`, for: '15m', severity: 'warning', summary: `${who} has run at its autoscaler's maximum for 15 minutes` });
  }
  return rules;
}

/** Properties of {@link ServingAlerts}. */
export interface ServingAlertsProps extends ServingObjectives {
  /** The server to watch; its scraper decides the rule kind. */
  readonly target: TfServingModel;
  /**
   * Alert on replicas at the autoscaler's maximum.
   *
   * @default - when the server has a CPU autoscaler; pass true with a ServingAutoscaler
   */
  readonly autoscaler?: boolean;
}

/**
 * Alerting rules of a server, as the scraper's Prometheus reads them: a prometheus-operator `PrometheusRule` with
 * `Scraper.SERVICE_MONITOR`, a Managed Prometheus `Rules` (monitoring.googleapis.com/v1, evaluated in the object's
 * namespace) with `Scraper.POD_MONITORING`.
 */
export class ServingAlerts extends Construct {
  /** The PrometheusRule (ServiceMonitor scraper). */
  public readonly prometheusRule?: PrometheusRule;
  /** The Managed Prometheus Rules (PodMonitoring scraper). */
  public readonly rules?: Rules;
  /** The rules, engine-neutral. */
  public readonly alertRules: ServingAlertRule[];

  constructor(scope: Construct, id: string, props: ServingAlertsProps) {
    super(scope, id);
    const S = subjectOf('ServingAlerts', id);
    const t = props.target;
    if (!t.serviceMonitor && !t.podMonitoring) {
      fail(S, 'target', t.node.id, 'be scraped (monitoring.scraper is Scraper.NONE: no series, so no alert could ever fire)',
        'set monitoring: { scraper: Scraper.POD_MONITORING } (or SERVICE_MONITOR) on the TfServingModel');
    }
    // The rules compare against whole milliseconds (histogram buckets and the queueing threshold).
    if (props.p99Latency) checkDuration(S, 'p99Latency', props.p99Latency, 'millis', 1);
    if (props.batchQueueSaturation) checkDuration(S, 'batchQueueSaturation', props.batchQueueSaturation, 'millis', 1);
    const ratio = props.maxErrorRatio;
    if (ratio !== undefined && !(ratio > 0 && ratio < 1)) fail(S, 'maxErrorRatio', ratio, 'be between 0 and 1 (a share of requests)', 'use 0.01');
    if (props.batchQueueSaturation && !t.batching) {
      fail(S, 'batchQueueSaturation', `${props.batchQueueSaturation.toMilliseconds()}ms`, `come with batching on '${t.node.id}' (the queueing series exists only with batching)`,
        'remove batchQueueSaturation, or set batching on the TfServingModel');
    }
    this.alertRules = servingAlertRules({ name: t.name, namespace: t.serviceNamespace }, {
      maxErrorRatio: props.maxErrorRatio,
      p99Latency: props.p99Latency,
      batchQueueSaturation: props.batchQueueSaturation,
      batching: t.batching !== undefined,
      batchTimeoutMicros: t.batching?.batchTimeoutMicros,
      autoscaler: props.autoscaler ?? t.autoscaler !== undefined,
    });
    const metadata = { name: `${t.name}-alerts`, labels: { 'app.kubernetes.io/instance': t.name, 'app.kubernetes.io/managed-by': 'tfserving-constructs' } };
    const rule = (r: ServingAlertRule) => ({ alert: r.alert, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } });
    const group = `tfserving-${t.name}`;
    if (t.serviceMonitor) {
      this.prometheusRule = new PrometheusRule(this, 'Resource', {
        metadata,
        spec: {
          groups: [{
            name: group,
            rules: this.alertRules.map((r) => ({ ...rule(r), expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
          }],
        },
      });
    } else {
      this.rules = new Rules(this, 'Resource', {
        metadata,
        spec: { groups: [{ name: group, interval: '30s', rules: this.alertRules.map((r) => ({ ...rule(r), expr: r.expr })) }] },
      });
    }
  }
}

import { Testing } from 'cdk8s';
import { unparsable } from './promql';
import { AutoscalingChart } from '../../examples/autoscaling/chart';
import { only, synth } from '../support/synth';

/** Every PromQL expression of a synthesized chart: KEDA trigger queries, rule expressions, Grafana panel targets. */
function promqlOf(objects: any[]): string[] {
  const exprs: string[] = [];
  for (const o of objects) {
    if (o.kind === 'ScaledObject') exprs.push(...o.spec.triggers.map((t: any) => t.metadata.query));
    if (o.kind === 'Rules' || o.kind === 'PrometheusRule') exprs.push(...o.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr)));
    if (o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard) {
      for (const json of Object.values<string>(o.data)) exprs.push(...JSON.parse(json).panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)));
    }
  }
  return exprs;
}

test('the example scales its GPU server on TF Serving and DCGM metrics, and ships its dashboard and alerts', () => {
  const chart = new AutoscalingChart(Testing.app(), 'autoscaling');
  const objects = synth(chart);
  const so = only(objects, 'ScaledObject');
  expect(so.spec.scaleTargetRef.name).toBe(only(objects, 'Deployment').metadata.name);
  expect(only(objects, 'Deployment').spec.replicas).toBeUndefined();
  expect(only(objects, 'Deployment').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
  expect(so.spec.triggers.map((t: any) => t.name)).toEqual(['request-rate', 'batch-queue-latency', 'gpu-utilization']);
  expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  // The pool holds the plan's maximum plus a surge pod.
  expect(only(objects, 'ContainerNodePool').spec.autoscaling.totalMaxNodeCount).toBe(13);
  expect(only(objects, 'Rules').spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
    'TfServingErrorRatioHigh', 'TfServingLatencyP99High', 'TfServingModelNotAvailable', 'TfServingBatchQueueSaturated', 'TfServingAtMaxReplicas',
  ]);
  const exprs = promqlOf(objects);
  expect(exprs.length).toBe(3 + 5 + 14); // triggers, alert rules, dashboard series
  expect(unparsable(exprs)).toEqual([]);
});

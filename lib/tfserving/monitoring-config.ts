import { TextProtoWriter } from './text-proto';
import { fail } from '../core/errors';

/** TF Serving's default Prometheus path (`PrometheusExporter::kPrometheusPath`). */
export const DEFAULT_PROMETHEUS_PATH = '/monitoring/prometheus/metrics';

/** `MonitoringConfig` (tensorflow_serving/config/monitoring_config.proto). */
export interface MonitoringConfig {
  /** `prometheus_config.path`: where the REST server exposes metrics. @default '/monitoring/prometheus/metrics' */
  readonly prometheusPath?: string;
}

/** Checks the metrics path, throwing a {@link ConfigError}. */
export function validateMonitoringConfig(subject: string, c: MonitoringConfig, prop: string = 'monitoring'): void {
  const path = c.prometheusPath ?? DEFAULT_PROMETHEUS_PATH;
  // The REST server routes /v1/… to the model API; the metrics path must not shadow it.
  if (!/^\/[A-Za-z0-9_./-]*$/.test(path) || path.startsWith('/v1/') || path === '/v1') {
    fail(subject, `${prop}.path`, path, 'be an absolute URL path outside /v1/ (the REST model API)', `use the default '${DEFAULT_PROMETHEUS_PATH}'`);
  }
}

/** Renders the text proto for `--monitoring_config_file`: Prometheus metrics enabled at the path. */
export function renderMonitoringConfig(c: MonitoringConfig): string {
  const path = c.prometheusPath ?? DEFAULT_PROMETHEUS_PATH;
  // The text depends on the path only, and every server of an app usually has the same one: written once per path.
  let text = rendered.get(path);
  if (text === undefined) {
    text = new TextProtoWriter().message('prometheus_config', (p) => p.scalar('enable', true).scalar('path', path)).toString();
    rendered.set(path, text);
  }
  return text;
}
const rendered = new Map<string, string>();

import { renderMonitoringConfig, validateMonitoringConfig } from '../../lib/tfserving/monitoring-config';
import { parseMonitoringConfig } from '../support/textproto';

test('renders prometheus_config with the default path', () => {
  const text = renderMonitoringConfig({});
  expect(text).toBe('prometheus_config {\n  enable: true\n  path: "/monitoring/prometheus/metrics"\n}\n');
  expect(parseMonitoringConfig(text)).toEqual({ prometheus_config: { enable: true, path: '/monitoring/prometheus/metrics' } });
});

test('renders a custom path', () => {
  expect(parseMonitoringConfig(renderMonitoringConfig({ prometheusPath: '/metrics' }))).toEqual({ prometheus_config: { enable: true, path: '/metrics' } });
});

test('the metrics path must be absolute and outside /v1/', () => {
  expect(() => validateMonitoringConfig("TfServingModel 'm'", { prometheusPath: '/v1/metrics' })).toThrow(
    "TfServingModel 'm': 'monitoring.path' (\"/v1/metrics\") must be an absolute URL path outside /v1/ (the REST model API). Fix: use the default '/monitoring/prometheus/metrics'");
  expect(() => validateMonitoringConfig("TfServingModel 'm'", { prometheusPath: 'metrics' })).toThrow("'monitoring.path' (\"metrics\") must be an absolute URL path");
  expect(() => validateMonitoringConfig("TfServingModel 'm'", { prometheusPath: '/metrics' })).not.toThrow();
});

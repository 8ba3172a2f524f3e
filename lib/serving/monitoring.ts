import { Duration } from 'cdk8s';

/** The object that tells a Prometheus where to scrape TF Serving's metrics. */
export class Scraper {
  /** No scrape object; metrics are still served for any scraper you configure yourself. */
  public static readonly NONE = new Scraper('none');
  /** A prometheus-operator `ServiceMonitor` (monitoring.coreos.com/v1) selecting the model's Service. */
  public static readonly SERVICE_MONITOR = new Scraper('service-monitor');
  /** A Google Managed Prometheus `PodMonitoring` (monitoring.googleapis.com/v1) selecting the model's pods. */
  public static readonly POD_MONITORING = new Scraper('pod-monitoring');

  private constructor(
    /** `none`, `service-monitor` or `pod-monitoring`. */
    public readonly kind: 'none' | 'service-monitor' | 'pod-monitoring',
  ) {}
}

/**
 * Prometheus metrics of the model server: the `--monitoring_config_file` and how they are scraped.
 */
export interface MonitoringOptions {
  /**
   * Expose TF Serving's Prometheus metrics on the REST port.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The metrics path.
   *
   * @default '/monitoring/prometheus/metrics'
   */
  readonly path?: string;
  /**
   * The scrape object to emit. An IstioCanary over the server rewrites its port, path and scheme to what the
   * mesh's STRICT mTLS admits (its `scraper` option: Istio metrics merging on port 15020 by default).
   *
   * @default Scraper.NONE
   */
  readonly scraper?: Scraper;
  /**
   * Scrape interval.
   *
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Namespace the scraper runs in, admitted by the server's NetworkPolicy to the REST port (metrics and REST inference
   * share that port: a NetworkPolicy cannot tell them apart).
   *
   * @default - 'gmp-system' for Scraper.POD_MONITORING, 'monitoring' otherwise
   */
  readonly scraperNamespace?: string;
}

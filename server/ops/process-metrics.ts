/**
 * prom-client's process metrics (CPU, memory, heap, event-loop lag, open files, GC) for one registry, minus the gauges
 * prom-client names `nodejs_active_*_total`: a gauge must not end in `_total` (Prometheus naming rules; `promtool
 * check metrics` rejects the scrape for it), and the handles/requests/resources counts are covered by the others.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

/** prom-client default metrics that break Prometheus's naming rules. */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Adds the process metrics to `registry`. Call once per registry (each call starts its own collectors). */
export function addProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
}

/**
 * The web app's Prometheus metrics (prom-client, its own Registry): results stored and refused, result-store
 * failures, and every HTTP answer by route and status class. Names and labels are listed in README "Operations".
 */
import { Counter, Registry } from 'prom-client';
import { addProcessMetrics } from './process-metrics';
import { statusClassOf } from './probe-metrics';

/** Route pattern of a web app path, for the `route` label and log lines (bounded: ids never become labels). */
export function webRouteOf(pathname: string): string {
  if (pathname === '/' || pathname === '/embed' || pathname === '/api/results' || pathname === '/api/dev-ca') return pathname;
  if (pathname === '/metrics' || pathname === '/healthz' || pathname === '/readyz') return pathname;
  if (/^\/r\/[^/]+$/.test(pathname)) return '/r/:id';
  if (/^\/api\/results\/[^/]+$/.test(pathname)) return '/api/results/:id';
  if (pathname.startsWith('/_next/static/')) return '/_next/static';
  if (pathname.startsWith('/_next/')) return '/_next/other';
  if (/^\/(favicon\.ico|icon\.svg|apple-touch-icon\.png|robots\.txt)$/.test(pathname)) return 'public-file';
  return 'other';
}

/** The web app's metrics. */
export class WebMetrics {
  /** This process's registry (never prom-client's global default one). */
  readonly registry = new Registry();
  private readonly stored: Counter;
  private readonly storedBytes: Counter;
  private readonly refused: Counter<'code'>;
  private readonly storeErrors: Counter<'operation' | 'code'>;
  private readonly httpResponses: Counter<'route' | 'status_class'>;

  /** Creates the metrics; with `processMetrics`, also prom-client's CPU/memory/event-loop metrics (once per process). */
  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.stored = new Counter({ name: 'netready_web_results_stored_total', help: 'Results stored by POST /api/results (answered 201).', registers });
    this.storedBytes = new Counter({ name: 'netready_web_results_stored_bytes_total', help: 'Bytes of result JSON stored by POST /api/results.', registers });
    this.refused = new Counter({
      name: 'netready_web_results_refused_total',
      help: 'POST /api/results refused, by error code (rate_limited, quota_exceeded, cross_site_request, unsupported_media_type, payload_too_large, json_too_deep, invalid_json, invalid_result, storage_unavailable, internal_error).',
      labelNames: ['code'],
      registers,
    });
    this.storeErrors = new Counter({
      name: 'netready_web_store_errors_total',
      help: 'Result store failures, by operation (write, read, check) and code (open_failed, write_failed, read_failed, corrupt_record, id_exhausted).',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.httpResponses = new Counter({ name: 'netready_web_http_responses_total', help: 'Answers of the web app, by route and status class (2xx … 5xx).', labelNames: ['route', 'status_class'], registers });
    this.stored.inc(0);
    if (options.processMetrics) addProcessMetrics(this.registry);
  }

  /** Counts a stored result of `bytes` bytes. */
  resultStored(bytes: number): void {
    this.stored.inc();
    this.storedBytes.inc(bytes);
  }

  /** Counts a refused POST /api/results by its error code. */
  resultRefused(code: string): void {
    this.refused.inc({ code });
  }

  /** Counts a result-store failure. */
  storeError(operation: 'write' | 'read' | 'check', code: string): void {
    this.storeErrors.inc({ operation, code });
  }

  /** Counts an HTTP answer. */
  httpAnswer(route: string, status: number): void {
    this.httpResponses.inc({ route, status_class: statusClassOf(status) });
  }
}

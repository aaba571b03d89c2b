/**
 * The probe's operations listener (`probe.ops`, default 127.0.0.1:9464), apart from the public API ports:
 *   GET /metrics – Prometheus text format (only to `ops.allowFrom`; 404 for everybody else)
 *   GET /readyz  – 200 when every listener is bound, the process is not shutting down and the certificate is valid
 *                  for at least a day; else 503. JSON body `{ ready, checks: [{ name, ok, detail }] }` (allowFrom only)
 *   GET /healthz – 200 while the process answers at all (liveness; answered to everybody)
 * `listen()` opens it (nothing happens in the constructor), `close()` closes it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressAllowList } from './allow-list';
import { observeHttpExchange } from './http-exchange';
import type { Logger } from './logger';
import type { Readiness } from './readiness';

/** Options of OpsServer. */
export interface OpsServerOptions {
  /** IP to bind (config `probe.ops.ip`). */
  ip: string;
  /** Port; 0 picks a free one (config `probe.ops.port`). */
  port: number;
  /** Who may read /metrics and /readyz (config `ops.allowFrom`). */
  allowFrom: readonly string[];
  /** The metrics text and its content type (a prom-client Registry: `metrics()`, `contentType`). */
  metrics: { metrics(): Promise<string>; readonly contentType: string };
  /** The current readiness. */
  readiness: () => Readiness;
  /** Request log (debug level: a scrape every 15 s is not news). */
  logger: Logger;
}

/** Routes of the operations listener, for log lines. */
const OPS_ROUTES = new Set(['/metrics', '/readyz', '/healthz']);

/** Answers the operations endpoints of one process. */
export class OpsServer {
  private readonly options: OpsServerOptions;
  private readonly allowList: AddressAllowList;
  private server?: http.Server;

  /** Validates the allow list; opens nothing. */
  constructor(options: OpsServerOptions) {
    this.options = options;
    this.allowList = new AddressAllowList(options.allowFrom);
  }

  /** Binds the listener; rejects with Node's error (EADDRINUSE with address and port) when it cannot. */
  async listen(): Promise<AddressInfo> {
    // Short deadlines: a monitoring request is a few hundred bytes, and a stuck one must not hold a socket.
    const server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, (req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'operations listener: request failed');
        if (!res.headersSent) send(res, 500, 'application/json; charset=utf-8', JSON.stringify({ error: { code: 'internal_error', message: 'internal error' } }));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.ip, port: this.options.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return server.address() as AddressInfo;
  }

  /** Where it listens, or null when it does not. */
  address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null;
  }

  /** Closes the listener and its connections; safe to call twice. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://ops.invalid').pathname;
    const client = req.socket.remoteAddress ?? '';
    observeHttpExchange(req, res, { logger: this.options.logger, route: OPS_ROUTES.has(path) ? path : 'other', clientAddress: client, level: 'debug' });
    const known = OPS_ROUTES.has(path) && (path === '/healthz' || this.allowList.allows(client));
    if (!known) return send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: { code: 'not_found', message: 'not found' } }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: { code: 'method_not_allowed', message: 'use GET' } }));
    }
    if (path === '/healthz') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      const readiness = this.options.readiness();
      return send(res, readiness.ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(readiness));
    }
    const { metrics } = this.options;
    send(res, 200, metrics.contentType, await metrics.metrics());
  }
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

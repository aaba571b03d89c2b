/**
 * Entry point of the probe process (`npm run probe`, started by `npm start`): loads the configuration, opens the
 * operations listener (`probe.ops`: /metrics, /healthz, /readyz), starts every companion server, logs
 * `netready probe ready` once listening (JSON lines, server/ops/logger.ts), stops on SIGINT/SIGTERM.
 * A bad configuration stops start-up with exit code 2 and a message naming the field.
 */
import { ConfigError, loadConfig } from './config/load';
import { regionArgument } from './config/region-argument';
import { createLogger, DEFAULT_LOG_SETTINGS, type Logger } from './ops/logger';
import { OpsServer } from './ops/ops-server';
import { ProbeServer } from './probe-server';
import { DemoHost } from './embed-demo/demo-host';
import { isOriginAllowed } from '../lib/embed/check-side';

/** How people reach the web app: a loopback or wildcard bind as localhost (like scripts/start.mjs). */
function webUrlOf(host: string, port: number): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host);
  return `http://${local ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Node's bind errors that mean "this address/port cannot be used", which the operator fixes in the configuration. */
const BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

function bindProblem(error: unknown): string | null {
  const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!err || typeof err.code !== 'string' || !BIND_ERRORS.has(err.code)) return null;
  return `netready: cannot listen on ${err.address ?? '?'}:${err.port ?? '?'} (${err.code}). Change the port in netready.config.json or stop the other process.`;
}

async function main(log: Logger): Promise<number> {
  let config;
  const region = regionArgument(process.argv.slice(2));
  if (region && 'error' in region) {
    log.fatal(`netready: ${region.error}`);
    return 2;
  }
  try {
    config = loadConfig(region ? { env: { ...process.env, NETREADY_PROBE_REGION: region.region } } : {});
  } catch (error) {
    if (error instanceof ConfigError) {
      log.fatal(`netready: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ service: 'probe', ...config.log });
  const server = new ProbeServer(config, logger);
  server.metrics.addProcessMetrics();
  const ops = new OpsServer({
    ...config.probe.ops,
    allowFrom: config.ops.allowFrom,
    metrics: server.metrics.registry,
    readiness: () => server.readiness(),
    logger,
  });
  let info;
  try {
    // First, so /healthz answers and /readyz says "starting" while certificates are obtained.
    const opsAddress = await ops.listen();
    logger.info(`netready: operations listener on http://${opsAddress.address}:${opsAddress.port} (/metrics, /healthz, /readyz)`);
    info = await server.start();
  } catch (error) {
    await ops.close();
    const problem = bindProblem(error);
    if (problem) {
      logger.fatal(problem);
      return 2;
    }
    if (error instanceof Error && error.name === 'AcmeError') {
      // The message names the ACME problem (server/acme/acme-certificates.ts); a stack would only hide it.
      logger.fatal(`netready: no certificate, so the probe cannot start. ${error.message}`);
      return 1;
    }
    logger.fatal({ err: error }, 'netready: the probe server failed to start');
    return 1;
  }
  // Development: the embed demo on its own origin (issue 14).
  let demo: DemoHost | null = null;
  if (config.embed.demoPort !== undefined) {
    demo = new DemoHost({ netreadyUrl: webUrlOf(config.web.host, config.web.port) });
    try {
      await demo.listen(config.embed.demoPort, config.web.host);
    } catch (error) {
      await Promise.all([server.stop(), ops.close()]);
      logger.fatal(bindProblem(error) ?? `netready: the embed demo could not start: ${String(error)}`);
      return 2;
    }
    const demoUrl = webUrlOf(config.web.host, config.embed.demoPort);
    logger.info(`netready: embed demo (a meeting app's join page embedding the check) on ${demoUrl}`);
    if (!isOriginAllowed(new URL(demoUrl).origin, config.embed.allowedOrigins)) {
      logger.warn(`netready: the embed demo's origin ${new URL(demoUrl).origin} is not in embed.allowedOrigins, so browsers will refuse to show the check there`);
    }
  }
  const e = info.endpoints;
  logger.info(
    `netready probe ready: api ${info.httpUrl} (tls ${info.httpsUrl}); STUN/TURN udp ${e.publicIp}:${e.turnUdpPort}, ` +
      `tcp ${e.publicIp}:${e.turnTcpPort}, tls ${e.tlsHost}:${e.turnTlsPort}; stun ports ${[e.turnUdpPort, ...e.extraStunPorts.map((p) => p.port)].join(',')}` +
      (info.tls.devCaPem ? `; dev certificate ${info.tls.certFile}` : config.tls.acme ? `; ACME certificate ${info.tls.certFile}` : ''),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('netready: stopping the probe server');
  // The operations listener stays up while the servers close, answering /readyz with 503 "shutting down".
  await demo?.close();
  await server.stop();
  await ops.close();
  return 0;
}

// Until the configuration is loaded, lines use the default level (a configuration error must still be seen).
const bootLog = createLogger({ service: 'probe', ...DEFAULT_LOG_SETTINGS });
main(bootLog).then(
  (code) => process.exit(code),
  (error: unknown) => {
    bootLog.fatal({ err: error }, 'netready: unexpected error');
    process.exit(1);
  },
);

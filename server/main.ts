/**
 * Entry point of the probe process (`npm run probe`, started by `npm start`): loads the configuration,
 * starts every companion server, prints `netready probe ready` once listening, stops on SIGINT/SIGTERM.
 * A bad configuration stops start-up with exit code 2 and a message naming the field.
 */
import { ConfigError, loadConfig } from './config/load';
import { ProbeServer, type ProbeLogger } from './probe-server';

const log: ProbeLogger = {
  info: (message) => console.log(message),
  error: (message, error) => console.error(message, error instanceof Error ? error.stack ?? error.message : (error ?? '')),
};

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`netready: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const server = new ProbeServer(config, log);
  let info;
  try {
    info = await server.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const err = error as NodeJS.ErrnoException & { address?: string; port?: number };
      console.error(`netready: cannot listen on ${err.address ?? '?'}:${err.port ?? '?'} (${code}). Change the port in netready.config.json or stop the other process.`);
      return 2;
    }
    if (error instanceof Error && error.name === 'AcmeError') {
      // The message names the ACME problem (server/acme/acme-certificates.ts); a stack would only hide it.
      console.error(`netready: no certificate, so the probe cannot start. ${error.message}`);
      return 1;
    }
    log.error('netready: the probe server failed to start', error);
    return 1;
  }
  const e = info.endpoints;
  log.info(
    `netready probe ready: api ${info.httpUrl} (tls ${info.httpsUrl}); STUN/TURN udp ${e.publicIp}:${e.turnUdpPort}, ` +
      `tcp ${e.publicIp}:${e.turnTcpPort}, tls ${e.tlsHost}:${e.turnTlsPort}; stun ports ${[e.turnUdpPort, ...e.extraStunPorts.map((p) => p.port)].join(',')}` +
      (info.tls.devCaPem ? `; dev certificate ${info.tls.certFile}` : config.tls.acme ? `; ACME certificate ${info.tls.certFile}` : ''),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error('netready: unexpected error', error);
    process.exit(1);
  },
);

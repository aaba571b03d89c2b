// Runs once when the Next.js server starts (`next start` calls it before serving): records each request's TCP peer
// address for the results API's per-client limits (server/api/client-address.ts explains why Next.js's X-Forwarded-For
// cannot be trusted), gives every request a request id, a JSON log line and a counted answer (server/ops/web-ops.ts),
// and opens the result store — its schema migrations run now, and the retention purge runs at once and then hourly
// (server/store/index.ts).

/** Installs the peer-address capture and the request observer, and starts the result store (Node.js runtime only). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installPeerAddressCapture } = await import('./server/api/client-address');
  installPeerAddressCapture();
  const { loadConfig } = await import('./server/config/load');
  const { installWebRequestObserver, webOps } = await import('./server/ops/web-ops');
  installWebRequestObserver(() => webOps(loadConfig));
  const { startResultStore } = await import('./server/store');
  const log = webOps(loadConfig).logger;
  try {
    await startResultStore(loadConfig(), {
      onPurged: (deleted) => (deleted > 0 ? log.info({ deleted }, 'retention purge: expired results deleted') : log.debug('retention purge: nothing expired')),
      onPurgeError: (error) => log.error({ err: error }, 'retention purge failed; it runs again within the hour'),
    });
    log.info('result store open, schema migrated; retention purge started');
  } catch (error) {
    // Serve anyway: share pages answer 503 until the database answers (each use retries), and /readyz says why.
    log.error({ err: error }, 'the result store did not open at start-up');
  }
}

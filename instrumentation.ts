// Runs once when the Next.js server starts: records each request's TCP peer address for the results API's
// per-client limits (server/api/client-address.ts explains why Next.js's X-Forwarded-For cannot be trusted), and
// gives every request a request id, a JSON log line and a counted answer (server/ops/web-ops.ts).

/** Installs the peer-address capture and the request observer in the Node.js runtime (no socket in the Edge runtime). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installPeerAddressCapture } = await import('./server/api/client-address');
  installPeerAddressCapture();
  const { loadConfig } = await import('./server/config/load');
  const { installWebRequestObserver, webOps } = await import('./server/ops/web-ops');
  installWebRequestObserver(() => webOps(loadConfig));
}

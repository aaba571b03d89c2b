// Runs once when the Next.js server starts: records each request's TCP peer address for the results API's
// per-client limits (server/api/client-address.ts explains why Next.js's X-Forwarded-For cannot be trusted).

/** Installs the peer-address capture in the Node.js runtime (there is no socket in the Edge runtime). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { installPeerAddressCapture } = await import('./server/api/client-address');
  installPeerAddressCapture();
}

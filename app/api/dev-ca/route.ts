// GET /api/dev-ca – the development CA certificate (PEM) when the dev certificate is in use, else 404
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../../server/config/load';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * Serves `<dataDir>/tls/ca.pem` so that local tools (the CLI, the test suite) can trust the dev certificate
 * used by TURN-TLS. A CA certificate is public; its key never leaves the data folder. With a configured
 * certificate or ACME (production) this answers 404, so no client trusts a CA the deployment does not use.
 */
export async function GET(): Promise<Response> {
  const config = loadConfig();
  const notFound = (): Response =>
    Response.json({ error: { code: 'not_found', message: 'no development CA is in use' } }, { status: 404 });
  if (config.tls.certFile || config.tls.acme) return notFound();
  try {
    const pem = await readFile(path.join(config.dataDir, 'tls', 'ca.pem'), 'utf8');
    return new Response(pem, { headers: { 'content-type': 'application/x-pem-file', 'cache-control': 'no-store' } });
  } catch {
    return notFound();
  }
}

// GET /healthz – liveness of the web process (200 while it answers); public, for load balancers

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Always 200 `{ "status": "ok" }`: that this answers at all is the check. Readiness is /readyz. */
export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}

// GET /brand.css – the operator's accent colour as CSS variables (config brand.accentColour), for every full page
import { brandStylesheet } from '../../lib/config/brand';
import { loadConfig } from '../../server/config/load';

export const dynamic = 'force-dynamic';

/** The stylesheet; short-lived cache, so a changed colour shows after a restart within a minute. */
export function GET(): Response {
  return new Response(brandStylesheet(loadConfig()), { headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=60' } });
}

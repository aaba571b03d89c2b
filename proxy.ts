// Every request (pages, /embed, /r/:id, API routes, 404s, static files): the security headers of
// server/api/security-headers.ts, with a fresh CSP nonce per request.
import { NextResponse, type NextRequest } from 'next/server';
import { createNonce, securityHeaders } from './server/api/security-headers';
import { loadConfig } from './server/config/load';

/**
 * Sets the security headers on the answer, and the CSP on the request too: Next.js reads the nonce from the
 * request's `Content-Security-Policy` header while rendering and puts it on its own scripts and styles.
 */
export function proxy(request: NextRequest): NextResponse {
  const headers = securityHeaders(loadConfig(), {
    pathname: request.nextUrl.pathname,
    // Next.js builds this URL's scheme from the socket (TLS) or X-Forwarded-Proto; over plain HTTP a browser
    // ignores HSTS anyway, so a forged X-Forwarded-Proto gains nothing.
    https: request.nextUrl.protocol === 'https:',
    nonce: createNonce(),
    development: process.env.NODE_ENV === 'development',
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', headers['content-security-policy']!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

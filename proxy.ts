// Every request (pages, /embed, /r/:id, API routes, 404s, static files): the security headers of
// server/api/security-headers.ts, with a fresh CSP nonce per request.
import { NextResponse, type NextRequest } from 'next/server';
import { createNonce, isSupportPath, securityHeaders } from './server/api/security-headers';
import { SUPPORT_REALM, SupportAuthenticator } from './server/api/support-auth';
import { loadConfig } from './server/config/load';

/** The support view's sign-in checks of this process (remembers verified credentials for a few minutes). */
const supportAuth = new SupportAuthenticator();

/**
 * Sets the security headers on the answer, and the CSP on the request too: Next.js reads the nonce from the
 * request's `Content-Security-Policy` header while rendering and puts it on its own scripts and styles.
 */
export function proxy(request: NextRequest): NextResponse {
  const config = loadConfig();
  const headers = securityHeaders(config, {
    pathname: request.nextUrl.pathname,
    // Next.js builds this URL's scheme from the socket (TLS) or X-Forwarded-Proto; over plain HTTP a browser
    // ignores HSTS anyway, so a forged X-Forwarded-Proto gains nothing.
    https: request.nextUrl.protocol === 'https:',
    nonce: createNonce(),
    development: process.env.NODE_ENV === 'development',
  });
  // The support view (issue 13): HTTP Basic sign-in before anything of it is rendered or served. When it is off
  // (no support.passwordHash) the page says so and its API answers 404.
  if (isSupportPath(request.nextUrl.pathname) && supportAuth.check(request.headers.get('authorization'), config.support) === 'sign-in') {
    const refused = new NextResponse('Sign in to the netready support view with the credentials the operator configured.\n', {
      status: 401,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': `Basic realm="${SUPPORT_REALM}", charset="UTF-8"` },
    });
    for (const [name, value] of Object.entries(headers)) refused.headers.set(name, value);
    return refused;
  }
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', headers['content-security-policy']!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

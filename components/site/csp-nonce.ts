/**
 * The per-request CSP nonce, read back from the `Content-Security-Policy` request header that proxy.ts sets
 * (server/api/security-headers.ts makes it). The App Router reads that header itself; the Pages Router (`/` and
 * `/embed`, see pages/_document.tsx) does not, so the document passes the nonce to its scripts and styles.
 */

/** The nonce of a CSP's `script-src` (`'nonce-…'`), or undefined when the policy has none or is absent. */
export function nonceFromCsp(csp: string | string[] | undefined): string | undefined {
  const policy = Array.isArray(csp) ? csp.join(';') : csp;
  if (!policy) return undefined;
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name !== 'script-src') continue;
    for (const source of sources) {
      const match = /^'nonce-([A-Za-z0-9+/=_-]+)'$/.exec(source);
      if (match) return match[1];
    }
  }
  return undefined;
}

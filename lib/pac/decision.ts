/**
 * Reading what a PAC file's `FindProxyForURL` returned: a `;`-separated list of steps the browser tries in order
 * (`"PROXY proxy.corp.example:3128; PROXY backup.corp.example:8080; DIRECT"`). Chromium and Firefox accept `PROXY`,
 * `HTTPS`, `HTTP`, `SOCKS`, `SOCKS4`, `SOCKS5` and `DIRECT`; an empty string means DIRECT too
 * (https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/Proxy_servers_and_tunneling/Proxy_Auto-Configuration_PAC_file#return_value_format).
 */

/** One step of a PAC decision. */
export type PacStep =
  | { kind: 'DIRECT' }
  | { kind: 'PROXY' | 'HTTPS' | 'HTTP' | 'SOCKS' | 'SOCKS4' | 'SOCKS5'; host: string; port: number | null }
  /** Text no browser understands; browsers skip it. */
  | { kind: 'invalid'; text: string };

/** Where a decision sends traffic first: straight to the host, through a proxy, or nowhere usable. */
export type PacRoute = 'direct' | 'proxy' | 'invalid';

const PROXY_KINDS = new Set(['PROXY', 'HTTPS', 'HTTP', 'SOCKS', 'SOCKS4', 'SOCKS5']);

/** Splits a decision into its steps, in order; an empty decision is one DIRECT step. */
export function parsePacDecision(decision: string): PacStep[] {
  const parts = decision
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return [{ kind: 'DIRECT' }];
  return parts.map((part): PacStep => {
    const [word = '', target, ...rest] = part.split(/\s+/);
    const kind = word.toUpperCase();
    if (kind === 'DIRECT' && target === undefined) return { kind: 'DIRECT' };
    if (PROXY_KINDS.has(kind) && target !== undefined && rest.length === 0) {
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(target);
      if (match?.[1]) {
        const port = match[2] === undefined ? null : Number(match[2]);
        if (port === null || port <= 65535) return { kind: kind as 'PROXY', host: match[1], port };
      }
    }
    return { kind: 'invalid', text: part };
  });
}

/** The route of the first usable step (browsers skip steps they cannot read). */
export function routeOf(steps: readonly PacStep[]): PacRoute {
  const first = steps.find((step) => step.kind !== 'invalid');
  if (!first) return 'invalid';
  return first.kind === 'DIRECT' ? 'direct' : 'proxy';
}

/** Whether the browser may fall back to going direct after the proxies (a DIRECT step after a proxy step). */
export function fallsBackToDirect(steps: readonly PacStep[]): boolean {
  const firstProxy = steps.findIndex((step) => step.kind !== 'DIRECT' && step.kind !== 'invalid');
  return firstProxy >= 0 && steps.slice(firstProxy + 1).some((step) => step.kind === 'DIRECT');
}

/** `host:port` of each proxy step, in order. */
export function proxiesOf(steps: readonly PacStep[]): string[] {
  return steps.flatMap((step) => (step.kind === 'DIRECT' || step.kind === 'invalid' ? [] : [step.port === null ? step.host : `${step.host}:${step.port}`]));
}

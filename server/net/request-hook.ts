/**
 * Runs a function on every HTTP request of every http/https server in this process, before the server's own
 * listeners see it. Next.js creates its server itself and offers no hook, so the web process patches `emit` on the
 * server prototypes (used for the peer-address stamp and for request ids, logs and metrics). Each hook is marked by
 * a registered symbol, so installing it twice — or from two bundles of the same module — installs it once.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';

/**
 * Calls `onRequest` for each `request` (and `checkContinue` / `checkExpectation`, which replace it for requests with
 * `Expect:` headers) before the listeners run. Idempotent per `marker`; returns the function that removes the hook.
 */
export function hookServerRequests(marker: symbol, onRequest: (req: IncomingMessage, res: ServerResponse) => void): () => void {
  const restores: Array<() => void> = [];
  for (const Server of [http.Server, https.Server]) {
    const proto = Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean } & Record<symbol, unknown>;
    if (proto[marker]) continue;
    const hadOwnEmit = Object.prototype.hasOwnProperty.call(proto, 'emit');
    const emit = proto.emit;
    proto.emit = function emitWithHook(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'request' || event === 'checkContinue' || event === 'checkExpectation') onRequest(args[0] as IncomingMessage, args[1] as ServerResponse);
      return emit.call(this, event, ...args);
    };
    proto[marker] = true;
    restores.push(() => {
      if (hadOwnEmit) proto.emit = emit;
      else delete (proto as { emit?: unknown }).emit;
      delete proto[marker];
    });
  }
  return () => {
    for (const restore of restores.splice(0)) restore();
  };
}

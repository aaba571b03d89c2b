/**
 * The HTTP-01 listener (RFC 8555 §8.3): a plain-HTTP server that answers only
 * `GET /.well-known/acme-challenge/<token>` with the key authorization of a pending challenge, and 404 to
 * everything else. The CA connects to port 80 of the name being validated. `listen()` opens it (nothing happens in
 * the constructor), `close()` closes it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** RFC 8555 §8.3: "http://{domain}/.well-known/acme-challenge/{token}"; tokens are base64url (§8.1). */
const CHALLENGE_PATH = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]{1,256})$/;

/** Options of Http01Responder. */
export interface Http01ResponderOptions {
  /** IPv4 to bind. */
  ip: string;
  /** TCP port; 80 in production (the CA always connects there), 0 picks a free one (tests). */
  port: number;
  /** Called for each challenge request, answered or not (for progress lines). */
  onRequest?(token: string, answered: boolean, remoteAddress: string): void;
}

/** Answers HTTP-01 challenges while they are pending. */
export class Http01Responder {
  private readonly options: Http01ResponderOptions;
  private readonly pending = new Map<string, string>();
  private server?: http.Server;

  constructor(options: Http01ResponderOptions) {
    this.options = options;
  }

  /** Serves `keyAuthorization` at the token's path until remove(token). */
  add(token: string, keyAuthorization: string): void {
    this.pending.set(token, keyAuthorization);
  }

  /** Stops serving a token. */
  remove(token: string): void {
    this.pending.delete(token);
  }

  /** Binds the listener. Rejects when the port cannot be bound (e.g. port 80 without CAP_NET_BIND_SERVICE). */
  async listen(): Promise<AddressInfo> {
    const server = http.createServer((req, res) => {
      const match = req.method === 'GET' || req.method === 'HEAD' ? CHALLENGE_PATH.exec((req.url ?? '').split('?')[0] ?? '') : null;
      const answer = match ? this.pending.get(match[1]!) : undefined;
      if (match) this.options.onRequest?.(match[1]!, answer !== undefined, req.socket.remoteAddress ?? 'unknown');
      if (answer === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : answer);
    });
    // A challenge request is tiny; nobody gets to hold a connection open.
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    server.keepAliveTimeout = 2_000;
    server.maxConnections = 256;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.ip, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, or null before listen(). */
  address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null;
  }

  /** Closes the listener and its connections; safe to call more than once. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.pending.clear();
    if (!server?.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/**
 * The demo host (issue 14): a small "meeting app" join page on its own origin that embeds netready's pre-join check
 * with the loader (`<netready>/embed.js`) and shows what a host does with the result — enable video, suggest audio
 * only or a relay-friendly setting, hand the share link to support. Served by the probe process in development when
 * `embed.demoPort` is set (`npm run dev` sets it), and by the browser tests on port 0. Its origin must be on
 * `embed.allowedOrigins` for the check to show.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const ASSETS = path.join(import.meta.dirname);

/** Options of DemoHost. */
export interface DemoHostOptions {
  /** The netready web app's URL as the browser reaches it, e.g. `http://localhost:3000`. */
  netreadyUrl: string;
}

/** Escapes text for an HTML attribute value or text node. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The demo meeting app's HTTP server: `/` (the join page), `/join.js`, `/join.css`; 404 for the rest. */
export class DemoHost {
  private readonly server: http.Server;
  private readonly files: ReadonlyMap<string, { type: string; body: string }>;
  private readonly netreadyOrigin: string;

  constructor(options: DemoHostOptions) {
    const url = new URL(options.netreadyUrl);
    this.netreadyOrigin = url.origin;
    const base = url.href.replace(/\/+$/, '');
    const read = (name: string): string => readFileSync(path.join(ASSETS, name), 'utf8');
    this.files = new Map([
      ['/', { type: 'text/html; charset=utf-8', body: read('join.html').replaceAll('{{NETREADY_URL}}', escapeHtml(base)) }],
      ['/join.js', { type: 'text/javascript; charset=utf-8', body: read('join.js') }],
      ['/join.css', { type: 'text/css; charset=utf-8', body: read('join.css') }],
    ]);
    this.server = http.createServer((request, response) => this.handle(request, response));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://demo.invalid').pathname;
    const file = request.method === 'GET' || request.method === 'HEAD' ? this.files.get(pathname) : undefined;
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    response.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      // The demo's own policy: its scripts and netready's loader; frames from netready only. The join page is a
      // top-level page, so nothing may frame it.
      'content-security-policy': `default-src 'self'; script-src 'self' ${this.netreadyOrigin}; frame-src ${this.netreadyOrigin}; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  /** Listens on `port` (0: any free one) at `host`; resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops listening and closes open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/**
 * Operator-supplied certificate files (`tls.certFile`/`keyFile`, `tls.zoneCertFile`/`zoneKeyFile`) reloaded when
 * they change on disk — certbot, cert-manager or a deploy script replacing them — so the probe serves the new pair
 * without a restart. The files are polled (fs.watchFile: stat by path), which also notices a replaced symlink or a
 * file renamed into place. A certificate whose key has not arrived yet (two files, written one after the other) is
 * not loaded; the next change that makes a matching pair is. `start()` begins watching, `stop()` ends it.
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import tls from 'node:tls';

/** Options of CertificateFileWatcher. */
export interface CertificateFileWatcherOptions {
  certFile: string;
  keyFile: string;
  /** The pair served now: a change back to it is not reported. */
  current: { cert: string; key: string };
  /** How often the files are looked at, ms. Default 10000. */
  intervalMs?: number;
  /** A new, usable pair. */
  onChange(pair: { cert: string; key: string }): void;
  /** Why a change could not be loaded (yet). */
  onProblem(message: string): void;
}

/** Watches one certificate/key file pair. */
export class CertificateFileWatcher {
  private readonly options: CertificateFileWatcherOptions;
  private current: { cert: string; key: string };
  private listener?: (now: Stats, previous: Stats) => void;
  private checking = Promise.resolve();

  constructor(options: CertificateFileWatcherOptions) {
    this.options = options;
    this.current = options.current;
  }

  /** Starts polling both files. */
  start(): void {
    if (this.listener) return;
    const listener = (now: Stats, previous: Stats): void => {
      if (now.mtimeMs === previous.mtimeMs && now.ino === previous.ino && now.size === previous.size) return;
      // One check at a time: cert and key usually change together.
      this.checking = this.checking.then(() => this.check());
    };
    this.listener = listener;
    const interval = this.options.intervalMs ?? 10_000;
    for (const file of [this.options.certFile, this.options.keyFile]) watchFile(file, { interval, persistent: false }, listener);
  }

  /** Stops polling. Safe to call twice. */
  stop(): void {
    if (!this.listener) return;
    for (const file of [this.options.certFile, this.options.keyFile]) unwatchFile(file, this.listener);
    this.listener = undefined;
  }

  private async check(): Promise<void> {
    let pair: { cert: string; key: string };
    try {
      const [cert, key] = await Promise.all([readFile(this.options.certFile, 'utf8'), readFile(this.options.keyFile, 'utf8')]);
      pair = { cert, key };
    } catch (error) {
      this.options.onProblem(`cannot read ${this.options.certFile} / ${this.options.keyFile}: ${(error as Error).message}; still serving the previous certificate`);
      return;
    }
    if (pair.cert === this.current.cert && pair.key === this.current.key) return;
    try {
      tls.createSecureContext(pair); // throws unless the key belongs to the certificate
    } catch (error) {
      this.options.onProblem(`${this.options.certFile} changed but does not form a usable pair with ${this.options.keyFile} (${(error as Error).message}); still serving the previous certificate until both are updated`);
      return;
    }
    this.current = pair;
    this.options.onChange(pair);
  }
}

/**
 * Runs PAC evaluations in a worker thread (pac-worker.ts) so that a hostile PAC — an endless loop, an unbounded
 * allocation — never blocks the process that asked: QuickJS stops it inside the worker at the job's budget, and if
 * the worker does not answer by budget + KILL_GRACE_MS it is terminated and replaced. Jobs run one at a time; a few
 * may wait (MAX_WAITING), more are refused (`pac_busy`). The worker is started on first use, loads the TypeScript
 * sources through tsx (a runtime dependency, as bin/netready.mjs uses it) and does not keep the process alive.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PAC_BUDGET_MS, type PacEvaluation, type PacJob } from '../../lib/pac/types';
import { PacError, type PacErrorCode } from './pac-error';

/** Time past the job's budget the worker gets to answer before it is terminated, ms. */
export const KILL_GRACE_MS = 200;
/** Jobs that may wait behind the running one. */
export const MAX_WAITING = 8;
/** Longest the worker may take to start (tsx, QuickJS's WebAssembly), ms. */
export const WORKER_START_TIMEOUT_MS = 15_000;

/** Path of tsx's ESM API (`tsx/esm/api`, its `import` condition: require.resolve would give the CommonJS one). */
function tsxEsmApi(root: string): string {
  const manifestPath = createRequire(join(/* turbopackIgnore: true */ root, 'package.json')).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return join(/* turbopackIgnore: true */ dirname(manifestPath), manifest.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs');
}

/** Options of PacEvaluator. */
export interface PacEvaluatorOptions {
  /** The repository root (holding node_modules/ and server/pac/pac-worker.ts). */
  projectRoot: string;
}

interface Pending {
  job: PacJob;
  resolve: (evaluation: PacEvaluation) => void;
  reject: (error: PacError) => void;
}

type WorkerReply = { ready: true } | { id: number; ok: true; evaluation: PacEvaluation } | { id: number; ok: false; code: PacErrorCode; message: string };

/** Evaluates PAC files off the caller's thread, within time and memory limits. */
export class PacEvaluator {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private readonly waiting: Pending[] = [];
  private running = false;
  private nextId = 1;
  private closed = false;

  /** Keeps the options; starts nothing until the first evaluate(). */
  constructor(private readonly options: PacEvaluatorOptions) {}

  /** Evaluates `job`; rejects with a PacError (the PAC's fault, `pac_busy`, or `pac_worker_failed`). */
  evaluate(job: PacJob): Promise<PacEvaluation> {
    if (this.closed) return Promise.reject(new PacError('pac_worker_failed', 'the PAC evaluator is closed'));
    if (this.waiting.length >= MAX_WAITING) return Promise.reject(new PacError('pac_busy', 'too many PAC files are being checked right now; try again in a few seconds'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Starts the worker (if it is not running) and resolves once it is ready to evaluate. */
  async warm(): Promise<void> {
    await this.startedWorker();
  }

  /** Stops the worker; waiting jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0)) pending.reject(new PacError('pac_worker_failed', 'the PAC evaluator was closed'));
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }

  private pump(): void {
    if (this.running) return;
    const pending = this.waiting.shift();
    if (!pending) return;
    this.running = true;
    this.runOne(pending).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  private async runOne(pending: Pending): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.startedWorker();
    } catch (error) {
      pending.reject(error instanceof PacError ? error : new PacError('pac_worker_failed', 'the PAC worker did not start', { cause: error }));
      return;
    }
    const id = this.nextId++;
    const budgetMs = pending.job.budgetMs ?? PAC_BUDGET_MS;
    await new Promise<void>((done) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        outcome();
        done();
      };
      const onMessage = (reply: WorkerReply) => {
        if (!('id' in reply) || reply.id !== id) return;
        finish(() => (reply.ok ? pending.resolve(reply.evaluation) : pending.reject(new PacError(reply.code, reply.message))));
      };
      const onExit = (code: number) => {
        this.forget(worker);
        // A worker past its V8 heap limit (resourceLimits) exits with ERR_WORKER_OUT_OF_MEMORY.
        finish(() => pending.reject(new PacError(code === 1 ? 'pac_memory' : 'pac_worker_failed', code === 1 ? 'the PAC file used more memory than allowed and was stopped' : `the PAC worker stopped (exit code ${code})`)));
      };
      const timer = setTimeout(() => {
        this.forget(worker);
        void worker.terminate();
        // Start the replacement now, so the next job does not wait for it.
        if (!this.closed) this.startedWorker().catch(() => undefined);
        finish(() => pending.reject(new PacError('pac_timeout', `the PAC file did not finish within ${budgetMs + KILL_GRACE_MS} ms and was stopped`)));
      }, budgetMs + KILL_GRACE_MS);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ id, job: pending.job });
    });
  }

  private forget(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = null;
      this.ready = null;
    }
  }

  private startedWorker(): Promise<Worker> {
    if (this.ready) return this.ready;
    const root = this.options.projectRoot;
    const tsx = pathToFileURL(tsxEsmApi(root)).href;
    const entry = pathToFileURL(join(/* turbopackIgnore: true */ root, 'server', 'pac', 'pac-worker.ts')).href;
    // Our own bootstrap (never the PAC): register the TypeScript loader in this thread, then load the worker module.
    // An async function rather than top-level await: eval'd worker code is a CommonJS script unless Node detects a
    // module, and that detection differs between Node versions. A failure rejects inside the worker: its 'error' event.
    const bootstrap = `(async () => { const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)}); })();`;
    const worker = new Worker(bootstrap, {
      eval: true,
      // The V8 heap holds our code and pac-resolver's parse of the PAC; the PAC's own objects live in QuickJS's memory.
      resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(() => fail(new PacError('pac_worker_failed', `the PAC worker did not start within ${WORKER_START_TIMEOUT_MS} ms`)), WORKER_START_TIMEOUT_MS);
      const fail = (error: PacError) => {
        clearTimeout(timer);
        this.forget(worker);
        void worker.terminate();
        reject(error);
      };
      worker.once('error', (error) => fail(new PacError('pac_worker_failed', `the PAC worker failed: ${error.message}`, { cause: error })));
      worker.once('exit', (code) => fail(new PacError('pac_worker_failed', `the PAC worker exited while starting (code ${code})`)));
      const onReady = (reply: WorkerReply) => {
        if (!('ready' in reply)) return;
        clearTimeout(timer);
        worker.off('message', onReady);
        resolve(worker);
      };
      worker.on('message', onReady);
    });
    // Errors after start-up end the job through 'exit'; without a listener an 'error' event would throw.
    worker.on('error', () => undefined);
    return this.ready;
  }
}

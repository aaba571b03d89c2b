/**
 * The PAC worker thread (started by pac-evaluator.ts): evaluates untrusted PAC files with pac-resolver in QuickJS
 * (quickjs-wasi, a WebAssembly build of QuickJS-NG — never node:vm, never eval), one fresh QuickJS runtime per job
 * with a memory limit, a stack limit and an interrupt handler at the job's time budget. The thread itself only
 * exists so that a PAC running to its limit never blocks the web server's event loop; the evaluator also
 * terminates it if it does not answer in time.
 *
 * Messages in: `{ id, job: PacJob }`. Out: `{ ready: true }` once, then `{ id, ok: true, evaluation }` or
 * `{ id, ok: false, code, message }` per job.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { createPacResolver } from 'pac-resolver';
import { QuickJS } from 'quickjs-wasi';
import { createOfflinePacFunctions, type PacDnsFunction } from '../../lib/pac/offline-sandbox';
import { PAC_BUDGET_MS, PAC_MEMORY_BYTES, type PacAnswer, type PacEvaluation, type PacFailureCode, type PacJob } from '../../lib/pac/types';
import { createLocalPacFunctions } from './local-sandbox';

/** Native stack QuickJS may use, bytes: deep recursion ends as a RangeError long before the thread's stack does. */
const MAX_STACK_BYTES = 512 * 1024;
/** Most alert() messages kept per job. */
const MAX_ALERTS = 20;

/** A job's failure, as posted back. */
class JobFailure extends Error {
  constructor(
    readonly code: PacFailureCode,
    message: string,
  ) {
    super(message);
  }
}

const wasmModule = WebAssembly.compile(await readFile(createRequire(import.meta.url).resolve('quickjs-wasi/quickjs.wasm')));

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' || error.name === 'JSException' ? '' : `${error.name}: `}${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

/** Maps what QuickJS threw while loading the PAC to a failure code (interrupt and out-of-memory first: uncatchable in the guest). */
function loadFailure(error: unknown): JobFailure {
  const message = describe(error);
  if (/interrupted/.test(message)) return new JobFailure('pac_timeout', 'the PAC file ran past the time limit while loading (an endless loop?) and was stopped');
  if (/out of memory/.test(message)) return new JobFailure('pac_memory', 'the PAC file allocated more memory than allowed while loading and was stopped');
  if (/FindProxyForURL/.test(message)) return new JobFailure('pac_no_function', 'the PAC file defines no function FindProxyForURL(url, host)');
  if (error instanceof Error && error.name !== 'JSException' && /^Line \d+:/.test(error.message)) {
    return new JobFailure('pac_syntax_error', `the PAC file is not valid JavaScript: ${error.message}`.slice(0, 300));
  }
  if (error instanceof RangeError) return new JobFailure('pac_syntax_error', `the PAC file nests too deeply to be read: ${error.message}`);
  return new JobFailure('pac_load_failed', `the PAC file's top-level code failed: ${message}`);
}

async function run(job: PacJob): Promise<PacEvaluation> {
  const started = performance.now();
  const budgetMs = job.budgetMs ?? PAC_BUDGET_MS;
  let questions: Array<{ fn: PacDnsFunction; name: string }> = [];
  let askedMyIp = false;
  const alerts: string[] = [];
  const onQuestion = (fn: PacDnsFunction, name: string) => {
    if (questions.length < 50) questions.push({ fn, name });
  };
  const onAlert = (message: string) => {
    if (alerts.length < MAX_ALERTS) alerts.push(message);
  };
  let myIp: string;
  let functions: Record<string, (...args: never[]) => unknown>;
  if (job.environment.kind === 'server') {
    myIp = job.environment.myIp;
    functions = { ...createOfflinePacFunctions(myIp, onQuestion, onAlert) };
  } else {
    const local = createLocalPacFunctions(onQuestion, onAlert);
    myIp = local.myIp;
    functions = local.functions;
  }
  for (const name of ['myIpAddress', 'myIpAddressEx']) {
    const answer = functions[name] as () => string;
    functions[name] = () => {
      askedMyIp = true;
      return answer();
    };
  }
  const vm = await QuickJS.create({
    wasm: await wasmModule,
    memoryLimit: PAC_MEMORY_BYTES,
    maxStackSize: MAX_STACK_BYTES,
    interruptHandler: () => performance.now() - started > budgetMs,
  });
  try {
    let findProxyForURL: ReturnType<typeof createPacResolver>;
    try {
      findProxyForURL = createPacResolver(vm, job.pac, { sandbox: functions });
    } catch (error) {
      throw loadFailure(error);
    }
    const answers: PacAnswer[] = [];
    for (const query of job.queries) {
      questions = [];
      askedMyIp = false;
      let answer: PacAnswer;
      try {
        const decision: unknown = await findProxyForURL(query.url, query.host);
        answer =
          typeof decision === 'string'
            ? { decision, dnsQuestions: questions, askedMyIp }
            : { decision: null, error: { code: 'pac_bad_return', message: `FindProxyForURL returned ${decision === null ? 'null' : typeof decision}, not a string` }, dnsQuestions: questions, askedMyIp };
      } catch (error) {
        const message = describe(error);
        if (/interrupted/.test(message)) throw new JobFailure('pac_timeout', `FindProxyForURL ran past the time limit for ${query.host} (an endless loop?) and was stopped`);
        if (/out of memory/.test(message)) throw new JobFailure('pac_memory', `FindProxyForURL allocated more memory than allowed for ${query.host} and was stopped`);
        answer = { decision: null, error: { code: 'pac_threw', message: `FindProxyForURL threw: ${message}` }, dnsQuestions: questions, askedMyIp };
      }
      answers.push(answer);
      if (performance.now() - started > budgetMs) throw new JobFailure('pac_timeout', 'the PAC file took longer than the time limit for all hosts and was stopped');
    }
    return { answers, alerts, myIp, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    vm.dispose();
  }
}

const port = parentPort;
if (port) {
  port.on('message', (message: { id: number; job: PacJob }) => {
    run(message.job).then(
      (evaluation) => port.postMessage({ id: message.id, ok: true, evaluation }),
      (error: unknown) =>
        port.postMessage(
          error instanceof JobFailure
            ? { id: message.id, ok: false, code: error.code, message: error.message }
            : { id: message.id, ok: false, code: 'pac_worker_failed', message: describe(error) },
        ),
    );
  });
  port.postMessage({ ready: true });
}

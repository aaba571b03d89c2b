import { describe, expect, it } from 'vitest';
import type { Probe, ProbeEnvironment } from '../probes/types';
import type { RunEvent } from './events';
import { PlanError, runPlan } from './run-plan';

const env: ProbeEnvironment = {
  createPeerConnection: () => {
    throw new Error('not used');
  },
  fetch: () => Promise.reject(new Error('not used')),
  now: () => performance.now(),
  randomId: () => 'id',
};

function probe(id: string, behaviour: Partial<Probe> & { run?: Probe['run'] } = {}): Probe {
  return { id, title: id.toUpperCase(), run: async () => ({ status: 'pass', data: {}, evidence: [] }), ...behaviour };
}

const waitForAbort = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('runPlan', () => {
  it('runs dependents after their dependency and hands them its private hand-off', async () => {
    const order: string[] = [];
    const outcomes = await runPlan({
      plan: [
        probe('a', {
          run: async () => {
            order.push('a');
            return { status: 'pass', data: {}, evidence: [], handoff: { secret: 's3' } };
          },
        }),
        probe('b', {
          dependsOn: ['a'],
          run: async (ctx) => {
            order.push('b');
            return { status: 'pass', data: { got: (ctx.handoffs.a as { secret: string }).secret }, evidence: [] };
          },
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
    });
    expect(order).toEqual(['a', 'b']);
    expect(outcomes.b?.data).toEqual({ got: 's3' });
    expect(JSON.stringify(outcomes.a)).not.toContain('secret');
    expect(outcomes.a).not.toHaveProperty('handoff');
  });

  it('starts a probe that runs last once every other probe finished, but not after one that ends on a server answer', async () => {
    const order: string[] = [];
    let finishLong!: () => void;
    const outcomes = await runPlan({
      plan: [
        probe('short', { run: async () => (order.push('short'), { status: 'pass', data: {}, evidence: [] }) }),
        probe('stream', {
          endsWithServerAnswer: true,
          run: async () => {
            await new Promise<void>((resolve) => (finishLong = resolve));
            order.push('stream');
            return { status: 'pass', data: {}, evidence: [] };
          },
        }),
        probe('check', {
          runsLast: true,
          run: async () => {
            order.push('check');
            finishLong();
            return { status: 'pass', data: {}, evidence: [] };
          },
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
    });
    expect(order).toEqual(['short', 'check', 'stream']);
    expect(outcomes.stream?.status).toBe('pass');
  });

  it('skips a probe whose dependency failed, saying which', async () => {
    const outcomes = await runPlan({
      plan: [probe('a', { run: async () => ({ status: 'fail', reason: 'down', data: {}, evidence: [] }) }), probe('b', { dependsOn: ['a'] })],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
    });
    expect(outcomes.b?.status).toBe('skipped');
    expect(outcomes.b?.reason).toContain('"A"');
  });

  it('starts a runsAfter probe only once those probes finished, even when they failed, without their data', async () => {
    const order: string[] = [];
    const outcomes = await runPlan({
      plan: [
        probe('a', {
          run: async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            order.push('a');
            return { status: 'fail', reason: 'down', data: {}, evidence: [], handoff: 'private' };
          },
        }),
        probe('b', {
          runsAfter: ['a'],
          run: async (ctx) => {
            order.push('b');
            return { status: 'pass', data: { deps: Object.keys(ctx.deps), handoffs: Object.keys(ctx.handoffs) }, evidence: [] };
          },
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
    });
    expect(order).toEqual(['a', 'b']);
    expect(outcomes.b).toMatchObject({ status: 'pass', data: { deps: [], handoffs: [] } });
  });

  it('aborts a probe at its own deadline and records what it returned', async () => {
    const started = performance.now();
    const outcomes = await runPlan({
      plan: [
        probe('slow', {
          timeoutMs: 50,
          run: async (ctx) => {
            await waitForAbort(ctx.signal);
            return { status: 'fail', reason: 'timed out', data: { aborted: ctx.signal.aborted }, evidence: [] };
          },
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 5000,
      defaultTimeoutMs: 5000,
    });
    expect(outcomes.slow?.status).toBe('fail');
    expect(outcomes.slow?.data).toEqual({ aborted: true });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('cuts off a probe that ignores its signal and marks it inconclusive', async () => {
    const outcomes = await runPlan({
      plan: [probe('stuck', { timeoutMs: 30, run: () => new Promise(() => undefined) })],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 5000,
      defaultTimeoutMs: 5000,
    });
    expect(outcomes.stuck?.status).toBe('inconclusive');
    expect(outcomes.stuck?.reason).toContain('30 ms');
  });

  it('moves a probe\'s deadline when it asks, within the budget less the reserve, and never earlier', async () => {
    const at = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const outcomes = await runPlan({
      plan: [
        // Asks for 200 ms at 20 ms: its 60 ms deadline moves and what comes at 120 ms still counts.
        probe('grace', {
          timeoutMs: 60,
          run: async (ctx) => {
            await at(20);
            const granted = ctx.extendDeadline?.(200);
            await Promise.race([at(100), waitForAbort(ctx.signal)]);
            return { status: 'pass', data: { granted, aborted: ctx.signal.aborted }, evidence: [] };
          },
        }),
        // Asks for far more than the budget (1,000 ms) less the reserve (300 ms) allows: gets 700, and is stopped there.
        probe('greedy', {
          timeoutMs: 60,
          run: async (ctx) => {
            const granted = ctx.extendDeadline?.(10_000);
            const t0 = performance.now();
            await waitForAbort(ctx.signal);
            return { status: 'fail', reason: 'deadline', data: { granted, waitedMs: performance.now() - t0 }, evidence: [] };
          },
        }),
        // Asks for less than it has: keeps its deadline.
        probe('modest', {
          timeoutMs: 100,
          run: async (ctx) => ({ status: 'pass', data: { granted: ctx.extendDeadline?.(10) }, evidence: [] }),
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
      extensionReserveMs: 300,
    });
    expect(outcomes.grace?.data).toEqual({ granted: 200, aborted: false });
    expect(outcomes.greedy?.data.granted).toBeGreaterThanOrEqual(690);
    expect(outcomes.greedy?.data.granted).toBeLessThanOrEqual(700);
    expect(outcomes.greedy?.data.waitedMs).toBeGreaterThan(600);
    expect(outcomes.modest?.data).toEqual({ granted: 100 });
  });

  it('never lets the whole run outlive its budget', async () => {
    const started = performance.now();
    const outcomes = await runPlan({
      plan: [probe('a', { run: (ctx) => waitForAbort(ctx.signal).then(() => ({ status: 'fail', reason: 'x', data: {}, evidence: [] })) })],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 80,
      defaultTimeoutMs: 10_000,
    });
    expect(outcomes.a?.status).toBe('fail');
    expect(performance.now() - started).toBeLessThan(80 + 500);
  });

  it('records a probe that throws as inconclusive with the error message', async () => {
    const outcomes = await runPlan({
      plan: [probe('boom', { run: () => Promise.reject(new Error('kaput')) })],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
    });
    expect(outcomes.boom?.status).toBe('inconclusive');
    expect(outcomes.boom?.reason).toContain('kaput');
  });

  it('emits started, progress and finished events in order per probe', async () => {
    const events: RunEvent[] = [];
    await runPlan({
      plan: [
        probe('a', {
          run: async (ctx) => {
            ctx.progress('halfway');
            return { status: 'pass', data: {}, evidence: [] };
          },
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 1000,
      defaultTimeoutMs: 500,
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.type)).toEqual(['probe-started', 'probe-progress', 'probe-finished']);
  });

  it('rejects a plan with an unknown dependency or a cycle', async () => {
    const base = { env, probeUrl: 'http://192.0.2.1', budgetMs: 100, defaultTimeoutMs: 50 };
    await expect(runPlan({ ...base, plan: [probe('a', { dependsOn: ['zz'] })] })).rejects.toThrow(PlanError);
    await expect(runPlan({ ...base, plan: [probe('a', { dependsOn: ['b'] }), probe('b', { dependsOn: ['a'] })] })).rejects.toThrow(/cycle/);
    await expect(runPlan({ ...base, plan: [probe('a', { runsAfter: ['zz'] })] })).rejects.toThrow(/unknown probe "zz"/);
    await expect(runPlan({ ...base, plan: [probe('a', { runsAfter: ['b'] }), probe('b', { dependsOn: ['a'] })] })).rejects.toThrow(/cycle/);
    await expect(runPlan({ ...base, plan: [probe('a'), probe('a')] })).rejects.toThrow(/twice/);
  });

  it('stops a probe as soon as finished probes imply its outcome, keeping what it recorded (issue 16)', async () => {
    const started = performance.now();
    const outcomes = await runPlan({
      plan: [
        probe('matrix', { run: async () => ({ status: 'fail', data: { silent: true }, evidence: [] }) }),
        probe('relay', {
          abandonWhen: (finished) => (finished.matrix?.data.silent ? 'the matrix got no answer' : null),
          run: async (ctx) => {
            await waitForAbort(ctx.signal);
            return { status: 'fail', reason: 'deadline', data: { stage: 'allocating' }, evidence: [{ kind: 'timeout', summary: 'no relay' }] };
          },
        }),
        probe('other', {
          abandonWhen: () => null,
          run: async () => ({ status: 'pass', data: {}, evidence: [] }),
        }),
      ],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 5000,
      defaultTimeoutMs: 4000,
    });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(outcomes.relay).toMatchObject({ status: 'skipped', reason: 'Stopped early: the matrix got no answer', data: { stage: 'allocating' }, evidence: [{ kind: 'timeout' }] });
    expect(outcomes.other?.status).toBe('pass');
  });

  it('gives probes without their own deadline the adapted one once it is known, and keeps explicit deadlines', async () => {
    const seen: Record<string, number> = {};
    const record = (id: string): Probe['run'] => async (ctx) => {
      seen[id] = ctx.timeoutMs;
      return { status: 'pass', data: {}, evidence: [] };
    };
    await runPlan({
      plan: [probe('session', { run: record('session') }), probe('adapted', { dependsOn: ['session'], run: record('adapted') }), probe('own', { dependsOn: ['session'], timeoutMs: 1234, run: record('own') })],
      env,
      probeUrl: 'http://192.0.2.1',
      budgetMs: 5000,
      defaultTimeoutMs: 4000,
      adaptTimeout: (finished) => (finished.session ? 2500 : undefined),
    });
    expect(seen).toEqual({ session: 4000, adapted: 2500, own: 1234 });
  });
});

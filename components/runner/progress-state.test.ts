import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/engine/events';
import { INITIAL_PROGRESS, progressReducer, type ProgressState } from './progress-state';

const fold = (events: RunEvent[]): ProgressState =>
  events.reduce((state, event) => progressReducer(state, { type: 'event', event }), INITIAL_PROGRESS);

const outcome = (status: 'pass' | 'fail', reason?: string) => ({ status, durationMs: 42, data: {}, evidence: [], ...(reason ? { reason } : {}) });

describe('progressReducer', () => {
  const started: RunEvent = {
    type: 'run-started',
    runId: 'r1',
    startedAt: '2026-11-25T09:00:00.000Z',
    probes: [
      { id: 'session', title: 'Reaching the server' },
      { id: 'turn-udp', title: 'TURN relay over UDP' },
    ],
  };

  it('reserves one waiting row per probe when the run starts', () => {
    expect(fold([started]).rows.map((r) => [r.id, r.status])).toEqual([
      ['session', 'waiting'],
      ['turn-udp', 'waiting'],
    ]);
  });

  it('moves a row through running with its latest message to its final status and reason', () => {
    const state = fold([
      started,
      { type: 'probe-started', probeId: 'turn-udp', atMs: 5 },
      { type: 'probe-progress', probeId: 'turn-udp', atMs: 6, message: 'Allocating a relay' },
    ]);
    expect(state.rows[1]).toMatchObject({ status: 'running', message: 'Allocating a relay', startedAtMs: 5 });
    const done = progressReducer(state, { type: 'event', event: { type: 'probe-finished', probeId: 'turn-udp', atMs: 50, outcome: outcome('fail', 'No relay') } });
    expect(done.rows[1]).toMatchObject({ status: 'fail', durationMs: 42, message: 'No relay' });
  });

  it('ignores events for probes it was not told about, and resets', () => {
    const state = fold([started, { type: 'probe-started', probeId: 'ghost', atMs: 1 }]);
    expect(state.rows.every((r) => r.status === 'waiting')).toBe(true);
    expect(progressReducer(state, { type: 'reset' })).toEqual(INITIAL_PROGRESS);
  });

  it('keeps the connectivity verdict the run proved early, until the next run resets it', () => {
    const state = fold([started, { type: 'connectivity-verdict', verdict: 'degraded', atMs: 2100 }]);
    expect(state.connectivity).toEqual({ verdict: 'degraded', atMs: 2100 });
    expect(state.rows).toHaveLength(fold([started]).rows.length);
    expect(progressReducer(state, { type: 'reset' }).connectivity).toBeUndefined();
  });
});

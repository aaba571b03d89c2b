import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../schema/result';
import { createProgressTracker } from './progress';

const pass: ProbeOutcome = { status: 'pass', durationMs: 12, data: {}, evidence: [] };

describe('createProgressTracker', () => {
  it('turns a run’s events into progress messages with the count of finished probes', () => {
    const tracker = createProgressTracker();
    expect(tracker.next({ type: 'run-started', runId: 'r1', startedAt: '2026-12-05T00:00:00Z', probes: [{ id: 'session', title: 'Session' }, { id: 'stun-udp', title: 'STUN' }] })).toBeNull();
    expect(tracker.next({ type: 'probe-started', probeId: 'session', atMs: 0.4 })).toEqual({
      type: 'netready:progress', version: 1, runId: 'r1', atMs: 0, completed: 0, total: 2, probe: { id: 'session', title: 'Session', status: 'running' },
    });
    expect(tracker.next({ type: 'probe-finished', probeId: 'session', atMs: 40.6, outcome: pass })).toMatchObject({ atMs: 41, completed: 1, total: 2, probe: { status: 'pass' } });
    expect(tracker.next({ type: 'probe-progress', probeId: 'stun-udp', atMs: 50, message: 'trying 3478' })).toBeNull();
    expect(tracker.next({ type: 'connectivity-verdict', atMs: 200, verdict: 'ready' })).toMatchObject({ completed: 1, connectivity: { verdict: 'ready' } });
    expect(tracker.next({ type: 'probe-finished', probeId: 'stun-udp', atMs: 210, outcome: { ...pass, status: 'fail' } })).toMatchObject({ completed: 2, probe: { id: 'stun-udp', status: 'fail' } });
  });

  it('ignores probes the plan did not name', () => {
    const tracker = createProgressTracker();
    tracker.next({ type: 'run-started', runId: 'r1', startedAt: '2026-12-05T00:00:00Z', probes: [{ id: 'session', title: 'Session' }] });
    expect(tracker.next({ type: 'probe-finished', probeId: 'mystery', atMs: 1, outcome: pass })).toBeNull();
  });
});

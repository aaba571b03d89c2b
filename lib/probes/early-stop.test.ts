import { describe, expect, it } from 'vitest';
import { runFakeDeployment } from '../engine/testing/fake-deployment';
import { noMediaPath, QUALITY_TIMEOUT_MS } from './media-quality';
import type { ProbeOutcome } from '../schema/result';

const outcome = (status: ProbeOutcome['status'], data: Record<string, unknown> = {}): ProbeOutcome => ({ status, durationMs: 1, data, evidence: [] });

describe('probes that cannot succeed stop early (issue 16)', () => {
  it('stops the quality stream once no transport carried data, and the verdict stays blocked', async () => {
    const result = await runFakeDeployment({ stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' }, iceTcp: 'refused' }, { withQuality: true });
    expect(result.verdict).toBe('blocked');
    const quality = result.probes['media-quality']!;
    expect(quality).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^Stopped early: no media path exists/) });
    expect(quality.durationMs).toBeLessThan(QUALITY_TIMEOUT_MS / 2);
  });

  it('keeps measuring quality where a path works', async () => {
    const result = await runFakeDeployment({}, { withQuality: true });
    expect(result.probes['media-quality']?.status).toBe('pass');
  });

  it.each<[string, Record<string, ProbeOutcome>, boolean]>([
    ['the transports have not all ended', { 'stun-udp': outcome('fail') }, false],
    ['STUN answered on the TURN port', { 'stun-udp': outcome('pass'), 'turn-udp': outcome('fail'), 'turn-tcp': outcome('fail'), 'turn-tls': outcome('fail') }, false],
    ['a relay carried data', { 'stun-udp': outcome('fail'), 'turn-udp': outcome('skipped'), 'turn-tcp': outcome('pass'), 'turn-tls': outcome('fail') }, false],
    ['a relay could not be decided', { 'stun-udp': outcome('fail'), 'turn-udp': outcome('fail'), 'turn-tcp': outcome('inconclusive'), 'turn-tls': outcome('fail') }, false],
    ['nothing worked', { 'stun-udp': outcome('fail'), 'turn-udp': outcome('skipped'), 'turn-tcp': outcome('fail'), 'turn-tls': outcome('warn') }, true],
    ['only another STUN port answered', { 'stun-udp': outcome('warn', { ports: [{ role: 'turn' }, { role: 'alternate', srflx: {} }] }), 'turn-udp': outcome('fail'), 'turn-tcp': outcome('fail'), 'turn-tls': outcome('fail') }, true],
  ])('no media path when %s: %s', (_, finished, abandon) => {
    expect(noMediaPath(finished) !== null).toBe(abandon);
  });
});

describe('the connectivity verdict comes before the quality measurement ends (issue 16)', () => {
  it('is emitted once the transports prove it, recorded in the result, and the final verdict follows', async () => {
    const events: Array<{ type: string; atMs: number }> = [];
    const result = await runFakeDeployment({}, { withQuality: true, onEvent: (event) => events.push({ type: event.type, atMs: 'atMs' in event ? event.atMs : 0 }) });
    const connectivity = events.find((e) => e.type === 'connectivity-verdict');
    const qualityDone = events.findIndex((e) => e.type === 'probe-finished' && e.atMs >= (result.probes['media-quality']?.durationMs ?? 0));
    expect(connectivity).toBeDefined();
    expect(result.connectivity).toEqual({ verdict: 'ready', atMs: connectivity!.atMs });
    expect(events.indexOf(connectivity!)).toBeLessThan(qualityDone);
    expect(connectivity!.atMs).toBeLessThan(result.durationMs);
    expect(events.filter((e) => e.type === 'connectivity-verdict')).toHaveLength(1);
  });

  it('says degraded as soon as the port matrix failed while a relay works, and blocked only once every transport ended', async () => {
    const degraded = await runFakeDeployment({ stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay' } });
    expect(degraded.connectivity?.verdict).toBe('degraded');
    const blocked = await runFakeDeployment({ stun: { turnPort: false, altPort: false }, turn: { udp: 'no-relay', tcp: 'no-relay', tls: 'no-relay' }, iceTcp: 'refused' });
    expect(blocked.connectivity?.verdict).toBe('blocked');
    expect(blocked.verdict).toBe('blocked');
  });
});

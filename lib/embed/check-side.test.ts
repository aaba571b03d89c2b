import { describe, expect, it } from 'vitest';
import { sampleResult } from '../api/testing/sample-result';
import { isOriginAllowed, readHostMessage, resultMessage } from './check-side';
import { EMBED_PROTOCOL_VERSION, isCheckMessage } from './protocol';

const TARGETS = ['Acme media', 'Acme signalling'];

describe('readHostMessage', () => {
  it.each([
    ['a string', 'netready:start'],
    ['null', null],
    ['another library’s message', { type: 'webpackOk' }],
    ['an unknown netready type', { type: 'netready:hello', version: 1 }],
    ['one of the check’s own types', { type: 'netready:result', version: 1 }],
  ])('ignores %s', (_name, data) => {
    expect(readHostMessage(data, TARGETS)).toEqual({ kind: 'ignore' });
  });

  it('starts the full plan without a share link when the host gives no options', () => {
    expect(readHostMessage({ type: 'netready:start', version: 1 }, TARGETS)).toEqual({ kind: 'start', start: { plan: 'full', share: false } });
  });

  it('passes every valid option on', () => {
    const options = { plan: 'connectivity', locale: 'de-CH', theme: { mode: 'dark', accent: '#0a7' }, targets: ['Acme media'], share: true };
    expect(readHostMessage({ type: 'netready:start', version: 1, options }, TARGETS)).toEqual({ kind: 'start', start: options });
  });

  it('answers another protocol version with unsupported-version, naming both', () => {
    const action = readHostMessage({ type: 'netready:start', version: 2 }, TARGETS);
    expect(action).toMatchObject({ kind: 'reject', code: 'unsupported-version' });
    expect(action.kind === 'reject' && action.message).toMatch(/version 1; the host sent 2/);
    expect(readHostMessage({ type: 'netready:start' }, TARGETS)).toMatchObject({ code: 'unsupported-version' });
  });

  it.each([
    [{ plan: 'fast' }, 'options.plan'],
    [{ colour: 'red' }, 'options.colour is not an option'],
    [{ locale: 'english please' }, 'options.locale'],
    [{ theme: 'dark' }, 'options.theme must be an object'],
    [{ theme: { mode: 'sepia' } }, 'options.theme.mode'],
    [{ theme: { accent: 'red;background:url(x)' } }, 'options.theme.accent'],
    [{ theme: { font: 'serif' } }, 'options.theme.font'],
    [{ targets: 'Acme media' }, 'options.targets must be a list'],
    [{ targets: ['Other vendor'] }, '"Other vendor", which is not a target of this deployment (configured: "Acme media", "Acme signalling")'],
    [{ share: 'yes' }, 'options.share'],
  ])('rejects %j with invalid-options naming the field', (options, words) => {
    const action = readHostMessage({ type: 'netready:start', version: EMBED_PROTOCOL_VERSION, options }, TARGETS);
    expect(action).toMatchObject({ kind: 'reject', code: 'invalid-options' });
    expect(action.kind === 'reject' && action.message).toContain(words);
  });

  it('says so when the deployment has no targets at all', () => {
    const action = readHostMessage({ type: 'netready:start', version: 1, options: { targets: ['x'] } }, []);
    expect(action.kind === 'reject' && action.message).toContain('this deployment has no targets configured');
  });
});

describe('isOriginAllowed', () => {
  const allowed = ['https://meet.example.com', 'https://*.example.org', 'http://localhost:3001'];
  it.each([
    ['https://meet.example.com', true],
    ['https://MEET.example.com', true],
    ['https://meet.example.com:443', true],
    ['https://meet.example.com:8443', false],
    ['http://meet.example.com', false],
    ['https://evil-meet.example.com', false],
    ['https://meet.example.com.evil.test', false],
    ['https://a.example.org', true],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://notexample.org', false],
    ['http://localhost:3001', true],
    ['http://localhost:3000', false],
    ['http://localhost', false],
    ['null', false],
    ['https://*.example.org', false],
    ['', false],
  ])('%s → %s', (origin, expected) => {
    expect(isOriginAllowed(origin, allowed)).toBe(expected);
  });

  it('allows nothing with an empty list (embedding off)', () => {
    expect(isOriginAllowed('https://meet.example.com', [])).toBe(false);
  });
});

describe('resultMessage', () => {
  it('carries verdict, duration and each finding’s code, severity, title and category, in the run’s order', () => {
    const message = resultMessage(sampleResult);
    expect(isCheckMessage(message)).toBe(true);
    expect(message).toMatchObject({ type: 'netready:result', version: 1, runId: sampleResult.id, verdict: 'degraded', durationMs: 4312 });
    // In the run's order, which the diagnosis sorted blockers first.
    expect(message.findings.map((f) => f.code)).toEqual(sampleResult.findings.map((f) => f.code));
    expect(Object.keys(message.findings[0]!).sort()).toEqual(['category', 'code', 'severity', 'title']);
    // Never the addresses, evidence or probe data: the host gets what it needs to decide.
    expect(JSON.stringify(message)).not.toContain('203.0.113');
    expect(message.shareUrl).toBeUndefined();
  });

  it('adds the share link, or why there is none', () => {
    expect(resultMessage(sampleResult, { url: 'https://n.example/r/abc' }).shareUrl).toBe('https://n.example/r/abc');
    expect(resultMessage(sampleResult, { code: 'rate_limited', message: 'wait' })).toMatchObject({ shareError: { code: 'rate_limited', message: 'wait' } });
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseStandaloneArgs } from './standalone';
import { CredentialsError, mintTurnCredentials } from './credentials';

describe('mintTurnCredentials', () => {
  const nowMs = 1_700_000_000_500;

  it('mints a coturn-compatible REST username and credential for a session', () => {
    const creds = mintTurnCredentials({ secret: 's3cret-for-tests-only', sessionId: 'sess-1', ttlS: 300, nowMs });
    expect(creds.username).toBe('1700000300:sess-1');
    expect(creds.credential).toBe(createHmac('sha1', 's3cret-for-tests-only').update(creds.username).digest('base64'));
    expect(creds.expiresAt).toBe(1_700_000_300_000);
  });

  it('appends a tag as a third part, signed with the rest (an MTU ladder rung)', () => {
    const creds = mintTurnCredentials({ secret: 's3cret-for-tests-only', sessionId: 'sess-1', ttlS: 300, nowMs, tag: 'mtu1280' });
    expect(creds.username).toBe('1700000300:sess-1:mtu1280');
    expect(creds.credential).toBe(createHmac('sha1', 's3cret-for-tests-only').update('1700000300:sess-1:mtu1280').digest('base64'));
  });

  it('caps the lifetime at 600 s', () => {
    expect(mintTurnCredentials({ secret: 'x', sessionId: 'a', ttlS: 86_400, nowMs }).username).toBe('1700000600:a');
  });

  it.each([
    { input: { secret: 'x', sessionId: 'has:colon', ttlS: 60 }, code: 'invalid-session-id' },
    { input: { secret: 'x', sessionId: '', ttlS: 60 }, code: 'invalid-session-id' },
    { input: { secret: 'x', sessionId: 'a b', ttlS: 60 }, code: 'invalid-session-id' },
    { input: { secret: 'x', sessionId: 'a', ttlS: 0 }, code: 'invalid-ttl' },
    { input: { secret: '', sessionId: 'a', ttlS: 60 }, code: 'invalid-secret' },
    { input: { secret: 'x', sessionId: 'a', ttlS: 60, tag: 'a:b' }, code: 'invalid-tag' },
    { input: { secret: 'x', sessionId: 'a', ttlS: 60, tag: '' }, code: 'invalid-tag' },
  ])('rejects $input with $code', ({ input, code }) => {
    expect(() => mintTurnCredentials({ ...input, nowMs })).toThrow(expect.objectContaining({ code }));
    expect(() => mintTurnCredentials({ ...input, nowMs })).toThrow(CredentialsError);
  });
});

describe('standalone command line', () => {
  it('parses the benchmark flags with defaults', () => {
    expect(parseStandaloneArgs(['--port', '0', '--secret', 'abc'])).toEqual({
      ip: '127.0.0.1',
      port: 0,
      secret: 'abc',
      realm: 'netready',
      relayIp: '127.0.0.1',
      relayPortMin: 49152,
      relayPortMax: 59999,
      allowedPeers: [],
      capture: false,
    });
  });

  it('records as the probe does with --capture, and captures the session --capture-session names', () => {
    expect(parseStandaloneArgs(['--secret', 's', '--capture'])).toMatchObject({ capture: true });
    expect(parseStandaloneArgs(['--secret', 's', '--capture-session', 'bench-relay'])).toMatchObject({ capture: true, captureSession: 'bench-relay' });
  });

  it('reads each --allow-peer as an IPv4 port range the relays may reach', () => {
    const args = parseStandaloneArgs(['--secret', 's', '--allow-peer', '127.0.0.1:26600-26600', '--allow-peer', '192.0.2.7:5000-5010']);
    expect(args.allowedPeers).toEqual([
      { ip: '127.0.0.1', portMin: 26600, portMax: 26600 },
      { ip: '192.0.2.7', portMin: 5000, portMax: 5010 },
    ]);
  });

  it.each([['127.0.0.1'], ['127.0.0.1:5000'], ['[::1]:1-2'], ['127.0.0.1:0-5'], ['127.0.0.1:1-70000']])('rejects --allow-peer %j with a usage hint', (value) => {
    expect(() => parseStandaloneArgs(['--secret', 's', '--allow-peer', value])).toThrow(/--allow-peer/);
  });

  it.each([[['--port', '1']], [['--secret', 's', '--port', '70000']], [['--secret', 's', '--bogus']]])('rejects %j', (argv) => {
    expect(() => parseStandaloneArgs(argv)).toThrow();
  });
});

// The log line format: address truncation, request ids, redaction of secrets wherever they appear.
import { describe, expect, it } from 'vitest';
import { createLogger, loggerForSink, REDACTED, redactSecrets, requestIdOf, truncateAddress, type LogSettings } from './logger';

/** A logger at debug whose lines are parsed into `lines`. */
function capture(settings: Partial<LogSettings> = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = createLogger({
    service: 'web',
    level: 'debug',
    clientAddresses: 'truncated',
    ...settings,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, raw };
}

describe('truncateAddress', () => {
  it.each([
    ['198.51.100.23', '198.51.100.0/24'],
    ['::ffff:192.0.2.7', '192.0.2.0/24'],
    ['2001:db8:1:2::5', '2001:db8:1::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['[2001:db8:abcd:12::1]:443', '2001:db8:abcd::/48'],
    ['::1', '::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['unknown', 'unknown'],
    ['not an address 203.0.113.9', 'unknown'],
  ])('cuts %s to %s', (address, network) => {
    expect(truncateAddress(address)).toBe(network);
  });
});

describe('requestIdOf', () => {
  it('honours a short, safe X-Request-Id', () => {
    expect(requestIdOf('abc-123.DEF_4:5')).toBe('abc-123.DEF_4:5');
  });

  it.each([
    ['too long', 'a'.repeat(65)],
    ['with a space', 'abc def'],
    ['with a quote', 'abc"def'],
    ['with a newline (log injection)', 'abc\n{"level":"fatal"}'],
    ['empty', ''],
  ])('replaces one that is %s with a fresh id', (_why, header) => {
    const id = requestIdOf(header);
    expect(id).not.toBe(header);
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('makes a fresh id for a request without one', () => {
    expect(requestIdOf(undefined)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(requestIdOf(undefined)).not.toBe(requestIdOf(undefined));
  });
});

describe('createLogger', () => {
  it('writes one JSON line with a level name, an ISO time, the message and the service', () => {
    const { logger, lines, raw } = capture();
    logger.info({ requestId: 'r1' }, 'hello');
    expect(raw).toHaveLength(1);
    expect(raw[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'hello', service: 'web', requestId: 'r1' });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it('replaces credentials, secrets, keys and Authorization/Cookie headers by [redacted]', () => {
    const { logger, raw } = capture();
    logger.info(
      {
        credential: 'turn-credential-1',
        session: { turn: [{ url: 'turn:192.0.2.1', username: 'u', credential: 'turn-credential-2' }], dns: { turnByName: [{ credential: 'turn-credential-3' }] } },
        turn: { secret: 'turn-shared-secret' },
        acme: { accountKey: 'account-key-pem' },
        keyPem: 'private-key-pem',
        headers: { authorization: 'Bearer token-1', cookie: 'sid=cookie-1', 'proxy-authorization': 'Basic token-2', accept: 'text/html' },
        req: { headers: { authorization: 'Bearer token-3', cookie: 'sid=cookie-2' } },
      },
      'a request',
    );
    const line = raw.join('');
    for (const secret of ['turn-credential-1', 'turn-credential-2', 'turn-credential-3', 'turn-shared-secret', 'account-key-pem', 'private-key-pem', 'token-1', 'token-2', 'token-3', 'cookie-1', 'cookie-2']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
    expect(line).toContain('text/html');
  });

  it('redacts a line without changing the caller\'s objects, and copies nothing when there is no secret', () => {
    const fields = { session: { turn: [{ username: 'u', credential: 'c-1' }] }, requestId: 'r1' };
    const redacted = redactSecrets(fields) as typeof fields;
    expect(redacted.session.turn[0]).toEqual({ username: 'u', credential: REDACTED });
    expect(fields.session.turn[0]!.credential).toBe('c-1');
    const plain = { sessionId: 's1', client: { ip: '192.0.2.1', port: 1 } };
    expect(redactSecrets(plain)).toBe(plain);
  });

  it('cuts client addresses to their network unless log.clientAddresses is "full"', () => {
    const truncated = capture();
    truncated.logger.info({ clientAddress: '198.51.100.23', client: { ip: '2001:db8:1:2::5', port: 4000 }, peerAddress: '203.0.113.9' }, 'seen');
    expect(truncated.lines[0]).toMatchObject({ clientAddress: '198.51.100.0/24', client: '2001:db8:1::/48', peerAddress: '203.0.113.0/24' });
    const full = capture({ clientAddresses: 'full' });
    full.logger.info({ clientAddress: '198.51.100.23' }, 'seen');
    expect(full.lines[0]).toMatchObject({ clientAddress: '198.51.100.23' });
  });

  it('leaves out lines below log.level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('not written');
    logger.warn('written');
    expect(lines.map((l) => l.msg)).toEqual(['written']);
  });
});

describe('loggerForSink', () => {
  it('hands messages to a message sink: errors with their error, the rest as info', () => {
    const seen: string[] = [];
    const logger = loggerForSink({ info: (m) => seen.push(`info ${m}`), error: (m, e) => seen.push(`error ${m} ${(e as { message?: string }).message}`) });
    logger.info({ sessionId: 's' }, 'one');
    logger.error({ err: new Error('boom') }, 'two');
    logger.debug('three');
    expect(seen).toEqual(['info one', 'error two boom']);
  });
});

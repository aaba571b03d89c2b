// npm start's display of the children's JSON log lines (scripts/log-format.mjs).
import { describe, expect, it } from 'vitest';
import { formatLogLine, messageOf } from './log-format.mjs';

const READY = JSON.stringify({ level: 'info', time: '2026-01-02T03:04:05.000Z', service: 'probe', pid: 7, msg: 'netready probe ready: api http://127.0.0.1:8080; dev certificate /data/tls/cert.pem' });

describe('log display of npm start', () => {
  it('finds the readiness marker in a JSON line and in a plain one', () => {
    expect(messageOf(READY)).toContain('netready probe ready');
    expect(messageOf(READY)).toContain('; dev certificate ');
    expect(messageOf('netready probe ready: api http://127.0.0.1:8080')).toContain('netready probe ready');
  });

  it('shows a JSON line as time, level, message and a few fields, with the error message', () => {
    const line = JSON.stringify({ level: 'error', time: '2026-01-02T03:04:05.000Z', service: 'web', pid: 7, requestId: 'r1', status: 503, path: '/api/results', hostname: 'h', err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at x' }, msg: 'results API: result store unavailable' });
    const shown = formatLogLine(line);
    expect(shown).toMatch(/^\d\d:\d\d:\d\d ERROR results API: result store unavailable requestId=r1 path=\/api\/results status=503 error="disk full"$/);
    expect(shown).not.toContain('stack');
    expect(shown).not.toContain('hostname');
  });

  it('passes lines that are not JSON log lines through unchanged', () => {
    for (const line of ['▲ Next.js 16.4.6', '{not json', '{"no":"msg"}', '[1,2]']) expect(formatLogLine(line)).toBe(line);
  });
});

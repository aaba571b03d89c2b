// The host side's reading of the check's messages across protocol versions (lib/embed/protocol.ts, issue 14).
import { describe, expect, it } from 'vitest';
import { EMBED_PROTOCOL_VERSION, foreignReadyVersion, isCheckMessage, readCheckError } from './protocol';

const NEWER = EMBED_PROTOCOL_VERSION + 1;

describe('readCheckError', () => {
  it('reads an error of this version as it is', () => {
    const data = { type: 'netready:error', version: EMBED_PROTOCOL_VERSION, code: 'busy', message: 'a check is already running' };
    expect(readCheckError(data)).toEqual(data);
  });

  it('reads a newer check’s unsupported-version, which isCheckMessage alone would drop', () => {
    const data = { type: 'netready:error', version: NEWER, code: 'unsupported-version', message: `this check speaks protocol version ${NEWER}; the host sent 1.` };
    expect(isCheckMessage(data)).toBe(false);
    expect(readCheckError(data)).toEqual(data);
  });

  it('reports a newer check’s code this side does not know as unsupported-version, keeping its code and message', () => {
    const error = readCheckError({ type: 'netready:error', version: NEWER, code: 'quota-exceeded', message: 'try again in an hour' });
    expect(error).toMatchObject({ type: 'netready:error', version: NEWER, code: 'unsupported-version' });
    expect(error?.message).toContain(`version ${NEWER}`);
    expect(error?.message).toContain('quota-exceeded: try again in an hour');
  });

  it.each([
    ['null', null],
    ['a string', 'netready:error'],
    ['another type', { type: 'netready:result', version: NEWER, code: 'busy', message: 'x' }],
    ['no version', { type: 'netready:error', code: 'busy', message: 'x' }],
    ['a version that is no positive integer', { type: 'netready:error', version: '2', code: 'busy', message: 'x' }],
    ['version 0', { type: 'netready:error', version: 0, code: 'busy', message: 'x' }],
    ['a fractional version', { type: 'netready:error', version: 1.5, code: 'busy', message: 'x' }],
    ['no code', { type: 'netready:error', version: NEWER, message: 'x' }],
    ['a code that is no string', { type: 'netready:error', version: NEWER, code: 7, message: 'x' }],
    ['a code that is no code', { type: 'netready:error', version: NEWER, code: '<img src=x>', message: 'x' }],
    ['a message that is no string', { type: 'netready:error', version: NEWER, code: 'busy', message: { text: 'x' } }],
    ['an unknown code of this version', { type: 'netready:error', version: EMBED_PROTOCOL_VERSION, code: 'quota-exceeded', message: 'x' }],
  ])('ignores %s', (_name, data) => {
    expect(readCheckError(data)).toBeNull();
  });
});

describe('foreignReadyVersion', () => {
  it('gives the version of a ready of another version', () => {
    expect(foreignReadyVersion({ type: 'netready:ready', version: NEWER, plans: [] })).toBe(NEWER);
  });

  it.each([
    ['a ready of this version', { type: 'netready:ready', version: EMBED_PROTOCOL_VERSION }],
    ['a ready without a version', { type: 'netready:ready' }],
    ['another message of another version', { type: 'netready:result', version: NEWER }],
    ['null', null],
  ])('is null for %s', (_name, data) => {
    expect(foreignReadyVersion(data)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { API_ERROR_STATUS, ApiError, readErrorEnvelope, statusForCode } from './api-error';

describe('API errors', () => {
  it.each([
    ['invalid_json', 400],
    ['not_found', 404],
    ['payload_too_large', 413],
    ['invalid_result', 422],
    ['internal_error', 500],
    ['cross_site_request', 403],
    ['unsupported_media_type', 415],
    ['json_too_deep', 400],
    ['rate_limited', 429],
    ['quota_exceeded', 429],
    ['storage_unavailable', 503],
  ] as const)('maps %s to HTTP %i', (code, status) => {
    expect(statusForCode(code)).toBe(status);
    expect(new ApiError(code, 'x').status).toBe(status);
  });

  it('gives every code an error status', () => {
    for (const status of Object.values(API_ERROR_STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });

  it('builds the one envelope shape', () => {
    expect(new ApiError('not_found', 'no such result').toEnvelope()).toEqual({
      error: { code: 'not_found', message: 'no such result' },
    });
  });

  it.each([
    ['an envelope', { error: { code: 'not_found', message: 'gone' } }, { code: 'not_found', message: 'gone' }],
    ['null', null, null],
    ['a string', 'error', null],
    ['an envelope without a message', { error: { code: 'x' } }, null],
    ['a result', { id: 'x' }, null],
  ])('reads %s', (_name, value, expected) => {
    expect(readErrorEnvelope(value)).toEqual(expected);
  });
});

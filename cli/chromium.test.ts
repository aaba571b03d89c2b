import { describe, expect, it } from 'vitest';
import { deepCheckArgs, isPotentiallyTrustworthy } from './chromium';

describe('the deep check\'s Chromium flags', () => {
  it.each<[string, boolean, string[]]>([
    ['http://192.0.2.5:3000', false, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--unsafely-treat-insecure-origin-as-secure=http://192.0.2.5:3000']],
    ['http://192.0.2.5:3000', true, ['--use-fake-device-for-media-stream', '--deny-permission-prompts', '--unsafely-treat-insecure-origin-as-secure=http://192.0.2.5:3000']],
    ['https://netready.example.org', false, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']],
    ['http://127.0.0.1:23000', false, ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']],
    ['http://localhost:3000', true, ['--use-fake-device-for-media-stream', '--deny-permission-prompts']],
  ])('%s (deny %s) → %j', (url, deny, expected) => {
    expect(deepCheckArgs(url, deny)).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ['https://192.0.2.5', true],
    ['http://127.0.0.1:3000', true],
    ['http://app.localhost', true],
    ['http://[::1]:3000', true],
    ['http://192.0.2.5', false],
    ['http://netready.corp.example', false],
  ])('%s is a secure context: %s', (origin, expected) => {
    expect(isPotentiallyTrustworthy(origin)).toBe(expected);
  });
});

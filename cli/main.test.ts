import { describe, expect, it } from 'vitest';
import { bypassesProxy, Timings } from './main';

describe('bypassesProxy (where the CLI\'s own dev-CA request goes)', () => {
  it.each<[string, string | undefined, boolean]>([
    ['http://10.0.0.5:3000', undefined, false],
    ['http://10.0.0.5:3000', '10.0.0.5', true],
    ['http://10.0.0.5:3000', '10.0.0.5:3000', true],
    ['http://10.0.0.5:3000', '10.0.0.5:8080', false],
    ['https://netready.corp.example', '*.corp.example', true],
    ['https://netready.corp.example', '.corp.example; 10.1.1.1', true],
    ['https://netready.corp.example', 'http://netready.corp.example', false],
    ['https://netready.corp.example', 'https://netready.corp.example:443', true],
    ['http://127.0.0.1:23000', '<-loopback>;127.0.0.1:23000', true],
    ['http://127.0.0.1:23000', '<-loopback>', false],
  ])('%s with bypass list %j → %s', (url, list, expected) => {
    expect(bypassesProxy(url, list)).toBe(expected);
  });
});

describe('Timings (where a check’s time goes)', () => {
  it('lists the marks in the order they happened, in whole ms since the process started', () => {
    const timings = new Timings();
    timings.mark('main');
    timings.mark('chromium launched');
    const parts = timings.format().split(', ');
    expect(parts.map((p) => p.replace(/ \d+$/, ''))).toEqual(['main', 'chromium launched']);
    const [main, launched] = parts.map((p) => Number(/ (\d+)$/.exec(p)?.[1]));
    expect(main).toBeGreaterThan(0);
    expect(launched).toBeGreaterThanOrEqual(main!);
  });
});

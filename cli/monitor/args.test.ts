import { describe, expect, it } from 'vitest';
import { parseDuration, parseMonitorArgs } from './args';

const BASE = ['--url', 'https://nr.example.com/', '--site', 'Berlin office', '--interval', '5m'];

describe('parseDuration', () => {
  it('reads seconds, minutes and hours, and nothing else', () => {
    expect([parseDuration('30s'), parseDuration('5m'), parseDuration('1h'), parseDuration('90s')]).toEqual([30_000, 300_000, 3_600_000, 90_000]);
    for (const bad of ['5', '5 m', '1.5m', '-5m', 'm', '5d', '']) expect(parseDuration(bad), bad).toBeNull();
  });
});

describe('parseMonitorArgs', () => {
  it('takes the required url, site and interval with sensible defaults', () => {
    expect(parseMonitorArgs(BASE)).toEqual({
      command: 'monitor',
      url: 'https://nr.example.com',
      site: 'Berlin office',
      intervalMs: 300_000,
      browser: 'chromium',
      dataDir: './netready-monitor',
      confirmRuns: 2,
      timeoutMs: 45_000,
    });
  });

  it('takes the site token from --token, else from NETREADY_MONITOR_TOKEN (kept out of the process list)', () => {
    expect(parseMonitorArgs([...BASE, '--token', 'nrs_from_the_command_line'])).toMatchObject({ token: 'nrs_from_the_command_line' });
    expect(parseMonitorArgs(BASE, { NETREADY_MONITOR_TOKEN: 'nrs_from_the_environment' })).toMatchObject({ token: 'nrs_from_the_environment' });
    expect(parseMonitorArgs([...BASE, '--token', 'nrs_from_the_command_line'], { NETREADY_MONITOR_TOKEN: 'nrs_from_the_environment' })).toMatchObject({ token: 'nrs_from_the_command_line' });
    expect(parseMonitorArgs(BASE, { NETREADY_MONITOR_TOKEN: '' })).not.toHaveProperty('token');
  });

  it('reads every option, also in --name=value form', () => {
    const parsed = parseMonitorArgs([...BASE, '--runs', '4', '--metrics=127.0.0.1:9470', '--webhook', 'https://hooks.slack.com/services/T/B/X', '--browser', 'firefox', '--data-dir', '/var/lib/netready-monitor', '--confirm-runs', '3', '--timeout-ms', '60000']);
    expect(parsed).toMatchObject({ runs: 4, metrics: { host: '127.0.0.1', port: 9470 }, webhook: 'https://hooks.slack.com/services/T/B/X', browser: 'firefox', dataDir: '/var/lib/netready-monitor', confirmRuns: 3, timeoutMs: 60_000 });
    expect(parseMonitorArgs([...BASE, '--metrics', '[::1]:9470'])).toMatchObject({ metrics: { host: '::1', port: 9470 } });
  });

  it.each([
    [['--site', 'x', '--interval', '5m'], /--url is required/],
    [['--url', 'ftp://x', '--site', 'x', '--interval', '5m'], /http:\/\/ or https:\/\//],
    [['--url', 'https://x', '--interval', '5m'], /--site is required/],
    [['--url', 'https://x', '--site', 'Berlin/office', '--interval', '5m'], /--site "Berlin\/office"/],
    [['--url', 'https://x', '--site', 'x'], /--interval is required/],
    [['--url', 'https://x', '--site', 'x', '--interval', '10s'], /too short: at least 30s/],
    [['--url', 'https://x', '--site', 'x', '--interval', '2d'], /whole number with s, m or h/],
    [[...BASE, '--runs', '0'], /--runs must be a whole number from 1/],
    [[...BASE, '--metrics', '9470'], /give host:port/],
    [[...BASE, '--webhook', 'not a url'], /--webhook not a url is not a URL/],
    [[...BASE, '--token', 'short'], /--token .* 16 to 256 characters/],
    [[...BASE, '--browser', 'safari'], /--browser must be chromium or firefox/],
    [[...BASE, '--frobnicate'], /unknown option --frobnicate/],
    [[...BASE, '--runs'], /--runs needs a value/],
  ])('refuses %j with a message naming the option', (argv, message) => {
    const parsed = parseMonitorArgs(argv);
    expect(parsed.command).toBe('error');
    expect((parsed as { message: string }).message).toMatch(message);
  });

  it('answers --help', () => {
    expect(parseMonitorArgs(['--help'])).toEqual({ command: 'help' });
  });
});

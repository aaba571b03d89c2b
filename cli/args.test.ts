import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, exitCodeFor, parseArgs } from './args';

describe('parseArgs', () => {
  it('parses check with url, json and timeout', () => {
    expect(parseArgs(['check', '--url', 'http://localhost:3000/', '--json', '--timeout-ms', '20000'])).toEqual({
      command: 'check',
      url: 'http://localhost:3000',
      browser: 'chromium',
      json: true,
      timeoutMs: 20000,
      trustDevCa: true,
      trustCaFiles: [],
      deep: false,
      denyMedia: false,
      chromiumArgs: [],
      repeat: 1,
      timings: false,
    });
  });

  it('reads --browser in both spellings, Chromium by default', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--browser', 'firefox'])).toMatchObject({ browser: 'firefox' });
    expect(parseArgs(['check', '--url', 'http://x', '--browser=chromium'])).toMatchObject({ browser: 'chromium' });
    expect(parseArgs(['check', '--url', 'http://x'])).toMatchObject({ browser: 'chromium' });
  });

  it('lets Firefox take the options both browsers have: proxy, CAs, repeat, timings', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--browser', 'firefox', '--proxy-server', 'http://192.0.2.3:3128', '--trust-ca', 'a.pem', '--repeat', '2', '--timings', '--no-trust-dev-ca'])).toMatchObject({
      command: 'check',
      browser: 'firefox',
      proxyServer: 'http://192.0.2.3:3128',
      trustCaFiles: ['a.pem'],
      repeat: 2,
      timings: true,
      trustDevCa: false,
    });
  });

  it.each<[string[], string]>([
    [['--deep'], '--deep only works with --browser chromium'],
    [['--deny-media'], '--deny-media only works with --browser chromium'],
    [['--chromium-arg=--lang=de'], '--chromium-arg only works with --browser chromium'],
    [['--webrtc-ip-handling-policy', 'default'], '--webrtc-ip-handling-policy only works with --browser chromium'],
    [['--deep', '--chromium-arg=--lang=de'], '--deep, --chromium-arg only work with --browser chromium'],
  ])('refuses the Chromium-only %j with --browser firefox, naming them', (flags, message) => {
    expect(parseArgs(['check', '--url', 'http://x', '--browser', 'firefox', ...flags])).toEqual({ command: 'error', message });
  });

  it('reads --repeat and --timings, in both spellings', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--repeat', '5', '--timings'])).toMatchObject({ repeat: 5, timings: true });
    expect(parseArgs(['check', '--url', 'http://x', '--repeat=3'])).toMatchObject({ repeat: 3, timings: false });
  });

  it.each(['0', '-1', '2.5', 'many', '1001'])('rejects --repeat %s with a message naming the range', (raw) => {
    expect(parseArgs(['check', '--url', 'http://x', `--repeat=${raw}`])).toEqual({ command: 'error', message: expect.stringContaining('--repeat needs a whole number of runs from 1 to 1000') });
  });

  it.each<[string[], { deep: boolean; denyMedia: boolean; chromiumArgs: string[] }]>([
    [['--deep'], { deep: true, denyMedia: false, chromiumArgs: [] }],
    [['--deny-media'], { deep: true, denyMedia: true, chromiumArgs: [] }],
    [['--deep', '--deny-media'], { deep: true, denyMedia: true, chromiumArgs: [] }],
    [
      ['--chromium-arg=--webrtc-ip-handling-policy=disable_non_proxied_udp'],
      { deep: false, denyMedia: false, chromiumArgs: ['--webrtc-ip-handling-policy=disable_non_proxied_udp'] },
    ],
    [
      ['--chromium-arg', '--disable-features=WebRtcHideLocalIpsWithMdns', '--deep', '--chromium-arg=--lang=de'],
      { deep: true, denyMedia: false, chromiumArgs: ['--disable-features=WebRtcHideLocalIpsWithMdns', '--lang=de'] },
    ],
  ])('reads the deep check and Chromium flags from %j', (flags, expected) => {
    expect(parseArgs(['check', '--url', 'http://192.0.2.5:3000', ...flags])).toMatchObject(expected);
  });

  it('reads the browser policy to reproduce, in both spellings', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--webrtc-ip-handling-policy', 'disable_non_proxied_udp'])).toMatchObject({ webrtcIpHandlingPolicy: 'disable_non_proxied_udp' });
    expect(parseArgs(['check', '--url', 'http://x', '--webrtc-ip-handling-policy=default_public_interface_only'])).toMatchObject({ webrtcIpHandlingPolicy: 'default_public_interface_only' });
    expect(parseArgs(['check', '--url', 'http://x'])).not.toHaveProperty('webrtcIpHandlingPolicy');
  });

  it('collects repeated --trust-ca files and a proxy', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--trust-ca', 'a.pem', '--trust-ca=b.pem', '--proxy-server', 'http://192.0.2.3:3128'])).toMatchObject({
      trustCaFiles: ['a.pem', 'b.pem'],
      proxyServer: 'http://192.0.2.3:3128',
    });
  });

  it('takes a bypass list for the proxy', () => {
    expect(parseArgs(['check', '--url', 'http://x', '--proxy-server', 'http://192.0.2.3:3128', '--proxy-bypass-list', '<-loopback>;127.0.0.1:3000'])).toMatchObject({
      proxyBypassList: '<-loopback>;127.0.0.1:3000',
    });
  });

  it('accepts --flag=value and defaults the timeout', () => {
    expect(parseArgs(['check', '--url=https://netready.example.org'])).toMatchObject({ url: 'https://netready.example.org', timeoutMs: DEFAULT_TIMEOUT_MS });
  });

  it.each([
    [['check'], '--url'],
    [['check', '--url', 'ftp://x'], 'http'],
    [['check', '--url', 'not a url'], 'not a valid URL'],
    [['check', '--url', 'http://x', '--timeout-ms', 'soon'], '--timeout-ms'],
    [['check', '--url', 'http://x', '--bogus'], 'unknown option'],
    [['check', '--url', 'http://x', '--proxy-bypass-list', 'a.example'], 'only applies with --proxy-server'],
    [['launch'], 'unknown command'],
    [['check', '--url', 'http://x', '--chromium-arg'], '--chromium-arg'],
    [['check', '--url', 'http://x', '--chromium-arg', 'force-webrtc-ip-handling-policy'], '--chromium-arg needs a Chromium flag'],
    [['check', '--url', 'http://x', '--chromium-arg='], '--chromium-arg'],
    [['check', '--url', 'http://x', '--webrtc-ip-handling-policy', 'no_udp'], '--webrtc-ip-handling-policy must be one of default, '],
    [['check', '--url', 'http://x', '--webrtc-ip-handling-policy'], '--webrtc-ip-handling-policy must be one of'],
    [['check', '--url', 'http://x', '--browser', 'webkit'], '--browser must be one of chromium, firefox, got "webkit"'],
    [['check', '--url', 'http://x', '--browser'], '--browser must be one of chromium, firefox, got ""'],
  ])('rejects %j with a message mentioning %s', (argv, text) => {
    const parsed = parseArgs(argv);
    expect(parsed.command).toBe('error');
    expect(parsed.command === 'error' && parsed.message).toContain(text);
  });

  it('maps verdicts to the documented exit codes', () => {
    expect([exitCodeFor('ready'), exitCodeFor('degraded'), exitCodeFor('blocked'), exitCodeFor('inconclusive')]).toEqual([0, 1, 2, 3]);
  });
});

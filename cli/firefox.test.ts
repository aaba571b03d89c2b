import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFirefoxProfile, DEFAULT_FIREFOX_PATH, findFirefox, FirefoxError, firefoxPrefs, firefoxProxyPrefs, isLoopbackUrl } from './firefox';

describe('findFirefox', () => {
  it('takes NETREADY_FIREFOX when it is an executable', () => {
    expect(findFirefox({ NETREADY_FIREFOX: '/opt/firefox/firefox' }, (file) => file === '/opt/firefox/firefox')).toBe('/opt/firefox/firefox');
  });

  it('refuses a NETREADY_FIREFOX that is not an executable, naming it, without falling back', () => {
    expect(() => findFirefox({ NETREADY_FIREFOX: '/nowhere/firefox' }, (file) => file === DEFAULT_FIREFOX_PATH)).toThrow(
      expect.objectContaining({ name: 'FirefoxError', code: 'not_found', message: 'NETREADY_FIREFOX=/nowhere/firefox is not an executable file.' }),
    );
  });

  it('falls back to Debian\'s /usr/bin/firefox-esr', () => {
    expect(findFirefox({}, (file) => file === '/usr/bin/firefox-esr')).toBe('/usr/bin/firefox-esr');
  });

  it('says what to install when there is no Firefox', () => {
    expect(() => findFirefox({}, () => false)).toThrow(FirefoxError);
    expect(() => findFirefox({}, () => false)).toThrow(/sudo apt-get install firefox-esr.*NETREADY_FIREFOX/);
  });
});

describe('firefoxPrefs', () => {
  it.each<[string, boolean]>([
    ['http://127.0.0.1:3000', true],
    ['http://localhost:3000', true],
    ['https://app.localhost', true],
    ['http://[::1]:3000', true],
    ['http://192.0.2.5:3000', false],
    ['https://netready.example.org', false],
  ])('%s: loopback ICE candidates allowed %s', (url, loopback) => {
    expect(isLoopbackUrl(url)).toBe(loopback);
    expect(firefoxPrefs(url)['media.peerconnection.ice.loopback']).toBe(loopback ? true : undefined);
  });

  it('turns off first-run prompts and background traffic', () => {
    expect(firefoxPrefs('https://netready.example.org')).toMatchObject({ 'browser.shell.checkDefaultBrowser': false, 'app.update.enabled': false });
  });
});

describe('firefoxProxyPrefs', () => {
  const HTTP = { 'network.proxy.type': 1, 'network.proxy.share_proxy_settings': true, 'network.proxy.http': '192.0.2.3', 'network.proxy.http_port': 3128, 'network.proxy.ssl': '192.0.2.3', 'network.proxy.ssl_port': 3128 };

  it.each<[string | undefined, string]>([
    [undefined, ''],
    ['netready.corp.example;10.0.0.5:3000', 'netready.corp.example,10.0.0.5:3000'],
    ['<-loopback>;*.corp.example', '*.corp.example'],
    ['<-loopback>', ''],
  ])('sends HTTPS through an http:// proxy too (Playwright over BiDi set only http); bypass %j → %j', (list, bypass) => {
    expect(firefoxProxyPrefs('http://192.0.2.3:3128', list)).toEqual({ ...HTTP, 'network.proxy.no_proxies_on': bypass });
  });

  it('takes a bare host:port as http, and SOCKS with the proxy resolving names', () => {
    expect(firefoxProxyPrefs('192.0.2.3:3128', undefined)).toMatchObject(HTTP);
    expect(firefoxProxyPrefs('socks5://192.0.2.4:1080', undefined)).toEqual({
      'network.proxy.type': 1,
      'network.proxy.no_proxies_on': '',
      'network.proxy.socks': '192.0.2.4',
      'network.proxy.socks_port': 1080,
      'network.proxy.socks_version': 5,
      'network.proxy.socks_remote_dns': true,
    });
    expect(firefoxProxyPrefs('socks4://[2001:db8::1]:9050', undefined)).toMatchObject({ 'network.proxy.socks': '2001:db8::1', 'network.proxy.socks_version': 4 });
  });

  it('refuses a scheme Firefox cannot use, naming the flag', () => {
    expect(() => firefoxProxyPrefs('https://proxy.example:443', undefined)).toThrow(/--proxy-server .*http:\/\/, socks4:\/\/ or socks5:\/\//);
  });
});

describe('createFirefoxProfile', () => {
  let parent = '';
  afterEach(() => {
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('makes no NSS DB without CAs or nssDb, so Firefox makes its own', () => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'netready-firefox-test-'));
    const profile = createFirefoxProfile([], { parent });
    expect(profile.dir.startsWith(parent)).toBe(true);
    expect(existsSync(path.join(profile.dir, 'cert9.db'))).toBe(false);
    expect(profile.trustedCa).toBe(false);
    profile.cleanup();
    expect(existsSync(profile.dir)).toBe(false);
  });

  it('makes an empty NSS DB in the profile folder with nssDb, trusting nothing yet', () => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'netready-firefox-test-'));
    const profile = createFirefoxProfile([], { parent, nssDb: true });
    expect(existsSync(path.join(profile.dir, 'cert9.db'))).toBe(true);
    expect(profile.trustedCa).toBe(false);
  });

  it('refuses a CA that is not a certificate, and leaves no profile folder behind', () => {
    parent = mkdtempSync(path.join(os.tmpdir(), 'netready-firefox-test-'));
    expect(() => createFirefoxProfile(['not a certificate'], { parent })).toThrow(/could not build the certificate database/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

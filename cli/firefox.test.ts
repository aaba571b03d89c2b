import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFirefoxProfile, DEFAULT_FIREFOX_PATH, findFirefox, FirefoxError, firefoxPrefs, firefoxProxy, isLoopbackUrl } from './firefox';

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

describe('firefoxProxy', () => {
  it.each<[string | undefined, { server: string; bypass?: string }]>([
    [undefined, { server: 'http://192.0.2.3:3128' }],
    ['netready.corp.example;10.0.0.5:3000', { server: 'http://192.0.2.3:3128', bypass: 'netready.corp.example,10.0.0.5:3000' }],
    ['<-loopback>;*.corp.example', { server: 'http://192.0.2.3:3128', bypass: '*.corp.example' }],
    ['<-loopback>', { server: 'http://192.0.2.3:3128' }],
  ])('bypass list %j → %j', (list, expected) => {
    expect(firefoxProxy('http://192.0.2.3:3128', list)).toEqual(expected);
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

/**
 * How to make the browser that ran the test write its TLS keys (`SSLKEYLOGFILE`, the NSS key log format), so
 * Wireshark can decrypt the page's HTTPS and WebSocket traffic (issue 20). Chromium-based browsers (Chrome, Edge,
 * Brave, Opera …) and Firefox, ESR included, read the variable when they start; Safari — and every browser on iOS,
 * which all use WebKit — does not. The steps are for the browser and operating system of the run
 * (`client.browser`, `client.engine`, `client.os`), or for every system when the run's is not one of the three.
 */
import type { ClientInfo } from '../schema/result';
import { fileStem, osOf, type CaptureOs, type CaptureStep, type OsGuide } from './capture-commands';

/** Which family of browser the key log instructions are for. */
export type KeyLogBrowser = 'chromium' | 'firefox' | 'safari' | 'unknown';

/** The key log part of the kit. */
export interface KeyLogGuide {
  browser: KeyLogBrowser;
  /** The browser's name for people ("Chrome", "Firefox" …). */
  browserName: string;
  /** False for Safari/WebKit: it has no key log. */
  supported: boolean;
  /** One guide per operating system (the run's, or all three). */
  guides: OsGuide[];
  /** Where Wireshark takes the key log, and the tshark option. */
  wireshark: CaptureStep[];
}

/** The browser family of a result's client. */
export function keyLogBrowserOf(client: Pick<ClientInfo, 'browser' | 'engine'>): KeyLogBrowser {
  const name = client.browser ?? '';
  if (client.engine === 'gecko' || /firefox/i.test(name)) return 'firefox';
  if (client.engine === 'webkit' || /safari/i.test(name)) return 'safari';
  if (client.engine === 'blink' || /chrom|edge|opera|brave|vivaldi|yandex|samsung/i.test(name)) return 'chromium';
  return 'unknown';
}

/** Program names and paths of a browser per system (the common ones; the generic name otherwise). */
function programs(browser: KeyLogBrowser, name: string): { mac: string; linux: string } {
  if (browser === 'firefox') return { mac: '/Applications/Firefox.app/Contents/MacOS/firefox', linux: 'firefox' };
  if (/edge/i.test(name)) return { mac: '"/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"', linux: 'microsoft-edge' };
  if (/chromium/i.test(name)) return { mac: '/Applications/Chromium.app/Contents/MacOS/Chromium', linux: 'chromium' };
  return { mac: '"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"', linux: 'google-chrome' };
}

/** The browser's name for people: the result's, without "Headless" and "Mobile". */
function displayName(client: Pick<ClientInfo, 'browser'>, browser: KeyLogBrowser): string {
  const name = (client.browser ?? '').replace(/\b(headless|mobile)\b/gi, '').replace(/\s+/g, ' ').trim();
  if (name && /^[\p{L}\p{N} .-]{1,40}$/u.test(name)) return name;
  return { chromium: 'Chrome', firefox: 'Firefox', safari: 'Safari', unknown: 'your browser' }[browser];
}

function guideFor(os: CaptureOs, browser: KeyLogBrowser, name: string, stem: string): OsGuide {
  const quit = browser === 'firefox' ? `Quit ${name} completely first` : `Quit ${name} completely first (also its icon by the clock: Chrome and Edge keep running in the background)`;
  const { mac, linux } = programs(browser, name);
  if (os === 'windows') {
    const file = `%USERPROFILE%\\Desktop\\${stem}-keys.log`;
    return {
      os,
      title: 'Windows (Command Prompt)',
      steps: [
        { text: `Set the variable for your account. ${quit}, then start it again from the Start menu and run the test:`, command: `setx SSLKEYLOGFILE "${file}"` },
        { text: 'Afterwards remove the variable (start the browser once more so it stops writing) and delete the key file:', command: `reg delete HKCU\\Environment /v SSLKEYLOGFILE /f && del "${file}"` },
      ],
    };
  }
  if (os === 'macos') {
    const file = `~/Desktop/${stem}-keys.log`;
    return {
      os,
      title: 'macOS (Terminal)',
      steps: [
        { text: `${quit}, then start it from Terminal with the variable set, and run the test in that window:`, command: `SSLKEYLOGFILE=${file} ${mac}` },
        { text: `Or set it for every app you open from now on (quit and reopen ${name} after it):`, command: `launchctl setenv SSLKEYLOGFILE ${file}` },
        { text: 'Afterwards unset it, quit the browser, and delete the key file:', command: `launchctl unsetenv SSLKEYLOGFILE; rm ${file}` },
      ],
    };
  }
  const file = `~/${stem}-keys.log`;
  return {
    os,
    title: 'Linux (terminal)',
    steps: [
      { text: `${quit}, then start it with the variable set (the program may be called differently, e.g. chromium, firefox-esr), and run the test in that window:`, command: `SSLKEYLOGFILE=${file} ${linux}` },
      { text: 'Afterwards quit the browser and delete the key file:', command: `rm ${file}` },
    ],
  };
}

/** The key log guide for a run's client and result id. */
export function keyLogGuide(client: Pick<ClientInfo, 'browser' | 'engine' | 'os'>, resultId: string): KeyLogGuide {
  const browser = keyLogBrowserOf(client);
  const browserName = displayName(client, browser);
  const stem = fileStem(resultId);
  const runOs = osOf(client.os);
  const systems: CaptureOs[] = runOs ? [runOs] : ['windows', 'macos', 'linux'];
  const supported = browser !== 'safari';
  return {
    browser,
    browserName,
    supported,
    guides: supported ? systems.map((os) => guideFor(os, browser, browserName, stem)) : [],
    wireshark: [
      { text: 'In Wireshark: Edit › Preferences (on macOS: Wireshark › Preferences) › Protocols › TLS › (Pre)-Master-Secret log filename: choose the key file.' },
      { text: 'With tshark, give it on the command line:', command: `tshark -o tls.keylog_file:${stem}-keys.log -r ${stem}_00001_*.pcapng` },
      {
        text: 'To hand a capture to someone else, put the keys into it (they then decrypt everything that browser sent while the variable was set, sign-ins and cookies included — share it only with someone allowed to read all of it):',
        command: `editcap --inject-secrets tls,${stem}-keys.log ${stem}_00001_*.pcapng ${stem}-with-keys.pcapng`,
      },
    ],
  };
}

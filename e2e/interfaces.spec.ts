/**
 * The deep check (issue 11) in real Chromium against the real stack: the explanation step before the browser asks,
 * the media permission granted by Chromium's fake UI (every interface shown, raw host addresses) or denied (the run
 * still finishes with the default-mode facts and says what it could not see), and default mode (mDNS-masked host
 * candidates; WebRtcHideLocalIpsWithMdns left on). What the media peer saw must agree with the pair the page selected.
 * Also `netready check --deep --json`.
 * Chromium only: the deep check needs Chromium's fake media devices and permission UI (flags), and the default
 * mode asserts Chromium's mDNS masking (WebRtcHideLocalIpsWithMdns).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { exitCodeFor } from '../cli/args';
import { CHROMIUM_ARGS } from '../cli/chromium';
import type { InterfacesData } from '../lib/probes/interfaces';
import { ResultSchema, type Result } from '../lib/schema/result';
import { LAUNCH_OPTIONS } from './support/browser';
import { runCli } from './support/cli';
import { REPO_ROOT } from './support/stack';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
const probeUrl = (): string => process.env.NETREADY_E2E_PROBE_URL ?? '';

/** Screenshots of the explanation step (desktop and phone width), kept for the closing note. */
const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screens');

const IP_LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)$/i;

/** Resolves with the result the page hands to `window.__netreadyReport` (the CLI's hook) when its run finishes. */
async function captureResult(page: Page): Promise<() => Promise<Result>> {
  let report: (value: unknown) => void = () => undefined;
  const reported = new Promise<unknown>((resolve) => (report = resolve));
  await page.exposeFunction('__netreadyReport', (value: unknown) => report(value));
  return async () => ResultSchema.parse(await reported) as Result;
}

/** Media flags of each mode (launch options are per worker in Playwright, so each mode gets its own browser). */
const FAKE_GRANT = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
const DENY = ['--deny-permission-prompts', '--use-fake-device-for-media-stream'];

let browsers: Browser[] = [];

/** A page in a fresh Chromium with the suite's flags plus `extraArgs` (closed after each test). */
async function pageWith(extraArgs: string[]): Promise<Page> {
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, args: [...CHROMIUM_ARGS, ...extraArgs] });
  browsers.push(browser);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

test.afterEach(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  browsers = [];
});

function interfacesOf(result: Result): InterfacesData {
  const outcome = result.probes.interfaces;
  expect(outcome, 'the interfaces probe ran').toBeDefined();
  return outcome!.data as unknown as InterfacesData;
}

/**
 * What the media peer saw of this probe's own connection: the client address of the pair media came from last — the
 * one it connected on, or the last one the browser switched to (Chromium may connect through the relay first).
 */
async function serverSawInterfacesPeer(result: Result): Promise<{ remoteAddress: string; remotePort: number }> {
  const sessionId = result.probes.session!.data.sessionId as string;
  const seen = (await (await fetch(`${probeUrl()}/v1/sessions/${sessionId}/observations`)).json()) as {
    observations: Array<{ source: string; kind: string; data: Record<string, unknown> }>;
  };
  const created = seen.observations.find((o) => o.source === 'peer' && o.kind === 'peer-created' && o.data.label === 'interfaces');
  expect(created, 'the media peer answered the interfaces offer').toBeDefined();
  const path = seen.observations.filter((o) => o.source === 'peer' && (o.kind === 'peer-connected' || o.kind === 'peer-path-switched') && o.data.peerId === created!.data.peerId);
  expect(path[0]?.kind, 'the media peer saw the interfaces connection come up').toBe('peer-connected');
  const last = path.at(-1)!;
  return { remoteAddress: String(last.data.remoteAddress), remotePort: Number(last.data.remotePort) };
}

test.describe('deep check with Chromium\'s fake devices and permission UI', () => {
  test('the explanation step is reachable by keyboard, says why before the browser asks, and closes with Escape', async () => {
    const page = await pageWith(FAKE_GRANT);
    await page.goto(webUrl());
    const toggle = page.getByRole('button', { name: 'Also check every network interface (VPN, Wi-Fi, Ethernet)' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { name: 'Check every network interface' });
    await expect(heading).toBeFocused();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const panel = page.getByRole('region', { name: 'Check every network interface' });
    await expect(panel).toContainText('only after the page was allowed to use the microphone or camera');
    await expect(panel).toContainText('netready records no audio');
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'deep-check-explanation-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'deep-check-explanation-390.png'), fullPage: true });
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(toggle).toBeFocused();
  });

  test('Continue grants the permission, every interface is shown with raw addresses, and the server saw the selected pair', async () => {
    const page = await pageWith(FAKE_GRANT);
    const result = await captureResult(page);
    await page.goto(webUrl());
    await page.getByRole('button', { name: 'Also check every network interface (VPN, Wi-Fi, Ethernet)' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    // After the permission Chromium binds every peer connection to its interfaces' addresses and drops a srflx equal to
    // its host candidate (no NAT between this browser and a probe server on this computer): stun-udp must then take the
    // server's record of the Binding from the host address as the answer, and the run stay ready with no finding.
    await expect(page.getByRole('button', { name: 'Run again' })).toBeVisible({ timeout: 30_000 });
    const run = await result();
    const outcome = run.probes.interfaces!;
    console.log(`interfaces (deep): ${outcome.durationMs} ms ${JSON.stringify(outcome.data)}; verdict ${run.verdict}, findings ${run.findings.map((f) => f.code).join(',')}; quality path ${JSON.stringify(run.probes['media-quality']?.data.path)}`);
    expect(outcome.status, outcome.reason).toBe('pass');
    const data = interfacesOf(run);
    expect(data.mediaAccess).toEqual({ requested: true, state: 'granted' });
    expect(data.enumeration).toBe('all');
    expect(data.dataFlows).toBe(true);
    const selected = data.networks.filter((n) => n.selected);
    expect(selected).toHaveLength(1);
    expect(selected[0]!.hostAddresses.some((a) => IP_LITERAL.test(a))).toBe(true);
    expect(selected[0]!.networkType).not.toBe('unknown');
    expect(data.selected?.local.networkId).toBe(selected[0]!.networkId);
    // No NAT between this browser and 127.0.0.1: the TURN server saw the host address itself, and Chromium shows no
    // srflx equal to its host candidate; the probe records that instead of "no STUN answer".
    expect(selected[0]!.stun).toEqual({ egressIsHost: true });
    // The media peer saw this connection come from the address and port the page's selected local candidate has.
    // ICE may nominate a relayed pair first and switch to the direct one; the media peer records the switch
    // (peer-path-switched) when it sees it, which can come just after the page read its selected pair.
    await expect.poll(() => serverSawInterfacesPeer(run), { timeout: 5000 }).toEqual({ remoteAddress: data.selected!.local.address, remotePort: data.selected!.local.port });
    // The call-quality path carries the network of its local candidate too (the same candidate-line parser).
    // (Chromium 156 writes network-id and no network-cost once the interfaces are shown.)
    const qualityPath = run.probes['media-quality']!.data.path as { local?: { networkId?: number; networkCost?: number } };
    expect(qualityPath.local?.networkId).toBe(selected[0]!.networkId);
    // The technical details show the networks as a table, without a "could not see" note.
    await page.getByText('Technical details').click();
    const table = page.getByRole('region', { name: 'Networks the browser showed' });
    await expect(table.getByRole('row')).toHaveCount(data.networks.length + 1);
    await expect(table.getByRole('row', { name: /Selected by ICE/ })).toHaveCount(1);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await table.screenshot({ path: path.join(SCREENSHOT_DIR, 'interfaces-table-1280.png') });
    await expect(page.getByTestId('interfaces-visibility')).toHaveCount(0);
  });
});

test.describe('deep check with the permission denied', () => {
  test('the run still finishes with the default-mode facts, records the denial and says what could not be seen', async () => {
    const page = await pageWith(DENY);
    const result = await captureResult(page);
    await page.goto(webUrl());
    await page.getByRole('button', { name: 'Also check every network interface (VPN, Wi-Fi, Ethernet)' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
    const run = await result();
    const data = interfacesOf(run);
    console.log(`interfaces (denied): ${run.probes.interfaces!.durationMs} ms ${JSON.stringify(data)}`);
    expect(data.mediaAccess.state).toBe('denied');
    expect(data.mediaAccess.error).toMatch(/^NotAllowedError/);
    expect(data.enumeration).toBe('masked');
    expect(run.probes.interfaces!.status).toBe('pass');
    expect(run.probes['turn-udp']!.status).toBe('pass');
    await page.getByText('Technical details').click();
    await expect(page.getByTestId('interfaces-visibility')).toContainText('Media permission was denied (NotAllowedError');
    await expect(page.getByTestId('interfaces-visibility')).toContainText('other interfaces (VPN, Wi-Fi, Ethernet) and their types could not be seen');
  });
});

test.describe('default mode', () => {
  test('the browser shows its default route only, behind an mDNS name, and the probe says so', async ({ page }) => {
    const result = await captureResult(page);
    await page.goto(`${webUrl()}/?autostart=1`);
    await expect(page.getByRole('heading', { name: 'Ready for calls' })).toBeVisible();
    const run = await result();
    const outcome = run.probes.interfaces!;
    const data = interfacesOf(run);
    console.log(`interfaces (default): ${outcome.durationMs} ms ${JSON.stringify(data)}`);
    expect(outcome.status, outcome.reason).toBe('pass');
    expect(data.mediaAccess).toEqual({ requested: false, state: 'not-requested' });
    expect(data.enumeration).toBe('masked');
    expect(data.networks.flatMap((n) => n.hostAddresses).every((a) => a.endsWith('.local'))).toBe(true);
    // ICE may nominate a relayed pair first and switch to the direct one; the media peer records the switch
    // (peer-path-switched) when it sees it, which can come just after the page read its selected pair.
    await expect.poll(() => serverSawInterfacesPeer(run), { timeout: 5000 }).toEqual({ remoteAddress: data.selected!.local.address, remotePort: data.selected!.local.port });
    // Masked lines carry network-cost 999 and no network-id; the call-quality path records the cost.
    expect((run.probes['media-quality']!.data.path as { local?: { networkCost?: number } }).local?.networkCost).toBe(999);
  });
});

test('netready check --deep --json runs the deep check with fake devices, --deny-media with the permission denied', async () => {
  const deep = await runCli(['check', '--url', webUrl(), '--json', '--deep']);
  const deepResult = ResultSchema.parse(JSON.parse(deep.stdout)) as Result;
  expect(deepResult.verdict).toBe('ready');
  expect(deep.code, deep.stderr).toBe(exitCodeFor(deepResult.verdict));
  const granted = interfacesOf(deepResult);
  expect(granted.mediaAccess.state).toBe('granted');
  expect(granted.enumeration).toBe('all');
  const denied = await runCli(['check', '--url', webUrl(), '--json', '--deny-media']);
  expect(denied.code, denied.stderr).toBe(0);
  const refused = interfacesOf(ResultSchema.parse(JSON.parse(denied.stdout)) as Result);
  expect(refused.mediaAccess.state).toBe('denied');
  expect(refused.enumeration).toBe('masked');
});

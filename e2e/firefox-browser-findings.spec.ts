/**
 * Issue 18's "done when" in a real Firefox ESR (the firefox project only; playwright.config.ts): a person's Firefox
 * whose WebRTC is switched off (`media.peerconnection.enabled=false`, as enterprise policies and privacy extensions set
 * it) gets `webrtc-unavailable`, and Firefox as it ships (no loopback gathering) against netready on 127.0.0.1 — what
 * `npm start` gives — gets `probe-on-loopback`: in both, the verdict is inconclusive and no finding blames the network.
 * Each test launches its own Firefox on a profile that trusts the stack's dev CA, with the preference under test.
 */
import { ResultSchema, type Result } from '../lib/schema/result';
import { expect, test, withFirefox } from './support/fixtures';

/** Runs netready in a Firefox with `prefs`, shares the result and returns what the server stored. */
async function runInFirefox(stack: { webUrl: string; dataDir: string }, prefs: Record<string, boolean>): Promise<Result> {
  return withFirefox(stack, prefs, async (context) => {
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}/?autostart=1`);
    await expect(page.getByRole('heading', { name: 'Could not complete the test' })).toBeVisible({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Share link' }).click();
    const link = page.getByLabel('Share link');
    await expect(link).toHaveValue(/\/r\/[A-Za-z0-9_-]+$/);
    const id = (await link.inputValue()).split('/r/')[1]!;
    return ResultSchema.parse(await (await fetch(`${stack.webUrl}/api/results/${id}`)).json());
  });
}

const network = (result: Result): string[] => result.findings.filter((f) => (f.category ?? 'network') === 'network').map((f) => f.code);

test('Firefox with WebRTC switched off: webrtc-unavailable, inconclusive, no network finding', async ({ e2eStack }) => {
  const result = await runInFirefox(e2eStack, { 'media.peerconnection.enabled': false });
  expect(result.client).toMatchObject({ engine: 'gecko', webrtc: { peerConnection: false } });
  expect(result.verdict).toBe('inconclusive');
  expect(result.findings.find((f) => f.code === 'webrtc-unavailable')).toMatchObject({ severity: 'blocker', category: 'browser' });
  expect(network(result)).toEqual([]);
});

test('Firefox as it ships against netready on this machine (127.0.0.1, localhost; npm start): probe-on-loopback, inconclusive, no network finding', async ({ e2eStack }) => {
  const result = await runInFirefox(e2eStack, { 'media.peerconnection.ice.loopback': false });
  expect(result.verdict).toBe('inconclusive');
  expect(result.findings.find((f) => f.code === 'probe-on-loopback')).toMatchObject({ category: 'deployment' });
  expect(network(result)).toEqual([]);
});

/**
 * The "Check your PAC file" panel (issue 20) on the share page: a stored run of a proxied network, a PAC pasted in,
 * evaluated by the real server (QuickJS in its worker), the table with the contradictions (accessible: axe), nothing
 * stored — then attached by the submitter with the delete token and shown to whoever opens the link.
 * Chromium only: the panel is plain HTML and fetch, and the evaluation is the server's (unit-tested in server/pac/).
 */
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { PROXIED_RUN } from '../lib/pac/testing/proxied-run';
import { storedResultCount } from './support/stack';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
const SCREENSHOT = path.resolve(import.meta.dirname, '..', 'test-results', 'screenshots', 'pac-check.png');

const PAC = `function FindProxyForURL(url, host) {
  if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  if (dnsDomainIs(host, ".netready.example")) return "DIRECT";
  return "PROXY proxy.corp.example:3128; DIRECT";
}`;

test('the share page checks a pasted PAC file against the run, flags the contradictions and stores nothing until the submitter attaches it', async ({ page }) => {
  const posted = await fetch(`${webUrl()}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PROXIED_RUN) });
  expect(posted.status).toBe(201);
  const { id, deleteToken } = (await posted.json()) as { id: string; deleteToken: string };
  const stored = storedResultCount(process.env.NETREADY_E2E_DATA_DIR ?? '');
  await page.goto(`${webUrl()}/r/${id}`);
  const panel = page.getByRole('region', { name: 'Check your PAC file' });
  await panel.getByLabel('PAC file contents').fill(PAC);
  await panel.getByRole('button', { name: 'Check PAC file' }).click();
  await expect(panel.getByRole('status')).toHaveText('5 contradictions between the PAC file and what this test saw (marked below).');
  const turn = panel.getByRole('row').filter({ hasText: 'TURN over UDP, TURN over TCP' });
  await expect(turn).toContainText('DIRECT');
  await expect(panel.getByRole('row').filter({ hasText: 'Contradiction: The PAC file sends turn.netready.example:3478 DIRECT' })).toContainText('in this run it went through a proxy');
  await expect(panel.getByRole('row').filter({ hasText: 'vendor host' })).toContainText('PROXY proxy.corp.example:3128; DIRECT');
  await expect(panel.getByText(/asks DNS about .*never resolves names/)).toBeVisible();
  expect(storedResultCount(process.env.NETREADY_E2E_DATA_DIR ?? '')).toBe(stored);
  const { violations } = await new AxeBuilder({ page }).include('section[aria-labelledby="pac-check-heading"]').analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await panel.screenshot({ path: SCREENSHOT });

  // The submitter attaches it with the delete token; whoever opens the link then sees it.
  const attached = page.getByRole('region', { name: 'PAC file attached by the person who shared this' });
  await attached.getByText('Attach a PAC check').click();
  await attached.getByLabel('PAC file contents to attach').fill(PAC);
  await attached.getByLabel('Delete token').fill(deleteToken);
  await attached.getByRole('button', { name: 'Attach to this result' }).click();
  await expect(attached.getByRole('status')).toHaveText('Attached: everyone with this link now sees this PAC check.');
  await page.reload();
  await expect(attached).toContainText('5 contradictions (marked below).');
  await expect(attached.getByRole('row').filter({ hasText: 'Contradiction: The PAC file sends turn.netready.example:3478 DIRECT' })).toBeVisible();
  expect(storedResultCount(process.env.NETREADY_E2E_DATA_DIR ?? '')).toBe(stored);
  await attached.screenshot({ path: SCREENSHOT.replace('.png', '-attached.png') });
});

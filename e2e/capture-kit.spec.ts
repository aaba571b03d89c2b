/**
 * The troubleshooter's kit (issue 20) on the share page, in Chromium against the shared stack: a real result's capture
 * filter and copy button, nothing wider than a 390 px phone once the kit is open (long lines scroll inside their box),
 * and /wireshark-profile.zip served by the built web app — a route folder with a dot in its name — as a zip, narrowed to
 * the result with ?result=. The filters themselves are compiled by real Wireshark tools in lib/capture-kit's unit tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
const REAL_DNS_RUN = readFileSync(path.resolve(import.meta.dirname, '..', 'testdata', 'results', 'chromium-156-loopback-dns.json'), 'utf8');

test('the share page offers the capture kit and the Wireshark profile, and fits a 390 px phone', async ({ page, browserName }) => {
  const posted = await fetch(`${webUrl()}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: REAL_DNS_RUN });
  expect(posted.status).toBe(201);
  const { id } = (await posted.json()) as { id: string };

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${webUrl()}/r/${id}`);
  const kit = page.getByTestId('capture-kit');
  await kit.locator('summary').click();
  await expect(kit.getByLabel('Capture filter', { exact: true })).toHaveText('host 127.0.0.1 or port 53');
  await expect(kit.getByText('dns.qry.name contains "probe.netready.test"').first()).toBeVisible();
  // Nothing makes the page itself scroll sideways: the long command lines scroll inside their own boxes.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await kit.screenshot({ path: `test-results/e2e/capture-kit-390-${browserName}.png` });

  const link = kit.getByRole('link', { name: 'Download the Wireshark profile' });
  // On the share page the profile's "this netready session" button is narrowed to this result.
  expect(await link.getAttribute('href')).toBe(`/wireshark-profile.zip?result=${id}`);
  for (const query of ['', `?result=${id}`]) {
    const zip = await fetch(`${webUrl()}/wireshark-profile.zip${query}`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toMatch(/^attachment; filename="netready-wireshark-profile/);
    const bytes = new Uint8Array(await zip.arrayBuffer());
    // A zip's local file header, and the profile's folder as the first entry's path.
    expect([...bytes.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(Buffer.from(bytes.slice(30, 30 + 'netready/'.length)).toString()).toBe('netready/');
  }
  const unknown = await fetch(`${webUrl()}/wireshark-profile.zip?result=AAAAAAAAAAAAAAAAAAAAAA`);
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
});

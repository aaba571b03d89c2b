/**
 * Hostile payloads (issue 13): a stored result whose every free-text field is HTML, script or a `javascript:` URL —
 * and a note that is — is rendered inert on the share page (no dialog, no element, no link that runs script);
 * payloads the API must refuse (10 MB, deep nesting, another schemaVersion, a note with control characters) are
 * refused with a 4xx code and store nothing. Chromium against the shared stack (SQLite), whose support view is off:
 * the same payloads through the support view and its CSV export are in support.spec.ts, whose stack has a credential.
 */
import { expect, test } from '@playwright/test';
import { sampleResult } from '../lib/api/testing/sample-result';
import { hostile, PAYLOADS, pwned, recordDialogs } from './support/hostile';
import { storedResultCount } from './support/stack';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';

test('a result that is all HTML, script and javascript: URLs is shown as text on the share page', async ({ page }) => {
  const dialogs = recordDialogs(page);
  const body = { result: hostile(sampleResult), note: `${PAYLOADS[0]} ${PAYLOADS[2]}` };
  const posted = await fetch(`${webUrl()}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(posted.status).toBe(201);
  const { id } = (await posted.json()) as { id: string };
  await page.goto(`${webUrl()}/r/${id}`);
  await expect(page.getByTestId('submitter-note')).toContainText('<img src=x onerror=');
  // Open every disclosure: the evidence and raw values render too.
  for (const summary of await page.locator('summary').all()) await summary.click();
  await expect(page.getByText('<script>window.__pwned=1</script>', { exact: false }).first()).toBeVisible();
  expect(await pwned(page)).toEqual({ ran: false, elements: 0, handlers: 0, scriptLinks: 0 });
  expect(dialogs).toEqual([]);
});

test.describe('payloads the results API refuses, storing nothing', () => {
  const post = (body: string) => fetch(`${webUrl()}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const count = (): number => storedResultCount(process.env.NETREADY_E2E_DATA_DIR ?? '');

  const cases: Array<[string, () => string, number, string]> = [
    ['a 10 MB body', () => JSON.stringify({ ...sampleResult, config: { name: 'x'.repeat(10 * 1024 * 1024) } }), 413, 'payload_too_large'],
    ['JSON nested 10,000 deep', () => `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 400, 'json_too_deep'],
    ['another schemaVersion', () => JSON.stringify({ ...sampleResult, schemaVersion: 2 }), 422, 'invalid_result'],
    ['a note with control characters', () => JSON.stringify({ result: sampleResult, note: 'ticket\u0000\u001b[31m' }), 400, 'invalid_request'],
    ['a note of 600 characters', () => JSON.stringify({ result: sampleResult, note: 'n'.repeat(600) }), 400, 'invalid_request'],
  ];
  for (const [name, body, status, code] of cases) test(`refuses ${name} with ${status} ${code}`, async () => {
    const before = count();
    const response = await post(body());
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(count()).toBe(before);
  });
});

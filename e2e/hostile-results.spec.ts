/**
 * Hostile payloads (issue 13): a stored result whose every free-text field is HTML, script or a `javascript:` URL —
 * and a note that is — is rendered inert on the share page and in the support view (no dialog, no element, no
 * link that runs script); payloads the API must refuse (10 MB, deep nesting, another schemaVersion, a note with
 * control characters) are refused with a 4xx code and store nothing. Chromium against the shared stack (SQLite).
 */
import { expect, test, type Page } from '@playwright/test';
import { sampleResult } from '../lib/api/testing/sample-result';
import { ResultSchema, type Result } from '../lib/schema/result';
import { storedResultCount } from './support/stack';

const webUrl = (): string => process.env.NETREADY_E2E_WEB_URL ?? '';
const PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=1</script>', 'javascript:window.__pwned=1'];

/** The result with every string the schema lets be free text replaced by a payload (enums and times stay valid). */
function hostile(result: Result): Result {
  let copy = structuredClone(result) as unknown as Record<string, unknown>;
  let n = 0;
  const paths: Array<Array<string | number>> = [];
  const collect = (value: unknown, path: Array<string | number>): void => {
    if (typeof value === 'string') paths.push(path);
    else if (Array.isArray(value)) value.forEach((item, i) => collect(item, [...path, i]));
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) collect(inner, [...path, key]);
  };
  collect(copy, []);
  for (const path of paths) {
    const next = structuredClone(copy);
    let target = next as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path.at(-1)!] = `${PAYLOADS[n % PAYLOADS.length]} ${String(target[path.at(-1)!])}`;
    if (ResultSchema.safeParse(next).success) {
      copy = next;
      n++;
    }
  }
  expect(n).toBeGreaterThan(20);
  return ResultSchema.parse(copy);
}

/** Fails on any dialog; returns whether a payload ran. */
async function pwned(page: Page): Promise<{ ran: boolean; elements: number; scriptLinks: number }> {
  return page.evaluate(() => ({
    ran: (window as unknown as { __pwned?: number }).__pwned === 1,
    elements: document.querySelectorAll('img[src="x"], [onerror]').length,
    scriptLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
  }));
}

test('a result that is all HTML, script and javascript: URLs is shown as text on the share page', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const body = { result: hostile(sampleResult), note: `${PAYLOADS[0]} ${PAYLOADS[2]}` };
  const posted = await fetch(`${webUrl()}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(posted.status).toBe(201);
  const { id } = (await posted.json()) as { id: string };
  await page.goto(`${webUrl()}/r/${id}`);
  await expect(page.getByTestId('submitter-note')).toContainText('<img src=x onerror=');
  // Open every disclosure: the evidence and raw values render too.
  for (const summary of await page.locator('summary').all()) await summary.click();
  await expect(page.getByText('<script>window.__pwned=1</script>', { exact: false }).first()).toBeVisible();
  expect(await pwned(page)).toEqual({ ran: false, elements: 0, scriptLinks: 0 });
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

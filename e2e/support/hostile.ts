/**
 * Hostile payloads for the specs that prove stored results render inert (issue 13): HTML that would run script, a
 * script element, and a `javascript:` URL — each sets `window.__pwned` if it ever runs — and a result whose every free
 * text field holds one of them. Used by hostile-results.spec.ts (share page) and support.spec.ts (support view, CSV).
 */
import { expect, type Page } from '@playwright/test';
import { ResultSchema, type Result } from '../../lib/schema/result';

/** The payloads: each sets `window.__pwned = 1` if interpreted as HTML, script or a followed link. */
export const PAYLOADS = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=1</script>', 'javascript:window.__pwned=1'] as const;

/** The result with every string the schema lets be free text replaced by a payload (enums and times stay valid). */
export function hostile(result: Result): Result {
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

/**
 * What of a payload took effect on the page: whether one ran (`window.__pwned`), how many elements carry an event
 * handler attribute (`on…`, any element) or are the payload's image, and how many links lead to `javascript:`.
 */
export async function pwned(page: Page): Promise<{ ran: boolean; elements: number; handlers: number; scriptLinks: number }> {
  return page.evaluate(() => ({
    ran: (window as unknown as { __pwned?: number }).__pwned === 1,
    elements: document.querySelectorAll('img[src="x"], [onerror]').length,
    handlers: [...document.querySelectorAll('*')].filter((element) => [...element.attributes].some((attribute) => /^on/i.test(attribute.name))).length,
    scriptLinks: [...document.querySelectorAll('a[href], area[href], [action], [formaction]')].filter((element) =>
      ['href', 'action', 'formaction'].some((name) => /^\s*javascript:/i.test(element.getAttribute(name) ?? '')),
    ).length,
  }));
}

/** Records every dialog a page opens (and dismisses it), so a test can assert none came. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

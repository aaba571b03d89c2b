// The embed loader's size budget (issue 14): public/embed.js, the script every host page loads before its join screen
// works, must stay within 5 KB gzipped. scripts/build-embed.mjs fails the build past it; `npm run bench` reports the
// same figure (`embedLoader.gzipBytes`, bench/first-load-js.ts), measured the same way (gzip level 9).
import { gzipSync } from 'node:zlib';

/** The loader's budget: 5 KB gzipped, in bytes. */
export const EMBED_LOADER_BUDGET_GZIP_BYTES = 5120;

/**
 * Measures `contents` gzipped (level 9) against `budgetBytes`: the size, and when it is over the budget the sentence
 * the build fails with, naming the file, its gzipped size and the budget. At the budget exactly is within it.
 * @param {string} file  the file as a person finds it, e.g. `public/embed.js`
 * @param {Uint8Array} contents
 * @param {number} [budgetBytes]  default EMBED_LOADER_BUDGET_GZIP_BYTES
 * @returns {{ gzipBytes: number, problem: string | null }}
 */
export function checkGzipBudget(file, contents, budgetBytes = EMBED_LOADER_BUDGET_GZIP_BYTES) {
  const gzipBytes = gzipSync(contents, { level: 9 }).length;
  if (gzipBytes <= budgetBytes) return { gzipBytes, problem: null };
  const bytes = (n) => `${n.toLocaleString('en-US')} B`;
  return {
    gzipBytes,
    problem:
      `${file} is ${bytes(gzipBytes)} gzipped, over its budget of ${bytes(budgetBytes)} gzipped by ${bytes(gzipBytes - budgetBytes)}: ` +
      'every host page loads it before its join screen works. Make sdk/embed.ts (and what it imports) smaller.',
  };
}

// The embed loader's 5 KB gzipped budget, which fails `npm run build` past it (scripts/embed-budget.mjs, issue 14).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkGzipBudget, EMBED_LOADER_BUDGET_GZIP_BYTES } from './embed-budget.mjs';

/** `length` bytes gzip cannot shrink (a SHA-256 chain), the same every run. */
function incompressible(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let block = createHash('sha256').update('netready').digest();
  for (let offset = 0; offset < length; offset += block.length) {
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

describe('checkGzipBudget', () => {
  it('is 5,120 bytes for the loader', () => {
    expect(EMBED_LOADER_BUDGET_GZIP_BYTES).toBe(5120);
  });

  it('passes a loader within 5 KB gzipped, with its size as gzip level 9 measures it (as npm run bench does)', () => {
    const loader = new TextEncoder().encode(`window.netready = { check() { return ${JSON.stringify('x'.repeat(20_000))}; } };`);
    const { gzipBytes, problem } = checkGzipBudget('public/embed.js', loader);
    expect(problem).toBeNull();
    expect(gzipBytes).toBe(gzipSync(loader, { level: 9 }).length);
    // 20 KB raw: the budget is on the gzipped size.
    expect(loader.length).toBeGreaterThan(EMBED_LOADER_BUDGET_GZIP_BYTES);
  });

  it('fails a loader over 5 KB gzipped, naming the file, its gzipped size and the 5,120-byte budget', () => {
    const { gzipBytes, problem } = checkGzipBudget('public/embed.js', incompressible(6000));
    expect(gzipBytes).toBeGreaterThan(EMBED_LOADER_BUDGET_GZIP_BYTES);
    expect(problem).toContain('public/embed.js');
    expect(problem).toContain(`${gzipBytes.toLocaleString('en-US')} B gzipped`);
    expect(problem).toContain('budget of 5,120 B gzipped');
    expect(problem).toContain(`by ${(gzipBytes - 5120).toLocaleString('en-US')} B`);
  });

  it('passes at the budget exactly and fails one byte over it', () => {
    const contents = incompressible(3000);
    const size = gzipSync(contents, { level: 9 }).length;
    expect(checkGzipBudget('public/embed.js', contents, size).problem).toBeNull();
    expect(checkGzipBudget('public/embed.js', contents, size - 1).problem).toMatch(/over its budget of [\d,]+ B gzipped by 1 B/);
  });
});

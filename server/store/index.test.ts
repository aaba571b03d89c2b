import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getResultStore } from './index';

describe('getResultStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netready-store-index-'));
  afterAll(() => {
    getResultStore({ dataDir: path.join(dir, 'last') }).close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out one store per process for the same data folder', () => {
    const config = { dataDir: path.join(dir, 'a') };
    expect(getResultStore(config)).toBe(getResultStore({ ...config }));
  });

  it('replaces the handle when the data folder changes', () => {
    const a = getResultStore({ dataDir: path.join(dir, 'a') });
    const b = getResultStore({ dataDir: path.join(dir, 'b') });
    expect(b).not.toBe(a);
  });
});

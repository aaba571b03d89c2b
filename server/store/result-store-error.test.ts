import { describe, expect, it, vi } from 'vitest';

describe('ResultStoreError', () => {
  it('is recognised by another copy of its module (Next.js bundles the start-up code and each route separately)', async () => {
    const first = await import('./result-store');
    vi.resetModules();
    const second = await import('./result-store');
    expect(second.ResultStoreError).not.toBe(first.ResultStoreError);
    const thrown = new first.ResultStoreError('open_failed', 'cannot open');
    expect(thrown instanceof second.ResultStoreError).toBe(true);
    expect(thrown instanceof Error).toBe(true);
    expect(new Error('other') instanceof second.ResultStoreError).toBe(false);
    expect({ code: 'open_failed' } instanceof second.ResultStoreError).toBe(false);
  });
});

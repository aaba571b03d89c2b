import { describe, expect, it } from 'vitest';
import { measureSupportQueries } from './support';

describe('the support view bench', () => {
  it('seeds the results on both engines and times every query on what the view would show', async () => {
    const report = await measureSupportQueries({ rows: 2000, runs: 2 });
    for (const figures of [report.sqlite, report.postgres]) {
      if ('notMeasured' in figures) throw new Error(`PostgreSQL not measured: ${figures.notMeasured}`);
      expect(figures).toMatchObject({ rows: 2000, runs: 2 });
      // 2,000 results 20 s apart end now: all within retention, all inside the seven-day filter.
      expect(figures.firstPage.matched).toBe(2000);
      expect(figures.findingCounts.matched).toBe(2); // udp-blocked, relay-only
      expect(figures.filteredPage.matched).toBe(500); // every fourth result is degraded, with relay-only
      expect(figures.csvExport.matched).toBe(500);
      expect(figures.csvExport.bytes).toBeGreaterThan(500 * 40);
      expect(figures.filter).toMatch(/^code=relay-only&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
      for (const figure of [figures.firstPage, figures.filteredPage, figures.findingCounts, figures.csvExport]) {
        expect(figure.medianMs).toBeGreaterThan(0);
        expect(figure.maxMs).toBeGreaterThanOrEqual(figure.medianMs);
      }
    }
  }, 60_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readLabWorst } from './lab-worst';

describe('readLabWorst', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netready-lab-worst-'));
  const file = path.join(dir, 'report.json');
  afterEach(() => rmSync(file, { force: true }));

  it('lists a row slow by design apart, with its reason, instead of counting it as the worst', () => {
    writeFileSync(
      file,
      JSON.stringify({
        generatedAt: '2026-12-05T09:00:00.000Z',
        scenarios: [
          { scenario: 'open', observed: { runDurationMs: 2800 } },
          { scenario: 'satellite-1s', observed: { runDurationMs: 10015 }, slowByDesign: 'a 1 s round trip' },
          { scenario: 'open+firefox', observed: { runDurationMs: 2650 } },
        ],
      }),
    );
    expect(readLabWorst(file)).toEqual({
      worstDurationMs: 2800,
      row: 'open',
      rows: 2,
      openByBrowser: { chromium: 2800, firefox: 2650 },
      generatedAt: '2026-12-05T09:00:00.000Z',
      report: file,
      slowByDesign: [{ row: 'satellite-1s', durationMs: 10015, why: 'a 1 s round trip' }],
    });
  });

  it('names the slowest row of the last lab report and its start→verdict', () => {
    writeFileSync(
      file,
      JSON.stringify({
        generatedAt: '2026-12-05T09:00:00.000Z',
        scenarios: [
          { scenario: 'open', observed: { durationMs: 4700, runDurationMs: 2800 } },
          { scenario: 'lossy-latent', observed: { durationMs: 12713, runDurationMs: 9612 } },
          { scenario: 'no-result', observed: {} },
        ],
      }),
    );
    expect(readLabWorst(file)).toEqual({ worstDurationMs: 9612, row: 'lossy-latent', rows: 2, generatedAt: '2026-12-05T09:00:00.000Z', report: file, openByBrowser: { chromium: 2800 } });
  });

  it('is null with a reason when there is no lab report', () => {
    expect(readLabWorst(path.join(dir, 'missing.json'))).toMatchObject({ worstDurationMs: null, reason: expect.stringContaining('npm run test:lab') });
  });

  it('is null with a reason when the report is not JSON or has no timed row', () => {
    writeFileSync(file, '{ not json');
    expect(readLabWorst(file)).toMatchObject({ worstDurationMs: null, reason: expect.stringContaining('not JSON') });
    writeFileSync(file, JSON.stringify({ scenarios: [{ scenario: 'open', observed: { durationMs: 4700 } }] }));
    expect(readLabWorst(file)).toMatchObject({ worstDurationMs: null, reason: expect.stringContaining('durationMs') });
  });
});

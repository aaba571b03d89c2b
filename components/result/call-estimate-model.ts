/**
 * The rows of "what this network can carry" (call-estimate.tsx) from the media-quality outcome alone: each
 * activity's verdict as a word and a symbol (never colour alone), why it is not "can", audio's E-model rating, and
 * the throughput each way with what it means (a capacity, a lower bound, or not measured). Pure.
 */
import { formatKbps, type CallVerdict } from '../../lib/diagnosis/call-estimate';
import { qualityFactsFromOutcome, type ThroughputFacts } from '../../lib/diagnosis/facts-quality';
import { THRESHOLDS, type Thresholds } from '../../lib/diagnosis/thresholds';
import type { ProbeOutcome } from '../../lib/schema/result';

/** How a verdict reads. */
export const VERDICT_TEXT: Record<CallVerdict, { word: string; symbol: string }> = {
  can: { word: 'Works', symbol: '✓' },
  marginal: { word: 'Marginal', symbol: '~' },
  cannot: { word: 'Will not work', symbol: '✗' },
};

/** One row of the table. */
export interface CallEstimateTableRow {
  activity: string;
  label: string;
  verdict: CallVerdict;
  word: string;
  symbol: string;
  /** Why, in words ('' for "can" without notes). */
  detail: string;
}

/** The table. */
export interface CallEstimateTable {
  rows: CallEstimateTableRow[];
  /** Throughput each way in words. */
  throughput: string;
  /** Set when netready's own server limited the throughput figures. */
  serverNote?: string;
}

function throughputWords(name: string, d: ThroughputFacts): string {
  if (d.kbps === undefined || d.limitedBy === 'server' || d.limitedBy === 'unmeasured') return `${name}: not measured`;
  if (d.limitedBy === 'path') return `${name}: ${formatKbps(d.kbps)} (the path's limit)`;
  return `${name}: at least ${formatKbps(d.kbps)}`;
}

/** The table, or null when the outcome did not measure the streams. */
export function buildCallEstimateTable(outcome: ProbeOutcome | undefined, thresholds: Thresholds = THRESHOLDS): CallEstimateTable | null {
  const facts = qualityFactsFromOutcome(outcome, thresholds);
  if (!facts) return null;
  const rows = facts.estimate.map((row): CallEstimateTableRow => {
    const notes = [...row.reasons];
    if (row.speech) {
      const worst = row.speech.up.r <= row.speech.down.r ? row.speech.up : row.speech.down;
      notes.unshift(`speech rated R ${worst.r}, MOS ${worst.mos} (ITU-T G.107 E-model, the weaker direction)`);
    }
    return { activity: row.activity, label: row.label, verdict: row.verdict, ...VERDICT_TEXT[row.verdict], detail: notes.join('; ') };
  });
  const table: CallEstimateTable = {
    rows,
    throughput: `${throughputWords('Towards the server', facts.throughput.up)} · ${throughputWords('from the server', facts.throughput.down)}`,
  };
  if (facts.serverLimited) table.serverNote = `netready's test server was the limit while measuring throughput (${facts.serverReasons.join('; ')}), so throughput is not judged.`;
  return table;
}

/**
 * Plain-text summary of a result for the terminal.
 */
import type { Result } from '../lib/schema/result';

const VERDICT_WORDS: Record<Result['verdict'], string> = {
  ready: 'READY — calls will connect directly over UDP',
  degraded: 'DEGRADED — calls will work, but only through a fallback',
  blocked: 'BLOCKED — calls will not connect',
  inconclusive: 'INCONCLUSIVE — the test could not complete',
};

/** Formats the result as a human summary (verdict, findings with remediation, probe table). */
export function formatSummary(result: Result, shareUrl?: string): string {
  const lines: string[] = [];
  lines.push(`netready: ${VERDICT_WORDS[result.verdict]}  (${result.durationMs} ms)`);
  if (result.findings.length === 0) lines.push('', 'No problems found.');
  for (const finding of result.findings) {
    lines.push('', `[${finding.severity}] ${finding.title}  (${finding.code})`, `  ${finding.detail}`, `  What to change: ${finding.remediation}`);
  }
  lines.push('', 'Probes:');
  for (const [id, probe] of Object.entries(result.probes)) {
    lines.push(`  ${id.padEnd(10)} ${probe.status.padEnd(12)} ${String(probe.durationMs).padStart(6)} ms${probe.reason ? `  ${probe.reason}` : ''}`);
  }
  if (shareUrl) lines.push('', `Share: ${shareUrl}`);
  return lines.join('\n');
}

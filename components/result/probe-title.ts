/**
 * Probe titles for showing a Result. Apart from ./labels.ts because the known titles come from the default probe
 * plan, which builds every probe: only code that is loaded with a run (or on the server) may import this, so the
 * landing page's first load stays free of the probes (issue 16).
 */
import { DEFAULT_PROBE_TITLES } from '../../lib/probes/plan';

/** Returns a human title for a probe id: the run's own title if given, a known one, else the id itself. */
export function probeTitle(id: string, titles?: Readonly<Record<string, string>>): string {
  return titles?.[id] ?? DEFAULT_PROBE_TITLES[id] ?? id;
}

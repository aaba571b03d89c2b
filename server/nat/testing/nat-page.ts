/** The in-page nat runner (lib/probes/testing/nat-page-entry.ts), bundled for a browser. */
import { pageEntryScript } from '../../testing/page-bundle';

/** The bundled script text. */
export function natPageScript(): string {
  return pageEntryScript('nat-page-entry');
}

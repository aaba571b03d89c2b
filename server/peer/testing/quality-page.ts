/** The in-page media-quality runner (lib/probes/testing/quality-page-entry.ts), bundled for a browser. */
import { pageEntryScript } from '../../testing/page-bundle';

/** The bundled script text. */
export function qualityPageScript(): string {
  return pageEntryScript('quality-page-entry');
}

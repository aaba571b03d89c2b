/**
 * Everything the embedded check needs once a run starts, as one client chunk (like components/runner/run-chunk.ts for
 * `/`): the engine and probes, the media permission request of the deep plan, creating the share link, and the
 * result message for the host. The first load of `/embed` carries only the idle check.
 */
import { resultMessage } from '../../lib/embed/check-side';
import type { Result } from '../../lib/schema/result';
import { createShareLink, ShareError } from '../runner/share-link';

export { resultMessage };
export { browserMediaHost, requestMediaAccess } from '../runner/media-access';
export { startRun } from '../runner/start-run';

/** Stores the result for the host's support flow: its share link, or the API's error code and words. Never throws. */
export async function shareForHost(result: Result): Promise<{ url: string } | { code: string; message: string }> {
  try {
    return { url: (await createShareLink(result)).url };
  } catch (error) {
    return error instanceof ShareError ? { code: error.code, message: error.message } : { code: 'internal_error', message: String(error) };
  }
}

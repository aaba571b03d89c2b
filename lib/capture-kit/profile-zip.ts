/**
 * The Wireshark profile as a zip (fflate) and as the HTTP answer of `GET /wireshark-profile.zip`: one top-level folder
 * named after the profile, which is what Wireshark's "Import › from zip file" expects.
 */
import { strToU8, zipSync } from 'fflate';
import { ApiError } from '../api/api-error';
import type { Config } from '../config/schema';
import type { Result } from '../schema/result';
import { readRunServers } from './run-servers';
import { PROFILE_NAME, profileFiles, scopeForResult, scopeFromConfig } from './wireshark-profile';

/** A fixed date for every entry, so the same profile always gives the same bytes. */
const ENTRY_DATE = new Date('2026-01-01T00:00:00Z');

/** Zips the profile's files under `<profile name>/`. */
export function zipProfile(files: Readonly<Record<string, string>>): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const name of Object.keys(files).sort()) entries[`${PROFILE_NAME}/${name}`] = [strToU8(files[name]!), { mtime: ENTRY_DATE }];
  return zipSync(entries, { level: 9 });
}

/** The download: `application/zip`, saved as `netready-wireshark-profile.zip` (with the share id when narrowed). */
export function profileZipResponse(files: Readonly<Record<string, string>>, shareId?: string): Response {
  const body = zipProfile(files);
  const name = shareId ? `netready-wireshark-profile-${shareId}.zip` : 'netready-wireshark-profile.zip';
  return new Response(body as BodyInit, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${name}"`,
      'content-length': String(body.byteLength),
      'cache-control': shareId ? 'private, max-age=300' : 'public, max-age=300',
    },
  });
}

/** What `GET /wireshark-profile.zip` needs: the deployment's configuration, and a stored result by share id. */
export interface ProfileRouteDeps {
  config: Config;
  /** The live stored result with this share id, or null (unknown or expired). */
  readResult: (shareId: string) => Promise<Result | null>;
}

/** Share ids as the store makes them (and nothing that could reach a header or a file name otherwise). */
const SHARE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * `GET /wireshark-profile.zip[?result=<share id>]`: the profile for the deployment's configuration, or with its
 * "this netready session" button narrowed to a stored result's server addresses. Throws ApiError `invalid_request`
 * for a malformed id and `not_found` for an unknown one.
 */
export async function answerProfileRequest(url: URL, deps: ProfileRouteDeps): Promise<Response> {
  const shareId = url.searchParams.get('result');
  if (shareId === null) return profileZipResponse(profileFiles(scopeFromConfig(deps.config)));
  if (!SHARE_ID.test(shareId)) throw new ApiError('invalid_request', 'result must be the id of a shared result (letters, digits, _ and -)');
  const result = await deps.readResult(shareId);
  if (!result) throw new ApiError('not_found', 'no stored result has this id');
  return profileZipResponse(profileFiles(scopeForResult(deps.config, readRunServers(result), shareId)), shareId);
}

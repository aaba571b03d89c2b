/**
 * Writes netready's Wireshark profile for the default configuration to deploy/wireshark/netready/ (what a deployment
 * serves as /wireshark-profile.zip, with its own ports and zone). Run after changing lib/capture-kit/wireshark-profile.ts:
 * `npx tsx deploy/wireshark/write-default-profile.ts`; deploy/wireshark/wireshark.test.ts fails until the copy matches.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema } from '../../lib/config/schema';
import { PROFILE_NAME, profileFiles, scopeFromConfig } from '../../lib/capture-kit/wireshark-profile';

/** The profile files for the default configuration. */
export function defaultProfileFiles(): Record<string, string> {
  return profileFiles(scopeFromConfig(ConfigSchema.parse({})));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = path.join(import.meta.dirname, PROFILE_NAME);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(defaultProfileFiles())) writeFileSync(path.join(dir, name), content);
  console.log(`wrote ${dir}`);
}

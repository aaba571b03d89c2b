/**
 * deploy/wireshark/netready/ (issue 20) is the profile a deployment with the default configuration serves as
 * /wireshark-profile.zip: kept equal to what lib/capture-kit/wireshark-profile.ts generates, and loadable by tshark.
 */
import { mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDisplayFilters, temporaryFolder, tsharkReadsWith } from '../../lib/capture-kit/testing/wireshark';
import { PROFILE_NAME } from '../../lib/capture-kit/wireshark-profile';
import { defaultProfileFiles } from './write-default-profile';

const DIR = path.join(import.meta.dirname, PROFILE_NAME);

describe('deploy/wireshark', () => {
  it('holds the profile the route serves for the default configuration (npx tsx deploy/wireshark/write-default-profile.ts)', () => {
    const inRepo = Object.fromEntries(readdirSync(DIR).map((name) => [name, readFileSync(path.join(DIR, name), 'utf8')]));
    expect(inRepo).toEqual(defaultProfileFiles());
  });

  it('loads in tshark from the repository folder as it is, its filters compiling', () => {
    // A throw-away configuration folder whose profiles/netready is deploy/wireshark/netready itself.
    const home = temporaryFolder('netready-deploy-profile-');
    try {
      const profiles = path.join(home.dir, '.config', 'wireshark', 'profiles');
      mkdirSync(profiles, { recursive: true });
      symlinkSync(DIR, path.join(profiles, PROFILE_NAME));
      expect(tsharkReadsWith('frame', { home: home.dir, name: PROFILE_NAME })).toEqual({ status: 0, warnings: [] });
    } finally {
      home.remove();
    }
    const saved = readFileSync(path.join(DIR, 'dfilters'), 'utf8').trim().split('\n').map((line) => /^"[^"]*" (.*)$/.exec(line)![1]!);
    expect(compileDisplayFilters(saved).filter((v) => !v.ok)).toEqual([]);
  });
});

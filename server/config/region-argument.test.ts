import { describe, expect, it } from 'vitest';
import { regionArgument } from './region-argument';

describe('regionArgument', () => {
  it('reads --region <id> and --region=<id>, and nothing without it', () => {
    expect(regionArgument(['--region', 'us-east'])).toEqual({ region: 'us-east' });
    expect(regionArgument(['--region=eu-central'])).toEqual({ region: 'eu-central' });
    expect(regionArgument([])).toBeNull();
  });

  it('says what is missing for a bare --region', () => {
    expect(regionArgument(['--region'])).toEqual({ error: expect.stringContaining('needs a region id') });
    expect(regionArgument(['--region', '--other'])).toEqual({ error: expect.stringContaining('needs a region id') });
  });
});

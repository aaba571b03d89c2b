import { describe, expect, it } from 'vitest';
import { fakeSession } from '../engine/testing/fake-deployment';
import type { Session } from '../schema/session';
import { MEDIA_QUALITY_PROBE_ID } from './media-quality';
import { REGIONS_PROBE_ID } from './regions';
import { SERVER_VIEW_PROBE_ID } from './server-view';
import { createDefaultPlan } from './plan';
import { selectTargets } from './session';

/** The fake session with two vendors, each with a media port and a host name. */
function twoVendorSession(): Session {
  const session = fakeSession({});
  return {
    ...session,
    stun: [
      ...session.stun,
      { port: 10000, url: 'stun:203.0.113.10:10000', role: 'vendor', target: 'Acme' },
      { port: 20000, url: 'stun:203.0.113.10:20000', role: 'vendor', target: 'Globex' },
    ],
    vendorHosts: [
      { target: 'Acme', host: 'media.acme.example' },
      { target: 'Globex', host: 'rtc.globex.example' },
    ],
  };
}

describe('the plan an embedding host asks for (issue 14)', () => {
  it('runs the call-quality stream by default and leaves it out of the connectivity plan', () => {
    expect(createDefaultPlan().map((probe) => probe.id)).toContain(MEDIA_QUALITY_PROBE_ID);
    const connectivity = createDefaultPlan({ quality: false }).map((probe) => probe.id);
    expect(connectivity).not.toContain(MEDIA_QUALITY_PROBE_ID);
    expect(connectivity).toEqual(createDefaultPlan().map((probe) => probe.id).filter((id) => id !== MEDIA_QUALITY_PROBE_ID));
  });

  it('keeps netready’s own endpoints and only the chosen vendors’ ports and host names', () => {
    const chosen = selectTargets(twoVendorSession(), ['Acme']);
    expect(chosen.stun.map((endpoint) => endpoint.port)).toEqual([3478, 3479, 10000]);
    expect(chosen.vendorHosts).toEqual([{ target: 'Acme', host: 'media.acme.example' }]);
    const none = selectTargets(twoVendorSession(), []);
    expect(none.stun.map((endpoint) => endpoint.role)).toEqual(['turn', 'alternate']);
    expect(none.vendorHosts).toEqual([]);
    expect(selectTargets(twoVendorSession(), undefined)).toEqual(twoVendorSession());
  });
});

describe('the run’s last step', () => {
  it('does not wait for the probes that end on a server’s answer: the quality stream and the regions (slow on a lossy path)', () => {
    const plan = createDefaultPlan();
    const last = plan.filter((probe) => probe.runsLast).map((probe) => probe.id);
    expect(last).toEqual([SERVER_VIEW_PROBE_ID]);
    const notWaitedFor = plan.filter((probe) => probe.endsWithServerAnswer).map((probe) => probe.id).sort();
    expect(notWaitedFor).toEqual([MEDIA_QUALITY_PROBE_ID, REGIONS_PROBE_ID].sort());
  });
});

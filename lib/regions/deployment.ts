/**
 * The regions of a deployment as a node sees them (issue 15): which one it serves, and what the page is told about
 * each. Pure: the probe server and the session builder call it with the validated configuration.
 */
import type { Config, RegionConfig } from '../config/schema';

/** The region this probe process serves: `probe.region`, else the first of `regions[]`; undefined without regions. */
export function nodeRegion(config: Pick<Config, 'regions' | 'probe'>): RegionConfig | undefined {
  const id = config.probe.region ?? config.regions[0]?.id;
  return config.regions.find((r) => r.id === id);
}

/** Public base URL of a region's HTTPS listener: its `httpsUrl`, else `https://<httpsIp>:8443`, without a trailing slash. */
export function regionHttpsUrl(region: RegionConfig): string {
  return (region.httpsUrl ?? `https://${regionHttpsIp(region)}:8443`).replace(/\/+$/, '');
}

/** The address of a region's HTTPS listener, which GeoDNS answers for `media` names routed there: `httpsIp`, else `publicIp`. */
export function regionHttpsIp(region: RegionConfig): string {
  return region.httpsIp ?? region.publicIp;
}

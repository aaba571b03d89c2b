/**
 * "Measurements": the pictures of a result, for the person and the vendor's engineer alike — which way the traffic
 * leaves (the path picture), which transport reached the servers on which port (the port matrix), what the measured
 * path can carry in a call (call estimate), the round trip over the quality stream, the MTU ladder, and the regions
 * (issue 15: each region's round trip, the nearest, and the one DNS chose). Drawn only from the
 * result JSON (live, stored or shared), print-friendly; the section is left out when none of them has data.
 */
import type { ProbeOutcome } from '../../lib/schema/result';
import type { MediaQualityData } from '../../lib/probes/media-quality';
import { CallEstimate } from './call-estimate';
import { buildCallEstimateTable } from './call-estimate-model';
import { ladderModel, MtuLadder } from './mtu-ladder';
import { PathPicture } from './path-picture';
import { buildPortMatrix } from './port-matrix-model';
import { PortMatrixTable } from './port-matrix';
import { buildRegionsModel } from './regions-model';
import { RegionsTable } from './regions-table';
import { buildPathPicture } from './path-picture-model';
import { RttChart } from './rtt-chart';
import { buildRttChart } from './rtt-chart-model';

/** Props: the result's probe outcomes. */
export interface MeasurementsProps {
  probes: Readonly<Record<string, ProbeOutcome>>;
}

/** The measurements section, or nothing when no picture has data. */
export function Measurements({ probes }: MeasurementsProps) {
  const quality = probes['media-quality'];
  const mtu = probes.mtu;
  const hasEstimate = buildCallEstimateTable(quality) !== null;
  const hasRtt = quality !== undefined && buildRttChart(quality.data as Partial<MediaQualityData>) !== null;
  const hasLadder = ladderModel(mtu) !== null;
  const hasPaths = buildPathPicture(probes) !== null;
  const hasPorts = buildPortMatrix(probes) !== null;
  const hasRegions = buildRegionsModel(probes.regions) !== null;
  if (!hasEstimate && !hasRtt && !hasLadder && !hasPaths && !hasPorts && !hasRegions) return null;
  return (
    <section aria-labelledby="measurements-heading" className="space-y-5 rounded-xl border border-slate-200 bg-white p-4 print:break-inside-avoid">
      <h2 id="measurements-heading" className="text-sm font-semibold tracking-wide text-slate-700 uppercase">
        Measurements
      </h2>
      {hasPaths && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Which way the traffic leaves this network</h3>
          <PathPicture probes={probes} />
        </div>
      )}
      {hasPorts && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Transports and ports</h3>
          <PortMatrixTable probes={probes} />
        </div>
      )}
      {hasRegions && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Regions: the nearest server, and where DNS sends this network</h3>
          <RegionsTable outcome={probes.regions} />
        </div>
      )}
      {hasEstimate && <CallEstimate outcome={quality} />}
      {hasRtt && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Round trip over the measurement stream</h3>
          <RttChart outcome={quality} />
        </div>
      )}
      {hasLadder && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900">Largest packets that get through (MTU)</h3>
          <MtuLadder outcome={mtu} />
        </div>
      )}
    </section>
  );
}

/**
 * The interfaces probe's data (issue 11) as a compact table: one row per network the browser showed — kind, host
 * address, STUN egress, TURN per transport, and the one ICE selected — with what the run could not see above it.
 * Results may come from anyone via a share link: the data is read defensively and rendered as text only.
 */
import { describeVisibility, type InterfacesData, type NetworkSeen } from '../../lib/probes/interfaces';

const KIND_WORDS: Record<NetworkSeen['kind'], string> = {
  ethernet: 'Ethernet',
  wifi: 'Wi-Fi',
  cellular: 'Cellular',
  'likely-vpn': 'Likely VPN',
  loopback: 'Loopback',
  unknown: 'Unknown',
};

const ACCESS_WORDS: Record<InterfacesData['mediaAccess']['state'], string> = {
  'not-requested': 'not asked (default mode)',
  granted: 'granted, and released at once',
  denied: 'denied',
  unavailable: 'could not be asked for',
};

/** Whether `data` has the shape this view needs (a shared result may not). */
function isInterfacesData(data: unknown): data is InterfacesData {
  const d = data as Partial<InterfacesData> | null;
  return typeof d === 'object' && d !== null && Array.isArray(d.networks) && typeof d.mediaAccess?.state === 'string' && typeof d.enumeration === 'string';
}

function endpoint(value: { address?: unknown; port?: unknown } | undefined): string {
  return value && typeof value.address === 'string' ? `${value.address}:${String(value.port)}` : '—';
}

/** The interfaces table, or nothing when the data is not the interfaces probe's. */
export function InterfacesView({ data }: { data: unknown }) {
  if (!isInterfacesData(data)) return null;
  const visibility = describeVisibility(data);
  const access = data.mediaAccess;
  return (
    <div className="space-y-2">
      <p className="text-sm text-slate-700">
        Media permission: {ACCESS_WORDS[access.state] ?? access.state}
        {access.error ? ` (${access.error})` : ''}. Interfaces shown: {data.enumeration === 'all' ? 'all, with their addresses' : data.enumeration === 'masked' ? 'the default route only, address masked' : 'none'}.
      </p>
      {visibility && (
        <p className="rounded-lg border border-amber-200 bg-amber-50 p-2 text-sm text-amber-950" data-testid="interfaces-visibility">
          {visibility}
        </p>
      )}
      {data.networks.length > 0 && (
        <div className="overflow-x-auto rounded-md border border-slate-200" role="region" aria-label="Networks the browser showed" tabIndex={0}>
          <table className="min-w-full text-left text-xs">
            <thead className="bg-slate-50 text-slate-700">
              <tr>
                {['Network', 'Kind', 'Host address', 'STUN egress', 'TURN UDP', 'TURN TCP', 'TURN TLS', 'Selected'].map((column) => (
                  <th key={column} scope="col" className="px-3 py-2 font-semibold whitespace-nowrap">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 font-mono text-slate-800">
              {data.networks.map((network, index) => (
                <tr key={index} className={network.selected ? 'bg-blue-50' : undefined}>
                  <td className="px-3 py-1.5 whitespace-nowrap">{network.networkId ?? '—'}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap" title={network.vpnHint}>
                    {KIND_WORDS[network.kind] ?? String(network.kind)}
                    {network.networkType && network.networkType !== network.kind ? ` (${network.networkType})` : ''}
                  </td>
                  <td className="px-3 py-1.5 break-all">{Array.isArray(network.hostAddresses) && network.hostAddresses.length > 0 ? network.hostAddresses.join(', ') : '—'}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap">{network.stun?.srflx ? endpoint(network.stun.srflx) : network.stun?.egressIsHost ? 'host address (no NAT)' : '—'}</td>
                  {(['udp', 'tcp', 'tls'] as const).map((transport) => (
                    <td key={transport} className="px-3 py-1.5 whitespace-nowrap">
                      {endpoint(network.turn?.[transport]?.relay)}
                    </td>
                  ))}
                  <td className="px-3 py-1.5 whitespace-nowrap font-sans font-semibold">{network.selected ? 'Selected by ICE' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

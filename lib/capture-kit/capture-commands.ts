/**
 * Command lines to capture a run yourself (issue 20): `dumpcap` on Windows, macOS and Linux with the run's capture
 * filter, a duration limit and a ring buffer, written to a file named after the result; and `tshark` to read it back
 * with the display filter. Every value spliced in comes from capture-filters.ts (validated addresses, names, ports)
 * or from `fileStem` (the result id reduced to letters, digits, `_` and `-`), so nothing in them can be shell syntax.
 */
import type { RunServers } from './run-servers';

/** An operating system the kit gives commands for. */
export type CaptureOs = 'windows' | 'macos' | 'linux';

/** One step: what to do, and the command to copy when there is one. */
export interface CaptureStep {
  text: string;
  command?: string;
}

/** The steps for one operating system. */
export interface OsGuide {
  os: CaptureOs;
  title: string;
  steps: CaptureStep[];
}

/** Seconds a capture runs before dumpcap stops by itself (15 minutes: a run and a retry or two). */
export const CAPTURE_DURATION_S = 900;
/** Ring buffer: each file at most this many kB (100 MB) … */
export const RING_FILE_KB = 102400;
/** … and at most this many files, the oldest overwritten. */
export const RING_FILES = 10;

/** `netready-<result id>`: the result id reduced to characters safe in a file name and a shell word. */
export function fileStem(resultId: string): string {
  const safe = resultId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40);
  return `netready-${safe || 'run'}`;
}

/** The operating system of a result's `client.os` (ua-parser-js names), when it is one the kit has commands for. */
export function osOf(os: string | undefined): CaptureOs | undefined {
  if (!os) return undefined;
  if (/^windows/i.test(os)) return 'windows';
  if (/^mac ?os|^os x/i.test(os)) return 'macos';
  if (/linux|ubuntu|debian|fedora|mint|arch|centos|red ?hat|suse|gentoo|chrom(e|ium) ?os/i.test(os)) return 'linux';
  return undefined;
}

const WINDOWS_DUMPCAP = '"C:\\Program Files\\Wireshark\\dumpcap.exe"';
const MACOS_DUMPCAP = '/Applications/Wireshark.app/Contents/MacOS/dumpcap';
const MACOS_TSHARK = '/Applications/Wireshark.app/Contents/MacOS/tshark';

function limits(): string {
  return `-a duration:${CAPTURE_DURATION_S} -b filesize:${RING_FILE_KB} -b files:${RING_FILES}`;
}

/**
 * The capture guides for Windows, macOS and Linux: list the interfaces, capture (the filter before the first `-i`
 * applies to every interface named), stop, and read back with the display filter.
 */
export function captureGuides(bpf: string, display: string, resultId: string): OsGuide[] {
  const stem = fileStem(resultId);
  const ring = `${limits()}`;
  const ringNote = `It stops by itself after ${CAPTURE_DURATION_S / 60} minutes (or press Ctrl+C) and keeps at most ${RING_FILES} files of ${RING_FILE_KB / 1024} MB, named ${stem}_00001_<date>.pcapng and so on.`;
  return [
    {
      os: 'windows',
      title: 'Windows (Command Prompt)',
      steps: [
        { text: 'List the interfaces (Wireshark installs dumpcap with Npcap) and note the numbers of the Wi-Fi or Ethernet adapter, and of the VPN adapter if there is one:', command: `${WINDOWS_DUMPCAP} -D` },
        {
          text: `Capture on them: replace 1 and 2 with those numbers (one -i each), start the capture, then run the test again. ${ringNote}`,
          command: `${WINDOWS_DUMPCAP} -f "${bpf}" -i 1 -i 2 ${ring} -w "%USERPROFILE%\\Desktop\\${stem}.pcapng"`,
        },
        { text: 'Open the files on your Desktop in Wireshark (File › File Set for the next ones) and paste the display filter above.' },
      ],
    },
    {
      os: 'macos',
      title: 'macOS (Terminal)',
      steps: [
        { text: "List the interfaces (en0 is usually Wi-Fi; a VPN is a utun interface). Without Wireshark's ChmodBPF helper installed, put sudo in front:", command: `${MACOS_DUMPCAP} -D` },
        {
          text: `Capture on the network interface and the VPN's (one -i each; macOS has no "any"), then run the test again. ${ringNote}`,
          command: `${MACOS_DUMPCAP} -f '${bpf}' -i en0 -i utun0 ${ring} -w ~/Desktop/${stem}.pcapng`,
        },
        { text: 'Read the first file back with the display filter (or open it in Wireshark):', command: `${MACOS_TSHARK} -r ~/Desktop/${stem}_00001_*.pcapng -Y '${display}'` },
      ],
    },
    {
      os: 'linux',
      title: 'Linux (terminal)',
      steps: [
        { text: 'As root or a member of the wireshark group (otherwise put sudo in front), list the interfaces:', command: 'dumpcap -D' },
        { text: `Capture on every interface at once (any: the VPN's tunnel too), then run the test again. ${ringNote}`, command: `dumpcap -f '${bpf}' -i any ${ring} -w ~/${stem}.pcapng` },
        { text: 'Read the first file back with the display filter (or open it in Wireshark):', command: `tshark -r ~/${stem}_00001_*.pcapng -Y '${display}'` },
      ],
    },
  ];
}

/** Why a capture filter by address can miss the run, in one sentence per case. */
export const ADDRESS_FILTER_CAVEATS = [
  'Through a web proxy the browser talks to the proxy, not to these addresses: the capture filter then misses TURN over TCP/TLS and HTTPS. Capture without a filter (drop -f …) to see the proxy’s path.',
  'Through a VPN the packets on the Wi-Fi or Ethernet interface are encrypted tunnel packets to the VPN gateway; only the VPN’s own interface shows these addresses. Capture on all interfaces (-i any on Linux; one -i per interface on Windows and macOS).',
];

/** Describes the run's servers for the capture filter's note (which names were left out of it, and why). */
export function captureFilterNotes(servers: RunServers): string[] {
  const notes: string[] = [];
  const unresolved = [...servers.names.filter((n) => !n.address).map((n) => n.name), ...servers.vendorHosts.map((v) => v.host)];
  if (unresolved.length > 0) {
    notes.push(
      `A capture filter cannot match a host name, and the result does not record which address ${unresolved.join(', ')} resolved to: look ${unresolved.length > 1 ? 'them' : 'it'} up (nslookup) and add "or host <address>", or rely on the display filter, which matches ${unresolved.length > 1 ? 'those names' : 'that name'} in DNS and TLS.`,
    );
  }
  const loopback = servers.addresses.filter((a) => /^127\./.test(a) || a === '::1');
  if (loopback.length > 0) {
    notes.push(`${loopback.join(', ')} is this computer's own loopback: the test server ran on the same machine as the browser. Capture on the loopback interface (lo on Linux, which -i any includes; lo0 on macOS; the Npcap Loopback Adapter on Windows).`);
  }
  if (servers.addresses.length === 0) notes.push('The result records no server address (the session with the test server did not open), so this filter matches by port only.');
  if (servers.otherRegions) notes.push('The regions check also reached the other regions’ servers; the result records their names, not their addresses, so they are not in these filters.');
  if (servers.rejected > 0) notes.push(`${servers.rejected} value(s) in this result were not a plain address, host name or port and were left out.`);
  return notes;
}

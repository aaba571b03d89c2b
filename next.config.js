// Next.js configuration (ESM: package.json has "type": "module").
// Telemetry is off: scripts/start.mjs and scripts/test.sh set NEXT_TELEMETRY_DISABLED=1 for every Next process.

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native (better-sqlite3) and heavy Node-only (werift) packages are required at run time, never bundled.
  serverExternalPackages: ['better-sqlite3', 'werift'],
  poweredByHeader: false,
};

export default nextConfig;

// Types of scripts/start-warnings.mjs (plain JavaScript: npm start runs before any TypeScript tooling is loaded).

/** The part of the probe configuration the warnings read. */
export interface ProbeAddresses {
  bindIp: string;
  publicIp: string;
  publicHost?: string;
  turnTls: { ip?: string; port: number };
}

/** Sentences npm start prints as warnings; empty when the configuration needs none. */
export function startWarnings(probe: ProbeAddresses): string[];

/**
 * The probe process's one command-line option (issue 15): which region it serves.
 */

/**
 * The region given on the command line (`npm run probe -- --region us-east`, or `--region=us-east`): it overrides
 * `probe.region` like NETREADY_PROBE_REGION. Returns null when absent, or an error text for a bare `--region`.
 */
export function regionArgument(argv: readonly string[]): { region: string } | { error: string } | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--region=')) return { region: arg.slice('--region='.length) };
    if (arg === '--region') {
      const value = argv[i + 1];
      return value && !value.startsWith('--') ? { region: value } : { error: '--region needs a region id, e.g. --region us-east' };
    }
  }
  return null;
}

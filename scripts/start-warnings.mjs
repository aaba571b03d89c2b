// Warnings `npm start` prints about a configuration that starts but will mislead some browsers (issue 18). Pure: the
// configuration in, sentences out; scripts/start.mjs prints them.

/** Whether an IPv4/IPv6 literal is loopback (127.0.0.0/8, ::1). */
function isLoopback(ip) {
  return /^127\./.test(ip) || ip === '::1';
}

/**
 * Warns when the probe binds a non-loopback address without `probe.publicHost`: TURN over TLS is then offered as
 * `turns:<ip>`, which Firefox never tries (it needs a name to check the certificate), so Firefox users would see TURN
 * over TLS "not tested" (`turn-tls-needs-hostname`) instead of a real answer.
 * @param {{ bindIp: string, publicIp: string, publicHost?: string, turnTls: { ip?: string, port: number } }} probe
 * @returns {string[]}
 */
export function startWarnings(probe) {
  if (probe.publicHost) return [];
  const bound = probe.turnTls.ip ?? probe.bindIp;
  if (isLoopback(bound) && isLoopback(probe.bindIp)) return [];
  const exposed = isLoopback(bound) ? probe.bindIp : bound;
  return [
    `the probe binds ${exposed} but probe.publicHost is not set, so TURN over TLS is offered as turns:${probe.publicIp}:${probe.turnTls.port} — ` +
      'Firefox never tries TURN over TLS given by IP address. Set probe.publicHost (NETREADY_PUBLIC_HOST) to a DNS name of this server, with a certificate for it.',
  ];
}

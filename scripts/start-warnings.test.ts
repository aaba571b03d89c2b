// npm start's warnings about a configuration that misleads some browsers (scripts/start-warnings.mjs, issue 18).
import { describe, expect, it } from 'vitest';
import { startWarnings } from './start-warnings.mjs';

describe('startWarnings', () => {
  it('warns when the probe binds a network address without probe.publicHost, naming the turns: URL and the fix', () => {
    const warnings = startWarnings({ bindIp: '0.0.0.0', publicIp: '192.0.2.10', turnTls: { port: 5349 } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('turns:192.0.2.10:5349');
    expect(warnings[0]).toContain('probe.publicHost');
  });

  it('warns when only the TURN/TLS listener is bound to a network address', () => {
    expect(startWarnings({ bindIp: '127.0.0.1', publicIp: '192.0.2.10', turnTls: { ip: '192.0.2.10', port: 443 } })).toHaveLength(1);
  });

  it('says nothing on loopback (the default npm start) or when probe.publicHost is set', () => {
    expect(startWarnings({ bindIp: '127.0.0.1', publicIp: '127.0.0.1', turnTls: { port: 5349 } })).toEqual([]);
    expect(startWarnings({ bindIp: '0.0.0.0', publicIp: '192.0.2.10', publicHost: 'probe.example.org', turnTls: { port: 5349 } })).toEqual([]);
  });
});

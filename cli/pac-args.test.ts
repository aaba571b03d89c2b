import { describe, expect, it } from 'vitest';
import { parseArgs } from './args';

describe('parseArgs --pac', () => {
  it('reads --pac with a URL or a file, in both spellings', () => {
    expect(parseArgs(['check', '--url', 'http://localhost:3000', '--pac', 'http://wpad.corp.example/proxy.pac'])).toMatchObject({ command: 'check', pac: 'http://wpad.corp.example/proxy.pac' });
    expect(parseArgs(['check', '--url', 'http://localhost:3000', '--pac=./proxy.pac', '--json'])).toMatchObject({ command: 'check', pac: './proxy.pac', json: true });
  });

  it('leaves pac out without --pac, and refuses --pac without a value', () => {
    expect(parseArgs(['check', '--url', 'http://localhost:3000'])).not.toHaveProperty('pac');
    expect(parseArgs(['check', '--url', 'http://localhost:3000', '--pac'])).toEqual({ command: 'error', message: "--pac needs the PAC file's URL (http or https) or a file" });
  });
});

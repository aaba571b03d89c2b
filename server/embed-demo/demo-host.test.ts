import { afterEach, describe, expect, it } from 'vitest';
import { DemoHost } from './demo-host';

let host: DemoHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function start(netreadyUrl: string): Promise<string> {
  host = new DemoHost({ netreadyUrl });
  const address = await host.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${address.port}`;
}

describe('the embed demo host', () => {
  it('serves the join page loading netready’s loader, with a policy that frames netready only', async () => {
    const url = await start('http://localhost:3000/');
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<script src="http://localhost:3000/embed.js"></script>');
    expect(html).toContain('<meta name="netready-url" content="http://localhost:3000">');
    expect(response.headers.get('content-security-policy')).toContain('frame-src http://localhost:3000;');
    expect((await fetch(`${url}/join.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('may not be framed itself: its policy says frame-ancestors \'none\'', async () => {
    const url = await start('http://localhost:3000');
    const csp = (await fetch(`${url}/`)).headers.get('content-security-policy') ?? '';
    const frameAncestors = csp
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name === 'frame-ancestors');
    expect(frameAncestors).toEqual([['frame-ancestors', "'none'"]]);
  });

  it('escapes the netready URL it writes into the page', async () => {
    const url = await start('http://localhost:3000/"><script>alert(1)</script>');
    const html = await (await fetch(`${url}/`)).text();
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('answers 404 for anything else, and refuses other methods', async () => {
    const url = await start('http://localhost:3000');
    expect((await fetch(`${url}/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${url}/`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

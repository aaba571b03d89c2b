import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { runnerPageProps } from './runner-page-props';

describe('runnerPageProps', () => {
  const config = ConfigSchema.parse({ name: 'Example Corp', run: { budgetMs: 9000, probeTimeoutMs: 4000 }, brand: { supportContact: 'Call 555 0100' } });

  it('carries the deployment name and branding, the probe URL and the run deadlines of the configuration', () => {
    expect(runnerPageProps(config, 'https://probe.example.test', {})).toEqual({
      name: 'Example Corp',
      brand: { name: 'Example Corp', supportContact: 'Call 555 0100' },
      probeUrl: 'https://probe.example.test',
      budgetMs: 9000,
      probeTimeoutMs: 4000,
      autostart: false,
      deep: false,
    });
  });

  it.each([
    ['autostart=1 and deep=1 switch both on', { autostart: '1', deep: '1' }, true, true],
    ['any other value leaves them off', { autostart: 'yes', deep: '0' }, false, false],
    ['a repeated parameter leaves it off, as the App Router page did', { autostart: ['1', '1'] }, false, false],
  ])('%s', (_name, query, autostart, deep) => {
    expect(runnerPageProps(config, 'http://127.0.0.1:8080', query)).toMatchObject({ autostart, deep });
  });

  it('has only JSON values, which getServerSideProps requires', () => {
    const props = runnerPageProps(config, 'http://127.0.0.1:8080', {});
    expect(JSON.parse(JSON.stringify(props))).toEqual(props);
  });
});

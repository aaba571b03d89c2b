import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../lib/config/schema';
import { embedPageProps } from './embed-page-props';

const config = ConfigSchema.parse({ embed: { allowedOrigins: ['https://meet.example.com'] }, targets: [{ name: 'Acme media', hosts: ['media.example.com'] }] });

describe('embedPageProps', () => {
  it('reads the allowlist and target names from the configuration and defaults the rest', () => {
    expect(embedPageProps(config, 'http://127.0.0.1:8080', {})).toMatchObject({
      allowedOrigins: ['https://meet.example.com'],
      targets: ['Acme media'],
      initial: { plan: 'full', theme: 'auto', autostart: false, share: false },
    });
  });

  it('takes valid query values and drops the rest', () => {
    const props = embedPageProps(config, 'http://p', { plan: 'connectivity', theme: 'dark', accent: '#ff8800', locale: 'de', autostart: '1', share: '1' });
    expect(props.initial).toEqual({ plan: 'connectivity', theme: 'dark', accent: '#ff8800', locale: 'de', autostart: true, share: true });
    const bad = embedPageProps(config, 'http://p', { plan: 'x', theme: 'neon', accent: 'red;x:y', locale: '<script>' });
    expect(bad.initial).toEqual({ plan: 'full', theme: 'auto', autostart: false, share: false });
  });

  it('speaks the browser’s language unless the query names one; deep=1 still means the deep plan', () => {
    expect(embedPageProps(config, 'http://p', {}, 'de-DE,de;q=0.9,en;q=0.8').initial.locale).toBe('de-DE');
    expect(embedPageProps(config, 'http://p', { locale: 'en' }, 'de-DE').initial.locale).toBe('en');
    expect(embedPageProps(config, 'http://p', { deep: '1' }).initial.plan).toBe('deep');
  });
});

import { describe, expect, it } from 'vitest';
import { brandOf, brandStylesheet } from './brand';
import { ConfigSchema } from './schema';

describe('branding', () => {
  it('takes the name, logo and support line from the configuration', () => {
    const config = ConfigSchema.parse({ name: 'Acme Meet', brand: { logoUrl: '/logo.svg', supportContact: 'support@acme.example', accentColour: '#b45309' } });
    expect(brandOf(config)).toEqual({ name: 'Acme Meet', logoUrl: '/logo.svg', supportContact: 'support@acme.example', accent: true });
    expect(brandOf(ConfigSchema.parse({}))).toEqual({ name: 'netready' });
  });

  it('writes the accent and a readable ink as CSS variables, and nothing without an accent', () => {
    expect(brandStylesheet(ConfigSchema.parse({ brand: { accentColour: '#FDE047' } }))).toBe(':root{--brand-accent:#fde047;--brand-accent-ink:#0f172a}\n');
    expect(brandStylesheet(ConfigSchema.parse({}))).not.toContain('--brand-accent');
  });

  it.each([
    [{ logoUrl: 'javascript:alert(1)' }, 'brand.logoUrl'],
    [{ logoUrl: 'http://cdn.example/logo.png' }, 'brand.logoUrl'],
    [{ logoUrl: '/logo.svg" onerror="x' }, 'brand.logoUrl'],
    [{ accentColour: 'red;}body{display:none' }, 'brand.accentColour'],
  ])('refuses %j at start-up', (brand, field) => {
    const parsed = ConfigSchema.safeParse({ brand });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe(field);
  });
});

// Root layout: document shell and global styles only; full pages add SiteShell, /embed stays bare.
import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { loadConfig } from '../server/config/load';
import './globals.css';

/** Titles carry the deployment name (read at request time). */
export function generateMetadata(): Metadata {
  const { name } = loadConfig();
  return {
    title: { default: `${name} · Network readiness test`, template: `%s · ${name}` },
    description: 'Checks whether your network lets video calls through, and tells your IT team exactly what to change.',
  };
}

/** Responsive viewport. */
export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#ffffff' };

/** Document shell shared by every page. */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}

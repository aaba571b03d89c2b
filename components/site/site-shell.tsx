/**
 * The page frame of the full-size pages (landing, share page): header with the deployment name, content,
 * footer. /embed does without it.
 */
import type { ReactNode } from 'react';
import type { Brand } from '../../lib/config/brand';

/** Header + main + footer around a page's content, in the operator's branding; `wide` for tables (the support view). */
export function SiteShell({ brand, children, wide = false }: { brand: Brand; children: ReactNode; wide?: boolean }) {
  const width = wide ? 'max-w-6xl' : 'max-w-3xl';
  return (
    <div className="flex min-h-dvh flex-col">
      {/* The accent colour (config brand.accentColour) as CSS variables, when there is one; React puts the link in <head>. */}
      {brand.accent && <link rel="stylesheet" href="/brand.css" precedence="default" />}
      <a
        href="#main"
        className="sr-only rounded-md bg-white px-3 py-2 text-sm font-semibold text-blue-800 shadow focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      {/* The accent strip: the operator's colour on every page, printed too (a border, not a background). */}
      <header className="border-t-4 border-b border-t-(--brand-accent) border-b-slate-200 bg-white" data-testid="site-header">
        <div className={`mx-auto flex h-14 ${width} items-center justify-between gap-4 px-4`}>
          {/* A plain link, not next/link: the shell is a server component and client-side navigation to the
              landing page saves nothing worth next/link's client code on every page (issue 16). */}
          <a href="/" className="flex min-w-0 items-center gap-2 rounded-md font-semibold text-slate-900">
            {brand.logoUrl ? (
              // The operator's logo (config brand.logoUrl; the page's CSP names its origin). Decorative: the name follows.
              <img src={brand.logoUrl} alt="" className="h-7 w-auto max-w-[8rem] shrink-0 object-contain" />
            ) : (
              <span className="flex h-7 w-7 shrink-0 items-center justify-center rounded-md bg-(--brand-accent) text-(--brand-accent-ink)" aria-hidden="true">
                <svg viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth={2.5} strokeLinecap="round">
                  <path d="M4 14a11 11 0 0116 0M7.5 17.5a6 6 0 019 0M12 20.5v.01" />
                </svg>
              </span>
            )}
            <span className="truncate">{brand.name}</span>
          </a>
          <span className="hidden text-sm text-slate-600 sm:block">Network readiness test</span>
        </div>
      </header>
      <main id="main" className={`mx-auto w-full ${width} flex-1 px-4 py-8 sm:py-10`}>
        {children}
      </main>
      <footer className="border-t border-slate-200 bg-white">
        <div className={`mx-auto ${width} px-4 py-5 text-xs leading-5 text-slate-600`}>
          {brand.supportContact && <p className="mb-1 text-sm font-semibold text-slate-800" data-testid="support-contact">{brand.supportContact}</p>}
          <p>
            Runs in your browser against this site’s own test servers. Nothing is stored unless you create a share link.
          </p>
          <p className="mt-1">Powered by netready — a self-hostable, vendor-neutral WebRTC network test.</p>
        </div>
      </footer>
    </div>
  );
}

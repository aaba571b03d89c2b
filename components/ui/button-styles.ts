/**
 * Class names of the app's buttons (and links styled as buttons), so every action has the same size,
 * contrast and focus ring. Heights are fixed so a label change ("Copy" → "Copied") never shifts the layout.
 */

const base =
  'inline-flex h-10 items-center justify-center gap-2 rounded-lg px-4 text-sm font-semibold whitespace-nowrap ' +
  'transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 ' +
  'disabled:cursor-not-allowed disabled:opacity-60';

/** The one prominent action of a view (Start), in the operator's accent (`--brand-accent`, /brand.css; netready blue by default). */
export const primaryButton = `${base} bg-(--brand-accent) text-(--brand-accent-ink) shadow-sm hover:brightness-90 active:brightness-75`;

/** Secondary actions (Download JSON, Share link, Run again, Copy). */
export const secondaryButton = `${base} border border-slate-300 bg-white text-slate-800 shadow-sm hover:bg-slate-50 active:bg-slate-100`;

/** A larger primary button for the landing page's Start. */
export const heroButton = `${primaryButton} h-12 px-8 text-base`;

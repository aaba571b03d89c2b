/**
 * The head of the Pages Router pages (`/`, `/embed`): what app/layout.tsx's metadata gives App Router pages —
 * title, description, viewport, theme colour and the app icon (app/icon.svg, served at /icon.svg).
 */
import Head from 'next/head';

/** Same wording as app/layout.tsx's description. */
const DESCRIPTION = 'Checks whether your network lets video calls through, and tells your IT team exactly what to change.';

/** `<head>` entries of a runner page; `title` is the full title (the layout's template is not applied here). */
export function PageHead({ title }: { title: string }) {
  return (
    <Head>
      <title>{title}</title>
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="theme-color" content="#ffffff" />
      <meta name="description" content={DESCRIPTION} />
      <link rel="icon" href="/icon.svg" type="image/svg+xml" sizes="any" />
    </Head>
  );
}

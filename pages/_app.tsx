/** The Pages Router's app shell (`/`, `/embed`): the same global styles as app/layout.tsx, nothing else. */
import type { AppProps } from 'next/app';
import '../app/globals.css';

/** Renders the page as is. */
export default function NetreadyApp({ Component, pageProps }: AppProps) {
  return <Component {...pageProps} />;
}

// GET /embed – the pre-join check for iframes (issue 14): compact, themeable, and the check's side of the embed protocol
// (lib/embed/protocol.ts). Framed only by `embed.allowedOrigins` (CSP frame-ancestors, server/api/security-headers.ts);
// it posts only to an allowed parent origin. Query: `plan` (connectivity | full | deep), `locale`, `theme`
// (light | dark | auto), `accent` (#rrggbb), `share=1`, `autostart=1`; a host's `netready:start` may set them too.
//
// A Pages Router page for its first load, like `/` (pages/index.tsx says why and with which figures).
import type { GetServerSideProps } from 'next';
import { EmbedCheck, type EmbedCheckProps } from '../components/embed/embed-check';
import { embedPageProps } from '../components/embed/embed-page-props';
import { nonceFromCsp } from '../components/site/csp-nonce';
import { PageHead } from '../components/site/page-head';
import { loadConfig, probePublicUrl } from '../server/config/load';

/** Configuration is read per request; Next strips this function and its imports from the browser bundle. */
export const getServerSideProps: GetServerSideProps<EmbedCheckProps> = async ({ query, req }) => {
  const config = loadConfig();
  const props = embedPageProps(config, probePublicUrl(config), query, req.headers['accept-language']);
  const nonce = nonceFromCsp(req.headers['content-security-policy']);
  return { props: nonce ? { ...props, styleNonce: nonce } : props };
};

/** The compact check, alone on the page. */
export default function EmbedPage(props: EmbedCheckProps) {
  return (
    <>
      <PageHead title={`Network check · ${props.configName}`} />
      <EmbedCheck {...props} />
    </>
  );
}

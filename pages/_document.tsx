/**
 * The HTML document of the Pages Router routes (`/` and `/embed`, see pages/index.tsx for why they are not App
 * Router pages). Unlike the App Router, the Pages Router does not read the CSP nonce from the request on its own:
 * this document takes it from the `Content-Security-Policy` request header proxy.ts sets and hands it to Next's
 * scripts and stylesheets, so the nonce CSP of server/api/security-headers.ts holds for these pages too.
 */
import Document, { Head, Html, Main, NextScript, type DocumentContext, type DocumentInitialProps } from 'next/document';
import { nonceFromCsp } from '../components/site/csp-nonce';

/** Document props: the request's CSP nonce, when it has one. */
interface NetreadyDocumentProps extends DocumentInitialProps {
  nonce?: string;
}

/** `<html lang="en">`, Next's head and scripts, all carrying this request's nonce. */
export default class NetreadyDocument extends Document<NetreadyDocumentProps> {
  /** Reads the nonce from the request headers (only the server renders documents). */
  static override async getInitialProps(context: DocumentContext): Promise<NetreadyDocumentProps> {
    const initial = await Document.getInitialProps(context);
    const nonce = nonceFromCsp(context.req?.headers['content-security-policy']);
    return nonce ? { ...initial, nonce } : initial;
  }

  override render() {
    const { nonce } = this.props;
    return (
      <Html lang="en">
        <Head nonce={nonce} />
        <body>
          <Main />
          <NextScript nonce={nonce} />
        </body>
      </Html>
    );
  }
}

import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { INCONCLUSIVE_BECAUSE, VERDICT_COPY } from './labels';
import { VerdictBanner } from './verdict-banner';

describe('VerdictBanner (issue 18)', () => {
  it('says the browser is why a run is inconclusive instead of telling the person to check their connection', () => {
    const html = renderToStaticMarkup(createElement(VerdictBanner, { verdict: 'inconclusive', setupIssues: 1, inconclusiveBecause: INCONCLUSIVE_BECAUSE['webrtc-unavailable']! }));
    expect(html).toContain('WebRTC switched off or missing');
    expect(html).not.toContain('Check your connection');
  });

  it('keeps the connection sentence for an inconclusive run with no browser cause', () => {
    const html = renderToStaticMarkup(createElement(VerdictBanner, { verdict: 'inconclusive', setupIssues: 1 }));
    expect(html).toContain(VERDICT_COPY.inconclusive.sentence);
  });
});

// The demo meeting app's join page (server/embed-demo): runs netready's pre-join check through the loader
// (`netready.check`, sdk/embed.ts) and shows what a host does with the result. Plain browser JavaScript.
(function () {
  'use strict';
  const netreadyUrl = document.querySelector('meta[name="netready-url"]').content;
  const status = document.getElementById('join-status');
  const progressLine = document.getElementById('join-progress');
  const joinVideo = document.getElementById('join-video');
  const joinAudio = document.getElementById('join-audio');
  const setting = document.getElementById('join-setting');
  const support = document.getElementById('support');
  const supportLink = document.getElementById('support-link');
  // The page's query may ask for another plan, theme, accent or language, `autostart=0` (the check's own Start
  // button), or a shorter load timeout (the tests use these).
  const query = new URLSearchParams(location.search);
  const loadTimeoutMs = Number(query.get('loadTimeoutMs')) || undefined;

  /** What the meeting app suggests for each finding a network can have (by finding code, never by title). */
  const SETTINGS = {
    'udp-blocked': 'Your network blocks UDP: Acme Meet will connect over TCP/TLS on port 443 (“relay-friendly mode”).',
    'relay-only': 'Calls go through a relay server: video is limited to 720p to keep it smooth.',
    'high-rtt': 'Your connection has a long delay: expect people to talk over each other; consider audio only.',
    'packet-loss': 'Your connection loses packets: video will be reduced to keep audio clear.',
    'low-bandwidth': 'Your connection is slow: video is limited to 360p.',
  };

  function show(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  window.netready
    .check({
      container: '#network-check',
      origin: netreadyUrl,
      plan: query.get('plan') || 'full',
      share: true,
      autostart: query.get('autostart') !== '0',
      ...(loadTimeoutMs ? { loadTimeoutMs } : {}),
      theme: { mode: query.get('theme') || 'auto', ...(query.get('accent') ? { accent: query.get('accent') } : {}) },
      ...(query.get('locale') ? { locale: query.get('locale') } : {}),
      onProgress(progress) {
        if (progress.connectivity) {
          progressLine.textContent = `Connection: ${progress.connectivity.verdict}; measuring call quality…`;
          // Calls can connect: let the person join now; quality only refines the advice.
          if (progress.connectivity.verdict !== 'blocked') joinVideo.disabled = false;
        } else if (progress.probe) {
          progressLine.textContent = `${progress.completed} of ${progress.total} checks done (${progress.probe.title}: ${progress.probe.status})`;
        }
      },
    })
    .then((result) => {
      document.body.dataset.verdict = result.verdict;
      const codes = result.findings.map((finding) => finding.code);
      const advice = codes.map((code) => SETTINGS[code]).filter(Boolean);
      if (result.verdict === 'ready') {
        show('ready', 'Your network is ready. Join with video.');
        joinVideo.disabled = false;
      } else if (result.verdict === 'degraded') {
        show('degraded', 'Calls will work on this network, with limits. You can join with video; audio only is smoother.');
        joinVideo.disabled = false;
        joinAudio.hidden = false;
      } else if (result.verdict === 'blocked') {
        show('blocked', 'Your network blocks calls. Join by phone, or send the link below to support.');
        joinVideo.disabled = true;
        joinAudio.hidden = true;
      } else {
        show('error', 'The network check could not finish. You can still try to join.');
        joinVideo.disabled = false;
      }
      if (advice.length > 0) {
        setting.hidden = false;
        setting.textContent = advice.join(' ');
      }
      progressLine.textContent = `Checked in ${(result.durationMs / 1000).toFixed(1)} s.`;
      if (result.shareUrl) {
        support.hidden = false;
        supportLink.href = result.shareUrl;
        supportLink.textContent = result.shareUrl;
      }
    })
    .catch((error) => {
      show('error', `The network check is not available (${error.code}): ${error.message} You can still join.`);
      joinVideo.disabled = false;
    });
})();
